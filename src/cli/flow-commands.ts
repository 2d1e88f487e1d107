import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MlshipError, isMlshipError } from '../core/index.js';
import { cronTimes, parseCron, serve, type CronTimezone, type Deployment, type ServeHandle } from '../flow/index.js';
import { table, type CliIo } from './io.js';
import { positiveInt } from './options.js';
import type { SignalSource } from './server-command.js';

// `mlship flow serve <module>` (run a module's scheduled flows until SIGINT/SIGTERM) and
// `mlship flow next "<cron>"` (the next times of a cron expression).

interface FlowServeOptions {
  flows?: string[];
}

interface FlowNextOptions {
  count: number;
  timezone: CronTimezone;
  after?: Date;
  json?: boolean;
}

function nameList(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new InvalidArgumentError('expected deployment names separated by commas, such as nightly,hourly-report.');
  return names;
}

function timezoneOption(value: string): CronTimezone {
  const v = value.toLowerCase();
  if (v === 'utc') return 'UTC';
  if (v === 'local') return 'local';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    throw new InvalidArgumentError('expected utc, local or an IANA zone name such as Europe/Paris.');
  }
  return value;
}

function timeOption(value: string): Date {
  const d = new Date(value);
  if (value.trim() === '' || Number.isNaN(d.getTime())) throw new InvalidArgumentError('expected a date and time such as 2026-01-31T12:00:00Z.');
  return d;
}

/** `2026-03-29T09:00:00+02:00`: a time in the local zone (or a named one) with its offset. */
function localIso(d: Date, zone?: string): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  if (zone !== undefined) {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(d).map((p) => [p.type, Number(p.value)]));
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    const off = Math.round((wall - Math.floor(d.getTime() / 1000) * 1000) / 60_000);
    const abs = Math.abs(off);
    return `${parts.year}-${two(parts.month!)}-${two(parts.day!)}T${two(parts.hour!)}:${two(parts.minute!)}:${two(parts.second!)}${off >= 0 ? '+' : '-'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
  }
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/**
 * Prints the next times of a cron expression, one per line (ISO 8601, in UTC or with the local
 * offset), or as JSON.
 *
 * @example
 * ```ts
 * flowNext('0 9 * * mon-fri', { count: 3, timezone: 'UTC' }, processIo());
 * ```
 */
export function flowNext(expr: string, opts: FlowNextOptions, io: CliIo): void {
  const c = parseCron(expr);
  const times = cronTimes(c, { after: opts.after ?? Date.now(), count: opts.count, timezone: opts.timezone });
  const text = times.map((t) => (opts.timezone === 'UTC' ? t.toISOString() : localIso(t, opts.timezone === 'local' ? undefined : opts.timezone)));
  if (opts.json) io.stdout.write(`${JSON.stringify({ expression: c.source, fields: c.fields, timezone: opts.timezone, times: text }, null, 2)}\n`);
  else io.stdout.write(text.map((t) => `${t}\n`).join(''));
}

/**
 * Imports a module (a path from `cwd`) and returns the deployments it exports: `deployments`, or
 * its default export, an array of `{ flow, schedule, parameters?, name? }`.
 *
 * @example
 * ```ts
 * const deployments = await loadDeployments('flows.mjs', process.cwd());
 * ```
 */
export async function loadDeployments(modulePath: string, cwd: string): Promise<Deployment[]> {
  const file = resolve(cwd, modulePath);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new MlshipError('NOT_FOUND', `flow module ${JSON.stringify(modulePath)} not found (looked for ${file})`, {
      file,
      hint: 'give the path of an ES module (.js or .mjs) that exports `deployments`, relative to the working folder',
    });
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new MlshipError('INVALID_ARGUMENT', `could not import flow module ${JSON.stringify(modulePath)}: ${message}`, {
      file,
      hint: /\.[cm]?ts$/.test(file) ? 'a TypeScript module needs a loader: run node --import tsx node_modules/mlship/dist/cli/bin.js flow serve ...' : 'fix the error in the module, then run the command again',
    }, { cause: err });
  }
  const exported = mod.deployments ?? mod.default;
  const shape = 'export const deployments = [{ flow, schedule }] (or export default [...]), with flow from flow() and schedule from interval() or cron() of mlship/flow';
  if (exported === undefined) {
    throw new MlshipError('INVALID_ARGUMENT', `flow module ${JSON.stringify(modulePath)} exports neither \`deployments\` nor a default export`, { file, hint: shape });
  }
  if (!Array.isArray(exported)) {
    throw new MlshipError('INVALID_ARGUMENT', `the \`deployments\` export of ${JSON.stringify(modulePath)} must be an array, got ${exported === null ? 'null' : typeof exported}`, { file, hint: shape });
  }
  if (exported.length === 0) throw new MlshipError('INVALID_ARGUMENT', `flow module ${JSON.stringify(modulePath)} exports no deployments (an empty array)`, { file, hint: shape });
  return exported as Deployment[];
}

function deploymentName(d: unknown): string | undefined {
  if (d === null || typeof d !== 'object') return undefined;
  const { name, flow } = d as { name?: unknown; flow?: { name?: unknown } };
  if (typeof name === 'string') return name;
  return typeof flow?.name === 'string' ? flow.name : undefined;
}

const stamp = (): string => new Date().toISOString();

/**
 * Runs the scheduled flows of a module until SIGINT or SIGTERM, printing the next time of each,
 * then each run as it starts and ends. The first signal stops scheduling and waits for running
 * flow runs; a second one cancels them.
 *
 * @example
 * ```ts
 * await flowServe('flows.mjs', {}, processIo()); // returns after Ctrl+C
 * ```
 */
export async function flowServe(modulePath: string, opts: FlowServeOptions, io: CliIo, signals: SignalSource = process): Promise<void> {
  let deployments = await loadDeployments(modulePath, io.cwd ?? process.cwd());
  if (opts.flows) {
    const available = deployments.map(deploymentName);
    const unknown = opts.flows.filter((n) => !available.includes(n));
    if (unknown.length > 0) {
      throw new MlshipError('NOT_FOUND', `no deployment named ${unknown.map((n) => JSON.stringify(n)).join(', ')} in ${JSON.stringify(modulePath)}; it has: ${available.map((n) => n ?? '(unnamed)').join(', ')}`, {
        field: 'flows',
        value: unknown.join(','),
      });
    }
    deployments = deployments.filter((d) => opts.flows!.includes(deploymentName(d)!));
  }
  const out = (line: string): void => void io.stdout.write(`${stamp()}  ${line}\n`);
  let handle: ServeHandle;
  try {
    handle = serve(deployments, {
      onRun: (e) => out(`${e.deployment}: started ${e.run.name} (scheduled ${new Date(e.scheduledTime).toISOString()})`),
      onRunEnd: (e) => {
        const ms = e.run.startTime !== null && e.run.endTime !== null ? e.run.endTime - e.run.startTime : 0;
        out(`${e.deployment}: ${e.run.name} ${e.run.state} in ${ms} ms`);
        const next = handle.deployments().find((d) => d.name === e.deployment)?.nextTime;
        if (next) out(`${e.deployment}: next run at ${new Date(next).toISOString()}`);
      },
      onSkip: (e) => out(`${e.deployment}: skipped the run scheduled at ${new Date(e.scheduledTime).toISOString()}: ${e.running.name} is still running`),
      onError: (e) => {
        const message = e.error instanceof Error ? e.error.message : String(e.error);
        io.stderr.write(`${stamp()}  ${e.deployment}: ${e.run ? `${e.run.name} ${e.run.state}` : 'error'}: ${message}\n`);
      },
    });
  } catch (err) {
    if (isMlshipError(err, 'INVALID_ARGUMENT')) {
      throw new MlshipError('INVALID_ARGUMENT', `flow module ${JSON.stringify(modulePath)}: ${err.message}`, { ...err.details, hint: err.details.hint ?? 'export const deployments = [{ flow, schedule }], with flow from flow() and schedule from interval() or cron() of mlship/flow' });
    }
    throw err;
  }
  const listed = handle.deployments();
  io.stdout.write(`serving ${listed.length} deployment${listed.length === 1 ? '' : 's'} from ${modulePath}\n`);
  io.stdout.write(table([['deployment', 'schedule', 'next run'], ...listed.map((d) => [d.name, d.schedule.description, d.nextTime === null ? '(none)' : new Date(d.nextTime).toISOString()])], { indent: '  ' }));
  io.stderr.write('press Ctrl+C to stop (running flows finish first; press it again to cancel them)\n');

  let onInt = (): void => undefined;
  let onTerm = (): void => undefined;
  const first = await new Promise<string>((resolveSignal) => {
    onInt = () => resolveSignal('SIGINT');
    onTerm = () => resolveSignal('SIGTERM');
    signals.once('SIGINT', onInt);
    signals.once('SIGTERM', onTerm);
  });
  signals.removeListener('SIGINT', onInt);
  signals.removeListener('SIGTERM', onTerm);
  const running = handle.running().length;
  io.stderr.write(`mlship flow serve: ${first}, stopping${running > 0 ? `; waiting for ${running} running flow run${running === 1 ? '' : 's'}` : ''}\n`);
  const cancelOnSignal = (): void => {
    io.stderr.write('mlship flow serve: cancelling the running flow runs\n');
    for (const r of handle.running()) r.cancel('cancelled by a second signal to mlship flow serve');
  };
  signals.once('SIGINT', cancelOnSignal);
  signals.once('SIGTERM', cancelOnSignal);
  try {
    await handle.stop();
  } finally {
    signals.removeListener('SIGINT', cancelOnSignal);
    signals.removeListener('SIGTERM', cancelOnSignal);
  }
  io.stderr.write('mlship flow serve: stopped\n');
}

/**
 * Adds `mlship flow serve` and `mlship flow next` to the program.
 *
 * @example
 * ```ts
 * addFlowCommands(program, command, example, io);
 * ```
 */
export function addFlowCommands(program: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const flowCmd = command(program, 'flow')
    .description('run flows on schedules')
    .addHelpText('after', example('mlship flow serve flows.mjs\nmlship flow next "*/15 9-17 * * mon-fri" --count 5'));

  command(flowCmd, 'serve')
    .description(
      'import an ES module that exports scheduled flows (`export const deployments = [{ flow, schedule, parameters? }]`, or a default export), print the next run time of each, and run them at their times until Ctrl+C (SIGINT) or SIGTERM; then stop scheduling and wait for running flow runs (a second signal cancels them). A time that comes while the previous run of the same deployment is still going is skipped and reported',
    )
    .argument('<module>', 'path of the ES module (.js or .mjs), relative to the working folder')
    .option('--flows <names>', 'serve only these deployments (comma-separated names; a deployment is named after its flow unless it sets name)', nameList)
    .addHelpText(
      'after',
      example('mlship flow serve flows.mjs\nmlship flow serve flows.mjs --flows nightly-retrain,hourly-report') +
        `
A module to serve (flows.mjs):
  import { cron, flow, interval } from 'mlship/flow';
  const retrain = flow(async (days) => { /* ... */ }, { name: 'nightly-retrain' });
  const report = flow(async () => { /* ... */ }, { name: 'hourly-report' });
  export const deployments = [
    { flow: retrain, schedule: cron('0 3 * * *'), parameters: [30] },
    { flow: report, schedule: interval(60 * 60 * 1000) },
  ];
`,
    )
    .action(async (modulePath: string, opts: FlowServeOptions) => flowServe(modulePath, opts, io));

  command(flowCmd, 'next')
    .description('print the next times of a cron expression (5 fields: minute hour day-of-month month day-of-week, or @hourly @daily @weekly @monthly @yearly)')
    .argument('<cron>', 'the cron expression, quoted')
    .option('--count <n>', 'how many times to print', positiveInt, 5)
    .addOption(new Option('--timezone <zone>', 'read the expression in UTC, in the local zone (TZ) or in an IANA zone such as Europe/Paris').argParser(timezoneOption).default('UTC' as CronTimezone, 'utc'))
    .option('--after <time>', 'list the times after this one (ISO 8601) instead of now', timeOption)
    .option('--json', 'print the times as JSON')
    .addHelpText('after', example('mlship flow next "0 3 * * *"\nmlship flow next "*/15 9-17 * * mon-fri" --count 10 --timezone local\nmlship flow next @monthly --after 2026-01-31T00:00:00Z --json\nmlship flow next "0 9 * * mon-fri" --timezone America/New_York'))
    .action((expr: string, opts: FlowNextOptions) => flowNext(expr, opts, io));
}
