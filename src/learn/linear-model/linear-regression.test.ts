import { describe, expect, it } from 'vitest';
import { Matrix, Table } from '../../core/index.js';
import { denseFixture, f64, loadFixture } from '../../../test/support/sklearn-fixtures.js';
import { ElasticNet, Lasso, LinearRegression, Ridge } from './index.js';

const fx = loadFixture('linear-models.json');
const X = denseFixture(fx.data.X);
const y = f64(fx.data.y);
const Xs = denseFixture(fx.data.Xs);
const sw = f64(fx.data.sw);
const Xrd = denseFixture(fx.data.X_rd);
const yrd = f64(fx.data.y_rd);
const Xwide = X.takeRows([0, 1, 2, 3, 4, 5, 6, 7]);
const ywide = y.slice(0, 8);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('LinearRegression parity with scikit-learn', () => {
  it('Boston: coefficients, intercept, rank and singular values within 1e-8', () => {
    const ref = fx.linear.boston;
    const m = new LinearRegression().fit(X, y);
    expect(maxAbsDiff(m.coef_!, f64(ref.coef))).toBeLessThan(1e-8);
    expect(Math.abs(m.intercept_! - ref.intercept)).toBeLessThan(1e-8);
    expect(m.rank_).toBe(ref.rank);
    expect(maxAbsDiff(m.singular_!, f64(ref.singular))).toBeLessThan(1e-8);
  });

  it('Boston with sample weights and without intercept', () => {
    const w = new LinearRegression().fit(X, y, sw);
    expect(maxAbsDiff(w.coef_!, f64(fx.linear.boston_weighted.coef))).toBeLessThan(1e-8);
    expect(Math.abs(w.intercept_! - fx.linear.boston_weighted.intercept)).toBeLessThan(1e-8);
    const ni = new LinearRegression({ fitIntercept: false }).fit(X, y);
    expect(maxAbsDiff(ni.coef_!, f64(fx.linear.boston_no_intercept.coef))).toBeLessThan(1e-8);
    expect(ni.intercept_).toBe(0);
  });

  it('rank-deficient X gets the minimum-norm solution (as gelsd)', () => {
    const ref = fx.linear.rank_deficient;
    const m = new LinearRegression().fit(Xrd, yrd);
    expect(m.rank_).toBe(ref.rank);
    expect(maxAbsDiff(m.coef_!, f64(ref.coef))).toBeLessThan(1e-8);
    expect(Math.abs(m.intercept_! - ref.intercept)).toBeLessThan(1e-8);
    expect(maxAbsDiff(m.singular_!.subarray(0, ref.rank), f64(ref.singular).subarray(0, ref.rank))).toBeLessThan(1e-8);
  });

  it('more features than samples: minimum-norm interpolation', () => {
    const ref = fx.linear.wide;
    const m = new LinearRegression().fit(Xwide, ywide);
    expect(m.rank_).toBe(ref.rank);
    expect(m.singular_!.length).toBe(8);
    expect(maxAbsDiff(m.coef_!, f64(ref.coef))).toBeLessThan(1e-8);
  });

  it('positive: non-negative least squares as scipy.optimize.nnls', () => {
    const ref = fx.linear.boston_positive;
    const m = new LinearRegression({ positive: true }).fit(X, y);
    expect(maxAbsDiff(m.coef_!, f64(ref.coef))).toBeLessThan(1e-8);
    expect(Math.abs(m.intercept_! - ref.intercept)).toBeLessThan(1e-7);
  });

  it('accepts a Table and rows of numbers; predict and score', () => {
    const names: string[] = fx.data.names;
    const cols: Record<string, Float64Array> = {};
    names.forEach((nm, j) => (cols[nm] = X.col(j)));
    const t = Table.fromArrays(cols);
    const a = new LinearRegression().fit(t, y);
    const b = new LinearRegression().fit(X.toArray(), y);
    expect(maxAbsDiff(a.coef_!, b.coef_!)).toBe(0);
    expect(a.featureNamesIn_).toEqual(names);
    const p = a.predict(t);
    expect(p).toBeInstanceOf(Float64Array);
    expect(a.score(t, y)).toBeCloseTo(0.7406426641094094, 10);
    expect(() => a.predict(t.select([...names].reverse()))).toThrow(expect.objectContaining({ code: 'SCHEMA_MISMATCH' }));
    // predict on a Matrix skips the up-front finiteness scan but still names a bad cell.
    const bad = X.clone();
    bad.set(7, 3, Number.POSITIVE_INFINITY);
    expect(() => a.predict(bad)).toThrow(/infinity at row 7, column 3/);
    bad.set(7, 3, Number.NaN);
    expect(() => new Ridge().fit(X, y).predict(bad)).toThrow(/NaN at row 7, column 3/);
  });

  it('rejects bad targets and weights with codes', () => {
    expect(() => new LinearRegression().fit(X, y.slice(1))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    const bad = Array.from(y) as unknown[];
    bad[3] = 'x';
    expect(() => new LinearRegression().fit(X, bad as number[])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new LinearRegression().fit(X, y, new Float64Array(506).fill(-1))).toThrow(/sampleWeight\[0\]/);
  });
});

describe('Ridge parity with scikit-learn', () => {
  const data = (k: string): [Matrix, Float64Array] => (k === 'wide' ? [Xwide, ywide] : k === 'rd' ? [Xrd, yrd] : [X, y]);
  for (const [name, ref] of Object.entries<any>(fx.ridge)) {
    it(`${name}: coefficients within 1e-8`, () => {
      const p = ref.params;
      const [XX, yy] = data(ref.data);
      const m = new Ridge({ alpha: p.alpha, solver: p.solver ?? 'auto', fitIntercept: p.fit_intercept ?? true }).fit(XX, yy, ref.weighted ? sw : undefined);
      expect(maxAbsDiff(m.coef_!, f64(ref.coef))).toBeLessThan(1e-8);
      expect(Math.abs(m.intercept_! - ref.intercept)).toBeLessThan(1e-8);
    });
  }

  it('solver auto is cholesky; a singular system falls back to svd', () => {
    expect(new Ridge().fit(X, y).solver_).toBe('cholesky');
    const m = new Ridge({ alpha: 0 }).fit(Xrd, yrd);
    expect(m.solver_).toBe('svd');
    expect(() => new Ridge({ solver: 'sag' as 'svd' }).fit(X, y)).toThrow(/solver/);
    expect(() => new Ridge({ alpha: -1 }).fit(X, y)).toThrow(/alpha/);
  });
});

describe('Lasso and ElasticNet parity with scikit-learn', () => {
  for (const [name, ref] of Object.entries<any>(fx.enet)) {
    it(`${name}: coefficients within 1e-6, same nIter`, () => {
      const p = ref.params;
      const params = { alpha: p.alpha, tol: p.tol ?? 1e-4, maxIter: p.max_iter ?? 1000, positive: p.positive ?? false, fitIntercept: p.fit_intercept ?? true };
      const m = ref.estimator === 'Lasso' ? new Lasso(params) : new ElasticNet({ ...params, l1Ratio: p.l1_ratio });
      const warnings: string[] = [];
      const onWarn = (w: Error & { code?: string }): void => void warnings.push(w.code ?? '');
      process.on('warning', onWarn);
      m.fit(ref.standardised ? Xs : X, y, ref.weighted ? sw : undefined);
      process.off('warning', onWarn);
      expect(maxAbsDiff(m.coef_!, f64(ref.coef))).toBeLessThan(1e-6);
      expect(Math.abs(m.intercept_! - ref.intercept)).toBeLessThan(1e-5);
      expect(m.nIter_).toBe(ref.n_iter);
      expect(Math.abs(m.dualGap_! - ref.dual_gap)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref.dual_gap)));
    });
  }

  it('reports non-convergence with an MLSHIP_CONVERGENCE warning and keeps the model', async () => {
    const got = new Promise<Error & { code?: string }>((resolve) => {
      const on = (w: Error & { code?: string }): void => {
        if (w.code !== 'MLSHIP_CONVERGENCE') return;
        process.off('warning', on);
        resolve(w);
      };
      process.on('warning', on);
    });
    const m = new Lasso({ alpha: 0.01, maxIter: 5 }).fit(X, y);
    const w = await got;
    expect(w.code).toBe('MLSHIP_CONVERGENCE');
    expect(w.name).toBe('ConvergenceWarning');
    expect(m.nIter_).toBe(5);
    expect(m.isFitted).toBe(true);
  });

  it('warmStart starts from the previous coefficients; random selection is seeded', () => {
    const m = new Lasso({ alpha: 0.05, warmStart: true, tol: 1e-8, maxIter: 10000 }).fit(Xs, y);
    const first = m.nIter_!;
    m.fit(Xs, y);
    expect(m.nIter_!).toBeLessThan(first);
    const a = new ElasticNet({ selection: 'random', randomState: 3, alpha: 0.1 }).fit(Xs, y);
    const b = new ElasticNet({ selection: 'random', randomState: 3, alpha: 0.1 }).fit(Xs, y);
    expect(Array.from(a.coef_!)).toEqual(Array.from(b.coef_!));
    const c = new ElasticNet({ alpha: 0.1, tol: 1e-10, maxIter: 100000 }).fit(Xs, y);
    const r = new ElasticNet({ alpha: 0.1, tol: 1e-10, maxIter: 100000, selection: 'random', randomState: 1 }).fit(Xs, y);
    expect(maxAbsDiff(c.coef_!, r.coef_!)).toBeLessThan(1e-5);
  });
});
