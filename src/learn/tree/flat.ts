/**
 * Fitted trees as flat typed arrays, one or many (a forest) in one set of arrays, with the
 * inference kernels (leaf lookup, averaged predictions, class probabilities), the impurity-based
 * feature importances and a text export. Pure functions, no classes.
 */
import { MlshipError } from '../../core/index.js';
import type { StateValue } from '../base.js';
import { TREE_LEAF, type TreeArrays } from './builder.js';

/**
 * One or more trees concatenated: tree t's nodes are `offsets[t] .. offsets[t + 1]`, its child
 * indices (`left`, `right`) local to the tree, its values `stride` per node.
 */
export interface TreeSet {
  nTrees: number;
  stride: number;
  offsets: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  impurity: Float64Array;
  nNodeSamples: Int32Array;
  weightedNNodeSamples: Float64Array;
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
 * The inference layout of a {@link TreeSet}: each node in 12 bytes of one buffer (threshold as
 * float32, feature and right child as int32), nodes of a tree in depth-first preorder so that a
 * left child is the next node. Features are float32 (as in scikit-learn), so `x <= threshold`
 * equals `x <= t32` with `t32` the largest float32 not above the float64 threshold: decisions are
 * unchanged and a walk reads less memory. Leaves have feature -1 and, as right child, the offset
 * of their value(s) in `leafValue`.
 */
export interface PackedTrees {
  nTrees: number;
  /** Values per leaf: 1 (regression) or the number of classes. */
  stride: number;
  /** Global index of each tree's root. */
  roots: Int32Array;
  /** `f32[3k]`: threshold of node k. */
  f32: Float32Array;
  /** `i32[3k + 1]`: feature (-1 at leaves); `i32[3k + 2]`: global index of the right child (leaf: offset in `leafValue`). */
  i32: Int32Array;
  /** Leaf values: the mean target (regression) or the class frequencies normalised to sum 1 (classifiers; zeros for an empty leaf). */
  leafValue: Float64Array;
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

/** Packs a tree set into the {@link PackedTrees} inference layout (on shared memory when `shared`, for worker threads). */
export function packTrees(s: TreeSet, classification: boolean, shared = false): PackedTrees {
  const total = s.offsets[s.nTrees]!;
  const alloc = (bytes: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const buf = alloc(total * 12);
  const f32 = new Float32Array(buf);
  const i32 = new Int32Array(buf);
  const roots = new Int32Array(s.nTrees);
  const K = s.stride;
  const width = classification ? K : 1;
  let nLeaves = 0;
  for (let g = 0; g < total; g++) if (s.left[g] === TREE_LEAF) nLeaves++;
  const leafValue = new Float64Array(alloc(nLeaves * width * 8));
  let next = 0;
  let leafAt = 0;
  // Stack of (old node, slot of the parent's right link to patch or -1).
  const stack: number[] = [];
  for (let t = 0; t < s.nTrees; t++) {
    const o = s.offsets[t]!;
    roots[t] = next;
    stack.push(0, -1);
    while (stack.length > 0) {
      const patch = stack.pop()!;
      const node = stack.pop()!;
      const g = o + node;
      const k = next++;
      if (patch >= 0) i32[patch] = k;
      if (s.left[g] === TREE_LEAF) {
        i32[3 * k + 1] = -1;
        i32[3 * k + 2] = leafAt;
        if (classification) {
          let sum = 0;
          for (let c = 0; c < K; c++) sum += s.value[g * K + c]!;
          if (sum === 0) sum = 1;
          for (let c = 0; c < K; c++) leafValue[leafAt + c] = s.value[g * K + c]! / sum;
        } else leafValue[leafAt] = s.value[g]!;
        leafAt += width;
        continue;
      }
      f32[3 * k] = float32AtMost(s.threshold[g]!);
      i32[3 * k + 1] = s.feature[g]!;
      // Right subtree after the left one: push right first (patched when it is numbered).
      stack.push(s.right[g]!, 3 * k + 2);
      stack.push(s.left[g]!, -1);
    }
  }
  return { nTrees: s.nTrees, stride: width, roots, f32, i32, leafValue };
}

/**
 * Adds, for rows [from, to) of row-major float32 X, every tree's leaf value (regression) or leaf
 * class frequencies (classifiers) into `out` (`n x stride`); divide by `nTrees` for the mean.
 */
export function packedAccumulate(p: PackedTrees, x: Float32Array, d: number, from: number, to: number, out: Float64Array): void {
  const f32 = p.f32;
  const i32 = p.i32;
  const lv = p.leafValue;
  const K = p.stride;
  for (let t = 0; t < p.nTrees; t++) {
    const root = p.roots[t]!;
    for (let i = from, row = from * d; i < to; i++, row += d) {
      let k = root;
      let f = i32[3 * k + 1]!;
      while (f >= 0) {
        k = x[row + f]! <= f32[3 * k]! ? k + 1 : i32[3 * k + 2]!;
        f = i32[3 * k + 1]!;
      }
      const v = i32[3 * k + 2]!;
      if (K === 1) out[i] = out[i]! + lv[v]!;
      else {
        const r = i * K;
        for (let c = 0; c < K; c++) out[r + c] = out[r + c]! + lv[v + c]!;
      }
    }
  }
}

/** The mean over trees of each row's leaf value (regression) or class frequencies (`n x stride`), on the packed layout. */
export function packedPredict(p: PackedTrees, x: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * p.stride);
  packedAccumulate(p, x, d, 0, n, out);
  if (p.nTrees > 1) for (let k = 0; k < out.length; k++) out[k] = out[k]! / p.nTrees;
  return out;
}
