"""Reference values for mlship's HistGradientBoostingRegressor / HistGradientBoostingClassifier
(src/learn/ensemble/hist-gradient-boosting/): bin thresholds, predictions and scores of
scikit-learn 1.2 on small deterministic settings (early stopping off), on Boston (the exact test
rows of train_test_split(random_state=42)), with missing values, and on the synthetic set.
Writes test/fixtures/sklearn/hgb-*.json."""
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error
from sklearn.model_selection import train_test_split

from _common import boston, dense, f64, synthetic_regression, write_fixture


def rmse(a, b):
    return float(np.sqrt(mean_squared_error(a, b)))


def thresholds(model):
    t = model._bin_mapper.bin_thresholds_
    return {'counts': [int(len(x)) for x in t], 'values': f64(np.concatenate(t))}


def exact_case(name, X, y, X_test, **params):
    m = HistGradientBoostingRegressor(early_stopping=False, **params).fit(X, y)
    return {
        'name': name,
        'params': params,
        'X': dense(X),
        'y': f64(y),
        'XTest': dense(X_test),
        'thresholds': thresholds(m),
        'nBinsNonMissing': [int(v) for v in m._bin_mapper.n_bins_non_missing_],
        'predTrain': f64(m.predict(X)),
        'predTest': f64(m.predict(X_test)),
        'nLeaves': [int(p[0].get_n_leaf_nodes()) for p in m._predictors],
    }


def main():
    rng = np.random.RandomState(0)
    # Small sets without ties: uniform hashed features.
    X, y = synthetic_regression(400, 10, 1.0, 3)
    Xt, _ = synthetic_regression(100, 10, 1.0, 4)
    cases = [exact_case('quantile-bins', X, y, Xt, max_iter=30)]
    # Few distinct values (midpoint thresholds), a small maxBins, depth limit and l2.
    Xr = np.round(X * 12) / 12
    cases.append(exact_case('midpoint-bins', Xr, y, np.round(Xt * 12) / 12, max_iter=20, max_bins=16, max_depth=3, l2_regularization=1.0, min_samples_leaf=5))
    # Missing values: NaN in training (both sides tried) and NaN only at predict time.
    Xn = X.copy()
    Xn[rng.rand(*Xn.shape) < 0.1] = np.nan
    Xn[:, 9] = X[:, 9]
    Xtn = Xt.copy()
    Xtn[rng.rand(*Xtn.shape) < 0.1] = np.nan
    cases.append(exact_case('missing', Xn, y, Xtn, max_iter=30, max_leaf_nodes=15))
    cases.append(exact_case('absolute-error', X, y, Xt, max_iter=20, loss='absolute_error'))
    write_fixture('hgb-exact.json', {'cases': cases})

    # Boston: default hyperparameters, exact test rows of train_test_split(random_state=42).
    Xb, yb, names = boston()
    idx = np.arange(len(yb))
    tr, te = train_test_split(idx, random_state=42)
    m = HistGradientBoostingRegressor().fit(Xb[tr], yb[tr])
    pred = m.predict(Xb[te])
    boston_fx = {'train': tr.tolist(), 'test': te.tolist(), 'rmse': rmse(yb[te], pred), 'pred': f64(pred), 'nIter': int(m.n_iter_)}

    # Classification on Boston: medv above its median (binary) and in terciles (3 classes), with 10% NaN in X.
    Xc = Xb.copy()
    Xc[rng.rand(*Xc.shape) < 0.1] = np.nan
    yb2 = (yb > np.median(yb)).astype(int)
    y3 = np.digitize(yb, np.quantile(yb, [1 / 3, 2 / 3]))
    clf = {}
    for key, yy in (('binary', yb2), ('multiclass', y3)):
        c = HistGradientBoostingClassifier(max_iter=50).fit(Xc[tr], yy[tr])
        proba = c.predict_proba(Xc[te])
        clf[key] = {
            'y': yy.tolist(),
            'accuracy': float(accuracy_score(yy[te], c.predict(Xc[te]))),
            'logLoss': float(log_loss(yy[te], proba)),
            'proba': dense(proba),
        }
    write_fixture('hgb-boston.json', {'regression': boston_fx, 'classification': {'X': dense(Xc), **clf}})

    # Synthetic regression (defaults: early stopping on, as n > 10,000): first rows train, last rows test.
    synth = {}
    for n_train in (20000, 200000):
        Xs, ys = synthetic_regression(n_train + 5000, 20, 1.0, 0)
        m = HistGradientBoostingRegressor(random_state=0).fit(Xs[:n_train], ys[:n_train])
        synth[str(n_train)] = {'rmse': rmse(ys[n_train:], m.predict(Xs[n_train:])), 'nIter': int(m.n_iter_)}
    write_fixture('hgb-synthetic.json', synth)


if __name__ == '__main__':
    main()
