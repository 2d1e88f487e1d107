import { describe, expect, it } from 'vitest';
import { denseFixture, f64, loadFixture } from '../../../test/support/sklearn-fixtures.js';
import { BaseEstimator } from '../base.js';
import { Pipeline } from '../compose/index.js';
import { GridSearchCV } from '../model-selection/index.js';
import { KNeighborsRegressor } from '../neighbors/index.js';
import { StandardScaler } from '../preprocessing/index.js';
import { Lasso, Ridge } from './index.js';

const data = loadFixture('linear-models.json').data;
const X = denseFixture(data.X);
const y = f64(data.y);
const ref = loadFixture('linear-search.json');

describe('linear models and k-NN in Pipeline and GridSearchCV', () => {
  it('GridSearchCV(Pipeline(StandardScaler, Ridge)) over alpha, scoring neg RMSE, matches scikit-learn', () => {
    const search = new GridSearchCV(new Pipeline([['scale', new StandardScaler()], ['ridge', new Ridge()]]), { 'ridge.alpha': ref.alphas }, { cv: 3, scoring: 'neg_root_mean_squared_error' });
    search.fit(X, y);
    const mean = search.cvResults_!.meanTestScore!;
    const expected = f64(ref.mean_test_score);
    for (let i = 0; i < expected.length; i++) expect(Math.abs(mean[i]! - expected[i]!)).toBeLessThan(1e-9);
    expect(search.bestParams_).toEqual({ 'ridge.alpha': ref.best_alpha });
    const best = (search.bestEstimator_ as Pipeline).getParams(false)['steps'] as [string, BaseEstimator<any>][];
    const coef = (best[1]![1] as Ridge).coef_!;
    const refCoef = f64(ref.best_coef);
    for (let j = 0; j < refCoef.length; j++) expect(Math.abs(coef[j]! - refCoef[j]!)).toBeLessThan(1e-8);
    expect(search.predict(X)).toBeInstanceOf(Float64Array);
  });

  it('Lasso and KNeighborsRegressor inside a Pipeline, searched on worker threads, save and load', () => {
    const pipe = new Pipeline([['scale', new StandardScaler()], ['knn', new KNeighborsRegressor()]]);
    const search = new GridSearchCV(pipe, { 'knn.nNeighbors': [3, 7], 'knn.weights': ['uniform', 'distance'] }, { cv: 3, scoring: 'r2', nJobs: 2 }).fit(X, y);
    expect(Object.keys(search.bestParams_!).sort()).toEqual(['knn.nNeighbors', 'knn.weights']);
    const lasso = new Pipeline([['scale', new StandardScaler()], ['lasso', new Lasso({ alpha: 0.1 })]]).fit(X, y);
    const back = BaseEstimator.fromSnapshot(lasso.toSnapshot()) as Pipeline;
    expect(Array.from(back.predict(X) as Float64Array)).toEqual(Array.from(lasso.predict(X) as Float64Array));
    expect(lasso.score(X, y)).toBeGreaterThan(0.7);
  });
});
