#!/usr/bin/env bash
# Regenerates the scikit-learn reference fixtures in test/fixtures/sklearn/.
# Needs Debian's python3-sklearn (apt-get install python3-sklearn python3-scipy); uses /usr/bin/python3
# so that a pyenv or venv python without scikit-learn is not picked up.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}
"$PY" -c 'import sklearn; print("scikit-learn", sklearn.__version__)'
for script in scripts/sklearn-fixtures/*.py; do
  case "$(basename "$script")" in _*) continue ;; esac
  echo "== $script"
  "$PY" "$script"
done
