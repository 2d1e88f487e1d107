import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMlshipError } from '../../core/index.js';
import { MlshipClient } from '../../tracking/index.js';
import { buildProfile } from './profile.js';
import { loadProfile, saveProfile, PROFILE_ARTIFACT } from './store.js';

let dir: string;
let client: MlshipClient;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-profile-'));
  client = await MlshipClient.open({ trackingUri: `sqlite://${dir}/mlship.db` });
});

afterEach(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function modelRun(): Promise<string> {
  return client.withRun({ experimentName: 'profiles', logCodeVersion: false }, async (run) => {
    await run.writeArtifact('model/model.mlship', new TextEncoder().encode('pkg'));
    return run.runId;
  });
}

async function codeOf(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (err) {
    if (isMlshipError(err)) return [err.code, err.message];
    throw err;
  }
  throw new Error('expected an MlshipError');
}

describe('saveProfile / loadProfile', () => {
  it('round-trips through the run of a registered version, by version and by alias', async () => {
    const profile = buildProfile({ task: 'regression', columns: { rooms: [3, 4, 5, 6, 4], city: ['a', 'b', 'a', 'a', 'b'] }, predictions: [1.2, 1.9, 2.4, 3.1, 2], metrics: { rmse: 0.4 } }, { createdAt: 1 });
    const runId = await modelRun();
    await client.registerModel(`runs:/${runId}/model`, 'housing');
    await saveProfile(client, runId, profile);
    await client.registry.setAlias('housing', 'champion', 1);
    expect(await loadProfile(client, 'models:/housing/1')).toEqual(profile);
    expect(await loadProfile(client, 'models:/housing@champion')).toEqual(profile);
    const files = (await (await client.artifacts(runId)).list()).map((f) => f.path);
    expect(files).toContain(PROFILE_ARTIFACT);
  });

  it('says how to create a profile when a version has none, and rejects other URIs and bad files', async () => {
    const runId = await modelRun();
    await client.registerModel(`runs:/${runId}/model`, 'spam');
    const [code, message] = await codeOf(loadProfile(client, 'models:/spam/1'));
    expect(code).toBe('NOT_FOUND');
    expect(message).toMatch(/spam version 1 .*has no reference profile/);
    expect(message).toContain('mlship monitor profile create --model models:/spam/1 --data');
    expect((await codeOf(loadProfile(client, 'models:/spam/7')))[0]).toBe('NOT_FOUND');
    expect((await codeOf(loadProfile(client, './model.mlship')))[0]).toBe('INVALID_ARGUMENT');
    await (await client.artifacts(runId)).writeBytes(PROFILE_ARTIFACT, new TextEncoder().encode('{"format": 1, "rows": "x"}'));
    const [bad, why] = await codeOf(loadProfile(client, 'models:/spam/1'));
    expect(bad).toBe('CORRUPT_ARTIFACT');
    expect(why).toMatch(/input/);
    await (await client.artifacts(runId)).writeBytes(PROFILE_ARTIFACT, new TextEncoder().encode('{"format": 2}'));
    expect((await codeOf(loadProfile(client, 'models:/spam/1')))[0]).toBe('UNSUPPORTED_VERSION');
  });
});
