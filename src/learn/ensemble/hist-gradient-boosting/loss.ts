/**
 * The losses of histogram gradient boosting, as scikit-learn 1.2's `sklearn._loss`: baseline
 * (intercept-only fit), gradients and hessians (float32, as scikit-learn's `G_H_DTYPE`), and the
 * mean loss used for early stopping. Raw predictions are `n x K` row-major (K = 1 except for
 * multiclass log loss).
 */

/** A loss of histogram gradient boosting. */
export interface HgbLoss {
  readonly name: string;
  /** Hessians are constant (1): histograms then count samples instead of summing hessians. */
  readonly constantHessian: boolean;
  /** Leaves are refitted after growing (absolute error: median of the residuals). */
  readonly updatesLeaves: boolean;
  /** Number of trees per iteration. */
  readonly k: number;
  /** The intercept-only fit, one value per tree of an iteration. */
  baseline(y: Float64Array): Float64Array;
  /** Writes the gradients (and hessians unless constant) of every tree, tree-major: `grad[k * n + i]`. */
  gradients(y: Float64Array, raw: Float64Array, grad: Float32Array, hess: Float32Array): void;
  /** The mean loss. */
  loss(y: Float64Array, raw: Float64Array): number;
}

function median(values: Float64Array): number {
  const s = values.slice().sort();
  const n = s.length;
  if (n === 0) return Number.NaN;
  const h = n >> 1;
  return n % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** A median as numpy's (the mean of the two middle values for an even count). */
export { median as npMedian };

function mean(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** scikit-learn's `HalfSquaredError` (loss 'squared_error'): gradient `raw - y`, hessian 1. */
export const squaredError: HgbLoss = {
  name: 'squared_error',
  constantHessian: true,
  updatesLeaves: false,
  k: 1,
  baseline: (y) => Float64Array.of(mean(y)),
  gradients(y, raw, grad) {
    for (let i = 0; i < y.length; i++) grad[i] = raw[i]! - y[i]!;
  },
  loss(y, raw) {
    let s = 0;
    for (let i = 0; i < y.length; i++) {
      const r = y[i]! - raw[i]!;
      s += 0.5 * r * r;
    }
    return s / y.length;
  },
};

/** scikit-learn's `AbsoluteError`: gradient `sign(raw - y)`, hessian 1, leaves refitted to the median residual. */
export const absoluteError: HgbLoss = {
  name: 'absolute_error',
  constantHessian: true,
  updatesLeaves: true,
  k: 1,
  baseline: (y) => Float64Array.of(median(y)),
  gradients(y, raw, grad) {
    for (let i = 0; i < y.length; i++) grad[i] = raw[i]! > y[i]! ? 1 : -1;
  },
  loss(y, raw) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += Math.abs(y[i]! - raw[i]!);
    return s / y.length;
  },
};

const EPS = 2.220446049250313e-16;

function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** scikit-learn's `HalfBinomialLoss` (binary 'log_loss'): y in {0, 1}, raw = log-odds. */
export const binomialLoss: HgbLoss = {
  name: 'log_loss',
  constantHessian: false,
  updatesLeaves: false,
  k: 1,
  baseline(y) {
    const p = Math.min(Math.max(mean(y), EPS), 1 - EPS);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  gradients(y, raw, grad, hess) {
    for (let i = 0; i < y.length; i++) {
      const r = raw[i]!;
      let p: number;
      if (r > 0) {
        const e = Math.exp(-r);
        p = 1 / (1 + e);
      } else {
        const e = Math.exp(r);
        p = e / (1 + e);
      }
      grad[i] = p - y[i]!;
      hess[i] = p * (1 - p);
    }
  },
  loss(y, raw) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += log1pExp(raw[i]!) - y[i]! * raw[i]!;
    return s / y.length;
  },
};

/** scikit-learn's `HalfMultinomialLoss` (multiclass 'log_loss'): K trees per iteration, softmax of the raw scores. */
export function multinomialLoss(k: number): HgbLoss {
  return {
    name: 'log_loss',
    constantHessian: false,
    updatesLeaves: false,
    k,
    baseline(y) {
      const out = new Float64Array(k);
      for (let i = 0; i < y.length; i++) out[y[i]!]!++;
      let meanLog = 0;
      for (let c = 0; c < k; c++) {
        const p = Math.min(Math.max(out[c]! / y.length, EPS), 1 - EPS);
        out[c] = Math.log(p);
        meanLog += out[c]!;
      }
      meanLog /= k;
      for (let c = 0; c < k; c++) out[c] = out[c]! - meanLog;
      return out;
    },
    gradients(y, raw, grad, hess) {
      const n = y.length;
      const p = new Float64Array(k);
      for (let i = 0; i < n; i++) {
        const o = i * k;
        let max = -Infinity;
        for (let c = 0; c < k; c++) if (raw[o + c]! > max) max = raw[o + c]!;
        let sum = 0;
        for (let c = 0; c < k; c++) {
          p[c] = Math.exp(raw[o + c]! - max);
          sum += p[c]!;
        }
        const yi = y[i]!;
        for (let c = 0; c < k; c++) {
          const pc = p[c]! / sum;
          grad[c * n + i] = pc - (yi === c ? 1 : 0);
          hess[c * n + i] = pc * (1 - pc);
        }
      }
    },
    loss(y, raw) {
      const n = y.length;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const o = i * k;
        let max = -Infinity;
        for (let c = 0; c < k; c++) if (raw[o + c]! > max) max = raw[o + c]!;
        let sum = 0;
        for (let c = 0; c < k; c++) sum += Math.exp(raw[o + c]! - max);
        s += max + Math.log(sum) - raw[o + y[i]!]!;
      }
      return s / n;
    },
  };
}

/**
 * The loss named `name` with `k` trees per iteration (`'log_loss'`: binomial for one tree,
 * multinomial otherwise), as a worker thread rebuilds a fit's loss from its name.
 */
export function lossByName(name: string, k: number): HgbLoss {
  if (name === squaredError.name) return squaredError;
  if (name === absoluteError.name) return absoluteError;
  if (name === binomialLoss.name) return k === 1 ? binomialLoss : multinomialLoss(k);
  throw new Error(`unknown histogram gradient boosting loss ${JSON.stringify(name)}`);
}
