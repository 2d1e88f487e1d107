/**
 * A minimal WebAssembly toolkit for numeric kernels generated at run time (no toolchain, no binary
 * in the repository): an opcode encoder for the few instructions the kernels use, a module builder
 * whose functions take i32 arguments and import one memory, and shared memories. The kernels are
 * written as byte arrays by the modules that use them (histogram passes, tree walks).
 */

/** A WebAssembly memory (the part of the API used here; a shared memory's buffer is a SharedArrayBuffer). */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

/** The WebAssembly JavaScript API as used here (this project's TypeScript libraries do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes per WebAssembly page. */
export const WASM_PAGE_BYTES = 65536;
/** Pages a kernel memory may grow to: 4 GiB (address space is reserved, not memory). */
export const WASM_MAX_PAGES = 65536;

/**
 * Unsigned LEB128 (the variable-length integers of the WebAssembly binary format).
 *
 * @example
 * ```ts
 * uleb(624485); // [0xe5, 0x8e, 0x26]
 * ```
 */
export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/**
 * Signed LEB128 (constants of `i32.const`).
 *
 * @example
 * ```ts
 * sleb(-1); // [0x7f]
 * ```
 */
export function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;

/**
 * The instructions the kernels use (each an array of bytes). Loads and stores take a static byte
 * offset; their alignment hint is the natural one.
 *
 * @example
 * ```ts
 * const body = [W.get(0), W.get(1), W.add].flat(); // local.get 0; local.get 1; i32.add
 * ```
 */
export const W = {
  get: (i: number): number[] => [0x20, ...uleb(i)],
  set: (i: number): number[] => [0x21, ...uleb(i)],
  tee: (i: number): number[] => [0x22, ...uleb(i)],
  i32load: (offset = 0): number[] => [0x28, 2, ...uleb(offset)],
  i32load8u: (offset = 0): number[] => [0x2d, 0, ...uleb(offset)],
  i32load16u: (offset = 0): number[] => [0x2f, 1, ...uleb(offset)],
  /** An i64 load that may be unaligned (alignment hint 1 byte). */
  i64loadU: (offset = 0): number[] => [0x29, 0, ...uleb(offset)],
  i32store: (offset = 0): number[] => [0x36, 2, ...uleb(offset)],
  i32store16: (offset = 0): number[] => [0x3b, 1, ...uleb(offset)],
  f32load: (offset = 0): number[] => [0x2a, 2, ...uleb(offset)],
  f64load: (offset = 0): number[] => [0x2b, 3, ...uleb(offset)],
  f64store: (offset = 0): number[] => [0x39, 3, ...uleb(offset)],
  i32const: (v: number): number[] => [0x41, ...sleb(v)],
  f64one: [0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f],
  f64zero: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
  i64const: (v: number): number[] => [0x42, ...sleb(v)],
  return: [0x0f],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number): number[] => [0x0c, depth],
  brIf: (depth: number): number[] => [0x0d, depth],
  select: [0x1b],
  eqz: [0x45],
  eq: [0x46],
  ne: [0x47],
  ltS: [0x48],
  ltU: [0x49],
  gtU: [0x4b],
  leU: [0x4d],
  geS: [0x4e],
  geU: [0x4f],
  i64eqz: [0x50],
  i64ne: [0x52],
  f32le: [0x5f],
  f64gt: [0x64],
  f64ne: [0x62],
  f64eq: [0x61],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  divU: [0x6e],
  and: [0x71],
  or: [0x72],
  xor: [0x73],
  shl: [0x74],
  shrS: [0x75],
  shrU: [0x76],
  i64and: [0x83],
  i64xor: [0x85],
  i64shrU: [0x88],
  i64extendU: [0xad],
  f64convertU: [0xb8],
  f64add: [0xa0],
  f64mul: [0xa2],
  f64div: [0xa3],
  f64sqrt: [0x9f],
  promote: [0xbb],
};

const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];

/** A function of a kernel module: `params` i32 arguments, an i32 result or none, `i32Locals` and `f64Locals` locals after them. */
export interface WasmFunction {
  name: string;
  params: number;
  /** Returns an i32 (left on the stack by `code`). @default false */
  result?: boolean;
  i32Locals: number;
  f64Locals: number;
  /** The instructions, without the final `end`. */
  code: number[][];
}

/**
 * Compiles functions into a module importing a shared memory `env.mem`, or returns null where
 * WebAssembly (with threads) is not available.
 *
 * @example
 * ```ts
 * const mod = compileKernels([{ name: 'nop', params: 0, i32Locals: 0, f64Locals: 0, code: [] }]);
 * ```
 */
export function compileKernels(fns: WasmFunction[]): object | null {
  if (!wasmApi) return null;
  const sig = (f: WasmFunction): number => 2 * f.params + (f.result ? 1 : 0);
  const sigs = [...new Set(fns.map(sig))];
  const types = section(1, vec(sigs.map((k) => [0x60, ...vec(new Array<number[]>(k >> 1).fill([I32])), ...(k & 1 ? [1, I32] : [0])])));
  const imports = section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x03, ...uleb(1), ...uleb(WASM_MAX_PAGES)]]));
  const funcs = section(3, vec(fns.map((f) => uleb(sigs.indexOf(sig(f))))));
  const exports = section(7, vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const code = section(
    10,
    vec(
      fns.map((f) => {
        const locals: number[][] = [];
        if (f.i32Locals) locals.push([...uleb(f.i32Locals), I32]);
        if (f.f64Locals) locals.push([...uleb(f.f64Locals), F64]);
        const body = [...vec(locals), ...f.code.flat(), ...W.end];
        return [...uleb(body.length), ...body];
      }),
    ),
  );
  try {
    return new wasmApi.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...types, ...imports, ...funcs, ...exports, ...code]));
  } catch {
    return null;
  }
}

/**
 * A shared memory of at least `bytes` bytes (growable to 4 GiB), or null where WebAssembly threads
 * are not available or the size is too large.
 *
 * @example
 * ```ts
 * const memory = sharedMemory(1 << 20); // 1 MiB, or null
 * ```
 */
export function sharedMemory(bytes: number): WasmMemory | null {
  if (!wasmApi) return null;
  const pages = Math.ceil(Math.max(1, bytes) / WASM_PAGE_BYTES);
  if (pages > WASM_MAX_PAGES) return null;
  try {
    return new wasmApi.Memory({ initial: pages, maximum: WASM_MAX_PAGES, shared: true });
  } catch {
    return null;
  }
}

/**
 * Grows `memory` so that it holds at least `bytes` bytes; false when it cannot.
 *
 * @example
 * ```ts
 * ensureBytes(memory, 8 * rows);
 * ```
 */
export function ensureBytes(memory: WasmMemory, bytes: number): boolean {
  const need = bytes - memory.buffer.byteLength;
  if (need <= 0) return true;
  try {
    memory.grow(Math.ceil(need / WASM_PAGE_BYTES));
    return true;
  } catch {
    return false;
  }
}

/**
 * The exports of `module` instantiated on `memory`.
 *
 * @example
 * ```ts
 * const k = instantiateKernels<{ nop(): void }>(mod, memory);
 * ```
 */
export function instantiateKernels<T>(module: object, memory: WasmMemory): T {
  if (!wasmApi) throw new Error('WebAssembly is not available');
  return new wasmApi.Instance(module, { env: { mem: memory } }).exports as T;
}
