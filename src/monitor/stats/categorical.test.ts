import { describe, expect, it } from 'vitest';
import { chiSquare, chiSquareTest, zTestProportions } from './categorical.js';
import { closeTo, loadScipyFixture, num } from '../../../test/support/scipy-fixtures.js';
import { codeOf } from '../../../test/support/errors.js';

const cases: any[] = loadScipyFixture('stats.json').categorical;

describe("chiSquareTest (Evidently's chi-squared drift test)", () => {
  it('matches scipy.stats.chisquare on reference proportions scaled to the current size, within 1e-9', () => {
    const bad: string[] = [];
    for (const c of cases.filter((x) => x.chisquare)) {
      const r = chiSquareTest(c.reference, c.current);
      if (!closeTo(r.statistic, num(c.chisquare.statistic), 1e-9)) bad.push(`${c.name}: stat ${r.statistic} vs ${c.chisquare.statistic}`);
      if (!closeTo(r.pValue, num(c.chisquare.pValue), 1e-9, 1e-300)) bad.push(`${c.name}: p ${r.pValue} vs ${c.chisquare.pValue}`);
    }
    expect(bad).toEqual([]);
  });

  it('a category unseen in the reference gives an infinite statistic and p = 0, as scipy', () => {
    const c = cases.find((x) => x.name === 'new category in current');
    const r = chiSquareTest(c.reference, c.current);
    expect(r.statistic).toBe(Infinity);
    expect(r.pValue).toBe(0);
  });

  it('accepts reference counts instead of values, and drops missing values', () => {
    const ref = ['a', 'a', 'b', 'c', 'c', 'c'];
    const cur = ['a', 'b', 'b', null, 'c', NaN, undefined];
    const fromValues = chiSquareTest(ref, cur);
    const fromCounts = chiSquareTest({ a: 2, b: 1, c: 3 }, cur);
    expect(fromCounts.statistic).toBeCloseTo(fromValues.statistic, 14);
    expect(fromCounts.pValue).toBeCloseTo(fromValues.pValue, 14);
    expect(fromValues.droppedNaN).toEqual([0, 3]);
  });

  it('chiSquare equals the textbook example and checks its input', () => {
    const r = chiSquare([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8]);
    expect(r.statistic).toBeCloseTo(3.5, 14);
    expect(r.pValue).toBeCloseTo(0.6233876277495822, 13);
    expect(codeOf(() => chiSquare([1, 2], [1]))).toMatch(/^INVALID_ARGUMENT: .*same non-zero length/);
    expect(codeOf(() => chiSquare([1, 2], [1, 5]))).toMatch(/^INVALID_ARGUMENT: .*scale expected/);
    expect(codeOf(() => chiSquareTest([], ['a']))).toMatch(/^INVALID_ARGUMENT: .*reference sample is empty/);
    expect(codeOf(() => chiSquareTest({ a: -1 }, ['a']))).toMatch(/^INVALID_ARGUMENT: .*count >= 0/);
  });
});

describe("zTestProportions (Evidently's two-proportion Z test)", () => {
  it('matches the Evidently formula with scipy.stats.norm within 1e-9 (sign from the sorted first value)', () => {
    const bad: string[] = [];
    for (const c of cases) {
      const r = zTestProportions(c.reference, c.current);
      if (!closeTo(r.statistic, num(c.z.statistic), 1e-9, 1e-15)) bad.push(`${c.name}: z ${r.statistic} vs ${c.z.statistic}`);
      if (!closeTo(r.pValue, num(c.z.pValue), 1e-9, 1e-15)) bad.push(`${c.name}: p ${r.pValue} vs ${c.z.pValue}`);
    }
    expect(bad).toEqual([]);
  });

  it('one and the same value in both samples gives p = 1; empty samples are rejected', () => {
    expect(zTestProportions([true, true], [true]).pValue).toBe(1);
    expect(zTestProportions([0, 0, 0], [1, 1]).pValue).toBeLessThan(0.05);
    expect(codeOf(() => zTestProportions([1], [null]))).toMatch(/^INVALID_ARGUMENT: .*current sample is empty/);
  });
});
