import { createHash, randomFillSync } from 'node:crypto';

/** Hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256(input: string | Uint8Array): string {
  return createHash('sha256').update(input).digest('hex');
}

/**
 * An incremental SHA-256 over a sequence of strings and typed arrays, used for data fingerprints
 * (the same documents and labels give the same fingerprint).
 */
export class Fingerprint {
  private readonly h = createHash('sha256');

  update(value: string | number | ArrayBufferView): this {
    if (typeof value === 'string') {
      this.h.update(String(value.length));
      this.h.update(':');
      this.h.update(value);
    } else if (typeof value === 'number') {
      this.h.update(`#${value};`);
    } else {
      this.h.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
    return this;
  }

  digest(): string {
    return this.h.digest('hex');
  }
}

const utf8 = new TextEncoder();

/**
 * MurmurHash3 (x86, 32-bit) of the UTF-8 bytes of `key`, as a signed 32-bit integer, exactly as
 * scikit-learn's `murmurhash3_32(key, seed, positive=False)` that HashingVectorizer uses.
 */
export function murmurhash3_32(key: string | Uint8Array, seed = 0): number {
  const bytes = typeof key === 'string' ? utf8.encode(key) : key;
  const len = bytes.length;
  const nblocks = len >>> 2;
  let h1 = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  for (let i = 0; i < nblocks; i++) {
    const o = i << 2;
    let k1 = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24);
    k1 = Math.imul(k1, c1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, c2);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  const tail = nblocks << 2;
  const rem = len & 3;
  if (rem > 0) {
    let k1 = 0;
    if (rem === 3) k1 ^= bytes[tail + 2]! << 16;
    if (rem >= 2) k1 ^= bytes[tail + 1]! << 8;
    k1 ^= bytes[tail]!;
    k1 = Math.imul(k1, c1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, c2);
    h1 ^= k1;
  }
  h1 ^= len;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 | 0;
}

const pool = new Uint8Array(16 * 256);
let poolAt = pool.length;
let lastMs = 0;
let seq = 0;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix time in ms, then random bits, so ids made later sort
 * later. Database indexes keyed by them grow at the end instead of at random places (the
 * prediction log's request ids). Within one millisecond, ids from one process still increase: the
 * 12 bits after the time count up from a random start.
 *
 * @example
 * ```ts
 * import { uuidv7 } from 'mlship/core';
 * uuidv7(); // '019d6a3c-5e1f-7a2b-9c3d-4e5f6a7b8c9d'
 * ```
 */
export function uuidv7(now: number = Date.now()): string {
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = pool.subarray(poolAt, poolAt + 16);
  poolAt += 16;
  if (now > lastMs) {
    lastMs = now;
    seq = ((b[6]! & 0x0f) << 8) | b[7]!;
    seq &= 0x7ff; // room to count up within the millisecond
  } else {
    now = lastMs; // the clock went back or stood still: keep the order
    seq++;
    if (seq > 0xfff) {
      lastMs = now = lastMs + 1;
      seq = 0;
    }
  }
  const t = now;
  const hi = Math.floor(t / 2 ** 16);
  b[0] = (hi >>> 24) & 0xff;
  b[1] = (hi >>> 16) & 0xff;
  b[2] = (hi >>> 8) & 0xff;
  b[3] = hi & 0xff;
  b[4] = (t >>> 8) & 0xff;
  b[5] = t & 0xff;
  b[6] = 0x70 | ((seq >>> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[i]!]!;
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}
