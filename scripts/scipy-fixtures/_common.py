"""Shared helpers for the scipy fixture scripts: exact float arrays and JSON output into
test/fixtures/scipy/ (read back with f64() from test/support/sklearn-fixtures.ts)."""
import base64
import json
import os

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))
FIXTURES = os.path.join(ROOT, 'test', 'fixtures', 'scipy')


def f64(a):
    """Exact float64 array as base64 (little-endian)."""
    import numpy as np
    return {'f64': base64.b64encode(np.ascontiguousarray(a, dtype='<f8').tobytes()).decode('ascii')}


def num(x):
    """A float for JSON: inf/nan as strings so the file stays strict JSON."""
    x = float(x)
    if x != x:
        return 'NaN'
    if x in (float('inf'), float('-inf')):
        return 'Infinity' if x > 0 else '-Infinity'
    return x


def write_fixture(name, payload):
    os.makedirs(FIXTURES, exist_ok=True)
    path = os.path.join(FIXTURES, name)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(payload, f, ensure_ascii=False, separators=(',', ':'), allow_nan=False)
    print('wrote', os.path.relpath(path, ROOT), os.path.getsize(path), 'bytes')
