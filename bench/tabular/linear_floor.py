#!/usr/bin/python3
"""Python side of bench/tabular/linear-floor.mjs: scikit-learn's LinearRegression.predict on the
tabular benchmark's test rows, and its parts (check_array, the BLAS product alone).

    /usr/bin/python3 bench/tabular/linear_floor.py --n 200000 --d 20 --seed 42

Each figure is the median of 41 calls after 50 warm-up calls, in milliseconds; prints one JSON object.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'scripts', 'sklearn-fixtures'))
from _common import synthetic_regression  # noqa: E402

WARM = 50
CALLS = 41


def time_ms(f):
    for _ in range(WARM):
        f()
    ts = []
    for _ in range(CALLS):
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    return ts[len(ts) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=200000)
    ap.add_argument('--d', type=int, default=20)
    ap.add_argument('--seed', type=int, default=42)
    args = ap.parse_args()
    import numpy as np
    from sklearn.linear_model import LinearRegression
    from sklearn.utils import check_array
    X, y = synthetic_regression(args.n, args.d, 1.0, args.seed)
    test = np.arange(args.n) % 5 == 4
    model = LinearRegression().fit(X[~test], y[~test])
    x_test = X[test]
    coef = model.coef_
    print(json.dumps({
        'side': 'python',
        'predict_ms': time_ms(lambda: model.predict(x_test)),
        'check_array_ms': time_ms(lambda: check_array(x_test)),
        'matmul_ms': time_ms(lambda: x_test @ coef),
    }))


if __name__ == '__main__':
    main()
