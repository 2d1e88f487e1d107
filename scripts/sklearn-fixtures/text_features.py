"""Reference values for mlship's text vectorizers (src/learn/feature-extraction).

Writes test/fixtures/sklearn/text-corpus.json (the full built-in corpus, as hashes, sums and
samples), text-subset.json (every option varied on a ~300-document subset, with full
vocabularies, idf and sampled rows) and text-edge.json (Unicode, accents, empty document, unseen
tokens, one-character tokens, numbers, underscores, apostrophes; everything in full).

Hashes that TypeScript reproduces exactly: sha256 of the little-endian int32 bytes of indptr,
indices and document frequencies, of float64 bytes for integer-valued counts, and of the UTF-8
feature names joined by '\\n'. idf/tf-idf floats are compared with a tolerance: numpy's `log`
(AVX-512 SVML here) differs from libm in the last bit for ~20% of inputs, so bit-exact idf bytes
are not reproducible even between machines running scikit-learn.
"""
import hashlib
import math
import re

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import (
    CountVectorizer,
    HashingVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
    strip_tags,
)

from _common import spam_assassin, write_fixture


def sha_i32(a):
    return hashlib.sha256(np.asarray(a, dtype='<i4').tobytes()).hexdigest()


def sha_f64(a):
    return hashlib.sha256(np.asarray(a, dtype='<f8').tobytes()).hexdigest()


def sha_names(names):
    return hashlib.sha256('\n'.join(names).encode('utf-8')).hexdigest()


def canon(X):
    X = sp.csr_matrix(X, dtype=np.float64)
    X.sort_indices()
    return X


def summary(X, sample_rows):
    """Shape, nnz, exact structure hashes, data sums and full values of some rows."""
    X = canon(X)
    n = X.shape[0]
    w = (X.indices % 13 + 1).astype(np.float64)
    rows = {}
    for i in sample_rows:
        if 0 <= i < n:
            s, e = X.indptr[i], X.indptr[i + 1]
            rows[str(i)] = [X.indices[s:e].tolist(), X.data[s:e].tolist()]
    row_sums = [math.fsum(X.data[X.indptr[i]:X.indptr[i + 1]]) for i in range(n)]
    row_wsums = [math.fsum((X.data * w)[X.indptr[i]:X.indptr[i + 1]]) for i in range(n)]
    return {
        'shape': list(X.shape),
        'nnz': int(X.nnz),
        'indptr_sha256': sha_i32(X.indptr),
        'indices_sha256': sha_i32(X.indices),
        'data_sha256': sha_f64(X.data),
        'data_sum': math.fsum(X.data),
        'rows': rows,
        'row_sums': row_sums,
        'row_wsums': row_wsums,
    }


def df_of(X):
    X = canon(X)
    return np.bincount(X.indices, minlength=X.shape[1])


# --- (a) the full built-in corpus -------------------------------------------------------------

def corpus_case(name, ml, sk, texts):
    tv = TfidfVectorizer(**sk)
    X = tv.fit_transform(texts)
    names = tv.get_feature_names_out().tolist()
    idf = tv.idf_
    nf = len(names)
    rng = np.random.RandomState(7)
    idx = sorted(set([0, 1, 2, nf // 7, nf // 3, nf // 2, nf - 2, nf - 1] + rng.randint(0, nf, 24).tolist()))
    counts = CountVectorizer(**{k: v for k, v in sk.items() if k not in ('sublinear_tf', 'norm', 'use_idf', 'smooth_idf')}).fit_transform(texts)
    counts = canon(counts)
    n = X.shape[0]
    s = summary(X, [0, 1, 2, 100, 1234, 3000, n - 1])
    del s['row_sums'], s['row_wsums']
    return {
        'name': name,
        'params': ml,
        'n_features': nf,
        'features_sha256': sha_names(names),
        'features_sample': {str(i): names[i] for i in idx},
        'df_sha256': sha_i32(df_of(counts)),
        'idf_sha256_numpy': sha_f64(idf),
        'idf_sample': {str(i): float(idf[i]) for i in idx},
        'idf_sum': math.fsum(idf),
        'stop_words_size': len(tv.stop_words_),
        'stop_words_sha256': sha_names(sorted(tv.stop_words_)),
        'counts_data_sha256': sha_f64(counts.data),
        'counts_indices_sha256': sha_i32(counts.indices),
        'tfidf': s,
    }


def full_corpus():
    texts, _ = spam_assassin()
    cases = [
        corpus_case('defaults', {}, {}, texts),
        corpus_case('ngram12', {'ngramRange': [1, 2]}, {'ngram_range': (1, 2)}, texts),
        corpus_case(
            'ngram12_pruned_sublinear',
            {'ngramRange': [1, 2], 'minDf': 2, 'maxDf': 0.9, 'sublinearTf': True, 'stopWords': 'english'},
            {'ngram_range': (1, 2), 'min_df': 2, 'max_df': 0.9, 'sublinear_tf': True, 'stop_words': 'english'},
            texts,
        ),
    ]
    hv = HashingVectorizer()
    H = canon(hv.transform(texts))
    hashing = {'nnz': int(H.nnz), 'indptr_sha256': sha_i32(H.indptr), 'indices_sha256': sha_i32(H.indices), 'data_sum': math.fsum(H.data),
               'abs_data_sum': math.fsum(np.abs(H.data))}
    write_fixture('text-corpus.json', {'n_docs': len(texts), 'cases': cases, 'hashing_default': hashing})


# --- (b) every option on a subset -------------------------------------------------------------

PY_SPACE = re.compile(r'\s+')


def run_case(kind, ml, sk, train, test, sample_rows, full_names=True):
    out = {'kind': kind, 'params': ml}
    if kind == 'hashing':
        hv = HashingVectorizer(**sk)
        out['train'] = summary(hv.fit_transform(train), sample_rows)
        out['test'] = summary(hv.transform(test), sample_rows)
        return out
    if kind == 'tfidf_transformer':
        counts = CountVectorizer().fit(train)
        tt = TfidfTransformer(**sk)
        out['features'] = counts.get_feature_names_out().tolist()
        out['train'] = summary(tt.fit_transform(counts.transform(train)), sample_rows)
        out['test'] = summary(tt.transform(counts.transform(test)), sample_rows)
        out['idf'] = tt.idf_.tolist() if tt.use_idf else None
        return out
    est = (CountVectorizer if kind == 'count' else TfidfVectorizer)(**sk)
    Xtr = est.fit_transform(train)
    out['features'] = est.get_feature_names_out().tolist()
    out['stop_words'] = sorted(getattr(est, 'stop_words_', set()))
    out['idf'] = est.idf_.tolist() if kind == 'tfidf' and est.use_idf else None
    out['train'] = summary(Xtr, sample_rows)
    out['test'] = summary(est.transform(test), sample_rows)
    return out


def subset_cases():
    """(name, kind, mlship params, scikit-learn params)."""
    W = []
    c = lambda name, kind, ml, sk: W.append((name, kind, ml, sk))
    c('count_default', 'count', {}, {})
    c('tfidf_default', 'tfidf', {}, {})
    c('token_one_char', 'tfidf', {'tokenPattern': r'(?u)\b\w+\b'}, {'token_pattern': r'(?u)\b\w+\b'})
    c('token_letters3', 'count', {'tokenPattern': r'[A-Za-z]{3,}'}, {'token_pattern': r'[A-Za-z]{3,}'})
    c('token_no_digits', 'count', {'tokenPattern': r'\b[^\W\d_]{2,}\b'}, {'token_pattern': r'\b[^\W\d_]{2,}\b'})
    c('token_group', 'count', {'tokenPattern': r'(\w+)@\w+'}, {'token_pattern': r'(\w+)@\w+'})
    c('token_nonspace', 'count', {'tokenPattern': r'\S+'}, {'token_pattern': r'\S+'})
    c('token_ignorecase', 'count', {'tokenPattern': r'(?i)\b[a-z]+ing\b', 'lowercase': False}, {'token_pattern': r'(?i)\b[a-z]+ing\b', 'lowercase': False})
    c('lowercase_false', 'count', {'lowercase': False}, {'lowercase': False})
    c('strip_ascii', 'count', {'stripAccents': 'ascii'}, {'strip_accents': 'ascii'})
    c('strip_unicode', 'tfidf', {'stripAccents': 'unicode'}, {'strip_accents': 'unicode'})
    c('stop_english', 'count', {'stopWords': 'english'}, {'stop_words': 'english'})
    c('stop_list', 'count', {'stopWords': ['the', 'and', 'of', 'to']}, {'stop_words': ['the', 'and', 'of', 'to']})
    c('ngram12', 'tfidf', {'ngramRange': [1, 2]}, {'ngram_range': (1, 2)})
    c('ngram23', 'count', {'ngramRange': [2, 3]}, {'ngram_range': (2, 3)})
    c('ngram13_stop', 'count', {'ngramRange': [1, 3], 'stopWords': 'english'}, {'ngram_range': (1, 3), 'stop_words': 'english'})
    c('char13', 'count', {'analyzer': 'char', 'ngramRange': [1, 3]}, {'analyzer': 'char', 'ngram_range': (1, 3)})
    c('char_wb23', 'tfidf', {'analyzer': 'char_wb', 'ngramRange': [2, 3]}, {'analyzer': 'char_wb', 'ngram_range': (2, 3)})
    c('char_wb11', 'count', {'analyzer': 'char_wb', 'ngramRange': [1, 1]}, {'analyzer': 'char_wb', 'ngram_range': (1, 1)})
    c('min_df_count', 'count', {'minDf': 2}, {'min_df': 2})
    c('min_df_fraction', 'tfidf', {'minDf': 0.05}, {'min_df': 0.05})
    c('max_df_fraction', 'count', {'maxDf': 0.5}, {'max_df': 0.5})
    c('max_df_count', 'count', {'maxDf': 10}, {'max_df': 10})
    c('min_max_df', 'tfidf', {'minDf': 2, 'maxDf': 0.9}, {'min_df': 2, 'max_df': 0.9})
    c('max_df_one_doc', 'count', {'maxDf': {'count': 1}}, {'max_df': 1})
    c('min_df_all_docs', 'count', {'minDf': {'proportion': 0.2}}, {'min_df': 0.2})
    c('max_features100', 'count', {'maxFeatures': 100}, {'max_features': 100})
    c('max_features_ties', 'count', {'maxFeatures': 777}, {'max_features': 777})
    c('max_features_tfidf_ngram', 'tfidf', {'maxFeatures': 1000, 'ngramRange': [1, 2]}, {'max_features': 1000, 'ngram_range': (1, 2)})
    c('max_features_min_df', 'count', {'maxFeatures': 50, 'minDf': 3, 'binary': True}, {'max_features': 50, 'min_df': 3, 'binary': True})
    vocab = ['free', 'money', 'the', 'click', 'here', 'zzzunseen', 'email', 'list', 'linux', 'python']
    c('vocabulary_list', 'tfidf', {'vocabulary': vocab}, {'vocabulary': vocab})
    vdict = {t: i for i, t in enumerate(reversed(vocab))}
    c('vocabulary_dict', 'count', {'vocabulary': vdict}, {'vocabulary': vdict})
    c('binary_count', 'count', {'binary': True}, {'binary': True})
    c('binary_tfidf', 'tfidf', {'binary': True}, {'binary': True})
    c('norm_l1', 'tfidf', {'norm': 'l1'}, {'norm': 'l1'})
    c('norm_none', 'tfidf', {'norm': None}, {'norm': None})
    c('no_idf', 'tfidf', {'useIdf': False}, {'use_idf': False})
    c('no_smooth', 'tfidf', {'smoothIdf': False}, {'smooth_idf': False})
    c('sublinear', 'tfidf', {'sublinearTf': True}, {'sublinear_tf': True})
    c('sublinear_l1_nosmooth', 'tfidf', {'sublinearTf': True, 'norm': 'l1', 'smoothIdf': False}, {'sublinear_tf': True, 'norm': 'l1', 'smooth_idf': False})
    c('imdb_like', 'tfidf', {'ngramRange': [1, 2], 'minDf': 2, 'maxDf': 0.95, 'sublinearTf': True, 'stopWords': 'english', 'preprocessor': 'strip_tags'},
      {'ngram_range': (1, 2), 'min_df': 2, 'max_df': 0.95, 'sublinear_tf': True, 'stop_words': 'english', 'preprocessor': strip_tags})
    c('preprocessor_strip_tags', 'count', {'preprocessor': 'strip_tags'}, {'preprocessor': strip_tags})
    c('tokenizer_split', 'count', {'tokenizer': 'py_str_split'}, {'tokenizer': str.split})
    c('analyzer_callable', 'count', {'analyzer': 'py_lower_split'}, {'analyzer': lambda d: d.lower().split()})
    c('char_binary_unicode_l1', 'tfidf', {'analyzer': 'char', 'ngramRange': [2, 3], 'binary': True, 'stripAccents': 'unicode', 'norm': 'l1', 'useIdf': False},
      {'analyzer': 'char', 'ngram_range': (2, 3), 'binary': True, 'strip_accents': 'unicode', 'norm': 'l1', 'use_idf': False})
    c('transformer_sublinear', 'tfidf_transformer', {'sublinearTf': True}, {'sublinear_tf': True})
    c('transformer_no_idf_l1', 'tfidf_transformer', {'useIdf': False, 'norm': 'l1'}, {'use_idf': False, 'norm': 'l1'})
    c('hashing_default', 'hashing', {}, {})
    c('hashing_collide', 'hashing', {'nFeatures': 16}, {'n_features': 16})
    c('hashing_no_sign', 'hashing', {'nFeatures': 1024, 'alternateSign': False, 'norm': 'l1'}, {'n_features': 1024, 'alternate_sign': False, 'norm': 'l1'})
    c('hashing_binary_nonorm', 'hashing', {'nFeatures': 64, 'binary': True, 'norm': None}, {'n_features': 64, 'binary': True, 'norm': None})
    c('hashing_char_wb', 'hashing', {'analyzer': 'char_wb', 'ngramRange': [2, 3], 'nFeatures': 4096}, {'analyzer': 'char_wb', 'ngram_range': (2, 3), 'n_features': 4096})
    return W


SUBSET_STEP = 20
SUBSET_CHARS = 300


def subset():
    texts, _ = spam_assassin()
    docs = [t[:SUBSET_CHARS] for t in texts[::SUBSET_STEP]]
    train, test = docs[:240], docs[240:]
    cases = {}
    for name, kind, ml, sk in subset_cases():
        # Character n-gram rows are long: sample fewer of them to keep the fixture small.
        sample = [0, 1, 239] if ml.get('analyzer') in ('char', 'char_wb') else [0, 1, 2, 3, 4, 5, 100, 239]
        cases[name] = run_case(kind, ml, sk, train, test, sample)
    write_fixture('text-subset.json', {'step': SUBSET_STEP, 'chars': SUBSET_CHARS, 'n_train': len(train), 'n_test': len(test), 'cases': cases})


# --- (c) edge cases ---------------------------------------------------------------------------

EDGE_DOCS = [
    'Привет мир! Москва — столица России. ПРИВЕТ',
    '東京は日本の首都です。北京 上海 東京',
    'Ελληνικά: καλημέρα κόσμε ΣΟΦΟΣ σοφός',
    'emoji 😀😀 test 🎉party🎉 👍🏽 ok 😀',
    'Cafe\u0301 naïve résumé façade Ærøskøbing ﬁnance Ⅻ ½',
    '',
    'a b c d e f 1 2 3 x I',
    'numbers 123 4.56 7,890 1e10 ٣٤٥ ² 00 007',
    'under_score snake_case __dunder__ _x_ _ __',
    "don't won't it's O'Brien rock'n'roll l'été",
    'tabs\tand\nnewlines\r\n  multiple   spaces\u3000ideographic',
    'MiXeD CaSe İstanbul ß straße ΣΑΣ ǅemal',
    'x',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math 𝟙𝟚 astral 𐐀𐐨',
    'zero\u200bwidth and nbsp\u00a0here ǈ ǲ',
    'देवनागरी हिन्दी क्षत्रिय',
    '<p>HTML &amp; tags<br />here</p>',
]
EDGE_UNSEEN = ['totally unseen words', 'мир новый мир', '', '😀 ok 東京', 'zzz']

EDGE_CONFIGS = [
    ('count_default', 'count', {}, {}),
    ('tfidf_default', 'tfidf', {}, {}),
    ('strip_unicode', 'count', {'stripAccents': 'unicode'}, {'strip_accents': 'unicode'}),
    ('strip_ascii', 'count', {'stripAccents': 'ascii'}, {'strip_accents': 'ascii'}),
    ('strip_unicode_upper', 'count', {'stripAccents': 'unicode', 'lowercase': False}, {'strip_accents': 'unicode', 'lowercase': False}),
    ('lowercase_false', 'count', {'lowercase': False}, {'lowercase': False}),
    ('one_char', 'tfidf', {'tokenPattern': r'(?u)\b\w+\b'}, {'token_pattern': r'(?u)\b\w+\b'}),
    ('apostrophes', 'count', {'tokenPattern': r"(?u)\b\w[\w']*\b"}, {'token_pattern': r"(?u)\b\w[\w']*\b"}),
    ('digits', 'count', {'tokenPattern': r'\d+'}, {'token_pattern': r'\d+'}),
    ('ascii_flag', 'count', {'tokenPattern': r'(?a)\b\w\w+\b'}, {'token_pattern': r'(?a)\b\w\w+\b'}),
    ('nonword_runs', 'count', {'tokenPattern': r'\W+'}, {'token_pattern': r'\W+'}),
    ('spaces_class', 'count', {'tokenPattern': r'[^\s\d]+'}, {'token_pattern': r'[^\s\d]+'}),
    ('dot_anchor', 'count', {'tokenPattern': r'^.{1,5}|.{3}$'}, {'token_pattern': r'^.{1,5}|.{3}$'}),
    ('char13', 'count', {'analyzer': 'char', 'ngramRange': [1, 3]}, {'analyzer': 'char', 'ngram_range': (1, 3)}),
    ('char_wb24', 'tfidf', {'analyzer': 'char_wb', 'ngramRange': [2, 4]}, {'analyzer': 'char_wb', 'ngram_range': (2, 4)}),
    ('char_wb_unicode', 'count', {'analyzer': 'char_wb', 'ngramRange': [1, 2], 'stripAccents': 'unicode'}, {'analyzer': 'char_wb', 'ngram_range': (1, 2), 'strip_accents': 'unicode'}),
    ('ngram13', 'tfidf', {'ngramRange': [1, 3]}, {'ngram_range': (1, 3)}),
    ('stop_english', 'count', {'stopWords': 'english', 'tokenPattern': r"(?u)\b\w[\w']*\b"}, {'stop_words': 'english', 'token_pattern': r"(?u)\b\w[\w']*\b"}),
    ('max_features_ties', 'count', {'maxFeatures': 20}, {'max_features': 20}),
    ('hashing_default', 'hashing', {}, {}),
    ('hashing_char', 'hashing', {'analyzer': 'char', 'ngramRange': [1, 2], 'nFeatures': 32}, {'analyzer': 'char', 'ngram_range': (1, 2), 'n_features': 32}),
]


def edge():
    rows = list(range(max(len(EDGE_DOCS), len(EDGE_UNSEEN))))
    cases = {}
    for name, kind, ml, sk in EDGE_CONFIGS:
        cases[name] = run_case(kind, ml, sk, EDGE_DOCS, EDGE_UNSEEN, rows)
    write_fixture('text-edge.json', {'docs': EDGE_DOCS, 'unseen': EDGE_UNSEEN, 'cases': cases})


if __name__ == '__main__':
    import sys
    parts = sys.argv[1:] or ['edge', 'subset', 'corpus']
    if 'edge' in parts:
        edge()
    if 'subset' in parts:
        subset()
    if 'corpus' in parts:
        full_corpus()
