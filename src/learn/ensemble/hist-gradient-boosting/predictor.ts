/**
 * The fitted trees of histogram gradient boosting as one set of flat typed arrays (a "forest"), and
 * the prediction loops over raw or binned X (scikit-learn's `TreePredictor`).
 */
import type { TreeArrays } from './grower.js';
import { ensureBytes, sharedMemory } from '../../kernels/index.js';
import { walkKernel, walkModule, type CompiledWasm } from './wasm-predict.js';

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
  /** A copy of the records in a WebAssembly memory with the walk kernel (absent without WebAssembly). */
  wasm?: CompiledWasm;
}

/** The records of `c` in a kernel memory (see {@link CompiledWasm}), or undefined without WebAssembly. */
function onKernelMemory(c: Omit<CompiledForest, 'wasm'>): CompiledWasm | undefined {
  if (walkModule() === null) return undefined;
  const align = (b: number): number => Math.ceil(b / 64) * 64;
  const recs = 0;
  const values = align(c.f64.byteLength);
  const roots = values + align(c.value.byteLength);
  const depths = roots + align(4 * c.roots.length);
  const scratch = depths + align(4 * c.depth.length);
  const memory = sharedMemory(scratch);
  if (!memory) return undefined;
  const buf = memory.buffer;
  new Float64Array(buf, recs, c.f64.length).set(c.f64);
  new Float64Array(buf, values, c.value.length).set(c.value);
  new Int32Array(buf, roots, c.roots.length).set(c.roots);
  new Int32Array(buf, depths, c.depth.length).set(c.depth);
  return { memory, recs, values, roots, depths, scratch };
}

/** Rows kept in a kernel memory's scratch at a time: its rows and sums stay below 64 MiB. */
export function kernelChunkRows(d: number): number {
  return Math.max(1024, Math.floor((64 * 1024 * 1024) / (8 * d + 8)));
}

/**
 * Room in `c`'s kernel memory for `n` rows of `d` values and their sums: the views (rows first),
 * or null when the memory cannot grow.
 */
export function kernelRows(c: CompiledForest, n: number, d: number): { data: Float64Array; raw: Float64Array } | null {
  const w = c.wasm!;
  if (!ensureBytes(w.memory, w.scratch + 8 * n * d + 8 * n)) return null;
  return { data: new Float64Array(w.memory.buffer, w.scratch, n * d), raw: new Float64Array(w.memory.buffer, w.scratch + 8 * n * d, n) };
}

/**
 * The walk kernel on rows `[rowStart, rowStop)` of `data` into `raw` (one output per row), both
 * views of `c`'s kernel memory.
 */
export function walkOnMemory(c: CompiledForest, data: Float64Array, d: number, raw: Float64Array, rowStart: number, rowStop: number): void {
  const w = c.wasm!;
  const k = walkKernel(w.memory);
  const walk = hasNaN(data, rowStart * d, rowStop * d) ? k.walk : k.walkFinite;
  walk(w.recs, w.values, w.roots, w.depths, c.roots.length, data.byteOffset, 8 * d, rowStart, rowStop, raw.byteOffset);
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
  const c = { f64, i32, value, roots, depth };
  const wasm = onKernelMemory(c);
  return wasm ? { ...c, wasm } : c;
}

/**
 * {@link predictRaw} with a compiled forest: rows in blocks (a block's rows and a tree's nodes stay
 * in cache), four rows walked side by side (independent chains of loads). Each step goes right
 * when `x > threshold`, or when x is NaN and missing values go right. Trees are summed in order,
 * as predictRaw. Rows `[rowStart, rowStop)` only, when given. A block of rows without NaN takes a
 * leaner kernel that walks eight rows side by side (the same leaves, so the same sums). With one
 * output per row and WebAssembly, the rows are copied to the forest's kernel memory and walked
 * there by the same algorithm ({@link walkOnMemory}).
 */
export function predictCompiled(c: CompiledForest, data: Float64Array, n: number, d: number, k: number, raw: Float64Array, rowStart = 0, rowStop = n): void {
  if (c.wasm && k === 1 && rowStop > rowStart) {
    const chunk = kernelChunkRows(d);
    const rows = kernelRows(c, Math.min(chunk, rowStop - rowStart), d);
    if (rows) {
      for (let from = rowStart; from < rowStop; from += chunk) {
        const m = Math.min(chunk, rowStop - from);
        const xs = rows.data.subarray(0, m * d);
        const rs = rows.raw.subarray(0, m);
        xs.set(data.subarray(from * d, (from + m) * d));
        rs.set(raw.subarray(from, from + m));
        walkOnMemory(c, xs, d, rs, 0, m);
        raw.set(rs, from);
      }
      return;
    }
  }
  for (let i0 = rowStart; i0 < rowStop; i0 += PREDICT_BLOCK) {
    const i1 = Math.min(rowStop, i0 + PREDICT_BLOCK);
    if (hasNaN(data, i0 * d, i1 * d)) predictBlockNaN(c, data, d, k, raw, i0, i1);
    else predictBlockFinite(c, data, d, k, raw, i0, i1);
  }
}

/** Rows predicted together: a block's rows and a tree's nodes stay in cache. */
const PREDICT_BLOCK = 128;

/** {@link predictCompiled} on one block of rows `[i0, i1)` that may hold NaN. */
function predictBlockNaN(c: CompiledForest, data: Float64Array, d: number, k: number, raw: Float64Array, i0: number, i1: number): void {
  const { f64, i32, value, roots, depth } = c;
  const nTrees = roots.length;
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

/** Whether `data[from..to)` holds a NaN. */
function hasNaN(data: Float64Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const v = data[i]!;
    if (v !== v) return true;
  }
  return false;
}

/**
 * {@link predictCompiled} on one block of rows without missing values: a step is
 * `left + (x > threshold)`, eight rows walked side by side. The same leaves, so the same sums, as
 * {@link predictBlockNaN}.
 */
function predictBlockFinite(c: CompiledForest, data: Float64Array, d: number, k: number, raw: Float64Array, i0: number, i1: number): void {
  const { f64, i32, value, roots, depth } = c;
  const nTrees = roots.length;
  for (let t = 0; t < nTrees; t++) {
    const root = roots[t]!;
    const steps = depth[t]!;
    const col = t % k;
    let i = i0;
    for (; i + 8 <= i1; i += 8) {
      let a0 = root;
      let a1 = root;
      let a2 = root;
      let a3 = root;
      let a4 = root;
      let a5 = root;
      let a6 = root;
      let a7 = root;
      const x0 = i * d;
      const x1 = x0 + d;
      const x2 = x1 + d;
      const x3 = x2 + d;
      const x4 = x3 + d;
      const x5 = x4 + d;
      const x6 = x5 + d;
      const x7 = x6 + d;
      for (let s = 0; s < steps; s++) {
        const v0 = data[x0 + (i32[4 * a0 + 2]! >> 1)]!;
        const v1 = data[x1 + (i32[4 * a1 + 2]! >> 1)]!;
        const v2 = data[x2 + (i32[4 * a2 + 2]! >> 1)]!;
        const v3 = data[x3 + (i32[4 * a3 + 2]! >> 1)]!;
        const v4 = data[x4 + (i32[4 * a4 + 2]! >> 1)]!;
        const v5 = data[x5 + (i32[4 * a5 + 2]! >> 1)]!;
        const v6 = data[x6 + (i32[4 * a6 + 2]! >> 1)]!;
        const v7 = data[x7 + (i32[4 * a7 + 2]! >> 1)]!;
        a0 = i32[4 * a0 + 3]! + +(v0 > f64[2 * a0]!);
        a1 = i32[4 * a1 + 3]! + +(v1 > f64[2 * a1]!);
        a2 = i32[4 * a2 + 3]! + +(v2 > f64[2 * a2]!);
        a3 = i32[4 * a3 + 3]! + +(v3 > f64[2 * a3]!);
        a4 = i32[4 * a4 + 3]! + +(v4 > f64[2 * a4]!);
        a5 = i32[4 * a5 + 3]! + +(v5 > f64[2 * a5]!);
        a6 = i32[4 * a6 + 3]! + +(v6 > f64[2 * a6]!);
        a7 = i32[4 * a7 + 3]! + +(v7 > f64[2 * a7]!);
      }
      const r = i * k + col;
      raw[r] = raw[r]! + value[a0]!;
      raw[r + k] = raw[r + k]! + value[a1]!;
      raw[r + 2 * k] = raw[r + 2 * k]! + value[a2]!;
      raw[r + 3 * k] = raw[r + 3 * k]! + value[a3]!;
      raw[r + 4 * k] = raw[r + 4 * k]! + value[a4]!;
      raw[r + 5 * k] = raw[r + 5 * k]! + value[a5]!;
      raw[r + 6 * k] = raw[r + 6 * k]! + value[a6]!;
      raw[r + 7 * k] = raw[r + 7 * k]! + value[a7]!;
    }
    for (; i < i1; i++) {
      const xo = i * d;
      let a = root;
      for (let s = 0; s < steps; s++) {
        const v = data[xo + (i32[4 * a + 2]! >> 1)]!;
        a = i32[4 * a + 3]! + +(v > f64[2 * a]!);
      }
      const r = i * k + col;
      raw[r] = raw[r]! + value[a]!;
    }
  }
}
