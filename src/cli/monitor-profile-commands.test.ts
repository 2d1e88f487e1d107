import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile, PROFILE_RUN_TAG, type ReferenceProfile } from '../monitor/index.js';
import { MlshipClient } from '../tracking/index.js';
import type { CliIo } from './io.js';
import { EXIT_OK, run } from './main.js';

// `mlship monitor profile show|create` and the training hook of `mlship train`, in process, against
// a real SQLite tracking store in a temp folder.

let dir: string;
let uri: string;

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: dir, env: {} };
  const code = await run(argv, io);
  return { code, out, err };
}

async function withStore<T>(fn: (client: MlshipClient) => Promise<T>): Promise<T> {
  const client = await MlshipClient.open({ trackingUri: uri });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlship-monitor-profile-'));
  uri = `sqlite://${dir}/mlship.db`;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mlship monitor profile', () => {
  it('train tabular --register saves a profile with the version; show prints it, --json summarises it', async () => {
    const t = await cli(['train', 'tabular', '--data', 'boston-housing', '--model', 'ridge', '--register', 'housing', '--tracking-uri', uri, '--json']);
    expect(t.code).toBe(EXIT_OK);
    const trained = JSON.parse(t.out) as { models: { evaluation: { rmse: number; n: number } }[] };
    const profile = await withStore((c) => loadProfile(c, 'models:/housing/1'));
    expect(profile).toMatchObject({ format: 1, input: 'tabular', task: 'regression', rows: trained.models[0]!.evaluation.n });
    expect(profile.metrics.rmse).toBeCloseTo(trained.models[0]!.evaluation.rmse, 12);
    expect(Object.keys(profile.columns)).toContain('crim');
    expect(profile.target).toMatchObject({ kind: 'numeric', count: profile.rows });

    const shown = await cli(['monitor', 'profile', 'show', 'models:/housing/1', '--tracking-uri', uri]);
    expect(shown.code).toBe(EXIT_OK);
    expect(shown.out).toMatch(/reference profile of models:\/housing\/1: tabular regression, \d+ reference rows/);
    expect(shown.out).toMatch(/crim\s+numeric/);
    expect(shown.out).toMatch(/held-out metrics: rmse/);
    const json = await cli(['monitor', 'profile', 'show', 'models:/housing/1', '--tracking-uri', uri, '--json', '--output', 'p.json']);
    const summary = JSON.parse(json.out) as { rows: number; columns: Record<string, { kind: string }> };
    expect(summary.rows).toBe(profile.rows);
    expect(summary.columns.crim!.kind).toBe('numeric');
    expect(JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'))).toEqual(profile);
  });

  it('refuses to replace a profile without --force, and rebuilds it from held-out data with it', async () => {
    const again = await cli(['monitor', 'profile', 'create', '--model', 'models:/housing/1', '--data', 'boston-housing', '--tracking-uri', uri]);
    expect(again.code).not.toBe(EXIT_OK);
    expect(again.err).toMatch(/already has a reference profile.*--force/);
    const forced = await cli(['monitor', 'profile', 'create', '--model', 'models:/housing/1', '--data', 'boston-housing', '--limit', '100', '--force', '--tracking-uri', uri, '--json']);
    expect(forced.code).toBe(EXIT_OK);
    const out = JSON.parse(forced.out) as { profile: { rows: number; metrics: Record<string, number> } };
    expect(out.profile.rows).toBe(100);
    expect(Object.keys(out.profile.metrics).sort()).toEqual(['mae', 'r2', 'rmse']);
    expect((await withStore((c) => loadProfile(c, 'models:/housing/1'))).rows).toBe(100);
  });

  it('a version registered from a file has no profile (the error says how to make one); create attaches one', async () => {
    const t = await cli(['train', 'text', '--data', 'spam-assassin', '--limit', '300', '--no-track', '--out', 'spam.mlship']);
    expect(t.code).toBe(EXIT_OK);
    await withStore((c) => c.registerModel(join(dir, 'spam.mlship'), 'spam'));
    const missing = await cli(['monitor', 'profile', 'show', 'models:/spam/1', '--tracking-uri', uri]);
    expect(missing.code).not.toBe(EXIT_OK);
    expect(missing.err).toMatch(/has no reference profile/);
    expect(missing.err).toContain('mlship monitor profile create --model models:/spam/1 --data');
    const created = await cli(['monitor', 'profile', 'create', '--model', 'models:/spam/1', '--data', 'spam-assassin', '--limit', '200', '--tracking-uri', uri]);
    expect(created.code).toBe(EXIT_OK);
    expect(created.out).toMatch(/text classification, 200 reference rows/);
    const profile: ReferenceProfile = await withStore((c) => loadProfile(c, 'models:/spam/1'));
    expect(Object.keys(profile.columns).sort()).toEqual(['text.length', 'text.non_letter_share', 'text.oov_share']);
    expect(profile.text!.documents.length).toBeGreaterThan(10);
    expect(profile.text!.vocabularySize).toBeGreaterThan(1000);
    expect(profile.classes).toEqual(['ham', 'spam']);
    const tag = await withStore(async (c) => (await c.registry.getModelVersion('spam', 1)).tags[PROFILE_RUN_TAG]);
    expect(tag).toMatch(/^[0-9a-f-]{20,}$/);
    // Tracked `train text --register` saves the profile itself, from its held-out split.
    const tracked = await cli(['train', 'text', '--data', 'spam-assassin', '--limit', '300', '--register', 'spam', '--tracking-uri', uri, '--out', 'spam2.mlship', '--json']);
    expect(tracked.code).toBe(EXIT_OK);
    const v2 = await withStore((c) => loadProfile(c, 'models:/spam/2'));
    expect(v2).toMatchObject({ input: 'text', rows: 60, classes: ['ham', 'spam'] });
    expect(v2.metrics.accuracy).toBe((JSON.parse(tracked.out) as { model: { evaluation: { accuracy: number } } }).model.evaluation.accuracy);
  });

  it('the reference flows save a profile with every version they register', async () => {
    const r = await cli(['example', 'run', 'housing-regression', '--tracking-uri', uri, '--json']);
    expect(r.code).toBe(EXIT_OK);
    const result = JSON.parse(r.out) as { model: { uri: string }; metrics: Record<string, number>; artifacts: string[] };
    expect(result.artifacts).toContain('reference-profile.json');
    const profile = await withStore((c) => loadProfile(c, result.model.uri));
    expect(profile.metrics.rmse).toBe(result.metrics.rmse);
    expect(profile.input).toBe('tabular');
    const text = await cli(['example', 'run', 'text-classification', '--limit', '300', '--tracking-uri', uri, '--json']);
    expect(text.code).toBe(EXIT_OK);
    const tr = JSON.parse(text.out) as { model: { uri: string }; metrics: Record<string, number> };
    const tp = await withStore((c) => loadProfile(c, tr.model.uri));
    expect(tp).toMatchObject({ input: 'text', task: 'classification', rows: 60 });
    expect(tp.metrics.accuracy).toBe(tr.metrics.accuracy);
    expect(tp.text!.vocabularySize).toBeGreaterThan(100);
  });

  it('has --help with examples', async () => {
    for (const argv of [['monitor', 'profile', '--help'], ['monitor', 'profile', 'show', '--help'], ['monitor', 'profile', 'create', '--help']]) {
      const r = await cli(argv);
      expect(r.code).toBe(EXIT_OK);
      expect(r.out).toMatch(/mlship monitor profile (show|create)/);
    }
  });
});
