#!/usr/bin/env bash
# Regenerates the scipy reference fixtures in test/fixtures/scipy/ (drift statistics of
# src/monitor/stats). Needs Debian's python3-scipy (apt-get install python3-scipy); uses
# /usr/bin/python3 so that a pyenv or venv python without scipy is not picked up.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}
"$PY" -c 'import scipy, numpy; print("scipy", scipy.__version__, "numpy", numpy.__version__)'
for script in scripts/scipy-fixtures/*.py; do
  case "$(basename "$script")" in _*) continue ;; esac
  echo "== $script"
  "$PY" "$script"
done
