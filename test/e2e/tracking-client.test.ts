// The tracking client through the built package: a versioned CSV read inside a run is recorded as
// the run's input (by the pointer's sha256), models logged by runs are registered, promoted through
// the gate, rolled back, resolved by URI and loaded, and lineage leads from model to data and back.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'mlship/core';
import { addData, readTable } from 'mlship/data';
import { Ridge, rootMeanSquaredError } from 'mlship/learn';
import { loadModel, saveModel } from 'mlship/model';
import { MlshipClient } from 'mlship/tracking';

let dir = '';
let client: MlshipClient;

/** y = 3·x1 − 2·x2 + noise, seeded. */
function csv(n: number, seed: number): string {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const lines = ['x1,x2,y'];
  for (let i = 0; i < n; i++) {
    const x1 = 10 * rnd();
    const x2 = 10 * rnd();
    lines.push(`${x1.toFixed(4)},${x2.toFixed(4)},${(3 * x1 - 2 * x2 + (rnd() - 0.5)).toFixed(4)}`);
  }
  return lines.join('\n') + '\n';
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-tracking-e2e-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'train.csv'), csv(300, 11));
  client = await MlshipClient.open({ trackingUri: `sqlite://${dir}/mlship/mlship.db` });
});

afterAll(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One training run: reads the CSV, fits Ridge(alpha), logs rmse and the model package. */
function train(alpha: number): Promise<{ runId: string; rmse: number }> {
  return client.withRun({ experimentName: 'e2e-housing', runName: `ridge-${alpha}` }, async (run) => {
    const table = await readTable(join(dir, 'data', 'train.csv'));
    const X: Table = table.drop(['y']);
    const y = table.numeric('y');
    const model = new Ridge({ alpha }).fit(X, y);
    const rmse = rootMeanSquaredError(y, model.predict(X) as Float64Array);
    await run.logParam('alpha', alpha);
    await run.logMetric('rmse', rmse);
    const out = mkdtempSync(join(dir, 'pkg-'));
    await saveModel(join(out, 'model.mlship'), model, { metrics: { rmse } });
    await run.logArtifact(join(out, 'model.mlship'), 'model');
    return { runId: run.runId, rmse };
  });
}

describe('MlshipClient (built package)', () => {
  it('records a versioned dataset read inside a run, registers, gates, rolls back and traces lineage', async () => {
    const added = await addData('data/train.csv', { root: dir });
    const sha = added.pointer.sha256;
    expect(sha).toMatch(/^[0-9a-f]{64}$/);

    const good = await train(0.01);
    const bad = await train(5000);
    expect(bad.rmse).toBeGreaterThan(good.rmse);

    const run = await client.tracking.getRun(good.runId);
    expect(run.info.status).toBe('FINISHED');
    expect(run.inputs).toHaveLength(1);
    expect(run.inputs[0]).toMatchObject({ name: 'train.csv', digest: sha, rowCount: 300, context: 'training', source: join(dir, 'data', 'train.csv') });
    expect(run.inputs[0]!.schema).toEqual([
      { name: 'x1', kind: expect.any(String) },
      { name: 'x2', kind: expect.any(String) },
      { name: 'y', kind: expect.any(String) },
    ]);

    const v1 = await client.registerModel(`runs:/${good.runId}/model`, 'e2e-housing');
    const v2 = await client.registerModel(`runs:/${bad.runId}/model`, 'e2e-housing');
    expect((await client.promote('e2e-housing', v1.version, { metric: 'rmse' })).promoted).toBe(true);
    const gate = await client.promote('e2e-housing', v2.version, { metric: 'rmse' });
    expect(gate.promoted).toBe(false);
    expect(gate.message).toMatch(/worse/);
    const forced = await client.promote('e2e-housing', v2.version, { metric: 'rmse', force: true, reason: 'e2e' });
    expect(forced).toMatchObject({ promoted: true, forced: true });
    expect(await client.rollback('e2e-housing')).toMatchObject({ action: 'rollback', version: v1.version });

    const resolved = await client.resolveModelUri('models:/e2e-housing@champion');
    expect(resolved).toMatchObject({ name: 'e2e-housing', version: v1.version, runId: good.runId });
    const { estimator, metadata } = await loadModel(resolved.path);
    expect(metadata.metrics).toEqual({ rmse: good.rmse });
    const table = await readTable(join(dir, 'data', 'train.csv'));
    const preds = (estimator as Ridge).predict(table.drop(['y'])) as Float64Array;
    expect(rootMeanSquaredError(table.numeric('y'), preds)).toBeCloseTo(good.rmse, 10);

    const lineage = await client.modelVersionLineage('e2e-housing', v1.version);
    expect(lineage.datasets.map((d) => d.digest)).toEqual([sha]);
    expect(lineage.run?.data.params.alpha).toBe('0.01');
    expect(lineage.aliasHistory.map((c) => c.action)).toEqual(['rollback', 'force', 'promote']);
    const used = await client.datasetLineage(sha);
    expect(used.runs.map((r) => r.runId).sort()).toEqual([good.runId, bad.runId].sort());
    expect(used.modelVersions.map((m) => m.version).sort()).toEqual([v1.version, v2.version].sort());

    // Editing the data after `data add` makes the pointer stale: the read is recorded as unversioned.
    writeFileSync(join(dir, 'data', 'train.csv'), csv(310, 12));
    const edited = await train(0.01);
    const inputs = (await client.tracking.getRun(edited.runId)).inputs;
    expect(inputs[0]!.digest).toMatch(/^unversioned:[0-9a-f]{64}$/);
  });
});
