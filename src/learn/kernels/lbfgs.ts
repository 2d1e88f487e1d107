/**
 * L-BFGS for unconstrained problems, following scipy's L-BFGS-B (Fortran v3.0, as
 * `scipy.optimize.minimize(method="L-BFGS-B")` drives it) step for step: the same first step,
 * the Moré-Thuente line search `dcsrch` with the same constants, the same curvature test for
 * skipping updates, the same restart on a failed line search, and the same stopping rules.
 * Without bounds the L-BFGS-B search direction is the limited-memory quasi-Newton step, which the
 * two-loop recursion computes with the same initial scaling `theta = y'y / s'y`.
 */

const EPSMCH = 2.220446049250313e-16;
const BIG = 1e10;
const LS_FTOL = 1e-3;
const LS_GTOL = 0.9;
const LS_XTOL = 0.1;

/** Objective: writes the gradient at `x` into `grad` and returns the value at `x`. */
export type LossGradFn = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link lbfgs}; the defaults are scipy's `minimize(method="L-BFGS-B")` defaults. */
export interface LbfgsOptions {
  /** Stop when the largest absolute gradient entry is at most this (scipy `gtol`). @default 1e-5 */
  gtol?: number;
  /** Stop when `(f_old - f) / max(|f_old|, |f|, 1) <= ftol` (scipy `ftol`, i.e. factr 1e7). @default 2.220446049250313e-9 */
  ftol?: number;
  /** Maximum number of iterations (scipy `maxiter`). @default 15000 */
  maxIter?: number;
  /** Maximum number of function evaluations (scipy `maxfun`). @default 15000 */
  maxFun?: number;
  /** Maximum number of evaluations in one line search (scipy `maxls`). @default 20 */
  maxLs?: number;
  /** Number of correction pairs kept (scipy `maxcor`). @default 10 */
  m?: number;
}

/** Outcome of {@link lbfgs}. `status` is scipy's: 0 converged, 1 iteration/evaluation limit, 2 line search failed. */
export interface LbfgsResult {
  x: Float64Array;
  f: number;
  grad: Float64Array;
  nIter: number;
  nFev: number;
  status: 0 | 1 | 2;
  message: string;
}

/** The state of one Moré-Thuente line search (MINPACK-2 `dcsrch`), kept between evaluations. */
interface Dcsrch {
  brackt: boolean;
  stage: number;
  ginit: number;
  gtest: number;
  gx: number;
  gy: number;
  finit: number;
  fx: number;
  fy: number;
  stx: number;
  sty: number;
  stmin: number;
  stmax: number;
  width: number;
  width1: number;
  stp: number;
}

function dcsrchStart(s: Dcsrch, f: number, g: number, stp: number, stpmax: number): void {
  s.brackt = false;
  s.stage = 1;
  s.finit = f;
  s.ginit = g;
  s.gtest = LS_FTOL * g;
  s.width = stpmax;
  s.width1 = stpmax / 0.5;
  s.stx = 0;
  s.fx = f;
  s.gx = g;
  s.sty = 0;
  s.fy = f;
  s.gy = g;
  s.stmin = 0;
  s.stmax = stp + 4 * stp;
  s.stp = stp;
}

/** One `dcsrch` call with f and g at `s.stp`: returns 'FG' (evaluate at the new `s.stp`), 'CONV' or 'WARN'. */
function dcsrchStep(s: Dcsrch, f: number, g: number, stpmax: number): 'FG' | 'CONV' | 'WARN' {
  const stpmin = 0;
  const ftest = s.finit + s.stp * s.gtest;
  if (s.stage === 1 && f <= ftest && g >= 0) s.stage = 2;
  let task: 'FG' | 'CONV' | 'WARN' = 'FG';
  if (s.brackt && (s.stp <= s.stmin || s.stp >= s.stmax)) task = 'WARN';
  if (s.brackt && s.stmax - s.stmin <= LS_XTOL * s.stmax) task = 'WARN';
  if (s.stp === stpmax && f <= ftest && g <= s.gtest) task = 'WARN';
  if (s.stp === stpmin && (f > ftest || g >= s.gtest)) task = 'WARN';
  if (f <= ftest && Math.abs(g) <= LS_GTOL * -s.ginit) task = 'CONV';
  if (task !== 'FG') return task;

  if (s.stage === 1 && f <= s.fx && f > ftest) {
    const fm = f - s.stp * s.gtest;
    const fxm = s.fx - s.stx * s.gtest;
    const fym = s.fy - s.sty * s.gtest;
    const gm = g - s.gtest;
    const gxm = s.gx - s.gtest;
    const gym = s.gy - s.gtest;
    dcstep(s, fxm, gxm, fym, gym, fm, gm);
    s.fx = s.fxm + s.stx * s.gtest;
    s.fy = s.fym + s.sty * s.gtest;
    s.gx = s.gxm + s.gtest;
    s.gy = s.gym + s.gtest;
  } else {
    dcstep(s, s.fx, s.gx, s.fy, s.gy, f, g);
    s.fx = s.fxm;
    s.fy = s.fym;
    s.gx = s.gxm;
    s.gy = s.gym;
  }
  if (s.brackt) {
    if (Math.abs(s.sty - s.stx) >= 0.66 * s.width1) s.stp = s.stx + 0.5 * (s.sty - s.stx);
    s.width1 = s.width;
    s.width = Math.abs(s.sty - s.stx);
  }
  if (s.brackt) {
    s.stmin = Math.min(s.stx, s.sty);
    s.stmax = Math.max(s.stx, s.sty);
  } else {
    s.stmin = s.stp + 1.1 * (s.stp - s.stx);
    s.stmax = s.stp + 4 * (s.stp - s.stx);
  }
  s.stp = Math.max(s.stp, stpmin);
  s.stp = Math.min(s.stp, stpmax);
  if ((s.brackt && (s.stp <= s.stmin || s.stp >= s.stmax)) || (s.brackt && s.stmax - s.stmin <= LS_XTOL * s.stmax)) s.stp = s.stx;
  return 'FG';
}

/** Scratch outputs of dcstep (the updated fx, gx, fy, gy), kept on the state to avoid allocation. */
interface Dcsrch {
  fxm: number;
  gxm: number;
  fym: number;
  gym: number;
}

/** MINPACK-2 `dcstep`: a safeguarded cubic/quadratic step; updates the interval [stx, sty] and stp. */
function dcstep(s: Dcsrch, fx: number, dx: number, fy: number, dy: number, fp: number, dp: number): void {
  const stx = s.stx;
  const sty = s.sty;
  const stp = s.stp;
  const stpmin = s.stmin;
  const stpmax = s.stmax;
  const sgnd = dp * (dx / Math.abs(dx));
  let stpf: number;
  if (fp > fx) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sm = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sm * Math.sqrt((theta / sm) * (theta / sm) - (dx / sm) * (dp / sm));
    if (stp < stx) gamma = -gamma;
    const p = gamma - dx + theta;
    const q = gamma - dx + gamma + dp;
    const r = p / q;
    const stpc = stx + r * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    s.brackt = true;
  } else if (sgnd < 0) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sm = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sm * Math.sqrt((theta / sm) * (theta / sm) - (dx / sm) * (dp / sm));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dx;
    const r = p / q;
    const stpc = stp + r * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    s.brackt = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sm = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sm * Math.sqrt(Math.max(0, (theta / sm) * (theta / sm) - (dx / sm) * (dp / sm)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma + (dx - dp) + gamma;
    const r = p / q;
    let stpc: number;
    if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
    else if (stp > stx) stpc = stpmax;
    else stpc = stpmin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (s.brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      if (stp > stx) stpf = Math.min(stp + 0.66 * (sty - stp), stpf);
      else stpf = Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.min(stpmax, stpf);
      stpf = Math.max(stpmin, stpf);
    }
  } else if (s.brackt) {
    const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
    const sm = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
    let gamma = sm * Math.sqrt((theta / sm) * (theta / sm) - (dy / sm) * (dp / sm));
    if (stp > sty) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dy;
    const r = p / q;
    stpf = stp + r * (sty - stp);
  } else {
    stpf = stp > stx ? stpmax : stpmin;
  }
  // Update the interval which contains a minimizer.
  s.fxm = fx;
  s.gxm = dx;
  s.fym = fy;
  s.gym = dy;
  if (fp > fx) {
    s.sty = stp;
    s.fym = fp;
    s.gym = dp;
  } else {
    if (sgnd < 0) {
      s.sty = stx;
      s.fym = fx;
      s.gym = dx;
    }
    s.stx = stp;
    s.fxm = fp;
    s.gxm = dp;
  }
  s.stp = stpf;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}

/**
 * Minimises `fg` from `x0` (not modified) with limited-memory BFGS, reproducing scipy's L-BFGS-B
 * iterations and stopping rules on unconstrained problems. All work buffers are allocated once
 * up front; an iteration allocates nothing.
 *
 * @example
 * ```ts
 * // minimise (x0 - 3)^2 + (x1 + 1)^2
 * const res = lbfgs((x, g) => {
 *   g[0] = 2 * (x[0]! - 3);
 *   g[1] = 2 * (x[1]! + 1);
 *   return (x[0]! - 3) ** 2 + (x[1]! + 1) ** 2;
 * }, new Float64Array(2), { gtol: 1e-8 });
 * res.x; // ~[3, -1]
 * ```
 */
export function lbfgs(fg: LossGradFn, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const pgtol = options.gtol ?? 1e-5;
  const ftol = options.ftol ?? 2.220446049250313e-9;
  const maxIter = options.maxIter ?? 15000;
  const maxFun = options.maxFun ?? 15000;
  const maxLs = options.maxLs ?? 20;
  const m = options.m ?? 10;
  const n = x0.length;
  const tol = (ftol / EPSMCH) * EPSMCH;

  // x/t and g/r are swapped rather than copied: t and r hold the iterate the line search starts from.
  let x = x0.slice();
  let g = new Float64Array(n);
  let t = new Float64Array(n);
  let r = new Float64Array(n);
  const d = new Float64Array(n);
  const S = new Float64Array(m * n);
  const Y = new Float64Array(m * n);
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let col = 0;
  let head = 0;
  let theta = 1;

  let f = fg(x, g);
  let nFev = 1;
  let iter = 0;
  if (maxAbs(g) <= pgtol) {
    return { x, f, grad: g, nIter: 0, nFev, status: 0, message: 'CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL' };
  }
  const ls = {} as Dcsrch;
  let gmax = 0;

  for (;;) {
    // Search direction d = -H g: the two-loop recursion with H0 = I / theta. Each pass updates d
    // and accumulates the next dot product in the same sweep (same per-element order as separate passes).
    if (col === 0) {
      for (let i = 0; i < n; i++) d[i] = -g[i]! / theta;
    } else {
      const inv = 1 / theta;
      let slot = (head + col - 1) % m;
      let so = slot * n;
      let acc = 0;
      for (let i = 0; i < n; i++) {
        const v = g[i]!;
        d[i] = v;
        acc += S[so + i]! * v;
      }
      alpha[slot] = rho[slot]! * acc;
      for (let k = col - 1; k >= 0; k--) {
        slot = (head + k) % m;
        const a = alpha[slot]!;
        const yo = slot * n;
        acc = 0;
        if (k > 0) {
          const next = (head + k - 1) % m;
          so = next * n;
          for (let i = 0; i < n; i++) {
            const v = d[i]! - a * Y[yo + i]!;
            d[i] = v;
            acc += S[so + i]! * v;
          }
          alpha[next] = rho[next]! * acc;
        } else {
          // Last step of the first loop, the H0 scaling, and the first dot of the second loop.
          const oldest = head * n;
          for (let i = 0; i < n; i++) {
            const v = (d[i]! - a * Y[yo + i]!) * inv;
            d[i] = v;
            acc += Y[oldest + i]! * v;
          }
        }
      }
      let beta = rho[head]! * acc;
      for (let k = 0; k < col; k++) {
        slot = (head + k) % m;
        const c = alpha[slot]! - beta;
        so = slot * n;
        if (k < col - 1) {
          const next = (head + k + 1) % m;
          const yo = next * n;
          acc = 0;
          for (let i = 0; i < n; i++) {
            const v = d[i]! + c * S[so + i]!;
            d[i] = v;
            acc += Y[yo + i]! * v;
          }
          beta = rho[next]! * acc;
        } else {
          for (let i = 0; i < n; i++) d[i] = -(d[i]! + c * S[so + i]!);
        }
      }
    }

    // Line search along d (lnsrlb): t, r <- the current x, g.
    let tmp = t;
    t = x;
    x = tmp;
    tmp = r;
    r = g;
    g = tmp;
    let dd = 0;
    let gd = 0;
    for (let i = 0; i < n; i++) {
      const di = d[i]!;
      dd += di * di;
      gd += r[i]! * di;
    }
    const dnorm = Math.sqrt(dd);
    const stpmax = BIG;
    const stp0 = iter === 0 ? Math.min(1 / dnorm, stpmax) : 1;
    const fold = f;
    let ifun = 0;
    const gdold = gd;
    let failed = !(gd < 0);
    if (!failed) {
      dcsrchStart(ls, f, gd, stp0, stpmax);
      for (;;) {
        ifun++;
        const iback = ifun - 1;
        if (iback >= maxLs) {
          failed = true;
          break;
        }
        const stp = ls.stp;
        if (stp === 1) for (let i = 0; i < n; i++) x[i] = t[i]! + d[i]!;
        else for (let i = 0; i < n; i++) x[i] = stp * d[i]! + t[i]!;
        f = fg(x, g);
        nFev++;
        gd = 0;
        gmax = 0;
        for (let i = 0; i < n; i++) {
          const gi = g[i]!;
          gd += gi * d[i]!;
          const a = Math.abs(gi);
          if (a > gmax || Number.isNaN(a)) gmax = a;
        }
        if (dcsrchStep(ls, f, gd, stpmax) !== 'FG') break;
      }
    }
    if (failed) {
      tmp = t;
      t = x;
      x = tmp;
      tmp = r;
      r = g;
      g = tmp;
      f = fold;
      if (col === 0) {
        iter++;
        return { x, f, grad: g, nIter: Math.min(iter, maxIter), nFev, status: 2, message: 'ABNORMAL_TERMINATION_IN_LNSRCH' };
      }
      col = 0;
      head = 0;
      theta = 1;
      continue;
    }
    const stp = ls.stp;
    iter++;
    // scipy's driver checks its limits on each new iterate before the Fortran tests convergence.
    if (iter >= maxIter) {
      return { x, f, grad: g, nIter: iter, nFev, status: 1, message: 'STOP: TOTAL NO. of ITERATIONS REACHED LIMIT' };
    }
    if (nFev > maxFun) {
      return { x, f, grad: g, nIter: iter, nFev, status: 1, message: 'STOP: TOTAL NO. of f AND g EVALUATIONS EXCEEDS LIMIT' };
    }
    if (gmax <= pgtol) {
      return { x, f, grad: g, nIter: iter, nFev, status: 0, message: 'CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL' };
    }
    if (fold - f <= tol * Math.max(Math.abs(fold), Math.abs(f), 1)) {
      return { x, f, grad: g, nIter: iter, nFev, status: 0, message: 'CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH' };
    }
    // Correction pair s = stp * d, y = g - g_old; skipped when the curvature s'y is not positive enough.
    const dr = stp === 1 ? gd - gdold : (gd - gdold) * stp;
    const ddum = stp === 1 ? -gdold : -gdold * stp;
    if (dr <= EPSMCH * ddum) continue;
    let slot: number;
    if (col < m) {
      slot = (head + col) % m;
      col++;
    } else {
      slot = head;
      head = (head + 1) % m;
    }
    const o = slot * n;
    let rr = 0;
    for (let i = 0; i < n; i++) {
      const yi = g[i]! - r[i]!;
      Y[o + i] = yi;
      rr += yi * yi;
      S[o + i] = stp === 1 ? d[i]! : d[i]! * stp;
    }
    rho[slot] = 1 / dr;
    theta = rr / dr;
  }
}
