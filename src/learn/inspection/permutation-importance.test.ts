import { describe, expect, it } from 'vitest';
import { Matrix, Rng, Table } from '../../core/index.js';
import { BaseEstimator, type EstimatorState } from '../base.js';
import { Pipeline } from '../compose/index.js';
import { LinearRegression, Ridge } from '../linear-model/index.js';
import { KNeighborsClassifier } from '../neighbors/index.js';
import { StandardScaler } from '../preprocessing/index.js';
import { permutationImportance } from './index.js';

/** n x 4 data: y depends on column 0 strongly, column 1 weakly; 2 and 3 are noise. */
function data(n: number, seed: number): { X: Matrix; y: Float64Array } {
  const rng = new Rng(seed);
  const X = new Matrix(n, 4);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) X.data[i * 4 + j] = rng.normal();
    y[i] = 3 * X.data[i * 4]! + 0.5 * X.data[i * 4 + 1]! + 0.1 * rng.normal();
  }
  return { X, y };
}

/** A regressor that predicts the mean target of the row's category in column 'city' (a Table column). */
class CityMean extends BaseEstimator<{ column: string }> {
  static override readonly estimatorName = 'TestCityMean';
  readonly estimatorType = 'regressor' as const;
  means_: Map<string, number> | undefined;
  constructor(p?: Partial<{ column: string }>) {
    super({ column: 'city' }, p);
  }
  get isFitted(): boolean {
    return this.means_ !== undefined;
  }
  fit(X: Table, y: ArrayLike<number>): this {
    const sums = new Map<string, [number, number]>();
    const col = X.column(this.params.column);
    for (let i = 0; i < X.numRows; i++) {
      const k = String(col.get(i));
      const s = sums.get(k) ?? [0, 0];
      sums.set(k, [s[0] + y[i]!, s[1] + 1]);
    }
    this.means_ = new Map([...sums].map(([k, [s, c]]) => [k, s / c]));
    return this;
  }
  predict(X: Table): Float64Array {
    const col = X.column(this.params.column);
    return Float64Array.from({ length: X.numRows }, (_, i) => this.means_!.get(String(col.get(i))) ?? 0);
  }
  protected getState(): EstimatorState {
    return {};
  }
  protected setState(): void {}
}

describe('permutationImportance', () => {
  const train = data(400, 1);
  const test = data(200, 2);

  it('ranks the informative features above the noise ones (Matrix, default scoring = R²)', () => {
    const model = new Ridge({ alpha: 1 }).fit(train.X, train.y);
    const r = permutationImportance(model, test.X, test.y, { randomState: 0, nRepeats: 10 });
    expect(r.importances.shape).toEqual([4, 10]);
    const m = r.importancesMean;
    expect(m[0]!).toBeGreaterThan(m[1]!);
    expect(m[1]!).toBeGreaterThan(Math.max(m[2]!, m[3]!));
    expect(Math.abs(m[2]!)).toBeLessThan(0.01);
    expect(r.importancesStd.every((s) => s >= 0)).toBe(true);
    expect(r.baselineScore).toBeCloseTo(model.score(test.X, test.y), 12);
  });

  it('gives the exact drop when the model is a known function of one feature', () => {
    // y = 2 x0 exactly; the model ignores x1. With neg MSE, permuting x0 costs 4 · mean((x0 − x0[perm])²).
    const n = 50;
    const X = new Matrix(n, 2);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X.data[2 * i] = i;
      X.data[2 * i + 1] = (i * 7) % 5;
      y[i] = 2 * i;
    }
    const model = new LinearRegression().fit(X, y);
    const r = permutationImportance(model, X, y, { scoring: 'neg_mean_squared_error', nRepeats: 4, randomState: 3 });
    expect(r.baselineScore).toBeCloseTo(0, 20);
    for (let k = 0; k < 4; k++) expect(Math.abs(r.importances.get(1, k))).toBeLessThan(1e-20);
    // Reproduce the shuffles: one seed drawn from randomState, shared by every feature.
    const rng = new Rng(new Rng(3).nextUint32());
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    for (let k = 0; k < 4; k++) {
      rng.shuffle(perm);
      let s = 0;
      for (let i = 0; i < n; i++) s += (2 * i - 2 * perm[i]!) ** 2;
      expect(r.importances.get(0, k)).toBeCloseTo(s / n, 6);
    }
  });

  it('works through a Pipeline, with maxSamples and sampleWeight, reproducibly', () => {
    const pipe = new Pipeline([['scale', new StandardScaler()], ['ridge', new Ridge()]]).fit(train.X, train.y);
    const opts = { scoring: 'neg_root_mean_squared_error', randomState: 7, maxSamples: 0.5, sampleWeight: new Float64Array(200).fill(2) };
    const a = permutationImportance(pipe, test.X, test.y, opts);
    const b = permutationImportance(pipe, test.X, test.y, opts);
    expect(Array.from(a.importances.data)).toEqual(Array.from(b.importances.data));
    expect(a.importancesMean[0]!).toBeGreaterThan(a.importancesMean[2]!);
    const knn = new KNeighborsClassifier().fit(train.X, Array.from(train.y, (v) => (v > 0 ? 'up' : 'down')));
    const c = permutationImportance(knn, test.X, Array.from(test.y, (v) => (v > 0 ? 'up' : 'down')), { scoring: 'accuracy', randomState: 0, maxSamples: 120 });
    expect(c.importancesMean[0]!).toBeGreaterThan(c.importancesMean[3]!);
  });

  it('permutes a whole Table column, whatever its kind (category column here)', () => {
    const cities = ['oslo', 'bergen', 'tromso'];
    const rng = new Rng(5);
    const city = Array.from({ length: 300 }, () => cities[rng.int(3)]!);
    const noise = Array.from({ length: 300 }, () => rng.normal());
    const y = city.map((c) => (c === 'oslo' ? 10 : c === 'bergen' ? 5 : 0));
    const t = Table.fromArrays({ noise, city }, { kinds: { city: 'category' } });
    const model = new CityMean().fit(t, y);
    const r = permutationImportance(model, t, y, { scoring: 'r2', randomState: 1 });
    expect(r.importancesMean[1]!).toBeGreaterThan(1.5);
    expect(r.importancesMean[0]).toBe(0);
  });

  it('multi-metric scoring: one result per metric, on the same shuffles', () => {
    const model = new Ridge().fit(train.X, train.y);
    const multi = permutationImportance(model, test.X, test.y, { scoring: ['r2', 'neg_mean_absolute_error'], randomState: 4 });
    const single = permutationImportance(model, test.X, test.y, { scoring: 'r2', randomState: 4 });
    expect(Object.keys(multi)).toEqual(['r2', 'neg_mean_absolute_error']);
    expect(Array.from(multi.r2!.importances.data)).toEqual(Array.from(single.importances.data));
    expect(multi.neg_mean_absolute_error!.importancesMean[0]!).toBeGreaterThan(multi.neg_mean_absolute_error!.importancesMean[3]!);
  });

  it('rejects bad arguments with codes', () => {
    const model = new Ridge().fit(train.X, train.y);
    expect(() => permutationImportance(model, test.X, test.y.slice(1))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => permutationImportance(model, test.X, test.y, { nRepeats: 0 })).toThrow(/nRepeats/);
    expect(() => permutationImportance(model, test.X, test.y, { maxSamples: 1000 })).toThrow(/maxSamples/);
    expect(() => permutationImportance(model, test.X, test.y, { scoring: 'max_error', sampleWeight: new Float64Array(200) })).toThrow(/sampleWeight/);
  });
});
