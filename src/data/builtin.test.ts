import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MlshipError } from '../core/index.js';
import { fingerprintTextDataset, listDatasets, loadDataset, loadText, type ProgressInfo } from './index.js';

/** Written by scripts/sklearn-fixtures/data_spam_assassin.py from an independent Python reader. */
const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/sklearn/data-spam-assassin.json', import.meta.url), 'utf8')) as {
  n: number;
  n_spam: number;
  n_ham: number;
  fingerprint: string;
  labels_sha256: string;
  subset: { index: number; label: string; length_utf16: number; sha256: string }[];
};

describe('built-in spam-assassin', () => {
  it('loads 6,046 emails (1,896 spam) in the order, texts and labels of the Python reference', async () => {
    const progress: ProgressInfo[] = [];
    const ds = await loadDataset('spam-assassin', { onProgress: (p) => progress.push(p) });
    expect(ds.texts).toHaveLength(6046);
    expect(ds.labels.filter((l) => l === 'spam')).toHaveLength(1896);
    expect(fixture.n).toBe(6046);
    expect(fixture.n_spam).toBe(1896);
    expect(ds.labels.filter((l) => l === 'ham')).toHaveLength(fixture.n_ham);
    expect(ds.source).toBe('builtin:spam-assassin');
    expect(createHash('sha256').update(JSON.stringify(ds.labels)).digest('hex')).toBe(fixture.labels_sha256);
    for (const s of fixture.subset) {
      const text = ds.texts[s.index]!;
      expect(ds.labels[s.index]).toBe(s.label);
      expect(text.length).toBe(s.length_utf16);
      expect(createHash('sha256').update(text).digest('hex')).toBe(s.sha256);
    }
    expect(fingerprintTextDataset(ds)).toBe(fixture.fingerprint);
    expect(ds.ids).toHaveLength(6046);
    expect(new Set(ds.ids).size).toBe(6046);
    expect(ds.ids![0]).toMatch(/^easy-ham-1\/00001\.[0-9a-f]{32}$/);
    expect(new Set(ds.groups)).toEqual(new Set(['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2']));
    for (let i = 0; i < ds.texts.length; i++) expect(ds.labels[i] === 'spam').toBe(ds.groups![i]!.startsWith('spam'));
    expect(progress.at(-1)).toMatchObject({ rows: 6046, totalRows: 6046 });
    expect(progress.at(-1)!.bytes).toBeGreaterThan(30_000_000);
  });

  it('gives the same fingerprint on a second load, also through loadText', async () => {
    expect(fingerprintTextDataset(await loadText('spam-assassin'))).toBe(fixture.fingerprint);
  });

  it('honours limit and filter, keeping groups and ids aligned', async () => {
    const ds = await loadDataset('spam-assassin', { filter: (ex) => ex.id!.startsWith('hard-ham-1/') || ex.id!.startsWith('spam-1/'), limit: 300 });
    expect(ds.texts).toHaveLength(300);
    expect(ds.groups).toHaveLength(300);
    expect(ds.ids!.every((id, i) => id.startsWith(`${ds.groups![i]}/`))).toBe(true);
    expect(new Set(ds.labels)).toEqual(new Set(['ham', 'spam']));
  });
});

describe('dataset registry', () => {
  it('lists the built-ins and rejects unknown names with NOT_FOUND listing them', async () => {
    expect(listDatasets().map((d) => d.name)).toEqual(['spam-assassin', 'boston-housing']);
    expect(listDatasets()[0]!.labels).toEqual(['ham', 'spam']);
    let err: unknown;
    try {
      await loadDataset('imdb');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MlshipError);
    expect((err as MlshipError).code).toBe('NOT_FOUND');
    expect((err as MlshipError).message).toContain('unknown dataset "imdb". Built-in datasets: spam-assassin');
  });
});
