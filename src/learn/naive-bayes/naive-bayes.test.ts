import { describe, expect, it } from 'vitest';
import { csrFixture, denseFixture, f64, loadFixture } from '../../../test/support/sklearn-fixtures.js';
import { CsrMatrix, Matrix, MlshipError, type Label } from '../../core/index.js';
import { BaseEstimator } from '../base.js';
import { BernoulliNB, ComplementNB, MultinomialNB, type BaseDiscreteNB, type DiscreteNBParams } from './index.js';

// Fixtures from scripts/sklearn-fixtures/models.py (scikit-learn 1.2.1).
const load = loadFixture;
const csr = csrFixture;
const dense = denseFixture;

const data = load('models-data.json');
const nbFx = load('models-nb.json');

/** Train/test inputs of a fixture case, by name. */
function inputs(x: string, y: string, binarized: boolean): { X: CsrMatrix | Matrix; Xt: CsrMatrix | Matrix; y: Label[] } {
  if (x === 'counts' || x === 'tfidf') {
    const tf = x === 'tfidf';
    const X = csr(data.counts.train, tf ? data.tfidf.train : undefined);
    const Xt = csr(data.counts.test, tf ? data.tfidf.test : undefined);
    return { X, Xt, y: data[y].train };
  }
  const d = data[x];
  let X = dense(d.X);
  let Xt = dense(d.Xtest);
  if (binarized) {
    X = new Matrix(X.rows, X.cols, X.data.map((v) => (v > 1 ? 1 : 0)));
    Xt = new Matrix(Xt.rows, Xt.cols, Xt.data.map((v) => (v > 1 ? 1 : 0)));
  }
  return { X, Xt, y: d.y };
}

const camel: Record<string, string> = { alpha: 'alpha', fit_prior: 'fitPrior', class_prior: 'classPrior', force_alpha: 'forceAlpha', norm: 'norm', binarize: 'binarize' };
const ctors = { MultinomialNB, ComplementNB, BernoulliNB } as const;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue; // equal infinities
    m = Math.max(m, Math.abs(a[i]! - b[i]!));
  }
  return m;
}

describe('Naive Bayes parity with scikit-learn 1.2.1', () => {
  for (const c of nbFx.cases) {
    const name = `${c.estimator}(${JSON.stringify(c.params)}) on ${c.X}/${c.y}`;
    it(name, async () => {
      const params: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(c.params)) params[camel[k]!] = v;
      const { X, Xt, y } = inputs(c.X, c.y, c.binarizedInput);
      const Ctor = ctors[c.estimator as keyof typeof ctors];
      const warnings: string[] = [];
      const onWarn = (w: Error): void => void warnings.push(w.message);
      process.on('warning', onWarn);
      const nb = new Ctor(params as never).fit(X, y) as BaseDiscreteNB<DiscreteNBParams>;
      await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
      process.off('warning', onWarn);
      expect(nb.classes_).toEqual(c.classes);
      expect(Array.from(nb.classCount_!)).toEqual(c.classCount);
      expect(maxAbsDiff(nb.classLogPrior_!, f64(c.classLogPrior))).toBeLessThan(1e-12);
      expect(maxAbsDiff(nb.featureLogProb_!.data, f64(c.featureLogProb))).toBeLessThan(1e-10);
      expect(maxAbsDiff(nb.predictProba(Xt).data, f64(c.predictProba))).toBeLessThan(1e-9);
      const lp = nb.predictLogProba(Xt).data;
      const wantLp = f64(c.predictLogProba);
      // Log-probabilities: absolute 1e-9 or relative 1e-12 for very negative values.
      for (let i = 0; i < lp.length; i++) expect(Math.abs(lp[i]! - wantLp[i]!)).toBeLessThan(1e-9 + 1e-12 * Math.abs(wantLp[i]!));
      expect(nb.predict(Xt)).toEqual(c.predict);
      if ((c.params.alpha ?? 1) < 1e-10 && !c.params.force_alpha) expect(warnings.join('\n')).toMatch(/alpha too small/);
    });
  }

  it('partialFit over two batches equals scikit-learn partial_fit (and fit)', () => {
    const X = csr(data.counts.train);
    const y: Label[] = data.y2.train;
    const idxA = Array.from({ length: 400 }, (_, i) => i);
    const idxB = Array.from({ length: X.rows - 400 }, (_, i) => i + 400);
    const nb = new MultinomialNB().partialFit(X.takeRows(idxA), y.slice(0, 400), ['ham', 'spam']);
    nb.partialFit(X.takeRows(idxB), y.slice(400));
    expect(maxAbsDiff(nb.featureLogProb_!.data, f64(nbFx.partialFit.featureLogProb))).toBeLessThan(1e-10);
    expect(maxAbsDiff(nb.predictProba(csr(data.counts.test)).data, f64(nbFx.partialFit.predictProba))).toBeLessThan(1e-9);
    expect(() => new MultinomialNB().partialFit(X, y)).toThrow(/classes must be passed/);
    expect(() => nb.partialFit(X.takeRows([0]), ['eggs'])).toThrow(/do not exist in the initial classes/);
  });
});

describe('Naive Bayes behaviour and edge cases', () => {
  const X = [
    [2, 0, 1],
    [0, 3, 0],
    [1, 1, 4],
  ];
  it('dense number[][], Matrix and CSR inputs give identical probabilities', () => {
    for (const Ctor of [MultinomialNB, ComplementNB, BernoulliNB]) {
      const a = new Ctor().fit(X, ['a', 'b', 'a']).predictProba(X).data;
      const b = new Ctor().fit(CsrMatrix.fromDense(Matrix.fromRows(X)), ['a', 'b', 'a']).predictProba(CsrMatrix.fromDense(Matrix.fromRows(X))).data;
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-15);
    }
  });
  it('numeric labels sort numerically; predict returns them as numbers', () => {
    const nb = new MultinomialNB().fit(X, [10, 2, 10]);
    expect(nb.classes_).toEqual([2, 10]);
    expect(nb.predict([[0, 5, 0]])).toEqual([2]);
  });
  it('one class: fits (degenerate, as scikit-learn) and predicts probability 1', () => {
    for (const Ctor of [MultinomialNB, ComplementNB, BernoulliNB]) {
      const nb = new Ctor().fit(X, ['only', 'only', 'only']);
      expect(nb.predict([[1, 1, 1]])).toEqual(['only']);
      expect(nb.predictProba([[1, 1, 1]]).data[0]).toBeCloseTo(1, 15);
    }
  });
  it('negative values are rejected for Multinomial and Complement, naming the value and place', () => {
    expect(() => new MultinomialNB().fit([[1, -2]], ['a'])).toThrow(/negative values in data passed to MultinomialNB.*-2 at row 0, column 1/);
    expect(() => new ComplementNB().fit(CsrMatrix.fromDense(Matrix.fromRows([[0, 1], [-1, 0]])), ['a', 'b'])).toThrow(/row 1, column 0/);
    expect(() => new BernoulliNB().fit([[1, -2]], ['a'])).not.toThrow();
  });
  it('NaN in X → INVALID_ARGUMENT naming row and column', () => {
    try {
      new MultinomialNB().fit([[1, 2], [Number.NaN, 0]], ['a', 'b']);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MlshipError);
      expect((e as MlshipError).code).toBe('INVALID_ARGUMENT');
      expect((e as MlshipError).message).toMatch(/NaN at row 1, column 0/);
    }
  });
  it('empty X, y of the wrong length and a bad classPrior are rejected', () => {
    expect(() => new MultinomialNB().fit([], [])).toThrow(/empty/);
    expect(() => new MultinomialNB().fit(X, ['a', 'b'])).toThrow(/\[3, 2\]/);
    expect(() => new MultinomialNB({ classPrior: [1] }).fit(X, ['a', 'b', 'a'])).toThrow(/number of priors must match/);
    expect(() => new MultinomialNB({ alpha: -1 }).fit(X, ['a', 'b', 'a'])).toThrow(/alpha/);
  });
  it('feature-count mismatch at predict names both counts (SHAPE_MISMATCH)', () => {
    const nb = new MultinomialNB().fit(X, ['a', 'b', 'a']);
    expect(() => nb.predict([[1, 2]])).toThrow(/X has 2 features, but the estimator was fitted with 3 features/);
  });
  it('not fitted → NOT_FITTED naming the method', () => {
    expect(() => new BernoulliNB().predict(X)).toThrow(/before predict\(\)/);
  });
  it('score is accuracy; an unseen label at score time counts as a miss', () => {
    const nb = new MultinomialNB().fit(X, ['a', 'b', 'a']);
    const pred = nb.predict(X);
    expect(nb.score(X, pred)).toBe(1);
    expect(nb.score(X, [pred[0]!, pred[1]!, 'never-seen'])).toBeCloseTo(2 / 3, 15);
  });
  it('toSnapshot → fromSnapshot round trip predicts identically (and keeps partialFit counts)', () => {
    const Xc = csr(data.counts.train);
    const Xt = csr(data.counts.test);
    for (const nb of [new MultinomialNB({ alpha: 0.3 }), new ComplementNB({ norm: true }), new BernoulliNB({ binarize: 1 })]) {
      nb.fit(Xc, data.y3.train);
      const back = BaseEstimator.fromSnapshot(structuredClone(nb.toSnapshot())) as BaseDiscreteNB<DiscreteNBParams>;
      expect(back.constructor).toBe(nb.constructor);
      expect(back.getParams()).toEqual(nb.getParams());
      expect(Array.from(back.predictProba(Xt).data)).toEqual(Array.from(nb.predictProba(Xt).data));
      expect(back.predict(Xt)).toEqual(nb.predict(Xt));
    }
    const mnb = new MultinomialNB().partialFit(Xc.takeRows([0, 1, 2, 3]), data.y2.train.slice(0, 4), ['ham', 'spam']);
    const restored = BaseEstimator.fromSnapshot(mnb.toSnapshot()) as MultinomialNB;
    restored.partialFit(Xc.takeRows([4, 5]), data.y2.train.slice(4, 6));
    mnb.partialFit(Xc.takeRows([4, 5]), data.y2.train.slice(4, 6));
    expect(Array.from(restored.featureLogProb_!.data)).toEqual(Array.from(mnb.featureLogProb_!.data));
  });
  it('clone keeps params and drops learned state', () => {
    const nb = new ComplementNB({ alpha: 0.2, norm: true }).fit(X, ['a', 'b', 'a']);
    const c = nb.clone();
    expect(c.getParams()).toEqual(nb.getParams());
    expect(c.isFitted).toBe(false);
  });
});
