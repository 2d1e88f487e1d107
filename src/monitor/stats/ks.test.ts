import { describe, expect, it } from 'vitest';
import { ksTwoSample } from './ks.js';
import { f64 } from '../../../test/support/sklearn-fixtures.js';
import { closeTo, loadScipyFixture, num } from '../../../test/support/scipy-fixtures.js';
import { codeOf } from '../../../test/support/errors.js';

const cases: any[] = loadScipyFixture('stats.json').ks;

describe('ksTwoSample against scipy.stats.ks_2samp', () => {
  for (const mode of ['auto', 'exact', 'asymp'] as const) {
    it(`mode '${mode}': statistic and p-value within 1e-9 on every fixture (tiny, ties, unequal, 2000, 20000)`, () => {
      const bad: string[] = [];
      let checked = 0;
      for (const c of cases) {
        if (!c[mode]) continue;
        const a = f64(c.a);
        const b = f64(c.b);
        const r = ksTwoSample(a, b, { mode });
        checked++;
        if (!closeTo(r.statistic, num(c[mode].statistic), 1e-12, 1e-15)) bad.push(`${c.name}: statistic ${r.statistic} vs ${c[mode].statistic}`);
        if (!closeTo(r.pValue, num(c[mode].pValue), 1e-9, 1e-300)) bad.push(`${c.name}: p ${r.pValue} vs ${c[mode].pValue}`);
      }
      expect(checked).toBeGreaterThan(5);
      expect(bad).toEqual([]);
    });
  }

  it("'auto' is exact up to 10,000 values per sample and asymptotic above (scipy's MAX_AUTO_N)", () => {
    const small = cases.find((c) => c.name.startsWith('normal 10000x7000'));
    const big = cases.find((c) => c.name.startsWith('normal 20000x20000'));
    expect(ksTwoSample(f64(small.a), f64(small.b)).method).toBe('exact');
    expect(ksTwoSample(f64(big.a), f64(big.b)).method).toBe('asymp');
  });

  it('is symmetric in its samples and order-independent', () => {
    const c = cases.find((x) => x.name === 'ties integers 40x55');
    const a = Array.from(f64(c.a));
    const b = Array.from(f64(c.b));
    const r1 = ksTwoSample(a, b);
    const r2 = ksTwoSample(b.slice().reverse(), a.slice().reverse());
    expect(r2.statistic).toBe(r1.statistic);
    expect(r2.pValue).toBeCloseTo(r1.pValue, 14);
  });

  it('drops NaN and counts it; rejects empty samples and unsupported options', () => {
    const r = ksTwoSample([1, NaN, 2, 3], [NaN, 4, 5, 6]);
    expect(r.droppedNaN).toEqual([1, 1]);
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeCloseTo(0.1, 15);
    expect(codeOf(() => ksTwoSample([], [1]))).toMatch(/^INVALID_ARGUMENT: .*sample a is empty/);
    expect(codeOf(() => ksTwoSample([NaN], [1]))).toMatch(/^INVALID_ARGUMENT: .*all 1 values are NaN/);
    expect(codeOf(() => ksTwoSample([1], [2], { mode: 'fast' as never }))).toMatch(/^INVALID_ARGUMENT: .*mode/);
    expect(codeOf(() => ksTwoSample([1], [2], { alternative: 'less' as never }))).toMatch(/^INVALID_ARGUMENT: .*two-sided/);
    expect(codeOf(() => ksTwoSample(['x' as never], [2]))).toMatch(/^INVALID_ARGUMENT: .*expected a number/);
  });
});
