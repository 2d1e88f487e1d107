import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { MlshipError } from '../core/index.js';
import { MlshipClient } from '../tracking/index.js';
import { flow, parseLogLines, task, LOGS_ARTIFACT } from './index.js';
import { flaky, forever, spin, sumSquares } from './fixtures/thread-tasks.js';
import { closeThreadPool } from './threads.js';

afterAll(async () => {
  await closeThreadPool();
});

describe('thread tasks', () => {
  it('runs on a worker thread while the event loop stays free, with its logs brought back', async () => {
    let maxGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    const run = flow(async () => spin(400), { printLogs: false }).start();
    const out = await run.result();
    clearInterval(ticker);
    expect(out.threadId).not.toBe(threadId);
    expect(out).toMatchObject({ attempt: 1, name: 'spin-1', finite: true });
    // the main thread kept ticking while the task burnt 400 ms of CPU elsewhere
    expect(maxGap).toBeLessThan(200);
    expect(run.taskRuns[0]!.logs.map((l) => l.message)).toEqual([`spun 400 ms on thread ${out.threadId}`]);
  }, 20_000);

  it('sends typed arrays and Maps both ways', async () => {
    const out = await flow(async () => sumSquares(new Float64Array([1, 2, 3])))();
    expect(out.total).toBe(14);
    expect(out.squares).toBeInstanceOf(Float64Array);
    expect([...out.squares]).toEqual([1, 4, 9]);
    expect(out.seen.get('n')).toBe(3);
  }, 20_000);

  it('brings MlshipErrors back with their code and retries them', async () => {
    const run = flow(async () => flaky()).start();
    expect(await run.result()).toBe(2);
    expect(run.taskRuns[0]!.attempts).toBe(2);
    const once = flaky.with({ retries: 0 });
    const err = (await flow(async () => once())().catch((e: unknown) => e)) as MlshipError;
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toBe('first attempt fails');
    expect(err.details.field).toBe('x');
  }, 20_000);

  it('stops a task that ignores its signal by terminating its thread on timeout; the pool goes on', async () => {
    const t0 = performance.now();
    const run = flow(async () => forever()).start();
    const err = (await run.result().catch((e: unknown) => e)) as MlshipError;
    expect(err.code).toBe('TIMEOUT');
    expect(run.taskRuns[0]!.state).toBe('TimedOut');
    expect(performance.now() - t0).toBeLessThan(5000);
    expect((await flow(async () => sumSquares(new Float64Array([2])))()).total).toBe(4);
  }, 20_000);

  it('cancelling the flow terminates running thread tasks', async () => {
    const endless = forever.with({ timeoutMs: undefined });
    const run = flow(async () => endless()).start();
    setTimeout(() => run.cancel(), 200);
    await run.wait();
    expect(run.state).toBe('Cancelled');
    expect(run.taskRuns[0]!.state).toBe('Cancelled');
  }, 20_000);

  it('says what to do when the task is not at the top level of its module, or its arguments cannot be sent', async () => {
    const inner = task(() => 1, { name: 'inner-only', thread: true, module: new URL('./fixtures/thread-tasks.ts', import.meta.url) });
    const err = (await flow(async () => inner())().catch((e: unknown) => e)) as MlshipError;
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/must be defined at the top level of its module/);
    const bad = (await flow(async () => sumSquares((() => 1) as unknown as Float64Array))().catch((e: unknown) => e)) as MlshipError;
    expect(bad.code).toBe('INVALID_ARGUMENT');
    expect(bad.message).toMatch(/cannot be sent to a worker thread/);
  }, 20_000);
});

describe('run logs', () => {
  it('records the logs of task runs and flow runs as logs.jsonl artifacts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlship-flow-logs-'));
    const client = await MlshipClient.open({ trackingUri: `sqlite://${dir}/mlship.db` });
    try {
      const say = task(function (n: number) {
        this.logger.info('item %d', n);
        this.logger.debug('not kept at info level');
        return n;
      }, { name: 'say' });
      const quiet = task((n: number) => n, { name: 'quiet' });
      const f = flow(
        async function () {
          const run = (await import('./index.js')).flowContext()!;
          run.logger.warning('flow says %s', 'hello');
          return [await say(1), await quiet(2)];
        },
        { name: 'logs', client, printLogs: false },
      );
      const run = f.start();
      await run.result();
      expect(run.logs.map((l) => [l.level, l.message])).toEqual([['warning', 'flow says hello']]);
      const runs = await client.tracking.searchAllRuns({ experimentIds: [(await client.tracking.getExperimentByName('flows'))!.experimentId] });
      const byName = new Map(runs.map((r) => [r.info.runName, r.info.runId]));
      const read = async (name: string) => parseLogLines(Buffer.from(await (await client.artifacts(byName.get(name)!)).readBytes(LOGS_ARTIFACT)).toString('utf8'));
      expect((await read('say-1')).map((l) => [l.level, l.message])).toEqual([['info', 'item 1']]);
      expect((await read(run.name)).map((l) => l.message)).toEqual(['flow says hello']);
      // a run that logged nothing has no logs artifact
      await expect((await client.artifacts(byName.get('quiet-1')!)).readBytes(LOGS_ARTIFACT)).rejects.toThrow();
    } finally {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it('refuses an unknown log level', () => {
    expect(() => flow(async () => 1, { logLevel: 'loud' as never })).toThrow(/logLevel must be one of debug, info, warning, error/);
  });
});
