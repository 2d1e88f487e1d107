// Parity with scikit-learn 1.2.1: fixtures from scripts/sklearn-fixtures/text_features.py.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect, beforeAll } from 'vitest';
import { CsrMatrix } from '../../core/index.js';
import { registerFunction } from '../base.js';
import { CountVectorizer, TfidfTransformer, TfidfVectorizer, HashingVectorizer } from './index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'sklearn');
const fixture = (name: string): any => JSON.parse(readFileSync(join(FIX, name), 'utf8'));

/** The built-in corpus exactly as scripts/sklearn-fixtures/_common.py reads it. */
function spamAssassinTexts(): string[] {
  const dir = join(ROOT, 'node_modules', '@stdlib', 'datasets-spam-assassin', 'data');
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[];
  return files.map((f) => (JSON.parse(readFileSync(join(dir, f.replace('txt', 'json')), 'utf8')) as { text: string }).text);
}

const PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
// Python's str.split() and a lowercase-then-split analyzer, as passed to scikit-learn in the script.
registerFunction('py_str_split', (s: string) => s.split(PY_SPACE).filter((t) => t !== ''));
registerFunction('py_lower_split', (s: string) => s.toLowerCase().split(PY_SPACE).filter((t) => t !== ''));

const shaBytes = (a: Int32Array | Float64Array): string => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
const shaNames = (names: string[]): string => createHash('sha256').update(names.join('\n'), 'utf8').digest('hex');

function close(actual: number, expected: number, what: string, tol = 1e-12): void {
  const scale = Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tol * scale)) {
    expect.fail(`${what}: got ${actual}, expected ${expected} (diff ${actual - expected})`);
  }
}

function closeArray(actual: ArrayLike<number>, expected: number[], what: string): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) close(actual[k]!, expected[k]!, `${what}[${k}]`);
}

/** Compares a CSR matrix with a summary written by the script's `summary()`. */
function expectMatrix(X: CsrMatrix, s: any, what: string): void {
  expect([X.rows, X.cols], `${what} shape`).toEqual(s.shape);
  expect(X.nnz, `${what} nnz`).toBe(s.nnz);
  expect(shaBytes(X.indptr), `${what} indptr`).toBe(s.indptr_sha256);
  expect(shaBytes(X.indices.subarray(0, X.nnz)), `${what} indices`).toBe(s.indices_sha256);
  let sum = 0;
  for (let p = 0; p < X.nnz; p++) sum += X.data[p]!;
  close(sum, s.data_sum, `${what} data sum`, 1e-11);
  for (const [row, [idx, vals]] of Object.entries(s.rows as Record<string, [number[], number[]]>)) {
    const i = Number(row);
    const a = X.indptr[i]!;
    const b = X.indptr[i + 1]!;
    expect(Array.from(X.indices.subarray(a, b)), `${what} row ${i} indices`).toEqual(idx);
    closeArray(X.data.subarray(a, b), vals, `${what} row ${i} data`);
  }
  if (s.row_sums) {
    for (let i = 0; i < X.rows; i++) {
      let rs = 0;
      let ws = 0;
      for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) {
        rs += X.data[p]!;
        ws += X.data[p]! * ((X.indices[p]! % 13) + 1);
      }
      close(rs, s.row_sums[i], `${what} row ${i} sum`);
      close(ws, s.row_wsums[i], `${what} row ${i} weighted sum`);
    }
  }
}

function runCase(c: any, train: string[], test: string[], name: string): void {
  if (c.kind === 'hashing') {
    const hv = new HashingVectorizer(c.params);
    expectMatrix(hv.fitTransform(train), c.train, `${name} train`);
    expectMatrix(hv.transform(test), c.test, `${name} test`);
    return;
  }
  if (c.kind === 'tfidf_transformer') {
    const cv = new CountVectorizer().fit(train);
    const tt = new TfidfTransformer(c.params);
    expect(cv.getFeatureNamesOut()).toEqual(c.features);
    expectMatrix(tt.fitTransform(cv.transform(train)), c.train, `${name} train`);
    expectMatrix(tt.transform(cv.transform(test)), c.test, `${name} test`);
    if (c.idf) closeArray(tt.idf_!, c.idf, `${name} idf`);
    else expect(tt.idf_).toBeUndefined();
    return;
  }
  const est = c.kind === 'count' ? new CountVectorizer(c.params) : new TfidfVectorizer(c.params);
  const Xtr = est.fitTransform(train);
  expect(est.getFeatureNamesOut(), `${name} features`).toEqual(c.features);
  expect([...est.stopWords_!].sort(), `${name} stopWords_`).toEqual([...c.stop_words].sort());
  if (est instanceof TfidfVectorizer) {
    if (c.idf) closeArray(est.idf_!, c.idf, `${name} idf`);
    else expect(est.idf_).toBeUndefined();
  }
  expectMatrix(Xtr, c.train, `${name} train`);
  expectMatrix(est.transform(test), c.test, `${name} test (unseen documents)`);
}

describe('text vectorizers: edge cases vs scikit-learn (Unicode, accents, empty doc, unseen tokens)', () => {
  const fx = fixture('text-edge.json');
  for (const [name, c] of Object.entries(fx.cases as Record<string, any>)) {
    it(name, () => runCase(c, fx.docs, fx.unseen, name));
  }
});

describe('text vectorizers: every option on a corpus subset vs scikit-learn', () => {
  const fx = fixture('text-subset.json');
  let train: string[] = [];
  let test: string[] = [];
  beforeAll(() => {
    const docs = spamAssassinTexts()
      .filter((_, i) => i % fx.step === 0)
      .map((t) => sliceCodePoints(t, fx.chars));
    train = docs.slice(0, fx.n_train);
    test = docs.slice(fx.n_train);
    expect(test.length).toBe(fx.n_test);
  });
  for (const [name, c] of Object.entries(fx.cases as Record<string, any>)) {
    it(name, () => runCase(c, train, test, name));
  }
});

/** Lets vitest's worker answer its runner between long synchronous steps. */
const yieldToRunner = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Python's `t[:n]` (code points, not UTF-16 units). */
function sliceCodePoints(t: string, n: number): string {
  let units = 0;
  let cps = 0;
  while (units < t.length && cps < n) {
    const c = t.charCodeAt(units);
    units += c >= 0xd800 && c < 0xdc00 && units + 1 < t.length ? 2 : 1;
    cps++;
  }
  return t.slice(0, units);
}

describe('text vectorizers: the full built-in corpus vs scikit-learn', () => {
  const fx = fixture('text-corpus.json');
  let texts: string[] = [];
  beforeAll(() => {
    texts = spamAssassinTexts();
    expect(texts.length).toBe(fx.n_docs);
  });
  for (const c of fx.cases as any[]) {
    it(`TfidfVectorizer ${c.name}: vocabulary, df, idf and matrix`, async () => {
      const tv = new TfidfVectorizer(c.params);
      const X = tv.fitTransform(texts);
      await yieldToRunner();
      const names = tv.getFeatureNamesOut();
      expect(names.length).toBe(c.n_features);
      for (const [i, t] of Object.entries(c.features_sample as Record<string, string>)) expect(names[Number(i)]).toBe(t);
      expect(shaNames(names)).toBe(c.features_sha256);
      expect(tv.stopWords_!.size).toBe(c.stop_words_size);
      expect(shaNames([...tv.stopWords_!].sort())).toBe(c.stop_words_sha256);
      const idf = tv.idf_!;
      for (const [i, v] of Object.entries(c.idf_sample as Record<string, number>)) close(idf[Number(i)]!, v, `idf[${i}]`);
      let s = 0;
      for (const v of idf) s += v;
      close(s, c.idf_sum, 'idf sum', 1e-11);
      expectMatrix(X, c.tfidf, c.name);
      const { sublinearTf: _unused, ...countParams } = c.params;
      await yieldToRunner();
      const counts = new CountVectorizer(countParams).fitTransform(texts);
      const df = new Int32Array(counts.cols);
      for (let p = 0; p < counts.nnz; p++) df[counts.indices[p]!]!++;
      expect(shaBytes(df), 'document frequencies').toBe(c.df_sha256);
      expect(shaBytes(counts.indices), 'count indices').toBe(c.counts_indices_sha256);
      expect(shaBytes(counts.data), 'count values (exact)').toBe(c.counts_data_sha256);
    });
  }
  it('HashingVectorizer defaults', async () => {
    await yieldToRunner();
    const H = new HashingVectorizer().transform(texts);
    const h = fx.hashing_default;
    expect(H.nnz).toBe(h.nnz);
    expect(shaBytes(H.indptr)).toBe(h.indptr_sha256);
    expect(shaBytes(H.indices)).toBe(h.indices_sha256);
    let s = 0;
    let a = 0;
    for (const v of H.data) {
      s += v;
      a += Math.abs(v);
    }
    close(s, h.data_sum, 'data sum', 1e-10);
    close(a, h.abs_data_sum, 'abs data sum', 1e-10);
  });
});
