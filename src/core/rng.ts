import { MlshipError } from './errors.js';

/**
 * A small, fast, seeded pseudo-random generator (xoshiro128**, seeded through splitmix32).
 * The same seed gives the same stream on every platform. It does not reproduce NumPy's stream:
 * seeded results are reproducible within mlship, not bit-identical to scikit-learn's shuffles.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * rng.random();          // a float in [0, 1)
 * rng.permutation(5);    // e.g. Int32Array [3, 0, 4, 1, 2]
 * ```
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number = Date.now()) {
    if (!Number.isFinite(seed)) {
      throw new MlshipError('INVALID_ARGUMENT', `seed must be a finite number, got ${String(seed)}`, { field: 'seed', value: seed });
    }
    let x = (Math.floor(Math.abs(seed)) ^ (seed < 0 ? 0x9e3779b9 : 0)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    // Mix in the high bits of large seeds too.
    const hi = Math.floor(Math.abs(seed) / 0x100000000) >>> 0;
    this.s0 = next() ^ hi;
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** An integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) {
      throw new MlshipError('INVALID_ARGUMENT', `Rng.int(n) needs a positive integer n, got ${String(n)}`, { value: n });
    }
    if (n <= 0x100000000) {
      const limit = 0x100000000 - (0x100000000 % n);
      for (;;) {
        const r = this.nextUint32();
        if (r < limit) return r % n;
      }
    }
    return Math.floor(this.random() * n);
  }

  /** A standard normal deviate (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `array` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** A new generator seeded from this one, for independent streams (one per tree, fold, worker). */
  spawn(): Rng {
    return new Rng(this.nextUint32() * 0x100000 + (this.nextUint32() >>> 12));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Resolves a user-facing `randomState` option (a seed, an Rng or undefined) to an Rng. */
export function toRng(randomState: number | Rng | undefined | null): Rng {
  if (randomState instanceof Rng) return randomState;
  return new Rng(randomState ?? Math.floor(Math.random() * 0xffffffff));
}
