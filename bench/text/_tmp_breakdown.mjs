import { readJsonl, split } from '/work/main/bench/text/mlship-bench.mjs';
import { Pipeline, TfidfVectorizer, MultinomialNB, LogisticRegression } from 'mlship/learn';
const [corpus, kind] = process.argv.slice(2);
const { texts, labels } = readJsonl(corpus);
const { xTrain, yTrain, xTest } = split(texts, labels);
const pipe = kind === 'nb' ? new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]])
  : new Pipeline([['tfidf', new TfidfVectorizer({ ngramRange: [1, 2] })], ['clf', new LogisticRegression()]]);
pipe.fit(xTrain, yTrain);
for (let k = 0; k < 400; k++) pipe.predict([xTest[k % xTest.length]]);
const f = pipe.fused; const reader = f.doc.reader;
const N = 2000;
function med(fn) { const a = new Float64Array(N); for (let k = 0; k < N; k++) { const d = xTest[k % xTest.length]; const s = process.hrtime.bigint(); fn(d); a[k] = Number(process.hrtime.bigint() - s) / 1000; } a.sort(); return a[N >> 1].toFixed(2); }
const lowered = xTest.map((d) => d.toLowerCase());
let sink = 0;
for (let r = 0; r < 3; r++) {
console.log('predict', med((d) => pipe.predict([d])),
 'lower', med((d) => { sink += d.toLowerCase().length; }),
 'read', med((d) => { sink += reader.read(d, 'x', 0, f.table, f.rows + 1); }),
 'buf.write', med((d) => { reader.units.load(d); }),
);
}
const lens = xTest.map((d) => d.length).sort((a, b) => a - b); console.log('median chars', lens[lens.length >> 1]);
const nonascii = xTest.filter((d) => /[^\x00-\x7f]/.test(d)).length; console.log('docs with non-ascii', nonascii, 'of', xTest.length);
