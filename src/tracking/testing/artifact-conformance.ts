/**
 * The conformance suite every artifact store backend runs (local files now, S3 later): the same
 * layout, listing order, sizes, path checks, atomic writes and errors.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { expectError } from './support.js';
import type { Fixture } from './support.js';

/** What `makeStore` returns: an empty store, and what the suite may do around it. */
export interface ArtifactStoreFixture extends Fixture<ArtifactStore> {
  /**
   * The local folder behind the store, when there is one: the tests that plant symbolic links
   * inside the store need it and are skipped without it.
   */
  localRoot?: string;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (b: Uint8Array): string => new TextDecoder().decode(b);

/**
 * Registers the shared artifact store tests under `describe(name)`. `makeStore` is called once
 * per test and must return an empty store.
 *
 * @example
 * ```ts
 * import { artifactStoreConformance } from '../testing/artifact-conformance.js';
 * artifactStoreConformance('local', async () => {
 *   const dir = mkdtempSync(join(tmpdir(), 'art-'));
 *   return { store: new LocalArtifactStore(dir), localRoot: dir, dispose: () => rmSync(dir, { recursive: true }) };
 * });
 * ```
 */
export function artifactStoreConformance(name: string, makeStore: () => Promise<ArtifactStoreFixture>): void {
  describe(`artifact store conformance: ${name}`, () => {
    let fx: ArtifactStoreFixture;
    let store: ArtifactStore;
    let local: string; // a scratch folder for files to log and downloads

    beforeEach(async () => {
      fx = await makeStore();
      store = fx.store;
      local = mkdtempSync(join(tmpdir(), 'mlship-artifact-src-'));
    });
    afterEach(async () => {
      await fx.dispose?.();
      rmSync(local, { recursive: true, force: true });
    });

    it('writes and reads bytes at nested paths, overwriting in place', async () => {
      expect(await store.list()).toEqual([]);
      await store.writeBytes('a/b/c.txt', text('first'));
      expect(decode(await store.readBytes('a/b/c.txt'))).toBe('first');
      await store.writeBytes('a/b/c.txt', text('second, longer'));
      expect(decode(await store.readBytes('a/b/c.txt'))).toBe('second, longer');
      await store.writeBytes('./a//d.bin', new Uint8Array([0, 255, 1]));
      expect(Array.from(await store.readBytes('a/d.bin'))).toEqual([0, 255, 1]);
      await store.writeBytes('empty.txt', new Uint8Array(0));
      expect((await store.readBytes('empty.txt')).length).toBe(0);
      await store.writeBytes('données/été 1.txt', text('ünïcode'));
      expect(decode(await store.readBytes('données/été 1.txt'))).toBe('ünïcode');
    });

    it('lists the direct children, folders first then by name, with sizes and root-relative paths', async () => {
      await store.writeBytes('z.txt', text('zz'));
      await store.writeBytes('b.txt', text('b'));
      await store.writeBytes('m/inner.txt', text('inner'));
      await store.writeBytes('a/deep/x.txt', text('x'));
      expect(await store.list()).toEqual([
        { path: 'a', isDir: true, size: null },
        { path: 'm', isDir: true, size: null },
        { path: 'b.txt', isDir: false, size: 1 },
        { path: 'z.txt', isDir: false, size: 2 },
      ]);
      expect(await store.list('a')).toEqual([{ path: 'a/deep', isDir: true, size: null }]);
      expect(await store.list('a/deep/')).toEqual([{ path: 'a/deep/x.txt', isDir: false, size: 1 }]);
      expect(await store.list('missing')).toEqual([]);
    });

    it('logs a file under its basename, at the root or under an artifact path', async () => {
      const file = join(local, 'report.html');
      writeFileSync(file, '<h1>report</h1>');
      await store.logFile(file);
      await store.logFile(file, 'reports/daily');
      expect(decode(await store.readBytes('report.html'))).toBe('<h1>report</h1>');
      expect(await store.list('reports/daily')).toEqual([{ path: 'reports/daily/report.html', isDir: false, size: 15 }]);
      await expectError(store.logFile(join(local, 'nope.txt')), 'NOT_FOUND', /nope\.txt/);
      await expectError(store.logFile(local), 'INVALID_ARGUMENT', /is a folder.*logDir/);
    });

    it('logs a folder recursively, keeping its layout (empty folders too)', async () => {
      mkdirSync(join(local, 'model/weights/layer1'), { recursive: true });
      mkdirSync(join(local, 'model/empty'), { recursive: true });
      writeFileSync(join(local, 'model/MLmodel'), 'flavor: mlship');
      writeFileSync(join(local, 'model/weights/layer1/w.bin'), Buffer.alloc(1000, 7));
      await store.logDir(join(local, 'model'), 'out');
      expect(await store.list('out')).toEqual([
        { path: 'out/empty', isDir: true, size: null },
        { path: 'out/weights', isDir: true, size: null },
        { path: 'out/MLmodel', isDir: false, size: 14 },
      ]);
      expect((await store.readBytes('out/weights/layer1/w.bin')).length).toBe(1000);
      await store.logDir(join(local, 'model'));
      expect((await store.list()).map((e) => e.path)).toEqual(['empty', 'out', 'weights', 'MLmodel']);
      writeFileSync(join(local, 'plain.txt'), 'x');
      await expectError(store.logDir(join(local, 'plain.txt')), 'INVALID_ARGUMENT', /not a folder/);
      await expectError(store.logDir(join(local, 'missing')), 'NOT_FOUND', /missing/);
    });

    it('refuses paths that escape the root: .., absolute, NUL bytes (naming the path)', async () => {
      writeFileSync(join(local, 'f.txt'), 'f');
      const bad = ['../x.txt', 'a/../../x.txt', 'a/..', '/etc/passwd', 'a\0b', '..\\x.txt', 'a\\..\\..\\x'];
      for (const p of bad) {
        await expectError(store.writeBytes(p, text('x')), 'INVALID_ARGUMENT');
        await expectError(store.readBytes(p), 'INVALID_ARGUMENT');
        await expectError(store.list(p), 'INVALID_ARGUMENT');
        await expectError(store.logFile(join(local, 'f.txt'), p), 'INVALID_ARGUMENT');
        await expectError(store.download(p, local), 'INVALID_ARGUMENT');
        await expectError(store.delete(p), 'INVALID_ARGUMENT');
      }
      const { message } = await expectError(store.writeBytes('../../etc/cron.d/evil', text('x')), 'INVALID_ARGUMENT');
      expect(message).toContain('../../etc/cron.d/evil');
      expect(message).toMatch(/\.\./);
      expect((await expectError(store.readBytes('/etc/passwd'), 'INVALID_ARGUMENT')).message).toMatch(/absolute/);
      expect(await store.list()).toEqual([]);
    });

    it('accepts names that merely contain dots or backslashes (POSIX)', async () => {
      await store.writeBytes('..hidden/...txt', text('dots'));
      expect(decode(await store.readBytes('..hidden/...txt'))).toBe('dots');
      if (process.platform !== 'win32') {
        await store.writeBytes('a\\b.txt', text('backslash'));
        expect(decode(await store.readBytes('a\\b.txt'))).toBe('backslash');
      }
    });

    it('refuses a symbolic link inside a logged folder, naming it, and writes nothing', async () => {
      if (process.platform === 'win32') return;
      mkdirSync(join(local, 'data/sub'), { recursive: true });
      writeFileSync(join(local, 'data/ok.txt'), 'ok');
      writeFileSync(join(local, 'secret.txt'), 'secret');
      symlinkSync(join(local, 'secret.txt'), join(local, 'data/sub/link.txt'));
      const { message } = await expectError(store.logDir(join(local, 'data'), 'd'), 'PERMISSION_DENIED');
      expect(message).toContain(join(local, 'data/sub/link.txt'));
      expect(await store.list()).toEqual([]);
      const dirLink = join(local, 'data2');
      mkdirSync(dirLink);
      symlinkSync('/etc', join(dirLink, 'etc'));
      await expectError(store.logDir(dirLink), 'PERMISSION_DENIED', /etc/);
    });

    it('refuses a symbolic link inside the store that points outside the root', async () => {
      if (!fx.localRoot || process.platform === 'win32') return;
      const outside = mkdtempSync(join(tmpdir(), 'mlship-outside-'));
      try {
        writeFileSync(join(outside, 'secret.txt'), 'secret');
        await store.writeBytes('ok.txt', text('ok'));
        symlinkSync(outside, join(fx.localRoot, 'escape'));
        symlinkSync(join(outside, 'secret.txt'), join(fx.localRoot, 'leak.txt'));
        const { message: m } = await expectError(store.readBytes('escape/secret.txt'), 'PERMISSION_DENIED');
        expect(m).toContain(join(fx.localRoot, 'escape'));
        await expectError(store.readBytes('leak.txt'), 'PERMISSION_DENIED', /leak\.txt/);
        await expectError(store.writeBytes('escape/planted.txt', text('x')), 'PERMISSION_DENIED', /escape/);
        await expectError(store.writeBytes('escape/deeper/planted.txt', text('x')), 'PERMISSION_DENIED', /escape/);
        writeFileSync(join(local, 'f.txt'), 'f');
        await expectError(store.logFile(join(local, 'f.txt'), 'escape'), 'PERMISSION_DENIED');
        await expectError(store.list('escape'), 'PERMISSION_DENIED');
        await expectError(store.download('escape', local), 'PERMISSION_DENIED');
        await expectError(store.delete('escape/secret.txt'), 'PERMISSION_DENIED');
        expect(readdirSync(outside)).toEqual(['secret.txt']);
        expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
        // Links that stay inside the root are fine.
        symlinkSync(join(fx.localRoot, 'ok.txt'), join(fx.localRoot, 'alias.txt'));
        expect(decode(await store.readBytes('alias.txt'))).toBe('ok');
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    });

    it('says NOT_FOUND naming the artifact, and INVALID_ARGUMENT for folders read as files', async () => {
      await expectError(store.readBytes('missing/file.txt'), 'NOT_FOUND', /missing\/file\.txt/);
      await store.writeBytes('dir/file.txt', text('x'));
      await expectError(store.readBytes('dir'), 'INVALID_ARGUMENT', /folder/);
      await expectError(store.writeBytes('dir', text('x')), 'INVALID_ARGUMENT', /folder/);
      await expectError(store.writeBytes('dir/file.txt/under', text('x')), 'INVALID_ARGUMENT');
      await expectError(store.download('nope', local), 'NOT_FOUND', /nope/);
    });

    it('downloads a file, a folder and the whole root as copies', async () => {
      await store.writeBytes('model/model.mlship', text('pkg'));
      await store.writeBytes('model/sub/extra.json', text('{}'));
      await store.writeBytes('top.txt', text('top'));
      const file = await store.download('model/model.mlship', join(local, 'dl1'));
      expect(file).toBe(join(local, 'dl1', 'model.mlship'));
      expect(readFileSync(file, 'utf8')).toBe('pkg');
      const folder = await store.download('model', join(local, 'dl2'));
      expect(folder).toBe(join(local, 'dl2', 'model'));
      expect(readFileSync(join(folder, 'sub/extra.json'), 'utf8')).toBe('{}');
      const all = await store.download('', join(local, 'dl3'));
      expect(readFileSync(join(all, 'top.txt'), 'utf8')).toBe('top');
      expect(readFileSync(join(all, 'model/model.mlship'), 'utf8')).toBe('pkg');
      // A copy, not a link: changing it leaves the artifact alone.
      writeFileSync(file, 'changed');
      expect(decode(await store.readBytes('model/model.mlship'))).toBe('pkg');
    });

    it('deletes files, folders and the root; missing paths are fine', async () => {
      await store.writeBytes('a/1.txt', text('1'));
      await store.writeBytes('a/2.txt', text('2'));
      await store.writeBytes('b.txt', text('b'));
      await store.delete('a/1.txt');
      expect((await store.list('a')).map((e) => e.path)).toEqual(['a/2.txt']);
      await store.delete('a');
      expect((await store.list()).map((e) => e.path)).toEqual(['b.txt']);
      await store.delete('never/was');
      await store.delete();
      expect(await store.list()).toEqual([]);
      if (fx.localRoot) expect(existsSync(fx.localRoot)).toBe(false);
    });

    it('writes atomically: concurrent readers see a whole old or a whole new file, no temp files remain', async () => {
      const size = 256 * 1024;
      const A = new Uint8Array(size).fill(65);
      const B = new Uint8Array(size).fill(66);
      await store.writeBytes('swap.bin', A);
      let stop = false;
      let reads = 0;
      const reader = (async () => {
        while (!stop) {
          const got = await store.readBytes('swap.bin');
          expect(got.length).toBe(size);
          expect(got[0] === got[size - 1] && (got[0] === 65 || got[0] === 66)).toBe(true);
          reads++;
        }
      })();
      for (let i = 0; i < 30; i++) await store.writeBytes('swap.bin', i % 2 ? A : B);
      stop = true;
      await reader;
      expect(reads).toBeGreaterThan(0);
      expect(await store.list()).toEqual([{ path: 'swap.bin', isDir: false, size }]);
      if (fx.localRoot) expect(readdirSync(fx.localRoot)).toEqual(['swap.bin']);
    });

    it('streams large files: logging 64 MiB does not buffer the file in memory', async () => {
      const big = join(local, 'big.bin');
      writeFileSync(big, '');
      truncateSync(big, 64 * 1024 * 1024); // sparse: cheap to create, 64 MiB to copy
      globalThis.gc?.();
      const before = process.memoryUsage();
      await store.logFile(big, 'large');
      const after = process.memoryUsage();
      expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(32 * 1024 * 1024);
      expect(await store.list('large')).toEqual([{ path: 'large/big.bin', isDir: false, size: 64 * 1024 * 1024 }]);
    });
  });
}
