import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isMlshipError } from '../../core/index.js';
import { artifactStoreConformance } from '../testing/artifact-conformance.js';
import { LocalArtifactStore } from './local.js';
import { artifactStoreSchemes, openArtifactStore } from './open.js';

artifactStoreConformance('local (plain path)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlship-art-'));
  const root = join(dir, 'run', 'artifacts'); // not created yet: the first write creates it
  return { store: await openArtifactStore(root), localRoot: root, dispose: () => rmSync(dir, { recursive: true, force: true }) };
});

artifactStoreConformance('local (file: URI)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlship-art-'));
  return { store: await openArtifactStore(pathToFileURL(dir).href), localRoot: dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
});

describe('openArtifactStore', () => {
  it('opens file: URIs and plain paths as local stores, lazily, with no side effects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlship-art-'));
    try {
      const a = await openArtifactStore(`file://${dir}/x`);
      expect(a).toBeInstanceOf(LocalArtifactStore);
      expect(a.localPath('m/model.mlship')).toBe(join(dir, 'x', 'm', 'model.mlship'));
      const b = await openArtifactStore(join(dir, 'y'));
      expect(b.rootUri).toBe(join(dir, 'y'));
      expect(b.localPath()).toBe(join(dir, 'y'));
      expect(artifactStoreSchemes()).toEqual(['file']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which schemes it knows for an unknown one, and refuses empty URIs', async () => {
    let err: unknown;
    try {
      await openArtifactStore('s4://bucket/prefix');
    } catch (e) {
      err = e;
    }
    expect(isMlshipError(err, 'NOT_FOUND')).toBe(true);
    expect((err as Error).message).toMatch(/'s4:'.*known schemes: file:/);
    await expect(openArtifactStore('')).rejects.toThrow(/non-empty/);
    await expect(openArtifactStore('file://remote-host/x')).rejects.toThrow(/file: URI/);
  });
});
