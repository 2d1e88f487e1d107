"""Shared helpers for the fixture scripts: the built-in corpus, and JSON output."""
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


def write_fixture(name, payload):
    os.makedirs(FIXTURES, exist_ok=True)
    path = os.path.join(FIXTURES, name)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(payload, f, ensure_ascii=False, separators=(',', ':'), allow_nan=True)
    print('wrote', os.path.relpath(path, ROOT), os.path.getsize(path), 'bytes')
