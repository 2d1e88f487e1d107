import { describe, expect, it } from 'vitest';
import { Matrix } from '../../core/index.js';
import { denseFixture, f64, loadFixture } from '../../../test/support/sklearn-fixtures.js';
import { KNeighborsClassifier, KNeighborsRegressor, type KNeighborsParams } from './index.js';

const fx = loadFixture('linear-models.json');
const Xs = denseFixture(fx.data.Xs);
const y = f64(fx.data.y);
const y3: number[] = fx.data.y3;
const nTrain: number = fx.data.n_train;
const all = Array.from({ length: Xs.rows }, (_, i) => i);
const Xtr = Xs.takeRows(all.slice(0, nTrain));
const Xte = Xs.takeRows(all.slice(nTrain));

function params(p: Record<string, unknown>): Partial<KNeighborsParams> {
  return { nNeighbors: (p['n_neighbors'] as number) ?? 5, weights: (p['weights'] as 'distance') ?? 'uniform', p: (p['p'] as number) ?? 2, metric: (p['metric'] as 'euclidean') ?? 'minkowski' };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('k-nearest neighbours parity with scikit-learn (Boston, standardised, 400 train / 106 test)', () => {
  for (const [name, ref] of Object.entries<any>(fx.knn)) {
    it(`${name}: same neighbours, predictions and probabilities`, () => {
      const reg = new KNeighborsRegressor(params(ref.params)).fit(Xtr, y.slice(0, nTrain));
      const { indices, distances } = reg.kneighbors(Xte);
      expect(Array.from(indices.data)).toEqual(ref.kneighbors_ind);
      expect(maxAbsDiff(distances!.data, denseFixture(ref.kneighbors_dist).data)).toBeLessThan(1e-7);
      expect(maxAbsDiff(reg.predict(Xte), f64(ref.reg_predict))).toBeLessThan(1e-9);
      const clf = new KNeighborsClassifier(params(ref.params)).fit(Xtr, y3.slice(0, nTrain));
      expect(clf.predict(Xte)).toEqual(ref.clf_predict);
      expect(maxAbsDiff(clf.predictProba(Xte).data, denseFixture(ref.clf_proba).data)).toBeLessThan(1e-9);
    });
  }

  it('kneighbors without X excludes each row itself; returnDistance false gives indices only', () => {
    const knn = new KNeighborsRegressor({ nNeighbors: 2 }).fit([[0], [1], [3], [7]], [0, 1, 2, 3]);
    const r = knn.kneighbors(null, 2);
    expect(r.indices.toArray()).toEqual([[1, 2], [0, 2], [1, 0], [2, 1]]);
    expect(r.distances!.toArray()).toEqual([[1, 3], [1, 2], [2, 3], [4, 6]]);
    expect(knn.kneighbors([[0.9]], 1, false)).toEqual({ indices: new Matrix(1, 1, Float64Array.of(1)) });
  });

  it('distance weights give an exact match all the weight; errors are coded', () => {
    const knn = new KNeighborsRegressor({ weights: 'distance', nNeighbors: 3 }).fit([[0], [1], [2]], [10, 20, 30]);
    expect(Array.from(knn.predict([[1]]))).toEqual([20]);
    expect(() => new KNeighborsRegressor({ nNeighbors: 4 }).fit([[0], [1], [2]], [1, 2, 3]).predict([[0]])).toThrow(/nNeighbors = 4/);
    expect(() => new KNeighborsClassifier({ algorithm: 'kd_tree' as 'brute' }).fit([[0]], ['a'])).toThrow(/algorithm/);
    expect(() => new KNeighborsRegressor().predict([[0]])).toThrow(expect.objectContaining({ code: 'NOT_FITTED' }));
  });

  it('classifier ties go to the class that sorts first', () => {
    const knn = new KNeighborsClassifier({ nNeighbors: 2 }).fit([[0], [2]], ['b', 'a']);
    expect(knn.predict([[1]])).toEqual(['a']);
  });
});
