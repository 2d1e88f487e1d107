import { describe, expect, it } from 'vitest';
import { Table } from '../../core/index.js';
import { denseFixture, f64, loadFixture } from '../../../test/support/sklearn-fixtures.js';
import { LogisticRegression } from './index.js';

// Dense input: Boston house prices, standardised, target split at its median (binary) or in
// three quantile classes (multinomial).
const fx = loadFixture('linear-models.json');
const Xs = denseFixture(fx.data.Xs);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('LogisticRegression on dense input, parity with scikit-learn', () => {
  for (const [name, ref] of Object.entries<any>(fx.logistic)) {
    it(`${name}: same predictions, coefficients within 1e-4`, () => {
      const p = ref.params;
      const m = new LogisticRegression({ C: p.C ?? 1, tol: p.tol ?? 1e-4, maxIter: p.max_iter ?? 100 }).fit(Xs, ref.y);
      expect(m.predict(Xs)).toEqual(ref.predict);
      const tight = p.tol !== undefined;
      const tolCoef = tight ? 1e-4 : 1e-2;
      expect(maxAbsDiff(m.coef_!.data, denseFixture(ref.coef).data)).toBeLessThan(tolCoef);
      expect(maxAbsDiff(m.intercept_!, f64(ref.intercept))).toBeLessThan(tolCoef);
      expect(maxAbsDiff(m.predictProba(Xs).data, denseFixture(ref.proba).data)).toBeLessThan(tight ? 1e-6 : 1e-3);
    });
  }

  it('takes a Table of numeric columns and rows of numbers the same as a Matrix', () => {
    const names: string[] = fx.data.names;
    const cols: Record<string, Float64Array> = {};
    names.forEach((nm, j) => (cols[nm] = Xs.col(j)));
    const t = Table.fromArrays(cols);
    const y = fx.logistic.multinomial.y;
    const a = new LogisticRegression().fit(Xs, y);
    const b = new LogisticRegression().fit(t, y);
    const c = new LogisticRegression().fit(Xs.toArray(), y);
    expect(Array.from(b.coef_!.data)).toEqual(Array.from(a.coef_!.data));
    expect(Array.from(c.coef_!.data)).toEqual(Array.from(a.coef_!.data));
    expect(b.predict(t)).toEqual(a.predict(Xs));
  });
});
