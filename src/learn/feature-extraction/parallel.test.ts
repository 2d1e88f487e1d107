// Counting on worker threads (nJobs) gives exactly the single-threaded result.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import type { CsrMatrix } from '../../core/index.js';
import { BaseEstimator } from '../base.js';
import { CountVectorizer, TfidfVectorizer, type CountVectorizerParams, type TfidfVectorizerParams } from './index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The first 300 documents of the built-in corpus, plus a few edge cases (empty, astral, stop words only). */
function corpus(): string[] {
  const dir = join(ROOT, 'node_modules', '@stdlib', 'datasets-spam-assassin', 'data');
  const files = (JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[]).slice(0, 300);
  const texts = files.map((f) => (JSON.parse(readFileSync(join(dir, f.replace('txt', 'json')), 'utf8')) as { text: string }).text);
  texts.splice(10, 0, '', 'the and of', 'Ünïcödé 𝐰𝐨𝐫𝐝 𝐰𝐨𝐫𝐝 naïve café', 'a b c');
  texts.push('zzz unique last term here here');
  return texts;
}

function expectSameCsr(a: CsrMatrix, b: CsrMatrix): void {
  expect(a.rows).toBe(b.rows);
  expect(a.cols).toBe(b.cols);
  expect(a.indptr).toEqual(b.indptr);
  expect(a.indices.subarray(0, a.nnz)).toEqual(b.indices.subarray(0, b.nnz));
  expect(a.data.subarray(0, a.nnz)).toEqual(b.data.subarray(0, b.nnz));
}

const docs = corpus();

/** Cases, with the thread counts to compare (3 splits the documents unevenly across 2 cores). */
const countCases: [string, Partial<CountVectorizerParams>, number[]?][] = [
  ['defaults', {}, [2, 3]],
  ['ngramRange [1, 2]', { ngramRange: [1, 2] }],
  ['ngramRange [2, 3]', { ngramRange: [2, 3] }, [2, 3]],
  ["stopWords 'english', minDf 2, maxDf 0.9", { stopWords: 'english', minDf: 2, maxDf: 0.9 }],
  ['maxFeatures 500', { maxFeatures: 500 }],
  ['binary', { binary: true, ngramRange: [1, 2] }],
  ["stripAccents 'unicode', lowercase false", { stripAccents: 'unicode', lowercase: false }],
];

describe('CountVectorizer nJobs', () => {
  for (const [name, params, jobs = [2]] of countCases) {
    it(`gives the single-threaded result: ${name}`, () => {
      const one = new CountVectorizer({ ...params, nJobs: 1 });
      const X1 = one.fitTransform(docs);
      for (const nJobs of jobs) {
        const par = new CountVectorizer({ ...params, nJobs });
        const X2 = par.fitTransform(docs);
        expect(par.getFeatureNamesOut()).toEqual(one.getFeatureNamesOut());
        expect([...par.vocabulary_!]).toEqual([...one.vocabulary_!]);
        expect([...par.stopWords_!].sort()).toEqual([...one.stopWords_!].sort());
        expectSameCsr(X2, X1);
        // The engine learned in parallel transforms as the single-threaded one.
        expectSameCsr(par.transform(docs.slice(0, 50)), one.transform(docs.slice(0, 50)));
      }
    });
  }

  it('handles fewer documents than threads', () => {
    const small = ['alpha beta', 'beta gamma'];
    const X1 = new CountVectorizer({ nJobs: 1 }).fitTransform(small);
    expectSameCsr(new CountVectorizer({ nJobs: 4 }).fitTransform(small), X1);
  });

  it('is a normal parameter: getParams, setParams, clone, snapshot', () => {
    const cv = new CountVectorizer({ nJobs: 2 });
    expect(cv.getParams().nJobs).toBe(2);
    expect(new CountVectorizer().getParams().nJobs).toBeNull();
    expect(cv.clone().getParams().nJobs).toBe(2);
    cv.setParams({ nJobs: -1 });
    expect(cv.getParams().nJobs).toBe(-1);
    cv.fit(docs);
    const back = BaseEstimator.fromSnapshot(cv.toSnapshot()) as CountVectorizer;
    expect(back.getParams().nJobs).toBe(-1);
    expect(back.getFeatureNamesOut()).toEqual(cv.getFeatureNamesOut());
  });

  it('rejects a non-integer nJobs', () => {
    expect(() => new CountVectorizer({ nJobs: 1.5 }).fit(docs)).toThrow(/nJobs/);
  });
});

describe('TfidfVectorizer nJobs', () => {
  const cases: [string, Partial<TfidfVectorizerParams>][] = [
    ['defaults', {}],
    ['sublinearTf, ngramRange [1, 2], minDf 2', { sublinearTf: true, ngramRange: [1, 2], minDf: 2 }],
  ];
  for (const [name, params] of cases) {
    it(`gives the single-threaded result: ${name}`, () => {
      const one = new TfidfVectorizer({ ...params, nJobs: 1 });
      const X1 = one.fitTransform(docs);
      const par = new TfidfVectorizer({ ...params, nJobs: 2 });
      const X2 = par.fitTransform(docs);
      expect(par.getFeatureNamesOut()).toEqual(one.getFeatureNamesOut());
      expect(par.idf_).toEqual(one.idf_);
      expectSameCsr(X2, X1);
    });
  }
});
