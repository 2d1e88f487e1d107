/**
 * The fitted trees of histogram gradient boosting as one set of flat typed arrays (a "forest"), and
 * the prediction loops over raw or binned X (scikit-learn's `TreePredictor`).
 */
import type { TreeArrays } from './grower.js';

/**
 * All trees, concatenated: tree `t` owns nodes `treeStart[t]..treeStart[t+1]`; `left`/`right` are
 * absolute node indices; a leaf has `feature` -1. Trees are in fit order, `k` per iteration.
 *
 * @example
 * ```ts
 * const f = new HistGradientBoostingRegressor().fit(X, y).forest_!;
 * const nTrees = f.treeStart.length - 1;
 * const rootFeature = f.feature[f.treeStart[0]!]; // the first tree's first split feature
 * ```
 */
export interface Forest {
  treeStart: Int32Array;
  feature: Int32Array;
  /** Numeric threshold on raw values: `x <= threshold` goes left (+Infinity: a split on NaN). */
  threshold: Float64Array;
  /** The same split on binned values. */
  binThreshold: Uint8Array;
  /** 1 when missing values go to the left child. */
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf values (learning rate applied); internal nodes keep their unshrunk value, unused. */
  value: Float64Array;
  /** Training samples per node. */
  count: Int32Array;
}

/** Concatenates trees into a {@link Forest}. */
export function packForest(trees: TreeArrays[]): Forest {
  let total = 0;
  for (const t of trees) total += t.feature.length;
  const f: Forest = {
    treeStart: new Int32Array(trees.length + 1),
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    binThreshold: new Uint8Array(total),
    missingLeft: new Uint8Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    value: new Float64Array(total),
    count: new Int32Array(total),
  };
  let o = 0;
  trees.forEach((t, i) => {
    f.treeStart[i] = o;
    f.feature.set(t.feature, o);
    f.threshold.set(t.threshold, o);
    f.binThreshold.set(t.binThreshold, o);
    f.missingLeft.set(t.missingLeft, o);
    f.value.set(t.value, o);
    f.count.set(t.count, o);
    for (let j = 0; j < t.feature.length; j++) {
      f.left[o + j] = t.left[j]! + o;
      f.right[o + j] = t.right[j]! + o;
    }
    o += t.feature.length;
  });
  f.treeStart[trees.length] = o;
  return f;
}

/**
 * Adds the predictions of trees `[t0, t1)` to `raw` (`n x k` row-major; tree `t` feeds column
 * `t % k`) for X (`n x d` row-major): NaN follows the learned side, `x <= threshold` goes left.
 */
export function predictRaw(f: Forest, t0: number, t1: number, data: Float64Array, n: number, d: number, k: number, raw: Float64Array): void {
  const { treeStart, feature, threshold, missingLeft, left, right, value } = f;
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    const ro = i * k;
    for (let t = t0; t < t1; t++) {
      let node = treeStart[t]!;
      let feat = feature[node]!;
      while (feat >= 0) {
        const x = data[xo + feat]!;
        if (x <= threshold[node]!) node = left[node]!;
        else if (x !== x) node = missingLeft[node] ? left[node]! : right[node]!;
        else node = right[node]!;
        feat = feature[node]!;
      }
      raw[ro + (t % k)] = raw[ro + (t % k)]! + value[node]!;
    }
  }
}

/** {@link predictRaw} on binned X (`d x n` column-major bytes), as scikit-learn's `predict_binned`. */
export function predictBinned(f: Forest, t0: number, t1: number, xb: Uint8Array, n: number, k: number, missingBin: number, raw: Float64Array): void {
  const { treeStart, feature, binThreshold, missingLeft, left, right, value } = f;
  for (let t = t0; t < t1; t++) {
    const kk = t % k;
    const root = treeStart[t]!;
    for (let i = 0; i < n; i++) {
      let node = root;
      let feat = feature[node]!;
      while (feat >= 0) {
        const b = xb[feat * n + i]!;
        if (b === missingBin) node = missingLeft[node] ? left[node]! : right[node]!;
        else if (b <= binThreshold[node]!) node = left[node]!;
        else node = right[node]!;
        feat = feature[node]!;
      }
      raw[i * k + kk] = raw[i * k + kk]! + value[node]!;
    }
  }
}

/**
 * A forest compiled for prediction: 16-byte node records (the threshold as float64, then
 * `feature * 2 + missingLeft`, then the left child; the right child is always `left + 1`), so a node
 * visit touches one cache line. A leaf points to itself with an infinite threshold, so walking a
 * tree is a fixed number of branch-free steps (the tree's depth) and several rows can be walked
 * side by side.
 */
export interface CompiledForest {
  f64: Float64Array;
  i32: Int32Array;
  /** Leaf value of each record (0 for split nodes). */
  value: Float64Array;
  /** Root record of each tree. */
  roots: Int32Array;
  /** Depth of each tree. */
  depth: Int32Array;
}

/** Compiles a {@link Forest} for {@link predictCompiled}. */
export function compileForest(f: Forest): CompiledForest {
  const total = Math.max(1, f.feature.length);
  // Shared memory, so that worker threads can predict with it without a copy.
  const buf = new SharedArrayBuffer(16 * total);
  const f64 = new Float64Array(buf);
  const i32 = new Int32Array(buf);
  const value = new Float64Array(new SharedArrayBuffer(8 * total));
  const nTrees = f.treeStart.length - 1;
  const roots = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, nTrees))).subarray(0, nTrees);
  const depth = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, nTrees))).subarray(0, nTrees);
  let next = 0;
  const queue = new Int32Array(total);
  const slot = new Int32Array(total);
  const level = new Int32Array(total);
  for (let t = 0; t < nTrees; t++) {
    // Breadth-first, so that both children of a node get consecutive records.
    let head = 0;
    let tail = 0;
    roots[t] = next;
    level[tail] = 0;
    slot[tail] = next++;
    queue[tail++] = f.treeStart[t]!;
    while (head < tail) {
      const node = queue[head]!;
      const lv = level[head]!;
      const rec = slot[head++]!;
      const feat = f.feature[node]!;
      if (feat < 0) {
        f64[2 * rec] = Infinity;
        i32[4 * rec + 2] = 1;
        i32[4 * rec + 3] = rec;
        value[rec] = f.value[node]!;
        if (lv > depth[t]!) depth[t] = lv;
        continue;
      }
      f64[2 * rec] = f.threshold[node]!;
      i32[4 * rec + 2] = feat * 2 + f.missingLeft[node]!;
      i32[4 * rec + 3] = next;
      for (const child of [f.left[node]!, f.right[node]!]) {
        level[tail] = lv + 1;
        slot[tail] = next++;
        queue[tail++] = child;
      }
    }
  }
  return { f64, i32, value, roots, depth };
}

/**
 * {@link predictRaw} with a compiled forest: rows in blocks (a block's rows and a tree's nodes stay
 * in cache), four rows walked side by side (independent chains of loads). Each step goes right
 * when `x > threshold`, or when x is NaN and missing values go right. Trees are summed in order,
 * as predictRaw. Rows `[rowStart, rowStop)` only, when given.
 */
export function predictCompiled(c: CompiledForest, data: Float64Array, n: number, d: number, k: number, raw: Float64Array, rowStart = 0, rowStop = n): void {
  const { f64, i32, value, roots, depth } = c;
  const nTrees = roots.length;
  const B = 128;
  for (let i0 = rowStart; i0 < rowStop; i0 += B) {
    const i1 = Math.min(rowStop, i0 + B);
    for (let t = 0; t < nTrees; t++) {
      const root = roots[t]!;
      const steps = depth[t]!;
      const col = t % k;
      let i = i0;
      for (; i + 4 <= i1; i += 4) {
        let a = root;
        let b = root;
        let e = root;
        let g = root;
        const xa = i * d;
        const xb = xa + d;
        const xe = xb + d;
        const xg = xe + d;
        for (let s = 0; s < steps; s++) {
          const fa = i32[4 * a + 2]!;
          const fb = i32[4 * b + 2]!;
          const fe = i32[4 * e + 2]!;
          const fg = i32[4 * g + 2]!;
          const va = data[xa + (fa >> 1)]!;
          const vb = data[xb + (fb >> 1)]!;
          const ve = data[xe + (fe >> 1)]!;
          const vg = data[xg + (fg >> 1)]!;
          a = i32[4 * a + 3]! + (+(va > f64[2 * a]!) | (+(va !== va) & ((fa & 1) ^ 1)));
          b = i32[4 * b + 3]! + (+(vb > f64[2 * b]!) | (+(vb !== vb) & ((fb & 1) ^ 1)));
          e = i32[4 * e + 3]! + (+(ve > f64[2 * e]!) | (+(ve !== ve) & ((fe & 1) ^ 1)));
          g = i32[4 * g + 3]! + (+(vg > f64[2 * g]!) | (+(vg !== vg) & ((fg & 1) ^ 1)));
        }
        const r = i * k + col;
        raw[r] = raw[r]! + value[a]!;
        raw[r + k] = raw[r + k]! + value[b]!;
        raw[r + 2 * k] = raw[r + 2 * k]! + value[e]!;
        raw[r + 3 * k] = raw[r + 3 * k]! + value[g]!;
      }
      for (; i < i1; i++) {
        const xo = i * d;
        let a = root;
        for (let s = 0; s < steps; s++) {
          const fa = i32[4 * a + 2]!;
          const va = data[xo + (fa >> 1)]!;
          a = i32[4 * a + 3]! + (+(va > f64[2 * a]!) | (+(va !== va) & ((fa & 1) ^ 1)));
        }
        const r = i * k + col;
        raw[r] = raw[r]! + value[a]!;
      }
    }
  }
}
