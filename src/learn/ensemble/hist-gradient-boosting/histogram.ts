/**
 * Histogram kernels of histogram gradient boosting (scikit-learn's `histogram.pyx`): per feature
 * and bin, the sum of gradients, the sum of hessians and the sample count, laid out as
 * `[feature][bin][g, h, count]` Float64 triples. Pure functions over typed arrays, shared by the
 * main thread and the worker threads (which claim chunks of features one at a time).
 */

import { passName, type HistKernels } from './wasm-histogram.js';

/** Where a histogram build reads from: binned X (column-major), gradients, hessians and the partition. */
export interface HistSource {
  /** Binned X, `nFeatures x n` bytes, column-major. */
  xb: Uint8Array;
  /**
   * The same bins grouped by 4 features: value `q * n + i` packs the bins of features `4q .. 4q + 3`
   * of sample i (feature `4q + s` in bits `8s .. 8s + 7`; missing features of the last group are 0),
   * so a histogram pass over 4 features loads one 32-bit value per sample (one cache line instead
   * of four for the scattered samples of a small node). Filled by {@link packGroups}.
   */
  xg: Int32Array;
  /** Rows of the training set. */
  n: number;
  /** Gradients of every tree of the iteration, tree-major (`k * n + i`). */
  grad: Float32Array;
  /** Hessians, same layout (unused when hessians are constant). */
  hess: Float32Array;
  /** Sample indices of the tree's nodes; a node owns `part[start..stop)`. */
  part: Int32Array;
  /** Doubles per feature in a histogram: `3 * nBins`. */
  stride: number;
  /** Hessians are constant: only gradients and counts are summed. */
  constantHessian: boolean;
  /**
   * The WebAssembly passes, when `xg`, `part`, `grad`, `hess`, the gathered-gradient scratch and
   * the histogram slots are all views of the memory these kernels work on; else null (JavaScript).
   */
  wasm: HistKernels | null;
}

/**
 * Builds the histograms of features `[fStart, fEnd)` for the node owning `part[start..stop)` into
 * `out` at `outOff` (one histogram of `stride` doubles per feature). `root` reads samples in order
 * without the partition (scikit-learn's `_build_histogram_root`). Each bin accumulates its samples in
 * partition order, so the sums do not depend on how features are shared among threads.
 * `og`/`oh` are scratch buffers of at least `stop - start` values (on the kernels' memory when
 * `src.wasm` is set). With `countRoot` false, a root
 * build leaves the counts at 0 (they are the same for every tree; the caller fills them in).
 */
export function buildHistograms(
  src: HistSource,
  gOff: number,
  start: number,
  stop: number,
  root: boolean,
  fStart: number,
  fEnd: number,
  out: Float64Array,
  outOff: number,
  og: Float32Array,
  oh: Float32Array,
  countRoot = true,
): void {
  const m = stop - start;
  const g = gatherGradients(src, gOff, start, stop, root, og, oh);
  buildHistogramRange(src, start, m, root, !root || countRoot, g, root ? src.hess.subarray(gOff, gOff + src.n) : oh, fStart, fEnd, out, outOff);
}

/**
 * The gradients of the node owning `part[start..stop)` in partition order: a view of `grad` for the
 * root, else gathered into `og` (and the hessians into `oh` unless they are constant).
 */
export function gatherGradients(src: HistSource, gOff: number, start: number, stop: number, root: boolean, og: Float32Array, oh: Float32Array): Float32Array {
  const { n, grad, hess, part, constantHessian } = src;
  if (root) return grad.subarray(gOff, gOff + n);
  const m = stop - start;
  for (let j = 0; j < m; j++) og[j] = grad[gOff + part[start + j]!]!;
  if (!constantHessian) for (let j = 0; j < m; j++) oh[j] = hess[gOff + part[start + j]!]!;
  return og;
}

/**
 * The histograms of features `[fStart, fEnd)` of the `m` samples from `part[start]` (in order for
 * the root), `g`/`h` their gradients and hessians as {@link gatherGradients} returns them; counts
 * are skipped when `count` is false. Several features per pass over the samples (4, then 2, 1):
 * the sample index and gradient are loaded once and the histograms stay in L1. Each bin still sums
 * its samples in partition order, so the result does not depend on how features are grouped or
 * shared among threads.
 */
export function buildHistogramRange(src: HistSource, start: number, m: number, root: boolean, count: boolean, g: Float32Array, h: Float32Array, fStart: number, fEnd: number, out: Float64Array, outOff: number): void {
  // Passes never straddle two groups of xg: 4 features from a group start, else 2 within a group.
  if (src.wasm) {
    wasmRange(src, src.wasm, start, m, root, count, g, h, fStart, fEnd, out, outOff);
    return;
  }
  let f = fStart;
  while (f < fEnd) {
    if ((f & 3) === 0 && f + 4 <= fEnd) {
      pass4(src, f, start, m, root, count, g, h, out, outOff);
      f += 4;
    } else if ((f & 3) !== 3 && f + 2 <= fEnd) {
      pass2(src, f, start, m, root, count, g, h, out, outOff);
      f += 2;
    } else {
      pass1(src, f, start, m, root, count, g, h, out, outOff);
      f += 1;
    }
  }
}

/** {@link buildHistogramRange} with the WebAssembly passes (the same passes, the same sums). */
function wasmRange(src: HistSource, k: HistKernels, start: number, m: number, root: boolean, count: boolean, g: Float32Array, h: Float32Array, fStart: number, fEnd: number, out: Float64Array, outOff: number): void {
  const { xg, n, part, stride, constantHessian } = src;
  const hess = !constantHessian;
  const partAddr = part.byteOffset + 4 * start;
  const hAddr = hess ? h.byteOffset : 0;
  let f = fStart;
  while (f < fEnd) {
    const width = (f & 3) === 0 && f + 4 <= fEnd ? 4 : (f & 3) !== 3 && f + 2 <= fEnd ? 2 : 1;
    const o = outOff + f * stride;
    out.fill(0, o, o + width * stride);
    const pass = k.pass[passName(width, root, hess, !root || count)]!;
    pass(xg.byteOffset + 4 * (f >> 2) * n, partAddr, g.byteOffset, hAddr, m, out.byteOffset + 8 * o, 8 * stride, (f & 3) * 8);
    f += width;
  }
}

/** Groups of 4 features in {@link HistSource.xg} for `nFeatures` features. */
export function groupCount(nFeatures: number): number {
  return (nFeatures + 3) >> 2;
}

/**
 * Packs the bins of features `[fStart, fEnd)` of column-major `xb` (`nFeatures x n`) into `xg`
 * ({@link HistSource.xg}); `fStart` and `fEnd` are multiples of 4, or `fEnd` is the last feature.
 */
export function packGroups(xb: Uint8Array, n: number, nFeatures: number, fStart: number, fEnd: number, xg: Int32Array): void {
  for (let f = fStart; f < fEnd; f += 4) {
    const base = (f >> 2) * n;
    const w = Math.min(4, nFeatures - f);
    const c0 = f * n;
    if (w === 4) {
      const c1 = c0 + n;
      const c2 = c1 + n;
      const c3 = c2 + n;
      for (let i = 0; i < n; i++) xg[base + i] = xb[c0 + i]! | (xb[c1 + i]! << 8) | (xb[c2 + i]! << 16) | (xb[c3 + i]! << 24);
    } else {
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let s = 0; s < w; s++) v |= xb[c0 + s * n + i]! << (8 * s);
        xg[base + i] = v;
      }
    }
  }
}

/**
 * Builds feature chunks of a node's histograms until none is left: each thread taking part in a
 * build calls this, claiming chunk after chunk with `Atomics.add` on `claim[0]` (`chunks` as
 * {@link featureChunks} returns). A thread that is descheduled or slow simply claims fewer chunks.
 * `g`/`h` are the node's gradients and hessians as {@link nodeGradients} returns them (gathered
 * once, by the thread that issues the build, and read by all). `after` runs on each chunk's
 * features once they are built (the split search of a node is fused into its build that way).
 */
export function buildClaimedChunks(
  src: HistSource,
  start: number,
  stop: number,
  root: boolean,
  count: boolean,
  chunks: Int32Array,
  claim: Int32Array,
  out: Float64Array,
  outOff: number,
  g: Float32Array,
  h: Float32Array,
  after?: (fStart: number, fEnd: number) => void,
): void {
  const nChunks = chunks.length - 1;
  for (;;) {
    const c = Atomics.add(claim, 0, 1);
    if (c >= nChunks) return;
    buildHistogramRange(src, start, stop - start, root, count, g, h, chunks[c]!, chunks[c + 1]!, out, outOff);
    after?.(chunks[c]!, chunks[c + 1]!);
  }
}

/**
 * The gradients and hessians a histogram pass of a node reads: for the root, views of tree block
 * `gOff` (in sample order); for another node, `og`/`oh` where {@link gatherGradients} put them.
 */
export function nodeGradients(src: HistSource, gOff: number, root: boolean, og: Float32Array, oh: Float32Array): { g: Float32Array; h: Float32Array } {
  if (!root) return { g: og, h: oh };
  return { g: src.grad.subarray(gOff, gOff + src.n), h: src.hess.subarray(gOff, gOff + src.n) };
}

/**
 * Feature chunks claimed one at a time by the threads building a histogram: 4 features each (the
 * widest pass), the last ones narrower so that the thread finishing last waits little. Returns the
 * chunk boundaries (`chunks + 1` values from 0 to `nFeatures`).
 */
export function featureChunks(nFeatures: number): Int32Array {
  const bounds = [0];
  let f = 0;
  // Keep about a fifth of the features for chunks of 2 and 1 at the end.
  const tail = Math.min(nFeatures, Math.max(2, Math.ceil(nFeatures / 5)));
  while (nFeatures - f - tail >= 4) bounds.push((f += 4));
  while (nFeatures - f >= 2) bounds.push((f += 2));
  if (f < nFeatures) bounds.push(nFeatures);
  return Int32Array.from(bounds);
}

/** Histograms of features `f .. f + 3` (a whole group: `f` is a multiple of 4) in one pass over the samples (counts skipped when `count` is false). */
function pass4(src: HistSource, f: number, start: number, m: number, root: boolean, count: boolean, g: Float32Array, h: Float32Array, out: Float64Array, outOff: number): void {
  const { xg, n, part, stride, constantHessian } = src;
  const base = (f >> 2) * n;
  const o0 = outOff + f * stride;
  const o1 = o0 + stride;
  const o2 = o1 + stride;
  const o3 = o2 + stride;
  out.fill(0, o0, o0 + 4 * stride);
  if (root && !count) {
    if (constantHessian) {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const b0 = o0 + (v & 255) * 3;
        const b1 = o1 + ((v >>> 8) & 255) * 3;
        const b2 = o2 + ((v >>> 16) & 255) * 3;
        const b3 = o3 + (v >>> 24) * 3;
        out[b0] = out[b0]! + gj;
        out[b1] = out[b1]! + gj;
        out[b2] = out[b2]! + gj;
        out[b3] = out[b3]! + gj;
      }
    } else {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const hj = h[j]!;
        const b0 = o0 + (v & 255) * 3;
        const b1 = o1 + ((v >>> 8) & 255) * 3;
        const b2 = o2 + ((v >>> 16) & 255) * 3;
        const b3 = o3 + (v >>> 24) * 3;
        out[b0] = out[b0]! + gj;
        out[b0 + 1] = out[b0 + 1]! + hj;
        out[b1] = out[b1]! + gj;
        out[b1 + 1] = out[b1 + 1]! + hj;
        out[b2] = out[b2]! + gj;
        out[b2 + 1] = out[b2 + 1]! + hj;
        out[b3] = out[b3]! + gj;
        out[b3 + 1] = out[b3 + 1]! + hj;
      }
    }
  } else if (root) {
    if (constantHessian) {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const b0 = o0 + (v & 255) * 3;
        const b1 = o1 + ((v >>> 8) & 255) * 3;
        const b2 = o2 + ((v >>> 16) & 255) * 3;
        const b3 = o3 + (v >>> 24) * 3;
        out[b0] = out[b0]! + gj;
        out[b0 + 2] = out[b0 + 2]! + 1;
        out[b1] = out[b1]! + gj;
        out[b1 + 2] = out[b1 + 2]! + 1;
        out[b2] = out[b2]! + gj;
        out[b2 + 2] = out[b2 + 2]! + 1;
        out[b3] = out[b3]! + gj;
        out[b3 + 2] = out[b3 + 2]! + 1;
      }
    } else {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const hj = h[j]!;
        const b0 = o0 + (v & 255) * 3;
        const b1 = o1 + ((v >>> 8) & 255) * 3;
        const b2 = o2 + ((v >>> 16) & 255) * 3;
        const b3 = o3 + (v >>> 24) * 3;
        out[b0] = out[b0]! + gj;
        out[b0 + 1] = out[b0 + 1]! + hj;
        out[b0 + 2] = out[b0 + 2]! + 1;
        out[b1] = out[b1]! + gj;
        out[b1 + 1] = out[b1 + 1]! + hj;
        out[b1 + 2] = out[b1 + 2]! + 1;
        out[b2] = out[b2]! + gj;
        out[b2 + 1] = out[b2 + 1]! + hj;
        out[b2 + 2] = out[b2 + 2]! + 1;
        out[b3] = out[b3]! + gj;
        out[b3 + 1] = out[b3 + 1]! + hj;
        out[b3 + 2] = out[b3 + 2]! + 1;
      }
    }
  } else if (constantHessian) {
    for (let j = 0; j < m; j++) {
      const v = xg[base + part[start + j]!]!;
      const gj = g[j]!;
      const b0 = o0 + (v & 255) * 3;
      const b1 = o1 + ((v >>> 8) & 255) * 3;
      const b2 = o2 + ((v >>> 16) & 255) * 3;
      const b3 = o3 + (v >>> 24) * 3;
      out[b0] = out[b0]! + gj;
      out[b0 + 2] = out[b0 + 2]! + 1;
      out[b1] = out[b1]! + gj;
      out[b1 + 2] = out[b1 + 2]! + 1;
      out[b2] = out[b2]! + gj;
      out[b2 + 2] = out[b2 + 2]! + 1;
      out[b3] = out[b3]! + gj;
      out[b3 + 2] = out[b3 + 2]! + 1;
    }
  } else {
    for (let j = 0; j < m; j++) {
      const v = xg[base + part[start + j]!]!;
      const gj = g[j]!;
      const hj = h[j]!;
      const b0 = o0 + (v & 255) * 3;
      const b1 = o1 + ((v >>> 8) & 255) * 3;
      const b2 = o2 + ((v >>> 16) & 255) * 3;
      const b3 = o3 + (v >>> 24) * 3;
      out[b0] = out[b0]! + gj;
      out[b0 + 1] = out[b0 + 1]! + hj;
      out[b0 + 2] = out[b0 + 2]! + 1;
      out[b1] = out[b1]! + gj;
      out[b1 + 1] = out[b1 + 1]! + hj;
      out[b1 + 2] = out[b1 + 2]! + 1;
      out[b2] = out[b2]! + gj;
      out[b2 + 1] = out[b2 + 1]! + hj;
      out[b2 + 2] = out[b2 + 2]! + 1;
      out[b3] = out[b3]! + gj;
      out[b3 + 1] = out[b3 + 1]! + hj;
      out[b3 + 2] = out[b3 + 2]! + 1;
    }
  }
}

/** Histograms of features `f .. f + 1` (in the same group) in one pass over the samples (counts skipped when `count` is false). */
function pass2(src: HistSource, f: number, start: number, m: number, root: boolean, count: boolean, g: Float32Array, h: Float32Array, out: Float64Array, outOff: number): void {
  const { xg, n, part, stride, constantHessian } = src;
  const base = (f >> 2) * n;
  const sh = (f & 3) * 8;
  const o0 = outOff + f * stride;
  const o1 = o0 + stride;
  out.fill(0, o0, o0 + 2 * stride);
  if (root && !count) {
    if (constantHessian) {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const b0 = o0 + ((v >>> sh) & 255) * 3;
        const b1 = o1 + ((v >>> (sh + 8)) & 255) * 3;
        out[b0] = out[b0]! + gj;
        out[b1] = out[b1]! + gj;
      }
    } else {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const hj = h[j]!;
        const b0 = o0 + ((v >>> sh) & 255) * 3;
        const b1 = o1 + ((v >>> (sh + 8)) & 255) * 3;
        out[b0] = out[b0]! + gj;
        out[b0 + 1] = out[b0 + 1]! + hj;
        out[b1] = out[b1]! + gj;
        out[b1 + 1] = out[b1 + 1]! + hj;
      }
    }
  } else if (root) {
    if (constantHessian) {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const b0 = o0 + ((v >>> sh) & 255) * 3;
        const b1 = o1 + ((v >>> (sh + 8)) & 255) * 3;
        out[b0] = out[b0]! + gj;
        out[b0 + 2] = out[b0 + 2]! + 1;
        out[b1] = out[b1]! + gj;
        out[b1 + 2] = out[b1 + 2]! + 1;
      }
    } else {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const hj = h[j]!;
        const b0 = o0 + ((v >>> sh) & 255) * 3;
        const b1 = o1 + ((v >>> (sh + 8)) & 255) * 3;
        out[b0] = out[b0]! + gj;
        out[b0 + 1] = out[b0 + 1]! + hj;
        out[b0 + 2] = out[b0 + 2]! + 1;
        out[b1] = out[b1]! + gj;
        out[b1 + 1] = out[b1 + 1]! + hj;
        out[b1 + 2] = out[b1 + 2]! + 1;
      }
    }
  } else if (constantHessian) {
    for (let j = 0; j < m; j++) {
      const v = xg[base + part[start + j]!]!;
      const gj = g[j]!;
      const b0 = o0 + ((v >>> sh) & 255) * 3;
      const b1 = o1 + ((v >>> (sh + 8)) & 255) * 3;
      out[b0] = out[b0]! + gj;
      out[b0 + 2] = out[b0 + 2]! + 1;
      out[b1] = out[b1]! + gj;
      out[b1 + 2] = out[b1 + 2]! + 1;
    }
  } else {
    for (let j = 0; j < m; j++) {
      const v = xg[base + part[start + j]!]!;
      const gj = g[j]!;
      const hj = h[j]!;
      const b0 = o0 + ((v >>> sh) & 255) * 3;
      const b1 = o1 + ((v >>> (sh + 8)) & 255) * 3;
      out[b0] = out[b0]! + gj;
      out[b0 + 1] = out[b0 + 1]! + hj;
      out[b0 + 2] = out[b0 + 2]! + 1;
      out[b1] = out[b1]! + gj;
      out[b1 + 1] = out[b1 + 1]! + hj;
      out[b1 + 2] = out[b1 + 2]! + 1;
    }
  }
}

/** Histograms of features `f` in one pass over the samples (counts skipped when `count` is false). */
function pass1(src: HistSource, f: number, start: number, m: number, root: boolean, count: boolean, g: Float32Array, h: Float32Array, out: Float64Array, outOff: number): void {
  const { xg, n, part, stride, constantHessian } = src;
  const base = (f >> 2) * n;
  const sh = (f & 3) * 8;
  const o0 = outOff + f * stride;
  out.fill(0, o0, o0 + 1 * stride);
  if (root && !count) {
    if (constantHessian) {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const b0 = o0 + ((v >>> sh) & 255) * 3;
        out[b0] = out[b0]! + gj;
      }
    } else {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const hj = h[j]!;
        const b0 = o0 + ((v >>> sh) & 255) * 3;
        out[b0] = out[b0]! + gj;
        out[b0 + 1] = out[b0 + 1]! + hj;
      }
    }
  } else if (root) {
    if (constantHessian) {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const b0 = o0 + ((v >>> sh) & 255) * 3;
        out[b0] = out[b0]! + gj;
        out[b0 + 2] = out[b0 + 2]! + 1;
      }
    } else {
      for (let j = 0; j < m; j++) {
        const v = xg[base + j]!;
        const gj = g[j]!;
        const hj = h[j]!;
        const b0 = o0 + ((v >>> sh) & 255) * 3;
        out[b0] = out[b0]! + gj;
        out[b0 + 1] = out[b0 + 1]! + hj;
        out[b0 + 2] = out[b0 + 2]! + 1;
      }
    }
  } else if (constantHessian) {
    for (let j = 0; j < m; j++) {
      const v = xg[base + part[start + j]!]!;
      const gj = g[j]!;
      const b0 = o0 + ((v >>> sh) & 255) * 3;
      out[b0] = out[b0]! + gj;
      out[b0 + 2] = out[b0 + 2]! + 1;
    }
  } else {
    for (let j = 0; j < m; j++) {
      const v = xg[base + part[start + j]!]!;
      const gj = g[j]!;
      const hj = h[j]!;
      const b0 = o0 + ((v >>> sh) & 255) * 3;
      out[b0] = out[b0]! + gj;
      out[b0 + 1] = out[b0 + 1]! + hj;
      out[b0 + 2] = out[b0 + 2]! + 1;
    }
  }
}

/** `out = parent - child` over `len` doubles: the sibling's histograms (the subtraction trick). */
export function subtractHistograms(parent: Float64Array, pOff: number, child: Float64Array, cOff: number, out: Float64Array, oOff: number, len: number): void {
  for (let i = 0; i < len; i++) out[oOff + i] = parent[pOff + i]! - child[cOff + i]!;
}
