import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { MlshipError } from '../core/index.js';
import { monitorWindow, renderReportHtml, renderReportJson, durationText, formatStat, type MonitorResult } from '../monitor/index.js';
import { MlshipClient, openPredictionStore, parseModelUri } from '../tracking/index.js';
import { Progress, table, type CliIo } from './io.js';
import { timeArg } from './prediction-commands.js';
import { time, trackingUriOf } from './tracking-commands.js';

// `mlship monitor report`: drift and quality of a window of the prediction log against the model
// version's reference profile, written as one self-contained HTML page and/or JSON.

interface ReportOptions {
  model: string;
  from?: number;
  to?: number;
  bucket?: number;
  output?: string;
  json?: string;
  trackingUri?: string;
  predictionsUri?: string;
  quiet?: boolean;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration such as `15m`, `1h`, `1d` in ms, for `--bucket`. */
function durationArg(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 15m, 1h or 1d.');
  const ms = Math.round(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  if (!(ms > 0)) throw new InvalidArgumentError('expected a positive duration such as 15m, 1h or 1d.');
  return ms;
}

/**
 * The model name and optional version a `--model` value names: a plain name (`spam`, every
 * version), `models:/spam/3` (version 3 only), `models:/spam@champion` (the version the alias
 * points at now) or `models:/spam/latest` (the newest version).
 */
async function modelOf(value: string, client: MlshipClient): Promise<{ name: string; version?: string }> {
  if (!value.includes(':')) return { name: value };
  const parsed = parseModelUri(value);
  if (parsed.kind === 'path' || parsed.kind === 'run') {
    throw new MlshipError('INVALID_ARGUMENT', `--model must name a registered model (spam, models:/spam/3, models:/spam@champion), got '${value}'; the prediction log and the reference profile are kept per registered model`, { field: 'model', value });
  }
  if (parsed.kind === 'version') return { name: parsed.name, version: String(parsed.version) };
  const resolved = await client.resolveModelUri(value);
  return { name: parsed.name, version: String(resolved.version) };
}

/**
 * The short text summary `mlship monitor report` prints: verdicts, the top drifted columns,
 * quality against training, and the notes.
 *
 * @example
 * ```ts
 * process.stdout.write(reportSummary(await monitorWindow({ predictions, client, model: 'spam', from, to })));
 * ```
 */
export function reportSummary(r: MonitorResult): string {
  const d = r.drift;
  const lines: string[] = [];
  lines.push(`model ${r.model} (${r.input} ${r.task}), ${time(r.from)} → ${time(r.to)} UTC, versions ${r.versions.join(', ') || '—'}, profile of version ${r.profileVersion ?? '(given)'}`);
  lines.push(`${r.rows} prediction(s), ${r.labelled} labelled`);
  lines.push(`dataset drift: ${d.drift ? 'DETECTED' : 'not detected'} (${d.driftedColumns} of ${d.numberOfColumns} column(s), ${(100 * d.shareDrifted).toFixed(1)}%; threshold ${(100 * d.share).toFixed(0)}%)`);
  if (d.prediction) lines.push(`prediction drift: ${d.prediction.drift ? 'DETECTED' : 'not detected'} (${d.prediction.method} ${formatStat(d.prediction.distance ?? d.prediction.statistic)}${d.prediction.pValue !== undefined ? `, p=${formatStat(d.prediction.pValue)}` : ''})`);
  const dc = d.text?.domainClassifier;
  if (dc) lines.push(`text drift: ${dc.drift ? 'DETECTED' : 'not detected'} (domain classifier ROC-AUC ${formatStat(dc.rocAuc)}, threshold ${formatStat(dc.threshold)})${dc.drift && dc.typicalCurrentWords.length ? `; typical new words: ${dc.typicalCurrentWords.slice(0, 5).join(', ')}` : ''}`);
  const drifted = Object.entries(d.columns)
    .filter(([, c]) => c.drift)
    .sort((a, b) => (b[1].distance ?? b[1].statistic ?? 0) - (a[1].distance ?? a[1].statistic ?? 0))
    .slice(0, 5);
  if (drifted.length > 0) {
    lines.push('top drifted columns:');
    lines.push(table([['column', 'method', 'statistic', 'p-value', 'threshold'], ...drifted.map(([n, c]) => [n, c.method, formatStat(c.distance ?? c.statistic), formatStat(c.pValue), formatStat(c.threshold)])], { indent: '  ' }).trimEnd());
  }
  if (r.quality) {
    const q = r.quality;
    lines.push(`quality on ${q.labelled} labelled item(s): ${Object.entries(q.metrics).map(([k, v]) => `${k} ${formatStat(v)}${q.reference[k] !== undefined ? ` (at training ${formatStat(q.reference[k])})` : ''}`).join(', ')}`);
  } else lines.push('quality: no labelled items in the window (post labels with `mlship predictions label`)');
  for (const n of r.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/**
 * Registers `mlship monitor report` on the `monitor` group.
 *
 * @example
 * ```ts
 * addMonitorReportCommands(monitor, command, example, io);
 * ```
 */
export function addMonitorReportCommands(monitor: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const out = (s: string): void => void io.stdout.write(s);
  command(monitor, 'report')
    .description("drift and quality of a window of the prediction log against the model version's reference profile: a self-contained HTML report and/or JSON, and a short summary")
    .requiredOption('--model <uri>', 'the registered model: a name (every version in the window), models:/name/3 (that version) or models:/name@alias (the version the alias points at)')
    .option('--from <time>', 'start of the window: a date, ms since the epoch, or a duration back from now such as 24h or 7d (default: 24h)', (v) => timeArg(v))
    .option('--to <time>', 'end of the window, exclusive (same forms; default: now)', (v) => timeArg(v))
    .option('--bucket <duration>', 'width of one point of drift and quality over time, such as 15m or 1h (default: the window in about 24 points)', durationArg)
    .option('--output <file>', 'the HTML report to write (default: monitor-report.html unless only --json is given)')
    .option('--json <file>', "the JSON report to write ('-' for stdout)")
    .option('--tracking-uri <uri>', 'the tracking store holding the registry and the profiles (default: $MLSHIP_TRACKING_URI or sqlite:mlship/mlship.db)')
    .option('--predictions-uri <uri>', 'the prediction log (default: the tracking store, where `mlship serve` logs)')
    .option('--quiet', 'print only where the files were written')
    .addHelpText(
      'after',
      example(`mlship monitor report --model spam --from 24h
      mlship monitor report --model models:/spam@champion --from 7d --bucket 6h --output spam-week.html --json spam-week.json
      mlship monitor report --model models:/housing/2 --from 2026-11-01 --to 2026-11-08 --json -`),
    )
    .action(async (opts: ReportOptions) => {
      const now = Date.now();
      const from = opts.from ?? now - UNITS.d!;
      const to = opts.to ?? now;
      if (to <= from) throw new MlshipError('INVALID_ARGUMENT', `--to (${new Date(to).toISOString()}) must be after --from (${new Date(from).toISOString()})`, { field: 'to', value: to });
      const cwd = io.cwd ?? process.cwd();
      const jsonToStdout = opts.json === '-';
      const htmlPath = opts.output !== undefined ? resolve(cwd, opts.output) : opts.json === undefined ? resolve(cwd, 'monitor-report.html') : undefined;
      const jsonPath = opts.json !== undefined && !jsonToStdout ? resolve(cwd, opts.json) : undefined;
      const trackingUri = trackingUriOf({ trackingUri: opts.trackingUri }, io);
      const predictionsUri = opts.predictionsUri !== undefined ? trackingUriOf({ trackingUri: opts.predictionsUri }, io) : trackingUri;
      const progress = new Progress(io.stderr);
      const client = await MlshipClient.open({ trackingUri });
      try {
        const predictions = await openPredictionStore(predictionsUri);
        try {
          const { name, version } = await modelOf(opts.model, client);
          progress.start(`reading predictions of ${name}${version !== undefined ? ` version ${version}` : ''} from ${time(from)} to ${time(to)}`);
          const result = await monitorWindow({
            predictions,
            client,
            model: name,
            ...(version !== undefined ? { version } : {}),
            from,
            to,
            ...(opts.bucket !== undefined ? { bucketMs: opts.bucket } : {}),
            onProgress: (read, total) => progress.update(total > 0 ? read / total : undefined, `${read} of ${total} rows`),
          });
          progress.done(`${result.rows} rows, buckets of ${durationText(result.bucketMs)}`);
          const written: string[] = [];
          if (htmlPath) {
            writeFile(htmlPath, renderReportHtml(result));
            written.push(`HTML report: ${htmlPath}`);
          }
          if (jsonPath) {
            writeFile(jsonPath, renderReportJson(result));
            written.push(`JSON report: ${jsonPath}`);
          }
          if (jsonToStdout) {
            out(renderReportJson(result));
            for (const w of written) io.stderr.write(`${w}\n`);
            return;
          }
          if (!opts.quiet) out(reportSummary(result));
          for (const w of written) out(`${w}\n`);
        } finally {
          await predictions.close();
        }
      } catch (err) {
        progress.abort();
        throw err;
      } finally {
        await client.close();
      }
    });
}
