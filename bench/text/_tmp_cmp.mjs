import { readJsonl, split } from './mlship-bench.mjs';
import { Pipeline, TfidfVectorizer, MultinomialNB, LogisticRegression } from 'mlship/learn';
const [corpus, kind, limit] = process.argv.slice(2);
const { texts, labels } = readJsonl(corpus);
const { xTrain, yTrain, xTest } = split(texts, labels);
const pipe = kind === 'nb' ? new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]])
  : new Pipeline([['tfidf', new TfidfVectorizer({ ngramRange: [1, 2] })], ['clf', new LogisticRegression()]]);
pipe.fit(xTrain.slice(0, Number(limit ?? 1e9)), yTrain.slice(0, Number(limit ?? 1e9)));
pipe.predict([xTest[0]]); pipe.fused.doc.reader.read('warm up', 'x');
const f = pipe.fused; const reader = f.doc.reader;
const docs = xTest.concat(xTrain.slice(0, 3000)).map((d) => d.toLowerCase());
let bad = 0, bails = 0, wasmN = 0;
const w = reader.wasm; console.log('wasm reader', !!w);
for (let i = 0; i < docs.length; i++) {
  reader.wasm = w; const nw = reader.read(docs[i], 'x');
  const cw = Array.from(reader.cols.subarray(0, nw)), kw = Array.from(reader.counts.subarray(0, nw));
  const direct = w.read(docs[i]); if (direct < 0) bails++; else wasmN++;
  reader.wasm = null; const nj = reader.read(docs[i], 'x');
  const cj = Array.from(reader.cols.subarray(0, nj)), kj = Array.from(reader.counts.subarray(0, nj));
  if (JSON.stringify([cw, kw]) !== JSON.stringify([cj, kj])) { if (bad++ < 3) console.log('DIFF doc', i, nw, nj, cw.slice(0, 10), cj.slice(0, 10), kw.slice(0,10), kj.slice(0,10)); }
}
reader.wasm = w;
console.log(kind, 'docs', docs.length, 'mismatches', bad, 'wasm-read', wasmN, 'bailed', bails);
