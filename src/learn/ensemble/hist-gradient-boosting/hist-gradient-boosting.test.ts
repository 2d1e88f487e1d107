import { describe, expect, it, vi } from 'vitest';
import { CsrMatrix, Matrix, isMlshipError } from '../../../core/index.js';
import { BaseEstimator } from '../../base.js';
import { Pipeline } from '../../compose/index.js';
import { GridSearchCV } from '../../model-selection/index.js';
import { StandardScaler } from '../../preprocessing/index.js';
import { makeSyntheticRegression } from '../../testing/index.js';
import { findBinningThresholds, mapColumn } from './binning.js';
import { workerTasks } from './histogram-store.js';
import { compileForest, predictCompiled, predictRaw } from './predictor.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from './index.js';

function withNaN(X: Matrix, every: number): Matrix {
  const m = X.clone();
  for (let i = 0; i < m.data.length; i += every) m.data[i] = Number.NaN;
  return m;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isMlshipError(e) ? e.code : `not an MlshipError: ${String(e)}`;
  }
  return 'did not throw';
}

const small = makeSyntheticRegression({ nSamples: 600, nFeatures: 10, seed: 7 });

describe('binning', () => {
  it('uses midpoints between distinct values, ignores NaN, and maps x <= threshold to the lower bin', () => {
    const t = findBinningThresholds(Float64Array.of(3, 1, Number.NaN, 2, 2, 1), 255);
    expect(Array.from(t)).toEqual([1.5, 2.5]);
    const padded = new Float64Array(255).fill(Infinity);
    padded.set(t);
    const out = new Uint8Array(6);
    mapColumn(Float64Array.of(1, 1.5, 2, 2.5, 3, Number.NaN), 6, padded, 255, out, 0);
    expect(Array.from(out)).toEqual([0, 0, 1, 1, 2, 255]);
  });

  it('large columns (thresholds from bucketed ranks, bins from a cell table) match a full sort and a linear count', () => {
    let seed = 5;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const columns = {
      uniform: Float64Array.from({ length: 20_000 }, () => rnd() * 2 - 1),
      skewed: Float64Array.from({ length: 20_000 }, () => Math.exp(12 * rnd()) * (rnd() < 0.5 ? -1 : 1)),
      infinitiesAndNaN: Float64Array.from({ length: 20_000 }, () => {
        const r = rnd();
        return r < 0.01 ? Infinity : r < 0.02 ? -Infinity : r < 0.05 ? Number.NaN : rnd();
      }),
      fewValues: Float64Array.from({ length: 20_000 }, () => Math.floor(rnd() * 300) / 3),
    };
    for (const [name, col] of Object.entries(columns)) {
      const sorted = col.filter((v) => !Number.isNaN(v)).sort();
      const m = sorted.length;
      const distinct = sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
      let expected: number[];
      if (distinct.length <= 255) expected = Array.from(distinct.slice(1), (v, i) => (distinct[i]! + v) * 0.5);
      else {
        expected = [];
        for (let p = 1; p < 255; p++) {
          const idx = (m - 1) * ((p * (100 / 255)) / 100);
          const virtual = 0.5 * (Math.floor(idx) + Math.ceil(idx));
          const prev = Math.floor(virtual);
          const a = sorted[Math.min(prev, m - 1)]!;
          const b = sorted[Math.min(prev + 1, m - 1)]!;
          expected.push(virtual % 1 === 0 ? a + (b - a) * 0 : b - (b - a) * 0.5);
        }
      }
      const t = findBinningThresholds(col, 255);
      expect(Array.from(t), name).toEqual(expected.map((v) => Math.min(v, 1e300)));
      // Percentiles next to infinite values are NaN (as numpy's): no order to count against.
      if (t.some(Number.isNaN)) continue;
      const padded = new Float64Array(255).fill(Infinity);
      padded.set(t);
      const probes = Float64Array.from([...col.subarray(0, 2000), ...t, ...t.map((v) => v + Math.abs(v) * 1e-15), Infinity, -Infinity, 0, -0]);
      const out = new Uint8Array(probes.length);
      mapColumn(probes, probes.length, padded, 255, out, 0);
      probes.forEach((x, i) => {
        const want = Number.isNaN(x) ? 255 : t.filter((v) => v < x).length;
        if (out[i] !== want) expect(`${name}: ${x} -> ${out[i]}`).toBe(`${name}: ${x} -> ${want}`);
      });
    }
  });

  it('an all-NaN column has one non-missing bin and no thresholds', () => {
    expect(findBinningThresholds(Float64Array.of(Number.NaN, Number.NaN), 255).length).toBe(0);
  });
});

describe('HistGradientBoostingRegressor', () => {
  it('fits and predicts; before fit predict throws NOT_FITTED', () => {
    const m = new HistGradientBoostingRegressor({ maxIter: 50 });
    expect(code(() => m.predict(small.X))).toBe('NOT_FITTED');
    m.fit(small.X, small.y);
    expect(m.nIter_).toBe(50);
    expect(m.doEarlyStopping_).toBe(false);
    expect(m.score(small.X, small.y)).toBeGreaterThan(0.9);
  });

  it('handles NaN natively, in fit and at predict time', () => {
    const X = withNaN(small.X, 7);
    const m = new HistGradientBoostingRegressor({ maxIter: 30 }).fit(X, small.y);
    const p = m.predict(X);
    expect(p.every(Number.isFinite)).toBe(true);
    expect(m.score(X, small.y)).toBeGreaterThan(0.8);
    // NaN only at predict time (no NaN seen in fit): rows go to the child with more samples.
    const clean = new HistGradientBoostingRegressor({ maxIter: 5 }).fit(small.X, small.y);
    const allNaN = new Matrix(1, 10).clone();
    allNaN.data.fill(Number.NaN);
    expect(Number.isFinite(clean.predict(allNaN)[0]!)).toBe(true);
  });

  it('rejects bad input and unimplemented options with coded errors', () => {
    const csr = new CsrMatrix(2, 2, Float64Array.of(1), Int32Array.of(0), Int32Array.of(0, 1, 1));
    expect(code(() => new HistGradientBoostingRegressor().fit(csr, [1, 2]))).toBe('INVALID_ARGUMENT');
    expect(code(() => new HistGradientBoostingRegressor().fit(small.X, [1, 2]))).toBe('SHAPE_MISMATCH');
    expect(code(() => new HistGradientBoostingRegressor({ monotonicCst: [1] as never }).fit(small.X, small.y))).toBe('INVALID_ARGUMENT');
    expect(code(() => new HistGradientBoostingRegressor({ maxBins: 256 }).fit(small.X, small.y))).toBe('INVALID_ARGUMENT');
    expect(code(() => new HistGradientBoostingRegressor({ loss: 'poisson' as never }).fit(small.X, small.y))).toBe('INVALID_ARGUMENT');
    const m = new HistGradientBoostingRegressor({ maxIter: 3 }).fit(small.X, small.y);
    expect(code(() => m.predict([[1, 2, 3]]))).toBe('SHAPE_MISMATCH');
  });

  it('early stopping: on by default above 10,000 samples, with scores per iteration', () => {
    const { X, y } = makeSyntheticRegression({ nSamples: 12_000, nFeatures: 10, noise: 3, seed: 1 });
    const m = new HistGradientBoostingRegressor({ randomState: 0, learningRate: 0.5 }).fit(X, y);
    expect(m.doEarlyStopping_).toBe(true);
    expect(m.nIter_!).toBeLessThan(100);
    expect(m.trainScore_!.length).toBe(m.nIter_! + 1);
    expect(m.validationScore_!.length).toBe(m.nIter_! + 1);
    // A named scorer watched on held-out data, and no validation set (the training loss).
    const r2 = new HistGradientBoostingRegressor({ earlyStopping: true, scoring: 'r2', maxIter: 20, randomState: 0 }).fit(small.X, small.y);
    expect(r2.validationScore_!.length).toBe(r2.nIter_! + 1);
    expect(r2.validationScore_!.at(-1)!).toBeGreaterThan(0.5);
    const noVal = new HistGradientBoostingRegressor({ earlyStopping: true, validationFraction: null, maxIter: 20 }).fit(small.X, small.y);
    expect(noVal.validationScore_!.length).toBe(0);
    expect(noVal.trainScore_!.length).toBe(noVal.nIter_! + 1);
  });

  it('gives identical models for any nJobs (histograms, binning and prediction shared among worker threads)', () => {
    const { X, y } = makeSyntheticRegression({ nSamples: 36_000, nFeatures: 12, seed: 3 });
    const Xn = withNaN(X, 11);
    const one = new HistGradientBoostingRegressor({ maxIter: 15, earlyStopping: false, nJobs: 1 }).fit(Xn, y);
    const fit = (nJobs: number) => new HistGradientBoostingRegressor({ maxIter: 15, earlyStopping: false, nJobs }).fit(Xn, y);
    // By default the main thread takes back tasks that a busy or sleeping worker has not started,
    // so compare both ways: workers forced to do their share, and the default.
    workerTasks(false);
    try {
      const before = workerTasks();
      const two = fit(2);
      const three = fit(3);
      expect(workerTasks()).toBeGreaterThan(before);
      expect(Array.from(two.predict(Xn))).toEqual(Array.from(one.predict(Xn)));
      expect(Array.from(three.predict(Xn))).toEqual(Array.from(one.predict(Xn)));
      const labels = Array.from(y, (v) => (v > 16 ? 'high' : v > 12 ? 'mid' : 'low'));
      const c1 = new HistGradientBoostingClassifier({ maxIter: 5, earlyStopping: false, nJobs: 1 }).fit(Xn, labels);
      const c2 = new HistGradientBoostingClassifier({ maxIter: 5, earlyStopping: false, nJobs: 2 }).fit(Xn, labels);
      expect(Array.from(c2.predictProba(Xn).data)).toEqual(Array.from(c1.predictProba(Xn).data));
    } finally {
      workerTasks(true);
    }
    expect(Array.from(fit(2).predict(Xn))).toEqual(Array.from(one.predict(Xn)));
  }, 60_000);

  it('scores early stopping identically when a worker computes the training loss', () => {
    const { X, y } = makeSyntheticRegression({ nSamples: 36_000, nFeatures: 10, seed: 4 });
    const labels = Array.from(y, (v) => (v > 16 ? 'high' : v > 12 ? 'mid' : 'low'));
    const fits = (nJobs: number) => [
      new HistGradientBoostingRegressor({ maxIter: 8, earlyStopping: true, validationFraction: null, nJobs }).fit(X, y),
      new HistGradientBoostingRegressor({ maxIter: 8, earlyStopping: true, loss: 'absolute_error', validationFraction: null, nJobs }).fit(X, y),
      new HistGradientBoostingClassifier({ maxIter: 4, earlyStopping: true, validationFraction: 0.05, randomState: 0, nJobs }).fit(X, labels),
    ];
    const one = fits(1);
    // Workers forced to do their share (the loss included).
    workerTasks(false);
    try {
      const two = fits(2);
      two.forEach((m, i) => {
        expect(Array.from(m.trainScore_!)).toEqual(Array.from(one[i]!.trainScore_!));
        expect(Array.from(m.validationScore_!)).toEqual(Array.from(one[i]!.validationScore_!));
        expect(m.nIter_).toBe(one[i]!.nIter_);
      });
    } finally {
      workerTasks(true);
    }
  }, 60_000);

  it('predicts rows with and without missing values as the plain tree walk does, on one thread or several', () => {
    const { X, y } = makeSyntheticRegression({ nSamples: 3000, nFeatures: 11, seed: 5 });
    // Missing values in the second half only: the first half's row blocks take the NaN-free kernel.
    const Xn = X.clone();
    for (let i = 1500 * 11; i < Xn.data.length; i += 5) Xn.data[i] = Number.NaN;
    const one = new HistGradientBoostingRegressor({ maxIter: 20, earlyStopping: false, nJobs: 1 }).fit(Xn, y);
    const f = one.forest_!;
    const expected = new Float64Array(3000).fill(one.baseline_![0]!);
    predictRaw(f, 0, f.treeStart.length - 1, Xn.data, 3000, 11, 1, expected);
    expect(Array.from(one.predict(Xn))).toEqual(Array.from(expected));
    // The JavaScript walks (NaN-free blocks and the others), without the WebAssembly copy.
    const { wasm, ...plain } = compileForest(f);
    expect(wasm === undefined || wasm.scratch > 0).toBe(true);
    const js = new Float64Array(3000).fill(one.baseline_![0]!);
    predictCompiled(plain, Xn.data, 3000, 11, 1, js);
    expect(Array.from(js)).toEqual(Array.from(expected));
    workerTasks(false);
    try {
      const two = new HistGradientBoostingRegressor({ maxIter: 20, earlyStopping: false, nJobs: 2 }).fit(Xn, y);
      expect(Array.from(two.predict(Xn))).toEqual(Array.from(expected));
    } finally {
      workerTasks(true);
    }
  });

  it('prints a progress line per iteration with verbose', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      new HistGradientBoostingRegressor({ maxIter: 3, verbose: 1 }).fit(small.X, small.y);
      const lines = spy.mock.calls.map((c) => String(c[0]));
      expect(lines.some((l) => l.startsWith('[3/3] 1 tree, '))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('survives a snapshot round trip through plain typed arrays', () => {
    const m = new HistGradientBoostingRegressor({ maxIter: 10 }).fit(small.X, small.y);
    const back = BaseEstimator.fromSnapshot(m.toSnapshot()) as HistGradientBoostingRegressor;
    expect(Array.from(back.predict(small.X))).toEqual(Array.from(m.predict(small.X)));
  });

  it('works in a Pipeline and in GridSearchCV', () => {
    const pipe = new Pipeline([
      ['scale', new StandardScaler()],
      ['hgb', new HistGradientBoostingRegressor({ maxIter: 20 })],
    ]);
    pipe.fit(small.X, small.y);
    expect((pipe as any).score(small.X, small.y)).toBeGreaterThan(0.8);
    const search = new GridSearchCV(new HistGradientBoostingRegressor({ maxIter: 20 }), { learningRate: [0.05, 0.3], maxLeafNodes: [7, 31] }, { cv: 3, scoring: 'neg_root_mean_squared_error' });
    search.fit(small.X, small.y);
    expect(search.bestParams_).toBeDefined();
    expect(Number.isFinite(search.bestScore_!)).toBe(true);
  });
});

describe('HistGradientBoostingClassifier', () => {
  const labels = Array.from(small.y, (v) => (v > 14.5 ? 'yes' : 'no'));
  const three = Array.from(small.y, (v) => (v > 16 ? 2 : v > 13 ? 1 : 0));

  it('binary: probabilities sum to 1, decisionFunction is the log-odds of classes_[1]', () => {
    const c = new HistGradientBoostingClassifier({ maxIter: 30 }).fit(small.X, labels);
    expect(c.classes_).toEqual(['no', 'yes']);
    const p = c.predictProba(small.X);
    const d = c.decisionFunction(small.X);
    expect(d.cols).toBe(1);
    for (let i = 0; i < 10; i++) {
      expect(p.get(i, 0) + p.get(i, 1)).toBeCloseTo(1, 12);
      expect(p.get(i, 1)).toBeCloseTo(1 / (1 + Math.exp(-d.get(i, 0))), 12);
    }
    expect(c.score(small.X, labels)).toBeGreaterThan(0.85);
  });

  it('multiclass with NaN in X: one tree per class and iteration', () => {
    const X = withNaN(small.X, 5);
    const c = new HistGradientBoostingClassifier({ maxIter: 20 }).fit(X, three);
    expect(c.nTreesPerIteration_).toBe(3);
    expect(c.forest_!.treeStart.length - 1).toBe(60);
    expect(c.predictProba(X).cols).toBe(3);
    expect(c.score(X, three)).toBeGreaterThan(0.7);
  });

  it('early stopping with a stratified validation split and the accuracy scorer', () => {
    const c = new HistGradientBoostingClassifier({ earlyStopping: true, scoring: 'accuracy', maxIter: 15, randomState: 0 }).fit(small.X, labels);
    expect(c.validationScore_!.length).toBe(c.nIter_! + 1);
    expect(c.validationScore_!.every((s) => s >= 0 && s <= 1)).toBe(true);
  });
});
