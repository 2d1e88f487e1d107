import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/index.js';
import { MlshipClient, openPredictionStore, type PredictionRecord, type PredictionStore } from '../../tracking/index.js';
import { buildProfile, type ReferenceProfile } from '../profile/index.js';
import { startMonitoring, type AlertEvent, type RetrainContext } from './monitor.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T = Date.UTC(2026, 10, 20);
const predict = (x: number, z: number): number => 2 * x + z;

/** A real webhook receiver on 127.0.0.1. */
async function receiver(): Promise<{ url: string; events: AlertEvent[]; server: Server }> {
  const events: AlertEvent[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      events.push(JSON.parse(text) as AlertEvent);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, events, server };
}

describe('startMonitoring over a SQLite prediction log', () => {
  let dir: string;
  let store: PredictionStore;
  let profile: ReferenceProfile;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const rng = new Rng(11);
  let n = 0;

  /** Logs `count` predictions spread over [from, to): x ~ N(shift, 1), z ~ N(5, 2); labelled ones get y = p + bias. */
  async function logRows(from: number, to: number, count: number, shift: number, label?: { bias: number }): Promise<void> {
    const records: PredictionRecord[] = [];
    for (let i = 0; i < count; i++) {
      const x = rng.normal() + shift;
      const z = 5 + 2 * rng.normal();
      records.push({ requestId: `r${n++}`, modelName: 'houses', modelVersion: '1', modelUri: 'models:/houses/1', timestamp: from + Math.floor(((to - from) * i) / count), latencyMs: 1, inputs: { x, z }, outputs: { prediction: predict(x, z) } });
    }
    await store.logPredictions(records);
    if (label) await store.logLabels(records.map((r) => ({ requestId: r.requestId, label: (r.outputs as { prediction: number }).prediction + label.bias })));
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlship-watch-'));
    store = await openPredictionStore(`sqlite://${join(dir, 'mlship.db')}`);
    const x: number[] = [];
    const z: number[] = [];
    for (let i = 0; i < 1000; i++) {
      x.push(rng.normal());
      z.push(5 + 2 * rng.normal());
    }
    const p = x.map((v, i) => predict(v, z[i]!));
    profile = buildProfile({ task: 'regression', columns: { x, z }, predictions: p, target: p, metrics: { rmse: 0.1, mae: 0.08 } });
    hook = await receiver();
  });

  afterAll(async () => {
    hook.server.closeAllConnections();
    await new Promise((r) => hook.server.close(r));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('alerts once per incident, stays silent while it goes on, resolves, and respects the cooldown', async () => {
    let clock = T;
    const logs: string[] = [];
    const retrains: RetrainContext[] = [];
    const monitor = startMonitoring({
      model: 'houses',
      window: '1h',
      every: '1h',
      predictions: store,
      profile,
      thresholds: { max: { rmse: 1 } },
      alerts: { webhook: hook.url, cooldown: '3h', log: (l) => logs.push(l) },
      policy: {
        on: ['dataset_drift'],
        retrain: async (ctx) => {
          retrains.push(ctx);
          return { state: 'Completed', version: 2, modelUri: 'models:/houses/2', promoted: false, message: 'rmse 0.12 does not beat the champion (version 1) 0.10' };
        },
      },
      runImmediately: false,
      now: () => clock,
    });
    try {
      // hour 1: like the reference
      await logRows(T, T + HOUR, 600, 0);
      clock = T + HOUR;
      let check = await monitor.checkNow();
      expect(check.status).toBe('ok');
      expect(check.rows).toBe(600);
      expect([check.from, check.to]).toEqual([T, T + HOUR]);
      expect(check.result!.drift.drift).toBe(false);
      expect(check.conditions).toEqual([]);
      expect(check.alerts).toEqual([]);
      expect(monitor.metricsText()).toContain('mlship_dataset_drift{model="houses"} 0\n');

      // hour 2: x shifted by 3 (1 of 2 columns: share 0.5 = dataset drift), predictions drift, labels 3 off
      await logRows(T + HOUR, T + 2 * HOUR, 600, 3, { bias: 3 });
      clock = T + 2 * HOUR;
      check = await monitor.checkNow();
      expect(check.status).toBe('ok');
      expect(check.conditions.map((c) => c.key)).toEqual(['dataset_drift', 'prediction_drift', 'quality:rmse:max']);
      expect(check.alerts).toHaveLength(1);
      expect(hook.events).toHaveLength(1);
      const firing = hook.events[0]!;
      expect(firing.event).toBe('firing');
      expect(firing.model).toBe('houses');
      expect(firing.conditions.map((c) => c.key)).toEqual(['dataset_drift', 'prediction_drift', 'quality:rmse:max']);
      expect(firing.drift.driftedColumns).toEqual(['x']);
      expect(firing.window).toMatchObject({ rows: 600, labelled: 600, from: new Date(T + HOUR).toISOString(), to: new Date(T + 2 * HOUR).toISOString() });
      expect(firing.quality!.metrics.rmse).toBeCloseTo(3, 9);
      // one retraining for the incident, recorded in the alert
      expect(retrains).toHaveLength(1);
      expect(retrains[0]!.conditions.map((c) => c.key)).toEqual(['dataset_drift']);
      expect(firing.retrain).toEqual({ state: 'Completed', version: 2, modelUri: 'models:/houses/2', promoted: false, message: 'rmse 0.12 does not beat the champion (version 1) 0.10' });
      expect(logs.some((l) => l.includes('ALERT dataset drift: 1 of 2 columns drifted'))).toBe(true);
      expect(logs.some((l) => l.includes('retraining Completed: registered models:/houses/2, not promoted'))).toBe(true);
      const metrics = monitor.metricsText();
      expect(metrics).toContain('mlship_dataset_drift{model="houses"} 1\n');
      expect(metrics).toContain('mlship_drift_share{model="houses"} 0.5\n');
      expect(metrics).toMatch(/mlship_column_drift_score\{model="houses",column="x",method="ks"\} [0-9.e-]+\n/);
      expect(metrics).toMatch(/mlship_model_quality\{model="houses",metric="rmse"\} 3(\.0+\d*)?\n|mlship_model_quality\{model="houses",metric="rmse"\} 2\.9999\d+\n/);
      expect(metrics).toContain('mlship_monitor_window_rows{model="houses"} 600\n');
      expect(metrics).toContain(`mlship_monitor_last_check_timestamp_seconds{model="houses"} ${(T + 2 * HOUR) / 1000}\n`);
      expect(metrics).toContain('mlship_monitor_alerts_active{model="houses"} 3\n');

      // one minute later: the same incident goes on, nothing is sent
      clock = T + 2 * HOUR + MIN;
      check = await monitor.checkNow();
      expect(check.conditions.length).toBe(3);
      expect(check.alerts).toEqual([]);
      expect(hook.events).toHaveLength(1);
      expect(retrains).toHaveLength(1);

      // hour 3: back to normal, unlabelled: everything clears, one resolved event
      await logRows(T + 2 * HOUR + MIN, T + 3 * HOUR + MIN, 600, 0);
      clock = T + 3 * HOUR + MIN;
      check = await monitor.checkNow();
      expect(check.conditions).toEqual([]);
      expect(hook.events).toHaveLength(2);
      const resolved = hook.events[1]!;
      expect(resolved.event).toBe('resolved');
      expect(resolved.conditions.map((c) => [c.key, c.durationMs])).toEqual([
        ['dataset_drift', HOUR + MIN],
        ['prediction_drift', HOUR + MIN],
        ['quality:rmse:max', HOUR + MIN],
      ]);
      expect(monitor.incidents()).toEqual([]);

      // the shift comes back within the 3 h cooldown of the alert: logged, not sent, no retraining
      await logRows(T + 3 * HOUR + MIN, T + 4 * HOUR + MIN, 600, 3);
      clock = T + 4 * HOUR + MIN;
      check = await monitor.checkNow();
      expect(check.conditions.map((c) => c.key)).toEqual(['dataset_drift', 'prediction_drift']);
      expect(check.alerts).toEqual([]);
      expect(check.suppressed.map((c) => c.key)).toEqual(['dataset_drift', 'prediction_drift']);
      expect(hook.events).toHaveLength(2);
      expect(retrains).toHaveLength(1);
      expect(logs.some((l) => l.includes('within the 3h cooldown of its last alert: not sent'))).toBe(true);
      expect(monitor.latest()).toBe(check);
    } finally {
      await monitor.stop();
    }
  });

  it('skips a window with too few rows and reports a failing check without stopping', async () => {
    const logs: string[] = [];
    const monitor = startMonitoring({ model: 'houses', window: '1h', every: '1h', predictions: store, profile, minRows: 50, runImmediately: false, now: () => T - HOUR, alerts: { log: (l) => logs.push(l) } });
    const skipped = await monitor.checkNow();
    expect(skipped.status).toBe('skipped');
    expect(skipped.rows).toBe(0);
    await monitor.stop();

    const other = await openPredictionStore(`sqlite://${join(dir, 'other.db')}`);
    await other.close(); // a closed store: every read fails
    const failing = startMonitoring({ model: 'houses', window: '1h', every: '1h', predictions: other, profile, runImmediately: false, alerts: { log: (l) => logs.push(l) } });
    const a = await failing.checkNow();
    const b = await failing.checkNow();
    expect(a.status).toBe('error');
    expect(b.status).toBe('error');
    expect(a.error).toBeTruthy();
    expect(logs.filter((l) => l.includes('check failed')).length).toBe(1); // one line per distinct error
    expect(failing.metricsText()).toContain('mlship_monitor_checks_total{model="houses",outcome="error"} 2\n');
    await failing.stop();
  });

  it('keeps the gauges of the last window compared through a skipped check, and says when that window ended', async () => {
    let clock = T + 2 * HOUR;
    const monitor = startMonitoring({ model: 'houses', window: '1h', every: '1h', predictions: store, profile, minRows: 50, runImmediately: false, now: () => clock, alerts: { log: () => undefined } });
    try {
      // [T + 1h, T + 2h) holds 600 labelled rows with x shifted, logged by the first test
      expect((await monitor.checkNow()).status).toBe('ok');
      clock = T + 10 * HOUR; // an empty window: skipped
      expect((await monitor.checkNow()).status).toBe('skipped');
      const metrics = monitor.metricsText();
      expect(metrics).toContain('mlship_dataset_drift{model="houses"} 1\n');
      expect(metrics).toContain('mlship_monitor_window_rows{model="houses"} 0\n');
      expect(metrics).toContain('mlship_monitor_window_labelled{model="houses"} 600\n');
      expect(metrics).toContain('mlship_monitor_checks_total{model="houses",outcome="skipped"} 1\n');
      expect(metrics).toContain(`mlship_monitor_last_check_timestamp_seconds{model="houses"} ${(T + 10 * HOUR) / 1000}\n`);
      expect(metrics).toContain(`mlship_monitor_last_compared_timestamp_seconds{model="houses"} ${(T + 2 * HOUR) / 1000}\n`);
    } finally {
      await monitor.stop();
    }
  });

  it('checks on its schedule (the flow scheduler) until stopped', async () => {
    const seen: number[] = [];
    const monitor = startMonitoring({ model: 'houses', window: '1h', every: 200, predictions: store, profile, now: () => T + HOUR, onCheck: (c) => seen.push(c.rows), alerts: { log: () => undefined } });
    await new Promise((r) => setTimeout(r, 750));
    await monitor.stop();
    const count = seen.length;
    expect(count).toBeGreaterThanOrEqual(3); // one at start, then every 200 ms
    expect(seen.every((rows) => rows === 600)).toBe(true);
    expect(monitor.nextCheck()).toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.length).toBe(count);
  });

  it('records each check as a flow run with its task runs when asked', async () => {
    const client = await MlshipClient.open({ trackingUri: `sqlite://${join(dir, 'mlship.db')}` });
    try {
      const monitor = startMonitoring({ model: 'houses', window: '1h', every: '1h', predictions: store, client, profile, record: true, runImmediately: false, now: () => T + HOUR, alerts: { log: () => undefined } });
      expect((await monitor.checkNow()).status).toBe('ok');
      await monitor.stop();
      const exp = await client.tracking.getExperimentByName('monitoring');
      expect(exp).not.toBeNull();
      const runs = await client.tracking.searchAllRuns({ experimentIds: [exp!.experimentId] });
      const flows = runs.filter((r) => r.data.tags['mlship.type'] === 'flow');
      expect(flows.map((r) => [r.data.tags['mlship.flow'], r.data.tags['mlship.state']])).toEqual([['monitor-houses', 'Completed']]);
      const tasks = runs.filter((r) => r.data.tags['mlship.type'] === 'task');
      expect(tasks.map((r) => [r.data.tags['mlship.flow'], r.data.tags['mlship.task']]).sort()).toEqual([
        ['monitor-houses', 'compare-window'],
        ['monitor-houses', 'count-window'],
      ]);
    } finally {
      await client.close();
    }
  });

  it('rejects bad options with the field named', () => {
    expect(() => startMonitoring({ model: 'houses', window: '1 hour', every: '1m', predictions: store, profile })).toThrow(/window must be a positive duration/);
    expect(() => startMonitoring({ model: 'houses', window: '1h', every: '1m', predictions: store })).toThrow(/give a client/);
    expect(() => startMonitoring({ model: 'houses', window: '1h', every: '1m', predictions: store, profile, alerts: { webhook: 'localhost:9000' } })).toThrow(/webhook must be an http/);
  });
});
