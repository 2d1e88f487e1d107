import { describe, expect, it } from 'vitest';
import { CsrMatrix } from '../../core/index.js';
import type { BaseEstimator } from '../base.js';
import { Pipeline } from '../compose/index.js';
import { CountVectorizer, HashingVectorizer, TfidfTransformer, TfidfVectorizer } from '../feature-extraction/index.js';
import { LogisticRegression } from '../linear-model/index.js';
import { GridSearchCV, RandomizedSearchCV } from '../model-selection/index.js';
import { BernoulliNB, ComplementNB, MultinomialNB } from '../naive-bayes/index.js';
import { checkEstimator, type CheckEstimatorOptions } from './index.js';
import { spamCorpus } from './fixtures/spam-corpus.js';

// Small real data: 1 in 60 emails of the built-in corpus (~100 documents, both classes).
const { docs, labels } = spamCorpus(60);
const counts = new CountVectorizer({ minDf: 2 }).fitTransform(docs) as CsrMatrix;

const text = (extra: Partial<CheckEstimatorOptions> = {}): CheckEstimatorOptions => ({ X: docs, y: labels, ...extra });
const numeric = (extra: Partial<CheckEstimatorOptions> = {}): CheckEstimatorOptions => ({ X: counts, y: labels, ...extra });

const cases: [string, () => BaseEstimator<any>, CheckEstimatorOptions][] = [
  ['CountVectorizer', () => new CountVectorizer(), text()],
  ['TfidfVectorizer', () => new TfidfVectorizer({ ngramRange: [1, 2], sublinearTf: true }), text()],
  ['HashingVectorizer', () => new HashingVectorizer({ nFeatures: 2 ** 10 }), text({ skip: { emptyInput: 'stateless: fit learns nothing, so 0 documents is valid (as scikit-learn)' } })],
  ['TfidfTransformer', () => new TfidfTransformer(), numeric()],
  ['MultinomialNB', () => new MultinomialNB({ alpha: 0.5 }), numeric()],
  ['ComplementNB', () => new ComplementNB(), numeric()],
  ['BernoulliNB', () => new BernoulliNB(), numeric()],
  ['LogisticRegression', () => new LogisticRegression({ C: 10 }), numeric()],
  ['Pipeline', () => new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]), text()],
  ['GridSearchCV', () => new GridSearchCV(new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new ComplementNB()]]), { 'clf.alpha': [0.1, 1] }, { cv: 2 }), text()],
  [
    'RandomizedSearchCV',
    () => new RandomizedSearchCV(new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]), { 'clf.alpha': [0.01, 0.1, 1], 'tfidf.norm': ['l1', 'l2'] }, { cv: 2, nIter: 3, randomState: 0 }),
    text(),
  ],
];

describe('checkEstimator on every registered estimator', () => {
  for (const [name, make, opts] of cases) {
    it(`${name} passes the conformance suite`, () => {
      const report = checkEstimator(make(), opts);
      expect(report.estimator).toBe(name);
      // The failures are listed by name so that a failing estimator's owner sees what to fix.
      expect(report.failures.map((f) => `${f.check}: ${f.message}`)).toEqual([]);
      expect(report.results.filter((r) => r.status === 'passed').length).toBeGreaterThanOrEqual(6);
    });
  }
});
