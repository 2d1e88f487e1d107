import { createHash } from 'node:crypto';

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
