import { readJsonl, split } from './mlship-bench.mjs';
import { Pipeline, TfidfVectorizer, MultinomialNB, LogisticRegression } from 'mlship/learn';
const [corpus, kind] = process.argv.slice(2);
const { texts, labels } = readJsonl(corpus);
const { xTrain, yTrain, xTest } = split(texts, labels);
const pipe = kind === 'nb' ? new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]])
  : new Pipeline([['tfidf', new TfidfVectorizer({ ngramRange: [1, 2] })], ['clf', new LogisticRegression()]]);
pipe.fit(xTrain, yTrain);
for (let k = 0; k < 400; k++) pipe.predict([xTest[k % xTest.length]]);
const f = pipe.fused; const sc = f.scorer; const out = new Float64Array(4);
const low = xTest.map((d) => d.toLowerCase());
const N = 3000;
function med(fn, docs = xTest) { const a = new Float64Array(N); for (let k = 0; k < N; k++) { const d = docs[k % docs.length]; const s = process.hrtime.bigint(); fn(d); a[k] = Number(process.hrtime.bigint() - s) / 1000; } a.sort(); return a[N >> 1].toFixed(2); }
for (let r = 0; r < 3; r++) console.log('predict', med((d) => pipe.predict([d])), 'score(lowered)', med((d) => sc.score(d, out, 0), low), 'read(lowered)', med((d) => sc.read(d), low));
