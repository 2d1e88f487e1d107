/**
 * Partitioning a node's samples by a split (scikit-learn's `Splitter.split_indices`): stable, left
 * first. Large nodes are cut into {@link SPLIT_CHUNKS} fixed chunks that the threads claim one at a
 * time; each chunk is partitioned on its own and the pieces are then concatenated in chunk order,
 * so the result is the same whichever thread partitioned which chunk. Pure functions over typed
 * arrays, shared by the main thread and the worker threads.
 */

import type { PartitionKernel } from './wasm-histogram.js';

/** Chunks a node is cut into when its samples are partitioned by several threads. */
export const SPLIT_CHUNKS = 8;

/**
 * Stable partition of `part[cs..ce)`: the samples going left are compacted in place from `cs`, the
 * others written to `scratch[cs..)`. Returns the left count. `col` is the split feature's binned
 * column; a sample goes left when its bin is `<= thr`, or when it is `missingBin` and `missLeft`
 * is 1 (non-missing bins are below `missingBin`).
 */
export function partitionChunk(part: Int32Array, scratch: Int32Array, cs: number, ce: number, col: Uint8Array, thr: number, missLeft: number, missingBin: number): number {
  let l = cs;
  let r = cs;
  // Branch-free: each index is written to both sides and only the chosen side's cursor advances
  // (a 50/50 branch would mispredict half the time).
  for (let i = cs; i < ce; i++) {
    const idx = part[i]!;
    const b = col[idx]!;
    const left = (((thr - b) >>> 31) ^ 1) | ((b === missingBin ? 1 : 0) & missLeft);
    part[l] = idx;
    scratch[r] = idx;
    l += left;
    r += left ^ 1;
  }
  return l - cs;
}

/** First sample of chunk `c` of the node owning `part[start..stop)`. */
function chunkStart(start: number, stop: number, c: number): number {
  return start + Math.floor(((stop - start) * c) / SPLIT_CHUNKS);
}

/**
 * Partitions chunks of the node owning `part[start..stop)` until none is left to claim (an
 * `Atomics.add` on `claim[0]`), storing each chunk's left count in `lefts[c]`. Every thread taking
 * part calls this; {@link mergeChunks} then assembles the result. With `kernel` (WebAssembly, the
 * arrays on its memory) each chunk's loop runs there, with the same result.
 */
export function partitionClaimedChunks(
  part: Int32Array,
  scratch: Int32Array,
  xb: Uint8Array,
  n: number,
  start: number,
  stop: number,
  feature: number,
  thr: number,
  missLeft: number,
  missingBin: number,
  claim: Int32Array,
  lefts: Int32Array,
  kernel: PartitionKernel | null = null,
): void {
  const col = xb.subarray(feature * n, feature * n + n);
  for (;;) {
    const c = Atomics.add(claim, 0, 1);
    if (c >= SPLIT_CHUNKS) return;
    const cs = chunkStart(start, stop, c);
    const ce = chunkStart(start, stop, c + 1);
    lefts[c] = kernel ? kernel(part.byteOffset, scratch.byteOffset, cs, ce, col.byteOffset, thr, missLeft, missingBin) : partitionChunk(part, scratch, cs, ce, col, thr, missLeft, missingBin);
  }
}

/**
 * Concatenates the partitioned chunks: every chunk's left samples (moved down in place, which is
 * safe as a chunk's lefts never move up), then every chunk's right samples from `scratch`. Returns
 * the left count of the node.
 */
export function mergeChunks(part: Int32Array, scratch: Int32Array, start: number, stop: number, lefts: Int32Array): number {
  let dst = chunkStart(start, stop, 0) + lefts[0]!;
  for (let c = 1; c < SPLIT_CHUNKS; c++) {
    const cs = chunkStart(start, stop, c);
    const l = lefts[c]!;
    if (dst !== cs) part.copyWithin(dst, cs, cs + l);
    dst += l;
  }
  const nLeft = dst - start;
  for (let c = 0; c < SPLIT_CHUNKS; c++) {
    const cs = chunkStart(start, stop, c);
    const ce = chunkStart(start, stop, c + 1);
    const r = ce - cs - lefts[c]!;
    part.set(scratch.subarray(cs, cs + r), dst);
    dst += r;
  }
  return nLeft;
}

/**
 * Stable partition of `part[start..stop)` on one thread (`scratch` as long as `part`). Returns the
 * left count. With `kernel` (WebAssembly, `part`, `scratch` and `xb` on its memory) the loop runs there.
 */
export function splitIndices(part: Int32Array, scratch: Int32Array, xb: Uint8Array, n: number, start: number, stop: number, feature: number, thr: number, missLeft: number, missingBin: number, kernel: PartitionKernel | null = null): number {
  const col = xb.subarray(feature * n, feature * n + n);
  const nLeft = kernel ? kernel(part.byteOffset, scratch.byteOffset, start, stop, col.byteOffset, thr, missLeft, missingBin) : partitionChunk(part, scratch, start, stop, col, thr, missLeft, missingBin);
  part.set(scratch.subarray(start, stop - nLeft), start + nLeft);
  return nLeft;
}

/**
 * Adds leaf values to raw predictions until no leaf is left to claim (an `Atomics.add` on
 * `claim[0]`): leaf c owns `part[table[3c] .. table[3c + 1])` and adds `table[3c + 2]` to
 * `raw[part[j] * k + tree]` for each of its samples. Every sample is in one leaf, so the result
 * does not depend on which thread took which leaf.
 */
export function addClaimedLeaves(part: Int32Array, raw: Float64Array, table: Float64Array, count: number, k: number, tree: number, claim: Int32Array): void {
  for (;;) {
    const c = Atomics.add(claim, 0, 1);
    if (c >= count) return;
    addLeafValue(part, raw, table[3 * c]!, table[3 * c + 1]!, table[3 * c + 2]!, k, tree);
  }
}

/** Adds `value` to `raw[part[j] * k + tree]` for j in `[start, stop)`. */
export function addLeafValue(part: Int32Array, raw: Float64Array, start: number, stop: number, value: number, k: number, tree: number): void {
  for (let j = start; j < stop; j++) {
    const r = part[j]! * k + tree;
    raw[r] = raw[r]! + value;
  }
}
