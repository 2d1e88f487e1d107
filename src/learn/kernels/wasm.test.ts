import { describe, expect, it } from 'vitest';
import { W, compileKernels, ensureBytes, instantiateKernels, sharedMemory, sleb, uleb, WASM_PAGE_BYTES } from './wasm.js';

describe('wasm kernel toolkit', () => {
  it('encodes LEB128 as the WebAssembly binary format does', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('compiles a kernel on a shared memory that JavaScript views see, and grows the memory', () => {
    // sum(a, n) -> i32: the sum of n i32 values at byte address a.
    const code = [W.block, W.loop, W.get(1), W.eqz, W.brIf(1), W.get(2), W.get(0), W.i32load(), W.add, W.set(2), W.get(0), W.i32const(4), W.add, W.set(0), W.get(1), W.i32const(-1), W.add, W.set(1), W.br(0), W.end, W.end, W.get(2)];
    const mod = compileKernels([{ name: 'sum', params: 2, result: true, i32Locals: 1, f64Locals: 0, code }]);
    const memory = sharedMemory(100);
    if (!mod || !memory) return; // no WebAssembly threads here: the kernels' users fall back to JavaScript
    const { sum } = instantiateKernels<{ sum(a: number, n: number): number }>(mod, memory);
    const xs = new Int32Array(memory.buffer, 64, 5);
    xs.set([1, 2, 3, 4, -5]);
    expect(sum(64, 5)).toBe(5);
    expect(memory.buffer.byteLength).toBe(WASM_PAGE_BYTES);
    expect(ensureBytes(memory, 3 * WASM_PAGE_BYTES)).toBe(true);
    expect(memory.buffer.byteLength).toBe(3 * WASM_PAGE_BYTES);
    new Int32Array(memory.buffer, 2 * WASM_PAGE_BYTES, 2).set([7, 8]);
    expect(sum(2 * WASM_PAGE_BYTES, 2)).toBe(15);
  });
});
