import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Matrix, MlshipError, type Label } from '../../core/index.js';
import {
  accuracyScore,
  averagePrecisionScore,
  businessCost,
  classificationReport,
  confusionMatrix,
  f1Score,
  fbetaScore,
  formatFixed,
  logLoss,
  precisionRecallCurve,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  rocAucScore,
  rocCurve,
  type Average,
  type ZeroDivision,
} from './index.js';

const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../../../test/fixtures/sklearn/${name}`, import.meta.url), 'utf8'));
const cls = fixture('metrics-classification.json');
const rank = fixture('metrics-ranking.json');
const TOL = 1e-12;

function expectClose(actual: ArrayLike<number> | number | null, expected: number[] | number | null, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  if (typeof expected === 'number') {
    expect(Math.abs((actual as number) - expected), `${what}: ${String(actual)} vs ${expected}`).toBeLessThanOrEqual(TOL);
    return;
  }
  const a = Array.from(actual as ArrayLike<number>);
  expect(a.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - expected[i]!), `${what}[${i}]: ${a[i]} vs ${expected[i]}`).toBeLessThanOrEqual(TOL);
}

function expectDeepClose(actual: unknown, expected: unknown, what: string): void {
  if (typeof expected === 'number') {
    expect(Math.abs((actual as number) - expected), what).toBeLessThanOrEqual(TOL);
  } else if (expected && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), what).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) expectDeepClose((actual as Record<string, unknown>)[k], v, `${what}.${k}`);
  } else {
    expect(actual, what).toEqual(expected);
  }
}

describe('precision, recall, F-beta, support against scikit-learn 1.2.1', () => {
  for (const c of cls.prf) {
    it(`${c.name}: every average, zeroDivision, beta and labels variant`, () => {
      expectClose(accuracyScore(c.yTrue, c.yPred), c.accuracy, 'accuracy');
      expect(accuracyScore(c.yTrue, c.yPred, { normalize: false })).toBe(c.accuracyCount);
      for (const r of c.results) {
        const what = `${c.name} labels=${JSON.stringify(r.labels)} average=${r.average} zd=${r.zeroDivision} beta=${r.beta}`;
        const opts = { labels: r.labels ?? undefined, posLabel: c.posLabel as Label, zeroDivision: r.zeroDivision as ZeroDivision, beta: r.beta as number };
        if (r.average === null) {
          const got = precisionRecallFscoreSupport(c.yTrue, c.yPred, { ...opts, average: null });
          expectClose(got.precision, r.precision, `${what} precision`);
          expectClose(got.recall, r.recall, `${what} recall`);
          expectClose(got.fscore, r.fscore, `${what} fscore`);
          expectClose(got.support, r.support, `${what} support`);
        } else {
          const avg = r.average as Exclude<Average, null>;
          const got = precisionRecallFscoreSupport(c.yTrue, c.yPred, { ...opts, average: avg });
          expectClose(got.precision, r.precision, `${what} precision`);
          expectClose(got.recall, r.recall, `${what} recall`);
          expectClose(got.fscore, r.fscore, `${what} fscore`);
          expect(got.support).toBeNull();
          if (r.beta === 1) {
            const o = { labels: opts.labels, posLabel: opts.posLabel, zeroDivision: opts.zeroDivision, average: avg };
            expectClose(precisionScore(c.yTrue, c.yPred, o), r.precision, `${what} precisionScore`);
            expectClose(recallScore(c.yTrue, c.yPred, o), r.recall, `${what} recallScore`);
            expectClose(f1Score(c.yTrue, c.yPred, o), r.fscore, `${what} f1Score`);
          } else {
            expectClose(fbetaScore(c.yTrue, c.yPred, { ...opts, average: avg }), r.fscore, `${what} fbetaScore`);
          }
        }
      }
    });
    it(`${c.name}: confusion matrix with labels order and normalize`, () => {
      for (const m of c.confusion) {
        const got = confusionMatrix(c.yTrue, c.yPred, { labels: m.labels ?? undefined, normalize: m.normalize });
        expectClose(got.data, (m.matrix as number[][]).flat(), `${c.name} cm ${JSON.stringify(m.labels)} ${m.normalize}`);
      }
    });
    it(`${c.name}: classification report text is byte-identical and the dict matches`, () => {
      for (const r of c.report) {
        const opts = { labels: r.labels ?? undefined, digits: r.digits as number, zeroDivision: r.zeroDivision as ZeroDivision };
        expect(classificationReport(c.yTrue, c.yPred, opts)).toBe(r.text);
        expectDeepClose(classificationReport(c.yTrue, c.yPred, { ...opts, outputDict: true }), r.dict, `${c.name} dict`);
      }
    });
  }

  it('defaults to average binary with posLabel 1, as scikit-learn', () => {
    expect(precisionScore([0, 1, 1, 0], [1, 1, 0, 0])).toBe(0.5);
    expect(() => precisionScore(['a', 'b'], ['a', 'b'])).toThrow(/posLabel=1 is not a valid label/);
    expect(() => f1Score([0, 1, 2], [0, 1, 2])).toThrow(/multiclass but average='binary'/);
  });

  it('rejects bad arguments with codes', () => {
    const err = (f: () => unknown): MlshipError => {
      try {
        f();
      } catch (e) {
        return e as MlshipError;
      }
      throw new Error('expected a throw');
    };
    expect(err(() => accuracyScore([1, 2], [1])).code).toBe('SHAPE_MISMATCH');
    expect(err(() => accuracyScore([], [])).code).toBe('INVALID_DATA');
    expect(err(() => precisionScore([0, 1], [0, 1], { zeroDivision: 2 as unknown as 0 })).code).toBe('INVALID_ARGUMENT');
    expect(err(() => fbetaScore([0, 1], [0, 1], { beta: -1 })).code).toBe('INVALID_ARGUMENT');
    expect(err(() => accuracyScore([0, 'a'], [0, 'a'])).message).toMatch(/mix of label input types/);
    expect(err(() => confusionMatrix([0, 1], [0, 1], { labels: [5] })).message).toMatch(/at least one label/);
  });
});

describe('formatFixed: Python format rounding', () => {
  it('rounds exact binary ties to even like Python and others like toFixed', () => {
    expect(formatFixed(0.625, 2)).toBe('0.62'); // Python: '0.62'; JS toFixed: '0.63'
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(0.615, 2)).toBe((0.615).toFixed(2)); // not an exact tie in binary
    expect(formatFixed(1, 2)).toBe('1.00');
  });
});

describe('logLoss against scikit-learn 1.2.1 (eps clipping, renormalisation)', () => {
  for (const c of cls.logLoss) {
    it(c.name, () => {
      const yPred = Array.isArray(c.yPred[0]) ? Matrix.fromRows(c.yPred) : c.yPred;
      expectClose(logLoss(c.yTrue, yPred, { normalize: c.normalize, eps: c.eps ?? 'auto', labels: c.labels }), c.value, c.name);
    });
  }
  it('needs two classes and matching columns', () => {
    expect(() => logLoss([1, 1], [0.5, 0.5])).toThrow(/only one label/);
    expect(() => logLoss([0, 1, 2], Matrix.fromRows([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]))).toThrow(/different number of classes/);
  });
});

describe('ranking metrics against scikit-learn 1.2.1', () => {
  for (const c of rank.cases) {
    it(`${c.name}: rocCurve (drop and keep intermediate), PR curve, AP, AUC`, () => {
      const pos = c.posLabel ?? undefined;
      for (const [key, drop] of [['rocDrop', true], ['rocAll', false]] as const) {
        const r = rocCurve(c.yTrue, c.yScore, { posLabel: pos, dropIntermediate: drop });
        expectClose(r.fpr, c[key].fpr, `${key} fpr`);
        expectClose(r.tpr, c[key].tpr, `${key} tpr`);
        expectClose(r.thresholds, c[key].thresholds, `${key} thresholds`);
      }
      const pr = precisionRecallCurve(c.yTrue, c.yScore, { posLabel: pos });
      expectClose(pr.precision, c.pr.precision, 'pr precision');
      expectClose(pr.recall, c.pr.recall, 'pr recall');
      expectClose(pr.thresholds, c.pr.thresholds, 'pr thresholds');
      expectClose(averagePrecisionScore(c.yTrue, c.yScore, { posLabel: pos ?? 1 }), c.ap, 'ap');
      if (c.auc !== null) expectClose(rocAucScore(c.yTrue, c.yScore), c.auc, 'auc');
    });
  }
  for (const c of rank.ovr) {
    it(`multiclass roc_auc ovr ${c.average}`, () => {
      expectClose(rocAucScore(c.yTrue, Matrix.fromRows(c.yScore), { multiClass: 'ovr', average: c.average }), c.value, 'ovr');
    });
  }
  it('edge cases: one class, NaN scores, string labels without posLabel', () => {
    expect(() => rocAucScore([1, 1, 1], [0.1, 0.2, 0.3])).toThrow(/only one class present/);
    expect(() => rocCurve([0, 1], [0.1, Number.NaN])).toThrow(MlshipError);
    expect(() => rocCurve(['a', 'b'], [0.1, 0.2])).toThrow(/posLabel is not specified/);
    expect(() => rocAucScore([0, 1, 2], Matrix.fromRows([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))).toThrow(/multiClass/);
  });
});

describe('businessCost', () => {
  it('counts outcomes and weighs a false negative 10x a false positive by default', () => {
    const yTrue = ['fraud', 'ok', 'ok', 'fraud', 'ok', 'fraud'];
    const yPred = ['fraud', 'fraud', 'ok', 'ok', 'ok', 'ok'];
    const c = businessCost(yTrue, yPred, { posLabel: 'fraud' });
    expect(c.counts).toEqual({ tp: 1, fp: 1, fn: 2, tn: 2 });
    expect(c.total).toBe(1 * 1 + 2 * 10);
    expect(c.mean).toBeCloseTo(21 / 6, 15);
    expect(Array.from(c.perSample)).toEqual([0, 1, 0, 10, 0, 10]);
    const custom = businessCost(yTrue, yPred, { posLabel: 'fraud', costFp: 5, costFn: 50, costTp: 2 });
    expect(custom.total).toBe(5 + 100 + 2);
  });
  it('rejects an unknown posLabel and non-finite costs', () => {
    expect(() => businessCost([0, 1], [0, 1], { posLabel: 'x' })).toThrow(/posLabel="x" is not a valid label/);
    expect(() => businessCost([0, 1], [0, 1], { costFn: Number.NaN })).toThrow(/costFn must be a finite number/);
  });
});
