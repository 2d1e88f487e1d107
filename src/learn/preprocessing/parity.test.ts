// Parity with scikit-learn 1.2.1: test/fixtures/sklearn/preprocessing.json, written by
// scripts/sklearn-fixtures/preprocessing.py. Learned attributes and outputs agree within 1e-12
// (relative to the value's magnitude, at least 1e-12 absolute).
import { describe, expect, it } from 'vitest';
import { CsrMatrix, Matrix, NumericColumn, StringColumn, Table, type Column } from '../../core/index.js';
import { estimatorClass } from '../base.js';
import { ColumnTransformer, Pipeline, makeColumnSelector } from '../compose/index.js';
import { denseFixture, f64, loadFixture, type CsrFixture, type DenseFixture, type F64 } from '../../../test/support/sklearn-fixtures.js';
import { FunctionTransformer, MinMaxScaler, OneHotEncoder, SimpleImputer, StandardScaler } from './index.js';

const fx = loadFixture('preprocessing.json');
type FrameJson = { columns: { name: string; kind: 'number' | 'string'; values: F64 | (string | null)[] }[] };

function tableOf(frame: FrameJson): Table {
  const cols: Column[] = frame.columns.map((c) =>
    c.kind === 'number' ? new NumericColumn(c.name, f64(c.values as F64), 'number') : StringColumn.from(c.name, c.values as (string | null)[]),
  );
  return new Table(cols);
}

const boston = denseFixture(fx.data.boston as DenseFixture);
const bostonNaN = denseFixture(fx.data.bostonNaN as DenseFixture);
const bostonEmpty = bostonNaN.clone();
for (let i = 0; i < bostonEmpty.rows; i++) bostonEmpty.set(i, 3, Number.NaN);
const bostonNames = fx.data.bostonNames as string[];
const housing = tableOf(fx.data.housing);
const housingTest = tableOf(fx.data.housingTest);
const numCols = housing.columnNames.filter((n) => n !== 'ocean_proximity');

function columns(m: Matrix, idx: number[]): Matrix {
  const out = new Matrix(m.rows, idx.length);
  for (let i = 0; i < m.rows; i++) idx.forEach((j, k) => out.set(i, k, m.get(i, j)));
  return out;
}

function data(spec: string): Matrix | Table {
  const [name, sel] = spec.split(':') as [string, string | undefined];
  const base: Record<string, Matrix | Table> = {
    boston,
    bostonNaN,
    bostonEmpty,
    housing,
    housingTest,
    bostonTable: Table.fromArrays(Object.fromEntries(bostonNames.map((n, j) => [n, boston.col(j)]))),
  };
  const X = base[name]!;
  if (sel === undefined) return X;
  if (X instanceof Table) return X.select(sel === 'num' ? numCols : ['ocean_proximity']);
  if (sel === 'chas,rad') return columns(X, [3, 8]);
  return X.takeRows(Array.from({ length: Number(sel) }, (_, i) => i));
}

function close(a: number, b: number): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    if (!close(actual[k]!, expected[k]!)) throw new Error(`${what}[${k}]: ${actual[k]} vs scikit-learn ${expected[k]}`);
  }
}

function rowsOf(t: Table, n: number): (number | string | null)[][] {
  return Array.from({ length: Math.min(n, t.numRows) }, (_, i) => t.columns.map((c) => c.get(i) as number | string | null));
}

function expectOutput(out: unknown, expected: { dense?: DenseFixture; csr?: CsrFixture; objects?: (number | string | null)[][] }, what: string): void {
  if (expected.objects) {
    expect(out, what).toBeInstanceOf(Table);
    expect(rowsOf(out as Table, expected.objects.length)).toEqual(expected.objects);
    return;
  }
  if (expected.csr) {
    expect(out, `${what}: a CsrMatrix`).toBeInstanceOf(CsrMatrix);
    const m = out as CsrMatrix;
    const e = expected.csr;
    const rows = e.shape[0];
    expect(m.cols).toBe(e.shape[1]);
    const head = m.takeRows(Array.from({ length: rows }, (_, i) => i));
    expect(Array.from(head.indptr)).toEqual(e.indptr);
    expect(Array.from(head.indices)).toEqual(e.indices);
    expectClose(head.data, Array.isArray(e.data) ? e.data : f64(e.data), `${what} data`);
    return;
  }
  const e = expected.dense!;
  expect(out, `${what}: a Matrix`).toBeInstanceOf(Matrix);
  const m = out as Matrix;
  expect(m.cols).toBe(e.shape[1]);
  expectClose(m.data.subarray(0, e.shape[0] * e.shape[1]), f64(e.data), what);
}

const ATTRS: Record<string, string> = {
  mean: 'mean_',
  var: 'var_',
  scale: 'scale_',
  nSamplesSeen: 'nSamplesSeen_',
  dataMin: 'dataMin_',
  dataMax: 'dataMax_',
  min: 'min_',
  statistics: 'statistics_',
  categories: 'categories_',
  dropIdx: 'dropIdx_',
};

describe('preprocessing parity with scikit-learn 1.2', () => {
  for (const c of fx.cases as any[]) {
    it(c.name, () => {
      const Ctor = estimatorClass(c.estimator);
      const est = new Ctor(c.params) as any;
      est.fit(data(c.data));
      for (const [key, expected] of Object.entries(c.attrs as Record<string, unknown>)) {
        const actual = est[ATTRS[key]!];
        const what = `${c.name} ${ATTRS[key]}`;
        if (expected === null) expect(actual ?? null, what).toBeNull();
        else if (typeof expected === 'number') expect(actual, what).toBe(expected);
        else if (expected && typeof expected === 'object' && 'f64' in expected) {
          const e = f64(expected as F64);
          expectClose(typeof actual === 'number' ? [actual] : Array.from(actual as ArrayLike<number | string>, Number), e.length === 1 && typeof actual === 'number' ? e : e, what);
        } else expect(actual, what).toEqual(expected);
      }
      expectOutput(est.transform(data(c.testData)), c.out, c.name);
      if (c.featureNamesOut) expect(est.getFeatureNamesOut()).toEqual(c.featureNamesOut);
    });
  }
});

function housingCt(sparseThreshold = 0.3, oheSparse = true): ColumnTransformer {
  const num = new Pipeline([
    ['impute', new SimpleImputer({ strategy: 'median' })],
    ['scale', new StandardScaler()],
  ]);
  const cat = new Pipeline([
    ['impute', new SimpleImputer({ strategy: 'most_frequent' })],
    ['onehot', new OneHotEncoder({ handleUnknown: 'ignore', sparseOutput: oheSparse })],
  ]);
  return new ColumnTransformer(
    [
      ['num', num, numCols],
      ['cat', cat, ['ocean_proximity']],
    ],
    { sparseThreshold },
  );
}

const CTS: Record<string, () => ColumnTransformer> = {
  'housing dense': () => housingCt(0.3, false),
  'housing sparse': () => housingCt(0.9),
  'housing default': () => housingCt(),
  'housing ratios': () =>
    new ColumnTransformer(
      [
        [
          'ratios',
          new Pipeline([
            ['ratio', new FunctionTransformer({ func: 'columnRatios', kwArgs: { ratios: { rooms_per_household: ['total_rooms', 'households'] } }, featureNamesOut: 'columnRatios.names' })],
            ['impute', new SimpleImputer({ strategy: 'mean' })],
            ['scale', new MinMaxScaler()],
          ]),
          ['total_rooms', 'households', 'total_bedrooms'],
        ],
        ['cat', new OneHotEncoder({ handleUnknown: 'ignore', sparseOutput: false }), makeColumnSelector({ dtypeInclude: 'object' })],
      ],
      { remainder: 'passthrough' },
    ),
  boston: () =>
    new ColumnTransformer(
      [
        ['scale', new StandardScaler(), ['crim', 'rm', 'lstat']],
        ['onehot', new OneHotEncoder({ sparseOutput: false }), ['chas', 'rad']],
      ],
      { remainder: 'passthrough' },
    ),
  'boston matrix': () =>
    new ColumnTransformer([
      ['scale', new StandardScaler(), [0, 5, 12]],
      ['onehot', new OneHotEncoder({ sparseOutput: false }), [3, 8]],
    ]),
};

describe('ColumnTransformer parity with scikit-learn 1.2', () => {
  for (const c of fx.columnTransformers as any[]) {
    it(c.name, () => {
      const ct = CTS[c.name]!();
      ct.fit(data(c.data));
      expectOutput(ct.transform(data(c.testData)), c.out, c.name);
      expect(ct.getFeatureNamesOut()).toEqual(c.featureNamesOut);
    });
  }
});
