// Temporary files for tests that read real files: one folder per test file, removed afterwards,
// or fresh folders per test (useTempDirs), removed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { MlshipError } from '../../src/core/index.js';

/**
 * Registers a temporary folder for the calling test file. `path(name)` is a path inside it and
 * `file(name, content)` writes one (creating sub-folders) and returns its path.
 */
export function useTempDir(prefix: string): { path(name: string): string; file(name: string, content: string | Uint8Array): Promise<string>; readonly dir: string } {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `mlship-${prefix}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    path: (name) => join(dir, name),
    async file(name, content) {
      const path = join(dir, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
      return path;
    },
  };
}

/**
 * Registers per-test temporary folders for the calling test file: each call of the returned
 * function makes a fresh folder, and every folder made during a test is removed after it.
 */
export function useTempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `mlship-${prefix}-`));
    dirs.push(dir);
    return dir;
  };
}

/** The MlshipError that `p` rejects with; fails the test if it resolves or throws anything else. */
export async function caught(p: Promise<unknown>): Promise<MlshipError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MlshipError);
    return err as MlshipError;
  }
  throw new Error('expected an MlshipError');
}

/** Every item of an async iterable. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
