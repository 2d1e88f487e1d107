/**
 * The tree walk of {@link ./flat.ts}'s 8-byte node format (regression) as a WebAssembly function
 * generated here as bytes: the same steps and the same order of additions as the JavaScript
 * kernel, so the same sums, without JavaScript's bounds checks. The nodes, the leaf values, the
 * roots, the rows and the sums all live in one shared memory (see {@link PackedWasm}), which the
 * prediction threads instantiate the kernel on.
 */
import { W, compileKernels, instantiateKernels, type WasmFunction, type WasmMemory } from '../kernels/index.js';

/** Where a packed forest sits in its kernel memory (byte addresses), and the scratch after it. */
export interface PackedWasm {
  memory: WasmMemory;
  /** The 8-byte nodes (`f32` threshold, `i32` word), the roots (i32) and the leaf values (f64). */
  nodes: number;
  roots: number;
  leaves: number;
  /** First byte free for the rows and sums of a prediction. */
  scratch: number;
}

/**
 * `acc(nodes, x, rowBytes, from, to, out, roots, t0, t1, leaves, fbits)`: for trees `[t0, t1)` and
 * rows `[from, to)` of row-major float32 X at `x`, adds each row's leaf value to the float64 at
 * `out + 8 * i`; four rows walked side by side, tree by tree.
 */
export type ForestKernel = (nodes: number, x: number, rowBytes: number, from: number, to: number, out: number, roots: number, t0: number, t1: number, leaves: number, fbits: number) => void;

const { get, set, tee, i32load, f32load, f64load, f64store, i32const } = W;

/** One step of a walk: `k = x[r + (w & M)] <= thr[k] ? k + 1 : k + (w >> S); w = word[k]`. */
function step(NODES: number, S: number, M: number, r: number, k: number, w: number, kk: number): number[][] {
  return [
    get(NODES),
    get(k),
    i32const(3),
    W.shl,
    W.add,
    set(kk),
    get(k),
    i32const(1),
    W.add,
    get(k),
    get(w),
    get(S),
    W.shrS,
    W.add,
    get(r),
    get(w),
    get(M),
    W.and,
    i32const(2),
    W.shl,
    W.add,
    f32load(),
    get(kk),
    f32load(),
    W.f32le,
    W.select,
    tee(k),
    i32const(3),
    W.shl,
    get(NODES),
    W.add,
    i32load(4),
    set(w),
  ];
}

/** `out[i] += leaves[~w]`. */
function addLeaf(OUT: number, LEAVES: number, i: number, lane: number, w: number, kk: number): number[][] {
  return [get(OUT), get(i), i32const(lane), W.add, i32const(3), W.shl, W.add, tee(kk), get(kk), f64load(), get(LEAVES), get(w), i32const(-1), W.xor, i32const(3), W.shl, W.add, f64load(), W.f64add, f64store()];
}

function accumulate(): WasmFunction {
  const NODES = 0;
  const X = 1;
  const RB = 2;
  const FROM = 3;
  const TO = 4;
  const OUT = 5;
  const ROOTS = 6;
  const T0 = 7;
  const T1 = 8;
  const LEAVES = 9;
  const S = 10;
  let l = 11;
  const t = l++;
  const root = l++;
  const w0 = l++;
  const i = l++;
  const end4 = l++;
  const M = l++;
  const kk = l++;
  const r = [l++, l++, l++, l++];
  const k = [l++, l++, l++, l++];
  const w = [l++, l++, l++, l++];
  const c: number[][] = [];
  c.push(i32const(1), get(S), W.shl, i32const(1), W.sub, set(M));
  c.push(get(FROM), get(TO), get(FROM), W.sub, i32const(-4), W.and, W.add, set(end4));
  c.push(get(T0), set(t));
  c.push(W.block, W.loop); // trees
  c.push(get(t), get(T1), W.geS, W.brIf(1));
  c.push(get(ROOTS), get(t), i32const(2), W.shl, W.add, i32load(), set(root));
  c.push(get(NODES), get(root), i32const(3), W.shl, W.add, i32load(4), set(w0));
  c.push(get(FROM), set(i));
  c.push(W.block, W.loop); // rows, four at a time
  c.push(get(i), get(end4), W.geS, W.brIf(1));
  for (let lane = 0; lane < 4; lane++) c.push(get(X), get(i), i32const(lane), W.add, get(RB), W.mul, W.add, set(r[lane]!), get(root), set(k[lane]!), get(w0), set(w[lane]!));
  c.push(W.block, W.loop); // steps until every lane is at a leaf (all words negative)
  c.push(get(w[0]!), get(w[1]!), W.and, get(w[2]!), W.and, get(w[3]!), W.and, i32const(0), W.ltS, W.brIf(1));
  for (let lane = 0; lane < 4; lane++) c.push(get(w[lane]!), i32const(0), W.geS, W.if, ...step(NODES, S, M, r[lane]!, k[lane]!, w[lane]!, kk), W.end);
  c.push(W.br(0), W.end, W.end);
  for (let lane = 0; lane < 4; lane++) c.push(...addLeaf(OUT, LEAVES, i, lane, w[lane]!, kk));
  c.push(get(i), i32const(4), W.add, set(i), W.br(0), W.end, W.end);
  c.push(W.block, W.loop); // the last rows one by one
  c.push(get(i), get(TO), W.geS, W.brIf(1));
  c.push(get(X), get(i), get(RB), W.mul, W.add, set(r[0]!), get(root), set(k[0]!), get(w0), set(w[0]!));
  c.push(W.block, W.loop);
  c.push(get(w[0]!), i32const(0), W.ltS, W.brIf(1));
  c.push(...step(NODES, S, M, r[0]!, k[0]!, w[0]!, kk));
  c.push(W.br(0), W.end, W.end);
  c.push(...addLeaf(OUT, LEAVES, i, 0, w[0]!, kk));
  c.push(get(i), i32const(1), W.add, set(i), W.br(0), W.end, W.end);
  c.push(get(t), i32const(1), W.add, set(t), W.br(0), W.end, W.end);
  return { name: 'acc', params: 11, i32Locals: l - 11, f64Locals: 0, code: c };
}

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly (with shared memory) is not available. */
export function forestModule(): object | null {
  if (compiled === undefined) compiled = compileKernels([accumulate()]);
  return compiled;
}

/**
 * The walk kernel on `memory` (instantiate once per thread and memory).
 *
 * @example
 * ```ts
 * const acc = forestKernel(packed.wasm!.memory);
 * acc(w.nodes, xAddr, 4 * d, 0, n, outAddr, w.roots, 0, packed.nTrees, w.leaves, packed.fbits);
 * ```
 */
export function forestKernel(memory: WasmMemory): ForestKernel {
  const mod = forestModule();
  if (mod === null) throw new Error('WebAssembly forest kernels are not available');
  return instantiateKernels<{ acc: ForestKernel }>(mod, memory).acc;
}
