"""Trains the scikit-learn peer of bench/serving: TfidfVectorizer() + MultinomialNB(), default
parameters, fit on the training documents that bench/serving/run.mjs exports (the same stratified
80/20 split, seed 42, that `mlship train text --data spam-assassin` fits on), and pickles it.

    /usr/bin/python3 bench/serving/train_sklearn.py --train train.jsonl --out spam-nb.pkl [--test test.jsonl]
    /usr/bin/python3 bench/serving/train_sklearn.py --versions

Prints one JSON object on stdout: documents, features, classes, fit time and (with --test) the
test accuracy, or the versions.
"""
import argparse
import json
import os
import pickle
import platform
import sys
import time


def read_jsonl(path):
    texts, labels = [], []
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            if not isinstance(rec.get('text'), str) or 'label' not in rec:
                raise SystemExit(f'{path}:{lineno}: expected {{"text": string, "label": ...}}, got keys {sorted(rec)}')
            texts.append(rec['text'])
            labels.append(rec['label'])
    if not texts:
        raise SystemExit(f'{path}: no documents; export the training split first (bench/serving/run.mjs does)')
    return texts, labels


def train(train_path, out_path, test_path=None):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import Pipeline

    texts, labels = read_jsonl(train_path)
    pipe = Pipeline([('tfidf', TfidfVectorizer()), ('nb', MultinomialNB())])
    t0 = time.perf_counter()
    pipe.fit(texts, labels)
    fit_s = time.perf_counter() - t0
    tmp = f'{out_path}.tmp-{os.getpid()}'
    with open(tmp, 'wb') as f:
        pickle.dump(pipe, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, out_path)
    out = {
        'path': out_path,
        'n_train': len(texts),
        'n_features': len(pipe.named_steps['tfidf'].vocabulary_),
        'classes': [str(c) for c in pipe.classes_],
        'fit_s': fit_s,
    }
    if test_path:
        test_texts, test_labels = read_jsonl(test_path)
        pred = pipe.predict(test_texts)
        out['n_test'] = len(test_texts)
        out['test_accuracy'] = float(sum(1 for p, y in zip(pred, test_labels) if str(p) == str(y)) / len(test_labels))
    return out


def versions():
    import fastapi
    import numpy
    import pydantic
    import sklearn
    import uvicorn
    out = {
        'python': platform.python_version(),
        'sklearn': sklearn.__version__,
        'numpy': numpy.__version__,
        'fastapi': fastapi.__version__,
        'uvicorn': uvicorn.__version__,
        'pydantic': getattr(pydantic, 'VERSION', getattr(pydantic, '__version__', 'unknown')),
    }
    for mod in ('uvloop', 'httptools'):
        try:
            out[mod] = __import__(mod).__version__
        except ImportError:
            out[mod] = None
    try:
        import scipy
        out['scipy'] = scipy.__version__
    except ImportError:
        out['scipy'] = None
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--train', help='JSONL file with {"text","label"} per line (the training documents)')
    ap.add_argument('--out', help='where to write the pickled pipeline')
    ap.add_argument('--test', help='optional JSONL of held-out documents: report the test accuracy')
    ap.add_argument('--versions', action='store_true', help='print interpreter and library versions')
    args = ap.parse_args()
    if args.versions:
        out = versions()
    else:
        if not args.train or not args.out:
            ap.error('--train and --out are required (or --versions)')
        out = train(args.train, args.out, args.test)
    print(json.dumps(out))


if __name__ == '__main__':
    sys.exit(main())
