import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { MlshipError } from '../core/index.js';
import { readPointer } from '../data/index.js';
import type { AliasChange, ModelVersion, RegisteredModel } from '../tracking/index.js';
import { ExitStatus, table, type CliIo } from './io.js';
import { collect, nonNegativeInt, positiveInt } from './options.js';
import { toJson } from './render.js';
import { parseTags, storeOptions, time, withClient, type StoreOptions } from './tracking-commands.js';

// `mlship models ...` (the model registry) and `mlship data lineage`: thin commands over the
// public mlship/tracking client.

/** A version number argument: a positive integer. */
function versionArg(value: string): number {
  const n = Number(value.startsWith('v') ? value.slice(1) : value);
  if (!Number.isInteger(n) || n < 1) throw new MlshipError('INVALID_ARGUMENT', `'${value}' is not a model version; versions are numbers from 1, such as 3 (or v3)`, { field: 'version', value });
  return n;
}

function aliasesText(aliases: Record<string, number>): string {
  return Object.entries(aliases)
    .map(([a, v]) => `${a}→v${v}`)
    .join(', ');
}

function modelsTable(items: RegisteredModel[]): string {
  return table([['name', 'latest', 'aliases', 'updated', 'description'], ...items.map((m) => [m.name, m.latestVersion === null ? '' : `v${m.latestVersion}`, aliasesText(m.aliases), time(m.lastUpdatedTime), m.description])]);
}

function versionsTable(items: ModelVersion[]): string {
  return table([['version', 'aliases', 'run id', 'created', 'source'], ...items.map((v) => [`v${v.version}`, v.aliases.join(', '), v.runId ?? '', time(v.creationTime), v.source])]);
}

function historyTable(items: AliasChange[]): string {
  const val = (x: number | null): string => (x === null ? '' : Number.isInteger(x) ? String(x) : x.toPrecision(6));
  return table([
    ['time', 'alias', 'action', 'from', 'to', 'metric', 'value', 'previous', 'reason'],
    ...items.map((h) => [time(h.time), h.alias, h.action, h.previousVersion === null ? '' : `v${h.previousVersion}`, h.version === null ? '' : `v${h.version}`, h.metric ?? '', val(h.value), val(h.previousValue), h.reason ?? '']),
  ]);
}

/**
 * Adds `mlship models ...` (list, show, versions, register, alias, promote, rollback, history,
 * lineage, resolve, delete) and `mlship data lineage`. `command(parent, name)` creates a configured
 * subcommand and `example(lines)` formats the `--help` examples, as main.ts does.
 *
 * @example
 * ```ts
 * addRegistryCommands(program, command, example, io);
 * ```
 */
export function addRegistryCommands(program: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const out = (s: string): void => void io.stdout.write(s);
  const cwd = (): string => io.cwd ?? process.cwd();

  const models = command(program, 'models')
    .description('the model registry: registered models, numbered versions, aliases (champion, challenger, ...) with promotion gates and rollback, and lineage')
    .addHelpText(
      'after',
      example(`mlship models register runs:/3f2a.../model --name housing
               mlship models promote housing 2 --metric rmse --margin 0.05
               mlship models rollback housing
               mlship predict --model models:/housing@champion --input houses.csv`),
    );

  storeOptions(command(models, 'list').description('list registered models, optionally filtered with the search language (name, tags.<key>, attributes.creation_time, attributes.last_updated_time)'))
    .option('--name <pattern>', "only names matching this LIKE pattern ('%' any text, '_' one character)")
    .option('--filter <expression>', `e.g. "name LIKE 'housing%' AND (tags.stage = 'prod' OR tags.team ILIKE '%ml%')"`)
    .option('--order-by <key>', 'name, creation_time or last_updated_time, with ASC or DESC (repeatable; default: name)', collect)
    .addHelpText('after', example(`mlship models list\nmlship models list --name 'housing%' --json\nmlship models list --filter "tags.stage = 'prod' OR name LIKE 'iris%'" --order-by "last_updated_time DESC"`))
    .action(async (opts: StoreOptions & { name?: string; filter?: string; orderBy?: string[] }) => {
      const items = await withClient(opts, io, async (c) => {
        const all: RegisteredModel[] = [];
        let pageToken: string | undefined;
        const search = { ...(opts.name !== undefined ? { nameLike: opts.name } : {}), ...(opts.filter !== undefined ? { filter: opts.filter } : {}), ...(opts.orderBy !== undefined ? { orderBy: opts.orderBy } : {}) };
        do {
          const page = await c.registry.searchRegisteredModels({ ...search, pageToken });
          all.push(...page.items);
          pageToken = page.nextPageToken;
        } while (pageToken);
        return all;
      });
      out(opts.json ? toJson(items) : items.length === 0 ? (opts.filter !== undefined || opts.name !== undefined ? 'no registered models match\n' : 'no registered models; register one with: mlship models register <model uri> --name <name>\n') : modelsTable(items));
    });

  storeOptions(command(models, 'show').description('show a registered model, its versions and aliases').argument('<name>', 'the registered model'))
    .addHelpText('after', example('mlship models show housing'))
    .action(async (name: string, opts: StoreOptions) => {
      const { model, versions } = await withClient(opts, io, async (c) => ({ model: await c.registry.getRegisteredModel(name), versions: (await c.registry.searchModelVersions({ name, maxResults: 50 })).items }));
      if (opts.json) return out(toJson({ ...model, versions }));
      out(
        table([
          ['field', 'value'],
          ['name', model.name],
          ['latest version', model.latestVersion === null ? '' : `v${model.latestVersion}`],
          ['aliases', aliasesText(model.aliases)],
          ['created', time(model.creationTime)],
          ['updated', time(model.lastUpdatedTime)],
          ['description', model.description],
          ...Object.entries(model.tags).map(([k, v]) => [`tags.${k}`, v]),
        ]) + (versions.length > 0 ? `\nversions (newest first):\n${versionsTable(versions)}` : ''),
      );
    });

  storeOptions(command(models, 'versions').description('list the versions of a registered model, newest first, optionally filtered with the search language (version, run_id, source, tags.<key>, attributes.creation_time)').argument('<name>', 'the registered model'))
    .option('--max-results <n>', 'at most this many versions', positiveInt, 100)
    .option('--filter <expression>', `e.g. "version >= 3 AND tags.validated = 'yes'"`)
    .option('--order-by <key>', 'version, creation_time, run_id or source, with ASC or DESC (repeatable; default: newest first)', collect)
    .addHelpText('after', example(`mlship models versions housing\nmlship models versions housing --filter "version >= 3 AND run_id IS NOT NULL" --order-by "version ASC"`))
    .action(async (name: string, opts: StoreOptions & { maxResults: number; filter?: string; orderBy?: string[] }) => {
      const page = await withClient(opts, io, async (c) => {
        await c.registry.getRegisteredModel(name);
        return c.registry.searchModelVersions({ name, maxResults: opts.maxResults, ...(opts.filter !== undefined ? { filter: opts.filter } : {}), ...(opts.orderBy !== undefined ? { orderBy: opts.orderBy } : {}) });
      });
      out(opts.json ? toJson(page.items) : page.items.length === 0 ? `model '${name}' has no versions${opts.filter !== undefined ? ' matching the filter' : ''}\n` : versionsTable(page.items));
    });

  storeOptions(
    command(models, 'register')
      .description('register a model package as the next version of a registered model (created if new); the package is copied into the registry')
      .argument('<model-uri>', 'runs:/<run id>/model, or a model package file (.mlship)'),
  )
    .requiredOption('--name <name>', 'the registered model')
    .option('--description <text>', 'a description of this version')
    .option('--tag <key=value>', 'a version tag (repeatable)', collect)
    .option('--alias <alias>', 'also point this alias at the new version (no gate; use promote for a gated move)')
    .addHelpText('after', example('mlship models register runs:/3f2a.../model --name housing\nmlship models register mlship/models/housing-hgb.mlship --name housing --alias challenger'))
    .action(async (uri: string, opts: StoreOptions & { name: string; description?: string; tag?: string[]; alias?: string }) => {
      const modelUri = /^[a-z]+:\//i.test(uri) ? uri : resolve(cwd(), uri);
      const tags = parseTags(opts.tag);
      const version = await withClient(opts, io, async (c) => {
        const v = await c.registerModel(modelUri, opts.name, { ...(opts.description !== undefined ? { description: opts.description } : {}), tags });
        if (opts.alias) await c.registry.setAlias(opts.name, opts.alias, v.version);
        return opts.alias ? c.registry.getModelVersion(opts.name, v.version) : v;
      });
      out(opts.json ? toJson(version) : `registered ${uri} as ${version.name} v${version.version}${opts.alias ? ` (@${opts.alias})` : ''}; use it as models:/${version.name}/${version.version}\n`);
    });

  storeOptions(command(models, 'alias').description('point an alias at a version without a gate (recorded in the alias history), or delete it with --delete').argument('<name>', 'the registered model').argument('<alias>', 'the alias, e.g. challenger').argument('[version]', 'the version', versionArg))
    .option('--delete', 'remove the alias')
    .option('--reason <text>', 'why (kept in the alias history)')
    .addHelpText('after', example('mlship models alias housing challenger 4\nmlship models alias housing challenger --delete'))
    .action(async (name: string, alias: string, version: number | undefined, opts: StoreOptions & { delete?: boolean; reason?: string }) => {
      if (!opts.delete && version === undefined) throw new MlshipError('INVALID_ARGUMENT', `give the version to point '${alias}' at (mlship models alias ${name} ${alias} 3), or --delete`, { field: 'version' });
      const change = await withClient(opts, io, (c) => (opts.delete ? c.registry.deleteAlias(name, alias, { reason: opts.reason ?? null }) : c.registry.setAlias(name, alias, version!, { reason: opts.reason ?? null })));
      out(opts.json ? toJson(change) : opts.delete ? `deleted alias ${name}@${alias} (was v${change.previousVersion})\n` : `${name}@${alias} → v${change.version}${change.previousVersion !== null ? ` (was v${change.previousVersion})` : ''}\n`);
    });

  storeOptions(
    command(models, 'promote')
      .description('move an alias (default champion) to a version only if it beats the current holder on a metric of their runs by more than a margin (exit status 1 when the gate refuses); --force overrides the gate and is recorded')
      .argument('<name>', 'the registered model')
      .argument('<version>', 'the candidate version', versionArg),
  )
    .requiredOption('--metric <key>', "the runs' metric to compare, e.g. rmse or accuracy")
    .option('--alias <alias>', 'the alias to move', 'champion')
    .addOption(new Option('--mode <mode>', 'whether lower or higher is better').choices(['min', 'max']).default(undefined, 'min for rmse/mse/mae/loss/error names, else max'))
    .option('--margin <x>', 'the candidate must be better by more than this (absolute)', (v: string) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new MlshipError('INVALID_ARGUMENT', `--margin must be a number >= 0, got '${v}'`, { field: 'margin', value: v });
      return n;
    }, 0)
    .option('--force', 'promote even if the gate fails (recorded as forced, with --reason)')
    .option('--reason <text>', 'why (kept in the alias history)')
    .addHelpText('after', example('mlship models promote housing 3 --metric rmse --margin 0.05\nmlship models promote imdb 2 --metric accuracy --alias champion\nmlship models promote housing 4 --metric rmse --force --reason "hotfix approved by ana"'))
    .action(async (name: string, version: number, opts: StoreOptions & { metric: string; alias: string; mode?: 'min' | 'max'; margin: number; force?: boolean; reason?: string }) => {
      const result = await withClient(opts, io, (c) =>
        c.promote(name, version, { alias: opts.alias, metric: opts.metric, margin: opts.margin, ...(opts.mode ? { mode: opts.mode } : {}), force: opts.force === true, ...(opts.reason !== undefined ? { reason: opts.reason } : {}) }),
      );
      if (opts.json) out(toJson(result));
      else out(`${result.promoted ? 'promoted' : 'not promoted'}: ${result.message}\n`);
      if (!result.promoted) throw new ExitStatus(1);
    });

  storeOptions(command(models, 'rollback').description('move an alias back to the version it pointed to before its last change (repeat to go further back)').argument('<name>', 'the registered model'))
    .option('--alias <alias>', 'the alias', 'champion')
    .option('--reason <text>', 'why (kept in the alias history)')
    .addHelpText('after', example('mlship models rollback housing\nmlship models rollback housing --alias challenger --reason "latency regression"'))
    .action(async (name: string, opts: StoreOptions & { alias: string; reason?: string }) => {
      const change = await withClient(opts, io, (c) => c.rollback(name, opts.alias, { ...(opts.reason !== undefined ? { reason: opts.reason } : {}) }));
      out(opts.json ? toJson(change) : `rolled back ${name}@${opts.alias}: v${change.previousVersion} → v${change.version}\n`);
    });

  storeOptions(command(models, 'history').description("the alias history of a model (every set, promotion, forced promotion, rollback and delete), newest first").argument('<name>', 'the registered model'))
    .option('--alias <alias>', 'only this alias')
    .option('--limit <n>', 'at most this many entries', nonNegativeInt)
    .addHelpText('after', example('mlship models history housing --alias champion'))
    .action(async (name: string, opts: StoreOptions & { alias?: string; limit?: number }) => {
      let items = await withClient(opts, io, (c) => c.registry.getAliasHistory(name, opts.alias));
      if (opts.limit !== undefined) items = items.slice(0, opts.limit);
      out(opts.json ? toJson(items) : items.length === 0 ? 'no alias changes yet\n' : historyTable(items));
    });

  storeOptions(command(models, 'lineage').description('where a model version came from: its run, params, metrics, dataset versions, code commit and alias history').argument('<name>', 'the registered model').argument('<version>', 'the version', versionArg))
    .addHelpText('after', example('mlship models lineage housing 3\nmlship models lineage housing 3 --json'))
    .action(async (name: string, version: number, opts: StoreOptions) => {
      const l = await withClient(opts, io, (c) => c.modelVersionLineage(name, version));
      if (opts.json) return out(toJson(l));
      let text = table([
        ['field', 'value'],
        ['model', `${l.modelVersion.name} v${l.modelVersion.version}`],
        ['aliases', l.modelVersion.aliases.join(', ')],
        ['source', l.modelVersion.source],
        ['run', l.run ? `${l.run.info.runId} (${l.run.info.runName}, ${l.run.info.status})` : 'none (registered from a file)'],
        ['experiment', l.experiment ? `${l.experiment.name} (${l.experiment.experimentId})` : ''],
        ['code', l.code.commit ? `${l.code.commit}${l.code.dirty ? ' (dirty tree)' : ''}` : 'unknown'],
      ]);
      if (l.run) {
        const params = Object.entries(l.run.data.params);
        if (params.length > 0) text += '\nparams:\n' + table([['key', 'value'], ...params], { indent: '  ' });
        const metrics = Object.values(l.run.data.metrics);
        if (metrics.length > 0) text += '\nmetrics:\n' + table([['key', 'value'], ...metrics.map((m) => [m.key, m.value])], { indent: '  ' });
      }
      if (l.datasets.length > 0) text += '\ndatasets:\n' + table([['name', 'digest', 'rows', 'source'], ...l.datasets.map((d) => [d.name, d.digest, d.rowCount ?? '', d.source ?? ''])], { indent: '  ' });
      if (l.aliasHistory.length > 0) text += '\nalias history:\n' + historyTable(l.aliasHistory);
      out(text);
    });

  storeOptions(command(models, 'resolve').description('print the local model package a model URI names').argument('<model-uri>', 'models:/name@alias, models:/name/3, models:/name/latest or runs:/<run id>/model'))
    .addHelpText('after', example('mlship models resolve models:/housing@champion'))
    .action(async (uri: string, opts: StoreOptions) => {
      const r = await withClient(opts, io, (c) => c.resolveModelUri(uri));
      out(opts.json ? toJson(r) : `${r.path}\n`);
    });

  storeOptions(command(models, 'delete').description('delete a registered model, or one version with --version (refused while an alias points at it)').argument('<name>', 'the registered model'))
    .option('--version <n>', 'delete only this version', versionArg)
    .option('--yes', 'confirm deleting the whole model')
    .addHelpText('after', example('mlship models delete housing --version 2\nmlship models delete housing --yes'))
    .action(async (name: string, opts: StoreOptions & { version?: number; yes?: boolean }) => {
      if (opts.version === undefined && !opts.yes) throw new MlshipError('INVALID_ARGUMENT', `deleting '${name}' removes every version, alias and its history; add --yes to confirm, or --version <n> to delete one version`, { field: 'yes' });
      await withClient(opts, io, async (c) => {
        if (opts.version !== undefined) await c.registry.deleteModelVersion(name, opts.version);
        else await c.deleteRegisteredModel(name);
      });
      out(opts.json ? toJson({ deleted: name, version: opts.version ?? null }) : `deleted ${name}${opts.version !== undefined ? ` v${opts.version}` : ''}\n`);
    });

  // ---- data lineage ----------------------------------------------------------------------------
  const data = program.commands.find((c) => c.name() === 'data') ?? command(program, 'data');
  storeOptions(command(data, 'lineage').description('the runs and model versions that used a dataset version').argument('<digest-or-path>', 'a full sha256 digest, or a versioned path (its pointer file <path>.mlship.json names the digest)'))
    .addHelpText('after', example('mlship data lineage data/train.csv\nmlship data lineage 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 --json'))
    .action(async (ref: string, opts: StoreOptions) => {
      let digest = ref;
      if (!/^[0-9a-f]{64}$/.test(ref)) {
        const pointer = await readPointer(resolve(cwd(), ref.endsWith('.mlship.json') ? ref : `${ref}.mlship.json`));
        digest = pointer.sha256;
      }
      const l = await withClient(opts, io, (c) => c.datasetLineage(digest));
      if (opts.json) return out(toJson(l));
      let text = `dataset ${digest}\n`;
      text += l.runs.length === 0 ? 'no runs used it\n' : '\nruns:\n' + table([['run id', 'name', 'experiment', 'status', 'started'], ...l.runs.map((r) => [r.runId, r.runName, r.experimentId, r.status, time(r.startTime)])], { indent: '  ' });
      text += l.modelVersions.length === 0 ? 'no registered model versions came from those runs\n' : '\nmodel versions:\n' + table([['model', 'version', 'aliases', 'run id'], ...l.modelVersions.map((v) => [v.name, `v${v.version}`, v.aliases.join(', '), v.runId ?? ''])], { indent: '  ' });
      out(text);
    });
}
