"""Reference values for mlship's decision trees and random forests (scikit-learn 1.2.1).

Writes two fixtures:
  trees-single.json  DecisionTreeRegressor / DecisionTreeClassifier fitted on small tie-free data
                     (uniform random X) with several parameter sets: every node's feature,
                     threshold, children, value, impurity and sample counts, and predictions.
                     random_state=0; mlship reproduces scikit-learn's draws, so the features are
                     tried in the same order, sampled features (max_features) and random thresholds
                     (splitter='random') are the same. Fully grown trees reach nodes of a few samples where
                     two features give candidate splits of equal improvement in exact arithmetic;
                     scikit-learn picks one by float rounding of its sample order, which mlship
                     does not reproduce, so for the 'full' case only the fit is compared.
  trees-forest.json  RandomForestRegressor test RMSE, averaged over 5 seeds: Boston house prices
                     with the exact test indices of train_test_split(test_size=0.2,
                     random_state=42), and a small synthetic_regression set (first rows train,
                     last rows test).
"""
import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor, export_text

from _common import boston, dense, f64, synthetic_regression, write_fixture


def tree_record(est, X, X_test):
    t = est.tree_
    rec = {
        'params': None,
        'feature': t.feature.astype(int).tolist(),
        'threshold': f64(t.threshold),
        'left': t.children_left.astype(int).tolist(),
        'right': t.children_right.astype(int).tolist(),
        'value': f64(t.value.reshape(t.node_count, -1)),
        'impurity': f64(t.impurity),
        'nNodeSamples': t.n_node_samples.astype(int).tolist(),
        'weightedNNodeSamples': f64(t.weighted_n_node_samples),
        'depth': int(est.get_depth()),
        'nLeaves': int(est.get_n_leaves()),
        'importances': f64(est.feature_importances_),
        'predictTrain': f64(est.predict(X)) if isinstance(est, DecisionTreeRegressor) else est.predict(X).astype(int).tolist(),
        'predict': f64(est.predict(X_test)) if isinstance(est, DecisionTreeRegressor) else est.predict(X_test).astype(int).tolist(),
    }
    if isinstance(est, DecisionTreeClassifier):
        rec['proba'] = f64(est.predict_proba(X_test).ravel())
        rec['exportText'] = export_text(est, max_depth=2, show_weights=True, feature_names=['a', 'b', 'c', 'd', 'e'], decimals=3)
    else:
        rec['exportText'] = export_text(est, max_depth=2)
    return rec


def single():
    rng = np.random.RandomState(7)
    n, d = 240, 5
    X = rng.uniform(-2, 3, size=(n, d))
    y_reg = np.sin(X[:, 0] * 1.5) * 3 + X[:, 1] ** 2 - X[:, 2] + rng.normal(scale=0.3, size=n)
    score = X[:, 0] + 0.8 * X[:, 1] * X[:, 3] + rng.normal(scale=0.7, size=n)
    y_cls = np.digitize(score, np.quantile(score, [0.33, 0.66]))  # 3 classes
    w = rng.randint(1, 4, size=n).astype(np.float64)
    X_test = rng.uniform(-2.5, 3.5, size=(60, d))
    reg_cases = [
        ('depth3', {'max_depth': 3}, False),
        ('minSamplesLeaf7', {'min_samples_leaf': 7}, False),
        ('maxLeafNodes12', {'max_leaf_nodes': 12}, False),
        ('minSamplesSplit20', {'min_samples_split': 20, 'max_depth': 6}, False),
        ('minImpurityDecrease', {'min_impurity_decrease': 0.02}, False),
        ('friedman', {'criterion': 'friedman_mse', 'max_depth': 4}, False),
        ('weighted', {'max_depth': 5, 'min_weight_fraction_leaf': 0.02}, True),
        ('fractionLeaf', {'min_samples_leaf': 0.05, 'max_leaf_nodes': 20}, False),
        ('maxFeatures2', {'max_features': 2, 'max_depth': 5}, False),
        ('randomSplitter', {'splitter': 'random', 'max_depth': 5}, False),
        ('randomSplitterLeafNodes', {'splitter': 'random', 'max_features': 3, 'max_leaf_nodes': 15}, True),
        ('full', {}, False),
    ]
    cls_cases = [
        ('giniDepth4', {'max_depth': 4}, False),
        ('entropyLeaf5', {'criterion': 'entropy', 'min_samples_leaf': 5}, False),
        ('giniLeafNodes8', {'max_leaf_nodes': 8}, False),
        ('entropyWeighted', {'criterion': 'entropy', 'max_depth': 5}, True),
        ('giniSqrtFeatures', {'max_features': 'sqrt', 'max_depth': 4}, False),
        ('entropyRandomSplitter', {'criterion': 'entropy', 'splitter': 'random', 'min_samples_leaf': 3}, False),
        ('giniFull', {}, False),
    ]
    out = {'X': dense(X), 'yReg': f64(y_reg), 'yCls': y_cls.astype(int).tolist(), 'sampleWeight': f64(w), 'Xtest': dense(X_test), 'regression': {}, 'classification': {}}
    for name, params, weighted in reg_cases:
        est = DecisionTreeRegressor(random_state=0, **params).fit(X, y_reg, sample_weight=w if weighted else None)
        rec = tree_record(est, X, X_test)
        rec['params'] = params
        rec['weighted'] = weighted
        out['regression'][name] = rec
    for name, params, weighted in cls_cases:
        est = DecisionTreeClassifier(random_state=0, **params).fit(X, y_cls, sample_weight=w if weighted else None)
        rec = tree_record(est, X, X_test)
        rec['params'] = params
        rec['weighted'] = weighted
        out['classification'][name] = rec
    # Small seeded forests on the same data: the same bootstrap samples and feature draws as
    # scikit-learn, so the same predictions. (Deeper regression trees meet float near-ties: two
    # features isolating the same extreme sample, decided by the rounding of scikit-learn's sums.)
    rfr = RandomForestRegressor(n_estimators=10, max_depth=3, min_samples_leaf=3, random_state=0).fit(X, y_reg)
    rfc = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y_cls)
    out['forest'] = {
        'regressor': {'params': {'n_estimators': 10, 'max_depth': 3, 'min_samples_leaf': 3}, 'predict': f64(rfr.predict(X_test)), 'importances': f64(rfr.feature_importances_)},
        'classifier': {'params': {'n_estimators': 10, 'max_depth': 4}, 'proba': f64(rfc.predict_proba(X_test).ravel()), 'importances': f64(rfc.feature_importances_)},
    }
    write_fixture('trees-single.json', out)


def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def forest():
    X, y, names = boston()
    idx = np.arange(len(y))
    train_idx, test_idx = train_test_split(idx, test_size=0.2, random_state=42)
    seeds = [0, 1, 2, 3, 4]
    boston_params = {'n_estimators': 100, 'max_features': 1.0}
    b_rmse = [rmse(RandomForestRegressor(random_state=s, n_jobs=-1, **boston_params).fit(X[train_idx], y[train_idx]).predict(X[test_idx]), y[test_idx]) for s in seeds]
    n_train, n_test = 4000, 1000
    Xs, ys = synthetic_regression(n_train + n_test, 20, 1.0, 3)
    syn_params = {'n_estimators': 30, 'max_features': 1.0, 'min_samples_leaf': 2}
    s_rmse = [rmse(RandomForestRegressor(random_state=s, n_jobs=-1, **syn_params).fit(Xs[:n_train], ys[:n_train]).predict(Xs[n_train:]), ys[n_train:]) for s in seeds]
    write_fixture('trees-forest.json', {
        'boston': {'trainIdx': train_idx.astype(int).tolist(), 'testIdx': test_idx.astype(int).tolist(), 'params': boston_params, 'seeds': seeds, 'rmse': b_rmse, 'meanRmse': float(np.mean(b_rmse))},
        'synthetic': {'nTrain': n_train, 'nTest': n_test, 'nFeatures': 20, 'noise': 1.0, 'seed': 3, 'params': syn_params, 'seeds': seeds, 'rmse': s_rmse, 'meanRmse': float(np.mean(s_rmse))},
    })


if __name__ == '__main__':
    single()
    forest()
