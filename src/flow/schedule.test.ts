import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MlshipError } from '../core/index.js';
import { cron, flow, interval, serve, type Deployment, type ServeErrorEvent, type ServeRunEvent, type ServeSkipEvent } from './index.js';

// Real timers throughout: short intervals, generous bounds on lateness (the machine is shared).

function collect(): { runs: ServeRunEvent[]; ends: ServeRunEvent[]; skips: ServeSkipEvent[]; errors: ServeErrorEvent[]; options: Parameters<typeof serve>[1] } {
  const runs: ServeRunEvent[] = [];
  const ends: ServeRunEvent[] = [];
  const skips: ServeSkipEvent[] = [];
  const errors: ServeErrorEvent[] = [];
  return {
    runs,
    ends,
    skips,
    errors,
    options: { onRun: (e) => runs.push(e), onRunEnd: (e) => ends.push(e), onSkip: (e) => skips.push(e), onError: (e) => errors.push(e) },
  };
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting for a condition');
    await sleep(5);
  }
}

/** A flow that takes 230 ms, and the most runs of it ever in flight at once. */
function slowFlow(): { slow: ReturnType<typeof flow>; most: () => number } {
  let inFlight = 0;
  let most = 0;
  const slow = flow(
    async () => {
      most = Math.max(most, ++inFlight);
      await sleep(230);
      inFlight--;
    },
    { name: 'slow', record: false },
  );
  return { slow, most: () => most };
}

describe('interval', () => {
  it('fires at anchor + k * ms, strictly after `after`', () => {
    const s = interval(1000, { anchor: 500 });
    expect(s.next(500)).toBe(1500);
    expect(s.next(1499)).toBe(1500);
    expect(s.next(1500)).toBe(2500);
    expect(s.next(-700)).toBe(-500);
    expect(s.kind).toBe('interval');
    expect(s.description).toBe('every 1s');
    expect(interval(90 * 60_000).description).toBe('every 90m');
    expect(interval(250).description).toBe('every 250ms');
  });

  it('anchors at a Date, and at creation time by default', () => {
    const s = interval(3_600_000, { anchor: new Date('2026-01-01T00:00:00Z') });
    expect(new Date(s.next(Date.parse('2026-05-01T10:20:00Z'))).toISOString()).toBe('2026-05-01T11:00:00.000Z');
    const before = Date.now();
    const t = interval(10_000).next(Date.now());
    expect(t).toBeGreaterThanOrEqual(before + 10_000);
    expect(t).toBeLessThanOrEqual(Date.now() + 10_000);
  });

  it.each([[0], [-5], [1.5], [Number.NaN], ['100' as unknown as number]])('rejects the period %s', (ms) => {
    expect(() => interval(ms)).toThrow(MlshipError);
    expect(() => interval(ms)).toThrow(/interval\(ms\) needs a whole number of milliseconds/);
  });

  it('rejects a bad anchor', () => {
    expect(() => interval(10, { anchor: new Date('x') })).toThrow(/anchor must be a valid Date/);
  });
});

describe('cron', () => {
  it('gives the next cron time, in UTC by default', () => {
    const s = cron('0 3 * * *');
    expect(s.kind).toBe('cron');
    expect(s.description).toBe('cron 0 3 * * * (UTC)');
    expect(new Date(s.next(Date.parse('2026-11-27T04:00:00Z'))).toISOString()).toBe('2026-11-28T03:00:00.000Z');
    expect(cron('@hourly', { timezone: 'local' }).description).toBe('cron 0 * * * * (local)');
  });

  it('rejects a malformed expression or zone at once', () => {
    expect(() => cron('0 25 * * *')).toThrow(/hour field: 25/);
    expect(() => cron('0 0 * * *', { timezone: 'Pacific/Nowhere' })).toThrow(/timezone must be 'UTC', 'local' or an IANA zone name/);
  });
});

describe('serve', () => {
  it('runs a flow at each interval time with its parameters, without drift', async () => {
    const seen: number[] = [];
    const add = flow(async (a: number, b: number) => seen.push(a + b), { name: 'add', record: false });
    const anchor = Date.now() + 50;
    const c = collect();
    const handle = serve([{ flow: add, schedule: interval(100, { anchor }), parameters: [2, 3] }], c.options);
    expect(handle.deployments()).toEqual([{ name: 'add', schedule: expect.objectContaining({ kind: 'interval' }), nextTime: anchor }]);
    await sleep(620);
    await handle.stop();
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.every((v) => v === 5)).toBe(true);
    // the scheduled times are exactly the schedule's times, one after another: no drift
    expect(c.runs[0]!.scheduledTime).toBe(anchor);
    c.runs.forEach((e, i) => {
      expect((e.scheduledTime - anchor) % 100).toBe(0);
      if (i > 0) expect(e.scheduledTime).toBeGreaterThan(c.runs[i - 1]!.scheduledTime);
    });
    for (const e of c.runs) {
      expect(e.run.startTime!).toBeGreaterThanOrEqual(e.scheduledTime - 2);
      expect(e.run.startTime! - e.scheduledTime).toBeLessThan(150);
    }
    expect(c.ends.length).toBe(c.runs.length);
    expect(c.ends.every((e) => e.run.state === 'Completed')).toBe(true);
    expect(c.skips).toEqual([]);
    expect(c.errors).toEqual([]);
    // stopped: no more runs
    const n = c.runs.length;
    await sleep(250);
    expect(c.runs.length).toBe(n);
    expect(handle.deployments()[0]!.nextTime).toBeNull();
  });

  it('skips and reports a time that comes while the previous run of the deployment is still going', async () => {
    const { slow, most } = slowFlow();
    const c = collect();
    const handle = serve([{ flow: slow, schedule: interval(100, { anchor: Date.now() }) }], c.options);
    await sleep(560);
    await handle.stop();
    expect(most()).toBe(1);
    expect(c.runs.length).toBeGreaterThanOrEqual(1);
    expect(c.skips.length).toBeGreaterThanOrEqual(2);
    for (const s of c.skips) {
      expect(s.reason).toBe('overlap');
      expect(s.deployment).toBe('slow');
      expect(c.runs.map((r) => r.run)).toContain(s.running);
    }
    expect(c.errors).toEqual([]);
  });

  it('runs overlapping runs with allowOverlap', async () => {
    const { slow, most } = slowFlow();
    const c = collect();
    const handle = serve([{ flow: slow, schedule: interval(100, { anchor: Date.now() }), allowOverlap: true }], c.options);
    await sleep(420);
    await handle.stop();
    expect(most()).toBeGreaterThanOrEqual(2);
    expect(c.skips).toEqual([]);
  });

  it('stop() waits for running flow runs; stop({ cancel: true }) cancels them', async () => {
    const long = flow(async () => sleep(400).then(() => 'done'), { name: 'long', record: false });
    const c = collect();
    const handle = serve([{ flow: long, schedule: interval(60, { anchor: Date.now() }) }], c.options);
    await until(() => handle.running().length === 1);
    const t0 = Date.now();
    await handle.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(c.runs.length).toBe(1);
    expect(c.runs[0]!.run.state).toBe('Completed');
    expect(c.ends.length).toBe(1);
    expect(handle.running()).toEqual([]);

    const c2 = collect();
    const h2 = serve([{ flow: long, schedule: interval(60, { anchor: Date.now() }) }], c2.options);
    await until(() => h2.running().length === 1);
    const t1 = Date.now();
    await h2.stop({ cancel: true });
    expect(Date.now() - t1).toBeLessThan(300);
    expect(c2.runs[0]!.run.state).toBe('Cancelled');
    expect(c2.errors.map((e) => e.run)).toEqual([c2.runs[0]!.run]);
  });

  it('reports a failed run through onError and keeps the schedule going; several deployments run side by side', async () => {
    let calls = 0;
    const flaky = flow(
      async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
      { name: 'flaky', record: false },
    );
    const ok = flow(async () => 'ok', { name: 'ok', record: false });
    const c = collect();
    const handle = serve(
      [
        { flow: flaky, schedule: interval(80, { anchor: Date.now() }) },
        { flow: ok, schedule: interval(80, { anchor: Date.now() }), name: 'ok-deployment' },
      ],
      c.options,
    );
    await sleep(300);
    await handle.stop();
    expect(calls).toBeGreaterThanOrEqual(2);
    const failed = c.errors.filter((e) => e.deployment === 'flaky');
    expect(failed.length).toBe(calls);
    expect(failed[0]!.run!.state).toBe('Failed');
    expect((failed[0]!.error as Error).message).toBe('boom 1');
    expect(c.runs.filter((e) => e.deployment === 'ok-deployment').length).toBeGreaterThanOrEqual(2);
    expect(c.errors.every((e) => e.deployment === 'flaky')).toBe(true);
  });

  it('reports an error thrown by an event callback through onError', async () => {
    const ok = flow(async () => 'ok', { name: 'ok', record: false });
    const errors: ServeErrorEvent[] = [];
    const handle = serve([{ flow: ok, schedule: interval(50, { anchor: Date.now() }) }], {
      onRun: () => {
        throw new Error('callback failed');
      },
      onError: (e) => errors.push(e),
    });
    await sleep(130);
    await handle.stop();
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect((errors[0]!.error as Error).message).toBe('callback failed');
  });

  it('waits for a far cron time (a chained timer) and stop() releases it', async () => {
    const ok = flow(async () => 'ok', { name: 'yearly', record: false });
    const handle = serve([{ flow: ok, schedule: cron('@yearly') }]);
    const next = handle.deployments()[0]!.nextTime!;
    expect(new Date(next).toISOString()).toMatch(/^\d{4}-01-01T00:00:00\.000Z$/);
    expect(next).toBeGreaterThan(Date.now());
    await handle.stop();
    expect(handle.running()).toEqual([]);
  });

  it.each([
    [[{ flow: 'nope', schedule: interval(10) }], /deployments\[0\]\.flow must be a flow/],
    [[{ flow: flow(async () => 1, { name: 'a' }), schedule: '*/5 * * * *' }], /deployments\[0\]\.schedule must be a schedule \(interval\(ms\) or cron/],
    [[{ flow: flow(async () => 1, { name: 'a' }), schedule: interval(10), parameters: 3 }], /deployments\[0\]\.parameters must be an array/],
    [[null], /deployments\[0\] must be an object/],
    [
      [
        { flow: flow(async () => 1, { name: 'a' }), schedule: interval(10) },
        { flow: flow(async () => 2, { name: 'a' }), schedule: interval(10) },
      ],
      /two deployments are named "a"/,
    ],
  ])('rejects malformed deployments (%#)', (deployments, message) => {
    expect(() => serve(deployments as unknown as Deployment[])).toThrow(message);
  });
});
