import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/index.js';
import { columnDrift, datasetDrift, type DriftMethod } from '../drift.js';
import { domainClassifierDrift } from '../text/domain-classifier.js';
import { textDescriptors } from '../text/descriptors.js';
import { buildProfile, CurrentSketch, heldOutMetrics, profileDrift } from './profile.js';
import { profileColumn } from './sketch.js';
import { profileVocabulary } from './text.js';
import type { ReferenceProfile } from './types.js';

function normal(n: number, seed: number, mean = 0, std = 1): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => mean + std * rng.normal());
}

function pick<T>(values: readonly T[], n: number, seed: number, weights?: number[]): T[] {
  const rng = new Rng(seed);
  const w = weights ?? values.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, () => {
    let u = rng.random() * total;
    for (let i = 0; i < values.length; i++) {
      u -= w[i]!;
      if (u < 0) return values[i]!;
    }
    return values[values.length - 1]!;
  });
}

/** Profile of one column, drift of `cur` against it and columnDrift on the raw data. */
function both(ref: ArrayLike<number | string | boolean | null>, cur: ArrayLike<number | string | boolean | null>, method?: DriftMethod) {
  const profile = buildProfile({ task: 'regression', columns: { x: ref }, predictions: new Float64Array(ref.length) });
  const opts = method ? { perColumn: { x: { method } } } : {};
  const fromProfile = profileDrift(profile, { columns: { x: cur } }, opts).columns.x!;
  const raw = columnDrift(ref, cur, { column: 'x', ...(method ? { method } : {}) });
  return { fromProfile, raw, profile };
}

describe('profileColumn', () => {
  it('keeps every distinct value of a small column (lossless) and quantile edges of a large one', () => {
    const small = profileColumn([3, 1, 2, 2, null, NaN, Infinity]);
    expect(small).toMatchObject({ kind: 'numeric', count: 4, missing: 3, exact: true, edges: [1, 2, 3], equal: [1, 2, 1], counts: [1, 2, 1], min: 1, max: 3, distinct: 3 });
    const big = profileColumn(normal(50000, 1), { maxBins: 200 });
    if (big.kind !== 'numeric') throw new Error('numeric expected');
    expect(big.exact).toBe(false);
    expect(big.distinct).toBe(50000);
    expect(big.edges.length).toBeGreaterThan(201);
    expect(big.edges.length).toBeLessThanOrEqual(402);
    expect(big.counts.reduce((a, b) => a + b, 0)).toBe(50000);
    // Every bin holds at most 1/200 of the rows and spans at most 1/200 of the range.
    const range = big.max - big.min;
    for (let k = 1; k < big.counts.length; k++) {
      expect(big.counts[k]!).toBeLessThanOrEqual(251);
      expect(big.edges[k]! - big.edges[k - 1]!).toBeLessThanOrEqual(range / 200 + 1e-12);
    }
    expect([big.edges[0], big.edges[big.edges.length - 1]]).toEqual([big.min, big.max]);
  });

  it('counts categories, most frequent first, with an other bucket beyond topK', () => {
    const c = profileColumn(['b', 'a', 'b', 'c', 'b', 'a', null, 'd'], { topK: 2 });
    expect(c).toEqual({ kind: 'categorical', count: 7, missing: 1, distinct: 4, values: [['b', 3], ['a', 2]], other: 2, otherDistinct: 2 });
  });
});

describe('profileDrift agrees with columnDrift on the raw data', () => {
  it('KS (reference ≤ 1,000 rows): exact statistic and p-value, unshifted and shifted', () => {
    const ref = normal(800, 2);
    for (const [shift, seed] of [[0, 3], [0.25, 4], [1, 5]] as const) {
      for (const n of [600, 30000]) {
        const cur = normal(n, seed, shift);
        const { fromProfile, raw } = both(ref, cur);
        expect(raw.method).toBe('ks');
        expect(fromProfile.method).toBe('ks');
        expect(fromProfile.statistic).toBe(raw.statistic);
        expect(fromProfile.pValue).toBeCloseTo(raw.pValue!, 12);
        expect(fromProfile.drift).toBe(raw.drift);
      }
    }
  });

  it('KS stays exact with ties and values beyond the reference range', () => {
    const rng = new Rng(7);
    const ref = Float64Array.from({ length: 900 }, () => Math.round(rng.normal() * 4) / 2);
    const cur = Float64Array.from({ length: 5000 }, () => Math.round((rng.normal() * 5 + 1) * 3) / 3);
    const { fromProfile, raw } = both(ref, cur, 'ks');
    expect(fromProfile.statistic).toBe(raw.statistic);
    expect(fromProfile.pValue).toBeCloseTo(raw.pValue!, 12);
  });

  it('normalised Wasserstein (reference > 1,000 rows): within 2e-4, same verdicts', () => {
    const ref = normal(100000, 11, 5, 2);
    for (const [shift, std, seed] of [[0, 2, 12], [0.1, 2, 13], [0.19, 2, 14], [0.3, 2, 15], [0, 3, 16], [8, 2, 17]] as const) {
      const cur = normal(50000, seed, 5 + shift, std);
      const { fromProfile, raw } = both(ref, cur);
      expect(raw.method).toBe('wasserstein');
      expect(fromProfile.method).toBe('wasserstein');
      expect(Math.abs(fromProfile.distance! - raw.distance!)).toBeLessThan(2e-4);
      expect(fromProfile.drift).toBe(raw.drift);
    }
  });

  it('normalised Wasserstein on long-tailed columns (log-normal, exponential) within 2e-4', () => {
    const expo = (n: number, seed: number, scale: number) => {
      const rng = new Rng(seed);
      return Float64Array.from({ length: n }, () => -Math.log(1 - rng.random()) * scale);
    };
    const logn = (n: number, seed: number, mu: number) => normal(n, seed, mu, 1).map(Math.exp);
    for (const [ref, cur] of [[expo(30000, 91, 1), expo(200000, 92, 1)], [expo(30000, 93, 1), expo(200000, 94, 1.1)], [logn(30000, 95, 0), logn(100000, 96, 0)], [logn(30000, 97, 0), logn(100000, 98, 0.1)]] as const) {
      const { fromProfile, raw } = both(ref, cur);
      expect(fromProfile.method).toBe('wasserstein');
      expect(Math.abs(fromProfile.distance! - raw.distance!)).toBeLessThan(2e-4);
      expect(fromProfile.drift).toBe(raw.drift);
    }
  });

  it('KS, Jensen-Shannon and PSI on a large reference within stated tolerances', () => {
    const ref = normal(20000, 21);
    for (const [shift, seed] of [[0, 22], [0.3, 23]] as const) {
      const cur = normal(40000, seed, shift);
      const ks = both(ref, cur, 'ks');
      expect(Math.abs(ks.fromProfile.statistic! - ks.raw.statistic!)).toBeLessThan(2e-3);
      expect(ks.fromProfile.drift).toBe(ks.raw.drift);
      const js = both(ref, cur, 'jensenshannon');
      expect(Math.abs(js.fromProfile.distance! - js.raw.distance!)).toBeLessThan(5e-3);
      expect(js.fromProfile.drift).toBe(js.raw.drift);
      const p = both(ref, cur, 'psi');
      expect(Math.abs(p.fromProfile.distance! - p.raw.distance!)).toBeLessThan(5e-3);
      expect(p.fromProfile.drift).toBe(p.raw.drift);
    }
  });

  it('categorical columns: chi-squared (small), Z (two values) and Jensen-Shannon (large) exactly', () => {
    const cats = ['red', 'green', 'blue', 'grey'];
    const cases: Array<[number, number, number[]]> = [
      [500, 800, [1, 1, 1, 1]],
      [500, 800, [1, 2, 1, 1]],
      [5000, 20000, [1, 1, 1, 1]],
      [5000, 20000, [3, 1, 1, 1]],
    ];
    for (const [nr, nc, w] of cases) {
      const ref = pick(cats, nr, nr);
      const cur = pick(cats, nc, nc + 1, w);
      const { fromProfile, raw } = both(ref, cur);
      expect(fromProfile.method).toBe(raw.method);
      expect(fromProfile.drift).toBe(raw.drift);
      if (raw.pValue !== undefined) expect(fromProfile.pValue).toBeCloseTo(raw.pValue, 12);
      else expect(fromProfile.distance).toBeCloseTo(raw.distance!, 12);
    }
    const yes = both(pick(['yes', 'no'], 400, 1), pick(['yes', 'no'], 900, 2, [2, 1]));
    expect(yes.raw.method).toBe('z');
    expect(yes.fromProfile.method).toBe('z');
    expect(yes.fromProfile.statistic).toBeCloseTo(yes.raw.statistic!, 12);
    expect(yes.fromProfile.pValue).toBeCloseTo(yes.raw.pValue!, 12);
    // With more categories than topK, the rare ones share one bucket on both sides.
    const many = Array.from({ length: 50 }, (_, i) => `c${i}`);
    const refMany = pick(many, 5000, 5);
    const curMany = pick(many, 5000, 6);
    const topK = buildProfile({ task: 'regression', columns: { x: refMany }, predictions: new Float64Array(5000) }, { topK: 10 });
    expect(topK.columns.x).toMatchObject({ kind: 'categorical', distinct: 50, otherDistinct: 40 });
    const folded = profileDrift(topK, { columns: { x: curMany } }).columns.x!;
    expect(folded.method).toBe('jensenshannon');
    expect(folded.distance).toBeLessThan(0.05);
    expect(folded.drift).toBe(false);
    // A value the reference never had makes chi-squared infinite, as on raw data.
    const fresh = both(pick(cats, 300, 3), [...pick(cats, 300, 4), 'purple']);
    expect(fresh.fromProfile.pValue).toBe(0);
    expect(fresh.raw.pValue).toBe(0);
  });

  it('numeric columns with few values use the per-value tests exactly', () => {
    const ref = pick([1, 2, 3, 4], 700, 31);
    const cur = pick([1, 2, 3, 4], 3000, 32, [1, 1, 2, 1]);
    const { fromProfile, raw } = both(ref, cur);
    expect(raw.method).toBe('chisquare');
    expect(fromProfile.method).toBe('chisquare');
    expect(fromProfile.pValue).toBeCloseTo(raw.pValue!, 12);
    const big = both(pick([0, 1, 2, 3, 4, 5, 6, 7], 5000, 33), pick([0, 1, 2, 3, 4, 5, 6, 7, 8], 8000, 34));
    expect(big.raw.method).toBe('wasserstein');
    expect(big.fromProfile.distance).toBeCloseTo(big.raw.distance!, 9);
    // Integers with gaps in the reference's tails: current values fall between reference values.
    const rng = new Rng(35);
    const ages = Float64Array.from({ length: 20000 }, () => Math.round(40 + 12 * rng.normal()));
    const older = Float64Array.from({ length: 50000 }, () => Math.round(43 + 12 * rng.normal()));
    const gaps = both(ages, older);
    expect(gaps.profile.columns.x).toMatchObject({ exact: true });
    expect(gaps.fromProfile.distance).toBeCloseTo(gaps.raw.distance!, 12);
    const gapsKs = both(ages, older, 'ks');
    expect(gapsKs.fromProfile.statistic).toBe(gapsKs.raw.statistic);
    const js = both(pick([0, 1, 2, 3, 4, 5, 6, 7], 5000, 33), pick([0, 1, 2, 3, 4, 5, 6, 7, 8], 8000, 34), 'jensenshannon');
    expect(js.fromProfile.distance).toBeCloseTo(js.raw.distance!, 12);
  });

  it('dataset drift: same verdicts and share as datasetDrift, with per-kind and per-column overrides', () => {
    const n = 3000;
    const ref = { a: normal(n, 41), b: normal(n, 42, 10, 3), c: pick(['x', 'y', 'z'], n, 43), d: pick([0, 1], n, 44), e: normal(n, 45) };
    const cur = { a: normal(5000, 46, 0.5), b: normal(5000, 47, 10, 3), c: pick(['x', 'y', 'z'], 5000, 48, [3, 1, 1]), d: pick([0, 1], 5000, 49), e: normal(5000, 50, 0.05) };
    const profile = buildProfile({ task: 'regression', columns: ref, predictions: new Float64Array(n) });
    for (const opts of [{}, { perKind: { numeric: { threshold: 0.02 } } }, { perColumn: { b: { method: 'ks' as const } }, share: 0.3 }]) {
      const fromProfile = profileDrift(profile, { columns: cur }, opts);
      const raw = datasetDrift(ref, cur, opts);
      expect(fromProfile.driftedColumns).toBe(raw.driftedColumns);
      expect(fromProfile.shareDrifted).toBe(raw.shareDrifted);
      expect(fromProfile.drift).toBe(raw.drift);
      for (const name of Object.keys(ref)) {
        expect(fromProfile.columns[name]!.method).toBe(raw.columns[name]!.method);
        expect(fromProfile.columns[name]!.drift).toBe(raw.columns[name]!.drift);
      }
    }
  });

  it('streams: chunks give the same result as one batch, and a JSON round trip changes nothing', () => {
    const ref = { a: normal(5000, 51), b: pick(['p', 'q'], 5000, 52) };
    const cur = { a: normal(20000, 53, 0.2), b: pick(['p', 'q'], 20000, 54, [2, 1]) };
    const preds = normal(20000, 55);
    const profile = buildProfile({ task: 'regression', columns: ref, predictions: normal(5000, 56) });
    const once = profileDrift(profile, { columns: cur, predictions: preds });
    const sketch = new CurrentSketch(profile);
    for (let i = 0; i < 20000; i += 3000) sketch.add({ columns: { a: cur.a.subarray(i, i + 3000), b: cur.b.slice(i, i + 3000) }, predictions: preds.subarray(i, i + 3000) });
    expect(profileDrift(profile, sketch)).toEqual(once);
    const copy = JSON.parse(JSON.stringify(profile)) as ReferenceProfile;
    expect(profileDrift(copy, { columns: cur, predictions: preds })).toEqual(once);
    expect(once.prediction).toMatchObject({ column: 'prediction', method: 'wasserstein', drift: false });
  });

  it('prediction drift of a classifier compares predicted labels as categories', () => {
    const predRef = pick(['ham', 'spam'], 3000, 61, [3, 1]);
    const profile = buildProfile({ task: 'classification', columns: { a: normal(3000, 62) }, predictions: predRef, target: predRef, metrics: { accuracy: 0.9 }, classes: ['ham', 'spam'] });
    const cur = pick(['ham', 'spam'], 4000, 63, [1, 1]);
    const r = profileDrift(profile, { predictions: cur });
    const raw = columnDrift(predRef, cur, { column: 'prediction' });
    expect(r.prediction!.method).toBe(raw.method);
    expect(r.prediction!.distance).toBeCloseTo(raw.distance!, 12);
    expect(r.prediction!.drift).toBe(true);
    expect(r.numberOfColumns).toBe(0);
    expect(profile.target).toMatchObject({ kind: 'categorical', count: 3000 });
    // Labels are compared as text: 0/1 at training and '0'/'1' from the prediction log are the same classes.
    const numeric = buildProfile({ task: 'classification', columns: { a: [1, 2, 3, 4] }, predictions: [0, 1, 1, 0] });
    expect(profileDrift(numeric, { predictions: ['0', '1', '1', '0'] }).prediction).toMatchObject({ method: 'z', statistic: 0, drift: false });
  });

  it('text: descriptors as numeric columns and the domain classifier on the document sample', () => {
    const words = Array.from({ length: 300 }, (_, i) => `work${i}`);
    const spam = Array.from({ length: 300 }, (_, i) => `promo${i}`);
    const doc = (rng: Rng, bag: string[], extra: number): string => Array.from({ length: 6 + rng.int(8) }, () => bag[rng.int(bag.length)]!).join(' ') + '!'.repeat(extra);
    const rng = new Rng(71);
    const refTexts = Array.from({ length: 600 }, () => doc(rng, words, 0));
    const same = Array.from({ length: 500 }, () => doc(rng, words, 0));
    const shifted = Array.from({ length: 500 }, () => doc(rng, rng.random() < 0.5 ? spam : words, 3));
    const vocabulary = new Set(words);
    const profile = buildProfile({ task: 'classification', texts: refTexts, predictions: pick(['a', 'b'], 600, 72), vocabulary });
    expect(Object.keys(profile.columns).sort()).toEqual(['text.length', 'text.non_letter_share', 'text.oov_share']);
    expect(profile.text!.documents.length).toBe(600);
    expect(profile.input).toBe('text');
    for (const [cur, drifts] of [[same, false], [shifted, true]] as const) {
      const r = profileDrift(profile, { texts: cur });
      const dr = textDescriptors(refTexts, { vocabulary });
      const dc = textDescriptors(cur, { vocabulary });
      const raw = datasetDrift(
        { 'text.length': dr.length, 'text.oov_share': dr.oovShare!, 'text.non_letter_share': dr.nonLetterShare },
        { 'text.length': dc.length, 'text.oov_share': dc.oovShare!, 'text.non_letter_share': dc.nonLetterShare },
      );
      for (const name of Object.keys(raw.columns)) {
        expect(r.columns[name]!.pValue).toBeCloseTo(raw.columns[name]!.pValue!, 12);
        expect(r.columns[name]!.drift).toBe(raw.columns[name]!.drift);
      }
      expect(r.drift).toBe(drifts);
      const expected = domainClassifierDrift(refTexts, cur);
      expect(r.text!.domainClassifier!.rocAuc).toBeCloseTo(expected.rocAuc, 12);
      expect(r.text!.domainClassifier!.drift).toBe(drifts);
    }
    expect(profileDrift(profile, { texts: shifted }, { domainClassifier: false }).text).toBeUndefined();
    // A vocabulary stored hashed gives the same out-of-vocabulary shares (no collision among these words).
    const hashed = buildProfile({ task: 'classification', texts: refTexts, predictions: pick(['a', 'b'], 600, 72), vocabulary }, { vocabularyTerms: 10 });
    expect(hashed.text!.vocabulary).toBeUndefined();
    expect(hashed.text!.vocabularySize).toBe(300);
    expect(hashed.columns['text.oov_share']).toEqual(profile.columns['text.oov_share']);
    const lookup = profileVocabulary(hashed)!;
    expect([lookup.has('work7'), lookup.has('promo7')]).toEqual([true, false]);
    expect(profileDrift(hashed, { texts: shifted }).columns['text.oov_share']).toEqual(profileDrift(profile, { texts: shifted }).columns['text.oov_share']);
    const reread = JSON.parse(JSON.stringify(hashed)) as ReferenceProfile;
    expect(profileDrift(reread, { texts: shifted }, { domainClassifier: false })).toEqual(profileDrift(hashed, { texts: shifted }, { domainClassifier: false }));
    // The document sample keeps whole documents within the character budget.
    const small = buildProfile({ task: 'classification', texts: refTexts, predictions: pick(['a', 'b'], 600, 72) }, { textSampleChars: 5000 });
    const chars = small.text!.documents.reduce((a, d) => a + d.length, 0);
    expect(chars).toBeLessThanOrEqual(5000);
    expect(chars).toBeGreaterThan(4000);
    for (const d of small.text!.documents) expect(refTexts).toContain(d);
    // Documents without a word at all are told apart from the reference by its words alone.
    const empty = profileDrift(profile, { texts: ['!!', '??', '..', '--'] });
    expect(empty.text!.domainClassifier!.drift).toBe(true);
  });
});

describe('heldOutMetrics', () => {
  it('computes accuracy and macro F1, or RMSE, MAE and R², on the rows with a label and a prediction', () => {
    const c = heldOutMetrics('classification', ['a', 'b', 'a', null], ['a', 'b', 'b', 'a']);
    expect(c.accuracy).toBeCloseTo(2 / 3, 12);
    expect(c.f1).toBeCloseTo(2 / 3, 12);
    const r = heldOutMetrics('regression', [1, 2, 3, NaN], [1, 2, 5, 0]);
    expect(r.rmse).toBeCloseTo(Math.sqrt(4 / 3), 12);
    expect(r.mae).toBeCloseTo(2 / 3, 12);
    expect(r.r2).toBeCloseTo(1 - 4 / 2, 12);
    expect(heldOutMetrics('regression', [null], [1])).toEqual({});
  });
});

describe('profileDrift: errors', () => {
  const profile = buildProfile({ task: 'regression', columns: { a: [1, 2, 3, 4, 5, 6, 7], b: ['x', 'y', 'x', 'y', 'x', 'y', 'x'] }, predictions: [1, 2, 3, 4, 5, 6, 7] });
  it('names the column and the fix', () => {
    expect(() => profileDrift(profile, { columns: { a: [1, 'two'] } })).toThrow(/column "a" is numeric in the profile.*"two"/);
    expect(() => profileDrift(profile, { columns: { a: [1, 2] } }, { columns: ['a', 'b'] })).toThrow(/column "b" is missing from the current data/);
    expect(() => profileDrift(profile, { columns: { a: [null, NaN] } })).toThrow(/current sample is empty after dropping 2/);
    expect(() => profileDrift(profile, { columns: { b: ['x'] } }, { perColumn: { b: { method: 'ks' } } })).toThrow(/needs a numeric column/);
    expect(() => profileDrift(profile, { columns: { a: [1] } }, { share: 0 })).toThrow(/share must be in/);
    expect(() => buildProfile({ task: 'regression', columns: { a: [1, 2] }, predictions: [1] })).toThrow(/predictions has 1 rows but the reference has 2/);
    // A column with no value at all is listed, not sketched, and drift leaves it out.
    const holes = buildProfile({ task: 'regression', columns: { a: [1, 2, 3], gone: [null, NaN, null] }, predictions: [1, 2, 3] });
    expect(holes.emptyColumns).toEqual(['gone']);
    expect(Object.keys(holes.columns)).toEqual(['a']);
    expect(profileDrift(holes, { columns: { a: [1, 2], gone: [5, 6] } }).numberOfColumns).toBe(1);
  });
  it('refuses per-value tests on a sketched (non-exact) column', () => {
    const big = buildProfile({ task: 'regression', columns: { a: normal(5000, 81) }, predictions: normal(5000, 82) });
    expect(() => profileDrift(big, { columns: { a: normal(100, 83) } }, { perColumn: { a: { method: 'chisquare' } } })).toThrow(/compares values one by one/);
  });
});
