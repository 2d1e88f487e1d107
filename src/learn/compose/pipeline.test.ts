import { describe, expect, it } from 'vitest';
import { CsrMatrix, Matrix, MlshipError } from '../../core/index.js';
import { BaseEstimator } from '../base.js';
import { CountVectorizer, TfidfTransformer, TfidfVectorizer } from '../feature-extraction/index.js';
import { LogisticRegression } from '../linear-model/index.js';
import { ComplementNB, MultinomialNB } from '../naive-bayes/index.js';
import { spamCorpus } from '../testing/fixtures/spam-corpus.js';
import { Pipeline, makePipeline } from './index.js';

const { docs, labels } = spamCorpus(20); // ~300 real emails

function expectClose(actual: Float64Array, expected: Float64Array, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let p = 0; p < expected.length; p++) expect(Math.abs(actual[p]! - expected[p]!)).toBeLessThanOrEqual(tol);
}
const newDocs = ['win money now, click here', 'meeting notes attached for tomorrow', ''];

describe('Pipeline', () => {
  it('fits and predicts as the steps applied by hand (TF-IDF + MultinomialNB)', () => {
    const pipe = new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]);
    expect(pipe.fit(docs, labels)).toBe(pipe);
    const tfidf = new TfidfVectorizer().fit(docs);
    const nb = new MultinomialNB().fit(tfidf.transform(docs), labels);
    expect(pipe.predict(newDocs)).toEqual(nb.predict(tfidf.transform(newDocs)));
    // Pipeline predicts on the fused text path: the same values up to the order of the sums.
    expectClose(pipe.predictProba(newDocs).data, nb.predictProba(tfidf.transform(newDocs)).data);
    expect(pipe.predictLogProba(newDocs).data).toEqual(nb.predictLogProba(tfidf.transform(newDocs)).data);
    expect(pipe.score(docs, labels)).toBe(nb.score(tfidf.transform(docs), labels));
    expect(pipe.estimatorType).toBe('classifier');
    expect(pipe.classes_).toEqual(['ham', 'spam']);
    expect(Object.keys(pipe.namedSteps)).toEqual(['tfidf', 'clf']);
  });

  it('three steps, decisionFunction of LogisticRegression, transform and fitTransform', () => {
    const pipe = new Pipeline([['counts', new CountVectorizer({ minDf: 2 })], ['tfidf', new TfidfTransformer()], ['lr', new LogisticRegression()]]);
    pipe.fit(docs, labels);
    const counts = new CountVectorizer({ minDf: 2 }).fit(docs);
    const tt = new TfidfTransformer().fit(counts.transform(docs));
    const lr = new LogisticRegression().fit(tt.transform(counts.transform(docs)), labels);
    expect((pipe.decisionFunction(newDocs) as Matrix).data).toEqual(lr.decisionFunction(tt.transform(counts.transform(newDocs))).data);
    const tpipe = new Pipeline([['counts', new CountVectorizer({ minDf: 2 })], ['tfidf', new TfidfTransformer()]]);
    const a = tpipe.fitTransform(docs) as CsrMatrix;
    const b = tpipe.transform(docs) as CsrMatrix;
    expect(a.data).toEqual(b.data);
    expect(tpipe.estimatorType).toBe('transformer');
  });

  it("nested params: getParams(deep) has 'step.param' keys and setParams reaches steps", () => {
    const pipe = new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]);
    const p = pipe.getParams();
    expect(p['tfidf.minDf']).toBe(1);
    expect(p['clf.alpha']).toBe(1);
    expect(p.clf).toBe(pipe.namedSteps.clf);
    pipe.setParams({ 'tfidf.minDf': 2, 'clf.alpha': 0.1 });
    expect((pipe.namedSteps.tfidf as TfidfVectorizer).getParams()['minDf']).toBe(2);
    expect(pipe.getParams()['clf.alpha']).toBe(0.1);
    const cnb = new ComplementNB();
    pipe.setParams({ clf: cnb });
    expect(pipe.namedSteps.clf).toBe(cnb);
    expect(pipe.getParams(false)['clf.alpha']).toBeUndefined();
    expect(Object.keys(pipe.getParams(false))).toEqual(['steps', 'verbose']);
    expect(() => pipe.setParams({ 'nope.alpha': 1 })).toThrow(/'nope' is not a nested estimator/);
    expect(() => pipe.setParams({ 'clf.nope': 1 })).toThrow(MlshipError);
  });

  it("'passthrough' steps are skipped, and a passthrough last step makes fitTransform return the transform", () => {
    const a = new Pipeline([['tfidf', new TfidfVectorizer()], ['skip', 'passthrough'], ['clf', new MultinomialNB()]]).fit(docs, labels);
    const b = new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]).fit(docs, labels);
    expectClose(a.predictProba(newDocs).data, b.predictProba(newDocs).data);
    const t = new Pipeline([['tfidf', new TfidfVectorizer()], ['end', 'passthrough']]);
    const x = t.fitTransform(docs) as CsrMatrix;
    expect(x).toBeInstanceOf(CsrMatrix);
    expect(x.rows).toBe(docs.length);
  });

  it('clone is unfitted with equal nested params; the snapshot round trip predicts identically', () => {
    const pipe = new Pipeline([['tfidf', new TfidfVectorizer({ ngramRange: [1, 2] })], ['clf', new MultinomialNB({ alpha: 0.5 })]]);
    const c = pipe.clone();
    expect(c.isFitted).toBe(false);
    expect(c.getParams()['tfidf.ngramRange']).toEqual([1, 2]);
    expect(c.namedSteps.clf).not.toBe(pipe.namedSteps.clf);
    pipe.fit(docs, labels);
    const snap = pipe.toSnapshot();
    const back = BaseEstimator.fromSnapshot(JSON.parse(JSON.stringify(snap, (_k, v) => (ArrayBuffer.isView(v) ? { $ta: v.constructor.name, v: Array.from(v as Float64Array) } : v)), (_k, v) => (v && v.$ta ? new (globalThis as any)[v.$ta](v.v) : v))) as Pipeline;
    expect(back).toBeInstanceOf(Pipeline);
    expect(back.isFitted).toBe(true);
    expect(back.predict(newDocs)).toEqual(pipe.predict(newDocs));
    expect(back.predictProba(newDocs).data).toEqual(pipe.predictProba(newDocs).data);
  });

  it('errors: not fitted, bad steps, duplicate names, intermediate step without transform', () => {
    const pipe = new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]);
    expect(() => pipe.predict(newDocs)).toThrow(expect.objectContaining({ code: 'NOT_FITTED' }));
    expect(() => new Pipeline([]).fit(docs, labels)).toThrow(/non-empty/);
    expect(() => new Pipeline([['a', new TfidfVectorizer()], ['a', new MultinomialNB()]]).fit(docs, labels)).toThrow(/not unique/);
    expect(() => new Pipeline([['clf', new MultinomialNB()], ['tfidf', new TfidfVectorizer()]]).fit(docs, labels)).toThrow(/intermediate steps should be transformers/);
    expect(() => new Pipeline([['a.b', new TfidfVectorizer()]]).fit(docs)).toThrow(/must not contain '.'/);
    expect(() => new Pipeline([['steps', new TfidfVectorizer()]]).fit(docs)).toThrow(/conflicts/);
  });
});

describe('makePipeline', () => {
  it("names steps by lower-cased class names, numbering duplicates like scikit-learn", () => {
    expect(Object.keys(makePipeline(new TfidfVectorizer(), new MultinomialNB()).namedSteps)).toEqual(['tfidfvectorizer', 'multinomialnb']);
    expect(Object.keys(makePipeline(new CountVectorizer(), new TfidfTransformer(), new TfidfTransformer(), new ComplementNB()).namedSteps)).toEqual([
      'countvectorizer',
      'tfidftransformer-1',
      'tfidftransformer-2',
      'complementnb',
    ]);
  });
});
