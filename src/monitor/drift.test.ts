import { describe, expect, it } from 'vitest';
import { columnDrift, datasetDrift, defaultDriftMethod } from './drift.js';
import { f64 } from '../../test/support/sklearn-fixtures.js';
import { closeTo, loadScipyFixture, num } from '../../test/support/scipy-fixtures.js';
import { codeOf } from '../../test/support/errors.js';

const cases: any[] = loadScipyFixture('stats.json').drift;
const values = (c: any, side: 'reference' | 'current'): (number | string)[] =>
  c.kind === 'numeric' ? Array.from(f64(c[side])) : c[side];

describe("columnDrift with Evidently's default test choice", () => {
  for (const c of cases) {
    it(`${c.name}`, () => {
      const r = columnDrift(values(c, 'reference'), values(c, 'current'), { column: 'x' });
      expect(r.column).toBe('x');
      expect(r.kind).toBe(c.kind);
      expect(r.method).toBe(c.method);
      expect([r.nReference, r.nCurrent]).toEqual([c.nReference, c.nCurrent]);
      expect(r.droppedNaN).toEqual(c.droppedNaN);
      expect(r.drift).toBe(c.drift);
      if (c.pValue !== undefined) {
        expect(closeTo(r.pValue!, num(c.pValue), 1e-9, 1e-300)).toBe(true);
        expect(closeTo(r.statistic!, num(c.statistic), 1e-9, 1e-15)).toBe(true);
        expect(r.threshold).toBe(0.05);
      } else {
        expect(closeTo(r.distance!, num(c.distance), 1e-9, 1e-15)).toBe(true);
        expect(r.pValue).toBeUndefined();
        expect(r.threshold).toBe(0.1);
      }
    });
  }

  it('defaultDriftMethod follows registry.py: size 1000 and distinct counts 2 / 5 are the boundaries', () => {
    expect(defaultDriftMethod('numeric', 1000, 6)).toBe('ks');
    expect(defaultDriftMethod('numeric', 1000, 5)).toBe('chisquare');
    expect(defaultDriftMethod('numeric', 1000, 2)).toBe('z');
    expect(defaultDriftMethod('categorical', 10, 3)).toBe('chisquare');
    expect(defaultDriftMethod('categorical', 10, 2)).toBe('z');
    expect(defaultDriftMethod('numeric', 1001, 6)).toBe('wasserstein');
    expect(defaultDriftMethod('numeric', 1001, 5)).toBe('jensenshannon');
    expect(defaultDriftMethod('categorical', 5000, 50)).toBe('jensenshannon');
  });

  it('method and threshold overrides; p-value tests drift below the threshold, distances at or above it', () => {
    const ref = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const cur = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const w = columnDrift(ref, cur, { method: 'wasserstein', threshold: 2 / Math.sqrt(8.25) });
    expect(w.distance).toBeCloseTo(2 / Math.sqrt(8.25), 14);
    expect(w.drift).toBe(true);
    const ks = columnDrift(ref, cur);
    expect(ks.method).toBe('ks');
    expect(columnDrift(ref, cur, { threshold: ks.pValue! }).drift).toBe(false);
    expect(columnDrift(['a', 'b', 'a'], ['b', 'b', 'c'], { method: 'psi' }).method).toBe('psi');
    expect(columnDrift([1, 2, 3], [1, 2, 3], { kind: 'categorical' }).method).toBe('chisquare');
  });

  it('drops missing and infinite values; rejects empty samples, unknown methods and numeric tests on strings', () => {
    const r = columnDrift([1, 2, Infinity, null, 3, 4, 5, 6], [2, 3, 4, NaN, 5, 6, 7, -Infinity]);
    expect(r.droppedNaN).toEqual([2, 2]);
    expect(r.nReference).toBe(6);
    expect(codeOf(() => columnDrift([NaN, null], [1], { column: 'age' }))).toMatch(/^INVALID_ARGUMENT: columnDrift \(column "age"\): the reference sample is empty/);
    expect(codeOf(() => columnDrift([1], [2], { method: 'anova' as never }))).toMatch(/^INVALID_ARGUMENT: .*unknown method/);
    expect(codeOf(() => columnDrift(['a'], ['b'], { method: 'ks' }))).toMatch(/^INVALID_ARGUMENT: .*needs a numeric column/);
    expect(codeOf(() => columnDrift(['a'], ['b'], { kind: 'numeric' }))).toMatch(/^INVALID_ARGUMENT: .*non-numeric/);
  });
});

describe('datasetDrift', () => {
  const byName = (prefix: string): any => cases.find((c) => c.name.startsWith(prefix));
  const drifting = byName('numeric large (wasserstein)');
  const stable = byName('numeric large, 12 integer values');
  const cat = byName('categorical large');

  it('counts drifted columns and compares their share with `share` (>=, default 0.5)', () => {
    const reference = { a: values(drifting, 'reference'), b: values(stable, 'reference'), c: values(cat, 'reference') };
    const current = { a: values(drifting, 'current'), b: values(stable, 'current'), c: values(cat, 'current') };
    const r = datasetDrift(reference, current);
    const expected = [drifting.drift, stable.drift, cat.drift].filter(Boolean).length;
    expect(r.driftedColumns).toBe(expected);
    expect(r.numberOfColumns).toBe(3);
    expect(r.shareDrifted).toBeCloseTo(expected / 3, 15);
    expect(r.drift).toBe(expected / 3 >= 0.5);
    expect(r.columns.c!.method).toBe('jensenshannon');
    expect(datasetDrift(reference, current, { share: expected / 3 }).drift).toBe(true);
  });

  it('perColumn overrides perKind, which overrides the default', () => {
    const reference = { a: values(drifting, 'reference'), b: values(stable, 'reference') };
    const current = { a: values(drifting, 'current'), b: values(stable, 'current') };
    const r = datasetDrift(reference, current, {
      perKind: { numeric: { method: 'psi', threshold: 0.2 } },
      perColumn: { a: { method: 'ks' } },
    });
    expect(r.columns.a!.method).toBe('ks');
    expect(r.columns.a!.threshold).toBe(0.05);
    expect(r.columns.b!.method).toBe('psi');
    expect(r.columns.b!.threshold).toBe(0.2);
  });

  it('rejects a column missing from the current data and a share outside (0, 1]', () => {
    expect(codeOf(() => datasetDrift({ a: [1] }, {}))).toMatch(/^INVALID_ARGUMENT: .*"a" is missing from the current data/);
    expect(codeOf(() => datasetDrift({ a: [1] }, { a: [1] }, { share: 0 }))).toMatch(/^INVALID_ARGUMENT: .*share/);
  });
});
