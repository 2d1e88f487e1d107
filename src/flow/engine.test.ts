import { describe, expect, it } from 'vitest';
import { exponentialBackoff, flow, flowContext, task, taskContext } from './index.js';
import type { FlowRun, TaskContext } from './index.js';
import type { MlshipError } from '../core/index.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sleeps `ms`, rejecting with the signal's reason when it is aborted first. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });
}

describe('dependencies', () => {
  it('runs a fan-out concurrently and a fan-in after all its inputs', async () => {
    const log: string[] = [];
    const load = task(async (i: number) => {
      log.push(`start ${i}`);
      await sleep(20 - i * 5);
      log.push(`end ${i}`);
      return i * 10;
    });
    const sum = task((xs: number[]) => {
      log.push('sum');
      return xs.reduce((a, b) => a + b, 0);
    });
    const f = flow(async () => sum([load(0), load(1), load(2)]));
    expect(await f()).toBe(30);
    // all three started before any ended (concurrent), they ended shortest first, sum ran last
    expect(log.slice(0, 3)).toEqual(['start 0', 'start 1', 'start 2']);
    expect(log.slice(3)).toEqual(['end 2', 'end 1', 'end 0', 'sum']);
  });

  it('passes futures nested in plain objects and promises as inputs', async () => {
    const a = task(async () => 2);
    const b = task(async () => 3);
    const mul = task((x: { a: number; b: number }, c: number) => x.a * x.b * c);
    const f = flow(async () => mul({ a: a(), b: b() } as unknown as { a: number; b: number }, Promise.resolve(7)));
    expect(await f()).toBe(42);
  });

  it('waits for waitFor before starting, without passing values', async () => {
    const order: string[] = [];
    const write = task(async () => {
      await sleep(15);
      order.push('write');
    });
    const read = task(() => {
      order.push('read');
      return 'ok';
    });
    const f = flow(async () => {
      const w = write();
      return read.with({ waitFor: [w] })();
    });
    expect(await f()).toBe('ok');
    expect(order).toEqual(['write', 'read']);
  });

  it('does not run a task downstream of a failed one, and the flow fails with the root error', async () => {
    let downstreamRan = false;
    const boom = task(async () => {
      throw new Error('boom');
    });
    const after = task((x: number) => {
      downstreamRan = true;
      return x;
    });
    const gated = task(() => {
      downstreamRan = true;
    });
    const run = flow(async () => {
      const b = boom();
      const a = after(b as unknown as number);
      const g = gated.with({ waitFor: [b] })();
      await Promise.allSettled([a, g]);
      return 1;
    }).start();
    await run.wait();
    expect(downstreamRan).toBe(false);
    const [b, a, g] = run.taskRuns;
    expect(b!.state).toBe('Failed');
    expect(a!.state).toBe('Failed');
    expect(a!.upstreamFailed).toBe(true);
    expect(a!.attempts).toBe(0);
    expect(g!.state).toBe('Failed');
    // the flow awaited (observed) a and g, so it completes
    expect(run.state).toBe('Completed');
  });

  it('fails the flow when a failed task future is never awaited', async () => {
    const boom = task(async () => {
      throw new Error('lost');
    });
    const run = flow(async () => {
      void boom();
      return 'done';
    }).start();
    await expect(run.result()).rejects.toThrow('lost');
    expect(run.state).toBe('Failed');
  });

  it('rejects an awaited failed task with its own error, which the flow function can catch', async () => {
    const boom = task(async () => {
      throw new TypeError('bad input');
    });
    const f = flow(async () => {
      try {
        await boom();
        return 'no';
      } catch (err) {
        return (err as Error).message;
      }
    });
    expect(await f()).toBe('bad input');
  });

  it('runs a task called outside any flow, unrecorded, with its retries', async () => {
    let calls = 0;
    const flaky = task(
      async () => {
        if (++calls < 2) throw new Error('once');
        return taskContext()!.attempt;
      },
      { retries: 1 },
    );
    expect(await flaky()).toBe(2);
  });

  it('gives the task its context as this, and the flow run through flowContext', async () => {
    let seen: TaskContext | undefined;
    const t = task(function (this: TaskContext) {
      seen = taskContext();
      expect(seen).toBe(this);
      return this.name;
    }, { name: 't' });
    let fr: FlowRun | undefined;
    const f = flow(async () => {
      fr = flowContext();
      return t();
    }, { name: 'ctx-flow' });
    expect(await f()).toBe('t-1');
    expect(seen!.task).toBe('t');
    expect(seen!.attempt).toBe(1);
    expect(seen!.signal.aborted).toBe(false);
    expect(seen!.flowRun).toBe(fr);
    expect(fr!.flow).toBe('ctx-flow');
  });
});

describe('concurrency limits', () => {
  it('honours maxConcurrency', async () => {
    let inFlight = 0;
    let max = 0;
    const work = task(async () => {
      max = Math.max(max, ++inFlight);
      await sleep(2);
      inFlight--;
    });
    const run = flow(async () => {
      await Promise.all(Array.from({ length: 30 }, () => work()));
    }, { maxConcurrency: 3 }).start();
    await run.result();
    expect(max).toBe(3);
    expect(run.maxTasksInFlight).toBe(3);
  });

  it('honours per-tag limits, shared with subflows, leaving untagged tasks free', async () => {
    let gpu = 0;
    let maxGpu = 0;
    let free = 0;
    let maxFree = 0;
    const onGpu = task(
      async () => {
        maxGpu = Math.max(maxGpu, ++gpu);
        await sleep(3);
        gpu--;
      },
      { tags: ['gpu'] },
    );
    const untagged = task(async () => {
      maxFree = Math.max(maxFree, ++free);
      await sleep(3);
      free--;
    });
    const child = flow(async () => {
      await Promise.all([onGpu(), onGpu(), onGpu()]);
    });
    const parent = flow(
      async () => {
        await Promise.all([...Array.from({ length: 6 }, () => onGpu()), ...Array.from({ length: 6 }, () => untagged()), child(), child()]);
      },
      { tagConcurrency: { gpu: 2 } },
    );
    await parent();
    expect(maxGpu).toBe(2);
    expect(maxFree).toBe(6);
  });
});

describe('retries', () => {
  function flaky(failures: number) {
    const times: number[] = [];
    const fn = async () => {
      times.push(performance.now());
      if (times.length <= failures) throw new Error(`failure ${times.length}`);
      return times.length;
    };
    return { fn, times };
  }
  const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

  it('retries with a fixed delay', async () => {
    const { fn, times } = flaky(2);
    const t = task(fn, { retries: 2, retryDelay: 15 });
    const run = flow(async () => t()).start();
    expect(await run.result()).toBe(3);
    expect(run.taskRuns[0]!.attempts).toBe(3);
    expect(run.taskRuns[0]!.state).toBe('Completed');
    for (const g of gaps(times)) expect(g).toBeGreaterThanOrEqual(13);
  });

  it('retries with a list of delays, the last one repeating', async () => {
    const { fn, times } = flaky(3);
    const t = task(fn, { retries: 3, retryDelay: [5, 30] });
    expect(await flow(async () => t())()).toBe(4);
    const [g1, g2, g3] = gaps(times);
    expect(g1).toBeLessThan(28);
    expect(g2).toBeGreaterThanOrEqual(28);
    expect(g3).toBeGreaterThanOrEqual(28);
  });

  it('retries with exponential backoff', async () => {
    const { fn, times } = flaky(3);
    const t = task(fn, { retries: 3, retryDelay: exponentialBackoff({ base: 8, factor: 3, max: 50 }) });
    expect(await flow(async () => t())()).toBe(4);
    const [g1, g2, g3] = gaps(times);
    expect(g1).toBeGreaterThanOrEqual(7); // 8
    expect(g2).toBeGreaterThanOrEqual(22); // 24
    expect(g3).toBeGreaterThanOrEqual(48); // min(72, 50): the cap is checked exactly below
  });

  it('computes backoff delays with jitter inside the band', () => {
    const d = exponentialBackoff({ base: 100, factor: 2, max: 1000, jitter: 0.5 });
    for (let i = 0; i < 50; i++) {
      const x = d(3); // 400 ± 200
      expect(x).toBeGreaterThanOrEqual(200);
      expect(x).toBeLessThanOrEqual(600);
    }
    expect(exponentialBackoff({ base: 100, factor: 2, max: 1000 })(10)).toBe(1000);
    expect(() => exponentialBackoff({ jitter: 2 })).toThrow(/jitter/);
  });

  it('stops retrying when retryCondition says no, and ends Failed', async () => {
    const seen: [string, number][] = [];
    let calls = 0;
    const t = task(
      async () => {
        calls++;
        throw new Error(calls === 1 ? 'transient' : 'fatal');
      },
      {
        retries: 5,
        retryCondition: (err, attempt) => {
          seen.push([(err as Error).message, attempt]);
          return (err as Error).message === 'transient';
        },
      },
    );
    const run = flow(async () => t()).start();
    await expect(run.result()).rejects.toThrow('fatal');
    expect(calls).toBe(2);
    expect(seen).toEqual([
      ['transient', 1],
      ['fatal', 2],
    ]);
    expect(run.taskRuns[0]!.state).toBe('Failed');
    expect(run.taskRuns[0]!.attempts).toBe(2);
  });

  it('shows Retrying while waiting for the next attempt', async () => {
    let calls = 0;
    const t = task(
      async () => {
        if (++calls === 1) throw new Error('x');
        return 'ok';
      },
      { retries: 1, retryDelay: 40 },
    );
    const run = flow(async () => t()).start();
    await sleep(20);
    expect(run.taskRuns[0]!.state).toBe('Retrying');
    expect(await run.result()).toBe('ok');
  });

  it('refuses bad options with INVALID_ARGUMENT', () => {
    expect(() => task(() => 1, { retries: -1 })).toThrow(/retries/);
    expect(() => task(() => 1, { retryDelay: [] })).toThrow(/retryDelay/);
    expect(() => task(() => 1, { timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => flow(() => 1, { maxConcurrency: 1.5 })).toThrow(/maxConcurrency/);
    expect(() => flow(() => 1, { tagConcurrency: { gpu: 0 } })).toThrow(/tagConcurrency.gpu/);
  });
});

describe('timeouts and cancellation', () => {
  it('times a task out, aborting its signal; retried attempts time out too → TimedOut', async () => {
    const reasons: string[] = [];
    const slow = task(
      async function (this: TaskContext) {
        try {
          await abortableSleep(1000, this.signal);
        } catch (err) {
          reasons.push((err as MlshipError).code);
          throw err;
        }
      },
      { timeoutMs: 20, retries: 1 },
    );
    const run = flow(async () => slow()).start();
    const t0 = performance.now();
    const err = await run.result().catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(500);
    expect((err as MlshipError).code).toBe('TIMEOUT');
    expect(run.taskRuns[0]!.state).toBe('TimedOut');
    expect(run.taskRuns[0]!.attempts).toBe(2);
    expect(run.state).toBe('Failed');
    await sleep(5);
    expect(reasons).toEqual(['TIMEOUT', 'TIMEOUT']);
  });

  it('times a flow out: running tasks are cancelled, the flow ends TimedOut', async () => {
    const slow = task(async function (this: TaskContext) {
      await abortableSleep(5000, this.signal);
    });
    const never = task(() => 'never');
    const run = flow(
      async () => {
        const s = slow();
        return never.with({ waitFor: [s] })();
      },
      { timeoutMs: 30 },
    ).start();
    await run.wait();
    expect(run.state).toBe('TimedOut');
    expect((run.error as MlshipError).code).toBe('TIMEOUT');
    expect(run.taskRuns.map((t) => t.state)).toEqual(['Cancelled', 'Cancelled']);
    await expect(run.result()).rejects.toThrow(/timed out/);
  });

  it('cancels a flow run: running tasks see the abort, pending ones never start, subflows stop', async () => {
    let ignoredDone = false;
    let pendingRan = false;
    const listens = task(async function (this: TaskContext) {
      await abortableSleep(5000, this.signal);
    });
    const ignores = task(async () => {
      await sleep(60);
      ignoredDone = true;
    });
    const pending = task(() => {
      pendingRan = true;
    });
    const child = flow(async () => listens());
    const run = flow(async () => {
      const a = listens();
      const b = ignores();
      const c = pending.with({ waitFor: [a, b] })();
      const d = child();
      await Promise.all([a, b, c, d]);
    }).start();
    await sleep(20);
    expect(run.state).toBe('Running');
    run.cancel();
    await run.wait();
    expect(run.state).toBe('Cancelled');
    expect((run.error as MlshipError).code).toBe('CANCELLED');
    expect(run.taskRuns.map((t) => t.state)).toEqual(['Cancelled', 'Cancelled', 'Cancelled']);
    expect(run.subflowRuns[0]!.state).toBe('Cancelled');
    expect(run.subflowRuns[0]!.taskRuns[0]!.state).toBe('Cancelled');
    expect(pendingRan).toBe(false);
    expect(ignoredDone).toBe(false); // the flow did not wait for the function that ignores its signal
    run.cancel(); // no effect once ended
    expect(run.state).toBe('Cancelled');
  });

  it('cancels tasks waiting for a concurrency slot or a retry delay', async () => {
    const hold = task(async function (this: TaskContext) {
      await abortableSleep(5000, this.signal);
    });
    const flaky = task(
      async () => {
        throw new Error('x');
      },
      { retries: 3, retryDelay: 5000 },
    );
    const run = flow(async () => {
      await Promise.all([hold(), hold(), flaky()]);
    }, { maxConcurrency: 2 }).start();
    await sleep(30);
    run.cancel();
    const t0 = performance.now();
    await run.wait();
    expect(performance.now() - t0).toBeLessThan(200);
    expect(run.taskRuns.map((t) => t.state)).toEqual(['Cancelled', 'Cancelled', 'Cancelled']);
  });
});

describe('hooks and subflows', () => {
  it('runs onCompletion and onFailure hooks of tasks and flows with the final run', async () => {
    const events: string[] = [];
    const ok = task(() => 1, { name: 'ok', onCompletion: (r) => void events.push(`task ok ${r.name} ${r.state}`), onFailure: () => void events.push('wrong') });
    const bad = task(
      () => {
        throw new Error('nope');
      },
      { name: 'bad', onFailure: [(r) => void events.push(`task failed ${r.name} ${(r.error as Error).message}`), () => Promise.reject(new Error('hook errors are ignored'))] },
    );
    const good = flow(async () => ok(), { name: 'good', onCompletion: (r) => void events.push(`flow ok ${r.flow} ${r.state}`) });
    const failing = flow(async () => bad(), { name: 'failing', onFailure: (r) => void events.push(`flow failed ${r.flow} ${r.state}`) });
    await good();
    await failing().catch(() => undefined);
    expect(events).toEqual(['task ok ok-1 Completed', 'flow ok good Completed', 'task failed bad-1 nope', 'flow failed failing Failed']);
  });

  it('runs a flow called inside a flow as a child flow run, taking futures as inputs', async () => {
    const inc = task((x: number) => x + 1, { name: 'inc' });
    const child = flow(async (x: number) => inc(inc(x)), { name: 'child' });
    const run = flow(async () => {
      const a = inc(0);
      return child(a as unknown as number);
    }, { name: 'parent' }).start();
    expect(await run.result()).toBe(3);
    expect(run.subflowRuns).toHaveLength(1);
    const sub = run.subflowRuns[0]!;
    expect(sub.parent).toBe(run);
    expect(sub.state).toBe('Completed');
    expect(sub.taskRuns.map((t) => t.name)).toEqual(['inc-1', 'inc-2']);
    expect(run.taskRuns.map((t) => t.name)).toEqual(['inc-1']);
  });

  it('fails the parent when a subflow fails unobserved', async () => {
    const child = flow(async () => {
      throw new Error('child failed');
    });
    const run = flow(async () => {
      void child.start();
      return 1;
    }).start();
    await run.wait();
    expect(run.state).toBe('Failed');
    expect((run.error as Error).message).toBe('child failed');
  });
});

describe('overhead', () => {
  it('runs a 10,000-task fan-out with a fan-in within a few seconds', async () => {
    const noop = task((i: number) => i);
    const total = task((xs: number[]) => xs.length);
    const run = flow(async () => total(Array.from({ length: 10_000 }, (_, i) => noop(i)))).start();
    const t0 = performance.now();
    expect(await run.result()).toBe(10_000);
    const ms = performance.now() - t0;
    expect(run.taskRuns).toHaveLength(10_001);
    expect(run.taskRuns.every((t) => t.state === 'Completed')).toBe(true);
    expect(ms).toBeLessThan(3000);
  });
});
