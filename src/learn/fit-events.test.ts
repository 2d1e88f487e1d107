import { describe, expect, it } from 'vitest';
import { useEvents } from '../../test/support/events.js';
import { MlshipError, subscribeFit, type FitEvent } from '../core/index.js';
import { BaseEstimator, registerEstimator } from './base.js';
import { Pipeline } from './compose/index.js';
import { TfidfVectorizer } from './feature-extraction/index.js';
import { LinearRegression } from './linear-model/index.js';
import { GridSearchCV, crossValidate } from './model-selection/index.js';
import { MultinomialNB } from './naive-bayes/index.js';
import { StandardScaler } from './preprocessing/index.js';
import { spamCorpus } from './testing/fixtures/spam-corpus.js';

const { docs, labels } = spamCorpus(8);

const listen = useEvents<FitEvent>(subscribeFit);

class Failing extends BaseEstimator<{ k: number }> {
  static override readonly estimatorName: string = 'TestFailingFit';
  readonly estimatorType = 'regressor' as const;
  fitted_: boolean | undefined;
  constructor(params?: Partial<{ k: number }>) {
    super({ k: 1 }, params);
  }
  get isFitted(): boolean {
    return this.fitted_ === true;
  }
  fit(_X: unknown, _y?: unknown): this {
    throw new MlshipError('INVALID_DATA', 'TestFailingFit.fit: always fails');
  }
  protected getState(): Record<string, never> {
    return {};
  }
  protected setState(): void {}
}
registerEstimator(Failing);

describe('fit events (core FIT_CHANNEL)', () => {
  it('an estimator fit publishes once, after fitting, with X, y and a duration', () => {
    const events = listen();
    const X = [[1], [2], [3], [4]];
    const y = [2, 4, 6, 8];
    const lr = new LinearRegression();
    lr.fit(X, y);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e.estimator).toBe(lr);
    expect(e.X).toBe(X);
    expect(e.y).toBe(y);
    expect(e.error).toBeUndefined();
    expect(e.durationMs).toBeGreaterThanOrEqual(0);
    expect((e.estimator as LinearRegression).isFitted).toBe(true);
  });

  it('a pipeline publishes only its own fit, not its steps', () => {
    const events = listen();
    const pipe = new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]);
    pipe.fit(docs, labels);
    expect(events.map((e) => e.estimator)).toEqual([pipe]);
    events.length = 0;
    const tf = new TfidfVectorizer();
    tf.fitTransform(docs); // fitTransform is a fit too, and TfidfVectorizer's fit calls it: one event
    tf.fit(docs);
    expect(events.map((e) => e.estimator)).toEqual([tf, tf]);
    events.length = 0;
    new StandardScaler().fitTransform([[1], [2]]);
    expect(events).toHaveLength(1);
  });

  it('a failing fit publishes with the error and rethrows it', () => {
    const events = listen();
    expect(() => new Failing().fit([[1]], [1])).toThrow('always fails');
    expect(events).toHaveLength(1);
    expect((events[0]!.error as MlshipError).code).toBe('INVALID_DATA');
    // the depth counter is restored: the next fit publishes again
    new LinearRegression().fit([[1], [2]], [1, 2]);
    expect(events).toHaveLength(2);
    expect(events[1]!.error).toBeUndefined();
  });

  it('a grid search publishes once (inline and on worker threads); crossValidate publishes nothing', () => {
    const events = listen();
    const pipe = new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]);
    for (const nJobs of [1, 2]) {
      events.length = 0;
      const search = new GridSearchCV(pipe, { 'clf.alpha': [0.1, 1] }, { cv: 2, nJobs });
      search.fit(docs, labels);
      expect(events.map((e) => e.estimator)).toEqual([search]);
    }
    events.length = 0;
    crossValidate(new MultinomialNB(), [[1, 0], [0, 1], [1, 1], [2, 0], [0, 2], [1, 2]], ['a', 'b', 'a', 'a', 'b', 'b'], { cv: 2 });
    expect(events).toHaveLength(0);
  });

  it('without subscribers nothing is published and fits behave as before', () => {
    const events: FitEvent[] = [];
    const s = subscribeFit((e) => {
      events.push(e);
    });
    s();
    const lr = new LinearRegression().fit([[1], [2]], [1, 2]);
    expect(lr.isFitted).toBe(true);
    expect(events).toHaveLength(0);
    expect(LinearRegression.prototype.fit.name).toBe('fit');
  });
});
