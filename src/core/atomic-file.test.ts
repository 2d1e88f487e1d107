import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileAtomic, tempPathFor, writeFileAtomic } from './atomic-file.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-atomic-'));
});
afterEach(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

describe('atomic files', () => {
  it('names hidden, unique temporary files beside the target', () => {
    const a = tempPathFor(join(dir, 'model.mlship'), '.x-tmp');
    expect(a.startsWith(join(dir, '.model.mlship.'))).toBe(true);
    expect(a.endsWith('.x-tmp')).toBe(true);
    expect(tempPathFor(join(dir, 'model.mlship'))).not.toBe(tempPathFor(join(dir, 'model.mlship')));
  });

  it('replaces a file whole and leaves no temporary file', async () => {
    const target = join(dir, 'sub', 'a.json');
    await writeFileAtomic(target, '{"v":1}', { mkdir: true });
    await writeFileAtomic(target, new TextEncoder().encode('{"v":2}'));
    expect(readFileSync(target, 'utf8')).toBe('{"v":2}');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['a.json']);
  });

  it('fails without touching the old file or leaving a temporary file when the write cannot happen', async () => {
    const target = join(dir, 'a.txt');
    writeFileSync(target, 'old');
    await expect(writeFileAtomic(join(dir, 'missing', 'b.txt'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    if (process.getuid?.() !== 0) {
      chmodSync(dir, 0o555);
      await expect(writeFileAtomic(target, 'new')).rejects.toMatchObject({ code: 'EACCES' });
      chmodSync(dir, 0o755);
    }
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it('copies a file atomically', async () => {
    const src = join(dir, 'src.bin');
    writeFileSync(src, Buffer.alloc(100_000, 7));
    await copyFileAtomic(src, join(dir, 'out', 'dst.bin'), { mkdir: true });
    expect(readFileSync(join(dir, 'out', 'dst.bin')).equals(readFileSync(src))).toBe(true);
    await expect(copyFileAtomic(join(dir, 'nope'), join(dir, 'out', 'x'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(join(dir, 'out'))).toEqual(['dst.bin']);
  });
});
