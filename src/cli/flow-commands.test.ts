import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowServe } from './flow-commands.js';
import type { CliIo } from './io.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, run } from './main.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FLOW = pathToFileURL(join(ROOT, 'src/flow/index.ts')).href;

let dir: string;

interface Captured {
  code: number;
  out: string;
  err: string;
}

function capture(): { io: CliIo; text: () => { out: string; err: string } } {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: dir, env: {} };
  return { io, text: () => ({ out, err }) };
}

async function cli(argv: string[]): Promise<Captured> {
  const c = capture();
  const code = await run(argv, c.io);
  return { code, ...c.text() };
}

function expectCleanError(r: Captured, code: string, exit: number, message: RegExp): void {
  expect(r.code).toBe(exit);
  expect(r.err).toMatch(new RegExp(`^error \\[${code}\\]: .+`, 'm'));
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/^\s+at /m);
  expect(r.out).toBe('');
}

async function module(name: string, body: string): Promise<string> {
  await writeFile(join(dir, name), body);
  return name;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlship-flow-cli-'));
  await module(
    'flows.mjs',
    `import { flow, interval, cron } from '${FLOW}';
     const tick = flow(async (n) => n * 2, { name: 'tick', record: false });
     const slow = flow(async () => new Promise((r) => setTimeout(r, 60_000)), { name: 'slow', record: false });
     export const deployments = [
       { flow: tick, schedule: interval(100), parameters: [21] },
       { flow: tick, schedule: cron('@yearly'), name: 'tick-yearly' },
       { flow: slow, schedule: interval(80) },
     ];`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mlship flow --help', () => {
  it.each([['flow'], ['flow', 'serve'], ['flow', 'next']])('mlship %s --help shows usage and an example', async (...cmd) => {
    const r = await cli([...cmd, '--help']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toContain(`Usage: mlship ${cmd.join(' ')}`);
    expect(r.out).toMatch(/Examples:\n\s+\$ mlship flow /);
  });

  it('flow serve --help shows a module to serve', async () => {
    const r = await cli(['flow', 'serve', '--help']);
    expect(r.out).toContain('export const deployments = [');
  });
});

describe('mlship flow next', () => {
  it('prints the next times of a cron expression', async () => {
    const r = await cli(['flow', 'next', '0 9 * * mon-fri', '--after', '2026-11-27T12:00:00Z', '--count', '3']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toBe('2026-11-30T09:00:00.000Z\n2026-12-01T09:00:00.000Z\n2026-12-02T09:00:00.000Z\n');
  });

  it('prints 5 times by default, as JSON with --json', async () => {
    const r = await cli(['flow', 'next', '@monthly', '--after', '2026-01-31T00:00:00Z', '--json']);
    expect(r.code).toBe(EXIT_OK);
    expect(JSON.parse(r.out)).toEqual({
      expression: '@monthly',
      fields: '0 0 1 * *',
      timezone: 'UTC',
      times: ['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z'],
    });
  });

  it('prints times with the local offset with --timezone local', async () => {
    const r = await cli(['flow', 'next', '30 6 * * *', '--timezone', 'local', '--count', '1']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toMatch(/^\d{4}-\d\d-\d\dT06:30:00[+-]\d\d:\d\d\n$/);
  });

  it('prints times in a named zone with its offset, across daylight saving', async () => {
    const r = await cli(['flow', 'next', '0 9 * * *', '--timezone', 'America/New_York', '--after', '2026-03-07T00:00:00Z', '--count', '2']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toBe('2026-03-07T09:00:00-05:00\n2026-03-08T09:00:00-04:00\n');
  });

  it('names the field and the value of a bad expression', async () => {
    expectCleanError(await cli(['flow', 'next', '0 0 32 * *']), 'INVALID_ARGUMENT', EXIT_FAILURE, /day-of-month field: 32/);
  });

  it.each([
    [['--count', '0'], /--count/],
    [['--after', 'yesterday'], /--after <time>.*expected a date and time/],
    [['--timezone', 'mars'], /--timezone <zone>.*expected utc, local or an IANA zone name/],
  ])('rejects bad options %j as usage errors', async (opts, message) => {
    const r = await cli(['flow', 'next', '@daily', ...opts]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(message);
  });
});

describe('mlship flow serve: errors', () => {
  it('a missing module', async () => {
    expectCleanError(await cli(['flow', 'serve', 'nope.mjs']), 'NOT_FOUND', EXIT_FAILURE, /flow module "nope.mjs" not found \(looked for .*nope\.mjs\)/);
  });

  it('a module that fails to import', async () => {
    await module('broken.mjs', `throw new Error('cannot start');`);
    expectCleanError(await cli(['flow', 'serve', 'broken.mjs']), 'INVALID_ARGUMENT', EXIT_FAILURE, /could not import flow module "broken.mjs": cannot start/);
  });

  it('a module without deployments', async () => {
    await module('none.mjs', `export const other = 1;`);
    expectCleanError(await cli(['flow', 'serve', 'none.mjs']), 'INVALID_ARGUMENT', EXIT_FAILURE, /exports neither `deployments` nor a default export\nhint: export const deployments = \[\{ flow, schedule \}\]/);
  });

  it('an export of the wrong shape', async () => {
    await module('object.mjs', `export default { flow: 1 };`);
    expectCleanError(await cli(['flow', 'serve', 'object.mjs']), 'INVALID_ARGUMENT', EXIT_FAILURE, /`deployments` export of "object.mjs" must be an array, got object/);
    await module('empty.mjs', `export const deployments = [];`);
    expectCleanError(await cli(['flow', 'serve', 'empty.mjs']), 'INVALID_ARGUMENT', EXIT_FAILURE, /exports no deployments/);
    await module('bad-schedule.mjs', `import { flow } from '${FLOW}';\nexport const deployments = [{ flow: flow(async () => 1, { name: 'a' }), schedule: '0 3 * * *' }];`);
    expectCleanError(await cli(['flow', 'serve', 'bad-schedule.mjs']), 'INVALID_ARGUMENT', EXIT_FAILURE, /flow module "bad-schedule.mjs": deployments\[0\]\.schedule must be a schedule/);
  });

  it('an unknown --flows name', async () => {
    expectCleanError(await cli(['flow', 'serve', 'flows.mjs', '--flows', 'tick,nope']), 'NOT_FOUND', EXIT_FAILURE, /no deployment named "nope" in "flows.mjs"; it has: tick, tick-yearly, slow/);
  });
});

describe('mlship flow serve: running', () => {
  it('prints the next run of each deployment, runs them, and stops on a signal after running flows finish', async () => {
    const signals = new EventEmitter();
    const c = capture();
    const done = flowServe('flows.mjs', { flows: ['tick', 'tick-yearly'] }, c.io, signals);
    await sleep(450);
    signals.emit('SIGINT');
    await done;
    const { out, err } = c.text();
    expect(out).toMatch(/^serving 2 deployments from flows\.mjs\n/);
    expect(out).toMatch(/\n {2}tick +every 100ms +\d{4}-\d\d-\d\dT[\d:.]+Z\n/);
    expect(out).toMatch(/\n {2}tick-yearly +cron 0 0 1 1 \* \(UTC\) +\d{4}-01-01T00:00:00\.000Z\n/);
    expect(out).toMatch(/Z {2}tick: started tick-[0-9a-f]{8} \(scheduled .*Z\)\n/);
    expect(out).toMatch(/tick: tick-[0-9a-f]{8} Completed in \d+ ms\n.*Z {2}tick: next run at \d{4}.*Z\n/);
    expect(out).not.toContain('slow');
    expect(err).toContain('press Ctrl+C to stop');
    expect(err).toMatch(/mlship flow serve: SIGINT, stopping\n/);
    expect(err).toMatch(/mlship flow serve: stopped\n$/);
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('waits for a running flow on the first signal and cancels it on the second', async () => {
    const signals = new EventEmitter();
    const c = capture();
    let finished = false;
    const done = flowServe('flows.mjs', { flows: ['slow'] }, c.io, signals).then(() => (finished = true));
    await sleep(250);
    signals.emit('SIGTERM');
    await sleep(100);
    expect(finished).toBe(false);
    expect(c.text().err).toMatch(/SIGTERM, stopping; waiting for 1 running flow run\n/);
    signals.emit('SIGINT');
    await done;
    const { out, err } = c.text();
    expect(out).toMatch(/slow: skipped the run scheduled at .*: slow-[0-9a-f]{8} is still running\n/);
    expect(out).toMatch(/slow: slow-[0-9a-f]{8} Cancelled in \d+ ms\n/);
    expect(err).toContain('cancelling the running flow runs');
    expect(err).toMatch(/slow: slow-[0-9a-f]{8} Cancelled: .*cancelled by a second signal/);
  });

  it('runs as a process and stops on a real SIGINT', async () => {
    const file = join(dir, 'flows.mjs');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'flow', 'serve', file, '--flows', 'tick'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 15_000;
    while (!/Completed in/.test(out) && Date.now() < deadline) await sleep(50);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/^serving 1 deployment from /);
    expect(out).toMatch(/tick: tick-[0-9a-f]{8} Completed in \d+ ms/);
    expect(err).toMatch(/mlship flow serve: SIGINT, stopping/);
    expect(err).toMatch(/mlship flow serve: stopped\n$/);
  }, 20_000);
});
