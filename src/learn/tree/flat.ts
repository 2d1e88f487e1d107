/**
 * Fitted trees as flat typed arrays, one or many (a forest) in one set of arrays, with the
 * inference kernels (leaf lookup, averaged predictions, class probabilities), the impurity-based
 * feature importances and a text export. Pure functions, no classes.
 */
import { MlshipError } from '../../core/index.js';
import type { StateValue } from '../base.js';
import { TREE_LEAF, type TreeArrays } from './builder.js';
import { ensureBytes, sharedMemory } from '../kernels/index.js';
import { forestKernel, forestModule, type ForestKernel, type PackedWasm } from './wasm-forest.js';

/**
 * One or more trees concatenated: tree t's nodes are `offsets[t] .. offsets[t + 1]`, its child
 * indices (`left`, `right`) local to the tree, its values `stride` per node.
 */
export interface TreeSet extends Pick<TreeArrays, 'feature' | 'threshold' | 'left' | 'right' | 'value' | 'impurity' | 'nNodeSamples' | 'weightedNNodeSamples'> {
  nTrees: number;
  stride: number;
  offsets: Int32Array;
  /** Depth of each tree. */
  depths: Int32Array;
}

/** Concatenates fitted trees into one {@link TreeSet}. */
export function concatTrees(trees: readonly TreeArrays[], stride: number): TreeSet {
  const offsets = new Int32Array(trees.length + 1);
  for (let t = 0; t < trees.length; t++) offsets[t + 1] = offsets[t]! + trees[t]!.nodeCount;
  const total = offsets[trees.length]!;
  const set: TreeSet = {
    nTrees: trees.length,
    stride,
    offsets,
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    value: new Float64Array(total * stride),
    impurity: new Float64Array(total),
    nNodeSamples: new Int32Array(total),
    weightedNNodeSamples: new Float64Array(total),
    depths: new Int32Array(trees.length),
  };
  for (let t = 0; t < trees.length; t++) {
    const tr = trees[t]!;
    const o = offsets[t]!;
    set.feature.set(tr.feature, o);
    set.threshold.set(tr.threshold, o);
    set.left.set(tr.left, o);
    set.right.set(tr.right, o);
    set.value.set(tr.value, o * stride);
    set.impurity.set(tr.impurity, o);
    set.nNodeSamples.set(tr.nNodeSamples, o);
    set.weightedNNodeSamples.set(tr.weightedNNodeSamples, o);
    set.depths[t] = tr.maxDepth;
  }
  return set;
}

/** Tree t's leaf (a node index local to the tree) for each row of row-major X (`n x d`, float32 as in scikit-learn). */
export function applyTree(s: TreeSet, t: number, x: Float32Array, n: number, d: number, out: Int32Array): Int32Array {
  const o = s.offsets[t]!;
  const feature = s.feature;
  const threshold = s.threshold;
  const left = s.left;
  const right = s.right;
  for (let i = 0, row = 0; i < n; i++, row += d) {
    let node = 0;
    let l = left[o]!;
    while (l !== TREE_LEAF) {
      const g = o + node;
      node = x[row + feature[g]!]! <= threshold[g]! ? l : right[g]!;
      l = left[o + node]!;
    }
    out[i] = node;
  }
  return out;
}

/** Tree t's impurity-based feature importances, normalised to sum 1 (all zeros for a single leaf). */
export function treeImportances(s: TreeSet, t: number, d: number): Float64Array {
  const imp = new Float64Array(d);
  const o = s.offsets[t]!;
  const e = s.offsets[t + 1]!;
  const w = s.weightedNNodeSamples;
  const im = s.impurity;
  for (let g = o; g < e; g++) {
    const l = s.left[g]!;
    if (l === TREE_LEAF) continue;
    const gl = o + l;
    const gr = o + s.right[g]!;
    imp[s.feature[g]!] = imp[s.feature[g]!]! + (w[g]! * im[g]! - w[gl]! * im[gl]! - w[gr]! * im[gr]!);
  }
  const root = w[o]!;
  let sum = 0;
  for (let f = 0; f < d; f++) {
    imp[f] = imp[f]! / root;
    sum += imp[f]!;
  }
  if (sum > 0) for (let f = 0; f < d; f++) imp[f] = imp[f]! / sum;
  return imp;
}

/** Mean importances over the trees with more than one node, normalised (scikit-learn's forest rule). */
export function forestImportances(s: TreeSet, d: number): Float64Array {
  const out = new Float64Array(d);
  let used = 0;
  for (let t = 0; t < s.nTrees; t++) {
    if (s.offsets[t + 1]! - s.offsets[t]! <= 1) continue;
    const imp = treeImportances(s, t, d);
    for (let f = 0; f < d; f++) out[f] = out[f]! + imp[f]!;
    used++;
  }
  if (used === 0) return out;
  let sum = 0;
  for (let f = 0; f < d; f++) {
    out[f] = out[f]! / used;
    sum += out[f]!;
  }
  if (sum > 0) for (let f = 0; f < d; f++) out[f] = out[f]! / sum;
  return out;
}

/** Number of leaves of tree t. */
export function leafCount(s: TreeSet, t: number): number {
  let c = 0;
  for (let g = s.offsets[t]!; g < s.offsets[t + 1]!; g++) if (s.left[g] === TREE_LEAF) c++;
  return c;
}

/** The tree set as learned state (typed arrays). */
export function treeSetState(s: TreeSet): Record<string, StateValue> {
  return {
    stride: s.stride,
    offsets: s.offsets.slice(),
    feature: s.feature.slice(),
    threshold: s.threshold.slice(),
    left: s.left.slice(),
    right: s.right.slice(),
    value: s.value.slice(),
    impurity: s.impurity.slice(),
    nNodeSamples: s.nNodeSamples.slice(),
    weightedNNodeSamples: s.weightedNNodeSamples.slice(),
    depths: s.depths.slice(),
  };
}

/** Rebuilds a tree set from {@link treeSetState}'s output, checking sizes and child indices. */
export function treeSetFromState(state: Record<string, StateValue>, nFeatures: number, who: string): TreeSet {
  const { stride, offsets, feature, threshold, left, right, value, impurity, nNodeSamples, weightedNNodeSamples, depths } = state as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new MlshipError('CORRUPT_ARTIFACT', `${who}: saved tree state is malformed (${what})`);
  };
  if (typeof stride !== 'number' || !(stride >= 1)) fail('stride');
  if (!(offsets instanceof Int32Array) || offsets.length < 2 || offsets[0] !== 0) fail('offsets');
  const offs = offsets as Int32Array;
  const total = offs[offs.length - 1]!;
  const ints = [feature, left, right, nNodeSamples];
  const floats = [threshold, impurity, weightedNNodeSamples];
  if (ints.some((a) => !(a instanceof Int32Array) || a.length !== total)) fail('node arrays');
  if (floats.some((a) => !(a instanceof Float64Array) || a.length !== total)) fail('node arrays');
  if (!(value instanceof Float64Array) || value.length !== total * (stride as number)) fail('value');
  if (!(depths instanceof Int32Array) || depths.length !== offs.length - 1) fail('depths');
  const f = feature as Int32Array;
  const l = left as Int32Array;
  const r = right as Int32Array;
  for (let t = 0; t + 1 < offs.length; t++) {
    const o = offs[t]!;
    const size = offs[t + 1]! - o;
    if (size < 1) fail(`tree ${t} has no node`);
    for (let k = 0; k < size; k++) {
      const g = o + k;
      if (l[g] === TREE_LEAF) continue;
      if (!(l[g]! > k && l[g]! < size && r[g]! > k && r[g]! < size)) fail(`tree ${t} node ${k} has invalid children`);
      if (!(f[g]! >= 0 && f[g]! < nFeatures)) fail(`tree ${t} node ${k} splits on feature ${f[g]}`);
    }
  }
  return {
    nTrees: offs.length - 1,
    stride: stride as number,
    offsets: offs,
    feature: f,
    threshold: threshold as Float64Array,
    left: l,
    right: r,
    value: value as Float64Array,
    impurity: impurity as Float64Array,
    nNodeSamples: nNodeSamples as Int32Array,
    weightedNNodeSamples: weightedNNodeSamples as Float64Array,
    depths: depths as Int32Array,
  };
}

/** Options of {@link exportTreeText}. */
export interface ExportTextOptions {
  /** Feature names, one per feature. @default ['feature_0', 'feature_1', ...] */
  featureNames?: readonly string[];
  /** Deepest level printed; deeper branches are summarised as truncated. @default 10 */
  maxDepth?: number;
  /** Digits after the decimal point. @default 2 */
  decimals?: number;
  /** Also print the weighted class counts (classifiers) at each leaf. @default false */
  showWeights?: boolean;
}

/**
 * The tree as text, in the format of scikit-learn's `sklearn.tree.export_text`.
 * `classNames` are given for a classifier (the leaf prints its majority class).
 */
export function exportTreeText(s: TreeSet, t: number, nFeatures: number, classNames: readonly (string | number)[] | null, options: ExportTextOptions = {}): string {
  const names = options.featureNames ?? Array.from({ length: nFeatures }, (_, j) => `feature_${j}`);
  if (names.length !== nFeatures) {
    throw new MlshipError('INVALID_ARGUMENT', `exportText: featureNames has ${names.length} names but the tree has ${nFeatures} features`, { field: 'featureNames' });
  }
  const maxDepth = options.maxDepth ?? 10;
  const decimals = options.decimals ?? 2;
  const showWeights = options.showWeights ?? false;
  const o = s.offsets[t]!;
  const K = s.stride;
  const lines: string[] = [];
  const fmt = (v: number): string => v.toFixed(decimals);
  const leafText = (g: number): string => {
    if (!classNames) return `value: [${fmt(s.value[g * K]!)}]`;
    let best = 0;
    for (let c = 1; c < K; c++) if (s.value[g * K + c]! > s.value[g * K + best]!) best = c;
    const weights = showWeights ? `weights: [${Array.from(s.value.subarray(g * K, g * K + K), fmt).join(', ')}] ` : '';
    return `${weights}class: ${String(classNames[best])}`;
  };
  const depthOf = (node: number): number => {
    const l = s.left[o + node]!;
    if (l === TREE_LEAF) return 0;
    return 1 + Math.max(depthOf(l), depthOf(s.right[o + node]!));
  };
  const walk = (node: number, depth: number): void => {
    const indent = '|   '.repeat(depth) + '|---';
    const g = o + node;
    const l = s.left[g]!;
    if (l === TREE_LEAF) {
      lines.push(`${indent} ${leafText(g)}`);
      return;
    }
    if (depth > maxDepth) {
      lines.push(`${indent} truncated branch of depth ${depthOf(node) + 1}`);
      return;
    }
    const name = names[s.feature[g]!]!;
    const thr = fmt(s.threshold[g]!);
    lines.push(`${indent} ${name} <= ${thr}`);
    walk(l, depth + 1);
    lines.push(`${indent} ${name} >  ${thr}`);
    walk(s.right[g]!, depth + 1);
  };
  walk(0, 0);
  return lines.join('\n') + '\n';
}

/**
 * The inference layout of a {@link TreeSet}, nodes of a tree in depth-first preorder so that a
 * left child is the next node. Features are float32 (as in scikit-learn), so `x <= threshold`
 * equals `x <= t32` with `t32` the largest float32 not above the float64 threshold: decisions are
 * unchanged and a walk reads less memory. Two node formats:
 * - 8 bytes (`fbits > 0`, when features and subtree sizes fit): `f32[2k]` the threshold,
 *   `i32[2k + 1]` the feature in the low `fbits` bits and, above them, the distance from node k
 *   to its right child; at a leaf, `~offset` (negative) of its value(s) in `leafValue`.
 * - 12 bytes (`fbits` 0): `f32[3k]` the threshold, `i32[3k + 1]` the feature (-1 at leaves),
 *   `i32[3k + 2]` the global index of the right child (leaf: offset in `leafValue`).
 */
export interface PackedTrees {
  nTrees: number;
  /** Values per leaf: 1 (regression) or the number of classes. */
  stride: number;
  /** Global index of each tree's root. */
  roots: Int32Array;
  /** Bits of the feature index in the 8-byte format, or 0 for the 12-byte format. */
  fbits: number;
  /** Thresholds (a view of the node buffer). */
  f32: Float32Array;
  /** Features and links (a view of the node buffer). */
  i32: Int32Array;
  /** Leaf values: the mean target (regression) or the class frequencies normalised to sum 1 (classifiers; zeros for an empty leaf). */
  leafValue: Float64Array;
  /**
   * Set when the arrays above are views of a WebAssembly memory that the walk kernel runs on
   * (regression in the 8-byte format, packed for threads); rows and sums then go to its scratch.
   */
  wasm?: PackedWasm;
}

const f32Scratch = new Float32Array(1);
const i32Scratch = new Int32Array(f32Scratch.buffer);

/** The largest float32 that is <= t (t finite). */
function float32AtMost(t: number): number {
  const r = Math.fround(t);
  if (r <= t) return r;
  // r is the next float32 above t: step one float32 down.
  f32Scratch[0] = r;
  if (r > 0) i32Scratch[0] = i32Scratch[0]! - 1;
  else if (r < 0) i32Scratch[0] = i32Scratch[0]! + 1;
  else return -1.401298464324817e-45; // r is +0 and t < 0: the largest negative float32
  return f32Scratch[0]!;
}

/**
 * Packs a tree set into the {@link PackedTrees} inference layout (on shared memory when `shared`,
 * for worker threads), in the 8-byte node format when it fits and `compact` is true.
 */
export function packTrees(s: TreeSet, classification: boolean, shared = false, compact = true): PackedTrees {
  const total = s.offsets[s.nTrees]!;
  const alloc = (bytes: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const buf = alloc(total * 12);
  const f32 = new Float32Array(buf);
  const i32 = new Int32Array(buf);
  const roots = new Int32Array(alloc(s.nTrees * 4));
  const K = s.stride;
  const width = classification ? K : 1;
  const left = s.left;
  const right = s.right;
  const feature = s.feature;
  const threshold = s.threshold;
  const value = s.value;
  let nLeaves = 0;
  for (let g = 0; g < total; g++) if (left[g] === TREE_LEAF) nLeaves++;
  const leafValue = new Float64Array(alloc(nLeaves * width * 8));
  let next = 0;
  let leafAt = 0;
  // Stack of (old node, slot of the parent's right link to patch or -1); a path holds at most
  // depth + 1 pending right children.
  let maxDepth = 0;
  for (let t = 0; t < s.nTrees; t++) maxDepth = Math.max(maxDepth, s.depths[t]!);
  const stack = new Int32Array(2 * (maxDepth + 2));
  for (let t = 0; t < s.nTrees; t++) {
    const o = s.offsets[t]!;
    roots[t] = next;
    let sp = 0;
    stack[sp++] = 0;
    stack[sp++] = -1;
    while (sp > 0) {
      const patch = stack[--sp]!;
      const g = o + stack[--sp]!;
      const k = next++;
      if (patch >= 0) i32[patch] = k;
      const l = left[g]!;
      if (l === TREE_LEAF) {
        i32[3 * k + 1] = -1;
        i32[3 * k + 2] = leafAt;
        if (classification) {
          let sum = 0;
          for (let c = 0; c < K; c++) sum += value[g * K + c]!;
          if (sum === 0) sum = 1;
          for (let c = 0; c < K; c++) leafValue[leafAt + c] = value[g * K + c]! / sum;
        } else leafValue[leafAt] = value[g * K]!;
        leafAt += width;
        continue;
      }
      const thr = threshold[g]!;
      const r = Math.fround(thr);
      f32[3 * k] = r <= thr ? r : float32AtMost(thr);
      i32[3 * k + 1] = feature[g]!;
      // Right subtree after the left one: push right first (patched when it is numbered).
      stack[sp++] = right[g]!;
      stack[sp++] = 3 * k + 2;
      stack[sp++] = l;
      stack[sp++] = -1;
    }
  }
  const packed: PackedTrees = { nTrees: s.nTrees, stride: width, roots, fbits: 0, f32, i32, leafValue };
  if (!compact) return packed;
  const small = compactNodes(packed, alloc);
  return shared && !classification && small.fbits > 0 ? (onKernelMemory(small) ?? small) : small;
}

/** A copy of a packed regression forest (8-byte format) in a kernel memory, or null without WebAssembly. */
function onKernelMemory(p: PackedTrees): PackedTrees | null {
  if (forestModule() === null) return null;
  const align = (b: number): number => Math.ceil(b / 64) * 64;
  const nodes = 0;
  const roots = align(p.i32.byteLength);
  const leaves = roots + align(p.roots.byteLength);
  const scratch = leaves + align(p.leafValue.byteLength);
  const memory = sharedMemory(scratch);
  if (!memory) return null;
  const buf = memory.buffer;
  const f32 = new Float32Array(buf, nodes, p.f32.length);
  const i32 = new Int32Array(buf, nodes, p.i32.length);
  i32.set(p.i32);
  const r = new Int32Array(buf, roots, p.roots.length);
  r.set(p.roots);
  const lv = new Float64Array(buf, leaves, p.leafValue.length);
  lv.set(p.leafValue);
  return { ...p, f32, i32, roots: r, leafValue: lv, wasm: { memory, nodes, roots, leaves, scratch } };
}

/**
 * {@link packedAccumulate} with the WebAssembly kernel, for rows and sums on the forest's kernel
 * memory: `x` and `out` are views of `p.wasm.memory` (row `from` of `out` is row `from` of `x`).
 * The same leaves, in the same order, so the same sums. `kernel` is this thread's instance.
 */
export function packedAccumulateWasm(p: PackedTrees, kernel: ForestKernel, x: Float32Array, d: number, from: number, to: number, out: Float64Array, t0 = 0, t1 = p.nTrees): void {
  const w = p.wasm!;
  kernel(w.nodes, x.byteOffset, 4 * d, from, to, out.byteOffset, w.roots, t0, t1, w.leaves, p.fbits);
}

/**
 * This thread's walk kernel on a forest's memory (instantiated once per memory wrapper; threads
 * receive their own wrapper with each task), or null when the forest has none.
 */
export function kernelFor(p: PackedTrees): ForestKernel | null {
  if (!p.wasm) return null;
  let k = kernels.get(p.wasm.memory);
  if (!k) {
    k = forestKernel(p.wasm.memory);
    kernels.set(p.wasm.memory, k);
  }
  return k;
}

const kernels = new WeakMap<object, ForestKernel>();

/** `bytes` rounded up to a multiple of 8 (the sums after float32 rows must be 8-byte aligned). */
export function align8(bytes: number): number {
  return (bytes + 7) & ~7;
}

/** Rows and sums kept in a kernel memory's scratch stay below this size (predictions go in chunks of rows). */
const KERNEL_SCRATCH_BYTES = 64 * 1024 * 1024;

/**
 * Room for `bytes` bytes of rows and sums in the forest's kernel memory (grown if needed): the
 * byte address of the region, or -1 when the memory cannot grow.
 */
export function kernelScratch(p: PackedTrees, bytes: number): number {
  const w = p.wasm!;
  return ensureBytes(w.memory, w.scratch + bytes) ? w.scratch : -1;
}

/** The 8-byte node format of a 12-byte packed set, when features and right-child distances fit. */
function compactNodes(p: PackedTrees, alloc: (bytes: number) => ArrayBuffer | SharedArrayBuffer): PackedTrees {
  const total = p.i32.length / 3;
  const i32 = p.i32;
  let maxFeature = 0;
  let maxDelta = 0;
  for (let k = 0; k < total; k++) {
    const f = i32[3 * k + 1]!;
    if (f < 0) continue;
    if (f > maxFeature) maxFeature = f;
    const delta = i32[3 * k + 2]! - k;
    if (delta > maxDelta) maxDelta = delta;
  }
  let fbits = 1;
  while (1 << fbits <= maxFeature) fbits++;
  if (fbits > 24 || maxDelta >= 2 ** (31 - fbits)) return p;
  const buf = alloc(total * 8);
  const f32 = new Float32Array(buf);
  const out = new Int32Array(buf);
  for (let k = 0; k < total; k++) {
    const f = i32[3 * k + 1]!;
    if (f < 0) {
      out[2 * k + 1] = ~i32[3 * k + 2]!;
      continue;
    }
    f32[2 * k] = p.f32[3 * k]!;
    out[2 * k + 1] = ((i32[3 * k + 2]! - k) << fbits) | f;
  }
  return { ...p, fbits, f32, i32: out };
}

/**
 * Adds, for rows [from, to) of row-major float32 X, the leaf value (regression) or leaf class
 * frequencies (classifiers) of trees [t0, t1) (default: all) into `out` (`n x stride`, row i at
 * `i * stride`). Each tree takes all the rows before the next, so the tree stays in cache; rows go
 * four at a time: four independent walks let the CPU overlap their memory loads.
 */
export function packedAccumulate(p: PackedTrees, x: Float32Array, d: number, from: number, to: number, out: Float64Array, t0 = 0, t1 = p.nTrees): void {
  if (p.fbits > 0) accumulate8(p, x, d, from, to, out, t0, t1);
  else accumulate12(p, x, d, from, to, out, t0, t1);
}

/** {@link packedAccumulate} on the 8-byte node format. */
function accumulate8(p: PackedTrees, x: Float32Array, d: number, from: number, to: number, out: Float64Array, t0: number, t1: number): void {
  const f32 = p.f32;
  const i32 = p.i32;
  const lv = p.leafValue;
  const K = p.stride;
  const S = p.fbits;
  const M = (1 << S) - 1;
  const end4 = from + ((to - from) & ~3);
  for (let t = t0; t < t1; t++) {
    const root = p.roots[t]!;
    const w = i32[2 * root + 1]!;
    for (let i = from; i < end4; i += 4) {
      const r0 = i * d;
      const r1 = r0 + d;
      const r2 = r1 + d;
      const r3 = r2 + d;
      let k0 = root;
      let k1 = root;
      let k2 = root;
      let k3 = root;
      let w0 = w;
      let w1 = w;
      let w2 = w;
      let w3 = w;
      while (w0 >= 0 || w1 >= 0 || w2 >= 0 || w3 >= 0) {
        if (w0 >= 0) {
          k0 = x[r0 + (w0 & M)]! <= f32[2 * k0]! ? k0 + 1 : k0 + (w0 >> S);
          w0 = i32[2 * k0 + 1]!;
        }
        if (w1 >= 0) {
          k1 = x[r1 + (w1 & M)]! <= f32[2 * k1]! ? k1 + 1 : k1 + (w1 >> S);
          w1 = i32[2 * k1 + 1]!;
        }
        if (w2 >= 0) {
          k2 = x[r2 + (w2 & M)]! <= f32[2 * k2]! ? k2 + 1 : k2 + (w2 >> S);
          w2 = i32[2 * k2 + 1]!;
        }
        if (w3 >= 0) {
          k3 = x[r3 + (w3 & M)]! <= f32[2 * k3]! ? k3 + 1 : k3 + (w3 >> S);
          w3 = i32[2 * k3 + 1]!;
        }
      }
      if (K === 1) {
        out[i] = out[i]! + lv[~w0]!;
        out[i + 1] = out[i + 1]! + lv[~w1]!;
        out[i + 2] = out[i + 2]! + lv[~w2]!;
        out[i + 3] = out[i + 3]! + lv[~w3]!;
      } else {
        addLeaf(out, i * K, lv, ~w0, K);
        addLeaf(out, (i + 1) * K, lv, ~w1, K);
        addLeaf(out, (i + 2) * K, lv, ~w2, K);
        addLeaf(out, (i + 3) * K, lv, ~w3, K);
      }
    }
    for (let i = end4, row = end4 * d; i < to; i++, row += d) {
      let k = root;
      let wk = w;
      while (wk >= 0) {
        k = x[row + (wk & M)]! <= f32[2 * k]! ? k + 1 : k + (wk >> S);
        wk = i32[2 * k + 1]!;
      }
      if (K === 1) out[i] = out[i]! + lv[~wk]!;
      else addLeaf(out, i * K, lv, ~wk, K);
    }
  }
}

/** {@link packedAccumulate} on the 12-byte node format. */
function accumulate12(p: PackedTrees, x: Float32Array, d: number, from: number, to: number, out: Float64Array, t0: number, t1: number): void {
  const f32 = p.f32;
  const i32 = p.i32;
  const lv = p.leafValue;
  const K = p.stride;
  const end4 = from + ((to - from) & ~3);
  for (let t = t0; t < t1; t++) {
    const root = p.roots[t]!;
    const f = i32[3 * root + 1]!;
    for (let i = from; i < end4; i += 4) {
      const r0 = i * d;
      const r1 = r0 + d;
      const r2 = r1 + d;
      const r3 = r2 + d;
      let k0 = root;
      let k1 = root;
      let k2 = root;
      let k3 = root;
      let f0 = f;
      let f1 = f;
      let f2 = f;
      let f3 = f;
      while (f0 >= 0 || f1 >= 0 || f2 >= 0 || f3 >= 0) {
        if (f0 >= 0) {
          k0 = x[r0 + f0]! <= f32[3 * k0]! ? k0 + 1 : i32[3 * k0 + 2]!;
          f0 = i32[3 * k0 + 1]!;
        }
        if (f1 >= 0) {
          k1 = x[r1 + f1]! <= f32[3 * k1]! ? k1 + 1 : i32[3 * k1 + 2]!;
          f1 = i32[3 * k1 + 1]!;
        }
        if (f2 >= 0) {
          k2 = x[r2 + f2]! <= f32[3 * k2]! ? k2 + 1 : i32[3 * k2 + 2]!;
          f2 = i32[3 * k2 + 1]!;
        }
        if (f3 >= 0) {
          k3 = x[r3 + f3]! <= f32[3 * k3]! ? k3 + 1 : i32[3 * k3 + 2]!;
          f3 = i32[3 * k3 + 1]!;
        }
      }
      if (K === 1) {
        out[i] = out[i]! + lv[i32[3 * k0 + 2]!]!;
        out[i + 1] = out[i + 1]! + lv[i32[3 * k1 + 2]!]!;
        out[i + 2] = out[i + 2]! + lv[i32[3 * k2 + 2]!]!;
        out[i + 3] = out[i + 3]! + lv[i32[3 * k3 + 2]!]!;
      } else {
        addLeaf(out, i * K, lv, i32[3 * k0 + 2]!, K);
        addLeaf(out, (i + 1) * K, lv, i32[3 * k1 + 2]!, K);
        addLeaf(out, (i + 2) * K, lv, i32[3 * k2 + 2]!, K);
        addLeaf(out, (i + 3) * K, lv, i32[3 * k3 + 2]!, K);
      }
    }
    for (let i = end4, row = end4 * d; i < to; i++, row += d) {
      let k = root;
      let fk = f;
      while (fk >= 0) {
        k = x[row + fk]! <= f32[3 * k]! ? k + 1 : i32[3 * k + 2]!;
        fk = i32[3 * k + 1]!;
      }
      if (K === 1) out[i] = out[i]! + lv[i32[3 * k + 2]!]!;
      else addLeaf(out, i * K, lv, i32[3 * k + 2]!, K);
    }
  }
}

function addLeaf(out: Float64Array, r: number, lv: Float64Array, v: number, K: number): void {
  for (let c = 0; c < K; c++) out[r + c] = out[r + c]! + lv[v + c]!;
}

/**
 * Trees are summed in fixed groups of this many: a group's trees are added in order into a
 * partial sum, and the partial sums in group order. Threads take whole groups (each walks a tree
 * over all rows, the cache-friendly order), and the result is the same for any number of threads.
 */
export const TREE_GROUP = 4;

/** Adds the partial sums (`nGroups` blocks of `len` values) into `out[at ..]`, in group order. */
export function addGroupSums(partials: Float64Array, nGroups: number, len: number, out: Float64Array, at: number): void {
  for (let g = 0; g < nGroups; g++) {
    const base = g * len;
    for (let k = 0; k < len; k++) out[at + k] = out[at + k]! + partials[base + k]!;
  }
}

/**
 * The sum over trees of each row's leaf value (regression) or class frequencies (`n x stride`),
 * in {@link TREE_GROUP} groups, on the calling thread.
 */
export function packedSum(p: PackedTrees, x: Float32Array, n: number, d: number): Float64Array {
  const len = n * p.stride;
  const out = new Float64Array(len);
  const kernel = p.stride === 1 ? kernelFor(p) : null;
  // Rows in chunks small enough that the scratch the kernel memory keeps stays below 64 MiB.
  const chunk = Math.max(1024, Math.floor(KERNEL_SCRATCH_BYTES / (4 * d + 8)));
  const at = kernel ? kernelScratch(p, (4 * d + 8) * Math.min(chunk, n) + 8) : -1;
  if (kernel && at >= 0) {
    // Each chunk's rows and running group sum on the kernel memory; groups added in order as below.
    const buf = p.wasm!.memory.buffer;
    for (let from = 0; from < n; from += chunk) {
      const rows = Math.min(chunk, n - from);
      const xs = new Float32Array(buf, at, rows * d);
      xs.set(x.subarray(from * d, (from + rows) * d));
      const partial = new Float64Array(buf, at + align8(4 * rows * d), rows);
      for (let t0 = 0; t0 < p.nTrees; t0 += TREE_GROUP) {
        partial.fill(0);
        packedAccumulateWasm(p, kernel, xs, d, 0, rows, partial, t0, Math.min(p.nTrees, t0 + TREE_GROUP));
        if (p.nTrees <= TREE_GROUP) out.set(partial, from);
        else addGroupSums(partial, 1, rows, out, from);
      }
    }
    return out;
  }
  if (p.nTrees <= TREE_GROUP) {
    packedAccumulate(p, x, d, 0, n, out);
    return out;
  }
  const partial = new Float64Array(len);
  for (let t0 = 0; t0 < p.nTrees; t0 += TREE_GROUP) {
    if (t0 > 0) partial.fill(0);
    packedAccumulate(p, x, d, 0, n, partial, t0, Math.min(p.nTrees, t0 + TREE_GROUP));
    addGroupSums(partial, 1, len, out, 0);
  }
  return out;
}

/** The mean over trees of each row's leaf value (regression) or class frequencies (`n x stride`), on the packed layout. */
export function packedPredict(p: PackedTrees, x: Float32Array, n: number, d: number): Float64Array {
  const out = packedSum(p, x, n, d);
  if (p.nTrees > 1) for (let k = 0; k < out.length; k++) out[k] = out[k]! / p.nTrees;
  return out;
}
