"""Shared helpers for the fixture scripts: the built-in datasets, exact float arrays, JSON output,
and the Python twin of mlship's synthetic regression set."""
import base64
import json
import os

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))
FIXTURES = os.path.join(ROOT, 'test', 'fixtures', 'sklearn')
SPAM_DIR = os.path.join(ROOT, 'node_modules', '@stdlib', 'datasets-spam-assassin', 'data')


def spam_assassin():
    """The SpamAssassin corpus exactly as mlship's built-in `spam-assassin` dataset loads it:
    (texts, labels) in the package's file_list order; label 'spam' for spam-* groups, else 'ham'."""
    with open(os.path.join(SPAM_DIR, 'file_list.json')) as f:
        files = json.load(f)
    texts, labels = [], []
    for name in files:
        with open(os.path.join(SPAM_DIR, name.replace('txt', 'json')), encoding='utf-8') as f:
            rec = json.load(f)
        texts.append(rec['text'])
        labels.append('spam' if rec['group'].startswith('spam') else 'ham')
    return texts, labels


def boston():
    """Boston house prices exactly as mlship's built-in `boston-housing` dataset loads it:
    (X, y, feature names) in file order; y is `medv`."""
    import numpy as np
    with open(os.path.join(ROOT, 'node_modules', '@stdlib', 'datasets-harrison-boston-house-prices', 'data', 'data.json')) as f:
        rows = json.load(f)
    names = [k for k in rows[0].keys() if k != 'medv']
    X = np.array([[float(r[k]) for k in names] for r in rows], dtype=np.float64)
    y = np.array([float(r['medv']) for r in rows], dtype=np.float64)
    return X, y, names


def f64(a):
    """Exact float64 array as base64 (little-endian); read back with f64() in test/support/sklearn-fixtures.ts."""
    import numpy as np
    return {'f64': base64.b64encode(np.ascontiguousarray(a, dtype='<f8').tobytes()).decode('ascii')}


def dense(a):
    """A dense 2-D array as { shape, data: f64 }; read back with denseFixture()."""
    import numpy as np
    a = np.asarray(a, dtype=np.float64)
    return {'shape': [int(a.shape[0]), int(a.shape[1])], 'data': f64(a.ravel())}


def csr(m):
    """A sparse matrix as scipy's CSR arrays; read back with csrFixture()."""
    import numpy as np
    from scipy import sparse
    m = sparse.csr_matrix(m, dtype=np.float64)
    m.sort_indices()
    data = m.data
    is_int = bool(np.all(data == np.round(data)))
    return {
        'shape': [int(m.shape[0]), int(m.shape[1])],
        'indptr': m.indptr.astype(int).tolist(),
        'indices': m.indices.astype(int).tolist(),
        'data': data.astype(int).tolist() if is_int else f64(data),
    }


def write_fixture(name, payload):
    os.makedirs(FIXTURES, exist_ok=True)
    path = os.path.join(FIXTURES, name)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(payload, f, ensure_ascii=False, separators=(',', ':'), allow_nan=True)
    print('wrote', os.path.relpath(path, ROOT), os.path.getsize(path), 'bytes')


def _mix32(x):
    x &= 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    x ^= x >> 16
    return x


def synthetic_regression(n_samples, n_features=20, noise=1.0, seed=0):
    """The Python twin of mlship's makeSyntheticRegression (src/learn/testing/synthetic.ts):
    the same (X, y) for the same arguments, from an integer hash of (seed, row, column)."""
    import numpy as np
    s = np.uint64(_mix32(seed))
    M = np.uint64(0xFFFFFFFF)

    def mix(x):
        x = x & M
        x ^= x >> np.uint64(16)
        x = (x * np.uint64(0x7FEB352D)) & M
        x ^= x >> np.uint64(15)
        x = (x * np.uint64(0x846CA68B)) & M
        x ^= x >> np.uint64(16)
        return x

    rows = np.arange(n_samples, dtype=np.uint64)[:, None]
    a = mix(s ^ rows)

    def uniform(cols):
        return (mix(a ^ np.asarray(cols, dtype=np.uint64)[None, :]).astype(np.float64) + 0.5) / 4294967296.0

    X = uniform(np.arange(n_features))
    t = 10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * ((X[:, 2] - 0.5) * (X[:, 2] - 0.5)) + 10 * X[:, 3] + 5 * X[:, 4]
    for j in range(5, 10):
        t = t + 0.5 * (j - 4) * X[:, j]
    u = uniform([1000, 1001])
    y = t + noise * np.sqrt(-2 * np.log(u[:, 0])) * np.cos(2 * np.pi * u[:, 1])
    return X, y
