import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { openArtifactStore } from '../tracking/index.js';
import type { ArtifactStore } from '../tracking/index.js';
import { decodeValue, encodeValue } from './cache.js';
import { flow, task } from './index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-flow-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('task result cache', () => {
  it('keeps results in an artifact store given by URI or as an object, under <key>.json', async () => {
    let calls = 0;
    const inc = task(
      (x: number) => {
        calls++;
        return x + 1;
      },
      { name: 'inc', cache: true },
    );
    const byUri = flow(async (x: number) => inc(x), { cacheStorage: pathToFileURL(join(dir, 'by-uri')).href });
    expect(await byUri(1)).toBe(2);
    expect((await byUri.start(1).wait()).taskRuns[0]!.state).toBe('Cached');
    const store: ArtifactStore = await openArtifactStore(join(dir, 'by-uri'));
    const files = await store.list();
    expect(files).toHaveLength(1);
    expect(files[0]!.path).toMatch(/^[0-9a-f]{64}\.json$/);
    // the same store as an object: the entry is found there too
    const byObject = flow(async (x: number) => inc(x), { cacheStorage: store });
    expect((await byObject.start(1).wait()).taskRuns[0]!.state).toBe('Cached');
    expect(calls).toBe(1);
    // an unknown scheme fails the task run with the store's error, naming the scheme
    const bad = flow(async (x: number) => inc(x), { cacheStorage: 'nosuch://bucket/cache' });
    await expect(bad(1)).rejects.toThrow(/no artifact store backend for the URI scheme 'nosuch:'/);
  });

  it('reuses a result when inputs and source are unchanged (state Cached), recomputes on new inputs', async () => {
    let calls = 0;
    const square = task(
      (x: number) => {
        calls++;
        return { x, sq: x * x, at: new Date(0), v: new Float64Array([x, NaN]) };
      },
      { name: 'square', cache: true },
    );
    const f = flow(async (x: number) => square(x), { cacheStorage: dir });
    const first = await f.start(3).wait();
    expect(first.taskRuns[0]!.state).toBe('Completed');
    const second = await f.start(3).wait();
    expect(second.taskRuns[0]!.state).toBe('Cached');
    expect(second.taskRuns[0]!.attempts).toBe(0);
    expect(calls).toBe(1);
    const v = (await second.result())!;
    expect(v.sq).toBe(9);
    expect(v.at).toEqual(new Date(0));
    expect(v.v).toBeInstanceOf(Float64Array);
    expect(Array.from(v.v)).toEqual([3, NaN]);
    await f(4);
    expect(calls).toBe(2);
    expect(readdirSync(dir).filter((n) => n.endsWith('.json'))).toHaveLength(2);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toHaveLength(0); // no temp files left
  });

  it('hashes object inputs regardless of key order, and future inputs by value', async () => {
    let calls = 0;
    const keys = task(
      (o: Record<string, number>) => {
        calls++;
        return Object.keys(o).length;
      },
      { name: 'keys', cache: true, cacheStorage: dir },
    );
    const make = task((n: number) => n, { name: 'make' });
    await flow(async () => keys({ a: 1, b: 2 }))();
    await flow(async () => keys({ b: 2, a: 1 }))();
    await flow(async () => keys({ a: make(1) as unknown as number, b: 2 }))();
    expect(calls).toBe(1);
  });

  it('misses when the source changes', async () => {
    const f1 = task((x: number) => x + 1, { name: 'step', cache: true, cacheStorage: dir });
    const f2 = task((x: number) => x + 2, { name: 'step', cache: true, cacheStorage: dir });
    expect(await flow(async () => f1(1))()).toBe(2);
    const run = await flow(async () => f2(1)).start().wait();
    expect(run.taskRuns[0]!.state).toBe('Completed');
    expect(await run.result()).toBe(3);
  });

  it('uses a user cacheKey instead of inputs and source', async () => {
    let calls = 0;
    const opts = { name: 'load', cacheStorage: dir, cacheKey: (args: [string, number]) => args[0] };
    const load = task((path: string, _n: number) => {
      calls++;
      return path.toUpperCase();
    }, opts);
    const changed = task((path: string, _n: number) => `${path}!`, opts);
    await flow(async () => load('a', 1))();
    const run = await flow(async () => changed('a', 2)).start().wait();
    expect(run.taskRuns[0]!.state).toBe('Cached');
    expect(await run.result()).toBe('A');
    expect(calls).toBe(1);
  });

  it('expires entries after cacheExpirationMs', async () => {
    let calls = 0;
    const t = task(
      () => {
        calls++;
        return calls;
      },
      { name: 'expiring', cacheStorage: dir, cacheExpirationMs: 40 },
    );
    const f = flow(async () => t());
    expect(await f()).toBe(1);
    expect(await f()).toBe(1);
    await sleep(60);
    expect(await f()).toBe(2);
    expect(await f()).toBe(2);
  });

  it('ignores the cache with refresh (task or flow), and overwrites it', async () => {
    let calls = 0;
    const t = task(
      () => {
        calls++;
        return calls;
      },
      { name: 'refreshed', cache: true, cacheStorage: dir },
    );
    const f = flow(async () => t());
    expect(await f()).toBe(1);
    expect(await f.with({ refresh: true })()).toBe(2);
    expect(await f()).toBe(2);
    expect(await flow(async () => t.with({ refresh: true })())()).toBe(3);
    expect(await f()).toBe(3);
  });

  it('treats a corrupt cache file as a miss', async () => {
    let calls = 0;
    const t = task(
      () => {
        calls++;
        return 'v';
      },
      { name: 'corrupt', cache: true, cacheStorage: dir },
    );
    await flow(async () => t())();
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file!), '{ not json');
    await flow(async () => t())();
    expect(calls).toBe(2);
    expect(JSON.parse(readFileSync(join(dir, file!), 'utf8')).value).toBe('v');
  });

  it('fails a cached task whose input cannot be hashed, saying what to do', async () => {
    class Model {}
    const t = task((_m: Model) => 1, { name: 'fit', cache: true, cacheStorage: dir });
    const run = await flow(async () => t(new Model())).start().wait();
    expect(run.taskRuns[0]!.state).toBe('Failed');
    expect((run.taskRuns[0]!.error as Error).message).toMatch(/argument 0 of task 'fit' is a Model instance.*cacheKey/);
  });

  it('still completes when a result cannot be cached', async () => {
    class Model {}
    const t = task(() => new Model(), { name: 'train', cache: true, cacheStorage: dir });
    const run = await flow(async () => t()).start().wait();
    expect(run.taskRuns[0]!.state).toBe('Completed');
    expect(readdirSync(dir)).toHaveLength(0);
  });
});

describe('value encoding', () => {
  it('round-trips structured values', () => {
    const value = {
      n: [1, -0.5, Infinity, -Infinity],
      s: 'x',
      b: true,
      nil: null,
      u: undefined,
      big: 12345678901234567890n,
      m: new Map<unknown, unknown>([['k', new Set([1, 2])]]),
      i32: new Int32Array([1, -2]),
      nested: { $mlship: 'looks like a tag' },
    };
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(value, 'value')))) as typeof value;
    expect(back).toEqual(value);
    expect(back.i32).toBeInstanceOf(Int32Array);
  });

  it('refuses functions and cycles', () => {
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(() => encodeValue(() => 1, 'value')).toThrow(/function/);
    expect(() => encodeValue(cyc, 'value')).toThrow(/cycle/);
  });
});
