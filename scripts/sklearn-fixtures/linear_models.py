"""Reference values for mlship's dense linear models and nearest neighbours (scikit-learn 1.2.1).

Writes test/fixtures/sklearn/linear-models.json:
  data       Boston house prices (X, y, a median split and three quantile classes, standardised X),
             a rank-deficient problem, and deterministic sample weights
  linear     LinearRegression (Boston plain / weighted / no intercept / positive; rank-deficient)
  ridge      Ridge (cholesky, svd, weighted, more features than samples)
  enet       Lasso and ElasticNet (coefficients, intercept, n_iter_, dual_gap_)
  logistic   LogisticRegression on dense standardised Boston (binary and multinomial, tight tol)
  knn        KNeighborsRegressor / KNeighborsClassifier predictions and kneighbors on Boston
and test/fixtures/sklearn/linear-search.json: GridSearchCV(Pipeline(StandardScaler, Ridge)) over an
alpha grid (3-fold KFold, neg RMSE): mean test scores, best alpha and its coefficients.
"""
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from _common import boston, dense, f64, write_fixture

warnings.simplefilter('ignore', ConvergenceWarning)
warnings.simplefilter('ignore', FutureWarning)

X, y, names = boston()
n, d = X.shape
Xs = (X - X.mean(axis=0)) / X.std(axis=0)
y_bin = (y > np.median(y)).astype(int)
y3 = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
sw = 1.0 + (np.arange(n) % 7) / 3.0

rng = np.random.RandomState(0)
R = rng.randn(60, 4)
X_rd = np.c_[R, R[:, 0] + 2 * R[:, 1], 3 * R[:, 2], R[:, 3]]
y_rd = X_rd @ np.arange(1, 8) + rng.randn(60) * 0.1

X_wide = X[:8]
y_wide = y[:8]


def lin(m):
    out = {'coef': f64(m.coef_), 'intercept': float(m.intercept_)}
    if hasattr(m, 'rank_'):
        out['rank'] = int(m.rank_)
        out['singular'] = f64(m.singular_)
    if hasattr(m, 'n_iter_') and m.n_iter_ is not None:
        out['n_iter'] = int(np.ravel(m.n_iter_)[0])
    if hasattr(m, 'dual_gap_'):
        out['dual_gap'] = float(m.dual_gap_)
    return out


linear = {
    'boston': lin(LinearRegression().fit(X, y)),
    'boston_weighted': lin(LinearRegression().fit(X, y, sample_weight=sw)),
    'boston_no_intercept': lin(LinearRegression(fit_intercept=False).fit(X, y)),
    'boston_positive': lin(LinearRegression(positive=True).fit(X, y)),
    'rank_deficient': lin(LinearRegression().fit(X_rd, y_rd)),
    'wide': lin(LinearRegression().fit(X_wide, y_wide)),
}

ridge = {}
for name, kw, fit_kw, XX, yy in [
    ('alpha1', dict(alpha=1.0), {}, X, y),
    ('alpha10_svd', dict(alpha=10.0, solver='svd'), {}, X, y),
    ('alpha0.1_weighted', dict(alpha=0.1), dict(sample_weight=sw), X, y),
    ('alpha1_no_intercept', dict(alpha=1.0, fit_intercept=False), {}, X, y),
    ('wide_cholesky', dict(alpha=0.5), {}, X_wide, y_wide),
    ('wide_svd', dict(alpha=0.5, solver='svd'), {}, X_wide, y_wide),
    ('rank_deficient_alpha1_svd', dict(alpha=1.0, solver='svd'), {}, X_rd, y_rd),
]:
    ridge[name] = {'params': kw, 'weighted': bool(fit_kw), 'data': 'wide' if XX is X_wide else 'rd' if XX is X_rd else 'boston', **lin(Ridge(**kw).fit(XX, yy, **fit_kw))}

enet = {}
for name, cls, kw, fit_kw, XX in [
    ('lasso_0.1', Lasso, dict(alpha=0.1), {}, X),
    ('lasso_1', Lasso, dict(alpha=1.0), {}, X),
    ('lasso_std_0.05', Lasso, dict(alpha=0.05, tol=1e-8, max_iter=10000), {}, Xs),
    ('lasso_positive', Lasso, dict(alpha=0.1, positive=True), {}, X),
    ('lasso_weighted', Lasso, dict(alpha=0.1), dict(sample_weight=sw), X),
    ('lasso_no_intercept', Lasso, dict(alpha=0.5, fit_intercept=False), {}, X),
    ('lasso_maxiter5', Lasso, dict(alpha=0.01, max_iter=5), {}, X),
    ('enet_0.5_0.3', ElasticNet, dict(alpha=0.5, l1_ratio=0.3), {}, X),
    ('enet_std_0.1_0.7', ElasticNet, dict(alpha=0.1, l1_ratio=0.7, tol=1e-10, max_iter=10000), {}, Xs),
    ('enet_l1ratio0', ElasticNet, dict(alpha=0.2, l1_ratio=0.0), {}, Xs),
]:
    enet[name] = {'estimator': cls.__name__, 'params': kw, 'weighted': bool(fit_kw), 'standardised': XX is Xs, **lin(cls(**kw).fit(XX, y, **fit_kw))}

logistic = {}
for name, yy, kw in [
    ('binary', y_bin, dict(tol=1e-10, max_iter=1000)),
    ('binary_C0.1', y_bin, dict(C=0.1, tol=1e-10, max_iter=1000)),
    ('multinomial', y3, dict(tol=1e-10, max_iter=1000)),
    ('multinomial_default_tol', y3, dict()),
]:
    m = LogisticRegression(**kw).fit(Xs, yy)
    logistic[name] = {
        'params': kw,
        'y': [int(v) for v in yy],
        'coef': dense(m.coef_),
        'intercept': f64(m.intercept_),
        'predict': [int(v) for v in m.predict(Xs)],
        'proba': dense(m.predict_proba(Xs)),
        'n_iter': int(np.ravel(m.n_iter_)[0]),
    }

train = np.arange(n) < 400
knn = {}
for name, kw in [
    ('uniform_5', dict()),
    ('distance_5', dict(weights='distance')),
    ('manhattan_3', dict(n_neighbors=3, p=1)),
    ('euclidean_metric_7', dict(n_neighbors=7, metric='euclidean', weights='distance')),
    ('manhattan_metric_4', dict(n_neighbors=4, metric='manhattan')),
]:
    r = KNeighborsRegressor(algorithm='brute', **kw).fit(Xs[train], y[train])
    c = KNeighborsClassifier(algorithm='brute', **kw).fit(Xs[train], y3[train])
    dist, ind = r.kneighbors(Xs[~train])
    knn[name] = {
        'params': kw,
        'reg_predict': f64(r.predict(Xs[~train])),
        'clf_predict': [int(v) for v in c.predict(Xs[~train])],
        'clf_proba': dense(c.predict_proba(Xs[~train])),
        'kneighbors_dist': dense(dist),
        'kneighbors_ind': ind.astype(int).ravel().tolist(),
    }

write_fixture('linear-models.json', {
    'data': {
        'names': names,
        'X': dense(X),
        'y': f64(y),
        'Xs': dense(Xs),
        'y_bin': [int(v) for v in y_bin],
        'y3': [int(v) for v in y3],
        'sw': f64(sw),
        'X_rd': dense(X_rd),
        'y_rd': f64(y_rd),
        'n_train': int(train.sum()),
    },
    'linear': linear,
    'ridge': ridge,
    'enet': enet,
    'logistic': logistic,
    'knn': knn,
})


# ---------------------------------------------------------------- search
# Pipeline(StandardScaler, Ridge) over an alpha grid, 3-fold KFold (no shuffle), scored by RMSE.
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

alphas = [0.01, 1.0, 10.0, 100.0, 1000.0]
gs = GridSearchCV(Pipeline([('scale', StandardScaler()), ('ridge', Ridge())]), {'ridge__alpha': alphas}, scoring='neg_root_mean_squared_error', cv=3).fit(X, y)
write_fixture('linear-search.json', {
    'alphas': alphas,
    'mean_test_score': f64(gs.cv_results_['mean_test_score']),
    'best_alpha': gs.best_params_['ridge__alpha'],
    'best_coef': f64(gs.best_estimator_[-1].coef_),
})
