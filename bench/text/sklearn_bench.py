#!/usr/bin/python3
"""scikit-learn side of bench/text: one measurement run in this (fresh) process.

Run with Debian's interpreter, which has python3-sklearn 1.2.1:

    /usr/bin/python3 bench/text/sklearn_bench.py --corpus .bench-cache/synth-50000-s42.jsonl --pipeline nb
    /usr/bin/python3 bench/text/sklearn_bench.py --versions
    /usr/bin/python3 bench/text/sklearn_bench.py --export-spam-assassin .bench-cache/spam-assassin.jsonl

Prints one JSON object on stdout. The split and the measurements mirror mlship-bench.mjs exactly:
document i is in the test set when i % 5 == 4; "fit" is Pipeline.fit on the training texts
(vectorize + fit), "predict" is Pipeline.predict on all test texts, "latency" is
Pipeline.predict([doc]) on one test document per call (after warm-up calls), and peak RSS is
VmHWM from /proc/self/status at the end of the run. e2e_cpu_s is the process CPU time (user +
system, all threads) of fit + predict, less sensitive than wall time to other load on the machine.
"""
import argparse
import gc
import json
import math
import os
import platform
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
TEST_EVERY = 5  # document i is a test document when i % 5 == 4 (an 80/20 split)


def read_jsonl(path):
    texts, labels = [], []
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            if not isinstance(rec.get('text'), str) or not isinstance(rec.get('label'), str):
                raise SystemExit(f'{path}:{lineno}: expected {{"text": str, "label": str}}')
            texts.append(rec['text'])
            labels.append(rec['label'])
    return texts, labels


def split(texts, labels):
    train = [i for i in range(len(texts)) if i % TEST_EVERY != TEST_EVERY - 1]
    test = [i for i in range(len(texts)) if i % TEST_EVERY == TEST_EVERY - 1]
    return ([texts[i] for i in train], [labels[i] for i in train],
            [texts[i] for i in test], [labels[i] for i in test])


def make_pipeline(kind):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import Pipeline
    if kind == 'nb':
        return Pipeline([('tfidf', TfidfVectorizer()), ('clf', MultinomialNB())])
    if kind == 'lr':
        return Pipeline([('tfidf', TfidfVectorizer(ngram_range=(1, 2))), ('clf', LogisticRegression())])
    raise SystemExit(f'--pipeline must be nb or lr, got {kind!r}')


def peak_rss_kb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    return None


def percentile(sorted_values, q):
    # Nearest-rank percentile, the same definition as mlship-bench.mjs.
    k = max(0, min(len(sorted_values) - 1, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[k]


def run(args):
    texts, labels = read_jsonl(args.corpus)
    x_train, y_train, x_test, y_test = split(texts, labels)
    del texts, labels
    pipe = make_pipeline(args.pipeline)
    gc.collect()

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # lbfgs ConvergenceWarning at max_iter=100 is part of the default
        c0 = time.process_time()
        t0 = time.perf_counter()
        pipe.fit(x_train, y_train)
        fit_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    pred = pipe.predict(x_test)
    predict_s = time.perf_counter() - t0
    e2e_cpu_s = time.process_time() - c0
    correct = sum(1 for p, y in zip(pred, y_test) if p == y)

    calls = args.latency_calls
    gc.collect()  # as mlship-bench.mjs: the fit's garbage is collected before the latency calls
    warm = min(200, calls)
    n_test = len(x_test)
    for k in range(warm):
        pipe.predict([x_test[k % n_test]])
    lat = [0.0] * calls
    clock = time.perf_counter_ns
    for k in range(calls):
        doc = [x_test[k % n_test]]
        t0 = clock()
        pipe.predict(doc)
        lat[k] = (clock() - t0) / 1000.0
    lat.sort()

    clf = pipe.named_steps['clf']
    return {
        'side': 'sklearn',
        'corpus': args.corpus,
        'pipeline': args.pipeline,
        'n_train': len(x_train),
        'n_test': n_test,
        'n_features': len(pipe.named_steps['tfidf'].vocabulary_),
        'n_iter': int(clf.n_iter_[0]) if hasattr(clf, 'n_iter_') else None,
        'fit_s': fit_s,
        'predict_s': predict_s,
        'e2e_cpu_s': e2e_cpu_s,
        'accuracy': correct / n_test,
        'latency_calls': calls,
        'latency_median_us': percentile(lat, 0.5),
        'latency_p99_us': percentile(lat, 0.99),
        'peak_rss_kb': peak_rss_kb(),
    }


def versions():
    import numpy
    import scipy
    import sklearn
    return {
        'python': platform.python_version(),
        'sklearn': sklearn.__version__,
        'numpy': numpy.__version__,
        'scipy': scipy.__version__,
        'executable': sys.executable,
    }


def export_spam_assassin(out):
    sys.path.insert(0, os.path.join(ROOT, 'scripts', 'sklearn-fixtures'))
    from _common import spam_assassin
    texts, labels = spam_assassin()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = f'{out}.tmp-{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        for t, y in zip(texts, labels):
            f.write(json.dumps({'text': t, 'label': y}, ensure_ascii=False) + '\n')
    os.replace(tmp, out)
    return {'path': out, 'n': len(texts)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--corpus', help='JSONL file with {"text","label"} per line')
    ap.add_argument('--pipeline', choices=['nb', 'lr'], help='nb: TF-IDF + MultinomialNB; lr: TF-IDF(1,2) + LogisticRegression')
    ap.add_argument('--latency-calls', type=int, default=2000, help='single-document predict calls (default 2000)')
    ap.add_argument('--versions', action='store_true', help='print interpreter and library versions')
    ap.add_argument('--export-spam-assassin', metavar='OUT', help='write the built-in corpus as JSONL')
    args = ap.parse_args()
    if args.versions:
        out = versions()
    elif args.export_spam_assassin:
        out = export_spam_assassin(args.export_spam_assassin)
    else:
        if not args.corpus or not args.pipeline:
            ap.error('--corpus and --pipeline are required (or --versions / --export-spam-assassin)')
        if args.latency_calls < 1:
            ap.error(f'--latency-calls must be >= 1, got {args.latency_calls}')
        out = run(args)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
