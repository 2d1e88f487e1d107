import { describe, expect, it } from 'vitest';
import { CsrMatrix, Matrix, MlshipError, Rng, compareLabels, murmurhash3_32, takeRows, uniqueLabels, uuidv7 } from './index.js';

describe('Rng', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 5 }, () => a.random());
    expect(Array.from({ length: 5 }, () => b.random())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.random())).not.toEqual(xa);
    for (const v of xa) expect(v >= 0 && v < 1).toBe(true);
  });

  it('permutes without losing or repeating values', () => {
    const p = new Rng(1).permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('int(n) is roughly uniform', () => {
    const rng = new Rng(7);
    const counts = new Array(4).fill(0);
    for (let i = 0; i < 40000; i++) counts[rng.int(4)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
  });

  it('rejects a non-finite seed with a code', () => {
    expect(() => new Rng(Number.NaN)).toThrow(MlshipError);
  });
});

describe('matrices', () => {
  it('round-trips dense <-> CSR and takes rows', () => {
    const m = Matrix.fromRows([[0, 2, 0], [3, 0, 4], [0, 0, 0]]);
    const s = CsrMatrix.fromDense(m);
    expect(s.nnz).toBe(3);
    expect(Array.from(s.indptr)).toEqual([0, 1, 3, 3]);
    expect(s.get(1, 2)).toBe(4);
    expect(s.get(2, 1)).toBe(0);
    expect(s.toDense().toArray()).toEqual(m.toArray());
    expect(takeRows(s, [1, 0]).toDense().toArray()).toEqual([[3, 0, 4], [0, 2, 0]]);
    expect(takeRows(['a', 'b', 'c'], [2, 2])).toEqual(['c', 'c']);
  });

  it('rejects ragged rows', () => {
    expect(() => Matrix.fromRows([[1, 2], [3]])).toThrow(/row 1 has 1 values/);
  });
});

describe('labels', () => {
  it('sorts like Python: numbers first, strings by code point', () => {
    expect(uniqueLabels(['b', 2, 'a', 1, 'b'])).toEqual([1, 2, 'a', 'b']);
    // U+FF61 (BMP) sorts before U+1F600 (astral) by code point, unlike UTF-16 comparison.
    expect(compareLabels('\u{FF61}', '\u{1F600}')).toBeLessThan(0);
  });
});

describe('murmurhash3_32', () => {
  it('matches the reference vectors of scikit-learn murmurhash3_32 (signed, seed 0)', () => {
    // Values from sklearn.utils.murmurhash3_32(s, seed=0); see scripts/sklearn-fixtures.
    expect(murmurhash3_32('')).toBe(0);
    expect(murmurhash3_32('foo', 0)).toBe(-156908512);
    expect(murmurhash3_32('foo', 42)).toBe(-1322301282);
  });
});

describe('uuidv7', () => {
  it('is an RFC 9562 version-7 UUID with the time in its first 48 bits', () => {
    const t = Date.UTC(2026, 10, 27, 2, 30);
    const id = uuidv7(t + 1000);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(t + 1000);
  });

  it('sorts in creation order, within a millisecond too, and never repeats', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // a clock that goes back does not break the order
    const later = uuidv7(Date.now() + 60_000);
    expect(uuidv7(Date.now() - 60_000) > later).toBe(true);
  });
});
