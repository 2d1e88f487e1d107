import { readJsonl, split } from './mlship-bench.mjs';
import { Pipeline, TfidfVectorizer, MultinomialNB, LogisticRegression } from 'mlship/learn';
import { WasmReader } from '../../dist/learn/feature-extraction/wasm-reader.js';
const [corpus, kind] = process.argv.slice(2);
const { texts, labels } = readJsonl(corpus);
const { xTrain, yTrain, xTest } = split(texts, labels);
const pipe = kind === 'nb' ? new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]])
  : new Pipeline([['tfidf', new TfidfVectorizer({ ngramRange: [1, 2] })], ['clf', new LogisticRegression()]]);
pipe.fit(xTrain, yTrain);
pipe.predict([xTest[0]]);
const r = pipe.fused.doc.reader;
const T = { cls: null, hotTok: r.hotTok, hotTokMask: r.hotTokMask, hotUnits: r.hotUnits, tokSlots: r.tokens.slots, tokMask: r.tokens.mask, tokUnits: r.tokens.units,
  hotPair: r.hotPair, hotPairMask: r.hotPairMask, pairSlots: r.pairCol.slots, pairMask: r.pairCol.mask, nHot: r.hotCols.length, nCols: r.nCols, minLen: r.minLen, unigrams: r.unigrams, bigrams: r.bigrams };
// recover CLS from the module: rebuild the same way
const { BMP_WORD } = await import('../../dist/learn/feature-extraction/unicode-tables.js');
T.cls = BMP_WORD.slice(); T.cls.fill(2, 0xd800, 0xe000);
const docs = xTest.map((d) => d.toLowerCase());
const variants = {
  full: WasmReader.create(T),
  scanOnly: WasmReader.create({ ...T, minLen: 1000 }),
  noBigrams: WasmReader.create({ ...T, bigrams: false }),
  noCold: WasmReader.create({ ...T, tokSlots: new Int32Array(8).fill(-1), tokMask: 0, pairSlots: new Int32Array(4).fill(-1), pairMask: 0 }),
  noHot: WasmReader.create({ ...T, hotTok: new Int32Array(8), hotTokMask: 0, hotPair: new Int32Array(4), hotPairMask: 0 }),
};
const N = 3000;
function med(w) { const a = new Float64Array(N); let s0 = 0; for (let k = 0; k < N; k++) { const d = docs[k % docs.length]; const s = process.hrtime.bigint(); s0 += w.read(d); a[k] = Number(process.hrtime.bigint() - s) / 1000; } a.sort(); return a[N >> 1].toFixed(2); }
for (let rep = 0; rep < 3; rep++) console.log(Object.entries(variants).map(([k, w]) => `${k} ${med(w)}`).join('  '));
