import { readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { MlshipError, type Label, type Matrix } from '../core/index.js';
import { listDatasets, readCsv, streamJsonl } from '../data/index.js';
import { isClassifier, isRegressor } from '../learn/index.js';
import { loadModel, readModelMetadata, type SavedModel } from '../model/index.js';
import { Progress, table, type CliIo } from './io.js';
import { modelPathOf } from './tracking-commands.js';
import { datasetExperiment, renderTracked, trackCommand, type TrackOptions } from './record-runs.js';
import { predictRows, renderImportance, renderRegressionComparison, renderTabularDataset, saveTabularModels, tabularJson, trainedTabular } from './tabular-commands.js';
import { runTabularWorkload } from './workloads/tabular.js';
import { evaluationJson, modelJson, renderComparison, renderDataset, renderEvaluation, renderMetadata, renderModel, renderSaved, toJson } from './render.js';
import { evaluateTextClassifier, loadTextData, modelName, runTextWorkload, saveTextModel, type TextModelSpec, type TextWorkloadResult } from './workloads/text.js';

// The command implementations: parse nothing (commander did), call public APIs, print.

/** Default directory for saved models, relative to the working directory. */
export const MODELS_DIR = join('mlship', 'models');

function cwdOf(io: CliIo): string {
  return io.cwd ?? process.cwd();
}

function progressFor(io: CliIo): Progress {
  return new Progress(io.stderr);
}

/** The dataset input a text workload records: its source, content fingerprint and size. */
function textDatasetInput(result: TextWorkloadResult): { name: string; digest: string; rows: number; source: string } {
  return { name: basename(result.dataset.source), digest: result.dataset.fingerprint, rows: result.dataset.rows, source: result.dataset.source };
}

/** Options of `mlship quickstart`. */
export interface QuickstartOptions extends TrackOptions {
  limit?: number;
  C?: number;
  seed: number;
  testSize: number;
  outDir?: string;
  json?: boolean;
}

/** `mlship quickstart`: both reference workloads on the built-in datasets, reported and saved. */
export async function quickstart(opts: QuickstartOptions, io: CliIo): Promise<void> {
  const progress = progressFor(io);
  const outDir = resolve(cwdOf(io), opts.outDir ?? MODELS_DIR);
  const text = await trackCommand(io, { ...opts, register: undefined }, { runName: 'quickstart', command: 'quickstart', experiment: 'spam-assassin', register: 'spam-filter', promoteOn: 'f1' }, async () => {
    const result = await runTextWorkload({
      data: 'spam-assassin',
      models: [{ kind: 'nb' }, { kind: 'logreg', ngramRange: [1, 2], ...(opts.C !== undefined ? { C: opts.C } : {}) }],
      testSize: opts.testSize,
      seed: opts.seed,
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      cwd: cwdOf(io),
      progress,
    });
    const saved: { name: string; saved: SavedModel }[] = [];
    progress.start('saving model packages');
    for (const m of result.models) saved.push({ name: m.name, saved: await saveTextModel(result, m, join(outDir, `${m.name}.mlship`), { command: 'quickstart' }) });
    progress.done();
    return { result, saved, dataset: textDatasetInput(result), packages: result.models.map((m, i) => ({ name: m.name, path: saved[i]!.saved.path, fitSeconds: m.fitSeconds, score: m.evaluation.f1, profile: m.profile })) };
  });
  const { result, saved } = text.result;
  const tabular = await trackCommand(io, { ...opts, register: undefined }, { runName: 'quickstart', command: 'quickstart', experiment: 'boston-housing', register: 'housing', promoteOn: 'rmse' }, async () => {
    const housing = await runTabularWorkload({ data: 'boston-housing', models: ['linear', 'rf', 'hgb'], testSize: opts.testSize, seed: opts.seed, cwd: cwdOf(io), progress });
    const housingSaved = await saveTabularModels(housing, outDir, 'quickstart', progress);
    return { housing, housingSaved, ...trainedTabular(housing, housingSaved) };
  });
  const { housing, housingSaved } = tabular.result;
  if (opts.json) {
    io.stdout.write(
      toJson({
        dataset: result.dataset,
        split: result.split,
        models: result.models.map((m, i) => modelJson(m, saved[i]!.saved)),
        housing: tabularJson(housing, housingSaved.map((s) => s.saved)),
        tracking: { text: text.tracked, housing: tabular.tracked },
      }),
    );
    return;
  }
  let out = 'mlship quickstart: the two reference workloads on the built-in datasets\n\n# 1. text classification: spam filtering on the SpamAssassin corpus\n\n' + renderDataset(result);
  for (const m of result.models) out += renderModel(m);
  out += '\n== comparison (test set) ==\n\n' + renderComparison(result.models);
  out += '\n# 2. regression: house prices on the Boston housing data\n\n' + renderTabularDataset(housing);
  out += '\n== regression on the test set ==\n\n' + renderRegressionComparison(housing.models) + renderImportance(housing);
  out += '\nsaved model packages:\n' + renderSaved([...saved, ...housingSaved], cwdOf(io));
  out += renderTracked(text.tracked) + renderTracked(tabular.tracked);
  const dir = opts.outDir ?? MODELS_DIR;
  out += `\nnext: mlship predict --model ${join(dir, `${result.models[0]!.name}.mlship`)} --text "Win a FREE cruise, click now"\n`;
  if (tabular.tracked) out += `      mlship runs list --experiment boston-housing --order-by "metrics.rmse ASC"\n`;
  out += `      mlship predict --model ${tabular.tracked?.promotion?.promoted || tabular.tracked?.promotion?.previousVersion ? 'models:/housing@champion' : join(dir, 'housing-hgb.mlship')} --row '{"crim":0.03,"zn":0,"indus":7.07,"chas":0,"nox":0.469,"rm":6.4,"age":79,"dis":4.97,"rad":2,"tax":242,"ptratio":17.8,"b":396.9,"lstat":9.1}'\n`;
  io.stdout.write(out);
}

/** Options of `mlship train text`. */
export interface TrainTextOptions extends TrackOptions {
  data: string;
  model: 'nb' | 'logreg';
  ngram?: [number, number];
  minDf?: number;
  stripHtml?: boolean;
  maxDf?: number;
  C?: number;
  testSize: number;
  seed: number;
  limit?: number;
  out?: string;
  textColumn?: string;
  labelColumn?: string;
  json?: boolean;
}

/** `mlship train text`: one TF-IDF pipeline on any text source, evaluated and saved. */
export async function trainText(opts: TrainTextOptions, io: CliIo): Promise<void> {
  const progress = progressFor(io);
  const spec: TextModelSpec = {
    kind: opts.model,
    ...(opts.ngram ? { ngramRange: opts.ngram } : {}),
    ...(opts.minDf !== undefined ? { minDf: opts.minDf } : {}),
    ...(opts.stripHtml ? { stripHtml: true } : {}),
    ...(opts.maxDf !== undefined ? { maxDf: opts.maxDf } : {}),
    ...(opts.C !== undefined ? { C: opts.C } : {}),
  };
  const { result: done, tracked } = await trackCommand(io, opts, { runName: 'train text', command: 'train text', experiment: datasetExperiment(opts.data) }, async () => {
    const result = await runTextWorkload({
      data: opts.data,
      models: [spec],
      testSize: opts.testSize,
      seed: opts.seed,
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      ...(opts.textColumn !== undefined ? { textColumn: opts.textColumn } : {}),
      ...(opts.labelColumn !== undefined ? { labelColumn: opts.labelColumn } : {}),
      cwd: cwdOf(io),
      progress,
    });
    const m = result.models[0]!;
    const path = resolve(cwdOf(io), opts.out ?? join(MODELS_DIR, `${modelName(spec)}.mlship`));
    progress.start('saving model package');
    const saved = await saveTextModel(result, m, path, { command: 'train text' });
    progress.done();
    return { result, saved, dataset: textDatasetInput(result), packages: [{ name: m.name, path: saved.path, fitSeconds: m.fitSeconds, score: m.evaluation.f1, profile: m.profile }] };
  });
  const { result, saved } = done;
  const m = result.models[0]!;
  if (opts.json) {
    io.stdout.write(toJson({ dataset: result.dataset, split: result.split, model: modelJson(m, saved), tracking: tracked }));
    return;
  }
  io.stdout.write(renderDataset(result) + renderModel(m) + '\nsaved model package:\n' + renderSaved([{ name: m.name, saved }], cwdOf(io)) + renderTracked(tracked));
}

/** Options of `mlship predict`. */
export interface PredictOptions {
  model: string;
  trackingUri?: string;
  text?: string[];
  row?: string[];
  input?: string;
  textColumn?: string;
  json?: boolean;
  /** Batch mode (`--output`): streams --input to this file (see `predictFile` in mlship/serve). */
  output?: string;
  chunkSize?: number;
  workers?: number;
  rejects?: string;
  idColumn?: string;
  resume?: boolean;
  restart?: boolean;
}

/** `mlship predict`: labels and class probabilities for documents. */
export async function predict(opts: PredictOptions, io: CliIo): Promise<void> {
  const cwd = cwdOf(io);
  if (opts.output !== undefined) return predictToFile(opts, io);
  for (const flag of ['chunkSize', 'workers', 'rejects', 'resume', 'restart'] as const) {
    if (opts[flag] !== undefined) {
      throw new MlshipError('INVALID_ARGUMENT', `--${flag.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} applies to batch mode only; add --output <file.csv|file.jsonl>`, { field: flag });
    }
  }
  if (!opts.text?.length && !opts.input && !opts.row?.length) {
    throw new MlshipError('INVALID_ARGUMENT', 'give the documents to classify with --text "..." (repeatable) or --input file.jsonl|csv|txt, or the rows for a tabular model with --row \'{"col": value}\' or --input rows.csv|jsonl|parquet', {
      hint: 'mlship predict --model mlship/models/tfidf-nb.mlship --text "Win a FREE cruise"',
    });
  }
  const loaded = await loadModel(await modelPathOf(opts.model, io, opts));
  const { estimator, metadata } = loaded;
  if (isRegressor(estimator)) return predictRows(loaded, { ...opts, model: opts.model }, io);
  if (!isClassifier(estimator)) {
    throw new MlshipError('INVALID_ARGUMENT', `${opts.model} holds a ${metadata.estimator}, not a classifier or regressor; mlship predict needs a model package of one`, { file: opts.model });
  }
  const field = opts.textColumn ?? metadata.signature?.inputs[0]?.name ?? 'text';
  const texts = [...(opts.text ?? [])];
  if (opts.input) texts.push(...(await readDocuments(resolve(cwd, opts.input), field)));
  const proba = estimator.predictProba(texts) as Matrix;
  const labels = estimator.predict(texts) as Label[];
  const classes = (estimator.classes_ ?? metadata.classes ?? []) as Label[];
  const predictions = texts.map((_, i) => {
    const probabilities: Record<string, number> = {};
    classes.forEach((c, j) => (probabilities[String(c)] = proba.get(i, j)));
    return { label: labels[i]!, probabilities };
  });
  if (opts.json) {
    io.stdout.write(toJson({ model: opts.model, classes, predictions }));
    return;
  }
  const rows: (string | number)[][] = [['#', 'label', ...classes.map((c) => `p(${String(c)})`), 'text']];
  predictions.forEach((p, i) => rows.push([i + 1, String(p.label), ...classes.map((c) => p.probabilities[String(c)]!), preview(texts[i]!)]));
  io.stdout.write(table(rows));
}

/**
 * `mlship predict --output`: streams --input through {@link predictFile} (chunks on worker
 * threads, rejects file, checkpoint for --resume), progress on stderr, a report on stdout.
 */
async function predictToFile(opts: PredictOptions, io: CliIo): Promise<void> {
  const cwd = cwdOf(io);
  if (!opts.input) throw new MlshipError('INVALID_ARGUMENT', '--output needs the rows to predict in --input <file.jsonl|csv|parquet|txt>', { field: 'input', hint: 'mlship predict --model m.mlship --input in.jsonl --output out.csv' });
  if (opts.text?.length || opts.row?.length) throw new MlshipError('INVALID_ARGUMENT', '--output predicts a whole --input file; --text and --row print to stdout, so drop --output or move them into the input file', { field: opts.text?.length ? 'text' : 'row' });
  if (opts.resume && opts.restart) throw new MlshipError('INVALID_ARGUMENT', '--resume and --restart contradict each other; pick one', { field: 'resume' });
  const progress = progressFor(io);
  progress.start(`predicting ${opts.input}`);
  const model = /^(models|runs):\//i.test(opts.model) ? opts.model : resolve(cwd, opts.model);
  // Loaded on demand: mlship/serve brings the HTTP stack, which other commands do not need.
  const { predictFile } = await import('../serve/index.js');
  const r = await predictFile({
    model,
    input: resolve(cwd, opts.input),
    output: resolve(cwd, opts.output!),
    ...(opts.trackingUri !== undefined ? { trackingUri: opts.trackingUri } : {}),
    ...(opts.chunkSize !== undefined ? { chunkSize: opts.chunkSize } : {}),
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(opts.rejects !== undefined ? { rejects: resolve(cwd, opts.rejects) } : {}),
    ...(opts.textColumn !== undefined ? { textColumn: opts.textColumn } : {}),
    ...(opts.idColumn !== undefined ? { idColumn: opts.idColumn } : {}),
    ...(opts.resume ? { resume: true } : opts.restart ? { resume: false } : {}),
    onProgress: (p) => {
      const eta = p.etaSeconds === undefined ? '' : `, ETA ${formatSeconds(p.etaSeconds)}`;
      progress.update(p.totalBytes > 0 ? p.bytesRead / p.totalBytes : undefined, `${p.rowsRead.toLocaleString('en-US')} rows, ${Math.round(p.rowsPerSecond).toLocaleString('en-US')} rows/s${eta}`);
    },
  });
  progress.done(`${r.rowsRead.toLocaleString('en-US')} rows`);
  if (opts.json) {
    io.stdout.write(toJson(r));
    return;
  }
  const resumed = r.resumedFromRow > 0 ? ` (resumed after row ${r.resumedFromRow.toLocaleString('en-US')})` : '';
  io.stdout.write(
    `rows read      ${r.rowsRead.toLocaleString('en-US')}${resumed}\n` +
      `rows written   ${r.rowsWritten.toLocaleString('en-US')} -> ${r.output}\n` +
      `rows rejected  ${r.rowsRejected.toLocaleString('en-US')}${r.rejects ? ` -> ${r.rejects}` : ''}\n` +
      `throughput     ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} rows/s (${r.seconds.toFixed(2)} s, ${r.workers} worker${r.workers === 1 ? '' : 's'}, ${r.chunks} chunks)\n`,
  );
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function preview(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return [...flat].length > max ? [...flat].slice(0, max - 1).join('') + '…' : flat;
}

/** Reads documents to classify: JSONL (a field or plain strings), CSV (a column) or text (one per line). */
async function readDocuments(path: string, field: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new MlshipError('NOT_FOUND', `input file ${path} does not exist; check the path given to --input`, { file: path });
  }
  if (!info.isFile()) throw new MlshipError('INVALID_ARGUMENT', `--input ${path} is not a file; give a .jsonl, .csv or .txt file`, { file: path });
  const ext = extname(path).toLowerCase();
  const docs: string[] = [];
  if (ext === '.jsonl' || ext === '.ndjson') {
    for await (const { line, value } of streamJsonl(path)) {
      const text = typeof value === 'string' ? value : value && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
      if (typeof text !== 'string') {
        throw new MlshipError('INVALID_DATA', `${path} line ${line}: expected a JSON string or an object with a string field '${field}'; pick the field with --text-column`, { file: path, line, field });
      }
      docs.push(text);
    }
  } else if (ext === '.csv') {
    for await (const row of readCsv(path, { columns: [field] })) docs.push(row[field]!);
  } else if (ext === '.txt' || ext === '') {
    const raw = await readFile(path, 'utf8');
    for (const line of raw.split(/\r?\n/)) if (line.trim() !== '') docs.push(line);
  } else {
    throw new MlshipError('INVALID_ARGUMENT', `--input ${path}: unsupported file type '${ext}'; use .jsonl (one JSON string or {"${field}": ...} per line), .csv (a '${field}' column) or .txt (one document per line)`, { file: path });
  }
  if (docs.length === 0) throw new MlshipError('INVALID_DATA', `${path} holds no documents`, { file: path });
  return docs;
}

/** Options of `mlship evaluate`. */
export interface EvaluateOptions {
  model: string;
  trackingUri?: string;
  data: string;
  limit?: number;
  seed: number;
  textColumn?: string;
  labelColumn?: string;
  json?: boolean;
}

/** `mlship evaluate`: a saved model's report on a labelled dataset. */
export async function evaluate(opts: EvaluateOptions, io: CliIo): Promise<void> {
  const cwd = cwdOf(io);
  const progress = progressFor(io);
  progress.start('loading model');
  const { estimator, metadata } = await loadModel(await modelPathOf(opts.model, io, opts));
  progress.done(metadata.estimator);
  if (!isClassifier(estimator)) {
    throw new MlshipError('INVALID_ARGUMENT', `${opts.model} holds a ${metadata.estimator}, not a classifier; mlship evaluate needs a classifier model package`, { file: opts.model });
  }
  const ds = await loadTextData(opts.data, {
    ...(opts.textColumn !== undefined ? { textColumn: opts.textColumn } : {}),
    ...(opts.labelColumn !== undefined ? { labelColumn: opts.labelColumn } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    seed: opts.seed,
    cwd,
    progress,
  });
  progress.start('evaluating');
  const ev = evaluateTextClassifier(estimator as never, ds.texts, ds.labels);
  progress.done();
  if (opts.json) {
    io.stdout.write(toJson({ model: opts.model, data: ds.source, evaluation: evaluationJson(ev) }));
    return;
  }
  io.stdout.write(`model    ${opts.model} (${metadata.estimator}, trained on ${metadata.tags.dataset ?? 'unknown data'})\ndata     ${ds.source}: ${ds.texts.length} documents\n\n` + renderEvaluation(ev) + `\npredict ${ev.predictSeconds.toFixed(3)}s\n`);
}

/** `mlship model info`: the metadata of a model package. */
export async function modelInfo(file: string, opts: { json?: boolean; trackingUri?: string }, io: CliIo): Promise<void> {
  const path = await modelPathOf(file, io, opts);
  const meta = await readModelMetadata(path);
  if (opts.json) {
    io.stdout.write(toJson(meta));
    return;
  }
  const { size } = await stat(path);
  io.stdout.write(renderMetadata(meta, file, size));
}

/** `mlship datasets`: the built-in datasets. */
export function datasets(opts: { json?: boolean }, io: CliIo): void {
  const list = listDatasets();
  if (opts.json) {
    io.stdout.write(toJson(list));
    return;
  }
  const rows: (string | number)[][] = [['name', 'labels', 'kind', 'rows', 'target', 'description']];
  for (const d of list) rows.push([d.name, d.labels.join(', ') || '-', d.kind, d.rows, d.target ?? '-', d.description]);
  io.stdout.write(table(rows));
}
