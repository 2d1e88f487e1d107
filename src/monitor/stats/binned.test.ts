import { describe, expect, it } from 'vitest';
import { binnedPercents, jensenShannon, jensenShannonDistance, psi } from './binned.js';
import { f64 } from '../../../test/support/sklearn-fixtures.js';
import { closeTo, loadScipyFixture, num } from '../../../test/support/scipy-fixtures.js';
import { codeOf } from '../../../test/support/errors.js';

const fx = loadScipyFixture('stats.json');

describe("jensenShannonDistance and psi (Evidently's binned distances)", () => {
  it('numeric columns: Sturges bins over both samples (> 20 distinct) or per value, within 1e-9', () => {
    const bad: string[] = [];
    for (const c of fx.numeric) {
      const ref = Array.from(f64(c.reference));
      const cur = Array.from(f64(c.current));
      const js = jensenShannonDistance(ref, cur).distance;
      const p = psi(ref, cur).distance;
      if (!closeTo(js, num(c.jensenshannon), 1e-9, 1e-15)) bad.push(`${c.name}: js ${js} vs ${c.jensenshannon}`);
      if (!closeTo(p, num(c.psi), 1e-9, 1e-15)) bad.push(`${c.name}: psi ${p} vs ${c.psi}`);
    }
    expect(bad).toEqual([]);
  });

  it('categorical columns: shares per value, empty shares filled for PSI only, within 1e-9', () => {
    const bad: string[] = [];
    for (const c of fx.categorical.filter((x: any) => x.jensenshannon !== undefined)) {
      const js = jensenShannonDistance(c.reference, c.current).distance;
      const p = psi(c.reference, c.current).distance;
      if (!closeTo(js, num(c.jensenshannon), 1e-9, 1e-15)) bad.push(`${c.name}: js ${js} vs ${c.jensenshannon}`);
      if (!closeTo(p, num(c.psi), 1e-9, 1e-15)) bad.push(`${c.name}: psi ${p} vs ${c.psi}`);
    }
    expect(bad).toEqual([]);
  });

  it('Sturges edges span both samples and the shares sum to 1', () => {
    const ref = Array.from({ length: 100 }, (_, i) => i);
    const cur = Array.from({ length: 50 }, (_, i) => 2 * i + 60);
    const b = binnedPercents(ref, cur, false);
    expect(b.edges![0]).toBe(0);
    expect(b.edges![b.edges!.length - 1]).toBe(158);
    expect(b.edges!.length - 1).toBe(Math.ceil(Math.log2(150) + 1));
    expect(b.reference.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    expect(b.current.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
  });

  it('jensenShannon is 0 for equal and 1 for disjoint distributions (base 2); bad input is rejected', () => {
    expect(jensenShannon([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 7);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(1, 15);
    expect(codeOf(() => jensenShannon([1], [1, 2]))).toMatch(/^INVALID_ARGUMENT/);
    expect(codeOf(() => psi([], [1]))).toMatch(/^INVALID_ARGUMENT: .*reference sample is empty/);
    expect(codeOf(() => psi(['a'], [1], { kind: 'numeric' }))).toMatch(/^INVALID_ARGUMENT: .*numbers only/);
  });
});
