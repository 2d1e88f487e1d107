/**
 * Growing one tree, as scikit-learn 1.2's `TreeGrower` and `Splitter`: leaf-wise, always splitting
 * the splittable node of highest gain (a heap with Python's `heapq` order), histograms by the
 * subtraction trick, and the same split search (missing values tried on both sides), gains,
 * constraints and tie-breaking.
 */
import type { HistogramStore } from './histogram-store.js';
import { subtractHistograms } from './histogram.js';

/** Growth options (the estimator's hyperparameters, resolved). */
export interface GrowOptions {
  maxLeafNodes: number | null;
  maxDepth: number | null;
  minSamplesLeaf: number;
  l2Regularization: number;
  /** Leaf values are multiplied by this (the learning rate). */
  shrinkage: number;
  /** Bins used by non-missing values, per feature. */
  nBinsNonMissing: Int32Array;
  /** Whether the training data has missing values, per feature. */
  hasMissing: Uint8Array;
  /** The missing-values bin. */
  missingBin: number;
}

/** scikit-learn's `min_hessian_to_split`. */
const MIN_HESSIAN_TO_SPLIT = 1e-3;

export interface SplitInfo {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  sumGL: number;
  sumHL: number;
  nL: number;
  sumGR: number;
  sumHR: number;
  nR: number;
  valueL: number;
  valueR: number;
}

/** A node while growing. Samples are `part[start..stop)` of the store's partition. */
export interface GrowNode {
  depth: number;
  start: number;
  stop: number;
  sumG: number;
  sumH: number;
  value: number;
  slot: number;
  split: SplitInfo | null;
  isLeaf: boolean;
  left: GrowNode | null;
  right: GrowNode | null;
}

/** A grown tree as flat arrays (pre-order, as scikit-learn's predictor nodes); leaves have `feature` -1. */
export interface TreeArrays {
  feature: Int32Array;
  threshold: Float64Array;
  binThreshold: Uint8Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  count: Int32Array;
}

function nodeValue(sumG: number, sumH: number, l2: number): number {
  return -sumG / (sumH + l2 + 1e-15);
}

// ---------------------------------------------------------------- heapq (Python's algorithm, so ties pop in the same order)

function lt(a: GrowNode, b: GrowNode): boolean {
  return a.split!.gain > b.split!.gain;
}

function siftDown(heap: GrowNode[], startPos: number, pos: number): void {
  const item = heap[pos]!;
  while (pos > startPos) {
    const parentPos = (pos - 1) >> 1;
    const parent = heap[parentPos]!;
    if (lt(item, parent)) {
      heap[pos] = parent;
      pos = parentPos;
      continue;
    }
    break;
  }
  heap[pos] = item;
}

function siftUp(heap: GrowNode[], pos: number): void {
  const endPos = heap.length;
  const startPos = pos;
  const item = heap[pos]!;
  let childPos = 2 * pos + 1;
  while (childPos < endPos) {
    const rightPos = childPos + 1;
    if (rightPos < endPos && !lt(heap[childPos]!, heap[rightPos]!)) childPos = rightPos;
    heap[pos] = heap[childPos]!;
    pos = childPos;
    childPos = 2 * pos + 1;
  }
  heap[pos] = item;
  siftDown(heap, startPos, pos);
}

function heapPush(heap: GrowNode[], item: GrowNode): void {
  heap.push(item);
  siftDown(heap, 0, heap.length - 1);
}

function heapPop(heap: GrowNode[]): GrowNode {
  const last = heap.pop()!;
  if (heap.length === 0) return last;
  const ret = heap[0]!;
  heap[0] = last;
  siftUp(heap, 0);
  return ret;
}

// ---------------------------------------------------------------- split search

/** What the split search needs besides the histograms (the grow options it reads). */
export interface SplitOptions {
  nBinsNonMissing: Int32Array;
  hasMissing: Uint8Array;
  minSamplesLeaf: number;
  l2Regularization: number;
  constantHessian: boolean;
}

/** Doubles per feature in split-search results: gain, bin, missing-left (0/1), gL, hL, nL. */
export const SPLIT_FIELDS = 6;

/**
 * The best split of each feature in `[fStart, fEnd)` of a node (the per-feature half of
 * scikit-learn's `find_node_split`), written to `out` at `outOff + f * SPLIT_FIELDS`: gain -1
 * when the feature has no split satisfying the constraints. Pure, so features can be searched by
 * different threads with the same results.
 */
export function featureSplits(hist: Float64Array, off: number, stride: number, fStart: number, fEnd: number, n: number, sumG: number, sumH: number, value: number, o: SplitOptions, out: Float64Array, outOff: number): void {
  const l2 = o.l2Regularization;
  const minLeaf = o.minSamplesLeaf;
  const lossCurrent = sumG * value;
  const hOff = o.constantHessian ? 2 : 1;
  for (let f = fStart; f < fEnd; f++) {
    const base = off + f * stride;
    const nbnm = o.nBinsNonMissing[f]!;
    const hasMissing = o.hasMissing[f]!;
    let fGain = -1;
    let fBin = 0;
    let fMissingLeft = 0;
    let fGL = 0;
    let fHL = 0;
    let fNL = 0;
    // Left to right: missing values (if any) go to the right.
    let gL = 0;
    let hL = 0;
    let nL = 0;
    const end = nbnm - 1 + hasMissing;
    for (let b = 0; b < end; b++) {
      const p = base + b * 3;
      nL += hist[p + 2]!;
      const nR = n - nL;
      hL += hist[p + hOff]!;
      const hR = sumH - hL;
      gL += hist[p]!;
      const gR = sumG - gL;
      if (nL < minLeaf) continue;
      if (nR < minLeaf) break;
      if (hL < MIN_HESSIAN_TO_SPLIT) continue;
      if (hR < MIN_HESSIAN_TO_SPLIT) break;
      const gain = lossCurrent - gL * nodeValue(gL, hL, l2) - gR * nodeValue(gR, hR, l2);
      if (gain > fGain && gain > 0) {
        fGain = gain;
        fBin = b;
        fGL = gL;
        fHL = hL;
        fNL = nL;
      }
    }
    if (hasMissing) {
      // Right to left: missing values go to the left.
      let gR = 0;
      let hR = 0;
      let nR = 0;
      for (let b = nbnm - 2; b >= 0; b--) {
        const p = base + (b + 1) * 3;
        nR += hist[p + 2]!;
        const nLeft = n - nR;
        hR += hist[p + hOff]!;
        const hLeft = sumH - hR;
        gR += hist[p]!;
        const gLeft = sumG - gR;
        if (nR < minLeaf) continue;
        if (nLeft < minLeaf) break;
        if (hR < MIN_HESSIAN_TO_SPLIT) continue;
        if (hLeft < MIN_HESSIAN_TO_SPLIT) break;
        const gain = lossCurrent - gLeft * nodeValue(gLeft, hLeft, l2) - gR * nodeValue(gR, hR, l2);
        if (gain > fGain && gain > 0) {
          fGain = gain;
          fBin = b;
          fMissingLeft = 1;
          fGL = gLeft;
          fHL = hLeft;
          fNL = nLeft;
        }
      }
    }
    const r = outOff + f * SPLIT_FIELDS;
    out[r] = fGain;
    out[r + 1] = fBin;
    out[r + 2] = fMissingLeft;
    out[r + 3] = fGL;
    out[r + 4] = fHL;
    out[r + 5] = fNL;
  }
}

/**
 * The node's best split from {@link featureSplits}' results (features compared in order, the first
 * wins ties), as scikit-learn's `find_node_split`; gain -1 when no feature has a split.
 */
export function pickSplit(res: Float64Array, resOff: number, nFeatures: number, n: number, sumG: number, sumH: number, l2: number): SplitInfo {
  let best: SplitInfo = { gain: -1, feature: 0, bin: 0, missingLeft: false, sumGL: 0, sumHL: 0, nL: 0, sumGR: 0, sumHR: 0, nR: 0, valueL: 0, valueR: 0 };
  for (let f = 0; f < nFeatures; f++) {
    const r = resOff + f * SPLIT_FIELDS;
    const fGain = res[r]!;
    if (fGain > best.gain) {
      const fGL = res[r + 3]!;
      const fHL = res[r + 4]!;
      const fNL = res[r + 5]!;
      best = {
        gain: fGain,
        feature: f,
        bin: res[r + 1]!,
        missingLeft: res[r + 2] === 1,
        sumGL: fGL,
        sumHL: fHL,
        nL: fNL,
        sumGR: sumG - fGL,
        sumHR: sumH - fHL,
        nR: n - fNL,
        valueL: 0,
        valueR: 0,
      };
    }
  }
  best.valueL = nodeValue(best.sumGL, best.sumHL, l2);
  best.valueR = nodeValue(best.sumGR, best.sumHR, l2);
  return best;
}

// ---------------------------------------------------------------- the grower

/** The result of {@link growTree}: the tree and its leaves (their samples are still `part[start..stop)`). */
export interface GrownTree {
  tree: TreeArrays;
  leaves: GrowNode[];
}

/**
 * Grows one tree on the store's binned X and the gradients at `gOff` (scikit-learn's
 * `TreeGrower.grow`), leaves holding `shrinkage * value`.
 */
export function growTree(store: HistogramStore, gOff: number, o: GrowOptions, thresholds: Float64Array[]): GrownTree {
  const src = store.src;
  const { n, part, constantHessian } = src;
  const nFeatures = o.nBinsNonMissing.length;
  // The partition reset and the gradient sum in one pass.
  const grad = src.grad;
  let sumG = 0;
  for (let i = 0; i < n; i++) {
    part[i] = i;
    sumG += grad[gOff + i]!;
  }
  let sumH: number;
  if (constantHessian) sumH = n;
  else {
    sumH = 0;
    for (let i = 0; i < n; i++) sumH += src.hess[gOff + i]!;
  }
  const root: GrowNode = { depth: 0, start: 0, stop: n, sumG, sumH, value: 0, slot: -1, split: null, isLeaf: false, left: null, right: null };
  const leaves: GrowNode[] = [];
  const heap: GrowNode[] = [];
  const finalize = (node: GrowNode): void => {
    node.isLeaf = true;
    leaves.push(node);
  };
  const releaseSlot = (node: GrowNode): void => {
    if (node.slot >= 0) store.release(node.slot);
    node.slot = -1;
  };
  const so: SplitOptions = { nBinsNonMissing: o.nBinsNonMissing, hasMissing: o.hasMissing, minSamplesLeaf: o.minSamplesLeaf, l2Regularization: o.l2Regularization, constantHessian };
  /** Splits (or finalizes) `nodes` from their split-search results. */
  const apply = (nodes: GrowNode[], res: Float64Array): void => {
    nodes.forEach((node, r) => {
      node.split = pickSplit(res, r * nFeatures * SPLIT_FIELDS, nFeatures, node.stop - node.start, node.sumG, node.sumH, o.l2Regularization);
      if (node.split.gain <= 0) {
        finalize(node);
        releaseSlot(node);
      } else heapPush(heap, node);
    });
  };
  if (n < 2 * o.minSamplesLeaf || sumH < MIN_HESSIAN_TO_SPLIT) finalize(root);
  else {
    root.slot = store.alloc();
    store.build(gOff, 0, n, true, root.slot);
    apply([root], store.searchSplits(so, null, [root]));
  }
  while (heap.length > 0) {
    const node = heapPop(heap);
    const s = node.split!;
    const nLeft = store.split(node.start, node.stop, s.feature, s.bin, s.missingLeft, o.missingBin);
    const depth = node.depth + 1;
    const nLeafNodes = leaves.length + heap.length + 2;
    const left: GrowNode = { depth, start: node.start, stop: node.start + nLeft, sumG: s.sumGL, sumH: s.sumHL, value: s.valueL, slot: -1, split: null, isLeaf: false, left: null, right: null };
    const right: GrowNode = { depth, start: node.start + nLeft, stop: node.stop, sumG: s.sumGR, sumH: s.sumHR, value: s.valueR, slot: -1, split: null, isLeaf: false, left: null, right: null };
    node.left = left;
    node.right = right;
    if (!o.hasMissing[s.feature]) s.missingLeft = left.stop - left.start > right.stop - right.start;
    if (o.maxLeafNodes !== null && nLeafNodes === o.maxLeafNodes) {
      finalize(left);
      finalize(right);
      releaseSlot(node);
      while (heap.length > 0) {
        const rest = heapPop(heap);
        finalize(rest);
        releaseSlot(rest);
      }
      break;
    }
    if (o.maxDepth !== null && depth === o.maxDepth) {
      finalize(left);
      finalize(right);
      releaseSlot(node);
      continue;
    }
    if (left.stop - left.start < 2 * o.minSamplesLeaf) finalize(left);
    if (right.stop - right.start < 2 * o.minSamplesLeaf) finalize(right);
    if (!left.isLeaf || !right.isLeaf) {
      const leftSmaller = left.stop - left.start < right.stop - right.start;
      const small = leftSmaller ? left : right;
      const large = leftSmaller ? right : left;
      small.slot = store.alloc();
      large.slot = store.alloc();
      const open = [left, right].filter((c) => !c.isLeaf);
      apply(open, store.buildAndSearch(gOff, small.start, small.stop, so, { parent: node.slot, small: small.slot, large: large.slot }, open));
      releaseSlot(node);
      if (left.isLeaf) releaseSlot(left);
      if (right.isLeaf) releaseSlot(right);
    } else releaseSlot(node);
  }
  for (const leaf of leaves) leaf.value *= o.shrinkage;
  return { tree: toArrays(root, thresholds, o), leaves };
}

function toArrays(root: GrowNode, thresholds: Float64Array[], o: GrowOptions): TreeArrays {
  let count = 0;
  const walk = (nd: GrowNode): void => {
    count++;
    if (!nd.isLeaf && nd.left) {
      walk(nd.left);
      walk(nd.right!);
    }
  };
  walk(root);
  const t: TreeArrays = {
    feature: new Int32Array(count),
    threshold: new Float64Array(count),
    binThreshold: new Uint8Array(count),
    missingLeft: new Uint8Array(count),
    left: new Int32Array(count),
    right: new Int32Array(count),
    value: new Float64Array(count),
    count: new Int32Array(count),
  };
  let next = 0;
  const fill = (nd: GrowNode): number => {
    const i = next++;
    t.value[i] = nd.value;
    t.count[i] = nd.stop - nd.start;
    if (nd.isLeaf || !nd.left) {
      t.feature[i] = -1;
      return i;
    }
    const s = nd.split!;
    t.feature[i] = s.feature;
    t.binThreshold[i] = s.bin;
    t.missingLeft[i] = s.missingLeft ? 1 : 0;
    t.threshold[i] = s.bin === o.nBinsNonMissing[s.feature]! - 1 ? Infinity : thresholds[s.feature]![s.bin]!;
    t.left[i] = fill(nd.left);
    t.right[i] = fill(nd.right!);
    return i;
  };
  fill(root);
  return t;
}

/** Where {@link searchClaimedChunks} finds the histogram of a slot. */
export interface SlotResolver {
  page(slot: number): Float64Array;
  offset(slot: number): number;
}

/**
 * The split search of up to two nodes, feature chunks claimed one at a time (an `Atomics.add` on
 * `claim[0]`) by every thread taking part: for each feature of a chunk, first the sibling's
 * histogram `large = parent - small` when `parent >= 0` (the subtraction trick), then
 * {@link featureSplits} for each node. `slots[r]` is node r's histogram, `args` holds
 * `[n, sumG, sumH, value]` per node and results go to `res` at `r * nFeatures * SPLIT_FIELDS`.
 */
export function searchClaimedChunks(
  hists: SlotResolver,
  stride: number,
  nFeatures: number,
  parent: number,
  small: number,
  large: number,
  slots: ArrayLike<number>,
  count: number,
  args: Float64Array,
  so: SplitOptions,
  chunks: Int32Array,
  claim: Int32Array,
  res: Float64Array,
): void {
  const nChunks = chunks.length - 1;
  for (;;) {
    const c = Atomics.add(claim, 0, 1);
    if (c >= nChunks) return;
    searchRange(hists, stride, nFeatures, parent, small, large, slots, count, args, so, res, chunks[c]!, chunks[c + 1]!);
  }
}

/** {@link searchClaimedChunks}' work on the features `[f0, f1)`. */
export function searchRange(
  hists: SlotResolver,
  stride: number,
  nFeatures: number,
  parent: number,
  small: number,
  large: number,
  slots: ArrayLike<number>,
  count: number,
  args: Float64Array,
  so: SplitOptions,
  res: Float64Array,
  f0: number,
  f1: number,
): void {
  if (parent >= 0) {
    const from = f0 * stride;
    subtractHistograms(hists.page(parent), hists.offset(parent) + from, hists.page(small), hists.offset(small) + from, hists.page(large), hists.offset(large) + from, (f1 - f0) * stride);
  }
  for (let r = 0; r < count; r++) {
    const slot = slots[r]!;
    featureSplits(hists.page(slot), hists.offset(slot), stride, f0, f1, args[4 * r]!, args[4 * r + 1]!, args[4 * r + 2]!, args[4 * r + 3]!, so, res, r * nFeatures * SPLIT_FIELDS);
  }
}
