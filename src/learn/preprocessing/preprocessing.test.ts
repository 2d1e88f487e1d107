import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/support/errors.js';
import { CategoryColumn, CsrMatrix, Matrix, StringColumn, Table } from '../../core/index.js';
import { BaseEstimator, registerFunction } from '../base.js';
import { Pipeline } from '../compose/index.js';
import { FunctionTransformer, MinMaxScaler, OneHotEncoder, OrdinalEncoder, SimpleImputer, StandardScaler, columnRatios, dateParts } from './index.js';

const housing = Table.fromArrays(
  {
    total_rooms: [880, 7099, 1467, 1274, 1627],
    total_bedrooms: [129, 1106, null, 235, 280],
    households: [126, 1138, 177, 219, 259],
    ocean_proximity: ['NEAR BAY', 'NEAR BAY', null, 'INLAND', 'NEAR BAY'],
  },
  { kinds: { ocean_proximity: 'category' } },
);

describe('StandardScaler', () => {
  it('standardizes with the population deviation and keeps NaN', () => {
    const sc = new StandardScaler().fit([[0, 1], [2, Number.NaN], [4, 3]]);
    expect(Array.from(sc.mean_!)).toEqual([2, 2]);
    expect(Array.from(sc.var_!)).toEqual([8 / 3, 1]);
    expect(sc.nSamplesSeen_).toEqual(Float64Array.of(3, 2));
    const out = sc.transform([[2, Number.NaN]]);
    expect(out).toBeInstanceOf(Matrix);
    expect(Array.from((out as Matrix).data)).toEqual([0, Number.NaN]);
  });

  it('gives constant features scale 1', () => {
    const sc = new StandardScaler().fit([[5], [5], [5]]);
    expect(Array.from(sc.scale_!)).toEqual([1]);
    expect(Array.from((sc.transform([[5]]) as Matrix).data)).toEqual([0]);
  });

  it('scales a CsrMatrix without centering and refuses to center it', () => {
    const X = CsrMatrix.fromDense(Matrix.fromRows([[0, 2], [3, 0], [0, 4]]));
    expect(codeOf(() => new StandardScaler().fit(X))).toMatch(/^INVALID_ARGUMENT: .*withMean: false/);
    const out = new StandardScaler({ withMean: false }).fit(X).transform(X);
    expect(out).toBeInstanceOf(CsrMatrix);
    expect((out as CsrMatrix).nnz).toBe(3);
  });

  it('names the string column of a Table', () => {
    expect(codeOf(() => new StandardScaler().fit(housing))).toMatch(/^INVALID_ARGUMENT: StandardScaler.fit: column 'ocean_proximity' is a category column, not numeric/);
  });

  it('checks feature names at transform', () => {
    const sc = new StandardScaler().fit(housing.select(['total_rooms', 'households']));
    expect(sc.featureNamesIn_).toEqual(['total_rooms', 'households']);
    expect(codeOf(() => sc.transform(housing.select(['households', 'total_rooms'])))).toMatch(/^SCHEMA_MISMATCH: .*column 0 is 'households', expected 'total_rooms'/);
    expect(sc.getFeatureNamesOut()).toEqual(['total_rooms', 'households']);
  });

  it('rejects infinity', () => {
    expect(codeOf(() => new StandardScaler().fit([[1], [Infinity]]))).toMatch(/^INVALID_ARGUMENT: .*infinity at row 1/);
  });
});

describe('MinMaxScaler', () => {
  it('scales to the range and clips', () => {
    const sc = new MinMaxScaler({ featureRange: [-1, 1], clip: true }).fit([[0], [10]]);
    expect(Array.from((sc.transform([[5], [20]]) as Matrix).data)).toEqual([0, 1]);
    expect(Array.from(sc.inverseTransform([[0]]).data)).toEqual([5]);
    expect(codeOf(() => new MinMaxScaler({ featureRange: [1, 0] }).fit([[1]]))).toMatch(/featureRange \[1,0\]/);
  });
});

describe('SimpleImputer', () => {
  it('imputes numbers with mean, median, most_frequent and constant', () => {
    const X = [[1, Number.NaN], [2, 4], [2, 8], [Number.NaN, 8]];
    expect(new SimpleImputer().fit(X).statistics_).toEqual([5 / 3, 20 / 3]);
    expect(new SimpleImputer({ strategy: 'median' }).fit(X).statistics_).toEqual([2, 8]);
    expect(new SimpleImputer({ strategy: 'most_frequent' }).fit(X).statistics_).toEqual([2, 8]);
    const out = new SimpleImputer({ strategy: 'constant', fillValue: -1, addIndicator: true }).fitTransform(X) as Matrix;
    expect(out.toArray()).toEqual([[1, -1, 0, 1], [2, 4, 0, 0], [2, 8, 0, 0], [-1, 8, 1, 0]]);
  });

  it('drops features with no observed value unless keepEmptyFeatures', () => {
    const X = [[1, Number.NaN], [3, Number.NaN]];
    const imp = new SimpleImputer().fit(X);
    expect((imp.transform(X) as Matrix).cols).toBe(1);
    expect(imp.getFeatureNamesOut()).toEqual(['x0']);
    expect((new SimpleImputer({ keepEmptyFeatures: true }).fitTransform(X) as Matrix).toArray()).toEqual([[1, 0], [3, 0]]);
  });

  it('returns a Table with the categories kept when a Table has text columns', () => {
    const imp = new SimpleImputer({ strategy: 'most_frequent', addIndicator: true }).fit(housing);
    expect(imp.statistics_).toEqual([880, 129, 126, 'NEAR BAY']);
    const out = imp.transform(housing) as Table;
    expect(out).toBeInstanceOf(Table);
    expect(out.columnNames).toEqual(['total_rooms', 'total_bedrooms', 'households', 'ocean_proximity', 'missingindicator_total_bedrooms', 'missingindicator_ocean_proximity']);
    expect(out.column('ocean_proximity')).toBeInstanceOf(CategoryColumn);
    expect(out.get(2, 'ocean_proximity')).toBe('NEAR BAY');
    expect(out.get(2, 'total_bedrooms')).toBe(129);
    expect(out.get(2, 'missingindicator_ocean_proximity')).toBe(1);
  });

  it('fills strings with a constant and refuses mean on strings, naming the column', () => {
    const t = Table.fromArrays({ city: ['Oslo', null] });
    const out = new SimpleImputer({ strategy: 'constant' }).fitTransform(t) as Table;
    expect(out.column('city')).toBeInstanceOf(StringColumn);
    expect(out.get(1, 'city')).toBe('missing_value');
    expect(codeOf(() => new SimpleImputer().fit(t))).toMatch(/^INVALID_ARGUMENT: .*mean strategy with non-numeric data: column 'city'/);
  });

  it('matches a custom missing value', () => {
    const out = new SimpleImputer({ missingValues: -1, strategy: 'median' }).fitTransform([[-1], [2], [4]]) as Matrix;
    expect(Array.from(out.data)).toEqual([3, 2, 4]);
  });
});

describe('OneHotEncoder', () => {
  it('encodes strings and numbers with sklearn feature names', () => {
    const enc = new OneHotEncoder({ sparseOutput: false, handleUnknown: 'ignore' }).fit([['Oslo', 1], ['Bergen', 3], ['Oslo', 2]]);
    expect(enc.categories_).toEqual([['Bergen', 'Oslo'], [1, 2, 3]]);
    expect((enc.transform([['Oslo', 3], ['Tromsø', 9]]) as Matrix).toArray()).toEqual([[0, 1, 0, 0, 1], [0, 0, 0, 0, 0]]);
    expect(enc.getFeatureNamesOut()).toEqual(['x0_Bergen', 'x0_Oslo', 'x1_1.0', 'x1_2.0', 'x1_3.0']);
  });

  it('treats missing values as a category and outputs CSR by default', () => {
    const enc = new OneHotEncoder().fit(housing.select(['ocean_proximity']));
    expect(enc.categories_).toEqual([['INLAND', 'NEAR BAY', null]]);
    expect(enc.getFeatureNamesOut()).toEqual(['ocean_proximity_INLAND', 'ocean_proximity_NEAR BAY', 'ocean_proximity_nan']);
    const out = enc.transform(housing.select(['ocean_proximity']));
    expect(out).toBeInstanceOf(CsrMatrix);
    expect((out as CsrMatrix).toDense().toArray()).toEqual([[0, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]]);
  });

  it('errors on unknown categories by default, naming them', () => {
    const enc = new OneHotEncoder().fit([['a'], ['b']]);
    expect(codeOf(() => enc.transform([['c']]))).toMatch(/^INVALID_ARGUMENT: .*unknown categories \['c'\] in column 0/);
  });

  it('uses given categories and drops', () => {
    const enc = new OneHotEncoder({ categories: [['lo', 'mid', 'hi']], drop: ['mid'], sparseOutput: false }).fit([['lo'], ['hi']]);
    expect(enc.getFeatureNamesOut()).toEqual(['x0_lo', 'x0_hi']);
    expect((enc.transform([['mid'], ['hi']]) as Matrix).toArray()).toEqual([[0, 0], [0, 1]]);
    expect(codeOf(() => new OneHotEncoder({ categories: [[3, 1]] }).fit([[1]]))).toMatch(/unsorted categories/);
  });
});

describe('OrdinalEncoder', () => {
  it('encodes codes, unknown and missing values', () => {
    const enc = new OrdinalEncoder({ handleUnknown: 'use_encoded_value', unknownValue: -1 }).fit([['low'], ['high'], ['mid'], [null]]);
    expect(enc.categories_).toEqual([['high', 'low', 'mid', null]]);
    expect(Array.from(enc.transform([['mid'], ['huge'], [null]]).data)).toEqual([2, -1, Number.NaN]);
    expect(enc.inverseTransform([[1]])).toEqual([['low']]);
    expect(codeOf(() => new OrdinalEncoder({ handleUnknown: 'use_encoded_value', unknownValue: 1 }).fit([['a'], ['b']]))).toMatch(/already used/);
  });
});

describe('FunctionTransformer', () => {
  it('adds ratio columns to a Table and names them', () => {
    const ft = new FunctionTransformer({ func: 'columnRatios', kwArgs: { ratios: { rooms_per_household: ['total_rooms', 'households'] } }, featureNamesOut: 'columnRatios.names' });
    const out = ft.fitTransform(housing) as Table;
    expect(out.get(0, 'rooms_per_household')).toBeCloseTo(880 / 126, 12);
    expect(ft.getFeatureNamesOut()).toEqual([...housing.columnNames, 'rooms_per_household']);
    expect((columnRatios([[6, 3]], { ratios: { r: [0, 1] } }) as Matrix).toArray()).toEqual([[6, 3, 2]]);
  });

  it('extracts date parts (UTC, Monday = 0)', () => {
    const t = Table.fromArrays({ sold: [new Date('2024-03-15T10:30:00Z'), null], price: [1, 2] });
    const out = dateParts(t, { columns: ['sold'], parts: ['year', 'month', 'day', 'weekday', 'hour'] });
    expect(out.columnNames).toEqual(['price', 'sold_year', 'sold_month', 'sold_day', 'sold_weekday', 'sold_hour']);
    expect(out.row(0)).toEqual({ price: 1, sold_year: 2024, sold_month: 3, sold_day: 15, sold_weekday: 4, sold_hour: 10 });
    expect(out.get(1, 'sold_year')).toBeNull();
    const ft = new FunctionTransformer({ func: 'dateParts', kwArgs: { columns: ['sold'] }, featureNamesOut: 'dateParts.names' }).fit(t);
    expect(ft.getFeatureNamesOut()).toEqual(['price', 'sold_year', 'sold_month', 'sold_day', 'sold_weekday']);
  });

  it('saves a registered function by name and refuses to save a function value', () => {
    registerFunction('double', (X: Matrix) => new Matrix(X.rows, X.cols, X.data.map((v) => 2 * v)));
    const ft = new FunctionTransformer({ func: 'double', validate: true }).fit([[1, 2]]);
    const back = BaseEstimator.fromSnapshot(ft.toSnapshot()) as FunctionTransformer;
    expect((back.transform([[3, 4]]) as Matrix).toArray()).toEqual([[6, 8]]);
    const anonymous = new FunctionTransformer({ func: (X: Matrix) => X });
    expect(codeOf(() => anonymous.toSnapshot())).toMatch(/^INVALID_ARGUMENT: .*func is a function and cannot be saved/);
  });
});

describe('transformers in a Pipeline on a Table', () => {
  it('imputes then one-hot encodes a category column', () => {
    const pipe = new Pipeline([
      ['impute', new SimpleImputer({ strategy: 'most_frequent' })],
      ['onehot', new OneHotEncoder({ sparseOutput: false })],
    ]);
    const out = pipe.fitTransform(housing.select(['ocean_proximity'])) as Matrix;
    expect(out.toArray()).toEqual([[0, 1], [0, 1], [0, 1], [1, 0], [0, 1]]);
  });

  it('round-trips every fitted transformer through a snapshot', () => {
    const num = housing.select(['total_rooms', 'total_bedrooms', 'households']);
    const fitted: [BaseEstimator<any>, unknown][] = [
      [new StandardScaler().fit(num), num],
      [new MinMaxScaler().fit(num), num],
      [new SimpleImputer({ strategy: 'most_frequent', addIndicator: true }).fit(housing), housing],
      [new OneHotEncoder({ minFrequency: 2, handleUnknown: 'infrequent_if_exist' }).fit(housing), housing],
      [new OrdinalEncoder().fit(housing), housing],
    ];
    for (const [est, X] of fitted) {
      const back = BaseEstimator.fromSnapshot(JSON.parse(JSON.stringify(est.toSnapshot(), (_k, v) => (ArrayBuffer.isView(v) ? { $ta: v.constructor.name, v: Array.from(v as Float64Array, (x) => (Number.isNaN(x) ? 'NaN' : x)) } : v)), reviveTyped)) as any;
      const a = (est as any).transform(X);
      const b = back.transform(X);
      expect(JSON.stringify(plain(b))).toBe(JSON.stringify(plain(a)));
      expect(back.getFeatureNamesOut()).toEqual((est as any).getFeatureNamesOut());
    }
  });
});

const TYPED: Record<string, new (a: number[]) => ArrayLike<number>> = { Float64Array, Int32Array, Uint8Array, Uint32Array, Float32Array };

function reviveTyped(_k: string, v: any): unknown {
  if (v && typeof v === 'object' && typeof v.$ta === 'string') return new TYPED[v.$ta]!(v.v.map((x: number | string) => (x === 'NaN' ? Number.NaN : x)));
  return v;
}

function plain(v: unknown): unknown {
  if (v instanceof Matrix) return Array.from(v.data, String);
  if (v instanceof CsrMatrix) return plain(v.toDense());
  if (v instanceof Table) return v.toRecords();
  return v;
}
