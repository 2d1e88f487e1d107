import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CsrMatrix, Matrix, MlshipError, type Label } from '../../core/index.js';
import { KFold, StratifiedKFold, TimeSeriesSplit, trainTestSplit } from './index.js';

const fx = JSON.parse(readFileSync(new URL('../../../test/fixtures/sklearn/metrics-splits.json', import.meta.url), 'utf8'));

function countBy(y: Label[], idx: Int32Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of idx) out[String(y[i])] = (out[String(y[i])] ?? 0) + 1;
  return out;
}

function expectPartition(n: number, folds: { test: Int32Array }[]): void {
  const seen = new Int32Array(n);
  for (const f of folds) for (const i of f.test) seen[i]!++;
  expect([...seen].every((c) => c === 1)).toBe(true);
}

describe('StratifiedKFold (scikit-learn 1.2 allocation)', () => {
  for (const c of fx.stratified) {
    it(`nSplits=${c.nSplits} shuffle=${c.shuffle} n=${c.y.length}: fold sizes and per-fold class counts equal scikit-learn's`, () => {
      const cv = new StratifiedKFold({ nSplits: c.nSplits, shuffle: c.shuffle, randomState: c.shuffle ? 7 : undefined });
      const folds = [...cv.split(c.y, c.y)];
      expect(folds.length).toBe(cv.getNSplits());
      folds.forEach((f, i) => {
        const ref = c.folds[i];
        expect(f.test.length).toBe(ref.testSize);
        expect(f.train.length).toBe(ref.trainSize);
        expect(countBy(c.y, f.test)).toEqual(ref.testCounts);
        // without shuffling the indices are deterministic and identical
        if (ref.test) expect(Array.from(f.test)).toEqual(ref.test);
        expect(f.train.length + f.test.length).toBe(c.y.length);
      });
      expectPartition(c.y.length, folds);
    });
  }
  it('is reproducible for a seed and differs across seeds', () => {
    const y = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 'a' : 'b'));
    const a = [...new StratifiedKFold({ nSplits: 3, shuffle: true, randomState: 1 }).split(y, y)].map((f) => Array.from(f.test));
    const b = [...new StratifiedKFold({ nSplits: 3, shuffle: true, randomState: 1 }).split(y, y)].map((f) => Array.from(f.test));
    const c = [...new StratifiedKFold({ nSplits: 3, shuffle: true, randomState: 2 }).split(y, y)].map((f) => Array.from(f.test));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
  it('rejects a class with fewer members than nSplits, with the least populated count', () => {
    const y = ['a', 'a', 'a', 'b', 'b', 'a'];
    expect(() => [...new StratifiedKFold({ nSplits: 3 }).split(y, y)]).toThrow(/least populated class in y has only 2 members, which is less than nSplits=3/);
    expect(() => [...new StratifiedKFold({ nSplits: 7 }).split(y, y)]).toThrow(/cannot be greater than the number of members in each class/);
    expect(() => [...new StratifiedKFold().split(y)]).toThrow(/y is required/);
  });
});

describe('KFold', () => {
  for (const c of fx.kfold) {
    it(`n=${c.n} nSplits=${c.nSplits}: identical indices to scikit-learn; shuffled fold sizes equal`, () => {
      const folds = [...new KFold({ nSplits: c.nSplits }).split(new Float64Array(c.n))];
      expect(folds.map((f) => ({ train: Array.from(f.train), test: Array.from(f.test) }))).toEqual(c.folds);
      const sh = [...new KFold({ nSplits: c.nSplits, shuffle: true, randomState: 3 }).split(new Float64Array(c.n))];
      expect(sh.map((f) => f.test.length)).toEqual(c.shuffledTestSizes);
      expectPartition(c.n, sh);
    });
  }
  it('validates its arguments', () => {
    expect(() => new KFold({ nSplits: 1 })).toThrow(/at least one train\/test split/);
    expect(() => new KFold({ nSplits: 2.5 })).toThrow(MlshipError);
    expect(() => new KFold({ randomState: 1 })).toThrow(/no effect since shuffle is false/);
    expect(() => [...new KFold({ nSplits: 3 }).split([1, 2])]).toThrow(/greater than the number of samples: n_samples=2/);
  });
});

describe('TimeSeriesSplit', () => {
  for (const c of fx.timeSeries) {
    it(`n=${c.n} ${JSON.stringify(c.options)}: identical indices to scikit-learn`, () => {
      const folds = [...new TimeSeriesSplit(c.options).split(new Float64Array(c.n))];
      expect(folds.map((f) => ({ train: Array.from(f.train), test: Array.from(f.test) }))).toEqual(c.folds);
    });
  }
  it('rejects too many splits', () => {
    expect(() => [...new TimeSeriesSplit({ nSplits: 5 }).split([1, 2, 3])]).toThrow(/number of folds=6 greater than the number of samples=3/);
    expect(() => [...new TimeSeriesSplit({ nSplits: 3, testSize: 3, gap: 2 }).split(new Float64Array(10))]).toThrow(/too many splits=3/);
  });
});

describe('trainTestSplit', () => {
  for (const c of fx.trainTest) {
    it(`stratified ${JSON.stringify(c.options)} on ${c.y.length} labels: sizes and per-class counts equal scikit-learn's`, () => {
      const idx = Array.from({ length: c.y.length }, (_, i) => i);
      const [tr, te] = trainTestSplit(idx, { ...c.options, stratify: c.y, randomState: 0 });
      expect(tr.length).toBe(c.trainSize);
      expect(te.length).toBe(c.testSize);
      const cnt = (ids: number[]): Record<string, number> => countBy(c.y, Int32Array.from(ids));
      expect(cnt(tr)).toEqual(c.trainCounts);
      expect(cnt(te)).toEqual(c.testCounts);
      expect(new Set([...tr, ...te]).size).toBe(tr.length + te.length);
    });
  }
  it('subsets string arrays, typed arrays, Matrix and CsrMatrix with the same rows', () => {
    const docs = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const nums = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const m = Matrix.fromRows(docs.map((_, i) => [i, 10 * i]));
    const s = CsrMatrix.fromDense(m);
    const [dTr, dTe, nTr, nTe, mTr, mTe, sTr, sTe] = trainTestSplit(docs, nums, m, s, { testSize: 0.25, randomState: 5 });
    expect(dTe.length).toBe(2); // ceil(0.25 * 8)
    expect(dTr.length).toBe(6);
    expect(nTr).toBeInstanceOf(Float64Array);
    expect(Array.from(nTr).map((i) => docs[i])).toEqual(dTr);
    expect(Array.from(nTe).map((i) => docs[i])).toEqual(dTe);
    expect(mTr.col(0)).toEqual(nTr);
    expect(sTe.toDense().col(1)).toEqual(mTe.col(1));
    expect(sTr.rows).toBe(6);
  });
  it('is seeded, and shuffle: false takes the first rows for training', () => {
    const x = Array.from({ length: 20 }, (_, i) => i);
    expect(trainTestSplit(x, { randomState: 1 })).toEqual(trainTestSplit(x, { randomState: 1 }));
    expect(trainTestSplit(x, { randomState: 1 })).not.toEqual(trainTestSplit(x, { randomState: 2 }));
    const [tr, te] = trainTestSplit(x, { shuffle: false, testSize: 5 });
    expect(tr).toEqual(x.slice(0, 15));
    expect(te).toEqual(x.slice(15));
  });
  it('edge cases: testSize out of range, inconsistent lengths, a class of one member', () => {
    const x = [1, 2, 3, 4, 5];
    expect(() => trainTestSplit(x, { testSize: 1.5 })).toThrow(/testSize=1.5 should be either positive and smaller than the number of samples 5/);
    expect(() => trainTestSplit(x, { testSize: 0 })).toThrow(MlshipError);
    expect(() => trainTestSplit(x, { testSize: 5 })).toThrow(/testSize=5/);
    expect(() => trainTestSplit(x, { testSize: 0.6, trainSize: 0.6 })).toThrow(/sum of testSize and trainSize/);
    expect(() => trainTestSplit(x, [1, 2], {})).toThrow(/inconsistent numbers of samples: \[5, 2\]/);
    expect(() => trainTestSplit(x, { stratify: ['a', 'a', 'b', 'b', 'c'] })).toThrow(/least populated class in y has only 1 member/);
    expect(() => trainTestSplit(x, { stratify: ['a', 'a', 'b', 'b', 'b'], shuffle: false })).toThrow(/shuffle: false/);
  });
});
