/**
 * The compiled-forest walk of {@link ./predictor.ts} (`predictCompiled`, one output per row) as a
 * WebAssembly function generated here as bytes: rows in blocks of 128, four rows walked side by
 * side for a fixed number of steps (the tree's depth; leaves point to themselves), NaN following
 * the learned side. The same leaves, added in the same order, so the same sums as the JavaScript
 * walk. The records, the rows and the sums live in one shared memory (see {@link CompiledWasm}).
 */
import { W, compileKernels, instantiateKernels, type WasmFunction, type WasmMemory } from '../../kernels/index.js';

/** Where a compiled forest sits in its kernel memory (byte addresses), and the scratch after it. */
export interface CompiledWasm {
  memory: WasmMemory;
  /** 16-byte records (`f64` threshold, `i32` feature * 2 + missing-left, `i32` left child). */
  recs: number;
  /** Leaf value per record (f64), root record and depth per tree (i32). */
  values: number;
  roots: number;
  depths: number;
  /** First byte free for the rows and sums of a prediction. */
  scratch: number;
}

/**
 * `walk(recs, values, roots, depths, nTrees, data, rowBytes, from, to, raw)`: adds to the float64
 * at `raw + 8 * i` the leaf value of every tree for rows `[from, to)` of row-major float64 X at
 * `data`.
 */
export type WalkKernel = (recs: number, values: number, roots: number, depths: number, nTrees: number, data: number, rowBytes: number, from: number, to: number, raw: number) => void;

const { get, set, tee, i32load, f64load, f64store, i32const } = W;

/** One step of a lane: `a = left(a) + ((v > thr(a)) | (isNaN(v) & !missingLeft(a)))`, records as addresses. */
function step(RECS: number, row: number, a: number, f: number, v: number, nan: boolean): number[][] {
  if (!nan) {
    // Rows without NaN: `a = left(a) + (v > thr(a))`.
    return [get(row), get(a), i32load(8), i32const(1), W.shrS, i32const(3), W.shl, W.add, f64load(), get(a), f64load(), W.f64gt, get(a), i32load(12), W.add, i32const(4), W.shl, get(RECS), W.add, set(a)];
  }
  return [
    get(a),
    i32load(8),
    set(f),
    get(row),
    get(f),
    i32const(1),
    W.shrS,
    i32const(3),
    W.shl,
    W.add,
    f64load(),
    tee(v),
    get(a),
    f64load(),
    W.f64gt,
    get(v),
    get(v),
    W.f64ne,
    get(f),
    i32const(1),
    W.and,
    i32const(1),
    W.xor,
    W.and,
    W.or,
    get(a),
    i32load(12),
    W.add,
    i32const(4),
    W.shl,
    get(RECS),
    W.add,
    set(a),
  ];
}

/** `raw[i + lane] += values[(a - recs) / 16]`. */
function addLeaf(RAW: number, VALUES: number, RECS: number, i: number, lane: number, a: number, tmp: number): number[][] {
  return [get(RAW), get(i), i32const(lane), W.add, i32const(3), W.shl, W.add, tee(tmp), get(tmp), f64load(), get(VALUES), get(a), get(RECS), W.sub, i32const(1), W.shrS, W.add, f64load(), W.f64add, f64store()];
}

function walk(lanes: number, nan: boolean): WasmFunction {
  const RECS = 0;
  const VALUES = 1;
  const ROOTS = 2;
  const DEPTHS = 3;
  const NT = 4;
  const DATA = 5;
  const RB = 6;
  const FROM = 7;
  const TO = 8;
  const RAW = 9;
  let l = 10;
  const i0 = l++;
  const i1 = l++;
  const t = l++;
  const root = l++;
  const steps = l++;
  const s = l++;
  const i = l++;
  const tmp = l++;
  const lane = (): number[] => Array.from({ length: lanes }, () => l++);
  const row = lane();
  const a = lane();
  const f = lane();
  const nI32 = l - 10;
  const v = lane();
  const c: number[][] = [];
  c.push(get(FROM), set(i0));
  c.push(W.block, W.loop); // blocks of 128 rows
  c.push(get(i0), get(TO), W.geS, W.brIf(1));
  c.push(get(i0), i32const(128), W.add, tee(i1), get(TO), get(i1), get(TO), W.ltS, W.select, set(i1));
  c.push(i32const(0), set(t));
  c.push(W.block, W.loop); // trees
  c.push(get(t), get(NT), W.geS, W.brIf(1));
  c.push(get(ROOTS), get(t), i32const(2), W.shl, W.add, i32load(), i32const(4), W.shl, get(RECS), W.add, set(root));
  c.push(get(DEPTHS), get(t), i32const(2), W.shl, W.add, i32load(), set(steps));
  c.push(get(i0), set(i));
  c.push(W.block, W.loop); // four rows at a time
  c.push(get(i1), get(i), i32const(lanes), W.add, W.ltS, W.brIf(1)); // exit when i1 < i + lanes
  for (let k = 0; k < lanes; k++) c.push(get(DATA), get(i), i32const(k), W.add, get(RB), W.mul, W.add, set(row[k]!), get(root), set(a[k]!));
  c.push(i32const(0), set(s));
  c.push(W.block, W.loop); // steps
  c.push(get(s), get(steps), W.geS, W.brIf(1));
  for (let k = 0; k < lanes; k++) c.push(...step(RECS, row[k]!, a[k]!, f[k]!, v[k]!, nan));
  c.push(get(s), i32const(1), W.add, set(s), W.br(0), W.end, W.end);
  for (let k = 0; k < lanes; k++) c.push(...addLeaf(RAW, VALUES, RECS, i, k, a[k]!, tmp));
  c.push(get(i), i32const(lanes), W.add, set(i), W.br(0), W.end, W.end);
  c.push(W.block, W.loop); // the block's last rows one by one
  c.push(get(i), get(i1), W.geS, W.brIf(1));
  c.push(get(DATA), get(i), get(RB), W.mul, W.add, set(row[0]!), get(root), set(a[0]!));
  c.push(i32const(0), set(s));
  c.push(W.block, W.loop);
  c.push(get(s), get(steps), W.geS, W.brIf(1));
  c.push(...step(RECS, row[0]!, a[0]!, f[0]!, v[0]!, nan));
  c.push(get(s), i32const(1), W.add, set(s), W.br(0), W.end, W.end);
  c.push(...addLeaf(RAW, VALUES, RECS, i, 0, a[0]!, tmp));
  c.push(get(i), i32const(1), W.add, set(i), W.br(0), W.end, W.end);
  c.push(get(t), i32const(1), W.add, set(t), W.br(0), W.end, W.end);
  c.push(get(i1), set(i0), W.br(0), W.end, W.end);
  return { name: nan ? 'walk' : 'walkFinite', params: 10, i32Locals: nI32, f64Locals: lanes, code: c };
}

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly (with shared memory) is not available. */
export function walkModule(): object | null {
  if (compiled === undefined) compiled = compileKernels([walk(4, true), walk(8, false)]);
  return compiled;
}

/** The kernels of one instance: `walk` for any rows, `walkFinite` for rows without NaN (eight side by side). */
export interface WalkKernels {
  walk: WalkKernel;
  walkFinite: WalkKernel;
}

const instances = new WeakMap<object, WalkKernels>();

/**
 * This thread's walk kernel on `memory` (instantiated once per memory object).
 *
 * @example
 * ```ts
 * const k = walkKernel(c.wasm!.memory);
 * ```
 */
export function walkKernel(memory: WasmMemory): WalkKernels {
  let k = instances.get(memory);
  if (!k) {
    const mod = walkModule();
    if (mod === null) throw new Error('WebAssembly prediction kernels are not available');
    k = instantiateKernels<WalkKernels>(mod, memory);
    instances.set(memory, k);
  }
  return k;
}
