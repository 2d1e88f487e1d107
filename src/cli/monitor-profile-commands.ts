import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { MlshipError, isMlshipError, type Table } from '../core/index.js';
import { CountVectorizer, Pipeline, isClassifier } from '../learn/index.js';
import { loadModel } from '../model/index.js';
import { buildProfile, loadProfile, saveModelProfile, tableColumns, vectorizerVocabulary, PROFILE_ARTIFACT, type ColumnProfile, type ReferenceProfile } from '../monitor/index.js';
import type { MlshipClient } from '../tracking/index.js';
import { Progress, table, type CliIo } from './io.js';
import { withClient } from './tracking-commands.js';
import { loadTabularData } from './workloads/tabular.js';
import { loadTextData } from './workloads/text.js';

// `mlship monitor profile show|create`: the reference profile saved with a model version (what
// monitoring compares the prediction log with), and creating one for a version trained elsewhere.

const fmt = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : String(Number(x.toPrecision(4))));

/** One line of a column's sketch for people. */
function describeColumn(c: ColumnProfile): string {
  if (c.kind === 'numeric') return `mean ${fmt(c.mean)}, std ${fmt(c.std)}, min ${fmt(c.min)}, max ${fmt(c.max)}`;
  const top = c.values.slice(0, 3).map(([v, n]) => `${String(v)} ${((100 * n) / c.count).toFixed(1)}%`);
  return `top ${top.join(', ')}${c.values.length > 3 || c.other > 0 ? ', …' : ''}`;
}

function columnRow(name: string, c: ColumnProfile): (string | number)[] {
  const distinct = String(c.distinct);
  const sketch = c.kind === 'numeric' ? (c.exact ? `${c.edges.length} values (exact)` : `${c.edges.length - 1} bins`) : `${c.values.length} values${c.other ? ` + other` : ''}`;
  return [name, c.kind, c.count, c.missing, distinct, sketch, describeColumn(c)];
}

/** The summary of a profile `show` prints (and returns as JSON). */
export function profileSummary(p: ReferenceProfile, model: string): Record<string, unknown> {
  const col = (c: ColumnProfile) => ({ kind: c.kind, count: c.count, missing: c.missing, distinct: c.distinct, ...(c.kind === 'numeric' ? { exact: c.exact, bins: c.edges.length - 1, mean: c.mean, std: c.std, min: c.min, max: c.max } : { top: c.values.slice(0, 10), other: c.other }) });
  return {
    model,
    createdAt: new Date(p.createdAt).toISOString(),
    rows: p.rows,
    input: p.input,
    task: p.task,
    metrics: p.metrics,
    ...(p.classes ? { classes: p.classes } : {}),
    columns: Object.fromEntries(Object.entries(p.columns).map(([n, c]) => [n, col(c)])),
    prediction: col(p.prediction),
    ...(p.target ? { target: col(p.target) } : {}),
    ...(p.text ? { text: { documents: p.text.documents.length, documentsTotal: p.text.documentsTotal, vocabularySize: p.text.vocabularySize ?? p.text.vocabulary?.length ?? null, vocabularyStored: p.text.vocabulary ? 'terms' : p.text.vocabularyHashes !== undefined ? 'hashes' : 'none' } } : {}),
    bytes: JSON.stringify(p).length,
  };
}

/** The text `mlship monitor profile show` prints. */
export function renderProfile(p: ReferenceProfile, model: string): string {
  const lines: string[] = [];
  lines.push(`reference profile of ${model}: ${p.input} ${p.task}, ${p.rows} reference rows, created ${new Date(p.createdAt).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
  const metrics = Object.entries(p.metrics);
  lines.push(`held-out metrics: ${metrics.length ? metrics.map(([k, v]) => `${k} ${fmt(v)}`).join(', ') : '(none)'}`);
  if (p.classes) lines.push(`classes: ${p.classes.join(', ')}`);
  const rows: (string | number)[][] = [['column', 'kind', 'count', 'missing', 'distinct', 'sketch', 'summary']];
  for (const [n, c] of Object.entries(p.columns)) rows.push(columnRow(n, c));
  rows.push(columnRow('(prediction)', p.prediction));
  if (p.target) rows.push(columnRow('(target)', p.target));
  lines.push(table(rows).trimEnd());
  if (p.text) {
    const size = p.text.vocabularySize ?? p.text.vocabulary?.length;
    lines.push(`text: ${p.text.documents.length} of ${p.text.documentsTotal} reference documents kept for the domain classifier (seed ${p.text.seed}); vocabulary ${size === undefined ? 'not kept' : `${size} words (${p.text.vocabulary ? 'as terms' : 'hashed'})`}`);
  }
  lines.push(`size: ${(JSON.stringify(p).length / 1024).toFixed(0)} KB as JSON`);
  return `${lines.join('\n')}\n`;
}

interface ShowOptions {
  trackingUri?: string;
  json?: boolean;
  output?: string;
}

interface CreateOptions {
  model: string;
  data: string;
  target?: string;
  textColumn?: string;
  labelColumn?: string;
  limit?: number;
  seed: number;
  force?: boolean;
  trackingUri?: string;
  json?: boolean;
}

async function hasProfile(client: MlshipClient, uri: string, runId: string | null): Promise<boolean> {
  try {
    if (uri.startsWith('models:/')) await loadProfile(client, uri);
    else if (runId !== null) await (await client.artifacts(runId)).readBytes(PROFILE_ARTIFACT);
    else return false;
    return true;
  } catch (err) {
    if (isMlshipError(err, 'NOT_FOUND')) return false;
    if (isMlshipError(err, 'CORRUPT_ARTIFACT') || isMlshipError(err, 'UNSUPPORTED_VERSION')) return true;
    throw err;
  }
}

/** The word vectorizer of a text pipeline (its first CountVectorizer/TfidfVectorizer step). */
function vectorizerOf(estimator: unknown): CountVectorizer | undefined {
  if (estimator instanceof CountVectorizer) return estimator;
  if (estimator instanceof Pipeline) for (const [, step] of estimator.steps) if (step instanceof CountVectorizer) return step;
  return undefined;
}

/** `mlship monitor profile create`: profile held-out data with a registered model and save it with the version's run. */
async function createProfile(opts: CreateOptions, io: CliIo): Promise<void> {
  const cwd = io.cwd ?? process.cwd();
  const progress = new Progress(io.stderr);
  await withClient(opts, io, async (client) => {
    const resolved = await client.resolveModelUri(opts.model);
    if (resolved.runId === null && resolved.name === null)
      throw new MlshipError('INVALID_ARGUMENT', `--model ${opts.model} is a file outside the tracking store; register it first (mlship models register) and give its models:/ URI, or give a run's model (runs:/<run id>/model)`, { field: 'model', value: opts.model });
    if (!opts.force && (await hasProfile(client, opts.model, resolved.runId)))
      throw new MlshipError('ALREADY_EXISTS', `${opts.model} already has a reference profile; see it with \`mlship monitor profile show ${opts.model}\`, or pass --force to replace it`, { field: 'model', value: opts.model });
    const { estimator, metadata } = await loadModel(resolved.path);
    const sig = metadata.signature;
    const inputs = sig?.inputs ?? [];
    const task = isClassifier(estimator) ? 'classification' : 'regression';
    const predict = (x: unknown): ArrayLike<string | number | boolean | null> => (estimator as unknown as { predict(x: unknown): ArrayLike<string | number | boolean | null> }).predict(x);
    const vectorizer = vectorizerOf(estimator);
    let profile: ReferenceProfile;
    if (vectorizer !== undefined || (inputs.length === 1 && inputs[0]!.type === 'string' && task === 'classification')) {
      const ds = await loadTextData(opts.data, { ...(opts.textColumn !== undefined ? { textColumn: opts.textColumn } : {}), ...(opts.labelColumn !== undefined ? { labelColumn: opts.labelColumn } : {}), ...(opts.limit !== undefined ? { limit: opts.limit } : {}), seed: opts.seed, cwd, progress });
      progress.start(`predicting ${ds.texts.length} documents`);
      const predictions = predict(ds.texts);
      progress.done();
      const classes = sig?.outputs.find((o) => o.values)?.values;
      profile = buildProfile({ task, texts: ds.texts, predictions, target: ds.labels, ...(classes ? { classes: classes.map(String) } : {}), ...vectorizerVocabulary(vectorizer) }, { seed: opts.seed });
    } else {
      if (inputs.length === 0) throw new MlshipError('INVALID_ARGUMENT', `${opts.model} has no input signature, so its input columns are unknown; save the model with a signature`, { field: 'model', value: opts.model });
      const { table: t, defaultTarget } = await loadTabularData(opts.data, { cwd, progress });
      const missing = inputs.filter((f) => !t.has(f.name)).map((f) => f.name);
      if (missing.length > 0)
        throw new MlshipError('SCHEMA_MISMATCH', `--data ${opts.data} lacks the model's input column(s) ${missing.join(', ')}; give the held-out rows the model was evaluated on, with every input column`, { field: 'data', value: missing });
      const X: Table = t.select(inputs.map((f) => f.name));
      let rows: Table = X;
      let limitNote = '';
      if (opts.limit !== undefined && opts.limit < t.numRows) {
        rows = X.head(opts.limit);
        limitNote = ` (first ${opts.limit})`;
      }
      progress.start(`predicting ${rows.numRows} rows${limitNote}`);
      const predictions = predict(rows);
      progress.done();
      const targetName = opts.target ?? (defaultTarget !== undefined && t.has(defaultTarget) ? defaultTarget : undefined);
      if (opts.target !== undefined && !t.has(opts.target)) throw new MlshipError('INVALID_ARGUMENT', `--target ${opts.target} is not a column of ${opts.data} (columns: ${t.columnNames.join(', ')})`, { field: 'target', value: opts.target });
      const target = targetName !== undefined ? Array.from({ length: rows.numRows }, (_, i) => t.column(targetName).get(i) as string | number | boolean | null) : undefined;
      profile = buildProfile({ task, columns: tableColumns(rows), predictions, ...(target ? { target } : {}) }, { seed: opts.seed });
    }
    progress.start(`saving the profile (${(JSON.stringify(profile).length / 1024).toFixed(0)} KB)`);
    const runId = await saveModelProfile(client, opts.model, profile);
    progress.done();
    const name = resolved.name !== null ? `models:/${resolved.name}/${resolved.version}` : opts.model;
    if (opts.json) {
      io.stdout.write(`${JSON.stringify({ saved: { runId, artifact: PROFILE_ARTIFACT }, profile: profileSummary(profile, name) }, null, 2)}\n`);
      return;
    }
    io.stdout.write(`saved ${PROFILE_ARTIFACT} to run ${runId}\n${renderProfile(profile, name)}`);
  });
}

/**
 * Registers `mlship monitor profile show|create` on the `monitor` group.
 *
 * @example
 * ```ts
 * addMonitorProfileCommands(monitor, command, example, io);
 * ```
 */
export function addMonitorProfileCommands(monitor: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const profile = command(monitor, 'profile')
    .description("the reference profile saved with each model version (column sketches, prediction and label sketches, held-out metrics, a text sample and the vocabulary): what monitoring compares the prediction log with")
    .addHelpText('after', example('mlship monitor profile show models:/spam@champion\nmlship monitor profile create --model models:/housing/3 --data heldout.csv --target price'));
  command(profile, 'show')
    .description("show a model version's reference profile: its columns' sketches, prediction and target, held-out metrics")
    .argument('<model-uri>', 'a registered model version: models:/name/3, models:/name@champion, models:/name/latest')
    .option('--tracking-uri <uri>', 'the tracking store (default: $MLSHIP_TRACKING_URI or sqlite:mlship/mlship.db)')
    .option('--json', 'print the summary as JSON')
    .option('--output <file>', 'also write the whole profile (JSON) to this file')
    .addHelpText('after', example('mlship monitor profile show models:/text-classification@champion\nmlship monitor profile show models:/housing-regression/2 --json\nmlship monitor profile show models:/spam/3 --output spam-3-profile.json'))
    .action(async (uri: string, opts: ShowOptions) => {
      const p = await withClient(opts, io, (client) => loadProfile(client, uri));
      if (opts.output) writeFileSync(resolve(io.cwd ?? process.cwd(), opts.output), `${JSON.stringify(p)}\n`);
      io.stdout.write(opts.json ? `${JSON.stringify(profileSummary(p, uri), null, 2)}\n` : renderProfile(p, uri));
    });
  command(profile, 'create')
    .description('build and save the reference profile of a model version trained elsewhere (or without one), from held-out data: the model predicts the rows, and their columns, predictions and labels are sketched')
    .requiredOption('--model <uri>', 'the model version: models:/name/3, models:/name@champion, or runs:/<run id>/model')
    .requiredOption('--data <dataset|file>', 'held-out data: a built-in dataset, a CSV/JSONL/Parquet table (tabular models), or a text CSV/JSONL, IMDB CSV or aclImdb folder (text models)')
    .option('--target <column>', "tabular: the column with the true values (default: the dataset's target, when it has one)")
    .option('--text-column <name>', 'text: the text column (CSV) or field (JSONL)')
    .option('--label-column <name>', 'text: the label column (CSV) or field (JSONL)')
    .option('--limit <n>', 'profile only n rows (a seeded stratified subsample for text, the first n for tables)', (v: string) => {
      const n = Number(v);
      if (!(Number.isInteger(n) && n > 0)) throw new MlshipError('INVALID_ARGUMENT', `--limit must be a whole number > 0, got ${v}`, { field: 'limit', value: v });
      return n;
    })
    .option('--seed <n>', 'seed of the subsample and of the document sample', (v: string) => Number(v), 42)
    .option('--force', 'replace the version\'s existing profile')
    .option('--tracking-uri <uri>', 'the tracking store (default: $MLSHIP_TRACKING_URI or sqlite:mlship/mlship.db)')
    .option('--json', 'print the saved profile\'s summary as JSON')
    .addHelpText('after', example('mlship monitor profile create --model models:/housing/3 --data heldout.csv --target median_house_value\nmlship monitor profile create --model models:/spam@champion --data spam-assassin --limit 1200\nmlship monitor profile create --model runs:/<run id>/model --data reviews.jsonl --text-column body --label-column stars --force'))
    .action(async (opts: CreateOptions) => createProfile(opts, io));
}
