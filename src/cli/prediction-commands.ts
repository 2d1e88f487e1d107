import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MlshipError } from '../core/index.js';
import { openPredictionStore, type LabelInput, type PredictionFilter, type PredictionStore, type StoredPrediction } from '../tracking/index.js';
import { Progress, table, type CliIo } from './io.js';
import { positiveInt } from './options.js';
import { storeOptions, time, trackingUriOf, type StoreOptions } from './tracking-commands.js';
import { predictionToJson } from '../serve/index.js';

// `mlship predictions list|count|export|label|prune`: the prediction log a model server writes
// (`mlship serve`), read back, labelled with ground truth and pruned, over mlship/tracking's
// PredictionStore.

interface FilterOptions extends StoreOptions {
  model?: string;
  version?: string;
  since?: number;
  until?: number;
  labelled?: boolean;
  unlabelled?: boolean;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A point in time for `--since`, `--until` and `--before`: an ISO 8601 date or date-time
 * (`2026-11-01`, `2026-11-27T10:00:00Z`), ms since the epoch, or a duration back from now
 * (`30m`, `24h`, `7d`, `2w`).
 *
 * @example
 * ```ts
 * timeArg('7d'); // Date.now() - 7 days
 * timeArg('2026-11-01'); // 1793491200000
 * ```
 */
export function timeArg(value: string, now = Date.now()): number {
  const v = value.trim();
  const rel = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(v);
  if (rel) return Math.round(now - Number(rel[1]) * UNITS[rel[2]!.toLowerCase()]!);
  if (/^\d{9,}$/.test(v)) return Number(v);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('expected a date (2026-11-01, 2026-11-27T10:00:00Z), ms since the epoch, or a duration back from now (30m, 24h, 7d, 2w).');
  return ms;
}

function filterOf(opts: FilterOptions): PredictionFilter {
  if (opts.labelled && opts.unlabelled) throw new MlshipError('INVALID_ARGUMENT', 'give --labelled or --unlabelled, not both', { field: 'labelled' });
  const f: PredictionFilter = {};
  if (opts.model !== undefined) f.modelName = opts.model;
  if (opts.version !== undefined) f.modelVersion = opts.version === 'file' ? null : opts.version;
  if (opts.since !== undefined) f.from = opts.since;
  if (opts.until !== undefined) f.to = opts.until;
  if (opts.labelled) f.labelled = true;
  if (opts.unlabelled) f.labelled = false;
  return f;
}

/** Adds the filter options every reading command takes. */
function filterOptions(cmd: Command): Command {
  return storeOptions(cmd)
    .option('--model <name>', 'only predictions of this model')
    .option('--version <v>', "only predictions of this registry version ('file' for a plain model file)")
    .option('--since <time>', 'only predictions at or after this time: a date, ms since the epoch, or a duration back from now such as 24h or 7d', (v) => timeArg(v))
    .option('--until <time>', 'only predictions before this time (same forms as --since)', (v) => timeArg(v))
    .option('--labelled', 'only predictions with a ground-truth label')
    .option('--unlabelled', 'only predictions without a label');
}

/** Opens the prediction log of a command, runs `work` and closes it. */
async function withStore<T>(opts: StoreOptions, io: CliIo, work: (store: PredictionStore) => Promise<T>): Promise<T> {
  const store = await openPredictionStore(trackingUriOf(opts, io));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** JSON text with NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity" (as the HTTP API sends them). */
function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v));
}


/** A short one-line rendering of a JSON value for a table cell. */
function cell(v: unknown, max = 40): string {
  if (v === null || v === undefined) return '';
  const text = typeof v === 'string' ? v : jsonLine(v);
  const flat = text.replace(/\s+/g, ' ');
  return [...flat].length > max ? `${[...flat].slice(0, max - 1).join('')}…` : flat;
}

/** The prediction shown in a table: the label or value of an output, else its JSON. */
function outputCell(v: unknown): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if ('label' in o) return cell(o.label);
    if ('prediction' in o) return cell(o.prediction);
  }
  return cell(v);
}

function predictionsTable(items: StoredPrediction[]): string {
  return table([
    ['time', 'request id', 'item', 'model', 'version', 'latency ms', 'prediction', 'label', 'inputs'],
    ...items.map((p) => [time(p.timestamp), p.requestId, String(p.index), p.modelName, p.modelVersion ?? 'file', p.latencyMs.toFixed(2), outputCell(p.outputs), cell(p.label), cell(p.inputs, 50)]),
  ]);
}

/** Reads labels from a JSON Lines file: `{"request_id", "label", "index"?, "timestamp"?}` per line; PARSE_ERROR names the line. */
async function* readLabels(file: string): AsyncGenerator<LabelInput> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new MlshipError('PARSE_ERROR', `${file}:${n}: not JSON (${(err as Error).message}); write one {"request_id": "...", "label": ...} object per line`, { file, line: n });
    }
    const o = v as { request_id?: unknown; requestId?: unknown; label?: unknown; index?: unknown; timestamp?: unknown };
    const requestId = o?.request_id ?? o?.requestId;
    if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof requestId !== 'string' || requestId === '' || o.label === undefined || o.label === null) {
      throw new MlshipError('INVALID_DATA', `${file}:${n}: expected {"request_id": "<id>", "label": <value>, "index"?: <item>}, got ${line.slice(0, 80)}`, { file, line: n });
    }
    if (o.index !== undefined && !(typeof o.index === 'number' && Number.isSafeInteger(o.index) && o.index >= 0)) {
      throw new MlshipError('INVALID_DATA', `${file}:${n}: index must be a non-negative integer (the item's position in its request), got ${JSON.stringify(o.index)}`, { file, line: n, field: 'index' });
    }
    if (o.timestamp !== undefined && typeof o.timestamp !== 'number') {
      throw new MlshipError('INVALID_DATA', `${file}:${n}: timestamp must be ms since the epoch, got ${JSON.stringify(o.timestamp)}`, { file, line: n, field: 'timestamp' });
    }
    const label: LabelInput = { requestId, label: o.label };
    if (o.index !== undefined) label.index = o.index as number;
    if (o.timestamp !== undefined) label.timestamp = o.timestamp as number;
    yield label;
  }
}

/** Labels per `logLabels` call (one transaction each). */
const LABEL_CHUNK = 5000;
/** Rows per page while exporting. */
const EXPORT_PAGE = 5000;

/**
 * Registers `mlship predictions list|count|export|label|prune`.
 *
 * @example
 * ```ts
 * addPredictionCommands(program, command, example, io);
 * ```
 */
export function addPredictionCommands(program: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const out = (s: string): void => void io.stdout.write(s);
  const predictions = command(program, 'predictions')
    .description('the prediction log written by `mlship serve`: list, count and export predictions, post ground-truth labels, prune old ones')
    .addHelpText('after', example('mlship predictions list --model spam --since 1h\nmlship predictions label --file labels.jsonl\nmlship predictions prune --before 30d'));

  filterOptions(command(predictions, 'list').description('show logged predictions (one row per item of a request), newest first'))
    .option('--limit <n>', 'most predictions to show', positiveInt, 20)
    .addOption(new Option('--order <order>', 'newest first (desc) or oldest first (asc)').choices(['asc', 'desc']).default('desc'))
    .addHelpText('after', example('mlship predictions list\nmlship predictions list --model spam --version 3 --since 24h --limit 50\nmlship predictions list --unlabelled --json'))
    .action(async (opts: FilterOptions & { limit: number; order: 'asc' | 'desc' }) => {
      const filter = filterOf(opts);
      const items: StoredPrediction[] = [];
      await withStore(opts, io, async (store) => {
        let pageToken: string | undefined;
        do {
          const page = await store.searchPredictions({ ...filter, order: opts.order, maxResults: Math.min(opts.limit - items.length, 50_000), pageToken });
          items.push(...page.items);
          pageToken = page.nextPageToken;
        } while (pageToken && items.length < opts.limit);
      });
      if (opts.json) out(`${JSON.stringify(items.map(predictionToJson))}\n`);
      else out(items.length === 0 ? 'no predictions match\n' : predictionsTable(items));
    });

  filterOptions(command(predictions, 'count').description('count logged predictions (items) matching the filters'))
    .addHelpText('after', example('mlship predictions count\nmlship predictions count --model spam --labelled --since 7d'))
    .action(async (opts: FilterOptions) => {
      const filter = filterOf(opts);
      const n = await withStore(opts, io, (store) => store.countPredictions(filter));
      out(opts.json ? `${JSON.stringify({ count: n })}\n` : `${n}\n`);
    });

  filterOptions(command(predictions, 'export').description('write logged predictions as JSON Lines (oldest first), one object per item, to a file or stdout'))
    .option('--output <file>', 'the .jsonl file to write (default: stdout)')
    .option('--force', 'overwrite --output if it exists')
    .addHelpText('after', example('mlship predictions export --model spam --since 7d --output spam-week.jsonl\nmlship predictions export --labelled | head'))
    .action(async (opts: FilterOptions & { output?: string; force?: boolean }) => {
      const filter = filterOf(opts);
      const path = opts.output === undefined || opts.output === '-' ? undefined : resolve(io.cwd ?? process.cwd(), opts.output);
      if (path && existsSync(path) && !opts.force) {
        throw new MlshipError('ALREADY_EXISTS', `${path} exists; add --force to overwrite it or choose another --output`, { file: path });
      }
      const progress = new Progress(io.stderr, path !== undefined);
      const n = await withStore(opts, io, async (store) => {
        const total = path ? await store.countPredictions(filter) : 0;
        const file = path ? createWriteStream(path, { encoding: 'utf8' }) : undefined;
        const write = async (s: string): Promise<void> => {
          if (!file) return void io.stdout.write(s);
          if (!file.write(s)) await once(file, 'drain');
        };
        progress.start(`exporting ${total} prediction(s) to ${path}`);
        let written = 0;
        let pageToken: string | undefined;
        try {
          do {
            const page = await store.searchPredictions({ ...filter, maxResults: EXPORT_PAGE, pageToken });
            let chunk = '';
            for (const p of page.items) chunk += `${JSON.stringify(predictionToJson(p))}\n`;
            await write(chunk);
            written += page.items.length;
            progress.update(total > 0 ? written / total : undefined, `${written} rows`);
            pageToken = page.nextPageToken;
          } while (pageToken);
        } finally {
          if (file) {
            file.end();
            await once(file, 'close');
          }
        }
        progress.done(`${written} rows`);
        return written;
      });
      if (path) out(opts.json ? `${JSON.stringify({ output: path, rows: n })}\n` : `wrote ${n} prediction(s) to ${path}\n`);
    });

  storeOptions(command(predictions, 'label').description('post ground-truth labels for logged predictions by request id: one with <request-id> <label>, many with --file'))
    .argument('[request-id]', 'the request id (the x-request-id of the prediction response)')
    .argument('[label]', 'the label: JSON (3, "spam", {"y": 1}) or plain text (spam)')
    .option('--index <n>', 'the item of the request to label (default: every item)', (v) => {
      const n = Number(v);
      if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer, such as 0.');
      return n;
    })
    .option('--file <labels.jsonl>', 'JSON Lines of {"request_id": "...", "label": ..., "index"?: n, "timestamp"?: ms}')
    .addHelpText('after', example(`mlship predictions label 5f0c2a9e-7b1d spam
      mlship predictions label 5f0c2a9e-7b1d 1 --index 2
      mlship predictions label --file labels.jsonl   # {"request_id": "5f0c2a9e-7b1d", "label": "spam"} per line`))
    .action(async (requestId: string | undefined, labelText: string | undefined, opts: StoreOptions & { index?: number; file?: string }) => {
      if (opts.file !== undefined && requestId !== undefined) throw new MlshipError('INVALID_ARGUMENT', 'give <request-id> <label> or --file, not both', { field: 'file' });
      if (opts.file === undefined && (requestId === undefined || labelText === undefined)) {
        throw new MlshipError('INVALID_ARGUMENT', 'give a request id and a label (mlship predictions label <request-id> <label>) or --file labels.jsonl', { field: 'label' });
      }
      let matched = 0;
      const missing: string[] = [];
      await withStore(opts, io, async (store) => {
        if (opts.file === undefined) {
          let label: unknown = labelText;
          try {
            label = JSON.parse(labelText!);
          } catch {
            // plain text
          }
          const one: LabelInput = { requestId: requestId!, label };
          if (opts.index !== undefined) one.index = opts.index;
          const r = await store.logLabels([one]);
          matched += r.matched;
          missing.push(...r.missing);
          return;
        }
        const path = resolve(io.cwd ?? process.cwd(), opts.file);
        if (!existsSync(path)) throw new MlshipError('NOT_FOUND', `labels file ${path} not found`, { file: path });
        const progress = new Progress(io.stderr);
        progress.start(`labelling from ${opts.file}`);
        let chunk: LabelInput[] = [];
        let seen = 0;
        const send = async (): Promise<void> => {
          const r = await store.logLabels(chunk);
          matched += r.matched;
          missing.push(...r.missing);
          seen += chunk.length;
          chunk = [];
          progress.update(undefined, `${seen} labels, ${matched} matched`);
        };
        for await (const l of readLabels(path)) {
          chunk.push(l);
          if (chunk.length >= LABEL_CHUNK) await send();
        }
        if (chunk.length > 0) await send();
        progress.done(`${seen} labels`);
      });
      if (opts.json) out(`${JSON.stringify({ matched, missing })}\n`);
      else {
        out(`${matched} label(s) matched a logged prediction${missing.length ? `; ${missing.length} did not` : ''}\n`);
        if (missing.length) out(`no prediction for: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? `, … (${missing.length - 20} more; use --json for all)` : ''}\n`);
      }
    });

  storeOptions(command(predictions, 'prune').description('delete logged predictions older than a time (retention)'))
    .requiredOption('--before <time>', 'delete predictions before this time: a date, ms since the epoch, or a duration back from now such as 30d', (v) => timeArg(v))
    .option('--model <name>', 'only predictions of this model')
    .option('--dry-run', 'only count what would be deleted')
    .addHelpText('after', example('mlship predictions prune --before 30d\nmlship predictions prune --before 2026-01-01 --model spam --dry-run'))
    .action(async (opts: StoreOptions & { before: number; model?: string; dryRun?: boolean }) => {
      const n = await withStore(opts, io, (store) =>
        opts.dryRun ? store.countPredictions({ to: opts.before, ...(opts.model !== undefined ? { modelName: opts.model } : {}) }) : store.deletePredictions({ before: opts.before, ...(opts.model !== undefined ? { modelName: opts.model } : {}) }),
      );
      const when = new Date(opts.before).toISOString();
      if (opts.json) out(`${JSON.stringify({ [opts.dryRun ? 'wouldDelete' : 'deleted']: n, before: opts.before })}\n`);
      else out(opts.dryRun ? `${n} prediction(s) before ${when} would be deleted\n` : `deleted ${n} prediction(s) before ${when}\n`);
    });
}
