// The fused text path of Pipeline (vectorizer + linear classifier predicted in one pass per
// document): it must give the step-by-step path's predictions exactly and its probabilities within
// 1e-12, for every parameter the fast word path accepts, and follow refits, setParams and loads.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BaseEstimator } from '../base.js';
import { CountVectorizer, TfidfVectorizer } from '../feature-extraction/index.js';
import { LogisticRegression } from '../linear-model/index.js';
import { ComplementNB, MultinomialNB } from '../naive-bayes/index.js';
import { spamCorpus } from '../testing/fixtures/spam-corpus.js';
import { Pipeline } from './index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const edge = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'sklearn', 'text-edge.json'), 'utf8')) as { docs: string[]; unseen: string[] };

/** The step-by-step path: the vectorizer's transform, then the classifier. */
function byHand(pipe: Pipeline, docs: string[]): { labels: unknown[]; proba: Float64Array } {
  const [vec, clf] = pipe.steps.map((s) => s[1]) as [any, any];
  const X = vec.transform(docs);
  return { labels: clf.predict(X), proba: clf.predictProba(X).data };
}

/** Asserts that the pipeline (fused) matches the step-by-step path on `docs`, in one batch and one document at a time (every `aloneEvery`-th). */
function expectSameAsByHand(pipe: Pipeline, docs: string[], what: string, aloneEvery = 1): void {
  const ref = byHand(pipe, docs);
  expect(pipe.predict(docs), `${what}: batch predictions`).toEqual(ref.labels);
  const proba = pipe.predictProba(docs).data;
  const k = proba.length / docs.length;
  let worst = 0;
  for (let p = 0; p < proba.length; p++) worst = Math.max(worst, Math.abs(proba[p]! - ref.proba[p]!));
  for (let i = 0; i < docs.length; i += aloneEvery) {
    expect(pipe.predict([docs[i]!])[0], `${what}: document ${i} alone`).toEqual(ref.labels[i]);
    const one = pipe.predictProba([docs[i]!]).data;
    for (let c = 0; c < k; c++) worst = Math.max(worst, Math.abs(one[c]! - ref.proba[i * k + c]!));
  }
  expect(worst, `${what}: largest probability difference`).toBeLessThanOrEqual(1e-12);
}

const isFused = (pipe: Pipeline): boolean => (pipe as any).fused !== undefined;

describe('Pipeline: fused text path', () => {
  // The benchmark's split of the whole built-in corpus: document i is a test document when i % 5 === 4.
  const { docs, labels } = spamCorpus(1);
  const train = docs.filter((_, i) => i % 5 !== 4);
  const yTrain = labels.filter((_, i) => i % 5 !== 4);
  const test = docs.filter((_, i) => i % 5 === 4);

  it('TF-IDF + MultinomialNB and TF-IDF(1,2) + LogisticRegression on the whole spam-assassin test split', () => {
    const nb = new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]).fit(train, yTrain);
    expectSameAsByHand(nb, test, 'nb', 4);
    expect(isFused(nb)).toBe(true);
    const lr = new Pipeline([['tfidf', new TfidfVectorizer({ ngramRange: [1, 2] })], ['clf', new LogisticRegression()]]).fit(train, yTrain);
    expectSameAsByHand(lr, test, 'lr', 4);
    expect(isFused(lr)).toBe(true);
    // A loaded pipeline numbers its features otherwise (its reader's hot tables may hold other
    // terms among equal idfs), yet it sums in the same order: the same probabilities to the bit.
    for (const [name, pipe] of [['nb', nb], ['lr', lr]] as const) {
      const back = BaseEstimator.fromSnapshot(pipe.toSnapshot()) as Pipeline;
      expect(back.predictProba(test).data, `${name}: loaded`).toEqual(pipe.predictProba(test).data);
    }
  }, 120_000);

  const small = spamCorpus(12);
  const variants: [string, () => Pipeline][] = [
    ['CountVectorizer + MultinomialNB', () => new Pipeline([['v', new CountVectorizer()], ['c', new MultinomialNB({ alpha: 0.1 })]])],
    ['binary counts, minDf 2, maxDf 0.5', () => new Pipeline([['v', new CountVectorizer({ binary: true, minDf: 2, maxDf: 0.5 })], ['c', new MultinomialNB()]])],
    ['sublinearTf, norm l1', () => new Pipeline([['v', new TfidfVectorizer({ sublinearTf: true, norm: 'l1' })], ['c', new MultinomialNB()]])],
    ['norm null, useIdf false', () => new Pipeline([['v', new TfidfVectorizer({ norm: null, useIdf: false })], ['c', new MultinomialNB()]])],
    ['smoothIdf false, english stop words, bigrams only', () => new Pipeline([['v', new TfidfVectorizer({ smoothIdf: false, stopWords: 'english', ngramRange: [2, 2] })], ['c', new LogisticRegression()]])],
    ['stop words with unigrams and bigrams, maxFeatures', () => new Pipeline([['v', new TfidfVectorizer({ stopWords: 'english', ngramRange: [1, 2], maxFeatures: 3000 })], ['c', new MultinomialNB()]])],
    ['lowercase false, accents stripped', () => new Pipeline([['v', new TfidfVectorizer({ lowercase: false, stripAccents: 'unicode' })], ['c', new LogisticRegression({ C: 10 })]])],
    ['one-character tokens', () => new Pipeline([['v', new TfidfVectorizer({ tokenPattern: '(?u)\\b\\w+\\b' })], ['c', new MultinomialNB()]])],
    ['a fixed vocabulary with a stop word', () => new Pipeline([['v', new TfidfVectorizer({ vocabulary: ['the', 'money', 'free', 'click here', 'meeting', 'zzz'], stopWords: ['the'] })], ['c', new MultinomialNB()]])],
  ];
  for (const [name, make] of variants) {
    it(`${name}: same as step by step (corpus subset and Unicode edge cases)`, () => {
      const pipe = make().fit(small.docs, small.labels);
      expectSameAsByHand(pipe, [...small.docs.slice(0, 60), ...edge.docs, ...edge.unseen], name);
      expect(isFused(pipe)).toBe(true);
    });
  }

  it('fitted on the edge cases themselves (astral characters, accents, empty documents, unseen tokens)', () => {
    const y = edge.docs.map((_, i) => (i % 2 === 0 ? 'a' : 'b'));
    for (const params of [{}, { stripAccents: 'ascii' as const }, { stripAccents: 'unicode' as const, lowercase: false }, { ngramRange: [1, 2] as [number, number] }]) {
      const pipe = new Pipeline([['v', new TfidfVectorizer(params)], ['c', new MultinomialNB()]]).fit(edge.docs, y);
      expectSameAsByHand(pipe, [...edge.docs, ...edge.unseen, '', '   ', '😀'], JSON.stringify(params));
    }
  });

  it('stop words and terms beyond the hot tables (longer than 32 units, rare) are resolved as in transform', () => {
    // The reader keeps only short, frequent terms in its hot tables; a long stop word must still be
    // dropped before bigrams are formed, and long or rare terms and bigrams still counted.
    const long = 'x'.repeat(40);
    const longTerm = 'verylongtermthatisfarbeyondthehottablelimit';
    const docs = small.docs.slice(0, 120).map((d, i) => (i % 3 === 0 ? `${d} alpha ${long} beta ${longTerm} gamma ${longTerm} ${long}` : d));
    const labels = small.labels.slice(0, 120);
    for (const ngramRange of [[1, 2], [2, 2], [1, 1]] as [number, number][]) {
      const pipe = new Pipeline([['v', new TfidfVectorizer({ stopWords: ['the', long], ngramRange })], ['c', new MultinomialNB()]]).fit(docs, labels);
      const vocab = (pipe.steps[0]![1] as TfidfVectorizer).vocabulary_!;
      if (ngramRange[1] === 2) expect(vocab.has(`alpha beta`), `${ngramRange}: the stop word is dropped before bigrams`).toBe(true);
      const probe = [...docs.slice(0, 40), `alpha ${long} beta ${longTerm} ${longTerm} the end`];
      expectSameAsByHand(pipe, probe, `long stop word, ngramRange ${ngramRange}`);
      expect(isFused(pipe)).toBe(true);
      // The reader's counts themselves, column by column, against transform's.
      const counts = new CountVectorizer({ stopWords: ['the', long], ngramRange }).fit(docs);
      const X = counts.transform(probe);
      const { reader } = counts.docVectorizer()!;
      probe.forEach((doc, i) => {
        const n = reader.read(doc, 'test');
        const got = new Map<number, number>();
        for (let q = 0; q < n; q++) {
          const c = reader.cols[q]!;
          got.set(c < reader.hotCols.length ? reader.hotCols[c]! : c - reader.hotCols.length, reader.counts[q]!);
        }
        const want = new Map<number, number>();
        for (let k = X.indptr[i]!; k < X.indptr[i + 1]!; k++) want.set(X.indices[k]!, X.data[k]!);
        expect(got, `${ngramRange}: reader counts of document ${i}`).toEqual(want);
      });
    }
  });

  it('falls back to the step-by-step path where it does not apply, with the same errors', () => {
    const tri = new Pipeline([['v', new TfidfVectorizer({ ngramRange: [1, 3] })], ['c', new MultinomialNB()]]).fit(small.docs, small.labels);
    expectSameAsByHand(tri, small.docs.slice(0, 20), 'trigrams');
    expect(isFused(tri)).toBe(false);
    const cnb = new Pipeline([['v', new TfidfVectorizer()], ['c', new ComplementNB()]]).fit(small.docs, small.labels);
    expectSameAsByHand(cnb, small.docs.slice(0, 20), 'ComplementNB');
    expect(isFused(cnb)).toBe(false);
    const nb = new Pipeline([['v', new TfidfVectorizer()], ['c', new MultinomialNB()]]).fit(small.docs, small.labels);
    expect(() => nb.predict('one string' as any)).toThrow(/string object received/);
    expect(() => nb.predict(['ok', null] as any)).toThrow(/document 1 is null/);
    expect(() => nb.predict([])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new Pipeline([['v', new TfidfVectorizer()], ['c', new MultinomialNB()]]).predict(['x'])).toThrow(expect.objectContaining({ code: 'NOT_FITTED' }));
    const pre = (d: string): string => (d === 'bad' ? (42 as unknown as string) : d.toLowerCase());
    const custom = new Pipeline([['v', new TfidfVectorizer({ preprocessor: pre })], ['c', new MultinomialNB()]]).fit(small.docs, small.labels);
    expectSameAsByHand(custom, small.docs.slice(0, 20), 'custom preprocessor');
    expect(isFused(custom)).toBe(true);
    expect(() => custom.predict(['fine', 'bad'])).toThrow(/preprocessor returned number for document 1/);
  });

  it('follows refits, setParams on a step, a step refitted on its own and a save/load round trip', () => {
    const vec = new TfidfVectorizer();
    const clf = new MultinomialNB();
    const pipe = new Pipeline([['v', vec], ['c', clf]]).fit(small.docs, small.labels);
    const probe = [...small.docs.slice(0, 30), ...edge.unseen];
    expectSameAsByHand(pipe, probe, 'first fit');
    pipe.fit(small.docs.slice(0, 200), small.labels.slice(0, 200));
    expectSameAsByHand(pipe, probe, 'refit');
    pipe.setParams({ 'v.norm': 'l1', 'v.sublinearTf': true });
    expectSameAsByHand(pipe, probe, 'setParams without refit');
    pipe.setParams({ 'v.lowercase': false });
    expectSameAsByHand(pipe, probe, 'setParams of the analyzer without refit');
    clf.fit(vec.transform(small.docs.slice(100)), small.labels.slice(100));
    expectSameAsByHand(pipe, probe, 'classifier refitted alone');
    const back = BaseEstimator.fromSnapshot(pipe.toSnapshot()) as Pipeline;
    expect(back.predict(probe)).toEqual(pipe.predict(probe));
    expectSameAsByHand(back, probe, 'loaded');
  });
});
