"""Reference values for mlship's preprocessing transformers and ColumnTransformer (scikit-learn 1.2.1).

Writes test/fixtures/sklearn/preprocessing.json:
  data    the inputs: Boston (C-ordered float64, as mlship's Matrix), Boston with missing values,
          and a seeded California-housing-like frame (numeric columns with missing total_bedrooms,
          a string column ocean_proximity with a few missing values) plus a second frame to
          transform (with an unseen category)
  cases   one entry per (transformer, params, input): the learned attributes, the first 40 rows
          of the transform of the test input and get_feature_names_out()

Matrix inputs are C-ordered NumPy arrays (row-major, as mlship's Matrix); frame inputs are pandas
DataFrames (columnar, as mlship's Table), so that sums follow the same order in both libraries.
"""
import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler

from _common import boston, csr, dense, f64, write_fixture

OCEAN = ['<1H OCEAN', 'INLAND', 'NEAR OCEAN', 'NEAR BAY', 'ISLAND']


def housing_frame(n, seed, unseen=False):
    """A California-housing-like frame with the real file's columns and missing total_bedrooms."""
    rng = np.random.RandomState(seed)
    households = rng.randint(50, 2000, n).astype(np.float64)
    rooms = np.round(households * rng.uniform(3, 8, n))
    bedrooms = np.round(rooms * rng.uniform(0.15, 0.25, n))
    bedrooms[rng.rand(n) < 0.08] = np.nan
    p = np.array([0.44, 0.32, 0.13, 0.105, 0.005])
    ocean = rng.choice(OCEAN, n, p=p).astype(object)
    ocean[rng.rand(n) < 0.03] = np.nan
    if unseen:
        ocean[:3] = 'LAKE'
    return pd.DataFrame({
        'longitude': np.round(rng.uniform(-124.3, -114.3, n), 2),
        'latitude': np.round(rng.uniform(32.5, 42, n), 2),
        'housing_median_age': rng.randint(1, 53, n).astype(np.float64),
        'total_rooms': rooms,
        'total_bedrooms': bedrooms,
        'population': np.round(households * rng.uniform(1.5, 4, n)),
        'households': households,
        'median_income': np.round(rng.gamma(4, 1, n), 4),
        'ocean_proximity': ocean,
    })


def frame_json(df):
    cols = []
    for name in df.columns:
        s = df[name]
        if s.dtype == object:
            cols.append({'name': name, 'kind': 'string', 'values': [None if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in s]})
        else:
            cols.append({'name': name, 'kind': 'number', 'values': f64(s.to_numpy(dtype=np.float64))})
    return {'columns': cols}


def out_json(Xt, rows=40):
    """The first `rows` rows of a transform output (enough to compare; keeps the fixture small)."""
    Xt = Xt[:rows]
    if sparse.issparse(Xt):
        return {'csr': csr(Xt)}
    Xt = np.asarray(Xt)
    if Xt.dtype == object:
        return {'objects': [[None if (isinstance(v, float) and np.isnan(v)) else v for v in row] for row in Xt.tolist()]}
    return {'dense': dense(Xt)}


def cat_json(cats):
    out = []
    for c in cats:
        vals = []
        for v in c.tolist():
            if v is None or (isinstance(v, float) and np.isnan(v)):
                vals.append(None)
            else:
                vals.append(v)
        out.append(vals)
    return out


def attr_json(v):
    if v is None:
        return None
    if isinstance(v, (int, np.integer)):
        return int(v)
    return f64(np.asarray(v, dtype=np.float64))


def main():
    X, y, names = boston()
    X = np.ascontiguousarray(X)
    rng = np.random.RandomState(0)
    Xnan = X.copy()
    Xnan[rng.rand(*X.shape) < 0.1] = np.nan
    Xnan[:, 5] = np.where(np.arange(X.shape[0]) < 500, np.nan, Xnan[:, 5])  # rm: almost empty
    Xnan = np.ascontiguousarray(Xnan)
    Xempty = Xnan.copy()
    Xempty[:, 3] = np.nan  # chas: no observed value (the test derives it from bostonNaN)
    train = housing_frame(400, 1)
    test = housing_frame(60, 2, unseen=True)
    num_cols = [c for c in train.columns if c != 'ocean_proximity']
    cases = []

    def add(name, est, params, data, attrs, fit_X, test_X=None, test_data=None, names_out=True):
        est.fit(fit_X)
        Xt = est.transform(fit_X if test_X is None else test_X)
        a = {}
        for k, attr in attrs.items():
            v = getattr(est, attr)
            if attr == 'categories_':
                a[k] = cat_json(v)
            elif attr == 'statistics_' and v.dtype == object:
                a[k] = [None if (isinstance(s, float) and np.isnan(s)) else s for s in v.tolist()]
            elif attr == 'drop_idx_':
                a[k] = None if v is None else [None if d is None else int(d) for d in v]
            else:
                a[k] = attr_json(v)
        cases.append({
            'name': name,
            'estimator': type(est).__name__,
            'params': params,
            'data': data,
            'testData': test_data or data,
            'attrs': a,
            'out': out_json(Xt),
            'featureNamesOut': [str(s) for s in est.get_feature_names_out()] if names_out else None,
        })

    # Scalers on Boston (Matrix) and Boston with NaN.
    for p in [dict(), dict(with_mean=False), dict(with_std=False), dict(with_mean=False, with_std=False)]:
        mp = {'withMean': p.get('with_mean', True), 'withStd': p.get('with_std', True)}
        for data, Xd in [('boston', X), ('bostonNaN', Xnan)]:
            add(f'StandardScaler {mp} {data}', StandardScaler(**p), mp, data, {'mean': 'mean_', 'var': 'var_', 'scale': 'scale_', 'nSamplesSeen': 'n_samples_seen_'}, Xd)
    for p, mp in [(dict(), {}), (dict(feature_range=(-1, 2), clip=True), {'featureRange': [-1, 2], 'clip': True})]:
        for data, Xd in [('boston', X), ('bostonNaN', Xnan)]:
            est = MinMaxScaler(**p).fit(Xd[:400])
            add(f'MinMaxScaler {mp} {data}', MinMaxScaler(**p), mp, data + ':400', {'dataMin': 'data_min_', 'dataMax': 'data_max_', 'scale': 'scale_', 'min': 'min_'}, Xd[:400], Xd, data)
    # Scalers on the housing frame (Table).
    add('StandardScaler housing', StandardScaler(), {}, 'housing:num', {'mean': 'mean_', 'var': 'var_', 'scale': 'scale_', 'nSamplesSeen': 'n_samples_seen_'}, train[num_cols])
    add('MinMaxScaler housing', MinMaxScaler(), {}, 'housing:num', {'dataMin': 'data_min_', 'dataMax': 'data_max_'}, train[num_cols])

    # SimpleImputer.
    for strategy in ['mean', 'median', 'most_frequent', 'constant']:
        for extra, mp in [(dict(), {}), (dict(add_indicator=True), {'addIndicator': True}), (dict(keep_empty_features=True), {'keepEmptyFeatures': True})]:
            ps = dict(strategy=strategy, **extra)
            mps = {'strategy': strategy, **mp}
            add(f'SimpleImputer {mps} bostonEmpty', SimpleImputer(**ps), mps, 'bostonEmpty', {'statistics': 'statistics_'}, Xempty)
        add(f'SimpleImputer {strategy} housing', SimpleImputer(strategy=strategy), {'strategy': strategy}, 'housing:num', {'statistics': 'statistics_'}, train[num_cols], test[num_cols], 'housingTest:num')
    add('SimpleImputer constant -1', SimpleImputer(strategy='constant', fill_value=-1), {'strategy': 'constant', 'fillValue': -1}, 'bostonNaN', {'statistics': 'statistics_'}, Xnan)
    for strategy, extra, mp in [('most_frequent', {}, {}), ('constant', {}, {}), ('constant', dict(fill_value='unknown'), {'fillValue': 'unknown'})]:
        add(f'SimpleImputer {strategy} {mp} ocean', SimpleImputer(strategy=strategy, **extra), {'strategy': strategy, **mp}, 'housing:cat', {'statistics': 'statistics_'}, train[['ocean_proximity']], test[['ocean_proximity']], 'housingTest:cat')

    # OneHotEncoder.
    ohe_variants = [
        (dict(), {}),
        (dict(sparse_output=False), {'sparseOutput': False}),
        (dict(handle_unknown='ignore'), {'handleUnknown': 'ignore'}),
        (dict(drop='first', handle_unknown='ignore'), {'drop': 'first', 'handleUnknown': 'ignore'}),
        (dict(drop='if_binary'), {'drop': 'if_binary'}),
        (dict(min_frequency=20, handle_unknown='infrequent_if_exist'), {'minFrequency': 20, 'handleUnknown': 'infrequent_if_exist'}),
        (dict(max_categories=3), {'maxCategories': 3}),
        (dict(min_frequency=0.1, drop='first'), {'minFrequency': 0.1, 'drop': 'first'}),
    ]
    for p, mp in ohe_variants:
        unknown_ok = p.get('handle_unknown') in ('ignore', 'infrequent_if_exist')
        add(f'OneHotEncoder {mp} ocean', OneHotEncoder(**p), mp, 'housing:cat', {'categories': 'categories_', 'dropIdx': 'drop_idx_'}, train[['ocean_proximity']],
            test[['ocean_proximity']] if unknown_ok else None, 'housingTest:cat' if unknown_ok else None)
    bcat = X[:, [3, 8]]  # chas, rad
    add('OneHotEncoder boston chas rad', OneHotEncoder(), {}, 'boston:chas,rad', {'categories': 'categories_'}, np.ascontiguousarray(bcat))
    add('OneHotEncoder boston if_binary', OneHotEncoder(drop='if_binary', sparse_output=False), {'drop': 'if_binary', 'sparseOutput': False}, 'boston:chas,rad', {'categories': 'categories_', 'dropIdx': 'drop_idx_'}, np.ascontiguousarray(bcat))

    # OrdinalEncoder.
    add('OrdinalEncoder ocean', OrdinalEncoder(), {}, 'housing:cat', {'categories': 'categories_'}, train[['ocean_proximity']])
    add('OrdinalEncoder ocean unknown', OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1, encoded_missing_value=-2),
        {'handleUnknown': 'use_encoded_value', 'unknownValue': -1, 'encodedMissingValue': -2}, 'housing:cat', {'categories': 'categories_'}, train[['ocean_proximity']], test[['ocean_proximity']], 'housingTest:cat')
    add('OrdinalEncoder boston', OrdinalEncoder(), {}, 'boston:chas,rad', {'categories': 'categories_'}, np.ascontiguousarray(bcat))

    # ColumnTransformer on the housing frame: the reference workload's preprocessing.
    def housing_ct(sparse_threshold=0.3, ohe_sparse=True):
        num = Pipeline([('impute', SimpleImputer(strategy='median')), ('scale', StandardScaler())])
        cat = Pipeline([('impute', SimpleImputer(strategy='most_frequent')), ('onehot', OneHotEncoder(handle_unknown='ignore', sparse_output=ohe_sparse))])
        return ColumnTransformer([('num', num, num_cols), ('cat', cat, ['ocean_proximity'])], sparse_threshold=sparse_threshold)

    cts = []
    for label, ct in [('housing dense', housing_ct(ohe_sparse=False)), ('housing sparse', housing_ct(sparse_threshold=0.9)), ('housing default', housing_ct())]:
        ct.fit(train)
        cts.append({'name': label, 'data': 'housing', 'testData': 'housingTest', 'out': out_json(ct.transform(test)), 'featureNamesOut': [str(s) for s in ct.get_feature_names_out()]})
    # With a ratio feature, a selector and remainder passthrough.
    ratio = FunctionTransformer(lambda df: df.assign(rooms_per_household=df['total_rooms'] / df['households']), feature_names_out=lambda t, names: list(names) + ['rooms_per_household'])
    ct = ColumnTransformer([
        ('ratios', Pipeline([('ratio', ratio), ('impute', SimpleImputer(strategy='mean')), ('scale', MinMaxScaler())]), ['total_rooms', 'households', 'total_bedrooms']),
        ('cat', OneHotEncoder(handle_unknown='ignore', sparse_output=False), make_column_selector(dtype_include=object)),
    ], remainder='passthrough')
    ct.fit(train)
    cts.append({'name': 'housing ratios', 'data': 'housing', 'testData': 'housingTest', 'out': out_json(ct.transform(test)), 'featureNamesOut': [str(s) for s in ct.get_feature_names_out()]})
    # Boston: scale some columns, one-hot chas and rad, pass the rest through.
    bdf = pd.DataFrame(X, columns=names)
    ct = ColumnTransformer([('scale', StandardScaler(), ['crim', 'rm', 'lstat']), ('onehot', OneHotEncoder(sparse_output=False), ['chas', 'rad'])], remainder='passthrough')
    ct.fit(bdf)
    cts.append({'name': 'boston', 'data': 'bostonTable', 'testData': 'bostonTable', 'out': out_json(ct.transform(bdf)), 'featureNamesOut': [str(s) for s in ct.get_feature_names_out()]})
    ct = ColumnTransformer([('scale', StandardScaler(), [0, 5, 12]), ('onehot', OneHotEncoder(sparse_output=False), [3, 8])], remainder='drop')
    ct.fit(X)
    cts.append({'name': 'boston matrix', 'data': 'boston', 'testData': 'boston', 'out': out_json(ct.transform(X)), 'featureNamesOut': [str(s) for s in ct.get_feature_names_out()]})

    write_fixture('preprocessing.json', {
        'sklearn': __import__('sklearn').__version__,
        'data': {
            'boston': dense(X),
            'bostonNames': names,
            'bostonNaN': dense(Xnan),
            'housing': frame_json(train),
            'housingTest': frame_json(test),
        },
        'cases': cases,
        'columnTransformers': cts,
    })


if __name__ == '__main__':
    main()
