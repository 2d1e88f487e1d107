import { describe, expect, it } from 'vitest';
import { normalizedWasserstein, wassersteinDistance } from './wasserstein.js';
import { f64 } from '../../../test/support/sklearn-fixtures.js';
import { closeTo, loadScipyFixture, num } from '../../../test/support/scipy-fixtures.js';
import { codeOf } from '../../../test/support/errors.js';

const cases: any[] = loadScipyFixture('stats.json').numeric;

describe('wassersteinDistance and normalizedWasserstein', () => {
  it('wassersteinDistance matches scipy.stats.wasserstein_distance within 1e-9 (ties, tiny, 5000 values)', () => {
    const bad: string[] = [];
    for (const c of cases) {
      const d = wassersteinDistance(f64(c.reference), f64(c.current));
      if (!closeTo(d, num(c.wasserstein), 1e-9, 1e-15)) bad.push(`${c.name}: ${d} vs ${c.wasserstein}`);
    }
    expect(bad).toEqual([]);
  });

  it("normalizedWasserstein matches Evidently's distance / max(np.std(ref), 0.001) within 1e-9, constant reference included", () => {
    const bad: string[] = [];
    for (const c of cases) {
      const r = normalizedWasserstein(f64(c.reference), f64(c.current));
      if (!closeTo(r.distance, num(c.normalizedWasserstein), 1e-9, 1e-15)) bad.push(`${c.name}: ${r.distance} vs ${c.normalizedWasserstein}`);
    }
    expect(bad).toEqual([]);
    const constant = cases.find((c) => c.name === 'constant reference');
    expect(normalizedWasserstein(f64(constant.reference), f64(constant.current)).referenceStd).toBe(0);
  });

  it('is a shift for translated samples, drops NaN, rejects empty input', () => {
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBeCloseTo(5, 14);
    expect(wassersteinDistance([1, 2], [1, 2])).toBe(0);
    expect(normalizedWasserstein([1, NaN, 3], [2, 4, NaN]).droppedNaN).toEqual([1, 1]);
    expect(codeOf(() => wassersteinDistance([], [1]))).toMatch(/^INVALID_ARGUMENT: .*sample a is empty/);
  });
});
