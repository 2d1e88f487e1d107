import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MlshipClient } from '../tracking/index.js';
import type { Run } from '../tracking/index.js';
import { startHeartbeat } from './crash.js';
import { flow, markCrashedRuns, task } from './index.js';

let dir: string;
let uri: string;
let client: MlshipClient;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-flow-crash-'));
  uri = `sqlite://${dir}/mlship.db`;
  client = await MlshipClient.open({ trackingUri: uri });
});
afterEach(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function allRuns(): Promise<Run[]> {
  const exps = await client.tracking.searchExperiments({ maxResults: 1000 });
  return client.tracking.searchAllRuns({ experimentIds: exps.items.map((e) => e.experimentId) });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// ------------------------------------------------------------------ a flow in a child process

/**
 * The child: a recorded flow `pipeline` with a cached `prepare` task and a cached `train` task.
 * Mode `hang`: train prints `training` and sleeps for 10 minutes (the test kills the process).
 * Mode `fast`: train returns at once; the child prints `RESULT <json>` with the task run states.
 */
function writeChildScript(): string {
  const flowIndex = pathToFileURL(fileURLToPath(new URL('./index.ts', import.meta.url))).href;
  const trackingIndex = pathToFileURL(fileURLToPath(new URL('../tracking/index.ts', import.meta.url))).href;
  const script = join(dir, 'crash-child.mts');
  writeFileSync(
    script,
    `import { flow, task } from ${JSON.stringify(flowIndex)};
import { MlshipClient } from ${JSON.stringify(trackingIndex)};
const [uri, cacheDir, mode] = process.argv.slice(2);
const client = await MlshipClient.open({ trackingUri: uri });
const prepare = task((n: number) => Array.from({ length: n }, (_, i) => i * i), { name: 'prepare', cache: true });
const train = task(
  async (xs: number[]) => {
    if (mode === 'hang') {
      process.stdout.write('training\\n');
      await new Promise((r) => setTimeout(r, 600_000));
    }
    return xs.reduce((a, b) => a + b, 0);
  },
  { name: 'train', cache: true },
);
const pipeline = flow(async () => train(prepare(10)), { name: 'pipeline', client, cacheStorage: cacheDir });
const run = pipeline.start();
const value = await run.result();
process.stdout.write('RESULT ' + JSON.stringify({ value, state: run.state, runId: run.trackingRun?.runId, tasks: run.taskRuns.map((t) => [t.name, t.state]) }) + '\\n');
await client.close();
`,
  );
  return script;
}

interface Child {
  line: (prefix: string) => Promise<string>;
  kill: () => void;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startChild(script: string, mode: 'hang' | 'fast'): Child {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, script, uri, join(dir, 'cache'), mode], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let stdout = '';
  let stderr = '';
  const waiters: { prefix: string; resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const w of waiters.splice(0)) {
      const line = stdout.split('\n').find((l) => l.startsWith(w.prefix));
      if (line !== undefined) w.resolve(line);
      else waiters.push(w);
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`the child exited (${code ?? signal}) before printing '${w.prefix}': ${stderr}`));
      resolve({ code, signal, stderr });
    });
  });
  return {
    line: (prefix) =>
      new Promise((resolve, reject) => {
        waiters.push({ prefix, resolve, reject });
        check();
      }),
    kill: () => child.kill('SIGKILL'),
    done,
  };
}

/** Starts the child in `hang` mode, waits until its train task run is recorded Running, kills it -9. */
async function killMidFlow(script: string): Promise<{ flowRun: Run; prepareRun: Run; trainRun: Run }> {
  const child = startChild(script, 'hang');
  try {
    await child.line('training');
    // task runs are visible while they run: the recorder created train-1 when it started
    const trainRun = await until('train-1 recorded as Running', async () => (await allRuns()).find((r) => r.info.runName === 'train-1'));
    expect(trainRun.info.status).toBe('RUNNING');
    expect(trainRun.data.tags['mlship.state']).toBe('Running');
    expect(trainRun.info.endTime).toBeNull();
  } finally {
    child.kill();
  }
  const exit = await child.done;
  expect(exit.signal).toBe('SIGKILL');
  const runs = await allRuns();
  const flowRun = runs.find((r) => r.data.tags['mlship.type'] === 'flow')!;
  const prepareRun = runs.find((r) => r.info.runName === 'prepare-1')!;
  const trainRun = runs.find((r) => r.info.runName === 'train-1')!;
  // left behind by the dead process
  expect(flowRun.info.status).toBe('RUNNING');
  expect(flowRun.data.tags['mlship.state']).toBe('Running');
  expect(flowRun.data.tags['mlship.host']).toBe(hostname());
  expect(Number(flowRun.data.tags['mlship.pid'])).toBeGreaterThan(0);
  expect(Number(flowRun.data.tags['mlship.pid'])).not.toBe(process.pid);
  expect(Math.abs(Number(flowRun.data.tags['mlship.heartbeat']) - flowRun.info.startTime)).toBeLessThan(10_000);
  expect(prepareRun.info.status).toBe('FINISHED');
  expect(prepareRun.data.tags['mlship.state']).toBe('Completed');
  expect(trainRun.info.status).toBe('RUNNING');
  return { flowRun, prepareRun, trainRun };
}

describe('crash recovery', () => {
  it('marks the runs of a process killed -9 mid-flow Crashed (markCrashedRuns)', async () => {
    const script = writeChildScript();
    const { flowRun, trainRun } = await killMidFlow(script);
    const marked = await markCrashedRuns(client);
    expect(marked.flowRunIds).toEqual([flowRun.info.runId]);
    expect(marked.taskRunIds).toEqual([trainRun.info.runId]);
    const runs = new Map((await allRuns()).map((r) => [r.info.runName, r]));
    const f = runs.get(flowRun.info.runName)!;
    expect(f.info.status).toBe('FAILED');
    expect(f.data.tags['mlship.state']).toBe('Crashed');
    expect(f.data.tags['mlship.error']).toMatch(/^Crashed: process \d+ on host .* ended without ending this run$/);
    expect(f.info.endTime).not.toBeNull();
    const t = runs.get('train-1')!;
    expect(t.info.status).toBe('FAILED');
    expect(t.data.tags['mlship.state']).toBe('Crashed');
    expect(t.info.endTime).toBeGreaterThanOrEqual(t.info.startTime);
    const p = runs.get('prepare-1')!;
    expect(p.info.status).toBe('FINISHED');
    expect(p.data.tags['mlship.state']).toBe('Completed');
    // idempotent: nothing left to mark
    expect(await markCrashedRuns(client)).toEqual({ flowRunIds: [], taskRunIds: [] });
  }, 40_000);

  it('a re-run in a new process marks the killed run Crashed and resumes from the cached results', async () => {
    const script = writeChildScript();
    const killed = await killMidFlow(script);
    const rerun = startChild(script, 'fast');
    const line = await rerun.line('RESULT ');
    const exit = await rerun.done;
    expect(exit.code, exit.stderr).toBe(0);
    const result = JSON.parse(line.slice('RESULT '.length)) as { value: number; state: string; runId: string; tasks: [string, string][] };
    expect(result.value).toBe(285);
    expect(result.state).toBe('Completed');
    // prepare finished before the kill and was cached: reused; train never finished: run now
    expect(result.tasks).toEqual([
      ['prepare-1', 'Cached'],
      ['train-1', 'Completed'],
    ]);
    const runs = await allRuns();
    const old = runs.find((r) => r.info.runId === killed.flowRun.info.runId)!;
    expect(old.info.status).toBe('FAILED');
    expect(old.data.tags['mlship.state']).toBe('Crashed');
    expect(runs.find((r) => r.info.runId === killed.trainRun.info.runId)!.data.tags['mlship.state']).toBe('Crashed');
    const fresh = runs.find((r) => r.info.runId === result.runId)!;
    expect(fresh.info.status).toBe('FINISHED');
    expect(fresh.data.tags['mlship.state']).toBe('Completed');
    const children = runs.filter((r) => r.info.parentRunId === result.runId);
    expect(children.map((r) => [r.info.runName, r.data.tags['mlship.state'], r.info.status]).sort()).toEqual([
      ['prepare-1', 'Cached', 'FINISHED'],
      ['train-1', 'Completed', 'FINISHED'],
    ]);
  }, 40_000);
});

// ------------------------------------------------------------------ in-process

/** A flow run as another process would have recorded it, with one RUNNING task run. */
async function fakeFlowRun(tags: Record<string, string>, startTime = Date.now()): Promise<{ flowRunId: string; taskRunId: string }> {
  const experimentId = await client.tracking.getOrCreateExperiment('flows');
  const f = await client.tracking.createRun({ experimentId, runName: 'other-flow', startTime, tags: { 'mlship.type': 'flow', 'mlship.flow': 'other', 'mlship.state': 'Running', ...tags } });
  const t = await client.tracking.createRun({ experimentId, runName: 'step-1', startTime, parentRunId: f.info.runId, tags: { 'mlship.type': 'task', 'mlship.state': 'Running' } });
  return { flowRunId: f.info.runId, taskRunId: t.info.runId };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.on('close', r));
  return child.pid!;
}

describe('markCrashedRuns', () => {
  it('marks runs whose heartbeat is older than staleMs on any host, not fresh ones', async () => {
    const now = Date.now();
    const stale = await fakeFlowRun({ 'mlship.pid': '4242', 'mlship.host': 'another-host', 'mlship.heartbeat': String(now - 120_000) }, now - 600_000);
    const fresh = await fakeFlowRun({ 'mlship.pid': '4242', 'mlship.host': 'another-host', 'mlship.heartbeat': String(now - 1_000) }, now - 600_000);
    const marked = await markCrashedRuns(client, { staleMs: 60_000 });
    expect(marked).toEqual({ flowRunIds: [stale.flowRunId], taskRunIds: [stale.taskRunId] });
    const s = await client.tracking.getRun(stale.flowRunId);
    expect(s.info.status).toBe('FAILED');
    expect(s.data.tags['mlship.error']).toMatch(/no heartbeat for 120 s .*another-host/);
    expect(s.info.endTime).toBe(now - 120_000); // the last sign of life
    expect((await client.tracking.getRun(fresh.flowRunId)).info.status).toBe('RUNNING');
    expect((await client.tracking.getRun(fresh.taskRunId)).data.tags['mlship.state']).toBe('Running');
    // the default staleMs (10 minutes) keeps a 2-minute-old heartbeat alive
    await markCrashedRuns(client, { now: now + 60_000 });
    expect((await client.tracking.getRun(fresh.flowRunId)).info.status).toBe('RUNNING');
  });

  it('marks runs of a dead process on this host at once, and never the runs of the calling process', async () => {
    const pid = await deadPid();
    const dead = await fakeFlowRun({ 'mlship.pid': String(pid), 'mlship.host': hostname(), 'mlship.heartbeat': String(Date.now()) });
    const mine = await fakeFlowRun({ 'mlship.pid': String(process.pid), 'mlship.host': hostname(), 'mlship.heartbeat': '1' });
    const marked = await markCrashedRuns(client, { staleMs: 1 });
    expect(marked.flowRunIds).toEqual([dead.flowRunId]);
    expect((await client.tracking.getRun(dead.taskRunId)).data.tags['mlship.state']).toBe('Crashed');
    expect((await client.tracking.getRun(mine.flowRunId)).info.status).toBe('RUNNING');
  });

  it('marks a task run left RUNNING under a flow run that already ended', async () => {
    const orphan = await fakeFlowRun({ 'mlship.pid': String(process.pid), 'mlship.host': hostname(), 'mlship.heartbeat': String(Date.now()) });
    await client.tracking.updateRun(orphan.flowRunId, { status: 'FAILED' });
    const marked = await markCrashedRuns(client);
    expect(marked).toEqual({ flowRunIds: [], taskRunIds: [orphan.taskRunId] });
    const t = await client.tracking.getRun(orphan.taskRunId);
    expect(t.info.status).toBe('FAILED');
    expect(t.data.tags['mlship.error']).toBe('Crashed: its flow run ended while it was running');
  });

  it('rejects a bad staleMs', async () => {
    await expect(markCrashedRuns(client, { staleMs: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('staleMs') });
  });

  it('refreshes the heartbeat tag on a timer', async () => {
    const run = await client.tracking.createRun({ tags: { 'mlship.heartbeat': '1' } });
    const stop = startHeartbeat(client.tracking, run.info.runId, 10);
    try {
      await until('a heartbeat', async () => (Number((await client.tracking.getRun(run.info.runId)).data.tags['mlship.heartbeat']) > 1 ? true : undefined), 5_000);
    } finally {
      stop();
    }
  });
});

describe('live task runs', () => {
  it('records a task run Running when it starts and completes it when it ends; the flow run names its process', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const wait = task(async () => gate.then(() => 'done'), { name: 'wait' });
    const quick = task((x: string) => x.length, { name: 'quick' });
    const run = flow(async () => quick(wait()), { name: 'live', client }).start();
    const live = await until('wait-1 recorded', async () => (await allRuns()).find((r) => r.info.runName === 'wait-1'));
    expect(live.info.status).toBe('RUNNING');
    expect(live.data.tags['mlship.state']).toBe('Running');
    const flowRun = (await allRuns()).find((r) => r.data.tags['mlship.type'] === 'flow')!;
    expect(flowRun.info.status).toBe('RUNNING');
    expect(flowRun.data.tags['mlship.pid']).toBe(String(process.pid));
    expect(flowRun.data.tags['mlship.host']).toBe(hostname());
    expect(Math.abs(Number(flowRun.data.tags['mlship.heartbeat']) - Date.now())).toBeLessThan(60_000);
    // a crash check meanwhile leaves the live runs of this process alone
    expect(await markCrashedRuns(client, { staleMs: 1 })).toEqual({ flowRunIds: [], taskRunIds: [] });
    release();
    expect(await run.result()).toBe(4);
    const runs = new Map((await allRuns()).map((r) => [r.info.runName, r]));
    const done = runs.get('wait-1')!;
    expect(done.info.runId).toBe(live.info.runId);
    expect(done.info.status).toBe('FINISHED');
    expect(done.data.tags['mlship.state']).toBe('Completed');
    expect(done.data.metrics.attempts?.value).toBe(1);
    expect(runs.get('quick-1')!.data.tags['mlship.state']).toBe('Completed');
    expect(runs.get(run.name)!.data.tags['mlship.state']).toBe('Completed');
  });
});
