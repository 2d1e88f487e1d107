import { isAbsolute, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { MlshipError } from '../core/index.js';
import { MlshipClient, PARENT_RUN_ID_TAG, type Experiment, type Run, type ViewType } from '../tracking/index.js';
import { formatLogLines, LOGS_ARTIFACT, parseLogLines, type LogLine } from '../flow/index.js';
import { table, type CliIo } from './io.js';
import { collect, positiveInt } from './options.js';
import { toJson } from './render.js';

// `mlship experiments|runs|db ...`: thin commands over the public mlship/tracking client, with
// tables for people and --json for scripts.

/** Options every tracking command takes. */
export interface StoreOptions {
  trackingUri?: string;
  json?: boolean;
}

/**
 * The tracking URI of a command: `--tracking-uri`, else MLSHIP_TRACKING_URI, else
 * `sqlite:mlship/mlship.db`; relative SQLite paths are taken from the command's working folder.
 */
export function trackingUriOf(opts: StoreOptions, io: CliIo): string {
  const cwd = io.cwd ?? process.cwd();
  const env = (io.env ?? process.env).MLSHIP_TRACKING_URI;
  const text = opts.trackingUri ?? (env ? env : 'sqlite:mlship/mlship.db');
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]+):(.*)$/s.exec(text);
  if (m && m[1]!.toLowerCase() !== 'sqlite') return text;
  const rest = m ? m[2]! : text;
  if (rest === ':memory:' || rest.startsWith('///')) return `sqlite:${rest}`;
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  return `sqlite://${isAbsolute(path) ? path : resolve(cwd, path)}`;
}

/** Opens the client of a command, runs `work` and closes it. */
export async function withClient<T>(opts: StoreOptions, io: CliIo, work: (client: MlshipClient) => Promise<T>): Promise<T> {
  const client = await MlshipClient.open({ trackingUri: trackingUriOf(opts, io) });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/** Adds `--tracking-uri` and `--json`. */
export function storeOptions(cmd: Command): Command {
  return cmd.option('--tracking-uri <uri>', 'the tracking store (default: $MLSHIP_TRACKING_URI or sqlite:mlship/mlship.db)').option('--json', 'print the result as JSON');
}

/** `2026-11-26 23:08:01` in UTC, or '' for null. */
export function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

function duration(run: Run): string {
  const end = run.info.endTime ?? (run.info.status === 'RUNNING' ? Date.now() : null);
  if (end === null) return '';
  const s = (end - run.info.startTime) / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : s < 3600 ? `${(s / 60).toFixed(1)}m` : `${(s / 3600).toFixed(1)}h`;
}

/** A metric value for a table: 4 significant decimals, NaN and infinities spelled out. */
function metricCell(v: number | undefined): string {
  if (v === undefined) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? v.toFixed(4) : v.toExponential(3);
}

const VIEWS = ['active', 'deleted', 'all'] as const;
const VIEW_TYPE: Record<(typeof VIEWS)[number], ViewType> = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' };

/** The experiment a name or id names: ids are tried first, then names. NOT_FOUND lists what to do. */
export async function findExperiment(client: MlshipClient, ref: string): Promise<Experiment> {
  if (/^\d+$/.test(ref)) {
    try {
      return await client.tracking.getExperiment(ref);
    } catch (err) {
      if (!(err instanceof MlshipError && err.code === 'NOT_FOUND')) throw err;
    }
  }
  const found = await client.tracking.getExperimentByName(ref);
  if (!found) throw new MlshipError('NOT_FOUND', `no experiment named or numbered '${ref}'; list them with: mlship experiments list --view all`, { field: 'experiment', value: ref });
  return found;
}

/** `--tag key=value` options (or `key=value` arguments) as a record; INVALID_ARGUMENT names a malformed one. */
export function parseTags(pairs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const i = p.indexOf('=');
    if (i <= 0) throw new MlshipError('INVALID_ARGUMENT', `--tag '${p}' is not key=value; write for example --tag team=search`, { field: 'tag', value: p });
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

function experimentsTable(items: Experiment[]): string {
  return table([['id', 'name', 'stage', 'created', 'artifact location'], ...items.map((e) => [e.experimentId, e.name, e.lifecycleStage, time(e.creationTime), e.artifactLocation])]);
}

/** Every page of experiments of a view (filtered and ordered with the search language when asked). */
async function allExperiments(client: MlshipClient, viewType: ViewType, search: { filter?: string; orderBy?: string[] } = {}): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.tracking.searchExperiments({ viewType, ...search, pageToken });
    out.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

/** The run columns shown by `runs list`: the metrics and params that occur in the runs, in first-seen order. */
function runsTable(runs: Run[], maxMetrics = 6, maxParams = 4): string {
  const metricKeys: string[] = [];
  const paramKeys: string[] = [];
  for (const r of runs) {
    for (const k of Object.keys(r.data.metrics)) if (!metricKeys.includes(k)) metricKeys.push(k);
    for (const k of Object.keys(r.data.params)) if (!paramKeys.includes(k)) paramKeys.push(k);
  }
  const mk = metricKeys.slice(0, maxMetrics);
  // The params that tell the runs apart: those whose value differs between runs.
  const varying = paramKeys.filter((k) => new Set(runs.map((r) => r.data.params[k] ?? '')).size > 1);
  const pk = (varying.length > 0 ? varying : paramKeys).slice(0, maxParams);
  const rows: (string | number)[][] = [['run id', 'name', 'status', 'started', 'duration', ...mk, ...pk.map((k) => `params.${k}`)]];
  for (const r of runs) {
    rows.push([r.info.runId, r.info.runName, r.info.status, time(r.info.startTime), duration(r), ...mk.map((k) => metricCell(r.data.metrics[k]?.value)), ...pk.map((k) => r.data.params[k] ?? '')]);
  }
  let out = table(rows);
  if (metricKeys.length > mk.length || paramKeys.length > pk.length) out += `(${metricKeys.length - mk.length} more metrics and ${paramKeys.length - pk.length} more params: see mlship runs show <run id>, mlship runs compare, or --json)\n`;
  return out;
}

function runDetails(run: Run, experiment: Experiment | null): string {
  const i = run.info;
  let out = table([
    ['field', 'value'],
    ['run id', i.runId],
    ['name', i.runName],
    ['experiment', experiment ? `${experiment.name} (${i.experimentId})` : i.experimentId],
    ['status', i.status],
    ['stage', i.lifecycleStage],
    ['started', time(i.startTime)],
    ['ended', time(i.endTime)],
    ['duration', duration(run)],
    ['parent run', i.parentRunId ?? ''],
    ['user', i.userId ?? ''],
    ['code', i.sourceCommit ? `${i.sourceCommit}${i.sourceDirty ? ' (dirty tree)' : ''}` : ''],
    ['artifacts', i.artifactUri],
  ]);
  const metrics = Object.values(run.data.metrics);
  if (metrics.length > 0) out += '\nmetrics (latest):\n' + table([['key', 'value', 'step'], ...metrics.map((m) => [m.key, metricCell(m.value), m.step])], { indent: '  ' });
  const params = Object.entries(run.data.params);
  if (params.length > 0) out += '\nparams:\n' + table([['key', 'value'], ...params], { indent: '  ' });
  const tags = Object.entries(run.data.tags).filter(([k]) => !k.startsWith('mlship.'));
  if (tags.length > 0) out += '\ntags:\n' + table([['key', 'value'], ...tags], { indent: '  ' });
  if (run.inputs.length > 0) out += '\ndatasets:\n' + table([['name', 'digest', 'rows', 'context', 'source'], ...run.inputs.map((d) => [d.name, d.digest.slice(0, 19), d.rowCount ?? '', d.context ?? '', d.source ?? ''])], { indent: '  ' });
  return out;
}

/**
 * Adds `mlship experiments ...`, `mlship runs ...` and `mlship db ...`. `command(parent, name)`
 * creates a configured subcommand and `example(lines)` formats the `--help` examples, as main.ts does.
 *
 * @example
 * ```ts
 * addTrackingCommands(program, command, example, io);
 * ```
 */
export function addTrackingCommands(program: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const out = (s: string): void => void io.stdout.write(s);

  // ---- experiments -------------------------------------------------------------------------
  const experiments = command(program, 'experiments')
    .description('create, list, rename, delete, restore and purge experiments (named groups of runs)')
    .addHelpText('after', example('mlship experiments list\nmlship experiments create housing --tag team=pricing\nmlship experiments delete housing && mlship experiments purge housing --yes'));

  storeOptions(command(experiments, 'list').description('list experiments, optionally filtered with the search language (name, tags.<key>, attributes.experiment_id, attributes.creation_time, attributes.last_update_time)'))
    .addOption(new Option('--view <stage>', 'which experiments: active, deleted or all').choices([...VIEWS]).default('active'))
    .option('--filter <expression>', `e.g. "name LIKE 'housing%' AND (tags.team = 'pricing' OR tags.team ILIKE '%ml%')"`)
    .option('--order-by <key>', 'name, experiment_id, creation_time or last_update_time, with ASC or DESC (repeatable; default: creation order)', collect)
    .addHelpText(
      'after',
      example(`mlship experiments list\nmlship experiments list --view all --json\nmlship experiments list --filter "name LIKE 'housing%' OR tags.team = 'nlp'" --order-by "last_update_time DESC"`),
    )
    .action(async (opts: StoreOptions & { view: (typeof VIEWS)[number]; filter?: string; orderBy?: string[] }) => {
      const search = { ...(opts.filter !== undefined ? { filter: opts.filter } : {}), ...(opts.orderBy !== undefined ? { orderBy: opts.orderBy } : {}) };
      const items = await withClient(opts, io, (c) => allExperiments(c, VIEW_TYPE[opts.view], search));
      out(opts.json ? toJson(items) : items.length === 0 ? `no ${opts.view === 'all' ? '' : `${opts.view} `}experiments${opts.filter !== undefined ? ' match the filter' : ''}\n` : experimentsTable(items));
    });

  storeOptions(command(experiments, 'create').description('create an experiment').argument('<name>', 'a unique name'))
    .option('--artifact-location <dir>', 'where its runs put artifacts (default: <store folder>/artifacts/<id>)')
    .option('--tag <key=value>', 'an experiment tag (repeatable)', collect)
    .addHelpText('after', example('mlship experiments create housing\nmlship experiments create imdb --tag team=nlp --tag owner=ana'))
    .action(async (name: string, opts: StoreOptions & { artifactLocation?: string; tag?: string[] }) => {
      const tags = parseTags(opts.tag);
      const exp = await withClient(opts, io, async (c) => c.tracking.getExperiment(await c.tracking.createExperiment(name, { tags, ...(opts.artifactLocation ? { artifactLocation: resolve(io.cwd ?? process.cwd(), opts.artifactLocation) } : {}) })));
      out(opts.json ? toJson(exp) : `created experiment '${exp.name}' with id ${exp.experimentId}\n`);
    });

  storeOptions(command(experiments, 'show').description('show an experiment and its run counts').argument('<experiment>', 'name or id'))
    .addHelpText('after', example('mlship experiments show housing'))
    .action(async (ref: string, opts: StoreOptions) => {
      const { exp, counts } = await withClient(opts, io, async (c) => {
        const exp = await findExperiment(c, ref);
        const runs = await c.tracking.searchAllRuns({ experimentIds: [exp.experimentId], runViewType: 'ALL' });
        const counts: Record<string, number> = {};
        for (const r of runs) {
          const k = r.info.lifecycleStage === 'deleted' ? 'DELETED' : r.info.status;
          counts[k] = (counts[k] ?? 0) + 1;
        }
        return { exp, counts };
      });
      if (opts.json) return out(toJson({ ...exp, runCounts: counts }));
      out(
        table([
          ['field', 'value'],
          ['id', exp.experimentId],
          ['name', exp.name],
          ['stage', exp.lifecycleStage],
          ['created', time(exp.creationTime)],
          ['updated', time(exp.lastUpdateTime)],
          ['artifacts', exp.artifactLocation],
          ['runs', Object.entries(counts).map(([k, v]) => `${v} ${k.toLowerCase()}`).join(', ') || 'none'],
          ...Object.entries(exp.tags).map(([k, v]) => [`tags.${k}`, v]),
        ]),
      );
    });

  storeOptions(command(experiments, 'rename').description('rename an experiment').argument('<experiment>', 'name or id').argument('<new-name>', 'the new name'))
    .addHelpText('after', example('mlship experiments rename housing housing-2026'))
    .action(async (ref: string, newName: string, opts: StoreOptions) => {
      const exp = await withClient(opts, io, async (c) => {
        const e = await findExperiment(c, ref);
        await c.tracking.renameExperiment(e.experimentId, newName);
        return c.tracking.getExperiment(e.experimentId);
      });
      out(opts.json ? toJson(exp) : `renamed experiment ${exp.experimentId} to '${exp.name}'\n`);
    });

  storeOptions(command(experiments, 'tag').description('set experiment tags').argument('<experiment>', 'name or id').argument('<key=value...>', 'tags to set'))
    .addHelpText('after', example('mlship experiments tag housing team=pricing owner=ana'))
    .action(async (ref: string, pairs: string[], opts: StoreOptions) => {
      const tags = parseTags(pairs);
      const exp = await withClient(opts, io, async (c) => {
        const e = await findExperiment(c, ref);
        for (const [k, v] of Object.entries(tags)) await c.tracking.setExperimentTag(e.experimentId, k, v);
        return c.tracking.getExperiment(e.experimentId);
      });
      out(opts.json ? toJson(exp) : `tagged experiment '${exp.name}': ${Object.keys(tags).join(', ')}\n`);
    });

  for (const verb of ['delete', 'restore'] as const) {
    storeOptions(command(experiments, verb).description(verb === 'delete' ? 'soft-delete an experiment and its runs (restorable until purged)' : 'restore a soft-deleted experiment and the runs its deletion removed').argument('<experiment>', 'name or id'))
      .addHelpText('after', example(`mlship experiments ${verb} housing`))
      .action(async (ref: string, opts: StoreOptions) => {
        const exp = await withClient(opts, io, async (c) => {
          const e = await findExperiment(c, ref);
          if (verb === 'delete') await c.tracking.deleteExperiment(e.experimentId);
          else await c.tracking.restoreExperiment(e.experimentId);
          return c.tracking.getExperiment(e.experimentId);
        });
        out(opts.json ? toJson(exp) : `${verb === 'delete' ? 'deleted' : 'restored'} experiment '${exp.name}' (${exp.experimentId})${verb === 'delete' ? `; restore it with: mlship experiments restore ${exp.experimentId}` : ''}\n`);
      });
  }

  storeOptions(command(experiments, 'purge').description('permanently delete a soft-deleted experiment: its runs, metrics and artifact files are removed and its name can be reused').argument('<experiment>', 'name or id'))
    .option('--yes', 'confirm: this cannot be undone')
    .addHelpText('after', example('mlship experiments delete housing\nmlship experiments purge housing --yes'))
    .action(async (ref: string, opts: StoreOptions & { yes?: boolean }) => {
      const result = await withClient(opts, io, async (c) => {
        const e = await findExperiment(c, ref);
        if (!opts.yes) throw new MlshipError('INVALID_ARGUMENT', `purging experiment '${e.name}' (${e.experimentId}) deletes its runs and artifact files for good; add --yes to confirm`, { field: 'yes' });
        const removed = await c.purgeExperiment(e.experimentId);
        return { experiment: e, removedArtifactLocations: removed };
      });
      out(opts.json ? toJson(result) : `purged experiment '${result.experiment.name}' (${result.experiment.experimentId}); removed ${result.removedArtifactLocations.length} artifact folder(s)\n`);
    });

  // ---- runs --------------------------------------------------------------------------------
  const runs = command(program, 'runs')
    .description('search, show, compare, delete and restore runs; list and download their artifacts')
    .addHelpText('after', example(`mlship runs list --experiment housing --filter "metrics.rmse < 4 AND params.model = 'hgb'" --order-by "metrics.rmse ASC"\nmlship runs show 3f2a...\nmlship runs compare <run id> <run id>`));

  storeOptions(command(runs, 'list').description('search runs with the filter language (metrics., params., tags., attributes., datasets.; = != < <= > >= LIKE ILIKE IN; AND, OR, parentheses)'))
    .option('--experiment <name-or-id>', 'experiments to search (repeatable; default: all active experiments)', collect)
    .option('--filter <expression>', `e.g. "metrics.rmse < 4 AND (params.model = 'rf' OR tags.team ILIKE '%ml%')"`)
    .option('--order-by <key>', 'sort key such as "metrics.rmse ASC" (repeatable)', collect)
    .option('--max-results <n>', 'at most this many runs', positiveInt, 100)
    .addOption(new Option('--view <stage>', 'which runs: active, deleted or all').choices([...VIEWS]).default('active'))
    .addHelpText('after', example(`mlship runs list\nmlship runs list --experiment housing --order-by "metrics.rmse ASC" --max-results 5\nmlship runs list --filter "attributes.status = 'FAILED'" --view all --json`))
    .action(async (opts: StoreOptions & { experiment?: string[]; filter?: string; orderBy?: string[]; maxResults: number; view: (typeof VIEWS)[number] }) => {
      const found = await withClient(opts, io, async (c) => {
        const exps = opts.experiment ? await Promise.all(opts.experiment.map((e) => findExperiment(c, e))) : await allExperiments(c, 'ACTIVE_ONLY');
        const page = await c.tracking.searchRuns({
          experimentIds: exps.map((e) => e.experimentId),
          ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
          orderBy: opts.orderBy ?? [],
          maxResults: opts.maxResults,
          runViewType: VIEW_TYPE[opts.view],
        });
        return page;
      });
      if (opts.json) return out(toJson(found.items));
      out(found.items.length === 0 ? 'no runs match\n' : runsTable(found.items) + (found.nextPageToken ? `(more runs match: raise --max-results, now ${opts.maxResults})\n` : ''));
    });

  storeOptions(command(runs, 'show').description("show a run: info, latest metrics, params, tags, datasets and code version").argument('<run-id>', 'the run id'))
    .addHelpText('after', example('mlship runs show 3f2a9c...\nmlship runs show 3f2a9c... --json'))
    .action(async (runId: string, opts: StoreOptions) => {
      const { run, exp } = await withClient(opts, io, async (c) => {
        const run = await c.tracking.getRun(runId);
        const exp = await c.tracking.getExperiment(run.info.experimentId).catch(() => null);
        return { run, exp };
      });
      out(opts.json ? toJson(run) : runDetails(run, exp));
    });

  storeOptions(command(runs, 'compare').description('compare runs side by side: params and latest metrics').argument('<run-ids...>', 'two or more run ids'))
    .addHelpText('after', example('mlship runs compare 3f2a... 9c1b... 77de...'))
    .action(async (ids: string[], opts: StoreOptions) => {
      const list = await withClient(opts, io, (c) => Promise.all(ids.map((id) => c.tracking.getRun(id))));
      if (opts.json) return out(toJson(list));
      const keys = (pick: (r: Run) => string[]): string[] => [...new Set(list.flatMap(pick))].sort();
      const rows: (string | number)[][] = [['', ...list.map((r) => r.info.runName)], ['run id', ...list.map((r) => r.info.runId.slice(0, 12))], ['status', ...list.map((r) => r.info.status)]];
      for (const k of keys((r) => Object.keys(r.data.params))) rows.push([`params.${k}`, ...list.map((r) => r.data.params[k] ?? '')]);
      for (const k of keys((r) => Object.keys(r.data.metrics))) rows.push([`metrics.${k}`, ...list.map((r) => metricCell(r.data.metrics[k]?.value))]);
      out(table(rows));
    });

  storeOptions(command(runs, 'history').description("every logged value of a run's metric, by step").argument('<run-id>', 'the run id').argument('<metric>', 'the metric key'))
    .addHelpText('after', example('mlship runs history 3f2a... val_loss --json'))
    .action(async (runId: string, key: string, opts: StoreOptions) => {
      const history = await withClient(opts, io, (c) => c.tracking.getMetricHistory(runId, key));
      out(opts.json ? toJson(history) : history.length === 0 ? `run ${runId} has no metric '${key}'\n` : table([['step', 'value', 'time'], ...history.map((m) => [m.step, metricCell(m.value), time(m.timestamp)])]));
    });

  for (const verb of ['delete', 'restore'] as const) {
    storeOptions(command(runs, verb).description(verb === 'delete' ? 'soft-delete runs' : 'restore soft-deleted runs').argument('<run-ids...>', 'run ids'))
      .addHelpText('after', example(`mlship runs ${verb} 3f2a... 9c1b...`))
      .action(async (ids: string[], opts: StoreOptions) => {
        await withClient(opts, io, async (c) => {
          for (const id of ids) await (verb === 'delete' ? c.tracking.deleteRun(id) : c.tracking.restoreRun(id));
        });
        out(opts.json ? toJson({ [verb === 'delete' ? 'deleted' : 'restored']: ids }) : `${verb === 'delete' ? 'deleted' : 'restored'} ${ids.length} run(s)\n`);
      });
  }

  storeOptions(command(runs, 'artifacts').description("list a run's artifacts").argument('<run-id>', 'the run id').argument('[path]', 'a folder inside the run artifacts'))
    .addHelpText('after', example('mlship runs artifacts 3f2a...\nmlship runs artifacts 3f2a... model'))
    .action(async (runId: string, path: string | undefined, opts: StoreOptions) => {
      const items = await withClient(opts, io, async (c) => (await c.artifacts(runId)).list(path));
      out(opts.json ? toJson(items) : items.length === 0 ? 'no artifacts\n' : table([['path', 'kind', 'size'], ...items.map((a) => [a.path, a.isDir ? 'folder' : 'file', a.size ?? ''])]));
    });

  storeOptions(command(runs, 'logs').description("print what a run logged (a flow run's and its task runs' logger lines, merged by time)").argument('<run-id>', 'the run id'))
    .option('--no-children', "only the run's own lines, not its child runs'")
    .addHelpText('after', example('mlship runs logs 3f2a...\nmlship runs logs 3f2a... --json'))
    .action(async (runId: string, opts: StoreOptions & { children: boolean }) => {
      const lines = await withClient(opts, io, async (c) => {
        const run = await c.tracking.getRun(runId);
        const runsToRead = [run];
        if (opts.children) runsToRead.push(...(await c.tracking.searchAllRuns({ experimentIds: [run.info.experimentId], filter: `tags.\`${PARENT_RUN_ID_TAG}\` = '${runId}'` })));
        const all: (LogLine & { run: string })[] = [];
        for (const r of runsToRead) {
          let text: string;
          try {
            text = Buffer.from(await (await c.artifacts(r.info.runId)).readBytes(LOGS_ARTIFACT)).toString('utf8');
          } catch (err) {
            if ((err as MlshipError).code === 'NOT_FOUND') continue;
            throw err;
          }
          for (const l of parseLogLines(text)) all.push({ ...l, run: r.info.runName });
        }
        return all.sort((x, y) => x.time - y.time);
      });
      if (opts.json) return out(toJson(lines));
      if (lines.length === 0) return out(`run ${runId} logged nothing\n`);
      const width = Math.max(...lines.map((l) => l.run.length));
      const text = formatLogLines(lines).split('\n');
      out(lines.map((l, i) => `${l.run.padEnd(width)}  ${text[i]}\n`).join(''));
    });

  storeOptions(command(runs, 'download').description('copy a run artifact (file or folder) to a local folder').argument('<run-id>', 'the run id').argument('<path>', 'the artifact path'))
    .option('--dest <dir>', 'destination folder', '.')
    .addHelpText('after', example('mlship runs download 3f2a... model --dest ./downloaded'))
    .action(async (runId: string, path: string, opts: StoreOptions & { dest: string }) => {
      const local = await withClient(opts, io, async (c) => (await c.artifacts(runId)).download(path, resolve(io.cwd ?? process.cwd(), opts.dest)));
      out(opts.json ? toJson({ path: local }) : `downloaded ${path} to ${local}\n`);
    });

  // ---- db ----------------------------------------------------------------------------------
  const db = command(program, 'db')
    .description('manage the tracking database')
    .addHelpText('after', example('mlship db upgrade\nmlship db upgrade --tracking-uri sqlite:///srv/mlship/mlship.db'));
  storeOptions(command(db, 'upgrade').description("create or upgrade the tracking and registry schema to this mlship's version (explicit, versioned migrations; safe to repeat)"))
    .addHelpText('after', example('mlship db upgrade'))
    .action(async (opts: StoreOptions) => {
      const uri = trackingUriOf(opts, io);
      await withClient(opts, io, async () => undefined);
      out(opts.json ? toJson({ uri, upgraded: true }) : `the store at ${uri} is at the current schema version\n`);
    });

}

/**
 * The local file a `--model` option names: a model URI (`models:/name@alias`, `models:/name/3`,
 * `models:/name/latest`, `runs:/<run id>/model`) resolved through the registry, or a path taken
 * from the working folder.
 */
export async function modelPathOf(ref: string, io: CliIo, opts: StoreOptions = {}): Promise<string> {
  if (!/^(models|runs):\//i.test(ref)) return resolve(io.cwd ?? process.cwd(), ref);
  return withClient(opts, io, async (c) => (await c.resolveModelUri(ref)).path);
}
