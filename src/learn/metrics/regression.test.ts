import { describe, expect, it } from 'vitest';
import { f64, loadFixture } from '../../../test/support/sklearn-fixtures.js';
import {
  explainedVarianceScore,
  maxError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2Score,
  rootMeanSquaredError,
} from './index.js';

const fx = loadFixture('metrics-regression.json');
type Metric = (t: ArrayLike<number>, p: ArrayLike<number>, o?: { sampleWeight?: ArrayLike<number> }) => number;
const METRICS: Record<string, Metric> = {
  meanSquaredError,
  rootMeanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  r2Score,
  explainedVarianceScore,
  medianAbsoluteError,
  maxError: (t, p) => maxError(t, p),
};

describe('regression metrics parity with scikit-learn 1.2.1 (within 1e-12, relative for large values)', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const t = f64(c.y_true);
      const p = f64(c.y_pred);
      const opts = c.sample_weight ? { sampleWeight: f64(c.sample_weight) } : {};
      for (const [name, expected] of Object.entries<number | string>(c.values)) {
        const got = METRICS[name]!(t, p, opts);
        if (expected === 'NaN') {
          expect(got, name).toBeNaN();
          continue;
        }
        const e = expected as number;
        expect(Math.abs(got - e), `${name}: got ${got}, scikit-learn ${e}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e)));
      }
    });
  }

  it('rejects mismatched lengths, non-finite values and negative weights with codes', () => {
    expect(() => meanSquaredError([1, 2], [1])).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => r2Score([1, NaN], [1, 2])).toThrow(/yTrue\[1\]/);
    expect(() => meanAbsoluteError([1, 2], [1, 2], { sampleWeight: [1, -1] })).toThrow(/sampleWeight\[1\]/);
    expect(() => rootMeanSquaredError([], [])).toThrow();
  });
});
