// Monitoring end to end: a registry model trained by the housing reference flow (with its
// reference profile), served by startModelServer with the prediction log on a temporary SQLite
// store and the in-process monitor on; simulated traffic (unshifted, then shifted, with labels)
// through `mlship monitor simulate`; one monitoring check: drift detected, gauges on /metrics, one
// alert received by a real webhook on 127.0.0.1, carrying the retraining the policy started (the
// housing flow registers a new version that only the registry's gate may promote);
// `mlship monitor watch --once`; and `mlship serve --workers 2 --monitor`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, MonitorCheck } from '../monitor/index.js';
import { startModelServer, type RunningModelServer } from '../serve/index.js';
import { MlshipClient } from '../tracking/index.js';
import { runHousingRegression } from './examples/housing-regression.js';
import type { CliIo } from './io.js';
import { run } from './main.js';
import { referenceRetrainPolicy, watchModel } from './monitor-watch-commands.js';
import { EventEmitter } from 'node:events';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let dir = '';
let trackingUri = '';
let client: MlshipClient;
let server: RunningModelServer;
let hook: Server;
const events: AlertEvent[] = [];
let hookUrl = '';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: dir, env: {} };
  const code = await run(argv, io);
  return { code, out, err };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-monitor-e2e-'));
  trackingUri = `sqlite://${dir}/mlship.db`;
  client = await MlshipClient.open({ trackingUri });
  const trained = await runHousingRegression({ client, modelName: 'housing', cwd: dir, cacheStorage: join(dir, 'cache') });
  expect(trained.state).toBe('Completed');
  expect(trained.promotion?.promoted).toBe(true);
  hook = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      events.push(JSON.parse(text) as AlertEvent);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
  server = await startModelServer({
    models: ['models:/housing@champion'],
    port: 0,
    trackingUri,
    onEvent: () => undefined,
    monitor: {
      window: '10m',
      every: '1h',
      runImmediately: false,
      minRows: 50,
      thresholds: { max: { rmse: 8 } },
      alerts: { webhook: hookUrl, log: () => undefined },
      policy: referenceRetrainPolicy('housing-regression', client, { cwd: dir, cacheStorage: join(dir, 'cache') }),
    },
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (hook) {
    hook.closeAllConnections();
    await new Promise((r) => hook.close(r));
  }
  await client?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('monitoring a served model end to end', () => {
  it('simulated shifted traffic is detected as drift by one check, exported on /metrics and alerted once', async () => {
    expect(server.monitors.map((m) => m.model)).toEqual(['housing']);
    const sim = await cli('monitor', 'simulate', '--url', server.url, '--rate', '150', '--duration', '4s', '--shift', '0.8', '--baseline', '0.25', '--labels', '--json');
    expect(sim.code, sim.err).toBe(0);
    const r = JSON.parse(sim.out) as { model: string; kind: string; dataset: string; sent: number; failed: number; labelled: number; phases: { phase: string; sent: number }[] };
    expect(r).toMatchObject({ model: 'housing', kind: 'tabular', dataset: 'boston-housing', failed: 0 });
    expect(r.sent).toBeGreaterThan(400);
    expect(r.labelled).toBe(r.sent);
    expect(r.phases.map((p) => p.phase)).toEqual(['baseline', 'shifted']);
    expect(r.phases[1]!.sent).toBeGreaterThan(r.phases[0]!.sent);
    expect(sim.err).toContain('mlship monitor simulate:');

    await server.predictionLog!.flush();
    const check = await server.monitors[0]!.checkNow();
    expect(check.status).toBe('ok');
    expect(check.rows).toBe(r.sent);
    const drift = check.result!.drift;
    expect(drift.drift).toBe(true);
    expect(drift.driftedColumns).toBeGreaterThanOrEqual(6);
    expect(drift.columns.chas!.drift).toBe(false); // a category: never shifted
    expect(drift.prediction?.drift).toBe(true);
    expect(check.result!.quality!.labelled).toBe(r.sent);
    expect(events).toHaveLength(1);
    expect(events[0]!.event).toBe('firing');
    expect(events[0]!.model).toBe('housing');
    expect(events[0]!.conditions.map((c) => c.key)).toContain('dataset_drift');
    expect(events[0]!.window.rows).toBe(r.sent);
    // the policy ran the housing flow once: a new version, promoted only if the gate said so
    const retrain = events[0]!.retrain!;
    expect(retrain).toMatchObject({ state: 'Completed', version: 2, modelUri: 'models:/housing/2' });
    expect(retrain.message).toMatch(/rmse/);
    expect(check.retrain).toEqual(retrain);
    const champion = await client.resolveModelUri('models:/housing@champion');
    // same data and seed: the new version does not beat the champion's RMSE, and the gate keeps version 1
    expect(champion.version).toBe(retrain.promoted ? 2 : 1);
    expect(retrain.promoted).toBe(false);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('mlship_dataset_drift{model="housing"} 1\n');
    expect(metrics).toContain(`mlship_monitor_window_rows{model="housing"} ${r.sent}\n`);
    expect(metrics).toMatch(/mlship_column_drift_score\{model="housing",column="rm",method="ks"\} /);
    expect(metrics).toMatch(/mlship_model_quality\{model="housing",metric="rmse"\} [0-9.]+\n/);
    expect(metrics).toContain('mlship_http_requests_total{'); // the server's own metrics are still there

    // the incident goes on: a second check sends nothing and retrains nothing
    const again = await server.monitors[0]!.checkNow();
    expect(again.conditions.length).toBeGreaterThan(0);
    expect(again.retrain).toBeNull();
    expect(events).toHaveLength(1);
    expect((await client.registry.searchModelVersions({ name: 'housing' })).items.map((v) => v.version).sort()).toEqual([1, 2]);
  });

  it('mlship monitor watch --once checks the window and prints it', async () => {
    const res = await cli('monitor', 'watch', '--model', 'housing', '--window', '10m', '--once', '--json', '--tracking-uri', trackingUri);
    expect(res.code, res.err).toBe(0);
    const check = JSON.parse(res.out) as MonitorCheck;
    expect(check.status).toBe('ok');
    expect(check.result!.drift.drift).toBe(true);
    const text = await cli('monitor', 'watch', '--model', 'housing', '--window', '10m', '--once', '--tracking-uri', trackingUri);
    expect(text.out).toMatch(/housing \[10m window\] \d+ predictions \(\d+ labelled\); drift share [0-9.]+ \(\d+\/13, dataset drift\)/);
    const none = await cli('monitor', 'watch', '--model', 'nobody', '--once', '--tracking-uri', trackingUri);
    expect(none.out).toContain('0 predictions: too few to test, skipped');
  });

  it('mlship serve --workers 2 --monitor: the primary runs one monitor and its gauges join the summed /metrics', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', 'models:/housing@champion', '--workers', '2', '--port', '0', '--tracking-uri', trackingUri, '--monitor', '--monitor-window', '10m', '--monitor-every', '1s'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /mlship serve: listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
          if (m) resolve(m[1]!);
        });
        void exit.then((code) => reject(new Error(`mlship serve exited with ${code} before listening:\n${err}`)));
      });
      let metrics = '';
      for (let i = 0; i < 100 && !metrics.includes('mlship_dataset_drift{model="housing"}'); i++) {
        await new Promise((r) => setTimeout(r, 200));
        metrics = await (await fetch(`${url}/metrics`)).text();
      }
      expect(metrics).toContain('mlship_dataset_drift{model="housing"} 1\n');
      expect(metrics).toContain('mlship_workers 2\n');
      expect(metrics.match(/^# TYPE mlship_drift_share gauge$/gm)).toHaveLength(1);
      expect(err.match(/monitoring 'housing'/g)).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    }
  }, 90_000);

  it('mlship monitor watch serves its gauges on --metrics-port and stops on SIGINT', async () => {
    let out = '';
    let err = '';
    const io: CliIo = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, cwd: dir, env: {} };
    const signals = new EventEmitter();
    const watching = watchModel({ model: 'housing', window: 600_000, every: 60_000, cooldown: 1_800_000, resolved: true, minRows: 50, metricsHost: '127.0.0.1', metricsPort: 0, trackingUri }, io, signals);
    let url = '';
    for (let i = 0; i < 200 && !url; i++) {
      await new Promise((r) => setTimeout(r, 50));
      url = /gauges at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(err)?.[1] ?? '';
    }
    expect(url).not.toBe('');
    let text = '';
    for (let i = 0; i < 200 && !text.includes('mlship_dataset_drift'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      text = await (await fetch(url)).text();
    }
    expect(text).toContain('mlship_dataset_drift{model="housing"} 1\n');
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
    signals.emit('SIGINT');
    const last = await watching;
    expect(last?.status).toBe('ok');
    expect(out).toMatch(/housing \[10m window\] \d+ predictions/);
    expect(err).toContain('SIGINT, stopping');
    await expect(fetch(url)).rejects.toThrow(); // the gauges server is closed
  });
});
