import { Matrix, MlshipError } from '../../core/index.js';

/** Options of {@link makeSyntheticRegression}. */
export interface SyntheticRegressionOptions {
  /** Number of rows. */
  nSamples: number;
  /** Number of features; at least 10 (the first 10 carry signal, the rest are noise). @default 20 */
  nFeatures?: number;
  /** Standard deviation of the Gaussian noise added to y. @default 1 */
  noise?: number;
  /** Seed; the same seed gives the same data here and in the Python twin. @default 0 */
  seed?: number;
}

/** 32-bit integer mixer (the "lowbias32" finaliser); a pure function of its input. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * A seeded synthetic regression set for tests and benchmarks, reproducible in Python
 * (`synthetic_regression` in scripts/sklearn-fixtures/_common.py) so that mlship and scikit-learn
 * train on the same rows without shipping the data: X is identical bit for bit; y agrees to the
 * last few bits (`sin`, `log` and `cos` may round differently in V8 and in C's libm).
 *
 * Each feature value is a uniform number in [0, 1) computed from (seed, row, column) by an integer
 * hash. The target is Friedman's #1 function on features 0–4, plus a linear term in features 5–9,
 * plus Gaussian noise (Box–Muller on two more hashed uniforms):
 * `y = 10 sin(π x0 x1) + 20 (x2 − 0.5)² + 10 x3 + 5 x4 + Σ_{j=5..9} 0.5 (j − 4) x_j + noise · N(0, 1)`.
 * Features 10 and up carry no signal.
 *
 * @example
 * ```ts
 * const { X, y } = makeSyntheticRegression({ nSamples: 1000, nFeatures: 20, seed: 42 });
 * X.shape; // [1000, 20]
 * ```
 */
export function makeSyntheticRegression(options: SyntheticRegressionOptions): { X: Matrix; y: Float64Array } {
  const { nSamples, nFeatures = 20, noise = 1, seed = 0 } = options;
  if (!Number.isInteger(nSamples) || nSamples < 1) throw new MlshipError('INVALID_ARGUMENT', `makeSyntheticRegression: nSamples must be a positive integer, got ${nSamples}`, { field: 'nSamples', value: nSamples });
  if (!Number.isInteger(nFeatures) || nFeatures < 10) throw new MlshipError('INVALID_ARGUMENT', `makeSyntheticRegression: nFeatures must be an integer >= 10, got ${nFeatures}`, { field: 'nFeatures', value: nFeatures });
  if (!(noise >= 0)) throw new MlshipError('INVALID_ARGUMENT', `makeSyntheticRegression: noise must be >= 0, got ${noise}`, { field: 'noise', value: noise });
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new MlshipError('INVALID_ARGUMENT', `makeSyntheticRegression: seed must be an integer in 0..2^32-1, got ${seed}`, { field: 'seed', value: seed });
  const X = new Matrix(nSamples, nFeatures);
  const y = new Float64Array(nSamples);
  const s = mix32(seed);
  const uniform = (i: number, j: number): number => (mix32(mix32(s ^ i) ^ j) + 0.5) / 4294967296;
  const d = X.data;
  for (let i = 0; i < nSamples; i++) {
    const o = i * nFeatures;
    for (let j = 0; j < nFeatures; j++) d[o + j] = uniform(i, j);
    let t = 10 * Math.sin(Math.PI * d[o]! * d[o + 1]!) + 20 * ((d[o + 2]! - 0.5) * (d[o + 2]! - 0.5)) + 10 * d[o + 3]! + 5 * d[o + 4]!;
    for (let j = 5; j < 10; j++) t += 0.5 * (j - 4) * d[o + j]!;
    const u1 = uniform(i, 1000);
    const u2 = uniform(i, 1001);
    y[i] = t + noise * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return { X, y };
}
