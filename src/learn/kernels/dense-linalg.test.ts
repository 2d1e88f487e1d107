import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/index.js';
import { choleskyFactor, choleskySolve, gram, gramRowMajor, householderQr, jacobiSvd, lstsqMinNorm, lstsqRowMajor, qrApplyQt, tallQr, toColumnMajor } from './index.js';

function randomRowMajor(m: number, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: m * n }, () => rng.normal());
}

describe('dense linear algebra kernels', () => {
  it('householderQr + qrApplyQt: R and Qᵀb preserve norms and solve a square system', () => {
    const m = 7;
    const n = 4;
    const a = toColumnMajor(randomRowMajor(m, n, 1), m, n);
    const orig = a.slice();
    const tau = new Float64Array(n);
    householderQr(a, m, n, tau);
    // ||column j of A|| equals ||column j of R||.
    for (let j = 0; j < n; j++) {
      let sa = 0;
      let sr = 0;
      for (let i = 0; i < m; i++) sa += orig[i + j * m]! ** 2;
      for (let i = 0; i <= j; i++) sr += a[i + j * m]! ** 2;
      expect(Math.sqrt(sr)).toBeCloseTo(Math.sqrt(sa), 12);
    }
    const b = Float64Array.from({ length: m }, (_, i) => i + 1);
    const nb = Math.hypot(...b);
    qrApplyQt(a, m, n, tau, b);
    expect(Math.hypot(...b)).toBeCloseTo(nb, 12);
  });

  it('tallQr (blocked) gives the same |R| as one Householder QR, reading rows on the fly', () => {
    const m = 1500;
    const n = 5;
    const x = randomRowMajor(m, n, 2);
    const y = Float64Array.from({ length: m }, (_, i) => Math.sin(i));
    const { r } = tallQr(x, m, n, y);
    const a = toColumnMajor(x, m, n);
    householderQr(a, m, n, new Float64Array(n));
    for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) expect(Math.abs(r[i + j * n]!)).toBeCloseTo(Math.abs(a[i + j * m]!), 9);
  });

  it('jacobiSvd: A V = U Σ with orthonormal V and descending singular values', () => {
    const m = 6;
    const n = 4;
    const a = toColumnMajor(randomRowMajor(m, n, 3), m, n);
    const { s, v, us } = jacobiSvd(a, m, n);
    for (let j = 1; j < n; j++) expect(s[j]!).toBeLessThanOrEqual(s[j - 1]!);
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < n; q++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += v[p * n + i]! * v[q * n + i]!;
        expect(d).toBeCloseTo(p === q ? 1 : 0, 12);
      }
      // A v_p = us_p.
      for (let i = 0; i < m; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i + k * m]! * v[p * n + k]!;
        expect(av).toBeCloseTo(us[i + p * m]!, 12);
      }
    }
  });

  it('lstsqMinNorm: duplicated column gets the minimum-norm (equal split) solution and rank 1', () => {
    // X = [x, x], y = 2x: any w1 + w2 = 2 fits; the minimum-norm one is [1, 1].
    const x = [1, 2, 3, 4];
    const a = Float64Array.from([...x, ...x]);
    const b = Float64Array.from(x, (v) => 2 * v);
    const { x: w, rank, s } = lstsqMinNorm(a, 4, 2, b, 2.220446049250313e-16);
    expect(rank).toBe(1);
    expect(s[1]!).toBeLessThan(1e-14);
    expect(w[0]!).toBeCloseTo(1, 12);
    expect(w[1]!).toBeCloseTo(1, 12);
    const r = lstsqRowMajor(Float64Array.of(1, 1, 2, 2, 3, 3, 4, 4), 4, 2, Float64Array.of(2, 4, 6, 8), 2.220446049250313e-16);
    expect(Array.from(r.x).map((v) => Math.round(v * 1e12) / 1e12 + 0)).toEqual([1, 1]);
  });

  it('gramRowMajor equals the column-major gram; Cholesky solves the normal equations', () => {
    const m = 1100;
    const n = 3;
    const x = randomRowMajor(m, n, 4);
    const y = Float64Array.from({ length: m }, (_, i) => x[i * n]! - 2 * x[i * n + 2]!);
    const { g, xty } = gramRowMajor(x, m, n, y);
    const atb = new Float64Array(n);
    const g2 = gram(toColumnMajor(x, m, n), m, n, y, atb);
    for (let k = 0; k < n * n; k++) expect(g[k]!).toBeCloseTo(g2[k]!, 9);
    for (let k = 0; k < n; k++) expect(xty[k]!).toBeCloseTo(atb[k]!, 9);
    expect(choleskyFactor(g, n)).toBe(true);
    choleskySolve(g, n, xty);
    expect(Array.from(xty).map((v) => Math.round(v * 1e9) / 1e9 + 0)).toEqual([1, 0, -2]);
    expect(choleskyFactor(Float64Array.of(1, 2, 2, 1), 2)).toBe(false);
  });
});
