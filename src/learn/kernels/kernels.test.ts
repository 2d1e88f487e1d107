import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CsrMatrix, Matrix, MlshipError, Rng } from '../../core/index.js';
import {
  argmaxRows,
  checkLabels,
  checkMatrix,
  csrClassSumsAdd,
  csrMatMulClassMajor,
  csrMatMulFeatureMajor,
  csrMatVec,
  csrTMatMulFeatureMajorAdd,
  csrTMatVecAdd,
  denseMatMulFeatureMajor,
  denseTMatMulFeatureMajorAdd,
  lbfgs,
  logNormalizeRows,
  logsumexpRows,
  pairwiseSum,
  softmaxRows,
} from './index.js';

const f64 = (v: { f64: string }): Float64Array => {
  const b = Buffer.from(v.f64, 'base64');
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

function rosen(x: Float64Array, g: Float64Array): number {
  const n = x.length;
  let f = 0;
  g.fill(0);
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i] = g[i]! - 400 * x[i]! * a - 2 * b;
    g[i + 1] = g[i + 1]! + 200 * a;
  }
  return f;
}

describe('lbfgs tracks scipy L-BFGS-B', () => {
  const fx = JSON.parse(readFileSync(new URL('../../../test/fixtures/sklearn/models-lbfgs.json', import.meta.url), 'utf8')) as {
    rosenbrock: { x0: number[]; options: { gtol?: number; maxiter?: number }; nit: number; nfev: number; status: number; x: { f64: string }; fun: number }[];
  };
  for (const c of fx.rosenbrock) {
    it(`Rosenbrock from [${c.x0.join(', ')}] ${JSON.stringify(c.options)}: same iterations, evaluations, status and minimiser`, () => {
      const res = lbfgs(rosen, Float64Array.from(c.x0), { gtol: c.options.gtol, maxIter: c.options.maxiter });
      expect(res.nIter).toBe(c.nit);
      expect(res.nFev).toBe(c.nfev);
      expect(res.status).toBe(c.status);
      const want = f64(c.x);
      for (let i = 0; i < want.length; i++) expect(res.x[i]).toBeCloseTo(want[i]!, 6);
      expect(Math.abs(res.f - c.fun)).toBeLessThan(1e-8 + 1e-6 * Math.abs(c.fun));
    });
  }
  it('stops at once when the starting gradient is already below gtol (0 iterations)', () => {
    const res = lbfgs((x, g) => {
      g[0] = 2 * x[0]!;
      return x[0]! * x[0]!;
    }, Float64Array.of(0));
    expect(res.nIter).toBe(0);
    expect(res.status).toBe(0);
  });
  it('reports status 2 when no descent is possible (NaN objective)', () => {
    const res = lbfgs((x, g) => {
      g[0] = 1;
      return x[0] === 0 ? 0 : Number.NaN;
    }, Float64Array.of(0));
    expect(res.status).toBe(2);
  });
});

describe('sparse and dense products', () => {
  const dense = Matrix.fromRows([
    [1, 0, 2],
    [0, 0, 0],
    [0, 3, -1],
  ]);
  const x = CsrMatrix.fromDense(dense);
  it('CSR matvec and transposed accumulation agree with the dense definition (empty row included)', () => {
    const out = new Float64Array(3);
    csrMatVec(x.indptr, x.indices, x.data, 3, Float64Array.of(1, 2, 3), 0.5, out);
    expect(Array.from(out)).toEqual([7.5, 0.5, 3.5]);
    const g = Float64Array.of(1, 1, 1);
    csrTMatVecAdd(x.indptr, x.indices, x.data, 3, Float64Array.of(1, 5, 2), g);
    expect(Array.from(g)).toEqual([2, 7, 1]);
  });
  it('feature-major block products match between CSR and dense', () => {
    const w = Float64Array.from({ length: 6 }, (_, i) => i - 2.5);
    const a = new Float64Array(6);
    const b = new Float64Array(6);
    csrMatMulFeatureMajor(x.indptr, x.indices, x.data, 3, w, 2, Float64Array.of(1, -1), a);
    denseMatMulFeatureMajor(dense.data, 3, 3, w, 2, Float64Array.of(1, -1), b);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a[0]).toBe(1 * -2.5 + 2 * 1.5 + 1);
    const ga = new Float64Array(6);
    const gb = new Float64Array(6);
    csrTMatMulFeatureMajorAdd(x.indptr, x.indices, x.data, 3, w, 2, ga);
    denseTMatMulFeatureMajorAdd(dense.data, 3, 3, w, 2, gb);
    expect(Array.from(ga)).toEqual(Array.from(gb));
  });
});

describe('column-blocked CSR kernels on a matrix wider than one block (300,000 columns)', () => {
  it('csrMatMulClassMajor and csrClassSumsAdd equal the plain row loops bit for bit', () => {
    const rows = 40;
    const cols = 300_000;
    const rng = new Rng(3);
    const indptr = new Int32Array(rows + 1);
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < rows; i++) {
      const set = new Set<number>();
      const n = i === 7 ? 0 : 1 + rng.int(300); // row 7 is empty
      while (set.size < n) set.add(rng.int(cols));
      for (const j of [...set].sort((a, b) => a - b)) {
        idx.push(j);
        val.push(rng.random() - 0.3);
      }
      indptr[i + 1] = idx.length;
    }
    const indices = Int32Array.from(idx);
    const data = Float64Array.from(val);
    const k = 3;
    const m = Float64Array.from({ length: k * cols }, () => rng.normal());
    const got = new Float64Array(rows * k);
    csrMatMulClassMajor(indptr, indices, data, rows, m, k, cols, got);
    const codes = Int32Array.from({ length: rows }, (_, i) => i % k);
    const sums = new Float64Array(k * cols);
    csrClassSumsAdd(indptr, indices, data, rows, codes, cols, sums);
    const wantSums = new Float64Array(k * cols);
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < k; c++) {
        let acc = 0;
        for (let p = indptr[i]!; p < indptr[i + 1]!; p++) acc += data[p]! * m[c * cols + indices[p]!]!;
        expect(got[i * k + c]).toBe(acc);
      }
      for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
        const q = codes[i]! * cols + indices[p]!;
        wantSums[q] = wantSums[q]! + data[p]!;
      }
    }
    expect(Buffer.from(sums.buffer).equals(Buffer.from(wantSums.buffer))).toBe(true);
  });
});

describe('row reductions', () => {
  it('logsumexp does not overflow (max shift) and handles -Infinity rows', () => {
    const out = new Float64Array(2);
    logsumexpRows(Float64Array.of(1000, 1000, -Infinity, -Infinity), 2, 2, out);
    expect(out[0]).toBeCloseTo(1000 + Math.log(2), 12);
    expect(out[1]).toBe(-Infinity);
  });
  it('log-normalised and softmax rows sum to one', () => {
    const a = Float64Array.of(-800, -801, -803);
    logNormalizeRows(a, 1, 3);
    expect(Math.exp(a[0]!) + Math.exp(a[1]!) + Math.exp(a[2]!)).toBeCloseTo(1, 14);
    const s = Float64Array.of(0, Math.log(3));
    softmaxRows(s, 1, 2);
    expect(s[0]).toBeCloseTo(0.25, 15);
  });
  it('argmax keeps the first of equal maxima, like numpy', () => {
    const idx = new Int32Array(1);
    argmaxRows(Float64Array.of(1, 3, 3), 1, 3, idx);
    expect(idx[0]).toBe(1);
  });
  it('pairwise sum follows numpy blocks (exact on a sum where order matters)', () => {
    const a = new Float64Array(1000);
    for (let i = 0; i < a.length; i++) a[i] = i % 3 === 0 ? 1e16 : i % 3 === 1 ? 1 : -1e16;
    // numpy: np.sum of this array; a naive left-to-right loop gives a different value.
    let naive = 0;
    for (const v of a) naive += v;
    expect(pairwiseSum(a, 0, a.length)).not.toBe(naive);
    // Reference values printed by numpy 1.24: np.sum(a), and np.sum([0.1*i + 1e-3*(i%7) for i in range(777)]).
    expect(pairwiseSum(a, 0, a.length)).toBe(1.000000000000001e16);
    const b = Float64Array.from({ length: 777 }, (_, i) => 0.1 * i + 1e-3 * (i % 7));
    expect(pairwiseSum(b, 0, b.length)).toBe(30149.931);
    expect(pairwiseSum(Float64Array.of(1, 2, 3), 0, 3)).toBe(6);
  });
});

describe('input checks', () => {
  it('NaN names its row and column; empty X and ragged y are rejected', () => {
    expect(() => checkMatrix([[1, 2], [3, Number.NaN]], 'T.fit')).toThrow(/NaN at row 1, column 1/);
    const csr = new CsrMatrix(2, 3, Float64Array.of(1, Infinity), Int32Array.of(0, 2), Int32Array.of(0, 1, 2));
    expect(() => checkMatrix(csr, 'T.fit')).toThrow(/infinity at row 1, column 2/);
    expect(() => checkMatrix([], 'T.fit')).toThrow(MlshipError);
    expect(() => checkMatrix(new Matrix(0, 3), 'T.fit')).toThrow(/empty/);
    expect(() => checkLabels(['a'], 2, 'T.fit')).toThrow(/\[2, 1\]/);
    const badIdx = new CsrMatrix(1, 2, Float64Array.of(1), Int32Array.of(5), Int32Array.of(0, 1));
    expect(() => checkMatrix(badIdx, 'T.fit')).toThrow(/column index 5/);
  });
});
