import { describe, expect, it } from 'vitest';
import { Matrix, isMlshipError } from '../../core/index.js';
import { BaseEstimator } from '../base.js';
import { denseFixture, f64, loadFixture } from '../../../test/support/sklearn-fixtures.js';
import { packTrees, packedPredict } from './flat.js';
import { DecisionTreeClassifier, DecisionTreeRegressor } from './index.js';
import { LegacyMT19937, bootstrapCounts, forestTreeSeeds } from './random.js';

const fx = loadFixture('trees-single.json');
const X = denseFixture(fx.X);
const Xtest = denseFixture(fx.Xtest);
const yReg = f64(fx.yReg);
const yCls: number[] = fx.yCls;
const sw = f64(fx.sampleWeight);

/** scikit-learn's snake_case params in camelCase. */
function camel(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}

function closeArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) throw new Error(`${what}[${i}]: ${a} vs scikit-learn ${e}`);
  }
}

function expectSameTree(est: DecisionTreeRegressor | DecisionTreeClassifier, rec: any): void {
  const t = est.tree_!;
  expect(Array.from(t.feature)).toEqual(rec.feature);
  expect(Array.from(t.left)).toEqual(rec.left);
  expect(Array.from(t.right)).toEqual(rec.right);
  expect(Array.from(t.nNodeSamples)).toEqual(rec.nNodeSamples);
  closeArrays(t.threshold, f64(rec.threshold), 1e-12, 'threshold');
  closeArrays(t.value, f64(rec.value), 1e-12, 'value');
  closeArrays(t.impurity, f64(rec.impurity), 1e-10, 'impurity');
  closeArrays(t.weightedNNodeSamples, f64(rec.weightedNNodeSamples), 1e-12, 'weightedNNodeSamples');
  expect(est.getDepth()).toBe(rec.depth);
  expect(est.getNLeaves()).toBe(rec.nLeaves);
  closeArrays(est.featureImportances_!, f64(rec.importances), 1e-9, 'featureImportances_');
}

describe('DecisionTreeRegressor parity with scikit-learn 1.2 (tie-free data, all features)', () => {
  for (const [name, rec] of Object.entries<any>(fx.regression)) {
    if (name === 'full') continue;
    it(`${name}: ${JSON.stringify(rec.params)}${rec.weighted ? ' + sampleWeight' : ''}`, () => {
      const est = new DecisionTreeRegressor({ ...camel(rec.params), randomState: 0 }).fit(X, yReg, rec.weighted ? sw : undefined);
      expectSameTree(est, rec);
      closeArrays(est.predict(Xtest), f64(rec.predict), 1e-12, 'predict');
      expect(est.exportText({ maxDepth: 2 })).toBe(rec.exportText);
    });
  }

  it('full growth: the same fit (float-rounding ties between features at tiny nodes aside)', () => {
    // At nodes of a few samples two features can give the same partition; scikit-learn picks one by
    // the rounding of its sums (its sample order), so splits there may use another feature.
    const rec = fx.regression.full;
    const est = new DecisionTreeRegressor({ randomState: 0 }).fit(X, yReg);
    expect(Math.abs(est.tree_!.feature.length - rec.feature.length)).toBeLessThanOrEqual(4);
    const agreement = (p: Float64Array, q: Float64Array): number => {
      let same = 0;
      for (let i = 0; i < q.length; i++) if (Math.abs(p[i]! - q[i]!) <= 1e-12 * Math.max(1, Math.abs(q[i]!))) same++;
      return same / q.length;
    };
    expect(agreement(est.predict(X), f64(rec.predictTrain))).toBeGreaterThanOrEqual(0.97);
    expect(agreement(est.predict(Xtest), f64(rec.predict))).toBeGreaterThanOrEqual(0.9);
  });
});

describe('DecisionTreeClassifier parity with scikit-learn 1.2 (3 classes)', () => {
  for (const [name, rec] of Object.entries<any>(fx.classification)) {
    it(`${name}: ${JSON.stringify(rec.params)}${rec.weighted ? ' + sampleWeight' : ''}`, () => {
      const est = new DecisionTreeClassifier({ ...camel(rec.params), randomState: 0 }).fit(X, yCls, rec.weighted ? sw : undefined);
      expectSameTree(est, rec);
      expect(est.classes_).toEqual([0, 1, 2]);
      expect(est.predict(Xtest)).toEqual(rec.predict);
      closeArrays(est.predictProba(Xtest).data, f64(rec.proba), 1e-12, 'predictProba');
      expect(est.exportText({ maxDepth: 2, showWeights: true, featureNames: ['a', 'b', 'c', 'd', 'e'], decimals: 3 })).toBe(rec.exportText);
    });
  }
});

describe('decision trees', () => {
  it('classifies string labels and exports text like sklearn.tree.export_text', () => {
    const Xs = [[0, 1], [1, 0], [2, 1], [3, 0], [4, 1], [5, 0]];
    const clf = new DecisionTreeClassifier({ maxDepth: 2 }).fit(Xs, ['b', 'b', 'b', 'a', 'a', 'a']);
    expect(clf.classes_).toEqual(['a', 'b']);
    expect(clf.predict([[0.5, 1], [4.5, 0]])).toEqual(['b', 'a']);
    expect(clf.exportText({ featureNames: ['x', 'z'] })).toBe('|--- x <= 2.50\n|   |--- class: b\n|--- x >  2.50\n|   |--- class: a\n');
    expect(clf.apply([[0, 0], [5, 1]])).toEqual(Int32Array.from([1, 2]));
  });

  it('predicts the same in the 8-byte and 12-byte packed node formats, as the tree arrays say', () => {
    const rows = Array.from({ length: 300 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i * 7919) % 101, i % 5]);
    const y = rows.map((r) => r[0]! * 2 + r[2]! / 50 + (r[3]! > 2 ? 1 : 0));
    const labels = y.map((v) => (v > 1.5 ? 'a' : v > 0 ? 'b' : 'c'));
    const reg = new DecisionTreeRegressor({ randomState: 0 }).fit(rows, y);
    const clf = new DecisionTreeClassifier({ randomState: 0 }).fit(rows, labels);
    const x = Float32Array.from(rows.flat());
    for (const [tree, classification] of [[reg.tree_!, false], [clf.tree_!, true]] as const) {
      const small = packTrees(tree, classification);
      const wide = packTrees(tree, classification, false, false);
      expect(small.fbits).toBeGreaterThan(0);
      expect(wide.fbits).toBe(0);
      expect(Array.from(packedPredict(small, x, 300, 4))).toEqual(Array.from(packedPredict(wide, x, 300, 4)));
    }
    // The leaves found by the packed walk are the leaves of applyTree.
    const leaves = reg.apply(rows);
    const value = reg.tree_!.value;
    expect(Array.from(reg.predict(rows))).toEqual(Array.from(leaves, (l) => value[l]!));
  });

  it('round-trips through a snapshot', () => {
    const est = new DecisionTreeRegressor({ maxDepth: 4 }).fit(X, yReg);
    const back = BaseEstimator.fromSnapshot(JSON.parse(JSON.stringify(est.toSnapshot(), (_k, v) => (ArrayBuffer.isView(v) ? { t: v.constructor.name, a: Array.from(v as Float64Array) } : v)), (_k, v) => (v && typeof v === 'object' && typeof v.t === 'string' && Array.isArray(v.a) ? new (globalThis as any)[v.t](v.a) : v))) as DecisionTreeRegressor;
    expect(Array.from(back.predict(Xtest))).toEqual(Array.from(est.predict(Xtest)));
  });

  it('random splitter and maxFeatures are reproducible under randomState', () => {
    const a = new DecisionTreeRegressor({ splitter: 'random', maxFeatures: 'sqrt', randomState: 3 }).fit(X, yReg).predict(Xtest);
    const b = new DecisionTreeRegressor({ splitter: 'random', maxFeatures: 'sqrt', randomState: 3 }).fit(X, yReg).predict(Xtest);
    expect(Array.from(a)).toEqual(Array.from(b));
    const c = new DecisionTreeClassifier({ splitter: 'random', maxFeatures: 2, randomState: 1 }).fit(X, yCls);
    expect(c.score(X, yCls)).toBe(1);
  });

  it('rejects bad hyperparameters with INVALID_ARGUMENT naming them', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ maxDepth: 0 }, 'maxDepth'],
      [{ minSamplesLeaf: 0 }, 'minSamplesLeaf'],
      [{ minSamplesSplit: 1.5 }, 'minSamplesSplit'],
      [{ maxFeatures: 'auto' }, 'maxFeatures'],
      [{ maxLeafNodes: 1 }, 'maxLeafNodes'],
      [{ ccpAlpha: 0.1 }, 'ccpAlpha'],
      [{ criterion: 'absolute_error' }, 'criterion'],
      [{ splitter: 'fast' }, 'splitter'],
    ];
    for (const [params, field] of cases) {
      let err: unknown;
      try {
        new DecisionTreeRegressor(params as any).fit(X, yReg);
      } catch (e) {
        err = e;
      }
      expect(isMlshipError(err) && err.code === 'INVALID_ARGUMENT' && err.message.includes(field), `${JSON.stringify(params)}: ${String(err)}`).toBe(true);
    }
    expect(() => new DecisionTreeClassifier({ criterion: 'squared_error' as any }).fit(X, yCls)).toThrow(/criterion/);
    expect(() => new DecisionTreeRegressor().fit([[1], [1e39]], [1, 2])).toThrow(/too large for float32 at row 1, column 0/);
  });

  it('a constant target gives a single leaf', () => {
    const est = new DecisionTreeRegressor().fit(new Matrix(3, 1, Float64Array.from([1, 2, 3])), [5, 5, 5]);
    expect(est.getNLeaves()).toBe(1);
    expect(est.getDepth()).toBe(0);
    expect(Array.from(est.featureImportances_!)).toEqual([0]);
  });
});

describe('scikit-learn random streams', () => {
  it("NumPy's RandomState(seed).randint and the forest's per-tree seeds", () => {
    // Values printed by NumPy 1.24: RandomState(0).randint(0, 10) x5, RandomState(42).randint(0, 506, 5),
    // RandomState(12345).randint(2**31 - 1, size=3).
    const a = new LegacyMT19937(0);
    expect([0, 1, 2, 3, 4].map(() => a.randint(0, 10))).toEqual([5, 0, 3, 3, 7]);
    expect(new LegacyMT19937(0).randint(0, 0x7fffffff)).toBe(209652396);
    const b = new LegacyMT19937(42);
    expect([0, 1, 2, 3, 4].map(() => b.randint(0, 506))).toEqual([102, 435, 348, 270, 106]);
    expect(forestTreeSeeds(12345, 3)).toEqual([1845187042, 1675701733, 1358822685]);
    const counts = bootstrapCounts(7, 50, 50);
    expect(counts.reduce((s, v) => s + v, 0)).toBe(50);
  });
});
