"""Reference values for mlship's built-in `spam-assassin` dataset (src/data/builtin.test.ts).

Loads the corpus with `_common.spam_assassin()` (an independent Python reader of the same npm
package) and records its size, class counts, per-document SHA-256 on a subset, and the dataset
fingerprint computed with the exact scheme of `fingerprintTextDataset` (core `Fingerprint`:
each string is hashed as `<UTF-16 length>:<UTF-8 bytes>`, numbers as `#<n>;`).
"""
import hashlib
import json

from _common import spam_assassin, write_fixture


def utf16_len(s):
    return len(s.encode('utf-16-le', 'surrogatepass')) // 2


def fingerprint(texts, labels):
    h = hashlib.sha256()

    def put(s):
        h.update(str(utf16_len(s)).encode())
        h.update(b':')
        h.update(s.encode('utf-8'))  # raises on lone surrogates, which Node would hash as U+FFFD

    put('mlship.text-dataset/1')
    h.update(f'#{len(texts)};'.encode())
    for t, l in zip(texts, labels):
        put(t)
        put(l)
    return h.hexdigest()


def main():
    texts, labels = spam_assassin()
    n = len(texts)
    subset = sorted(set([0, 1, 2, n // 3, n // 2, 2 * n // 3, n - 2, n - 1] + list(range(0, n, 500))))
    write_fixture('data-spam-assassin.json', {
        'n': n,
        'n_spam': labels.count('spam'),
        'n_ham': labels.count('ham'),
        'fingerprint': fingerprint(texts, labels),
        'labels_sha256': hashlib.sha256(json.dumps(labels, separators=(',', ':')).encode()).hexdigest(),
        'subset': [
            {'index': i, 'label': labels[i], 'length_utf16': utf16_len(texts[i]),
             'sha256': hashlib.sha256(texts[i].encode('utf-8')).hexdigest()}
            for i in subset
        ],
    })


if __name__ == '__main__':
    main()
