import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startIsolatedServer } from './server-supervisor.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function store(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlship-isolated-'));
  dirs.push(dir);
  return `sqlite://${dir}/mlship.db`;
}

describe('startIsolatedServer', () => {
  it('serves from a worker thread and closes cleanly', async () => {
    const server = await startIsolatedServer({ port: 0, trackingUri: store() });
    const res = await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`);
    expect(((await res.json()) as { experiment: { name: string } }).experiment.name).toBe('Default');
    await server.close();
    await expect(server.exited).resolves.toBeUndefined();
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  }, 30_000);

  it('reports a failure to start (the port is taken) as the error', async () => {
    const first = await startIsolatedServer({ port: 0, trackingUri: store() });
    const port = Number(new URL(first.url).port);
    await expect(startIsolatedServer({ port, trackingUri: store() })).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringMatching(/already in use/) });
    await first.close();
  }, 30_000);

  it('restarts the server on the same address when a request exhausts its heap, and keeps serving', async () => {
    const reasons: Error[] = [];
    const server = await startIsolatedServer({ port: 0, trackingUri: store(), maxHeapMb: 64, onRestart: (r) => reasons.push(r) });
    const run = (await (await fetch(`${server.url}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { run: { info: { runId: string } } };
    const runId = run.run.info.runId;
    // ~15 MB of JSON that becomes ~100 MB of objects: more than a 64 MB heap.
    const metrics = Array.from({ length: 200_000 }, (_, i) => ({ key: `k${i % 50}`, value: i, step: i, timestamp: 1 }));
    await fetch(`${server.url}/api/v1/runs/${runId}/log-batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metrics, params: [], tags: [] }) }).catch(() => undefined);
    for (let i = 0; i < 100 && server.restarts === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(server.restarts).toBe(1);
    expect(reasons[0]!.message).toMatch(/ran out of memory \(heap limit 64 MB\)/);
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      ok = await fetch(`${server.url}/api/v1/runs/${runId}`).then((r) => r.ok, () => false);
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ok).toBe(true);
    await server.close();
  }, 60_000);
});
