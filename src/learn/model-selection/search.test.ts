import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/index.js';
import { BaseEstimator } from '../base.js';
import { Pipeline } from '../compose/index.js';
import { TfidfVectorizer } from '../feature-extraction/index.js';
import { ComplementNB, MultinomialNB } from '../naive-bayes/index.js';
import { spamCorpus } from '../testing/fixtures/spam-corpus.js';
import {
  GridSearchCV,
  KFold,
  LogUniformDistribution,
  RandomizedSearchCV,
  StratifiedKFold,
  crossValScore,
  crossValidate,
  parameterGrid,
  parameterSampler,
  rankScores,
  type ParamGrid,
} from './index.js';

const { docs, labels } = spamCorpus(40); // ~150 real emails
const nbPipe = (): Pipeline => new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]);

describe('parameterGrid and parameterSampler', () => {
  it("enumerates like scikit-learn's ParameterGrid: sorted keys, last key fastest, lists of grids in turn", () => {
    expect(parameterGrid({ b: [1, 2], a: ['x', 'y'] })).toEqual([
      { a: 'x', b: 1 },
      { a: 'x', b: 2 },
      { a: 'y', b: 1 },
      { a: 'y', b: 2 },
    ]);
    expect(parameterGrid([{ a: [1] }, { b: [true, false] }, {}])).toEqual([{ a: 1 }, { b: true }, { b: false }, {}]);
    expect(() => parameterGrid({ a: 1 as unknown as number[] })).toThrow(/needs to be an array/);
    expect(() => parameterGrid({ a: [] })).toThrow(/non-empty/);
  });
  it('samples without replacement from lists, and from distributions with rvs(rng)', () => {
    const s = parameterSampler({ a: [1, 2, 3], b: ['x', 'y'] }, 100, new Rng(0));
    expect(s.length).toBe(6);
    expect(new Set(s.map((p) => JSON.stringify(p))).size).toBe(6);
    const d = parameterSampler({ c: new LogUniformDistribution(1e-3, 1e3), k: [1, 2] }, 50, new Rng(1));
    expect(d.length).toBe(50);
    for (const p of d) expect((p.c as number) >= 1e-3 && (p.c as number) <= 1e3).toBe(true);
    expect(parameterSampler({ c: new LogUniformDistribution(1, 2) }, 5, new Rng(3))).toEqual(parameterSampler({ c: new LogUniformDistribution(1, 2) }, 5, new Rng(3)));
  });
  it('ranks like rankdata(-x, "min") with NaN last', () => {
    expect(Array.from(rankScores(Float64Array.of(0.5, 0.9, 0.5, Number.NaN, 0.1)))).toEqual([2, 1, 2, 5, 4]);
    expect(Array.from(rankScores(Float64Array.of(Number.NaN, Number.NaN)))).toEqual([1, 1]);
  });
});

describe('crossValScore / crossValidate', () => {
  it('uses StratifiedKFold for classifiers and equals a manual loop over the folds', () => {
    const scores = crossValScore(nbPipe(), docs, labels, { cv: 3, scoring: 'accuracy' });
    const folds = [...new StratifiedKFold({ nSplits: 3 }).split(docs, labels)];
    const manual = folds.map(({ train, test }) => {
      const p = nbPipe().fit(Array.from(train, (i) => docs[i]!), Array.from(train, (i) => labels[i]!));
      const pred = p.predict(Array.from(test, (i) => docs[i]!)) as string[];
      return pred.filter((v, k) => v === labels[test[k]!]).length / test.length;
    });
    expect(Array.from(scores)).toEqual(manual);
  });
  it('multi-metric results with train scores, times and fitted estimators', () => {
    const r = crossValidate(nbPipe(), docs, labels, { cv: new KFold({ nSplits: 3, shuffle: true, randomState: 0 }), scoring: ['accuracy', 'f1_macro', 'neg_log_loss', 'roc_auc'], returnTrainScore: true, returnEstimator: true });
    for (const k of ['test_accuracy', 'test_f1_macro', 'test_neg_log_loss', 'test_roc_auc', 'train_accuracy'] as const) {
      expect(r[k]).toBeInstanceOf(Float64Array);
      expect(r[k]!.length).toBe(3);
    }
    for (const v of r.test_neg_log_loss!) expect(v).toBeLessThan(0);
    expect(r.fitTime.every((t) => t > 0)).toBe(true);
    expect(r.estimator!.length).toBe(3);
    expect(r.estimator![0]!.isFitted).toBe(true);
  });
  it('runs folds on worker threads with identical scores to the inline run, reporting progress', () => {
    const seq = crossValidate(nbPipe(), docs, labels, { cv: 4, scoring: ['accuracy', 'neg_log_loss'] });
    const progress: number[] = [];
    const par = crossValidate(nbPipe(), docs, labels, { cv: 4, scoring: ['accuracy', 'neg_log_loss'], nJobs: 2, onProgress: (p) => progress.push(p.done) });
    expect(Array.from(par.test_accuracy!)).toEqual(Array.from(seq.test_accuracy!));
    expect(Array.from(par.test_neg_log_loss!)).toEqual(Array.from(seq.test_neg_log_loss!));
    expect(progress).toEqual([1, 2, 3, 4]);
  });
  it('errors: unknown scorer, custom unnamed scorer on workers, inconsistent lengths, errorScore raise', () => {
    expect(() => crossValScore(nbPipe(), docs, labels, { scoring: 'nope' })).toThrow(/'nope' is not a valid scoring value/);
    expect(() => crossValScore(nbPipe(), docs, labels.slice(1))).toThrow(/inconsistent numbers of samples/);
    const custom = Object.assign(() => 1, { sign: 1 as const });
    expect(() => crossValScore(nbPipe(), docs, labels, { scoring: custom, nJobs: 2 })).toThrow(/registered name/);
    const bad = new Pipeline([['tfidf', new TfidfVectorizer({ minDf: 10_000 })], ['clf', new MultinomialNB()]]);
    expect(() => crossValScore(bad, docs, labels, { cv: 2, errorScore: 'raise' })).toThrow();
    expect(() => crossValScore(bad, docs, labels, { cv: 2 })).toThrow(/all the 2 fits failed/);
  });
});

describe('GridSearchCV / RandomizedSearchCV', () => {
  const grid = { 'clf.alpha': [0.01, 0.1, 1], 'tfidf.sublinearTf': [false, true] };

  it('fills sklearn-shaped cvResults_, picks the best candidate and refits it', () => {
    const search = new GridSearchCV(nbPipe(), grid, { cv: 3, scoring: 'accuracy', returnTrainScore: true }).fit(docs, labels);
    const r = search.cvResults_!;
    expect(r.params.length).toBe(6);
    expect(r.params[1]).toEqual({ 'clf.alpha': 0.01, 'tfidf.sublinearTf': true });
    expect(r['param_clf.alpha']).toEqual([0.01, 0.01, 0.1, 0.1, 1, 1]);
    for (const k of ['meanTestScore', 'stdTestScore', 'split0TestScore', 'split2TestScore', 'meanTrainScore', 'meanFitTime']) expect((r[k] as Float64Array).length).toBe(6);
    const mean = r.meanTestScore!;
    for (let c = 0; c < 6; c++) {
      const folds = [0, 1, 2].map((f) => (r[`split${f}TestScore`] as Float64Array)[c]!);
      expect(mean[c]).toBeCloseTo((folds[0]! + folds[1]! + folds[2]!) / 3, 14);
    }
    const best = search.bestIndex_!;
    expect(r.rankTestScore![best]).toBe(1);
    expect(search.bestScore_).toBe(mean[best]);
    expect(mean.every((m) => m <= search.bestScore_!)).toBe(true);
    expect(search.bestParams_).toEqual(r.params[best]);
    const manual = nbPipe().setParams(search.bestParams_!).fit(docs, labels);
    expect(search.predict(docs.slice(0, 20))).toEqual(manual.predict(docs.slice(0, 20)));
    expect(search.predictProba(docs.slice(0, 5)).data).toEqual(manual.predictProba(docs.slice(0, 5)).data);
    expect(search.classes_).toEqual(['ham', 'spam']);
    expect(search.score(docs, labels)).toBe(manual.score(docs, labels));
  });

  it('parallel search on worker threads equals the sequential one exactly (estimator-valued params too)', () => {
    const g: ParamGrid[] = [{ 'clf.alpha': [0.1, 1] }, { clf: [new ComplementNB(), new MultinomialNB({ alpha: 0.5 })] }];
    const seq = new GridSearchCV(nbPipe(), g, { cv: 3, scoring: ['accuracy', 'f1_macro'], refit: 'f1_macro' }).fit(docs, labels);
    const par = new GridSearchCV(nbPipe(), g, { cv: 3, scoring: ['accuracy', 'f1_macro'], refit: 'f1_macro', nJobs: 2 }).fit(docs, labels);
    for (const k of Object.keys(seq.cvResults_!).filter((k) => /^(split\d|mean|std|rank)Test_/.test(k))) {
      expect(Array.from(par.cvResults_![k] as Float64Array), k).toEqual(Array.from(seq.cvResults_![k] as Float64Array));
    }
    expect(par.bestIndex_).toBe(seq.bestIndex_);
    expect(par.predict(docs)).toEqual(seq.predict(docs));
  });

  it('saves and loads through a snapshot (best estimator included) and clones unfitted', () => {
    const search = new GridSearchCV(nbPipe(), { 'clf.alpha': [0.1, 1] }, { cv: new StratifiedKFold({ nSplits: 2, shuffle: true, randomState: 1 }) }).fit(docs, labels);
    const back = BaseEstimator.fromSnapshot(search.toSnapshot()) as GridSearchCV;
    expect(back).toBeInstanceOf(GridSearchCV);
    expect(back.bestParams_).toEqual(search.bestParams_);
    expect(back.predictProba(docs.slice(0, 10)).data).toEqual(search.predictProba(docs.slice(0, 10)).data);
    expect(Array.from(back.cvResults_!.meanTestScore!)).toEqual(Array.from(search.cvResults_!.meanTestScore!));
    const refitted = (BaseEstimator.fromSnapshot(search.toSnapshot()) as GridSearchCV).clone().fit(docs, labels);
    expect(Array.from(refitted.cvResults_!.meanTestScore!)).toEqual(Array.from(search.cvResults_!.meanTestScore!));
    const c = search.clone();
    expect(c.isFitted).toBe(false);
    expect(c.getParams()['estimator.clf.alpha']).toBe(1);
  });

  it('RandomizedSearchCV: nIter candidates, reproducible for a randomState', () => {
    const make = (): RandomizedSearchCV => new RandomizedSearchCV(nbPipe(), { 'clf.alpha': new LogUniformDistribution(1e-3, 1), 'tfidf.norm': ['l1', 'l2'] }, { nIter: 4, randomState: 3, cv: 2 });
    const a = make().fit(docs, labels);
    const b = make().fit(docs, labels);
    expect(a.cvResults_!.params.length).toBe(4);
    expect(a.cvResults_!.params).toEqual(b.cvResults_!.params);
    expect(a.bestParams_).toEqual(b.bestParams_);
    const back = BaseEstimator.fromSnapshot(a.toSnapshot()) as RandomizedSearchCV;
    expect(back.clone().fit(docs, labels).cvResults_!.params).toEqual(a.cvResults_!.params);
  });

  it('errors: multi-metric without a refit key, refit false then predict, not fitted', () => {
    expect(() => new GridSearchCV(nbPipe(), grid, { scoring: ['accuracy', 'f1_macro'] }).fit(docs, labels)).toThrow(/refit must be set to a scorer key/);
    const noRefit = new GridSearchCV(nbPipe(), { 'clf.alpha': [1] }, { cv: 2, refit: false }).fit(docs, labels);
    expect(noRefit.bestIndex_).toBe(0);
    expect(() => noRefit.predict(docs)).toThrow(/refit: false/);
    expect(() => new GridSearchCV(nbPipe(), grid).predict(docs)).toThrow(expect.objectContaining({ code: 'NOT_FITTED' }));
  });
});
