import { describe, expect, it } from 'vitest';
import { CsrMatrix, Table } from '../../core/index.js';
import type { BaseEstimator } from '../base.js';
import { ColumnTransformer, Pipeline, makeColumnSelector } from '../compose/index.js';
import { CountVectorizer, HashingVectorizer, TfidfTransformer, TfidfVectorizer } from '../feature-extraction/index.js';
import { ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge } from '../linear-model/index.js';
import { KNeighborsClassifier, KNeighborsRegressor } from '../neighbors/index.js';
import { DecisionTreeClassifier, DecisionTreeRegressor } from '../tree/index.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor } from '../ensemble/index.js';
import { makeSyntheticRegression } from './synthetic.js';
import { GridSearchCV, RandomizedSearchCV } from '../model-selection/index.js';
import { BernoulliNB, ComplementNB, MultinomialNB } from '../naive-bayes/index.js';
import { FunctionTransformer, MinMaxScaler, OneHotEncoder, OrdinalEncoder, SimpleImputer, StandardScaler } from '../preprocessing/index.js';
import { checkEstimator, type CheckEstimatorOptions } from './index.js';
import { spamCorpus } from './fixtures/spam-corpus.js';

// Small real data: 1 in 60 emails of the built-in corpus (~100 documents, both classes).
const { docs, labels } = spamCorpus(60);
const counts = new CountVectorizer({ minDf: 2 }).fitTransform(docs) as CsrMatrix;

const text = (extra: Partial<CheckEstimatorOptions> = {}): CheckEstimatorOptions => ({ X: docs, y: labels, ...extra });
const numeric = (extra: Partial<CheckEstimatorOptions> = {}): CheckEstimatorOptions => ({ X: counts, y: labels, ...extra });
// Dense regression data: a seeded synthetic 120 x 10 matrix; classes split y at 15.
const reg = makeSyntheticRegression({ nSamples: 120, nFeatures: 10, seed: 3 });
const regression = (extra: Partial<CheckEstimatorOptions> = {}): CheckEstimatorOptions => ({ X: reg.X, y: Array.from(reg.y), ...extra });
const denseClasses = (extra: Partial<CheckEstimatorOptions> = {}): CheckEstimatorOptions => ({ X: reg.X, y: Array.from(reg.y, (v) => (v > 15 ? 'high' : 'low')), ...extra });
// A housing-like Table from the same rows: numeric columns (one with missing values), a category
// column with a missing value and a string column.
const OCEAN = ['<1H OCEAN', 'INLAND', 'NEAR BAY', 'NEAR OCEAN'];
const housing = Table.fromArrays(
  {
    total_rooms: Array.from({ length: reg.X.rows }, (_, i) => Math.round(1000 + 4000 * reg.X.get(i, 0))),
    total_bedrooms: Array.from({ length: reg.X.rows }, (_, i) => (i % 9 === 4 ? null : Math.round(200 + 800 * reg.X.get(i, 1)))),
    households: Array.from({ length: reg.X.rows }, (_, i) => Math.round(100 + 900 * reg.X.get(i, 2))),
    median_income: Array.from({ length: reg.X.rows }, (_, i) => 1 + 8 * reg.X.get(i, 3)),
    ocean_proximity: Array.from({ length: reg.X.rows }, (_, i) => (i === 7 ? null : OCEAN[Math.floor(reg.X.get(i, 4) * 4)]!)),
    city: Array.from({ length: reg.X.rows }, (_, i) => (reg.X.get(i, 5) > 0.5 ? 'north' : 'south')),
  },
  { kinds: { ocean_proximity: 'category' } },
);
const housingNumeric = housing.select(['total_rooms', 'households', 'median_income']);
const housingCategorical = housing.select(['ocean_proximity', 'city']);
const NAN_BY_DESIGN = 'accepts missing values by design (NaN / null), as scikit-learn';
const BY_NAME = 'selects Table columns by name: an extra column is ignored, as scikit-learn';
const housingPrep = (): ColumnTransformer =>
  new ColumnTransformer([
    ['num', new Pipeline([['impute', new SimpleImputer({ strategy: 'median' })], ['scale', new StandardScaler()]]), makeColumnSelector({ dtypeInclude: 'numeric' })],
    ['cat', new Pipeline([['impute', new SimpleImputer({ strategy: 'most_frequent' })], ['onehot', new OneHotEncoder({ handleUnknown: 'ignore' })]]), makeColumnSelector({ dtypeInclude: 'text' })],
  ]);
const tabular = (X: unknown, extra: Partial<CheckEstimatorOptions> = {}): CheckEstimatorOptions => ({ X, ...extra });

const cases: [string, () => BaseEstimator<any>, CheckEstimatorOptions][] = [
  ['CountVectorizer', () => new CountVectorizer(), text()],
  ['TfidfVectorizer', () => new TfidfVectorizer({ ngramRange: [1, 2], sublinearTf: true }), text()],
  ['HashingVectorizer', () => new HashingVectorizer({ nFeatures: 2 ** 10 }), text({ skip: { emptyInput: 'stateless: fit learns nothing, so 0 documents is valid (as scikit-learn)' } })],
  ['TfidfTransformer', () => new TfidfTransformer(), numeric()],
  ['MultinomialNB', () => new MultinomialNB({ alpha: 0.5 }), numeric()],
  ['ComplementNB', () => new ComplementNB(), numeric()],
  ['BernoulliNB', () => new BernoulliNB(), numeric()],
  ['LogisticRegression', () => new LogisticRegression({ C: 10 }), numeric()],
  ['LinearRegression', () => new LinearRegression(), regression()],
  ['Ridge', () => new Ridge({ alpha: 0.5 }), regression()],
  ['Lasso', () => new Lasso({ alpha: 0.01 }), regression()],
  ['ElasticNet', () => new ElasticNet({ alpha: 0.01, l1Ratio: 0.3, selection: 'random', randomState: 0 }), regression()],
  ['KNeighborsRegressor', () => new KNeighborsRegressor({ weights: 'distance' }), regression()],
  ['KNeighborsClassifier', () => new KNeighborsClassifier({ nNeighbors: 3 }), denseClasses()],
  ['DecisionTreeRegressor', () => new DecisionTreeRegressor({ maxDepth: 6, randomState: 0 }), regression()],
  ['DecisionTreeClassifier', () => new DecisionTreeClassifier({ criterion: 'entropy', maxLeafNodes: 12, randomState: 0 }), denseClasses()],
  ['DecisionTreeClassifier', () => new DecisionTreeClassifier({ maxFeatures: 'sqrt', randomState: 0 }), numeric()],
  ['RandomForestRegressor', () => new RandomForestRegressor({ nEstimators: 10, oobScore: true, randomState: 0 }), regression()],
  ['RandomForestClassifier', () => new RandomForestClassifier({ nEstimators: 10, randomState: 0 }), denseClasses()],
  ['HistGradientBoostingRegressor', () => new HistGradientBoostingRegressor({ maxIter: 20 }), regression({ skip: { nanInput: 'NaN is handled natively (missing values), as scikit-learn' } })],
  ['HistGradientBoostingClassifier', () => new HistGradientBoostingClassifier({ maxIter: 20, earlyStopping: true, randomState: 0 }), denseClasses({ skip: { nanInput: 'NaN is handled natively (missing values), as scikit-learn' } })],
  ['SimpleImputer', () => new SimpleImputer({ strategy: 'median', addIndicator: true }), regression({ skip: { nanInput: NAN_BY_DESIGN } })],
  ['SimpleImputer', () => new SimpleImputer({ strategy: 'most_frequent' }), tabular(housing, { skip: { nanInput: NAN_BY_DESIGN } })],
  ['StandardScaler', () => new StandardScaler(), regression({ skip: { nanInput: NAN_BY_DESIGN } })],
  ['StandardScaler', () => new StandardScaler({ withMean: false }), numeric({ skip: { nanInput: NAN_BY_DESIGN } })],
  ['StandardScaler', () => new StandardScaler(), tabular(housingNumeric, { skip: { nanInput: NAN_BY_DESIGN } })],
  ['MinMaxScaler', () => new MinMaxScaler({ featureRange: [-1, 1] }), regression({ skip: { nanInput: NAN_BY_DESIGN } })],
  ['OneHotEncoder', () => new OneHotEncoder({ handleUnknown: 'ignore' }), tabular(housingCategorical, { skip: { nanInput: NAN_BY_DESIGN } })],
  ['OrdinalEncoder', () => new OrdinalEncoder(), tabular(housingCategorical, { skip: { nanInput: NAN_BY_DESIGN } })],
  ['FunctionTransformer', () => new FunctionTransformer({ validate: true }), regression()],
  [
    'FunctionTransformer',
    () => new FunctionTransformer({ func: 'columnRatios', kwArgs: { ratios: { rooms_per_household: ['total_rooms', 'households'] } } }),
    tabular(housing, {
      skip: {
        nanInput: 'validate false: the function gets X as it is (missing values included), as scikit-learn',
        emptyInput: 'validate false: fit learns nothing, so 0 rows is valid, as scikit-learn',
        nFeaturesMismatch: 'validate false: X is not checked at transform, as scikit-learn',
      },
    }),
  ],
  ['ColumnTransformer', housingPrep, tabular(housing, { skip: { nanInput: NAN_BY_DESIGN, nFeaturesMismatch: BY_NAME } })],
  ['ColumnTransformer', () => new ColumnTransformer([['scale', new StandardScaler(), [0, 1, 2]]], { remainder: new MinMaxScaler() }), regression({ skip: { nanInput: NAN_BY_DESIGN } })],
  ['Pipeline', () => new Pipeline([['prep', housingPrep()], ['reg', new Ridge({ alpha: 1 })]]), tabular(housing, { y: Array.from(reg.y), skip: { nanInput: NAN_BY_DESIGN, nFeaturesMismatch: BY_NAME } })],
  ['Pipeline', () => new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]), text()],
  ['GridSearchCV', () => new GridSearchCV(new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new ComplementNB()]]), { 'clf.alpha': [0.1, 1] }, { cv: 2 }), text()],
  [
    'RandomizedSearchCV',
    () => new RandomizedSearchCV(new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]), { 'clf.alpha': [0.01, 0.1, 1], 'tfidf.norm': ['l1', 'l2'] }, { cv: 2, nIter: 3, randomState: 0 }),
    text(),
  ],
];

describe('checkEstimator on every registered estimator', () => {
  for (const [name, make, opts] of cases) {
    it(`${name} passes the conformance suite`, () => {
      const report = checkEstimator(make(), opts);
      expect(report.estimator).toBe(name);
      // The failures are listed by name so that a failing estimator's owner sees what to fix.
      expect(report.failures.map((f) => `${f.check}: ${f.message}`)).toEqual([]);
      expect(report.results.filter((r) => r.status === 'passed').length).toBeGreaterThanOrEqual(6);
    });
  }
});
