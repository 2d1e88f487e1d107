import { describe, expect, it } from 'vitest';
import { Rng } from '../../../core/index.js';
import { featureChunks } from './histogram.js';
import { mergeChunks, partitionClaimedChunks, splitIndices, SPLIT_CHUNKS } from './partition.js';

/** The reference: a stable partition written the obvious way. */
function reference(part: Int32Array, start: number, stop: number, col: Uint8Array, thr: number, missLeft: boolean, missingBin: number): number[] {
  const ids = Array.from(part.subarray(start, stop));
  const goesLeft = (i: number): boolean => col[i]! <= thr || (missLeft && col[i] === missingBin);
  return [...ids.filter(goesLeft), ...ids.filter((i) => !goesLeft(i))];
}

describe('partition kernels', () => {
  const n = 1000;
  const rng = new Rng(7);
  const xb = new Uint8Array(2 * n);
  for (let i = 0; i < xb.length; i++) xb[i] = i % 13 === 0 ? 255 : rng.int(255);
  const shuffled = rng.permutation(n);

  for (const [start, stop] of [
    [0, n],
    [137, 911],
    [5, 9],
    [400, 400],
  ] as const) {
    for (const missLeft of [false, true]) {
      it(`chunked and single-thread partitions of [${start}, ${stop}) equal a stable partition (missing ${missLeft ? 'left' : 'right'})`, () => {
        const expected = reference(shuffled, start, stop, xb.subarray(n), 100, missLeft, 255);
        const one = shuffled.slice();
        const nLeft = splitIndices(one, new Int32Array(n), xb, n, start, stop, 1, 100, missLeft ? 1 : 0, 255);
        expect(Array.from(one.subarray(start, stop))).toEqual(expected);
        const chunked = shuffled.slice();
        const scratch = new Int32Array(n);
        const lefts = new Int32Array(SPLIT_CHUNKS);
        const claim = new Int32Array(1);
        partitionClaimedChunks(chunked, scratch, xb, n, start, stop, 1, 100, missLeft ? 1 : 0, 255, claim, lefts);
        expect(claim[0]).toBeGreaterThan(SPLIT_CHUNKS - 1);
        expect(mergeChunks(chunked, scratch, start, stop, lefts)).toBe(nLeft);
        expect(Array.from(chunked)).toEqual([...shuffled.subarray(0, start), ...expected, ...shuffled.subarray(stop)]);
      });
    }
  }
});

describe('featureChunks', () => {
  it('covers every feature once, widest chunks first', () => {
    for (const d of [1, 2, 3, 5, 12, 20, 21, 100]) {
      const c = Array.from(featureChunks(d));
      expect(c[0]).toBe(0);
      expect(c.at(-1)).toBe(d);
      const widths = c.slice(1).map((v, i) => v - c[i]!);
      expect(widths.every((w) => w >= 1 && w <= 4)).toBe(true);
      expect(widths).toEqual(widths.slice().sort((a, b) => b - a));
    }
    expect(Array.from(featureChunks(20))).toEqual([0, 4, 8, 12, 16, 18, 20]);
  });
});
