import { readJsonl, split } from './mlship-bench.mjs';
import { Pipeline, TfidfVectorizer, MultinomialNB, LogisticRegression } from 'mlship/learn';
const [corpus, kind] = process.argv.slice(2);
const { texts, labels } = readJsonl(corpus);
const { xTrain, yTrain, xTest } = split(texts, labels);
const pipe = kind === 'nb' ? new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]])
  : new Pipeline([['tfidf', new TfidfVectorizer({ ngramRange: [1, 2] })], ['clf', new LogisticRegression()]]);
pipe.fit(xTrain, yTrain);
for (let k = 0; k < 400; k++) pipe.predict([xTest[k % xTest.length]]);
const N = 2000;
const meds = [];
for (let r = 0; r < 7; r++) { const a = new Float64Array(N); for (let k = 0; k < N; k++) { const d = [xTest[k % xTest.length]]; const s = process.hrtime.bigint(); pipe.predict(d); a[k] = Number(process.hrtime.bigint() - s) / 1000; } a.sort(); meds.push(a[N >> 1]); }
console.log("rounds", meds.map((m) => m.toFixed(1)).join(" ")); meds.sort((a, b) => a - b);
console.log(`${corpus.split('/').pop()} ${kind}: median of 7 medians ${meds[3].toFixed(2)} µs (min ${meds[0].toFixed(2)}, max ${meds[6].toFixed(2)})`);
