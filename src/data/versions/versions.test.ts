import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, utimesSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMlshipError } from '../../core/index.js';
import { addData, checkoutData, dataStatus, dataVersionOf, hashFile, manifestHash, pullData, pushData, readPointer } from './index.js';
import { objectPath } from './objects.js';

let root = '';
const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const write = (rel: string, text: string): void => {
  const abs = join(root, rel);
  mkdirSync(join(abs, '..'), { recursive: true });
  writeFileSync(abs, text);
};
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');

async function rejectsWith(p: Promise<unknown>, code: string): Promise<Error> {
  try {
    await p;
  } catch (err) {
    expect(isMlshipError(err), String(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    return err as Error;
  }
  throw new Error(`expected a ${code} error`);
}

function makeFolder(): void {
  write('data/images/a.txt', 'alpha');
  write('data/images/b.txt', 'beta');
  write('data/images/sub/c.txt', 'gamma');
  write('data/images/sub/deeper/d.txt', 'delta');
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mlship-versions-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('addData', () => {
  it('versions a file: cache object, pointer, .gitignore', async () => {
    write('data/train.csv', 'x,y\n1,2\n');
    const r = await addData('data/train.csv', { root });
    expect(r.pointerFile).toBe('data/train.csv.mlship.json');
    expect(r.pointer).toMatchObject({ format: 'mlship-data', version: 1, path: 'train.csv', kind: 'file', sha256: sha('x,y\n1,2\n'), size: 8, files: 1 });
    expect(await readPointer(join(root, r.pointerFile))).toEqual(r.pointer);
    expect(readFileSync(objectPath(join(root, 'mlship/cache'), r.pointer.sha256), 'utf8')).toBe('x,y\n1,2\n');
    expect(read('data/.gitignore')).toBe('/train.csv\n');
    await addData('data/train.csv', { root });
    expect(read('data/.gitignore')).toBe('/train.csv\n');
    expect(r).toMatchObject({ hashed: 1, reused: 0, stored: 1 });
  });

  it('versions a nested folder with a deterministic manifest hash', async () => {
    makeFolder();
    const r = await addData('data/images/', { root, jobs: 1 });
    const p = r.pointer;
    expect(p.kind).toBe('folder');
    expect(p.files).toBe(4);
    expect(Object.keys(p.manifest!)).toEqual(['a.txt', 'b.txt', 'sub/c.txt', 'sub/deeper/d.txt']);
    expect(p.manifest!['sub/c.txt']).toEqual({ sha256: sha('gamma'), size: 5 });
    const lines = Object.entries(p.manifest!).map(([k, e]) => `${e.sha256} ${e.size} ${k}\n`);
    expect(p.sha256).toBe(sha(lines.join('')));
    // Same hash whatever the key order or the parallelism.
    const reversed = Object.fromEntries(Object.entries(p.manifest!).reverse());
    expect(manifestHash(reversed)).toBe(p.sha256);
    rmSync(join(root, 'mlship'), { recursive: true });
    expect((await addData('data/images', { root, jobs: 8 })).pointer.sha256).toBe(p.sha256);
    expect(read('data/.gitignore')).toBe('/images/\n');
    expect(existsSync(join(root, 'data/images.mlship.json'))).toBe(true);
  });

  it('does not rehash unchanged files (state index by path, size, mtime, inode)', async () => {
    makeFolder();
    expect(await addData('data/images', { root })).toMatchObject({ hashed: 4, reused: 0, stored: 4 });
    expect(await addData('data/images', { root })).toMatchObject({ hashed: 0, reused: 4, stored: 0 });
    write('data/images/b.txt', 'BETA');
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, 'data/images/a.txt'), later, later); // touched, same bytes
    const r = await addData('data/images', { root });
    expect(r).toMatchObject({ hashed: 2, reused: 2, stored: 1 });
    const v = await dataVersionOf('data/images', { root });
    expect(v).toMatchObject({ sha256: r.pointer.sha256, files: 4, modified: false, pointerFile: 'data/images.mlship.json' });
  });

  it('streams a 50 MB file with bounded memory', async () => {
    const path = join(root, 'big.bin');
    const h = createHash('sha256');
    const fd = openSync(path, 'w');
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < 50; i++) {
      chunk.fill(i * 7 + 1);
      chunk.writeUInt32LE(i, 0);
      writeSync(fd, chunk);
      h.update(chunk);
    }
    closeSync(fd);
    const expected = h.digest('hex');
    // Live memory (after a forced GC) while the file streams through the hash and into the cache.
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage();
    let peak = 0;
    const seen: number[] = [];
    const r = await addData('big.bin', {
      root,
      onProgress: (p) => {
        seen.push(p.bytes);
        gc();
        const m = process.memoryUsage();
        peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
      },
    });
    expect(await hashFile(path)).toBe(expected);
    expect(r.pointer).toMatchObject({ sha256: expected, size: 50 << 20 });
    expect(seen.length).toBeGreaterThan(1);
    // A few 1 MiB chunks in flight plus backing stores V8 frees lazily (2-22 MB measured), never
    // the 50 MB file.
    expect(peak).toBeLessThan(30 << 20);
    expect(seen.at(-1)).toBe(50 << 20);
  });

  it('refuses the root, the cache and missing paths with clear errors', async () => {
    await rejectsWith(addData('.', { root }), 'INVALID_ARGUMENT');
    mkdirSync(join(root, 'mlship/cache'), { recursive: true });
    await rejectsWith(addData('mlship', { root }), 'INVALID_ARGUMENT');
    const e = await rejectsWith(addData('nope.csv', { root }), 'NOT_FOUND');
    expect(e.message).toContain('nope.csv');
  });
});

describe('dataStatus and checkoutData', () => {
  it('goes through modify / delete / restore cycles of a file', async () => {
    write('d.csv', 'v1');
    await addData('d.csv', { root });
    expect((await dataStatus(undefined, { root }))[0]).toMatchObject({ path: 'd.csv', status: 'clean', workspace: 'clean', cache: 'ok' });

    write('d.csv', 'v2 local edit');
    expect((await dataStatus('d.csv', { root }))[0]!.status).toBe('modified');
    const e = await rejectsWith(checkoutData('d.csv', { root }), 'ALREADY_EXISTS');
    expect(e.message).toContain('--force');
    expect(read('d.csv')).toBe('v2 local edit');
    expect((await checkoutData('d.csv.mlship.json', { root, force: true }))[0]).toMatchObject({ restored: 1 });
    expect(read('d.csv')).toBe('v1');

    rmSync(join(root, 'd.csv'));
    expect((await dataStatus(undefined, { root }))[0]!.status).toBe('missing-workspace');
    expect((await checkoutData(undefined, { root }))[0]).toMatchObject({ restored: 1, unchanged: 0 });
    expect(read('d.csv')).toBe('v1');
    expect((await checkoutData(undefined, { root }))[0]).toMatchObject({ restored: 0, unchanged: 1 });
  });

  it('lists the changed files of a folder and restores them', async () => {
    makeFolder();
    await addData('data/images', { root });
    write('data/images/a.txt', 'ALPHA');
    rmSync(join(root, 'data/images/sub/c.txt'));
    write('data/images/new.txt', 'new');
    const [s] = await dataStatus(['data/images'], { root });
    expect(s).toMatchObject({ status: 'modified', workspace: 'modified' });
    expect(s!.changes).toEqual([
      { path: 'a.txt', change: 'modified' },
      { path: 'new.txt', change: 'added' },
      { path: 'sub/c.txt', change: 'deleted' },
    ]);
    await rejectsWith(checkoutData('data/images', { root }), 'ALREADY_EXISTS');
    expect(read('data/images/a.txt')).toBe('ALPHA'); // nothing written on refusal
    expect(existsSync(join(root, 'data/images/sub/c.txt'))).toBe(false);
    expect((await checkoutData('data/images', { root, force: true }))[0]).toMatchObject({ restored: 2, unchanged: 2, removed: 1 });
    expect(read('data/images/a.txt')).toBe('alpha');
    expect(read('data/images/sub/c.txt')).toBe('gamma');
    expect(existsSync(join(root, 'data/images/new.txt'))).toBe(false);
    expect((await dataStatus(undefined, { root }))[0]!.status).toBe('clean');

    rmSync(join(root, 'data/images'), { recursive: true });
    expect((await dataStatus(undefined, { root }))[0]!.status).toBe('missing-workspace');
    await checkoutData(undefined, { root });
    expect(read('data/images/sub/deeper/d.txt')).toBe('delta');
  });

  it('restores the other pointers when one has local changes, then reports the refusal', async () => {
    write('a.csv', 'a1');
    write('b.csv', 'b1');
    await addData('a.csv', { root });
    await addData('b.csv', { root });
    write('a.csv', 'a2 local');
    rmSync(join(root, 'b.csv'));
    const e = await rejectsWith(checkoutData(undefined, { root }), 'ALREADY_EXISTS');
    expect(e.message).toContain('a.csv');
    expect(read('a.csv')).toBe('a2 local');
    expect(read('b.csv')).toBe('b1');
  });

  it('detects a missing and a corrupted cache object by hash', async () => {
    write('d.csv', 'precious');
    const { pointer } = await addData('d.csv', { root });
    const obj = objectPath(join(root, 'mlship/cache'), pointer.sha256);
    writeFileSync(obj, 'precioux');
    expect((await dataStatus(undefined, { root }))[0]!.status).toBe('clean'); // no rehash by default
    expect((await dataStatus(undefined, { root, verify: true }))[0]).toMatchObject({ status: 'corrupt-cache', corruptObjects: 1 });
    rmSync(join(root, 'd.csv'));
    const e = await rejectsWith(checkoutData('d.csv', { root }), 'CORRUPT_ARTIFACT');
    expect(e.message).toContain(pointer.sha256);
    expect(existsSync(join(root, 'd.csv'))).toBe(false); // no partial file left behind
    rmSync(obj);
    write('d.csv', 'precious');
    expect((await dataStatus(undefined, { root }))[0]).toMatchObject({ status: 'missing-cache', missingObjects: 1 });
    await rejectsWith(checkoutData('d.csv', { root, force: true }).then(() => rmSync(join(root, 'd.csv'))).then(() => checkoutData('d.csv', { root })), 'NOT_FOUND');
  });

  it('rejects damaged pointer files', async () => {
    write('x.csv.mlship.json', '{"format":"mlship-data","version":1,"path":"../x","kind":"file","sha256":"00","size":1,"files":1}');
    await rejectsWith(dataStatus('x.csv', { root }), 'PARSE_ERROR');
    write('y.csv.mlship.json', '{"format":"mlship-data","version":99}');
    await rejectsWith(dataStatus('y.csv', { root }), 'UNSUPPORTED_VERSION');
  });
});

describe('pushData and pullData', () => {
  it('round-trips through a remote folder, copying only missing objects', async () => {
    makeFolder();
    write('data/train.csv', 'x\n1\n');
    await addData('data/images', { root });
    await addData('data/train.csv', { root });
    const remote = join(root, '..', `${root.split('/').pop()}-remote`);
    try {
      await rejectsWith(pushData(undefined, { root }), 'INVALID_ARGUMENT');
      const first = await pushData(undefined, { root, remote });
      expect(first).toMatchObject({ transferred: 5, skipped: 0, bytes: 5 + 4 + 5 + 5 + 4, missing: [] });
      expect(await pushData(undefined, { root, remote })).toMatchObject({ transferred: 0, skipped: 5 });

      // A clone: only the pointer files (what git holds), an empty cache, the remote from config.
      const clone = `${root}-clone`;
      try {
        mkdirSync(join(clone, 'data'), { recursive: true });
        mkdirSync(join(clone, 'mlship'), { recursive: true });
        cpSync(join(root, 'data/images.mlship.json'), join(clone, 'data/images.mlship.json'));
        cpSync(join(root, 'data/train.csv.mlship.json'), join(clone, 'data/train.csv.mlship.json'));
        writeFileSync(join(clone, 'mlship/config.json'), JSON.stringify({ data: { remote } }));
        expect((await dataStatus(undefined, { root: clone })).map((s) => s.status)).toEqual(['missing-workspace', 'missing-workspace']);
        const pulled = await pullData(undefined, { root: clone });
        expect(pulled).toMatchObject({ transferred: 5, skipped: 0 });
        expect(pulled.checkout!.map((c) => c.restored)).toEqual([4, 1]);
        expect(readFileSync(join(clone, 'data/images/sub/deeper/d.txt'), 'utf8')).toBe('delta');
        expect((await dataStatus(undefined, { root: clone })).map((s) => s.status)).toEqual(['clean', 'clean']);
        expect((await pullData(undefined, { root: clone })).transferred).toBe(0);

        // A corrupted remote object is refused on pull.
        const p = await readPointer(join(clone, 'data/train.csv.mlship.json'));
        writeFileSync(objectPath(remote, p.sha256), 'x\n2\n');
        rmSync(objectPath(join(clone, 'mlship/cache'), p.sha256));
        await rejectsWith(pullData('data/train.csv', { root: clone }), 'CORRUPT_ARTIFACT');
      } finally {
        rmSync(clone, { recursive: true, force: true });
      }
    } finally {
      rmSync(remote, { recursive: true, force: true });
    }
  });
});
