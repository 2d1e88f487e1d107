// The tracking server over real HTTP on 127.0.0.1: startServer from the public `mlship/serve`
// export (mlship's API, the MLflow API, OpenAPI), and the built `mlship server` command (URL on
// stdout, graceful stop on SIGTERM and SIGINT with the store left readable).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from 'mlship/serve';
import { MlshipClient } from 'mlship/tracking';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-server-e2e-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}
const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('startServer (mlship/serve)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, trackingUri: `sqlite://${join(dir, 'api', 'mlship.db')}`, artifactRoot: join(dir, 'api', 'artifacts') });
  });
  afterAll(async () => server?.close());

  it('listens on 127.0.0.1 and serves both APIs', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await json(`${server.url}/health`)).toEqual({ status: 200, body: { status: 'ok' } });

    const run = await json(`${server.url}/api/v1/runs`, post({ experimentName: 'e2e', runName: 'http' }));
    expect(run.status).toBe(201);
    const runId = run.body.run.info.runId as string;
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), step: i }));
    expect((await json(`${server.url}/api/v1/runs/${runId}/log-batch`, post({ metrics, params: [{ key: 'lr', value: 0.1 }] }))).status).toBe(200);
    // Concurrent single calls on keep-alive connections.
    const calls = await Promise.all(Array.from({ length: 50 }, (_, i) => json(`${server.url}/api/v1/runs/${runId}/metrics`, post({ key: 'acc', value: i / 50, step: i }))));
    expect(calls.every((c) => c.status === 200)).toBe(true);
    const upload = await fetch(`${server.url}/api/v1/runs/${runId}/artifacts/notes/readme.txt`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: 'hello artifacts' });
    expect(upload.status).toBe(201);
    expect(await (await fetch(`${server.url}/api/v1/runs/${runId}/artifacts/notes/readme.txt`)).text()).toBe('hello artifacts');

    // The MLflow API sees the same run.
    const viaMlflow = await json(`${server.url}/api/2.0/mlflow/runs/get?run_id=${runId}`);
    expect(viaMlflow.body.run.info).toMatchObject({ run_id: runId, run_name: 'http' });
    const history = await json(`${server.url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=acc`);
    expect(history.body.metrics).toHaveLength(50);
    const search = await json(`${server.url}/api/2.0/mlflow/runs/search`, post({ experiment_ids: [run.body.run.info.experimentId], filter: 'metrics.loss < 0.01', order_by: ['metrics.acc DESC'] }));
    expect(search.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runId]);

    const openapi = await json(`${server.url}/api/v1/openapi.json`);
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(openapi.body.paths['/api/2.0/mlflow/runs/log-batch'].post).toBeDefined();
    expect(await json(`${server.url}/api/v1/runs/nope`)).toEqual({ status: 404, body: { error_code: 'NOT_FOUND', message: "no run with id 'nope'" } });
  });

  it('searches experiments, registered models and versions with the search language over HTTP', async () => {
    for (const [name, team] of [['e2e-nlp', 'nlp'], ['e2e-cv', 'cv'], ['e2e-ops', 'ops']]) expect((await json(`${server.url}/api/v1/experiments`, post({ name, tags: { team } }))).status).toBe(201);
    const q = new URLSearchParams([['filter', "name LIKE 'e2e-%' AND (tags.team = 'nlp' OR tags.team = 'ops')"], ['orderBy', 'name DESC']]);
    const mine = await json(`${server.url}/api/v1/experiments?${q.toString()}`);
    expect(mine.body.experiments.map((e: { name: string }) => e.name)).toEqual(['e2e-ops', 'e2e-nlp']);

    // MLflow's API takes the same filters: OR and parentheses, MLflow's key spellings.
    for (const v of [1, 2, 3]) expect((await json(`${server.url}/api/2.0/mlflow/model-versions/create`, post({ name: 'e2e-model', source: `/models/${v}` }))).status).toBe(200);
    const mq = new URLSearchParams([['filter', "name = 'e2e-model' AND (version_number = 1 OR source_path = '/models/3')"], ['order_by', 'version_number DESC']]);
    const versions = await json(`${server.url}/api/2.0/mlflow/model-versions/search?${mq.toString()}`);
    expect(versions.body.model_versions.map((v: { version: string }) => v.version)).toEqual(['3', '1']);
    const bad = await json(`${server.url}/api/2.0/mlflow/registered-models/search?filter=${encodeURIComponent("stage = 'prod'")}`);
    expect(bad).toEqual({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('tags.<key>') } });
  });

  it('says when the port is taken', async () => {
    const port = Number(new URL(server.url).port);
    await expect(startServer({ port, trackingUri: `sqlite://${join(dir, 'api2', 'mlship.db')}` })).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringContaining(`port ${port}`) });
  });
});

/** Starts `mlship server` and resolves with the URL it prints. */
function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, 'server', '--port', '0', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mlship server printed no URL in 15 s; stderr: ${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stderr: () => err });
      }
    });
    child.on('exit', (code) => reject(new Error(`mlship server exited with ${code}: ${err}`)));
  });
}

const exited = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => child.once('exit', (code) => resolve(code)));

describe('mlship server (built CLI)', () => {
  it('has --help with an example', () => {
    const r = spawnSync(process.execPath, [bin, 'server', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const flag of ['--host', '--port', '--tracking-uri', '--artifact-root', '--log', 'Examples:', '$ mlship server']) expect(r.stdout).toContain(flag);
  });

  it('rejects a bad port as a usage error', () => {
    const r = spawnSync(process.execPath, [bin, 'server', '--port', 'http'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('port number');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`serves until ${signal}, then closes gracefully with nothing lost`, async () => {
      const db = join(dir, `cli-${signal}`, 'mlship.db');
      const { child, url, stderr } = await startCli(['--host', '127.0.0.1', '--tracking-uri', `sqlite://${db}`, '--artifact-root', join(dir, `cli-${signal}`, 'artifacts')]);
      const created = await json(`${url}/api/2.0/mlflow/runs/create`, post({ experiment_id: '0', run_name: 'cli' }));
      const runId = created.body.run.info.run_id as string;
      expect((await json(`${url}/api/2.0/mlflow/runs/log-metric`, post({ run_id: runId, key: 'm', value: 1.5, timestamp: 1, step: 0 }))).status).toBe(200);
      const done = exited(child);
      child.kill(signal);
      expect(await done).toBe(0);
      expect(stderr()).toContain(`${signal}, closing`);
      expect(stderr()).toContain('stopped');
      const client = await MlshipClient.open({ trackingUri: `sqlite://${db}` });
      try {
        expect((await client.tracking.getRun(runId)).data.metrics.m?.value).toBe(1.5);
      } finally {
        await client.close();
      }
    });
  }
});
