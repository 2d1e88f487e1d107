// Every tabular estimator saves as a model package and loads back predicting identically: the
// binary encoding (not only the in-memory snapshot that checkEstimator round-trips).
import { describe, expect, it } from 'vitest';
import { Matrix, Table } from '../core/index.js';
import {
  ColumnTransformer,
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  ElasticNet,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  KNeighborsClassifier,
  KNeighborsRegressor,
  Lasso,
  LinearRegression,
  LogisticRegression,
  MinMaxScaler,
  OneHotEncoder,
  OrdinalEncoder,
  Pipeline,
  RandomForestClassifier,
  RandomForestRegressor,
  Ridge,
  SimpleImputer,
  StandardScaler,
  makeSyntheticRegression,
  type BaseEstimator,
} from '../learn/index.js';
import { decodeModel, encodeModel, tableSignature } from './index.js';

const { X, y } = makeSyntheticRegression({ nSamples: 300, nFeatures: 10, seed: 5 });
const labels = Array.from(y, (v) => (v > 15 ? 'high' : 'low'));
const table = Table.fromArrays({
  a: Array.from({ length: 300 }, (_, i) => (i % 17 === 0 ? null : X.get(i, 0))),
  b: Array.from({ length: 300 }, (_, i) => X.get(i, 1)),
  city: Array.from({ length: 300 }, (_, i) => (i % 23 === 0 ? null : ['Oslo', 'Bergen', 'Tromsø'][i % 3]!)),
});

function outputs(est: BaseEstimator<any>, x: unknown): unknown[] {
  const e = est as any;
  return ['predict', 'predictProba', 'transform'].filter((m) => typeof e[m] === 'function' && (typeof e.canCall !== 'function' || e.canCall(m))).map((m) => {
    const v = e[m](x);
    return v instanceof Matrix ? Array.from(v.data) : ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v?.data ? Array.from(v.data) : v;
  });
}

const cases: [string, () => BaseEstimator<any>, unknown, unknown][] = [
  ['LinearRegression', () => new LinearRegression(), X, y],
  ['Ridge', () => new Ridge({ alpha: 0.5 }), X, y],
  ['Lasso', () => new Lasso({ alpha: 0.05 }), X, y],
  ['ElasticNet', () => new ElasticNet({ alpha: 0.05, l1Ratio: 0.3 }), X, y],
  ['LogisticRegression (dense)', () => new LogisticRegression(), X, labels],
  ['KNeighborsRegressor', () => new KNeighborsRegressor({ weights: 'distance' }), X, y],
  ['KNeighborsClassifier', () => new KNeighborsClassifier(), X, labels],
  ['DecisionTreeRegressor', () => new DecisionTreeRegressor({ maxDepth: 6 }), X, y],
  ['DecisionTreeClassifier', () => new DecisionTreeClassifier({ criterion: 'entropy' }), X, labels],
  ['RandomForestRegressor', () => new RandomForestRegressor({ nEstimators: 8, randomState: 1 }), X, y],
  ['RandomForestClassifier', () => new RandomForestClassifier({ nEstimators: 8, randomState: 1 }), X, labels],
  ['HistGradientBoostingRegressor', () => new HistGradientBoostingRegressor({ maxIter: 20 }), X, y],
  ['HistGradientBoostingClassifier', () => new HistGradientBoostingClassifier({ maxIter: 20 }), X, labels],
  ['StandardScaler', () => new StandardScaler(), X, undefined],
  ['MinMaxScaler', () => new MinMaxScaler({ featureRange: [-1, 1] }), X, undefined],
  ['SimpleImputer on a Table', () => new SimpleImputer({ strategy: 'most_frequent' }), table, undefined],
  ['OneHotEncoder on a Table', () => new OneHotEncoder({ handleUnknown: 'ignore' }), table.select(['city']), undefined],
  ['OrdinalEncoder on a Table', () => new OrdinalEncoder({ handleUnknown: 'use_encoded_value', unknownValue: -1 }), table.select(['city']), undefined],
  [
    'Pipeline(ColumnTransformer, HistGradientBoostingRegressor) on a Table',
    () =>
      new Pipeline([
        [
          'prep',
          new ColumnTransformer([
            ['num', new Pipeline([['impute', new SimpleImputer({ strategy: 'median' })], ['scale', new StandardScaler()]]), ['a', 'b']],
            ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), ['city']],
          ]),
        ],
        ['model', new HistGradientBoostingRegressor({ maxIter: 15 })],
      ]),
    table,
    y,
  ],
];

describe('tabular estimators round trip through the model package format', () => {
  for (const [name, make, x, target] of cases) {
    it(name, () => {
      const est = (make() as any).fit(x, target) as BaseEstimator<any>;
      const bytes = encodeModel(est, x instanceof Table && target !== undefined ? { signature: tableSignature(x, { task: 'regression' }) } : {});
      const { estimator, metadata } = decodeModel(bytes);
      expect(metadata.estimator).toBe(est.estimatorName);
      expect(estimator.isFitted).toBe(true);
      expect(outputs(estimator, x)).toEqual(outputs(est, x));
    });
  }
});
