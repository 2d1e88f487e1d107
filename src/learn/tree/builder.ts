/**
 * The tree-growing kernel shared by the decision trees and the forests: scikit-learn 1.2's
 * `BestSplitter` / `RandomSplitter` with its criteria (squared error, Friedman MSE, Gini, entropy)
 * and its depth-first and best-first builders, on flat typed arrays.
 *
 * Sorting: scikit-learn sorts the node's samples by each candidate feature at every node. Here
 * every feature is sorted once (per forest, {@link argsortColumns}) and each node keeps, for every
 * feature, its samples in that feature's order; a split partitions those lists stably. The
 * candidate thresholds, the `x <= threshold` rule, the min-samples / min-weight rules and the
 * proxy improvements are scikit-learn's, so on data without ties a tree grown with all features
 * has the same splits. No classes or closures run in the inner loops.
 */
import type { RandR } from './random.js';

/** Criterion codes. */
export const CRITERION_SQUARED_ERROR = 0;
export const CRITERION_FRIEDMAN_MSE = 1;
export const CRITERION_GINI = 2;
export const CRITERION_ENTROPY = 3;

/** scikit-learn's `FEATURE_THRESHOLD`: values closer than this count as equal. */
const FEATURE_THRESHOLD = 1e-7;
/** `np.finfo('double').eps`, the builders' impurity tolerance. */
const EPSILON = 2.220446049250313e-16;
const LN2 = Math.log(2);
/** Leaf marker in `left` / `right`, and the feature / threshold of a leaf (scikit-learn's `_TREE_LEAF`, `_TREE_UNDEFINED`). */
export const TREE_LEAF = -1;
export const TREE_UNDEFINED = -2;

/** The training data of a tree: X feature-major with its per-feature sort order, and y. */
export interface TreeData {
  /** Rows of X. */
  n: number;
  /** Features of X. */
  d: number;
  /** X feature-major in float32 (as scikit-learn's trees): `xc[f * n + i]` is row i, feature f. */
  xc: Float32Array;
  /** `order[f * n .. f * n + n)` lists the rows in ascending order of feature f. */
  order: Int32Array;
  /** Regression: the target per row; classification: the class code per row. */
  y: Float64Array;
  /** Number of classes (classification), 0 for regression. */
  nClasses: number;
}

/** Resolved growth parameters (integers, no nulls). */
export interface BuildParams {
  criterion: number;
  /** Draw random thresholds (scikit-learn's `splitter='random'`). */
  randomSplits: boolean;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  minWeightLeaf: number;
  maxFeatures: number;
  /** 0: depth-first growth; otherwise best-first with at most this many leaves. */
  maxLeafNodes: number;
  minImpurityDecrease: number;
}

/** A fitted tree as flat arrays, node 0 the root (scikit-learn's `tree_` layout). */
export interface TreeArrays {
  nodeCount: number;
  /** Split feature, {@link TREE_UNDEFINED} at leaves. */
  feature: Int32Array;
  /** Split threshold (`x <= threshold` goes left), {@link TREE_UNDEFINED} at leaves. */
  threshold: Float64Array;
  /** Left child, {@link TREE_LEAF} at leaves. */
  left: Int32Array;
  /** Right child, {@link TREE_LEAF} at leaves. */
  right: Int32Array;
  /** Node values, `nodeCount x stride`: the mean target (regression) or weighted class counts. */
  value: Float64Array;
  impurity: Float64Array;
  nNodeSamples: Int32Array;
  weightedNNodeSamples: Float64Array;
  /** Deepest node depth (the root has depth 0). */
  maxDepth: number;
}

/**
 * Per feature, the rows in ascending order of that feature (`order[f * n + k]`), by an
 * introsort-free quicksort on (value, row) pairs: median of three, insertion sort below 16.
 *
 * @example
 * ```ts
 * const order = argsortColumns(new Float32Array([3, 1, 2]), 3, 1); // Int32Array [1, 2, 0]
 * ```
 */
export function argsortColumns(xc: Float32Array, n: number, d: number): Int32Array {
  const order = new Int32Array(n * d);
  const keys = new Float64Array(n);
  const idx = new Int32Array(n);
  for (let f = 0; f < d; f++) {
    const off = f * n;
    for (let i = 0; i < n; i++) {
      keys[i] = xc[off + i]!;
      idx[i] = i;
    }
    sortPairs(keys, idx, 0, n);
    order.set(idx, off);
  }
  return order;
}

/** Sorts keys[lo, hi) ascending, moving idx along. */
export function sortPairs(keys: Float64Array, idx: Int32Array, lo: number, hi: number): void {
  const stack: number[] = [lo, hi];
  while (stack.length > 0) {
    let h = stack.pop()!;
    let l = stack.pop()!;
    while (h - l > 16) {
      const a = keys[l]!;
      const b = keys[(l + h) >>> 1]!;
      const c = keys[h - 1]!;
      // The median of three (a value present in the range, so both scans stop inside it).
      const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
      let i = l;
      let j = h - 1;
      // Hoare partition.
      for (;;) {
        while (keys[i]! < pivot) i++;
        while (keys[j]! > pivot) j--;
        if (i >= j) break;
        swap(keys, idx, i, j);
        i++;
        j--;
      }
      // [l, j] and [j + 1, h): recurse on the smaller part, loop on the larger.
      const split = j + 1;
      if (split - l < h - split) {
        stack.push(split, h);
        h = split;
      } else {
        stack.push(l, split);
        l = split;
      }
    }
    for (let i = l + 1; i < h; i++) {
      const k = keys[i]!;
      const v = idx[i]!;
      let j = i - 1;
      while (j >= l && keys[j]! > k) {
        keys[j + 1] = keys[j]!;
        idx[j + 1] = idx[j]!;
        j--;
      }
      keys[j + 1] = k;
      idx[j + 1] = v;
    }
  }
}

function swap(keys: Float64Array, idx: Int32Array, i: number, j: number): void {
  const k = keys[i]!;
  keys[i] = keys[j]!;
  keys[j] = k;
  const v = idx[i]!;
  idx[i] = idx[j]!;
  idx[j] = v;
}

/** Growable node storage. */
class NodeStore {
  count = 0;
  stride: number;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  impurity: Float64Array;
  nNodeSamples: Int32Array;
  weightedNNodeSamples: Float64Array;

  constructor(capacity: number, stride: number) {
    this.stride = stride;
    this.feature = new Int32Array(capacity);
    this.threshold = new Float64Array(capacity);
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.value = new Float64Array(capacity * stride);
    this.impurity = new Float64Array(capacity);
    this.nNodeSamples = new Int32Array(capacity);
    this.weightedNNodeSamples = new Float64Array(capacity);
  }

  add(parent: number, isLeft: boolean, feature: number, threshold: number, impurity: number, nNode: number, wNode: number): number {
    if (this.count === this.feature.length) this.grow();
    const id = this.count++;
    this.feature[id] = feature;
    this.threshold[id] = threshold;
    this.left[id] = TREE_LEAF;
    this.right[id] = TREE_LEAF;
    this.impurity[id] = impurity;
    this.nNodeSamples[id] = nNode;
    this.weightedNNodeSamples[id] = wNode;
    if (parent >= 0) {
      if (isLeft) this.left[parent] = id;
      else this.right[parent] = id;
    }
    return id;
  }

  private grow(): void {
    const cap = Math.max(16, this.feature.length * 2);
    const g = <T extends Int32Array | Float64Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.feature = g(this.feature, cap);
    this.threshold = g(this.threshold, cap);
    this.left = g(this.left, cap);
    this.right = g(this.right, cap);
    this.value = g(this.value, cap * this.stride);
    this.impurity = g(this.impurity, cap);
    this.nNodeSamples = g(this.nNodeSamples, cap);
    this.weightedNNodeSamples = g(this.weightedNNodeSamples, cap);
  }

  finish(maxDepth: number): TreeArrays {
    const c = this.count;
    return {
      nodeCount: c,
      feature: this.feature.slice(0, c),
      threshold: this.threshold.slice(0, c),
      left: this.left.slice(0, c),
      right: this.right.slice(0, c),
      value: this.value.slice(0, c * this.stride),
      impurity: this.impurity.slice(0, c),
      nNodeSamples: this.nNodeSamples.slice(0, c),
      weightedNNodeSamples: this.weightedNNodeSamples.slice(0, c),
      maxDepth,
    };
  }
}

/** The outcome of a node split search (scikit-learn's `SplitRecord`). */
interface Split {
  feature: number;
  pos: number;
  threshold: number;
  improvement: number;
  impurityLeft: number;
  impurityRight: number;
}

/**
 * Grows one tree (scikit-learn's `DepthFirstTreeBuilder`, or `BestFirstTreeBuilder` when
 * `maxLeafNodes` > 0) on the rows of `data` with a non-zero weight in `w`. `rng` (scikit-learn's
 * splitter generator) draws the order in which features are tried, and the random thresholds.
 *
 * @example
 * ```ts
 * const tree = buildTree(data, params, weights, RandR.fromSeed(0));
 * tree.nodeCount;
 * ```
 */
export function buildTree(data: TreeData, params: BuildParams, w: Float64Array, rng: RandR): TreeArrays {
  return new Grower(data, params, w, rng).grow();
}

class Grower {
  private readonly n: number;
  private readonly d: number;
  private readonly xc: Float32Array;
  private readonly y: Float64Array;
  private readonly w: Float64Array;
  private readonly K: number;
  private readonly stride: number;
  private readonly crit: number;
  private readonly p: BuildParams;
  private readonly rng: RandR;
  /** Samples with a non-zero weight. */
  private readonly m: number;
  /** Per feature, the node samples in that feature's order: `idx[f * m + k]`. */
  private readonly idx: Int32Array;
  private readonly tmp: Int32Array;
  private readonly goLeft: Uint8Array;
  /** scikit-learn's splitter `features` and `constant_features` arrays (kept across nodes). */
  private readonly features: Int32Array;
  private readonly constantFeatures: Int32Array;
  /** Known constant features after the last nodeSplit. */
  private nConstantOut = 0;
  private readonly store: NodeStore;
  private readonly weightedNSamples: number;
  // Node statistics, set by nodeReset.
  private wNode = 0;
  private sumTotal = 0;
  private sqSumTotal = 0;
  private readonly clsTotal: Float64Array;
  private readonly clsLeft: Float64Array;
  private readonly clsBest: Float64Array;
  private readonly split: Split = { feature: 0, pos: 0, threshold: 0, improvement: 0, impurityLeft: 0, impurityRight: 0 };

  constructor(data: TreeData, params: BuildParams, w: Float64Array, rng: RandR) {
    this.n = data.n;
    this.d = data.d;
    this.xc = data.xc;
    this.y = data.y;
    this.w = w;
    this.K = data.nClasses;
    this.stride = data.nClasses > 0 ? data.nClasses : 1;
    this.crit = params.criterion;
    this.p = params;
    this.rng = rng;
    const n = data.n;
    const d = data.d;
    let m = 0;
    let wsum = 0;
    for (let i = 0; i < n; i++) {
      const wi = w[i]!;
      if (wi !== 0) {
        m++;
        wsum += wi;
      }
    }
    this.m = m;
    this.weightedNSamples = wsum;
    const order = data.order;
    const idx = new Int32Array(m * d);
    if (m === n) idx.set(order.subarray(0, n * d));
    else {
      for (let f = 0; f < d; f++) {
        let k = f * m;
        const off = f * n;
        for (let r = 0; r < n; r++) {
          const i = order[off + r]!;
          if (w[i] !== 0) idx[k++] = i;
        }
      }
    }
    this.idx = idx;
    this.tmp = new Int32Array(m);
    this.goLeft = new Uint8Array(n);
    this.features = new Int32Array(d);
    for (let f = 0; f < d; f++) this.features[f] = f;
    this.constantFeatures = new Int32Array(d);
    this.clsTotal = new Float64Array(this.stride);
    this.clsLeft = new Float64Array(this.stride);
    this.clsBest = new Float64Array(this.stride);
    const cap = params.maxLeafNodes > 0 ? 2 * params.maxLeafNodes - 1 : Math.min(2047, 2 * m + 1);
    this.store = new NodeStore(cap, this.stride);
  }

  grow(): TreeArrays {
    return this.p.maxLeafNodes > 0 ? this.growBestFirst() : this.growDepthFirst();
  }

  /** Node statistics over samples [start, end) (scikit-learn's `node_reset` / criterion `init`). */
  private nodeReset(start: number, end: number): void {
    const idx = this.idx;
    const w = this.w;
    const y = this.y;
    let wn = 0;
    if (this.K === 0) {
      let s = 0;
      let sq = 0;
      for (let p = start; p < end; p++) {
        const i = idx[p]!;
        const wy = w[i]! * y[i]!;
        wn += w[i]!;
        s += wy;
        sq += wy * y[i]!;
      }
      this.sumTotal = s;
      this.sqSumTotal = sq;
    } else {
      const ct = this.clsTotal;
      ct.fill(0);
      for (let p = start; p < end; p++) {
        const i = idx[p]!;
        const wi = w[i]!;
        ct[y[i]!] = ct[y[i]!]! + wi;
        wn += wi;
      }
    }
    this.wNode = wn;
  }

  private nodeImpurity(): number {
    const wn = this.wNode;
    if (this.K === 0) {
      const mean = this.sumTotal / wn;
      return this.sqSumTotal / wn - mean * mean;
    }
    return this.classImpurity(this.clsTotal, null, wn);
  }

  /** Gini or entropy of counts (or of `total - counts` when `minus` is given). */
  private classImpurity(counts: Float64Array, minus: Float64Array | null, wn: number): number {
    const K = this.K;
    if (this.crit === CRITERION_GINI) {
      let sq = 0;
      for (let c = 0; c < K; c++) {
        const v = minus ? minus[c]! - counts[c]! : counts[c]!;
        sq += v * v;
      }
      return 1.0 - sq / (wn * wn);
    }
    let ent = 0;
    for (let c = 0; c < K; c++) {
      let v = minus ? minus[c]! - counts[c]! : counts[c]!;
      if (v > 0) {
        v /= wn;
        ent -= v * (Math.log(v) / LN2);
      }
    }
    return ent;
  }

  private nodeValue(node: number): void {
    const v = this.store.value;
    if (this.K === 0) v[node] = this.sumTotal / this.wNode;
    else v.set(this.clsTotal, node * this.stride);
  }

  /**
   * Finds the best split of [start, end) and, when there is one, partitions every feature's list
   * of the node into left | right. Returns false when no valid split exists.
   */
  private nodeSplit(start: number, end: number, impurity: number, nKnownConstants: number): boolean {
    const d = this.d;
    const m = this.m;
    const n = this.n;
    const idx = this.idx;
    const xc = this.xc;
    const maxFeatures = this.p.maxFeatures;
    const features = this.features;
    const rng = this.rng;
    let bestProxy = -Infinity;
    let bestFeature = -1;
    let bestPos = end;
    let bestThreshold = 0;
    let bestSumLeft = 0;
    let bestWLeft = 0;
    const clsBest = this.clsBest;
    // scikit-learn's feature sampling (Fisher-Yates over the features not known to be constant),
    // so that the same seed tries the same features in the same order.
    let fi = d;
    let nVisited = 0;
    let nFoundConstants = 0;
    let nDrawnConstants = 0;
    let nTotalConstants = nKnownConstants;
    while (fi > nTotalConstants && (nVisited < maxFeatures || nVisited <= nFoundConstants + nDrawnConstants)) {
      nVisited++;
      let fj = rng.randInt(nDrawnConstants, fi - nFoundConstants);
      if (fj < nKnownConstants) {
        const t = features[nDrawnConstants]!;
        features[nDrawnConstants] = features[fj]!;
        features[fj] = t;
        nDrawnConstants++;
        continue;
      }
      fj += nFoundConstants;
      const f = features[fj]!;
      const base = f * m;
      const xo = f * n;
      const lo = xc[xo + idx[base + start]!]!;
      const hi = xc[xo + idx[base + end - 1]!]!;
      if (hi <= lo + FEATURE_THRESHOLD) {
        features[fj] = features[nTotalConstants]!;
        features[nTotalConstants] = f;
        nFoundConstants++;
        nTotalConstants++;
        continue;
      }
      fi--;
      features[fj] = features[fi]!;
      features[fi] = f;
      const r = this.p.randomSplits ? this.scanRandom(f, start, end, lo, hi, bestProxy) : this.scanBest(f, start, end, bestProxy);
      if (r > bestProxy) {
        bestProxy = r;
        bestFeature = f;
        bestPos = this.scanPos;
        bestThreshold = this.scanThreshold;
        bestSumLeft = this.scanSumLeft;
        bestWLeft = this.scanWLeft;
        if (this.K > 0) clsBest.set(this.clsLeft);
      }
    }
    // Keep the known constants in their order for siblings and children; record the new ones.
    const cf = this.constantFeatures;
    for (let k = 0; k < nKnownConstants; k++) features[k] = cf[k]!;
    for (let k = nKnownConstants; k < nKnownConstants + nFoundConstants; k++) cf[k] = features[k]!;
    this.nConstantOut = nTotalConstants;
    if (bestFeature < 0 || bestPos >= end) return false;
    // Partition every feature's list of the node by the best feature's order.
    const goLeft = this.goLeft;
    const bb = bestFeature * m;
    for (let p = start; p < bestPos; p++) goLeft[idx[bb + p]!] = 1;
    for (let p = bestPos; p < end; p++) goLeft[idx[bb + p]!] = 0;
    const tmp = this.tmp;
    for (let f = 0; f < d; f++) {
      if (f === bestFeature) continue;
      const base = f * m;
      let l = base + start;
      let r = 0;
      for (let p = base + start, e = base + end; p < e; p++) {
        const i = idx[p]!;
        if (goLeft[i] === 1) idx[l++] = i;
        else tmp[r++] = i;
      }
      for (let k = 0; k < r; k++) idx[l + k] = tmp[k]!;
    }
    // Children impurities and the improvement.
    const wn = this.wNode;
    const wl = bestWLeft;
    const wr = wn - wl;
    const s = this.split;
    s.feature = bestFeature;
    s.pos = bestPos;
    s.threshold = bestThreshold;
    if (this.K === 0) {
      const y = this.y;
      const w = this.w;
      let sqLeft = 0;
      for (let p = bb + start, e = bb + bestPos; p < e; p++) {
        const i = idx[p]!;
        const yi = y[i]!;
        sqLeft += w[i]! * yi * yi;
      }
      const sl = bestSumLeft;
      const sr = this.sumTotal - sl;
      const ml = sl / wl;
      const mr = sr / wr;
      s.impurityLeft = sqLeft / wl - ml * ml;
      s.impurityRight = (this.sqSumTotal - sqLeft) / wr - mr * mr;
      if (this.crit === CRITERION_FRIEDMAN_MSE) {
        const diff = wr * sl - wl * sr;
        s.improvement = (diff * diff) / (wl * wr * this.weightedNSamples);
        return true;
      }
    } else {
      s.impurityLeft = this.classImpurity(clsBest, null, wl);
      s.impurityRight = this.classImpurity(clsBest, this.clsTotal, wr);
    }
    s.improvement = (wn / this.weightedNSamples) * (impurity - (wr / wn) * s.impurityRight - (wl / wn) * s.impurityLeft);
    return true;
  }

  // Results of the last scan (avoid allocating per feature).
  private scanPos = 0;
  private scanThreshold = 0;
  private scanSumLeft = 0;
  private scanWLeft = 0;

  /**
   * The best threshold of feature f over the node (scikit-learn's BestSplitter loop): returns its
   * proxy improvement if it beats `bestProxy` (and records it in scan*), else `bestProxy`.
   */
  private scanBest(f: number, start: number, end: number, bestProxy: number): number {
    const idx = this.idx;
    const xc = this.xc;
    const y = this.y;
    const w = this.w;
    const base = f * this.m;
    const xo = f * this.n;
    const msl = this.p.minSamplesLeaf;
    const mwl = this.p.minWeightLeaf;
    const wn = this.wNode;
    let best = bestProxy;
    let wl = 0;
    let xi = xc[xo + idx[base + start]!]!;
    const last = end - 1;
    if (this.K === 0) {
      const total = this.sumTotal;
      const friedman = this.crit === CRITERION_FRIEDMAN_MSE;
      let sl = 0;
      for (let p = start; p < last; p++) {
        const i = idx[base + p]!;
        const wi = w[i]!;
        wl += wi;
        sl += wi * y[i]!;
        const xn = xc[xo + idx[base + p + 1]!]!;
        if (xn <= xi + FEATURE_THRESHOLD) {
          xi = xn;
          continue;
        }
        const pos = p + 1;
        const xprev = xi;
        xi = xn;
        if (pos - start < msl) continue;
        if (end - pos < msl) break;
        const wr = wn - wl;
        if (wl < mwl || wr < mwl) continue;
        const sr = total - sl;
        let proxy: number;
        if (friedman) {
          const diff = wr * sl - wl * sr;
          proxy = (diff * diff) / (wl * wr);
        } else proxy = (sl * sl) / wl + (sr * sr) / wr;
        if (proxy > best) {
          best = proxy;
          this.scanPos = pos;
          let t = xprev / 2.0 + xn / 2.0;
          if (t === xn || t === Infinity || t === -Infinity) t = xprev;
          this.scanThreshold = t;
          this.scanSumLeft = sl;
          this.scanWLeft = wl;
        }
      }
      return best;
    }
    const cl = this.clsLeft;
    const ct = this.clsTotal;
    const K = this.K;
    const gini = this.crit === CRITERION_GINI;
    cl.fill(0);
    // Best class counts are copied lazily: remember the position and recount at the end.
    let bestPos = -1;
    for (let p = start; p < last; p++) {
      const i = idx[base + p]!;
      const wi = w[i]!;
      wl += wi;
      cl[y[i]!] = cl[y[i]!]! + wi;
      const xn = xc[xo + idx[base + p + 1]!]!;
      if (xn <= xi + FEATURE_THRESHOLD) {
        xi = xn;
        continue;
      }
      const pos = p + 1;
      const xprev = xi;
      xi = xn;
      if (pos - start < msl) continue;
      if (end - pos < msl) break;
      const wr = wn - wl;
      if (wl < mwl || wr < mwl) continue;
      let il: number;
      let ir: number;
      if (gini) {
        let sqL = 0;
        let sqR = 0;
        for (let c = 0; c < K; c++) {
          const a = cl[c]!;
          const b = ct[c]! - a;
          sqL += a * a;
          sqR += b * b;
        }
        il = 1.0 - sqL / (wl * wl);
        ir = 1.0 - sqR / (wr * wr);
      } else {
        il = 0;
        ir = 0;
        for (let c = 0; c < K; c++) {
          let a = cl[c]!;
          let b = ct[c]! - a;
          if (a > 0) {
            a /= wl;
            il -= a * (Math.log(a) / LN2);
          }
          if (b > 0) {
            b /= wr;
            ir -= b * (Math.log(b) / LN2);
          }
        }
      }
      const proxy = -wr * ir - wl * il;
      if (proxy > best) {
        best = proxy;
        bestPos = pos;
        let t = xprev / 2.0 + xn / 2.0;
        if (t === xn || t === Infinity || t === -Infinity) t = xprev;
        this.scanThreshold = t;
        this.scanWLeft = wl;
      }
    }
    if (bestPos >= 0) {
      this.scanPos = bestPos;
      cl.fill(0);
      for (let p = start; p < bestPos; p++) {
        const i = idx[base + p]!;
        cl[y[i]!] = cl[y[i]!]! + w[i]!;
      }
    }
    return best;
  }

  /** scikit-learn's RandomSplitter for feature f: one uniform threshold in (lo, hi). */
  private scanRandom(f: number, start: number, end: number, lo: number, hi: number, bestProxy: number): number {
    const idx = this.idx;
    const xc = this.xc;
    const y = this.y;
    const w = this.w;
    const base = f * this.m;
    const xo = f * this.n;
    let t = this.rng.uniform(lo, hi);
    if (t === hi) t = lo;
    let pos = start;
    let wl = 0;
    let sl = 0;
    const cl = this.clsLeft;
    if (this.K > 0) cl.fill(0);
    while (pos < end) {
      const i = idx[base + pos]!;
      if (xc[xo + i]! > t) break;
      const wi = w[i]!;
      wl += wi;
      if (this.K === 0) sl += wi * y[i]!;
      else cl[y[i]!] = cl[y[i]!]! + wi;
      pos++;
    }
    const msl = this.p.minSamplesLeaf;
    if (pos - start < msl || end - pos < msl) return bestProxy;
    const wn = this.wNode;
    const wr = wn - wl;
    const mwl = this.p.minWeightLeaf;
    if (wl < mwl || wr < mwl) return bestProxy;
    let proxy: number;
    if (this.K === 0) {
      const sr = this.sumTotal - sl;
      if (this.crit === CRITERION_FRIEDMAN_MSE) {
        const diff = wr * sl - wl * sr;
        proxy = (diff * diff) / (wl * wr);
      } else proxy = (sl * sl) / wl + (sr * sr) / wr;
    } else {
      proxy = -wr * this.classImpurity(cl, this.clsTotal, wr) - wl * this.classImpurity(cl, null, wl);
    }
    if (proxy > bestProxy) {
      this.scanPos = pos;
      this.scanThreshold = t;
      this.scanSumLeft = sl;
      this.scanWLeft = wl;
      return proxy;
    }
    return bestProxy;
  }

  private isLeafBySize(depth: number, start: number, end: number): boolean {
    const p = this.p;
    const nNode = end - start;
    return depth >= p.maxDepth || nNode < p.minSamplesSplit || nNode < 2 * p.minSamplesLeaf || this.wNode < 2 * p.minWeightLeaf;
  }

  private growDepthFirst(): TreeArrays {
    const store = this.store;
    const minDecrease = this.p.minImpurityDecrease;
    // Stack records: start, end, depth, parent, isLeft, nConstantFeatures; impurity.
    const sInt: number[] = [0, this.m, 0, -1, 0, 0];
    const sImp: number[] = [Infinity];
    let first = true;
    let maxDepthSeen = -1;
    const split = this.split;
    while (sImp.length > 0) {
      const impIn = sImp.pop()!;
      let nConstant = sInt.pop()!;
      const isLeftIn = sInt.pop()!;
      const parent = sInt.pop()!;
      const depth = sInt.pop()!;
      const end = sInt.pop()!;
      const start = sInt.pop()!;
      this.nodeReset(start, end);
      let isLeaf = this.isLeafBySize(depth, start, end);
      let impurity = impIn;
      if (first) {
        impurity = this.nodeImpurity();
        first = false;
      }
      isLeaf = isLeaf || impurity <= EPSILON;
      if (!isLeaf) {
        const found = this.nodeSplit(start, end, impurity, nConstant);
        nConstant = this.nConstantOut;
        isLeaf = !found || split.improvement + EPSILON < minDecrease;
      }
      const id = isLeaf
        ? store.add(parent, isLeftIn === 1, TREE_UNDEFINED, TREE_UNDEFINED, impurity, end - start, this.wNode)
        : store.add(parent, isLeftIn === 1, split.feature, split.threshold, impurity, end - start, this.wNode);
      this.nodeValue(id);
      if (!isLeaf) {
        sInt.push(split.pos, end, depth + 1, id, 0, nConstant);
        sImp.push(split.impurityRight);
        sInt.push(start, split.pos, depth + 1, id, 1, nConstant);
        sImp.push(split.impurityLeft);
      }
      if (depth > maxDepthSeen) maxDepthSeen = depth;
    }
    return store.finish(maxDepthSeen);
  }

  private growBestFirst(): TreeArrays {
    const store = this.store;
    const heap = new FrontierHeap();
    let maxSplitNodes = this.p.maxLeafNodes - 1;
    let maxDepthSeen = -1;
    this.addSplitNode(0, this.m, Infinity, true, -1, false, 0, heap);
    while (heap.size > 0) {
      const r = heap.pop();
      const isLeaf = r.isLeaf || maxSplitNodes <= 0;
      if (isLeaf) {
        store.left[r.nodeId] = TREE_LEAF;
        store.right[r.nodeId] = TREE_LEAF;
        store.feature[r.nodeId] = TREE_UNDEFINED;
        store.threshold[r.nodeId] = TREE_UNDEFINED;
      } else {
        maxSplitNodes--;
        this.addSplitNode(r.start, r.pos, r.impurityLeft, false, r.nodeId, true, r.depth + 1, heap);
        this.addSplitNode(r.pos, r.end, r.impurityRight, false, r.nodeId, false, r.depth + 1, heap);
      }
      if (r.depth > maxDepthSeen) maxDepthSeen = r.depth;
    }
    return store.finish(maxDepthSeen);
  }

  private addSplitNode(start: number, end: number, impurityIn: number, isFirst: boolean, parent: number, isLeft: boolean, depth: number, heap: FrontierHeap): void {
    this.nodeReset(start, end);
    const impurity = isFirst ? this.nodeImpurity() : impurityIn;
    let isLeaf = this.isLeafBySize(depth, start, end) || impurity <= EPSILON;
    const split = this.split;
    if (!isLeaf) {
      // (The best-first builder does not pass known constant features on, as scikit-learn's.)
      const found = this.nodeSplit(start, end, impurity, 0);
      isLeaf = !found || split.improvement + EPSILON < this.p.minImpurityDecrease;
    }
    const id = isLeaf
      ? this.store.add(parent, isLeft, TREE_UNDEFINED, TREE_UNDEFINED, impurity, end - start, this.wNode)
      : this.store.add(parent, isLeft, split.feature, split.threshold, impurity, end - start, this.wNode);
    this.nodeValue(id);
    heap.push({
      nodeId: id,
      start,
      end,
      depth,
      isLeaf,
      pos: isLeaf ? end : split.pos,
      improvement: isLeaf ? 0 : split.improvement,
      impurityLeft: isLeaf ? impurity : split.impurityLeft,
      impurityRight: isLeaf ? impurity : split.impurityRight,
    });
  }
}

interface FrontierRecord {
  nodeId: number;
  start: number;
  end: number;
  pos: number;
  depth: number;
  isLeaf: boolean;
  improvement: number;
  impurityLeft: number;
  impurityRight: number;
}

/** A max-heap on improvement (scikit-learn's frontier; ties go to the earlier node). */
class FrontierHeap {
  private readonly a: FrontierRecord[] = [];

  get size(): number {
    return this.a.length;
  }

  private less(x: FrontierRecord, y: FrontierRecord): boolean {
    return x.improvement < y.improvement || (x.improvement === y.improvement && x.nodeId > y.nodeId);
  }

  push(r: FrontierRecord): void {
    const a = this.a;
    a.push(r);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[p]!, a[i]!)) break;
      const t = a[p]!;
      a[p] = a[i]!;
      a[i] = t;
      i = p;
    }
  }

  pop(): FrontierRecord {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[m]!, a[l]!)) m = l;
        if (r < a.length && this.less(a[m]!, a[r]!)) m = r;
        if (m === i) break;
        const t = a[m]!;
        a[m] = a[i]!;
        a[i] = t;
        i = m;
      }
    }
    return top;
  }
}
