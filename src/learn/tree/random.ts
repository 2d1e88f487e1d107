/**
 * The random streams of scikit-learn's trees and forests, reproduced bit for bit so that seeded
 * trees and forests draw the same features, thresholds and bootstrap samples as scikit-learn 1.2:
 *
 * - {@link LegacyMT19937}: NumPy's `RandomState(seed)` (MT19937 with `init_genrand` seeding) and
 *   its legacy `randint(low, high)` (masked rejection sampling on 32-bit draws).
 * - {@link RandR}: the tree splitter's generator (`our_rand_r` in `sklearn/tree/_utils.pyx`, an
 *   xorshift seeded from `RandomState.randint(0, RAND_R_MAX)`), with `rand_int` and `rand_uniform`.
 */

/** scikit-learn's `RAND_R_MAX` (and `np.iinfo(np.int32).max`). */
export const RAND_R_MAX = 0x7fffffff;

/**
 * NumPy's legacy `RandomState` generator for integer seeds (MT19937).
 *
 * @example
 * ```ts
 * new LegacyMT19937(0).randint(0, 10); // 5, as np.random.RandomState(0).randint(0, 10)
 * ```
 */
export class LegacyMT19937 {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      // 1812433253 * prev + i, modulo 2^32, without losing precision.
      mt[i] = (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0;
    }
  }

  /** The next 32-bit output (`genrand_int32`). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `RandomState.randint(low, high)` for `high - low <= 2^32` (masked rejection, as NumPy's legacy path). */
  randint(low: number, high: number): number {
    const rng = high - low - 1;
    if (rng === 0) return low;
    let mask = rng;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    for (;;) {
      const v = (this.nextUint32() & mask) >>> 0;
      if (v <= rng) return low + v;
    }
  }
}

/**
 * The splitter's generator of scikit-learn's trees (`our_rand_r`), seeded as a tree seeds it:
 * `RandomState(seed).randint(0, RAND_R_MAX)`.
 *
 * @example
 * ```ts
 * const r = RandR.fromSeed(0);
 * r.randInt(0, 5);        // a feature index, as scikit-learn's splitter draws it
 * r.uniform(0.5, 1.5);    // a random threshold
 * ```
 */
export class RandR {
  private state: number;

  constructor(state: number) {
    this.state = state >>> 0;
  }

  /** The generator a scikit-learn tree with `random_state=seed` uses. */
  static fromSeed(seed: number): RandR {
    return new RandR(new LegacyMT19937(seed).randint(0, RAND_R_MAX));
  }

  private next(): number {
    let s = this.state;
    if (s === 0) s = 1; // DEFAULT_SEED
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    this.state = s;
    return s % (RAND_R_MAX + 1);
  }

  /** An integer in [low, high) (`rand_int`). */
  randInt(low: number, high: number): number {
    return low + (this.next() % (high - low));
  }

  /** A float in [low, high] (`rand_uniform`). */
  uniform(low: number, high: number): number {
    return ((high - low) * this.next()) / RAND_R_MAX + low;
  }
}

/**
 * The bootstrap sample counts of a forest tree with `random_state=seed`: scikit-learn's
 * `_generate_sample_indices` (`RandomState(seed).randint(0, n, nBootstrap)`) then `bincount`.
 */
export function bootstrapCounts(seed: number, n: number, nBootstrap: number): Float64Array {
  const mt = new LegacyMT19937(seed);
  const counts = new Float64Array(n);
  for (let k = 0; k < nBootstrap; k++) {
    const i = mt.randint(0, n);
    counts[i] = counts[i]! + 1;
  }
  return counts;
}

/** The per-tree seeds a forest with `random_state=seed` gives its trees (`randint(MAX_INT)` once per tree). */
export function forestTreeSeeds(seed: number, nTrees: number): number[] {
  const mt = new LegacyMT19937(seed);
  const out = new Array<number>(nTrees);
  for (let t = 0; t < nTrees; t++) out[t] = mt.randint(0, RAND_R_MAX);
  return out;
}
