/**
 * The histogram passes of {@link ./histogram.ts} as WebAssembly functions, generated here as bytes
 * (no toolchain): the same loops, the same order of additions (so bit-identical histograms), but
 * without the bounds checks JavaScript pays on every typed-array access, about twice as fast. They
 * work on one `WebAssembly.Memory` (shared between the threads of a fit) that holds binned X in
 * 4-feature groups, the partition, the gradients and the histogram slots; the typed arrays the
 * JavaScript side uses are views of that memory, and kernels take byte addresses.
 */
import { W, compileKernels, instantiateKernels, sharedMemory, type WasmFunction, type WasmMemory } from '../../kernels/index.js';

export type { WasmMemory } from '../../kernels/index.js';
export { WASM_PAGE_BYTES as PAGE_BYTES } from '../../kernels/index.js';

/**
 * One histogram pass over `m` samples for 1, 2 or 4 features of one group:
 * `(xg, part, g, h, m, out, strideBytes, shift)`, all byte addresses except `m`, `strideBytes`
 * (bytes per feature histogram) and `shift` (bit of the first feature in the group value). Root
 * passes read `xg` in sample order and ignore `part`; `h` is read only by the hessian variants.
 */
export type HistPass = (xg: number, part: number, g: number, h: number, m: number, out: number, strideBytes: number, shift: number) => void;

/**
 * `(part, scratch, cs, ce, col, thr, missLeft, missingBin) => left count`: the stable partition of
 * `partitionChunk` (partition.ts) on byte addresses (`part`, `scratch`: the arrays' starts; `col`:
 * the split feature's binned column).
 */
export type PartitionKernel = (part: number, scratch: number, cs: number, ce: number, col: number, thr: number, missLeft: number, missingBin: number) => number;

/**
 * The kernels of one instance: the passes, named `h{width}{r|n}{h?}{c?}` (width 4, 2 or 1
 * features, root (in order) or node (through the partition), with hessians, with counts), and the
 * partition.
 */
export interface HistKernels {
  pass: Record<string, HistPass>;
  partition: PartitionKernel;
}

/** The kernel for a pass: `width` features, root or not, with hessians, with counts. */
export function passName(width: number, root: boolean, hess: boolean, count: boolean): string {
  return `h${width}${root ? 'r' : 'n'}${hess ? 'h' : ''}${count ? 'c' : ''}`;
}

const { get, set, tee, i32load, f32load, f64load, f64store, i32const } = W;
const F64_ONE = W.f64one;
const ADD = W.add;
const MUL = W.mul;
const AND = W.and;
const SHL = W.shl;
const SHR_U = W.shrU;
const GE_U = W.geU;
const F64_ADD = W.f64add;
const PROMOTE = W.promote;

/**
 * The body of one pass (see {@link HistPass}). Per sample: the group value (through the partition
 * unless root), the gradient (and hessian) widened to float64, then for each feature
 * `out[bin].g += g` (`.h += h`, `.count += 1`), bins being 24-byte `[g, h, count]` records.
 */
function passBody(width: number, root: boolean, hess: boolean, count: boolean): number[][] {
  const XG = 0;
  const PART = 1;
  const G = 2;
  const H = 3;
  const M = 4;
  const OUT = 5;
  const STRIDE = 6;
  const SHIFT = 7;
  const GEND = 8;
  const V = 9;
  const B = 10;
  const O = (f: number): number => 11 + f;
  const S = (f: number): number => 15 + f;
  const GJ = 19;
  const HJ = 20;
  const c: number[][] = [];
  c.push(get(G), get(M), i32const(2), SHL, ADD, set(GEND));
  for (let f = 0; f < width; f++) {
    c.push(get(OUT), get(STRIDE), i32const(f), MUL, ADD, set(O(f)));
    c.push(get(SHIFT), i32const(8 * f), ADD, set(S(f)));
  }
  c.push(W.block, W.loop);
  c.push(get(G), get(GEND), GE_U, W.brIf(1)); // exit when g reaches its end
  if (root) c.push(get(XG), i32load(), set(V));
  else c.push(get(XG), get(PART), i32load(), i32const(2), SHL, ADD, i32load(), set(V));
  c.push(get(G), f32load(), PROMOTE, set(GJ));
  if (hess) c.push(get(H), f32load(), PROMOTE, set(HJ));
  for (let f = 0; f < width; f++) {
    c.push(get(V), get(S(f)), SHR_U, i32const(255), AND, i32const(24), MUL, get(O(f)), ADD, tee(B));
    c.push(get(B), f64load(0), get(GJ), F64_ADD, f64store(0));
    if (hess) c.push(get(B), get(B), f64load(8), get(HJ), F64_ADD, f64store(8));
    if (count) c.push(get(B), get(B), f64load(16), F64_ONE, F64_ADD, f64store(16));
  }
  c.push(get(G), i32const(4), ADD, set(G));
  if (hess) c.push(get(H), i32const(4), ADD, set(H));
  c.push(root ? [...get(XG), ...i32const(4), ...ADD, ...set(XG)] : [...get(PART), ...i32const(4), ...ADD, ...set(PART)]);
  c.push(W.br(0), W.end, W.end); // next sample; end loop, end block
  return c;
}

/**
 * The partition loop: per sample `idx = part[i]`, `b = col[idx]`, left when `b <= thr` or (b is
 * the missing bin and missing values go left); `idx` is written to both `part[l]` and
 * `scratch[r]`, and only the chosen side's cursor advances.
 */
function partitionBody(): number[][] {
  const PART = 0;
  const SCRATCH = 1;
  const CS = 2;
  const CE = 3;
  const COL = 4;
  const THR = 5;
  const MISS = 6;
  const MB = 7;
  const I = 8;
  const L = 9;
  const R = 10;
  const IDX = 11;
  const B = 12;
  const LEFT = 13;
  const addr = (base: number, index: number): number[][] => [get(base), get(index), i32const(2), SHL, ADD];
  return [
    get(CS),
    tee(I),
    tee(L),
    set(R),
    W.block,
    W.loop,
    get(I),
    get(CE),
    GE_U,
    W.brIf(1),
    ...addr(PART, I),
    i32load(),
    tee(IDX),
    get(COL),
    ADD,
    W.i32load8u(),
    set(B),
    get(THR),
    get(B),
    W.sub,
    i32const(31),
    SHR_U,
    i32const(1),
    W.xor,
    get(B),
    get(MB),
    W.eq,
    get(MISS),
    AND,
    W.or,
    set(LEFT),
    ...addr(PART, L),
    get(IDX),
    W.i32store(),
    ...addr(SCRATCH, R),
    get(IDX),
    W.i32store(),
    get(L),
    get(LEFT),
    ADD,
    set(L),
    get(R),
    get(LEFT),
    i32const(1),
    W.xor,
    ADD,
    set(R),
    get(I),
    i32const(1),
    ADD,
    set(I),
    W.br(0),
    W.end,
    W.end,
    get(L),
    get(CS),
    W.sub,
  ];
}

/** Every pass variant, and the partition. */
function variants(): WasmFunction[] {
  const out: WasmFunction[] = [{ name: 'partition', params: 8, result: true, i32Locals: 6, f64Locals: 0, code: partitionBody() }];
  for (const width of [4, 2, 1]) {
    for (const root of [true, false]) {
      for (const hess of [false, true]) {
        for (const count of [false, true]) {
          if (!root && !count) continue;
          out.push({ name: passName(width, root, hess, count), params: 8, i32Locals: 11, f64Locals: 2, code: passBody(width, root, hess, count) });
        }
      }
    }
  }
  return out;
}

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly (with shared memory) is not available. */
function histModule(): object | null {
  if (compiled === undefined) compiled = compileKernels(variants());
  return compiled;
}

/**
 * A shared memory of at least `bytes` bytes for the kernels, or null where WebAssembly threads
 * are not available (the JavaScript passes are used then).
 */
export function histMemory(bytes: number): WasmMemory | null {
  if (histModule() === null) return null;
  return sharedMemory(bytes);
}

/**
 * The kernels working on `memory` (one instance per thread and memory).
 *
 * @example
 * ```ts
 * const memory = histMemory(1 << 20)!;
 * const k = histKernels(memory);
 * k[passName(4, true, false, true)]!(xgAddr, 0, gAddr, 0, n, outAddr, 8 * stride, 0);
 * ```
 */
export function histKernels(memory: WasmMemory): HistKernels {
  const mod = histModule();
  if (mod === null) throw new Error('WebAssembly histogram kernels are not available');
  const exports = instantiateKernels<Record<string, HistPass> & { partition: PartitionKernel }>(mod, memory);
  return { pass: exports, partition: exports.partition };
}
