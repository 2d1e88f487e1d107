import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MlshipClient } from '../tracking/index.js';
import type { Run } from '../tracking/index.js';
import { flow, task } from './index.js';
import { Recorder } from './recorder.js';
import type { TaskRecord } from './recorder.js';
import type { TaskContext } from './index.js';

let dir: string;
let client: MlshipClient;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-flow-record-'));
  client = await MlshipClient.open({ trackingUri: `sqlite://${dir}/mlship.db` });
});
afterEach(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function runsOf(experiment: string): Promise<Run[]> {
  const exp = await client.tracking.getExperimentByName(experiment);
  expect(exp).not.toBeNull();
  return client.tracking.searchAllRuns({ experimentIds: [exp!.experimentId] });
}

describe('recording in the tracking store', () => {
  it('records the flow run with its state and each task run as a child run', async () => {
    let calls = 0;
    const flaky = task(
      () => {
        if (++calls === 1) throw new Error('first attempt fails');
        return 1;
      },
      { name: 'flaky', retries: 1 },
    );
    const boom = task(
      () => {
        throw new Error('boom: the input file is empty');
      },
      { name: 'boom' },
    );
    const f = flow(
      async () => {
        await flaky();
        await boom().catch(() => undefined);
        return 'done';
      },
      { name: 'train', client },
    );
    const run = f.start();
    expect(await run.result()).toBe('done');
    const runs = await runsOf('flows');
    expect(runs).toHaveLength(3);
    const flowRun = runs.find((r) => r.info.parentRunId === null)!;
    expect(flowRun.info.runId).toBe(run.trackingRun!.runId);
    expect(flowRun.info.status).toBe('FINISHED');
    expect(flowRun.info.runName).toBe(run.name);
    expect(flowRun.data.tags['mlship.flow']).toBe('train');
    expect(flowRun.data.tags['mlship.state']).toBe('Completed');
    expect(flowRun.data.metrics.task_runs?.value).toBe(2);

    const byName = new Map(runs.filter((r) => r.info.parentRunId === flowRun.info.runId).map((r) => [r.info.runName, r]));
    const ok = byName.get('flaky-1')!;
    expect(ok.info.status).toBe('FINISHED');
    expect(ok.data.tags['mlship.state']).toBe('Completed');
    expect(ok.data.tags['mlship.task']).toBe('flaky');
    expect(ok.data.metrics.attempts?.value).toBe(2);
    expect(ok.data.metrics.duration_ms?.value).toBeGreaterThanOrEqual(0);
    expect(ok.info.endTime).not.toBeNull();
    const failed = byName.get('boom-1')!;
    expect(failed.info.status).toBe('FAILED');
    expect(failed.data.tags['mlship.state']).toBe('Failed');
    expect(failed.data.tags['mlship.error']).toBe('Error: boom: the input file is empty');
  });

  it('records failed, timed-out and cancelled flows with their states, in the chosen experiment', async () => {
    const slow = task(
      async function (this: TaskContext) {
        await new Promise((_r, reject) => this.signal.addEventListener('abort', () => reject(this.signal.reason)));
      },
      { name: 'slow' },
    );
    const failing = flow(
      async () => {
        throw new Error('bad params');
      },
      { name: 'failing', client, experiment: 'nightly' },
    );
    const timing = flow(async () => slow(), { name: 'timing', client, experiment: 'nightly', timeoutMs: 20 });
    const cancelled = flow(async () => slow(), { name: 'cancelled', client, experiment: 'nightly' }).start();
    await failing().catch(() => undefined);
    await timing().catch(() => undefined);
    setTimeout(() => cancelled.cancel(), 20);
    await cancelled.wait();
    const runs = await runsOf('nightly');
    const top = new Map(runs.filter((r) => r.info.parentRunId === null).map((r) => [r.data.tags['mlship.flow'], r]));
    expect(top.get('failing')!.info.status).toBe('FAILED');
    expect(top.get('failing')!.data.tags['mlship.state']).toBe('Failed');
    expect(top.get('failing')!.data.tags['mlship.error']).toBe('Error: bad params');
    expect(top.get('timing')!.info.status).toBe('FAILED');
    expect(top.get('timing')!.data.tags['mlship.state']).toBe('TimedOut');
    expect(top.get('cancelled')!.info.status).toBe('KILLED');
    expect(top.get('cancelled')!.data.tags['mlship.state']).toBe('Cancelled');
    const children = runs.filter((r) => r.info.parentRunId !== null);
    expect(children.map((r) => r.data.tags['mlship.state']).sort()).toEqual(['Cancelled', 'Cancelled']);
    expect(children.every((r) => r.info.status === 'KILLED')).toBe(true);
  });

  it('records a subflow run as a child of its parent flow run, with its own task runs', async () => {
    const inc = task((x: number) => x + 1, { name: 'inc' });
    const child = flow(async (x: number) => inc(x), { name: 'child' });
    const parent = flow(async () => child(await inc(0)), { name: 'parent', client });
    const run = parent.start();
    expect(await run.result()).toBe(2);
    const runs = await runsOf('flows');
    const parentRun = runs.find((r) => r.data.tags['mlship.flow'] === 'parent' && r.data.tags['mlship.type'] === 'flow')!;
    const childRun = runs.find((r) => r.data.tags['mlship.flow'] === 'child' && r.data.tags['mlship.type'] === 'flow')!;
    expect(childRun.info.parentRunId).toBe(parentRun.info.runId);
    expect(childRun.info.runId).toBe(run.subflowRuns[0]!.trackingRun!.runId);
    const tasksOfChild = runs.filter((r) => r.info.parentRunId === childRun.info.runId);
    expect(tasksOfChild.map((r) => r.info.runName)).toEqual(['inc-1']);
    const tasksOfParent = runs.filter((r) => r.info.parentRunId === parentRun.info.runId && r.data.tags['mlship.type'] === 'task');
    expect(tasksOfParent.map((r) => r.info.runName)).toEqual(['inc-1']);
  });

  it('records Cached task runs', async () => {
    const t = task((x: number) => x * 2, { name: 'double', cache: true, cacheStorage: join(dir, 'cache') });
    const f = flow(async () => t(21), { name: 'cached', client });
    await f();
    await f();
    const states = (await runsOf('flows')).filter((r) => r.data.tags['mlship.type'] === 'task').map((r) => r.data.tags['mlship.state']);
    expect(states.sort()).toEqual(['Cached', 'Completed']);
  });

  it('does not record without a client, or with record: false', async () => {
    const t = task(() => 1, { name: 'one' });
    await flow(async () => t(), { record: false, client })();
    await flow(async () => t())();
    expect(await client.tracking.getExperimentByName('flows')).toBeNull();
  });

  it('records through MLSHIP_TRACKING_URI when no client is given, unless record is false', async () => {
    const before = process.env.MLSHIP_TRACKING_URI;
    process.env.MLSHIP_TRACKING_URI = `sqlite://${dir}/mlship.db`;
    try {
      const t = task(() => 1, { name: 'one' });
      await flow(async () => t(), { name: 'from-env', record: false })();
      expect(await client.tracking.getExperimentByName('flows')).toBeNull();
      const run = flow(async () => t(), { name: 'from-env' }).start();
      await run.result();
      expect(run.trackingRun).not.toBeNull();
      const runs = await runsOf('flows');
      expect(runs.map((r) => r.data.tags['mlship.type']).sort()).toEqual(['flow', 'task']);
    } finally {
      if (before === undefined) delete process.env.MLSHIP_TRACKING_URI;
      else process.env.MLSHIP_TRACKING_URI = before;
    }
  });

  it('writes three statements per task run when it is seen running (create Running, then end), two when created ended', async () => {
    const calls: string[] = [];
    const store = new Proxy(client.tracking, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.push(String(key));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const experimentId = await client.tracking.getOrCreateExperiment('flows');
    const parent = await client.tracking.createRun({ experimentId });
    const recorder = new Recorder(store, experimentId, parent.info.runId, 'writes', async () => {});
    const rec = (name: string, state: TaskRecord['state'], ended: boolean): TaskRecord => ({
      name,
      task: name,
      state,
      attempts: 1,
      startTime: Date.now(),
      endTime: ended ? Date.now() : null,
      durationMs: ended ? 1 : null,
      error: state === 'Failed' ? new Error('bad input') : undefined,
      cacheKey: null,
      logs: null,
    });
    // a slow task: its start is written (visible) before it ends
    const slow = recorder.begin(rec('slow', 'Running', false));
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual(['createRun']);
    const live = (await client.tracking.searchAllRuns({ experimentIds: [experimentId], filter: "tags.`mlship.task` = 'slow'" }))[0]!;
    expect([live.info.status, live.data.tags['mlship.state']]).toEqual(['RUNNING', 'Running']);
    recorder.end(slow, rec('slow', 'Failed', true));
    await recorder.flush();
    expect(calls).toEqual(['createRun', 'logBatch', 'updateRun']);
    // a fast task ends before its start was written; a cached one never started: created ended, with
    // their final tags (two statements each)
    calls.length = 0;
    const fast = recorder.begin(rec('fast', 'Running', false));
    recorder.end(fast, rec('fast', 'Completed', true));
    recorder.end(null, rec('cached', 'Cached', true));
    await recorder.flush();
    expect(calls).toEqual(['createRun', 'logBatch', 'createRun', 'logBatch']);
    const runs = new Map((await client.tracking.searchAllRuns({ experimentIds: [experimentId] })).map((r) => [r.data.tags['mlship.task'], r]));
    expect([runs.get('slow')!.info.status, runs.get('slow')!.data.tags['mlship.state'], runs.get('slow')!.data.tags['mlship.error']]).toEqual(['FAILED', 'Failed', 'Error: bad input']);
    expect([runs.get('fast')!.info.status, runs.get('fast')!.data.tags['mlship.state']]).toEqual(['FINISHED', 'Completed']);
    expect([runs.get('cached')!.info.status, runs.get('cached')!.data.tags['mlship.state']]).toEqual(['FINISHED', 'Cached']);
    expect(runs.get('fast')!.data.metrics.attempts?.value).toBe(1);
    expect(runs.get('fast')!.info.endTime).toBeGreaterThanOrEqual(runs.get('fast')!.info.startTime);
  });

  it('links the runs a flow creates to the flow run and task run that created them', async () => {
    const train = task(
      async (alpha: number) => client.withRun({ experimentName: 'models', runName: `alpha-${alpha}` }, async (r) => {
        await r.logMetric('alpha', alpha);
        return r.runId;
      }),
      { name: 'train' },
    );
    const f = flow(
      async () => {
        const ids = await Promise.all([train(0.1), train(1)]);
        const summary = await client.withRun({ nested: true, runName: 'summary' }, (r) => r.runId);
        return [...ids, summary];
      },
      { name: 'linked', client },
    );
    const run = f.start();
    const [a, b, summary] = await run.result();
    const flowRunId = run.trackingRun!.runId;
    const ra = await client.tracking.getRun(a!);
    expect(ra.data.tags['mlship.sourceFlowRun']).toBe(flowRunId);
    expect(ra.data.tags['mlship.sourceTaskRun']).toBe('train-1');
    expect((await client.tracking.getRun(b!)).data.tags['mlship.sourceTaskRun']).toBe('train-2');
    // created in the flow body (not a task): linked to the flow run only, and nested under it as asked
    const rs = await client.tracking.getRun(summary!);
    expect(rs.data.tags['mlship.sourceFlowRun']).toBe(flowRunId);
    expect(rs.data.tags['mlship.sourceTaskRun']).toBeUndefined();
    expect(rs.info.parentRunId).toBe(flowRunId);
    const found = await client.tracking.searchAllRuns({ experimentIds: [ra.info.experimentId], filter: `tags.\`mlship.sourceFlowRun\` = '${flowRunId}'` });
    expect(found.map((r) => r.info.runName).sort()).toEqual(['alpha-0.1', 'alpha-1']);
    // outside a flow, nothing is added
    const plain = await client.withRun({ experimentName: 'models' }, (r) => r.runId);
    expect((await client.tracking.getRun(plain)).data.tags['mlship.sourceFlowRun']).toBeUndefined();
  });

  it('records a 300-task flow with little overhead per task', async () => {
    const noop = task((i: number) => i, { name: 'noop' });
    const f = flow(
      async () => {
        for (let i = 0; i < 300; i++) await noop(i);
      },
      { name: 'overhead', client },
    );
    const t0 = performance.now();
    await f();
    const perTask = (performance.now() - t0) / 300;
    const runs = await runsOf('flows');
    expect(runs.filter((r) => r.data.tags['mlship.type'] === 'task')).toHaveLength(300);
    // generous bound for a shared CI machine; the benchmark measures the median (see the report)
    expect(perTask).toBeLessThan(10);
  });
});
