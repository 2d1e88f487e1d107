"""Reference values for mlship's Naive Bayes and LogisticRegression (scikit-learn 1.2.1).

Writes three fixtures:
  models-data.json  the inputs: CSR matrices (counts and tf-idf of a stratified subset of the
                    built-in corpus), small dense problems, and their labels
  models-nb.json    MultinomialNB / ComplementNB / BernoulliNB over several settings
  models-lr.json    LogisticRegression over several settings, at default and tight tolerance

The vectorizers run here only to make inputs: mlship's tests read the CSR arrays directly, so the
model tests do not depend on mlship's own vectorizers. Float64 arrays are written as base64 of
their little-endian bytes (exact and about half the size of decimal text).
"""
import base64
import json
import os
import warnings

import numpy as np
from scipy import sparse
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import BernoulliNB, ComplementNB, MultinomialNB

from _common import SPAM_DIR, csr, dense, f64, spam_assassin, write_fixture

warnings.simplefilter('ignore', FutureWarning)


def labels(y):
    return [v.item() if hasattr(v, 'item') else v for v in y]


def groups():
    """The corpus group of every document (easy_ham, hard_ham, spam...), in the loader's order."""
    with open(os.path.join(SPAM_DIR, 'file_list.json')) as f:
        files = json.load(f)
    out = []
    for name in files:
        with open(os.path.join(SPAM_DIR, name.replace('txt', 'json')), encoding='utf-8') as f:
            out.append(json.load(f)['group'])
    return out


# ---------------------------------------------------------------- inputs
texts, y_all = spam_assassin()
g_all = groups()
idx = np.arange(len(texts))
tr, te = train_test_split(idx, train_size=560, test_size=200, stratify=y_all, random_state=0)
docs_tr = [texts[i] for i in tr]
docs_te = [texts[i] for i in te]
y_tr = [y_all[i] for i in tr]
y_te = [y_all[i] for i in te]
# Three classes: spam, and ham split by the corpus' easy/hard groups.
y3_tr = ['spam' if y_all[i] == 'spam' else ('hard' if 'hard' in g_all[i] else 'easy') for i in tr]
y3_te = ['spam' if y_all[i] == 'spam' else ('hard' if 'hard' in g_all[i] else 'easy') for i in te]

cv = CountVectorizer(max_features=250)
counts_tr = cv.fit_transform(docs_tr)
counts_te = cv.transform(docs_te)
tv = TfidfVectorizer(max_features=250)
tfidf_tr = tv.fit_transform(docs_tr)
tfidf_te = tv.transform(docs_te)
for a, b in ((counts_tr, tfidf_tr), (counts_te, tfidf_te)):
    a.sort_indices()
    b.sort_indices()
    assert cv.vocabulary_ == tv.vocabulary_
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)

# Small dense problems: 3 classes with numeric labels, and a binary one with labels 3 / 7.
Xd, yd = make_classification(n_samples=240, n_features=8, n_informative=5, n_redundant=1,
                             n_classes=3, n_clusters_per_class=1, flip_y=0.05, random_state=0)
Xb, yb = make_classification(n_samples=200, n_features=6, n_informative=4, flip_y=0.1, random_state=1)
yb = np.where(yb == 1, 7, 3)
# Non-negative dense counts for Naive Bayes.
rng = np.random.RandomState(0)
Xp = rng.poisson(lam=rng.uniform(0.2, 3.0, size=(1, 12)), size=(150, 12)).astype(np.float64)
yp = np.array([0, 1, 2])[(Xp[:, 0] + Xp[:, 1] > Xp[:, 2] + 1).astype(int) + (Xp[:, 3] > 2).astype(int)]

data = {
    'counts': {'train': csr(counts_tr), 'test': csr(counts_te)},
    # Same vocabulary and sparsity pattern as the counts (checked above): only the values differ.
    'tfidf': {'train': f64(tfidf_tr.data), 'test': f64(tfidf_te.data)},
    'y2': {'train': y_tr, 'test': y_te},
    'y3': {'train': y3_tr, 'test': y3_te},
    'dense3': {'X': dense(Xd[:180]), 'y': labels(yd[:180]), 'Xtest': dense(Xd[180:]), 'ytest': labels(yd[180:])},
    'dense2': {'X': dense(Xb[:150]), 'y': labels(yb[:150]), 'Xtest': dense(Xb[150:]), 'ytest': labels(yb[150:])},
    'poisson': {'X': dense(Xp[:110]), 'y': labels(yp[:110]), 'Xtest': dense(Xp[110:]), 'ytest': labels(yp[110:])},
}
write_fixture('models-data.json', data)


def get(name, split):
    if name in ('counts', 'tfidf'):
        X = counts_tr if name == 'counts' else tfidf_tr
        Xt = counts_te if name == 'counts' else tfidf_te
        return X, Xt
    d = {'dense3': (Xd[:180], Xd[180:]), 'dense2': (Xb[:150], Xb[150:]), 'poisson': (Xp[:110], Xp[110:])}
    return d[name]


def target(ylab, name):
    if ylab == 'y2':
        return y_tr
    if ylab == 'y3':
        return y3_tr
    return {'dense3': yd[:180], 'dense2': yb[:150], 'poisson': yp[:110]}[name]


# ---------------------------------------------------------------- Naive Bayes
NB = {'MultinomialNB': MultinomialNB, 'ComplementNB': ComplementNB, 'BernoulliNB': BernoulliNB}
nb_cases = [
    ('MultinomialNB', 'counts', 'y2', {}),
    ('MultinomialNB', 'tfidf', 'y2', {'alpha': 0.1}),
    ('MultinomialNB', 'counts', 'y3', {'alpha': 0.5, 'fit_prior': False}),
    ('MultinomialNB', 'tfidf', 'y3', {'class_prior': [0.2, 0.3, 0.5]}),
    ('MultinomialNB', 'counts', 'y2', {'alpha': 0.0}),
    ('MultinomialNB', 'counts', 'y2', {'alpha': 1e-12, 'force_alpha': True}),
    ('MultinomialNB', 'poisson', 'num', {'alpha': 2.0}),
    ('ComplementNB', 'counts', 'y2', {}),
    ('ComplementNB', 'tfidf', 'y3', {'norm': True}),
    ('ComplementNB', 'counts', 'y3', {'alpha': 0.3, 'norm': False}),
    ('ComplementNB', 'poisson', 'num', {'norm': True, 'alpha': 0.7}),
    ('BernoulliNB', 'counts', 'y2', {}),
    ('BernoulliNB', 'tfidf', 'y3', {'binarize': 0.05, 'alpha': 0.5}),
    ('BernoulliNB', 'counts', 'y2', {'fit_prior': False, 'binarize': 1.0}),
    ('BernoulliNB', 'poisson', 'num', {'binarize': None, 'class_prior': [0.5, 0.25, 0.25]}),
    ('BernoulliNB', 'dense3', 'num', {'binarize': 0.5}),
]
nb_out = []
for est, xname, ylab, params in nb_cases:
    X, Xt = get(xname, None)
    if xname == 'poisson' and params.get('binarize', 0.0) is None:
        X, Xt = (X > 1).astype(np.float64), (Xt > 1).astype(np.float64)
    yfit = target(ylab, xname)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        m = NB[est](**params).fit(X, yfit)
    nb_out.append({
        'estimator': est,
        'X': xname,
        'y': ylab,
        'binarizedInput': xname == 'poisson' and params.get('binarize', 0.0) is None,
        'params': params,
        'classes': labels(m.classes_),
        'classCount': m.class_count_.tolist(),
        'classLogPrior': f64(m.class_log_prior_),
        'featureLogProb': f64(m.feature_log_prob_.ravel()),
        'predictProba': f64(m.predict_proba(Xt).ravel()),
        'predictLogProba': f64(m.predict_log_proba(Xt).ravel()),
        'predict': labels(m.predict(Xt)),
    })
# partial_fit in two chunks equals fit on the whole.
pf = MultinomialNB().partial_fit(counts_tr[:400], y_tr[:400], classes=['ham', 'spam'])
pf.partial_fit(counts_tr[400:], y_tr[400:])
write_fixture('models-nb.json', {
    'cases': nb_out,
    'partialFit': {'featureLogProb': f64(pf.feature_log_prob_.ravel()), 'predictProba': f64(pf.predict_proba(counts_te).ravel())},
})

# ---------------------------------------------------------------- LogisticRegression
lr_cases = [
    ('tfidf', 'y2', {}),
    ('tfidf', 'y2', {'C': 0.1}),
    ('tfidf', 'y2', {'C': 10.0}),
    ('tfidf', 'y2', {'fit_intercept': False}),
    ('tfidf', 'y2', {'class_weight': 'balanced'}),
    ('tfidf', 'y2', {'multi_class': 'multinomial'}),
    ('tfidf', 'y3', {}),
    ('tfidf', 'y3', {'C': 3.0, 'class_weight': 'balanced'}),
    ('tfidf', 'y3', {'multi_class': 'ovr'}),
    ('counts', 'y2', {'C': 0.01}),
    ('counts', 'y3', {'max_iter': 15}),
    ('dense3', 'num', {}),
    ('dense3', 'num', {'penalty': None}),
    ('dense3', 'num', {'C': 0.05, 'fit_intercept': False, 'class_weight': {0: 1.0, 1: 2.0, 2: 0.5}}),
    ('dense2', 'num', {}),
    ('dense2', 'num', {'penalty': None, 'class_weight': 'balanced'}),
    ('dense2', 'num', {'C': 0.3, 'class_weight': {3: 0.4, 7: 1.5}, 'multi_class': 'multinomial'}),
]
lr_out = []
for xname, ylab, params in lr_cases:
    X, Xt = get(xname, None)
    yfit = target(ylab, xname)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        m = LogisticRegression(**params).fit(X, yfit)
        t = LogisticRegression(**{**params, 'tol': 1e-10, 'max_iter': 10000}).fit(X, yfit)
    cw = params.get('class_weight')
    jparams = dict(params)
    if isinstance(cw, dict):
        jparams['class_weight'] = {str(k): v for k, v in cw.items()}
    lr_out.append({
        'X': xname,
        'y': ylab,
        'params': jparams,
        'classes': labels(m.classes_),
        'nIter': int(m.n_iter_[0]) if m.n_iter_.size == 1 else [int(v) for v in m.n_iter_],
        'coefShape': list(m.coef_.shape),
        'coef': f64(m.coef_.ravel()),
        'intercept': f64(m.intercept_),
        'predict': labels(m.predict(Xt)),
        'predictProba': f64(m.predict_proba(Xt).ravel()),
        'decision': f64(np.asarray(m.decision_function(Xt)).ravel()),
        'tight': {
            'nIter': [int(v) for v in t.n_iter_],
            'coef': f64(t.coef_.ravel()),
            'intercept': f64(t.intercept_),
            'predictProba': f64(t.predict_proba(Xt).ravel()),
        },
    })
try:
    LogisticRegression().fit(counts_tr[:5], ['ham'] * 5)
    one_class = None
except ValueError as e:
    one_class = str(e)
write_fixture('models-lr.json', {'cases': lr_out, 'oneClassMessage': one_class})

# ---------------------------------------------------------------- scipy L-BFGS-B itself
from scipy.optimize import minimize, rosen, rosen_der  # noqa: E402

lbfgs_cases = []
for x0, opts in (
    ([-1.2, 1.0], {'gtol': 1e-8}),
    ([-1.2, 1.0, -1.2, 1.0, 0.5, 0.3, 2.0, -0.7], {}),
    ([3.0, -2.0, 0.1, 4.0], {'gtol': 1e-10, 'maxiter': 15}),
):
    r = minimize(lambda x: (rosen(x), rosen_der(x)), np.array(x0), jac=True, method='L-BFGS-B', options=opts)
    lbfgs_cases.append({'x0': x0, 'options': opts, 'nit': int(r.nit), 'nfev': int(r.nfev), 'status': int(r.status),
                        'x': f64(r.x), 'fun': float(r.fun)})
write_fixture('models-lbfgs.json', {'rosenbrock': lbfgs_cases})
