import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/support/errors.js';
import { CsrMatrix, Matrix, Table } from '../../core/index.js';
import { BaseEstimator } from '../base.js';
import { LinearRegression, Ridge } from '../linear-model/index.js';
import { GridSearchCV, crossValScore, trainTestSplit } from '../model-selection/index.js';
import { MinMaxScaler, OneHotEncoder, SimpleImputer, StandardScaler } from '../preprocessing/index.js';
import { ColumnTransformer, Pipeline, makeColumnSelector, makeColumnTransformer } from './index.js';

// A seeded housing-like table: rooms, bedrooms (missing every 7th row), households, income and
// a category column; the target depends on income, rooms per household and the category.
const N = 120;
const OCEAN = ['<1H OCEAN', 'INLAND', 'NEAR BAY'];
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const rand = lcg(7);
const rooms = Array.from({ length: N }, () => Math.round(800 + 4000 * rand()));
const households = Array.from({ length: N }, () => Math.round(100 + 800 * rand()));
const income = Array.from({ length: N }, () => 1 + 8 * rand());
const ocean = Array.from({ length: N }, (_, i) => (i === 11 ? null : OCEAN[Math.floor(rand() * 3)]!));
const housing = Table.fromArrays(
  {
    total_rooms: rooms,
    total_bedrooms: rooms.map((r, i) => (i % 7 === 3 ? null : Math.round(r * 0.2))),
    households,
    median_income: income,
    ocean_proximity: ocean,
  },
  { kinds: { ocean_proximity: 'category' } },
);
const y = income.map((v, i) => 40 * v + 3 * (rooms[i]! / households[i]!) + (ocean[i] === 'INLAND' ? -50 : 20) + 5 * rand());

const prep = (): ColumnTransformer =>
  new ColumnTransformer([
    [
      'num',
      new Pipeline([
        ['impute', new SimpleImputer({ strategy: 'median' })],
        ['scale', new StandardScaler()],
      ]),
      makeColumnSelector({ dtypeInclude: 'numeric' }),
    ],
    [
      'cat',
      new Pipeline([
        ['impute', new SimpleImputer({ strategy: 'most_frequent' })],
        ['onehot', new OneHotEncoder({ handleUnknown: 'ignore' })],
      ]),
      ['ocean_proximity'],
    ],
  ]);

describe('ColumnTransformer', () => {
  it('transforms numeric and categorical columns of a Table and names the outputs', () => {
    const ct = prep().fit(housing);
    const out = ct.transform(housing);
    expect(out).toBeInstanceOf(Matrix); // density 7/12 > sparseThreshold 0.3
    expect((out as Matrix).cols).toBe(7);
    expect(ct.getFeatureNamesOut()).toEqual([
      'num__total_rooms',
      'num__total_bedrooms',
      'num__households',
      'num__median_income',
      'cat__ocean_proximity_<1H OCEAN',
      'cat__ocean_proximity_INLAND',
      'cat__ocean_proximity_NEAR BAY',
    ]);
    expect(ct.outputIndices_).toEqual({ num: [0, 4], cat: [4, 7] });
    expect(Object.keys(ct.namedTransformers_!)).toEqual(['num', 'cat']);
    expect(ct.transformers_![0]![2]).toEqual(['total_rooms', 'total_bedrooms', 'households', 'median_income']);
    // The given transformers stay unfitted; transformers_ holds fitted clones.
    expect((ct.getParams(false).transformers as any)[0][1].isFitted).toBe(false);
  });

  it('matches Table columns by name at transform (order and extra columns do not matter)', () => {
    const ct = prep().fit(housing);
    const shuffled = housing.select(['ocean_proximity', 'median_income', 'households', 'total_bedrooms', 'total_rooms']);
    expect(Array.from((ct.transform(shuffled) as Matrix).data)).toEqual(Array.from((ct.transform(housing) as Matrix).data));
    expect(codeOf(() => ct.transform(housing.drop(['households'])))).toMatch(/^SCHEMA_MISMATCH: .*columns are missing: households/);
  });

  it('passes the remainder through, drops, or gives it to a transformer', () => {
    const base: [string, any, any][] = [['scale', new StandardScaler(), ['median_income']]];
    const t = housing.select(['median_income', 'households', 'total_rooms']);
    const pass = new ColumnTransformer(base, { remainder: 'passthrough' }).fit(t);
    expect(pass.getFeatureNamesOut()).toEqual(['scale__median_income', 'remainder__households', 'remainder__total_rooms']);
    expect((pass.transform(t) as Matrix).get(0, 2)).toBe(rooms[0]);
    const drop = new ColumnTransformer(base).fit(t);
    expect((drop.transform(t) as Matrix).cols).toBe(1);
    const scaled = new ColumnTransformer(base, { remainder: new MinMaxScaler(), verboseFeatureNamesOut: false }).fit(t);
    expect(scaled.getFeatureNamesOut()).toEqual(['median_income', 'households', 'total_rooms']);
    const m = scaled.transform(t) as Matrix;
    expect(Math.max(...m.col(2))).toBe(1);
  });

  it('returns a Table when a passthrough column is text, and CSR below the sparse threshold', () => {
    const ct = new ColumnTransformer([['scale', new StandardScaler(), ['median_income']], ['keep', 'passthrough', ['ocean_proximity']]]).fit(housing);
    const out = ct.transform(housing) as Table;
    expect(out).toBeInstanceOf(Table);
    expect(out.columnNames).toEqual(['scale__median_income', 'keep__ocean_proximity']);
    const sparse = new ColumnTransformer([['onehot', new OneHotEncoder(), ['ocean_proximity']]], { sparseThreshold: 0.5 }).fit(housing);
    expect(sparse.transform(housing)).toBeInstanceOf(CsrMatrix);
    expect(sparse.sparseOutput_).toBe(true);
  });

  it('works on a Matrix with indices and boolean masks', () => {
    const X = housing.select(['total_rooms', 'households', 'median_income']).toMatrix();
    const ct = makeColumnTransformer([new StandardScaler(), [0, -1]], [new MinMaxScaler(), [false, true, false]]).fit(X);
    expect(ct.getFeatureNamesOut()).toEqual(['standardscaler__x0', 'standardscaler__x2', 'minmaxscaler__x1']);
    expect(codeOf(() => ct.transform(new Matrix(2, 4)))).toMatch(/^SHAPE_MISMATCH/);
    expect(codeOf(() => new ColumnTransformer([['s', new StandardScaler(), ['rooms']]]).fit(X))).toMatch(/by name, but X is a Matrix/);
  });

  it('exposes nested params and replaces transformers by name', () => {
    const ct = prep();
    expect(ct.getParams()['num.impute.strategy']).toBe('median');
    ct.setParams({ 'num.impute.strategy': 'mean', 'cat.onehot.handleUnknown': 'error' });
    expect(ct.getParams()['num.impute.strategy']).toBe('mean');
    ct.setParams({ cat: 'drop' });
    expect(ct.fit(housing).getFeatureNamesOut()).toHaveLength(4);
    expect(codeOf(() => ct.setParams({ 'nope.x': 1 }))).toMatch(/'nope' is not a nested estimator/);
  });

  it('round-trips through a snapshot', () => {
    const ct = prep().fit(housing);
    const back = BaseEstimator.fromSnapshot(ct.toSnapshot()) as ColumnTransformer;
    expect(Array.from((back.transform(housing) as Matrix).data)).toEqual(Array.from((ct.transform(housing) as Matrix).data));
    expect(back.getFeatureNamesOut()).toEqual(ct.getFeatureNamesOut());
  });
});

describe('ColumnTransformer with Pipeline, crossValScore and GridSearchCV on a Table', () => {
  it('fits a regression pipeline and sets nested params through it', () => {
    const pipe = new Pipeline([['prep', prep()], ['reg', new LinearRegression()]]);
    pipe.setParams({ 'prep.num.impute.strategy': 'mean' });
    expect((pipe.namedSteps.prep as ColumnTransformer).getParams()['num.impute.strategy']).toBe('mean');
    pipe.fit(housing, y);
    expect(pipe.score(housing, y)).toBeGreaterThan(0.95);
    expect(pipe.predict(housing.takeRows([0, 1]))).toHaveLength(2);
  });

  it('splits a Table X with trainTestSplit', () => {
    const [xTrain, xTest, yTrain, yTest] = trainTestSplit(housing, y, { testSize: 0.25, randomState: 0 }) as [Table, Table, number[], number[]];
    expect(xTrain).toBeInstanceOf(Table);
    expect([xTrain.numRows, xTest.numRows, yTrain.length, yTest.length]).toEqual([90, 30, 90, 30]);
    const pipe = new Pipeline([['prep', prep()], ['reg', new LinearRegression()]]).fit(xTrain, yTrain);
    expect(pipe.score(xTest, yTest)).toBeGreaterThan(0.9);
  });

  it('cross-validates with a Table X', () => {
    const scores = crossValScore(new Pipeline([['prep', prep()], ['reg', new Ridge({ alpha: 1 })]]), housing, y, { cv: 3 });
    expect(scores).toHaveLength(3);
    for (const s of scores) expect(s).toBeGreaterThan(0.9);
  });

  it('searches nested ColumnTransformer params, in process and on worker threads', () => {
    const grid = { 'prep.num.impute.strategy': ['mean', 'median'], 'prep.cat': ['drop', new OneHotEncoder({ handleUnknown: 'ignore' })], 'reg.alpha': [0.1, 10] };
    const search = new GridSearchCV(new Pipeline([['prep', prep()], ['reg', new Ridge()]]), grid, { cv: 3 }).fit(housing, y);
    expect(search.cvResults_!.params).toHaveLength(8);
    expect(search.bestParams_!['prep.cat']).not.toBe('drop');
    const onWorkers = new GridSearchCV(new Pipeline([['prep', prep()], ['reg', new Ridge()]]), grid, { cv: 3, nJobs: 2 }).fit(housing, y);
    expect(Array.from(onWorkers.cvResults_!.meanTestScore as Float64Array)).toEqual(Array.from(search.cvResults_!.meanTestScore as Float64Array));
    expect(onWorkers.predict(housing.takeRows([0, 1, 2]))).toHaveLength(3);
  }, 30_000);
});
