/**
 * Growing one tree, as scikit-learn 1.2's `TreeGrower` and `Splitter`: leaf-wise, always splitting
 * the splittable node of highest gain (a heap with Python's `heapq` order), histograms by the
 * subtraction trick, and the same split search (missing values tried on both sides), gains,
 * constraints and tie-breaking.
 */
import type { HistogramStore } from './histogram-store.js';

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

interface SplitInfo {
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

/**
 * The best split of a node over all features (scikit-learn's `find_node_split`); gain -1 when no
 * split satisfies the constraints. Features are compared in order, the first wins ties.
 */
function findNodeSplit(hist: Float64Array, off: number, stride: number, nFeatures: number, n: number, sumG: number, sumH: number, value: number, o: GrowOptions, constantHessian: boolean): SplitInfo {
  const l2 = o.l2Regularization;
  const minLeaf = o.minSamplesLeaf;
  const lossCurrent = sumG * value;
  const hOff = constantHessian ? 2 : 1;
  let best: SplitInfo = { gain: -1, feature: 0, bin: 0, missingLeft: false, sumGL: 0, sumHL: 0, nL: 0, sumGR: 0, sumHR: 0, nR: 0, valueL: 0, valueR: 0 };
  for (let f = 0; f < nFeatures; f++) {
    const base = off + f * stride;
    const nbnm = o.nBinsNonMissing[f]!;
    const hasMissing = o.hasMissing[f]!;
    let fGain = -1;
    let fBin = 0;
    let fMissingLeft = false;
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
          fMissingLeft = true;
          fGL = gLeft;
          fHL = hLeft;
          fNL = nLeft;
        }
      }
    }
    if (fGain > best.gain) {
      best = {
        gain: fGain,
        feature: f,
        bin: fBin,
        missingLeft: fMissingLeft,
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
  const { n, part, stride, constantHessian } = src;
  const nFeatures = o.nBinsNonMissing.length;
  for (let i = 0; i < n; i++) part[i] = i;
  let sumG = 0;
  for (let i = 0; i < n; i++) sumG += src.grad[gOff + i]!;
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
  const pushSplit = (node: GrowNode): void => {
    node.split = findNodeSplit(store.page(node.slot), store.offset(node.slot), stride, nFeatures, node.stop - node.start, node.sumG, node.sumH, node.value, o, constantHessian);
    if (node.split.gain <= 0) {
      finalize(node);
      releaseSlot(node);
    } else heapPush(heap, node);
  };
  if (n < 2 * o.minSamplesLeaf || sumH < MIN_HESSIAN_TO_SPLIT) finalize(root);
  else {
    root.slot = store.alloc();
    store.build(gOff, 0, n, true, root.slot);
    pushSplit(root);
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
      store.build(gOff, small.start, small.stop, false, small.slot);
      large.slot = store.alloc();
      store.subtract(node.slot, small.slot, large.slot);
      releaseSlot(node);
      if (!left.isLeaf) pushSplit(left);
      if (!right.isLeaf) pushSplit(right);
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
