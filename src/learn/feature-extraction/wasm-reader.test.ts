// The word engine's WebAssembly reader and fused scorer must give the JavaScript reader's columns
// and counts, and the JavaScript scoring's bits, on every document: Unicode (every unit of the
// Basic Multilingual Plane, lowercased or not), surrogates (left to JavaScript), stop words, long
// and rare terms, and every parameter the fast word path accepts.
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../compose/index.js';
import { LogisticRegression } from '../linear-model/index.js';
import { MultinomialNB } from '../naive-bayes/index.js';
import { spamCorpus } from '../testing/fixtures/spam-corpus.js';
import { CountVectorizer, TfidfVectorizer, type CountVectorizerParams } from './index.js';
import { PAIR_INLINE, WasmReader } from './wasm-reader.js';

type Any = any;

/** Reads `docs` with the reader's WebAssembly path and its JavaScript path; returns the documents whose columns or counts differ, and how many the WebAssembly path read. */
function compareReaders(vec: CountVectorizer, docs: string[]): { differ: number[]; inWasm: number } {
  const reader = vec.docVectorizer()!.reader as Any;
  reader.read('', 'test');
  const wasm = reader.wasm;
  expect(wasm, 'the WebAssembly reader is made').toBeTruthy();
  const differ: number[] = [];
  let inWasm = 0;
  docs.forEach((doc, i) => {
    reader.wasm = wasm;
    const n = reader.read(doc, 'test');
    const a = [Array.from(reader.cols.subarray(0, n)), Array.from(reader.counts.subarray(0, n))];
    if (wasm.read(wasm.lowercase ? doc : reader.prepare(doc, 'test')) >= 0) inWasm++;
    reader.wasm = null;
    const m = reader.read(doc, 'test');
    const b = [Array.from(reader.cols.subarray(0, m)), Array.from(reader.counts.subarray(0, m))];
    if (JSON.stringify(a) !== JSON.stringify(b)) differ.push(i);
  });
  reader.wasm = wasm;
  return { differ, inWasm };
}

/** Every unit of the Basic Multilingual Plane outside the surrogates, 256 to a document, alone, inside words, doubled and next to capitals. */
function bmpDocs(): string[] {
  const docs: string[] = [];
  for (let base = 0; base < 0x10000; base += 256) {
    if (base >= 0xd800 && base < 0xe000) continue;
    const parts: string[] = [];
    for (let c = base; c < base + 256; c++) {
      const ch = String.fromCharCode(c);
      parts.push(`${ch} x${ch}y ${ch}${ch} Q${ch}Z ab${ch}${ch}cdefgh`);
    }
    docs.push(parts.join(' '));
  }
  return docs;
}

const unicode = [
  'İstanbul İİ iİi',
  'ΣΊΣΥΦΟΣ ΌΣΟΣ σοφός ΣΑΣ Σ',
  'Straße STRASSE ẞ groß',
  'ПРИВЕТ мир Ёлка',
  'ǅemal ǄǅǆLj',
  'Ⅻ ⅻ Ⅻx',
  'K Å Ω KELVIN',
  'naïve café CAFÉ Ünïcödé',
  '𝐰𝐨𝐫𝐝 𝐰𝐨𝐫𝐝 word 😀 a😀b',
  '',
  '   ',
  'x'.repeat(40) + ' ' + 'y'.repeat(5) + ' abcd abcde abcdefgh abcdefghi',
];

describe('WebAssembly document reader', () => {
  const small = spamCorpus(12);
  // Ham, then spam, then the edge cases.
  const corpus = [...small.docs.slice(0, 75), ...small.docs.slice(-75), ...unicode];
  const corpusLabels = [...small.labels.slice(0, 75), ...small.labels.slice(-75), ...unicode.map((_, i) => (i % 2 ? 'ham' : 'spam'))];
  const cases: [string, Partial<CountVectorizerParams>][] = [
    ['defaults', {}],
    ['ngramRange [1, 2]', { ngramRange: [1, 2] }],
    ['bigrams only, english stop words', { ngramRange: [2, 2], stopWords: 'english' }],
    ['a long stop word, unigrams and bigrams', { ngramRange: [1, 2], stopWords: ['the', 'x'.repeat(40), 'and'] }],
    ['lowercase false', { lowercase: false, ngramRange: [1, 2] }],
    ['accents stripped', { stripAccents: 'unicode' }],
    ['one-character tokens', { tokenPattern: '(?u)\\b\\w+\\b', ngramRange: [1, 2] }],
    ['minDf 2, maxFeatures 2000', { minDf: 2, maxFeatures: 2000, ngramRange: [1, 2] }],
  ];
  for (const [name, params] of cases) {
    it(`${name}: the JavaScript reader's columns and counts`, () => {
      const vec = new CountVectorizer(params).fit(corpus);
      const probe = [...corpus, ...small.docs.slice(150, 220), 'unseen tokens zzqx here', 'the the the'];
      const { differ, inWasm } = compareReaders(vec, probe);
      expect(differ, name).toEqual([]);
      // Only the documents with a surrogate (or, lowercasing, İ or a capital sigma) are left to JavaScript.
      expect(inWasm, name).toBeGreaterThanOrEqual(probe.length - 4);
    });
  }

  it('every unit of the Basic Multilingual Plane, lowercased or not', () => {
    const docs = bmpDocs();
    for (const params of [{}, { lowercase: false }, { ngramRange: [1, 2] as [number, number] }]) {
      const vec = new CountVectorizer(params).fit(docs);
      const { differ, inWasm } = compareReaders(vec, docs);
      expect(differ, JSON.stringify(params)).toEqual([]);
      // Lowercasing leaves the blocks of İ (U+0100-U+01FF) and capital sigma (U+0300-U+03FF) to JavaScript.
      expect(inWasm, JSON.stringify(params)).toBe(docs.length - ('lowercase' in params ? 0 : 2));
    }
  });

  it("a binary model's scorer holds its bigram rows in its bigram table, which the JavaScript reader and a later counting reader then read", () => {
    const pipe = new Pipeline([['v', new TfidfVectorizer({ ngramRange: [1, 2] })], ['c', new LogisticRegression()]]);
    pipe.fit(corpus, corpusLabels);
    pipe.predictProba(corpus.slice(0, 3));
    const fused = (pipe as Any).fused;
    expect(fused.scorer.copies.pairLayout).toEqual(PAIR_INLINE);
    // The engine now reads that table (8 values a slot): the JavaScript reader, and a counting
    // reader made from it (plain slots), must still give the columns and counts.
    expect(fused.doc.reader.pairCol.off).toBe(PAIR_INLINE.off);
    const vec = (pipe as Any).steps[0][1] as TfidfVectorizer;
    const reader = fused.doc.reader as Any;
    expect(vec.docVectorizer()!.reader).toBe(reader);
    // Without the hot bigram table (a small corpus's bigrams are all hot), every bigram is looked up there.
    reader.setHot(reader.hotCols, reader.hotTok, reader.hotUnits, reader.hotTokMask, new Int32Array(4), 0);
    const probe = [...corpus, ...small.docs.slice(150, 220), 'unseen tokens zzqx here'];
    const { differ, inWasm } = compareReaders(vec, probe);
    expect(differ).toEqual([]);
    expect(inWasm).toBeGreaterThanOrEqual(probe.length - 4);
    expect((vec.docVectorizer()!.reader as Any).wasm.copies.pairLayout.stride).toBe(4);
  });

  it('scores the bigrams found in its big table (rows inline) as those found in the hot table, to the bit', () => {
    const pipe = new Pipeline([['v', new TfidfVectorizer({ ngramRange: [1, 2] })], ['c', new LogisticRegression()]]);
    pipe.fit(corpus, corpusLabels);
    pipe.predictProba(corpus.slice(0, 3));
    const fused = (pipe as Any).fused;
    const reader = fused.doc.reader as Any;
    const d = fused.doc;
    const model = { rows: fused.rows, weights: fused.weights, bias: fused.bias, nFeatures: d.nFeatures, idf: d.idf, binary: d.binary, norm: d.norm, hotCols: reader.hotCols };
    // A small corpus's bigrams are all hot: without the hot bigram table, every one is looked up in the big table.
    const cold = WasmReader.create({ ...reader.tables(), hotPair: new Int32Array(4), hotPairMask: 0, scoring: model })!;
    expect(cold.copies!.pairLayout).toEqual(PAIR_INLINE);
    const a = new Float64Array(1);
    const b = new Float64Array(1);
    let scored = 0;
    for (const doc of [...small.docs.slice(100, 200), 'unseen tokens zzqx here']) {
      if (!fused.scorer.score(doc, a, 0)) continue;
      expect(cold.score(doc, b, 0)).toBe(true);
      expect(b[0], doc.slice(0, 40)).toBe(a[0]);
      scored++;
    }
    expect(scored).toBeGreaterThan(90);
  });

  it('the fused scorer gives the JavaScript scoring to the bit, and is used where it applies', () => {
    const pipes: [string, Pipeline][] = [
      ['nb', new Pipeline([['v', new TfidfVectorizer()], ['c', new MultinomialNB()]])],
      ['lr bigrams', new Pipeline([['v', new TfidfVectorizer({ ngramRange: [1, 2] })], ['c', new LogisticRegression()]])],
      ['binary, l1', new Pipeline([['v', new TfidfVectorizer({ binary: true, norm: 'l1' })], ['c', new MultinomialNB()]])],
      ['no norm, no idf', new Pipeline([['v', new TfidfVectorizer({ norm: null, useIdf: false })], ['c', new MultinomialNB()]])],
      ['three classes', new Pipeline([['v', new CountVectorizer({ ngramRange: [1, 2] })], ['c', new LogisticRegression()]])],
      ['sublinear tf (JavaScript only)', new Pipeline([['v', new TfidfVectorizer({ sublinearTf: true })], ['c', new MultinomialNB()]])],
    ];
    const probe = [...small.docs.slice(100, 200), ...unicode];
    for (const [name, pipe] of pipes) {
      const labels = name === 'three classes' ? corpus.map((_, i) => ['a', 'b', 'c'][i % 3]!) : corpusLabels;
      pipe.fit(corpus, labels);
      const fast = pipe.predictProba(probe).data;
      const fused = (pipe as Any).fused;
      expect(fused.scorer === null, `${name}: scorer`).toBe(name.startsWith('sublinear'));
      const scorer = fused.scorer;
      fused.scorer = null;
      fused.doc.reader.wasm = null;
      const js = pipe.predictProba(probe).data;
      fused.scorer = scorer;
      fused.doc.reader.wasm = undefined;
      expect(Array.from(fast), name).toEqual(Array.from(js));
      // One document at a time, too.
      probe.slice(0, 20).forEach((doc, i) => expect(Array.from(pipe.predictProba([doc]).data), `${name}: document ${i}`).toEqual(Array.from(js.subarray(i * (js.length / probe.length), (i + 1) * (js.length / probe.length)))));
    }
  });
});
