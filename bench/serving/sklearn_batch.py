"""The scikit-learn peer of `mlship predict --output` (bench/serving/batch.mjs).

    /usr/bin/python3 bench/serving/sklearn_batch.py train --train corpus.jsonl --model nb.pkl
    /usr/bin/python3 bench/serving/sklearn_batch.py predict --model nb.pkl --input docs.jsonl --output out.jsonl [--chunk-size 10000]
    /usr/bin/python3 bench/serving/sklearn_batch.py --versions

`train` fits TfidfVectorizer() + MultinomialNB() (default parameters) on {"text", "label"} lines and
pickles the pipeline. `predict` is the batch job as a scikit-learn user writes it: read the JSONL
input in chunks of lines, `pipeline.predict_proba` on each chunk, and write one JSON line per
document, {"id": ..., "label": ..., "probabilities": {class: p, ...}}, the label being the class
of highest probability. Each command prints one JSON object on stdout.
"""
import argparse
import json
import os
import pickle
import platform
import sys
import time


def train(train_path, model_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import Pipeline

    texts, labels = [], []
    with open(train_path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                texts.append(rec['text'])
                labels.append(rec['label'])
    pipe = Pipeline([('tfidf', TfidfVectorizer()), ('nb', MultinomialNB())])
    t0 = time.perf_counter()
    pipe.fit(texts, labels)
    fit_s = time.perf_counter() - t0
    tmp = f'{model_path}.tmp-{os.getpid()}'
    with open(tmp, 'wb') as f:
        pickle.dump(pipe, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, model_path)
    return {'n_train': len(texts), 'n_features': len(pipe.named_steps['tfidf'].vocabulary_), 'classes': [str(c) for c in pipe.classes_], 'fit_s': fit_s}


def predict(model_path, input_path, output_path, chunk_size):
    t0 = time.perf_counter()
    with open(model_path, 'rb') as f:
        pipe = pickle.load(f)
    classes = [c.item() if hasattr(c, 'item') else c for c in pipe.classes_]
    rows = 0

    def flush(ids, texts, out):
        proba = pipe.predict_proba(texts)
        best = proba.argmax(axis=1)
        lines = []
        for i, row in enumerate(proba.tolist()):
            lines.append(json.dumps({'id': ids[i], 'label': classes[best[i]], 'probabilities': dict(zip(classes, row))}))
        out.write('\n'.join(lines))
        out.write('\n')

    with open(input_path, encoding='utf-8') as f, open(output_path, 'w', encoding='utf-8') as out:
        ids, texts = [], []
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            ids.append(rec.get('id'))
            texts.append(rec['text'])
            if len(texts) == chunk_size:
                flush(ids, texts, out)
                rows += len(texts)
                ids, texts = [], []
        if texts:
            flush(ids, texts, out)
            rows += len(texts)
    seconds = time.perf_counter() - t0
    return {'rows': rows, 'seconds': seconds, 'rows_per_s': rows / seconds if seconds > 0 else None}


def versions():
    import numpy
    import scipy
    import sklearn
    return {'python': platform.python_version(), 'sklearn': sklearn.__version__, 'numpy': numpy.__version__, 'scipy': scipy.__version__}


def main():
    if '--versions' in sys.argv[1:]:
        print(json.dumps(versions()))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    t = sub.add_parser('train')
    t.add_argument('--train', required=True)
    t.add_argument('--model', required=True)
    q = sub.add_parser('predict')
    q.add_argument('--model', required=True)
    q.add_argument('--input', required=True)
    q.add_argument('--output', required=True)
    q.add_argument('--chunk-size', type=int, default=10000)
    a = p.parse_args()
    if a.cmd == 'train':
        print(json.dumps(train(a.train, a.model)))
    else:
        print(json.dumps(predict(a.model, a.input, a.output, a.chunk_size)))


if __name__ == '__main__':
    main()
