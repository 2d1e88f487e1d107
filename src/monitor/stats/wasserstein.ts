// The first Wasserstein distance between two samples (scipy.stats.wasserstein_distance) and
// Evidently's version normalised by the reference standard deviation.
import { sortedFinite } from './sample.js';

/** ∫ |F_u − F_v| over two ascending samples, by one merge walk. */
export function wassersteinSorted(u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let x = Math.min(u[0]!, v[0]!);
  for (;;) {
    while (i < nu && u[i]! <= x) i++;
    while (j < nv && v[j]! <= x) j++;
    if (i >= nu && j >= nv) break;
    const next = i >= nu ? v[j]! : j >= nv ? u[i]! : Math.min(u[i]!, v[j]!);
    sum += Math.abs(i / nu - j / nv) * (next - x);
    x = next;
  }
  return sum;
}

/**
 * The first Wasserstein (earth mover's) distance between two samples, equal to
 * `scipy.stats.wasserstein_distance(a, b)`: ∫ |F_a(x) − F_b(x)| dx. NaN values are dropped.
 * O(n log n): one sort of each sample and a merge walk.
 *
 * @throws MlshipError INVALID_ARGUMENT when a sample is empty.
 * @example
 * ```ts
 * import { wassersteinDistance } from 'mlship/monitor';
 * wassersteinDistance([0, 1, 3], [5, 6, 8]); // 5
 * ```
 */
export function wassersteinDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const [u] = sortedFinite(a, 'wassersteinDistance', 'a');
  const [v] = sortedFinite(b, 'wassersteinDistance', 'b');
  return wassersteinSorted(u, v);
}

/** The result of {@link normalizedWasserstein}. */
export interface NormalizedWassersteinResult {
  /** Wasserstein distance / max(std(reference), 0.001). */
  distance: number;
  /** The population standard deviation (ddof = 0) of the reference. */
  referenceStd: number;
  /** NaN values dropped from the reference and the current sample. */
  droppedNaN: [number, number];
}

/** Population standard deviation (numpy's `np.std`, ddof = 0), two-pass. */
export function populationStd(x: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i]!;
  mean /= x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / x.length);
}

/**
 * Evidently's normalised Wasserstein distance (`wasserstein_distance_norm`): the Wasserstein
 * distance divided by the reference's population standard deviation (numpy's `np.std`, ddof = 0),
 * floored at 0.001 so a constant reference does not divide by zero. Evidently flags drift at ≥ 0.1.
 *
 * @throws MlshipError INVALID_ARGUMENT when a sample is empty.
 * @example
 * ```ts
 * import { normalizedWasserstein } from 'mlship/monitor';
 * const { distance } = normalizedWasserstein([1, 2, 3, 4], [2, 3, 4, 5]);
 * const drift = distance >= 0.1;
 * ```
 */
export function normalizedWasserstein(reference: ArrayLike<number>, current: ArrayLike<number>): NormalizedWassersteinResult {
  const [u, du] = sortedFinite(reference, 'normalizedWasserstein', 'reference');
  const [v, dv] = sortedFinite(current, 'normalizedWasserstein', 'current');
  return normalizedWassersteinSorted(u, v, [du, dv]);
}

/**
 * {@link normalizedWasserstein} on two ascending, NaN-free, non-empty samples (no copy, no sort).
 *
 * @example
 * ```ts
 * import { normalizedWassersteinSorted } from 'mlship/monitor';
 * normalizedWassersteinSorted(Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4)).distance; // 1 / std([1, 2, 3])
 * ```
 */
export function normalizedWassersteinSorted(u: Float64Array, v: Float64Array, droppedNaN: [number, number] = [0, 0]): NormalizedWassersteinResult {
  const std = populationStd(u);
  return { distance: wassersteinSorted(u, v) / Math.max(std, 0.001), referenceStd: std, droppedNaN };
}
