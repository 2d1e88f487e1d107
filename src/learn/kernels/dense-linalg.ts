/**
 * Dense linear algebra kernels for the linear models: Householder QR, one-sided Jacobi SVD,
 * minimum-norm least squares, Cholesky. Pure functions over flat Float64Arrays; matrices are
 * **column-major** (`a[i + j * m]` is row i, column j of an m x n matrix), which keeps the inner
 * loops of QR and Jacobi contiguous.
 */

/**
 * Copies a row-major `m x n` block into a new column-major array (optionally scaling row i by
 * `rowScale[i]` and subtracting `colOffset[j]` first: `(a[i,j] - colOffset[j]) * rowScale[i]`).
 *
 * @example
 * ```ts
 * toColumnMajor(Float64Array.of(1, 2, 3, 4), 2, 2); // Float64Array [1, 3, 2, 4]
 * ```
 */
export function toColumnMajor(a: Float64Array, m: number, n: number, colOffset?: Float64Array, rowScale?: Float64Array): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    const s = rowScale ? rowScale[i]! : 1;
    if (colOffset) for (let j = 0; j < n; j++) out[i + j * m] = (a[o + j]! - colOffset[j]!) * s;
    else if (rowScale) for (let j = 0; j < n; j++) out[i + j * m] = a[o + j]! * s;
    else for (let j = 0; j < n; j++) out[i + j * m] = a[o + j]!;
  }
  return out;
}

/** `Σ a[ia + k] · b[ib + k]` for k < len, with four accumulators (independent add chains). */
function dot(a: Float64Array, ia: number, b: Float64Array, ib: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const l4 = len - (len % 4);
  let k = 0;
  for (; k < l4; k += 4) {
    s0 += a[ia + k]! * b[ib + k]!;
    s1 += a[ia + k + 1]! * b[ib + k + 1]!;
    s2 += a[ia + k + 2]! * b[ib + k + 2]!;
    s3 += a[ia + k + 3]! * b[ib + k + 3]!;
  }
  for (; k < len; k++) s0 += a[ia + k]! * b[ib + k]!;
  return s0 + s1 + s2 + s3;
}

/**
 * Householder QR of a column-major `m x n` matrix (m >= n) in place, as LAPACK's `dgeqr2`: on
 * return the upper triangle holds R and the part below the diagonal the reflector vectors (with an
 * implicit leading 1); `tau[k]` is the scale of reflector k, `H_k = I - tau v vᵀ`. O(m n²).
 *
 * @example
 * ```ts
 * const tau = new Float64Array(n);
 * householderQr(a, m, n, tau); // then qrApplyQt(a, m, n, tau, b) gives Qᵀb
 * ```
 */
export function householderQr(a: Float64Array, m: number, n: number, tau: Float64Array): void {
  const kmax = Math.min(m, n);
  for (let k = 0; k < kmax; k++) {
    const ck = k * m;
    // Norm of a[k+1.., k], scaled to avoid overflow.
    let scale = 0;
    for (let i = k + 1; i < m; i++) scale = Math.max(scale, Math.abs(a[ck + i]!));
    const alpha = a[ck + k]!;
    if (scale === 0) {
      tau[k] = 0;
      continue;
    }
    let ss = 0;
    for (let i = k + 1; i < m; i++) {
      const v = a[ck + i]! / scale;
      ss += v * v;
    }
    const xnorm = scale * Math.sqrt(ss);
    const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
    tau[k] = (beta - alpha) / beta;
    const inv = 1 / (alpha - beta);
    for (let i = k + 1; i < m; i++) a[ck + i] = a[ck + i]! * inv;
    a[ck + k] = beta;
    const t = tau[k]!;
    // Apply H_k to the remaining columns, a_j -= tau v (vᵀ a_j) with v = [1, a[k+1.., k]]; four
    // columns per pass, so that each entry of v is loaded once for four columns.
    let j = k + 1;
    for (; j + 3 < n; j += 4) {
      const c1 = j * m;
      const c2 = c1 + m;
      const c3 = c2 + m;
      const c4 = c3 + m;
      let d1 = a[c1 + k]!;
      let d2 = a[c2 + k]!;
      let d3 = a[c3 + k]!;
      let d4 = a[c4 + k]!;
      for (let i = k + 1; i < m; i++) {
        const v = a[ck + i]!;
        d1 += v * a[c1 + i]!;
        d2 += v * a[c2 + i]!;
        d3 += v * a[c3 + i]!;
        d4 += v * a[c4 + i]!;
      }
      const f1 = t * d1;
      const f2 = t * d2;
      const f3 = t * d3;
      const f4 = t * d4;
      a[c1 + k] = a[c1 + k]! - f1;
      a[c2 + k] = a[c2 + k]! - f2;
      a[c3 + k] = a[c3 + k]! - f3;
      a[c4 + k] = a[c4 + k]! - f4;
      for (let i = k + 1; i < m; i++) {
        const v = a[ck + i]!;
        a[c1 + i] = a[c1 + i]! - f1 * v;
        a[c2 + i] = a[c2 + i]! - f2 * v;
        a[c3 + i] = a[c3 + i]! - f3 * v;
        a[c4 + i] = a[c4 + i]! - f4 * v;
      }
    }
    for (; j < n; j++) {
      const cj = j * m;
      const f = t * (a[cj + k]! + dot(a, ck + k + 1, a, cj + k + 1, m - k - 1));
      if (f === 0) continue;
      a[cj + k] = a[cj + k]! - f;
      for (let i = k + 1; i < m; i++) a[cj + i] = a[cj + i]! - f * a[ck + i]!;
    }
  }
}

/**
 * Applies Qᵀ of {@link householderQr}'s output to the vector b (length m) in place.
 *
 * @example
 * ```ts
 * qrApplyQt(a, m, n, tau, b); // b[0..n) is now Qᵀb's leading part
 * ```
 */
export function qrApplyQt(a: Float64Array, m: number, n: number, tau: Float64Array, b: Float64Array): void {
  const kmax = Math.min(m, n);
  for (let k = 0; k < kmax; k++) {
    const t = tau[k]!;
    if (t === 0) continue;
    const ck = k * m;
    let dot = b[k]!;
    for (let i = k + 1; i < m; i++) dot += a[ck + i]! * b[i]!;
    const f = t * dot;
    b[k] = b[k]! - f;
    for (let i = k + 1; i < m; i++) b[i] = b[i]! - f * a[ck + i]!;
  }
}

/** The result of {@link jacobiSvd}. */
export interface JacobiSvdResult {
  /** Singular values, descending (length n). */
  s: Float64Array;
  /** Right singular vectors, column-major n x n, column j paired with `s[j]`. */
  v: Float64Array;
  /** Left singular vectors scaled by the singular values (`A V`), column-major m x n. */
  us: Float64Array;
  /** Sweeps run. */
  sweeps: number;
}

/**
 * Singular value decomposition of a column-major `m x n` matrix by one-sided (Hestenes) Jacobi
 * rotations: columns are rotated pairwise until orthogonal, so `A V = U Σ` with high relative
 * accuracy. The input is not modified. O(sweeps · m n²); use it on R of a QR for tall matrices.
 *
 * @example
 * ```ts
 * const { s, v } = jacobiSvd(r, n, n); // singular values of R (and of the QR'd matrix)
 * ```
 */
export function jacobiSvd(a: Float64Array, m: number, n: number, maxSweeps = 60): JacobiSvdResult {
  const u = a.slice();
  const v = new Float64Array(n * n);
  for (let j = 0; j < n; j++) v[j * n + j] = 1;
  const eps = 2.220446049250313e-16;
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    const cj = j * m;
    for (let i = 0; i < m; i++) s += u[cj + i]! * u[cj + i]!;
    norms[j] = s;
  }
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const cp = p * m;
        const cq = q * m;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = u[cp + i]!;
          const y = u[cq + i]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        norms[p] = alpha;
        norms[q] = beta;
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = u[cp + i]!;
          const y = u[cq + i]!;
          u[cp + i] = c * x - s * y;
          u[cq + i] = s * x + c * y;
        }
        const vp = p * n;
        const vq = q * n;
        for (let i = 0; i < n; i++) {
          const x = v[vp + i]!;
          const y = v[vq + i]!;
          v[vp + i] = c * x - s * y;
          v[vq + i] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  // Singular values = column norms; sort descending.
  const sv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    const cj = j * m;
    for (let i = 0; i < m; i++) s += u[cj + i]! * u[cj + i]!;
    sv[j] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => sv[y]! - sv[x]! || x - y);
  const s = new Float64Array(n);
  const vs = new Float64Array(n * n);
  const us = new Float64Array(m * n);
  order.forEach((src, dst) => {
    s[dst] = sv[src]!;
    vs.set(v.subarray(src * n, src * n + n), dst * n);
    us.set(u.subarray(src * m, src * m + m), dst * m);
  });
  return { s, v: vs, us, sweeps };
}

/** The result of {@link lstsqMinNorm}. */
export interface LstsqResult {
  /** The minimum-norm least-squares solution (length n). */
  x: Float64Array;
  /** Effective rank: singular values above `rcond · max(s)`. */
  rank: number;
  /** Singular values of A, descending (length min(m, n)). */
  s: Float64Array;
}

/**
 * Minimum-norm least squares `argmin ||A x − b||` of a column-major `m x n` matrix, as LAPACK's
 * `gelsd` (scipy.linalg.lstsq's default driver): singular values `<= rcond · max(s)` count as zero,
 * which gives the minimum-norm solution when A is rank-deficient. Tall matrices are reduced by a
 * Householder QR first, then R is decomposed by one-sided Jacobi. `a` and `b` are overwritten.
 *
 * @example
 * ```ts
 * const { x, rank, s } = lstsqMinNorm(aColMajor, m, n, b, 2.220446049250313e-16);
 * ```
 */
export function lstsqMinNorm(a: Float64Array, m: number, n: number, b: Float64Array, rcond: number): LstsqResult {
  let core: Float64Array;
  let rhs: Float64Array;
  let rows: number;
  if (m >= n) {
    const tau = new Float64Array(n);
    householderQr(a, m, n, tau);
    qrApplyQt(a, m, n, tau, b);
    core = new Float64Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) core[i + j * n] = a[i + j * m]!;
    rhs = b.subarray(0, n);
    rows = n;
  } else {
    core = a;
    rhs = b;
    rows = m;
  }
  const { s, v, us } = jacobiSvd(core, rows, n);
  const k = Math.min(m, n);
  const smax = s[0] ?? 0;
  const thr = rcond * smax;
  let rank = 0;
  const x = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const sj = s[j]!;
    if (!(sj > thr) || sj === 0) continue;
    rank++;
    // x += v_j (u_j · b) / s_j, with u_j = us_j / s_j.
    let dot = 0;
    const cj = j * rows;
    for (let i = 0; i < rows; i++) dot += us[cj + i]! * rhs[i]!;
    const f = dot / (sj * sj);
    const vj = j * n;
    for (let i = 0; i < n; i++) x[i] = x[i]! + f * v[vj + i]!;
  }
  return { x, rank, s: s.slice(0, k) };
}

/**
 * Cholesky factorisation `A = L Lᵀ` of a symmetric positive-definite `n x n` matrix in place (the
 * lower triangle becomes L; the upper triangle is left as it was). Returns false when A is not
 * positive definite (a pivot <= 0), as LAPACK's `dpotrf` reports.
 *
 * @example
 * ```ts
 * if (!choleskyFactor(gram, n)) throw new Error('not positive definite');
 * choleskySolve(gram, n, rhs); // rhs becomes A⁻¹ rhs
 * ```
 */
export function choleskyFactor(a: Float64Array, n: number): boolean {
  // Column-major and row-major agree on a symmetric matrix; L is stored in a[i + j n], i >= j.
  for (let j = 0; j < n; j++) {
    const cj = j * n;
    let d = a[cj + j]!;
    for (let k = 0; k < j; k++) d -= a[k * n + j]! * a[k * n + j]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[cj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[cj + i]!;
      for (let k = 0; k < j; k++) s -= a[k * n + i]! * a[k * n + j]!;
      a[cj + i] = s / ljj;
    }
  }
  return true;
}

/**
 * Solves `L Lᵀ x = b` in place with {@link choleskyFactor}'s output.
 *
 * @example
 * ```ts
 * const a = Float64Array.of(4, 2, 2, 3);
 * choleskyFactor(a, 2);
 * const b = Float64Array.of(2, 1);
 * choleskySolve(a, 2, b); // b = [0.5, 0]
 * ```
 */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/**
 * `Aᵀ A` of a column-major `m x n` matrix (n x n, symmetric, both triangles filled) and, when `b`
 * is given, `Aᵀ b` into `atb`.
 *
 * @example
 * ```ts
 * const g = gram(aColMajor, m, n); // XᵀX
 * ```
 */
export function gram(a: Float64Array, m: number, n: number, b?: Float64Array, atb?: Float64Array): Float64Array {
  const g = new Float64Array(n * n);
  for (let p = 0; p < n; p++) {
    const cp = p * m;
    for (let q = p; q < n; q++) {
      const cq = q * m;
      let s = 0;
      for (let i = 0; i < m; i++) s += a[cp + i]! * a[cq + i]!;
      g[p * n + q] = s;
      g[q * n + p] = s;
    }
    if (b && atb) {
      let s = 0;
      for (let i = 0; i < m; i++) s += a[cp + i]! * b[i]!;
      atb[p] = s;
    }
  }
  return g;
}

/** Options of the row-major least-squares kernels: how each row is centered and scaled on the fly. */
export interface RowTransform {
  /** Subtracted from column j of X (`xOffset[j]`). @default none */
  xOffset?: Float64Array;
  /** Subtracted from y. @default 0 */
  yOffset?: number;
  /** Row i of X and y[i] are multiplied by `rowScale[i]` (after centering). @default none */
  rowScale?: Float64Array;
}

const QR_BLOCK = 512;

/**
 * The R factor and `Qᵀy` (first n entries) of a tall row-major `m x n` matrix X (m >= n), read in
 * blocks of rows and folded into R by Householder QR of `[R; block]` (a cache-friendly
 * tall-skinny QR: the same O(m n²) work as one big QR, but every pass stays in cache and X is never
 * copied). Rows are centered and scaled on the fly as `t` says. Returns R column-major `n x n`.
 *
 * @example
 * ```ts
 * const { r, qtb } = tallQr(X.data, m, n, y, { xOffset: means, yOffset: yMean });
 * ```
 */
export function tallQr(data: Float64Array, m: number, n: number, y: Float64Array, t: RowTransform = {}): { r: Float64Array; qtb: Float64Array } {
  const { xOffset, rowScale } = t;
  const yOffset = t.yOffset ?? 0;
  const cap = n + QR_BLOCK;
  const w = new Float64Array(cap * n);
  const rhs = new Float64Array(cap);
  const tau = new Float64Array(n);
  const r = new Float64Array(n * n);
  const qtb = new Float64Array(n);
  for (let start = 0; start < m; start += QR_BLOCK) {
    const cnt = Math.min(QR_BLOCK, m - start);
    const rows = n + cnt;
    // Rows 0..n-1: the current R (upper triangle) and Qᵀb; rows n..: the new block.
    for (let j = 0; j < n; j++) {
      const cw = j * rows;
      for (let i = 0; i < n; i++) w[cw + i] = i <= j ? r[i + j * n]! : 0;
    }
    rhs.set(qtb, 0);
    for (let k = 0; k < cnt; k++) {
      const i = start + k;
      const o = i * n;
      const s = rowScale ? rowScale[i]! : 1;
      const dst = n + k;
      if (xOffset) for (let j = 0; j < n; j++) w[dst + j * rows] = (data[o + j]! - xOffset[j]!) * s;
      else for (let j = 0; j < n; j++) w[dst + j * rows] = data[o + j]! * s;
      rhs[dst] = (y[i]! - yOffset) * s;
    }
    const view = w.subarray(0, rows * n);
    const b = rhs.subarray(0, rows);
    householderQr(view, rows, n, tau);
    qrApplyQt(view, rows, n, tau, b);
    for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) r[i + j * n] = view[i + j * rows]!;
    qtb.set(b.subarray(0, n));
  }
  return { r, qtb };
}

/**
 * Minimum-norm least squares on a row-major `m x n` X (see {@link lstsqMinNorm}), centering and
 * scaling rows on the fly; tall X goes through {@link tallQr} then a Jacobi SVD of R.
 *
 * @example
 * ```ts
 * const { x, rank, s } = lstsqRowMajor(X.data, m, n, y, 2.220446049250313e-16, { xOffset, yOffset });
 * ```
 */
export function lstsqRowMajor(data: Float64Array, m: number, n: number, y: Float64Array, rcond: number, t: RowTransform = {}): LstsqResult {
  if (m < n) {
    const a = toColumnMajor(data, m, n, t.xOffset, t.rowScale);
    const b = new Float64Array(m);
    const yo = t.yOffset ?? 0;
    for (let i = 0; i < m; i++) b[i] = (y[i]! - yo) * (t.rowScale ? t.rowScale[i]! : 1);
    return lstsqMinNorm(a, m, n, b, rcond);
  }
  const { r, qtb } = tallQr(data, m, n, y, t);
  return lstsqMinNorm(r, n, n, qtb, rcond);
}

/**
 * `XᵀX` (n x n, both triangles) and `Xᵀy` of a row-major `m x n` X, rows centered and scaled on
 * the fly, in one pass over X by blocks of rows.
 *
 * @example
 * ```ts
 * const { g, xty } = gramRowMajor(X.data, m, n, y, { xOffset, yOffset });
 * ```
 */
export function gramRowMajor(data: Float64Array, m: number, n: number, y: Float64Array, t: RowTransform = {}): { g: Float64Array; xty: Float64Array } {
  const { xOffset, rowScale } = t;
  const yOffset = t.yOffset ?? 0;
  const g = new Float64Array(n * n);
  const xty = new Float64Array(n);
  // Blocks of rows are transposed into a small column-major buffer, so that every dot product
  // runs over a long contiguous, in-cache loop.
  const B = QR_BLOCK;
  const buf = new Float64Array(B * n);
  const yb = new Float64Array(B);
  for (let start = 0; start < m; start += B) {
    const cnt = Math.min(B, m - start);
    for (let k = 0; k < cnt; k++) {
      const i = start + k;
      const o = i * n;
      const s = rowScale ? rowScale[i]! : 1;
      if (xOffset) for (let j = 0; j < n; j++) buf[k + j * B] = (data[o + j]! - xOffset[j]!) * s;
      else for (let j = 0; j < n; j++) buf[k + j * B] = data[o + j]! * s;
      yb[k] = (y[i]! - yOffset) * s;
    }
    for (let p = 0; p < n; p++) {
      const cp = p * B;
      let q = p;
      // Four columns per pass over column p.
      for (; q + 3 < n; q += 4) {
        const c1 = q * B;
        const c2 = c1 + B;
        const c3 = c2 + B;
        const c4 = c3 + B;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        let d4 = 0;
        for (let k = 0; k < cnt; k++) {
          const v = buf[cp + k]!;
          d1 += v * buf[c1 + k]!;
          d2 += v * buf[c2 + k]!;
          d3 += v * buf[c3 + k]!;
          d4 += v * buf[c4 + k]!;
        }
        const o = p * n + q;
        g[o] = g[o]! + d1;
        g[o + 1] = g[o + 1]! + d2;
        g[o + 2] = g[o + 2]! + d3;
        g[o + 3] = g[o + 3]! + d4;
      }
      for (; q < n; q++) g[p * n + q] = g[p * n + q]! + dot(buf, cp, buf, q * B, cnt);
      xty[p] = xty[p]! + dot(buf, cp, yb, 0, cnt);
    }
  }
  for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) g[q * n + p] = g[p * n + q]!;
  return { g, xty };
}

/**
 * `out[i] = intercept + Σ_j data[i * d + j] * coef[j]` for a row-major `n x d` matrix (a dense
 * matrix-vector product, as BLAS `dgemv`). Four rows at a time, so that four independent chains
 * of multiply-adds share each coefficient load; the `n mod 4` leftover rows go first, so every
 * loop has run before the main one becomes hot (no deoptimisation when it ends). `out` is returned.
 *
 * @example
 * ```ts
 * gemvRowMajor(Float64Array.of(1, 2, 3, 4), 2, 2, Float64Array.of(1, 1), 0.5, new Float64Array(2)); // [3.5, 7.5]
 * ```
 */
export function gemvRowMajor(data: Float64Array, n: number, d: number, coef: Float64Array, intercept: number, out: Float64Array): Float64Array {
  const lead = n % 4;
  for (let i = 0; i < lead; i++) {
    const o = i * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += data[o + j]! * coef[j]!;
    out[i] = intercept + s;
  }
  for (let i = lead; i < n; i += 4) {
    const o0 = i * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < d; j++) {
      const c = coef[j]!;
      s0 += data[o0 + j]! * c;
      s1 += data[o1 + j]! * c;
      s2 += data[o2 + j]! * c;
      s3 += data[o3 + j]! * c;
    }
    out[i] = intercept + s0;
    out[i + 1] = intercept + s1;
    out[i + 2] = intercept + s2;
    out[i + 3] = intercept + s3;
  }
  return out;
}

/**
 * Whether every value of `values` is finite (no NaN, no ±Infinity).
 *
 * @example
 * ```ts
 * allFinite(Float64Array.of(1, 2)); // true
 * allFinite(Float64Array.of(1, NaN)); // false
 * ```
 */
export function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) return false;
  }
  return true;
}
