/**
 * Row reductions over flat row-major blocks: logsumexp, softmax, log-softmax, argmax, and NumPy's
 * pairwise sum. Pure functions over typed arrays; outputs are written in place or into buffers
 * the caller owns.
 */

/**
 * `out[i] = log(sum_c exp(a[i*k + c]))` computed as scipy's `logsumexp`: shift by the row maximum
 * (a non-finite maximum shifts by 0), sum the exponentials, take the log, add the shift back.
 *
 * @example
 * ```ts
 * const out = new Float64Array(1);
 * logsumexpRows(Float64Array.of(1000, 1000), 1, 2, out); // out[0] = 1000 + log(2)
 * ```
 */
export function logsumexpRows(a: Float64Array, rows: number, k: number, out: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (a[o + c]! > max) max = a[o + c]!;
    if (!Number.isFinite(max)) max = 0;
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(a[o + c]! - max);
    out[i] = Math.log(s) + max;
  }
}

/**
 * Turns each row of `a` into log-probabilities in place: `a[i, c] -= logsumexp(a[i, :])`, as
 * scikit-learn's `predict_log_proba` normalises a joint log-likelihood.
 *
 * @example
 * ```ts
 * logNormalizeRows(jll, n, nClasses); // rows now log-sum-exp to 0
 * ```
 */
export function logNormalizeRows(a: Float64Array, rows: number, k: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (a[o + c]! > max) max = a[o + c]!;
    if (!Number.isFinite(max)) max = 0;
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(a[o + c]! - max);
    const lse = Math.log(s) + max;
    for (let c = 0; c < k; c++) a[o + c] = a[o + c]! - lse;
  }
}

/**
 * Softmax of each row in place, as scikit-learn's `utils.extmath.softmax`: subtract the row
 * maximum, exponentiate, divide by the row sum.
 *
 * @example
 * ```ts
 * const p = Float64Array.of(0, Math.log(3));
 * softmaxRows(p, 1, 2); // [0.25, 0.75]
 * ```
 */
export function softmaxRows(a: Float64Array, rows: number, k: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (a[o + c]! > max) max = a[o + c]!;
    let s = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(a[o + c]! - max);
      a[o + c] = e;
      s += e;
    }
    for (let c = 0; c < k; c++) a[o + c] = a[o + c]! / s;
  }
}

/**
 * Index of the largest value of each row (the first one on ties, as `numpy.argmax`).
 *
 * @example
 * ```ts
 * const idx = new Int32Array(1);
 * argmaxRows(Float64Array.of(1, 3, 3), 1, 3, idx); // idx[0] = 1
 * ```
 */
export function argmaxRows(a: Float64Array, rows: number, k: number, out: Int32Array): void {
  for (let i = 0; i < rows; i++) {
    const o = i * k;
    let best = 0;
    let bv = a[o]!;
    for (let c = 1; c < k; c++) {
      const v = a[o + c]!;
      // NaN compares false, as numpy's argmax picks the first NaN; keep the first maximum.
      if (v > bv || (Number.isNaN(v) && !Number.isNaN(bv))) {
        bv = v;
        best = c;
      }
    }
    out[i] = best;
  }
}

/**
 * Sum of `a[start .. start+n)` in NumPy's pairwise order (`np.sum` of a float64 array): blocks of
 * up to 128 values summed with 8 accumulators, larger ranges split in two halves. It keeps the
 * rounding error at O(log n) and matches NumPy bit for bit.
 *
 * @example
 * ```ts
 * pairwiseSum(Float64Array.of(0.1, 0.2, 0.3), 0, 3); // as np.sum([0.1, 0.2, 0.3])
 * ```
 */
export function pairwiseSum(a: Float64Array, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[start]!;
    let r1 = a[start + 1]!;
    let r2 = a[start + 2]!;
    let r3 = a[start + 3]!;
    let r4 = a[start + 4]!;
    let r5 = a[start + 5]!;
    let r6 = a[start + 6]!;
    let r7 = a[start + 7]!;
    const end8 = n - (n % 8);
    let i = 8;
    for (; i < end8; i += 8) {
      r0 += a[start + i]!;
      r1 += a[start + i + 1]!;
      r2 += a[start + i + 2]!;
      r3 += a[start + i + 3]!;
      r4 += a[start + i + 4]!;
      r5 += a[start + i + 5]!;
      r6 += a[start + i + 6]!;
      r7 += a[start + i + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}
