#!/usr/bin/python3
"""scikit-learn side of bench/tabular: one measurement run in this (fresh) process.

Run with Debian's interpreter, which has python3-sklearn 1.2.1:

    /usr/bin/python3 bench/tabular/sklearn_bench.py --model hgb --n 200000 --d 20 --seed 42

Prints one JSON object on stdout. The data is scripts/sklearn-fixtures/_common.py's
synthetic_regression, the twin of mlship's makeSyntheticRegression (same X bit for bit); row i is
a test row when i % 5 == 4 (an 80/20 split). "fit" is estimator.fit on the training rows,
"predict" is the median of 5 calls of estimator.predict on the test rows (the first call is
reported as predict_first_s), peak RSS is VmHWM from /proc/self/status at the
end, cpu_s is the process CPU time (user + system, all threads) of fit + the predict calls.
"""
import argparse
import gc
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'scripts', 'sklearn-fixtures'))
sys.path.insert(0, os.path.join(ROOT, 'bench', 'text'))
from _common import synthetic_regression  # noqa: E402
from sklearn_bench import peak_rss_kb, versions  # noqa: E402  (bench/text's helpers)

MODELS = ('linear', 'rf', 'hgb')
PREDICT_CALLS = 5  # predict is timed as the median of 5 calls on the test rows; the first is reported too


def make_model(kind, trees, seed):
    if kind == 'linear':
        from sklearn.linear_model import LinearRegression
        return LinearRegression()
    if kind == 'rf':
        from sklearn.ensemble import RandomForestRegressor
        return RandomForestRegressor(n_estimators=trees, n_jobs=-1, random_state=seed)
    if kind == 'hgb':
        from sklearn.ensemble import HistGradientBoostingRegressor
        return HistGradientBoostingRegressor(random_state=seed)
    raise SystemExit(f'--model must be one of {MODELS}, got {kind!r}')


def run(args):
    import numpy as np
    X, y = synthetic_regression(args.n, args.d, 1.0, args.seed)
    test = np.arange(args.n) % 5 == 4
    x_train, y_train, x_test, y_test = X[~test], y[~test], X[test], y[test]
    del X, y
    model = make_model(args.model, args.trees, args.seed)
    gc.collect()
    c0 = time.process_time()
    t0 = time.perf_counter()
    model.fit(x_train, y_train)
    fit_s = time.perf_counter() - t0
    calls = []
    for _ in range(PREDICT_CALLS):
        t0 = time.perf_counter()
        pred = model.predict(x_test)
        calls.append(time.perf_counter() - t0)
    cpu_s = time.process_time() - c0
    rmse = float(np.sqrt(np.mean((pred - y_test) ** 2)))
    return {
        'side': 'sklearn',
        'model': args.model,
        'n_train': int(x_train.shape[0]),
        'n_test': int(x_test.shape[0]),
        'n_features': int(x_train.shape[1]),
        'n_iter': int(model.n_iter_) if hasattr(model, 'n_iter_') else None,
        'fit_s': fit_s,
        'predict_s': sorted(calls)[len(calls) // 2],
        'predict_first_s': calls[0],
        'cpu_s': cpu_s,
        'rmse': rmse,
        'peak_rss_kb': peak_rss_kb(),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', choices=MODELS)
    ap.add_argument('--n', type=int, default=200000, help='rows (default 200000)')
    ap.add_argument('--d', type=int, default=20, help='features (default 20)')
    ap.add_argument('--seed', type=int, default=42, help='data and model seed (default 42)')
    ap.add_argument('--trees', type=int, default=100, help='random forest trees (default 100)')
    ap.add_argument('--versions', action='store_true', help='print interpreter and library versions')
    args = ap.parse_args()
    if args.versions:
        out = versions()
    else:
        if not args.model:
            ap.error('--model is required (or --versions)')
        out = run(args)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
