import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { MlshipError, Table } from '../core/index.js';
import { readTable } from '../data/index.js';
import { flattenParams, recordsToTable, type LoadedModel, type SavedModel } from '../model/index.js';
import { Progress, table, type CliIo } from './io.js';
import { fraction, listOf, nonNegativeInt, positiveInt } from './options.js';
import { renderSaved, toJson } from './render.js';
import { datasetExperiment, renderTracked, trackCommand, trackOptions, type TrackOptions, type TrainedPackages } from './record-runs.js';
import { TABULAR_MODELS, runTabularWorkload, saveTabularModel, type TabularModelKind, type TabularModelResult, type TabularWorkloadResult } from './workloads/tabular.js';

// `mlship train tabular`: the housing regression reference workload on any table, and its report.

/** Options of `mlship train tabular`. */
export interface TrainTabularOptions extends TrackOptions {
  data: string;
  target?: string;
  model: TabularModelKind[];
  testSize: number;
  seed: number;
  jobs?: number;
  importanceRepeats: number;
  outDir: string;
  json?: boolean;
}

/** The dataset, quality verdict, split and preprocessing summary. */
export function renderTabularDataset(r: TabularWorkloadResult): string {
  const d = r.dataset;
  const q = r.quality;
  return (
    `dataset  ${d.source}: ${d.rows} rows x ${d.columns} columns, target '${d.target}', loaded in ${d.loadSeconds.toFixed(2)}s\n` +
    `quality  ${q.verdict.toUpperCase()}${q.reasons.length ? ` (${q.reasons.join('; ')})` : ''}${q.warnings.length ? `; ${q.warnings.length} warning(s), see \`mlship data profile\`` : ''}\n` +
    `split    ${r.split.train} train / ${r.split.test} test (test size ${r.split.testSize}, seed ${r.split.seed})\n` +
    `features ${r.features.numeric.length} numeric (median imputer + standard scaler)` +
    (r.features.categorical.length ? `, ${r.features.categorical.length} categorical (one-hot: ${r.features.categorical.join(', ')})` : '') +
    '\n'
  );
}

/** The comparison table of the regressors on the test set. */
export function renderRegressionComparison(models: readonly TabularModelResult[]): string {
  const rows: (string | number)[][] = [['model', 'estimator', 'rmse', 'mae', 'r2', 'mape %', 'fit s', 'predict s']];
  for (const m of models) {
    const e = m.evaluation;
    rows.push([m.name, m.title, e.rmse.toFixed(4), e.mae.toFixed(4), e.r2.toFixed(4), (100 * e.mape).toFixed(2), m.fitSeconds.toFixed(3), e.predictSeconds.toFixed(4)]);
  }
  return table(rows);
}

/** The permutation importance of the best model, top features first. */
export function renderImportance(r: TabularWorkloadResult, top = 8): string {
  if (!r.importance) return '';
  const rows: (string | number)[][] = [['feature', 'R² drop (mean)', 'std']];
  for (const f of r.importance.features.slice(0, top)) rows.push([f.name, f.mean.toFixed(4), f.std.toFixed(4)]);
  return `\npermutation importance of ${r.importance.model} (test set, ${r.importance.repeats} repeats):\n` + table(rows, { indent: '  ' });
}

/** JSON of a tabular workload run (estimators left out). */
export function tabularJson(r: TabularWorkloadResult, saved: readonly SavedModel[]): Record<string, unknown> {
  return {
    dataset: r.dataset,
    quality: { verdict: r.quality.verdict, reasons: r.quality.reasons, warnings: r.quality.warnings },
    features: r.features,
    split: r.split,
    models: r.models.map((m, i) => ({
      name: m.name,
      kind: m.kind,
      estimator: m.title,
      params: flattenParams(m.estimator.getParams(true)),
      fitSeconds: m.fitSeconds,
      evaluation: { n: m.evaluation.n, rmse: m.evaluation.rmse, mae: m.evaluation.mae, r2: m.evaluation.r2, mape: m.evaluation.mape, explainedVariance: m.evaluation.explainedVariance, predictSeconds: m.evaluation.predictSeconds },
      ...(saved[i] ? { path: saved[i]!.path, bytes: saved[i]!.bytes, sha256: saved[i]!.sha256 } : {}),
    })),
    importance: r.importance,
  };
}

/** Saves every model of a tabular workload as `<outDir>/<name>.mlship`, showing progress. */
export async function saveTabularModels(result: TabularWorkloadResult, outDir: string, command: string, progress: Progress): Promise<{ name: string; saved: SavedModel }[]> {
  const saved: { name: string; saved: SavedModel }[] = [];
  progress.start('saving model packages');
  for (const m of result.models) saved.push({ name: m.name, saved: await saveTabularModel(result, m, join(outDir, `${m.name}.mlship`), { command }) });
  progress.done();
  return saved;
}

/** What a tabular workload trained, for its tracked runs: the dataset and the packages ranked by test RMSE. */
export function trainedTabular(result: TabularWorkloadResult, saved: readonly { saved: SavedModel }[]): TrainedPackages {
  return {
    dataset: { name: result.dataset.source, digest: result.dataset.fingerprint, rows: result.dataset.rows, source: result.dataset.source },
    packages: result.models.map((m, i) => ({ name: m.name, path: saved[i]!.saved.path, fitSeconds: m.fitSeconds, score: -m.evaluation.rmse, profile: m.profile })),
  };
}

/** Runs the workload, saves every model under `outDir`, and prints the report. */
export async function trainTabular(opts: TrainTabularOptions, io: CliIo, command = 'train tabular'): Promise<{ result: TabularWorkloadResult; saved: { name: string; saved: SavedModel }[] }> {
  const cwd = io.cwd ?? process.cwd();
  const progress = new Progress(io.stderr);
  const { result: done, tracked } = await trackCommand(io, opts, { runName: command, command, experiment: datasetExperiment(opts.data) }, async () => {
    const result = await runTabularWorkload({
      data: opts.data,
      ...(opts.target !== undefined ? { target: opts.target } : {}),
      models: opts.model,
      testSize: opts.testSize,
      seed: opts.seed,
      ...(opts.jobs !== undefined ? { nJobs: opts.jobs } : {}),
      importanceRepeats: opts.importanceRepeats,
      cwd,
      progress,
    });
    const saved = await saveTabularModels(result, resolve(cwd, opts.outDir), command, progress);
    return { result, saved, ...trainedTabular(result, saved) };
  });
  const { result, saved } = done;
  if (opts.json) io.stdout.write(toJson({ ...tabularJson(result, saved.map((s) => s.saved)), tracking: tracked }));
  else {
    io.stdout.write(
      renderTabularDataset(result) +
        '\n== regression on the test set ==\n\n' +
        renderRegressionComparison(result.models) +
        renderImportance(result) +
        '\nsaved model packages:\n' +
        renderSaved(saved, cwd) +
        renderTracked(tracked),
    );
  }
  return { result, saved };
}

/**
 * `mlship predict` with a regression model package: rows from `--row '{"col": value}'` (repeatable)
 * and/or `--input` (CSV, JSONL or Parquet), checked against the model's signature, then predicted.
 */
export async function predictRows(model: LoadedModel, opts: { model: string; row?: string[]; input?: string; text?: string[]; json?: boolean }, io: CliIo): Promise<void> {
  const sig = model.metadata.signature;
  if (!sig) throw new MlshipError('INVALID_ARGUMENT', `${opts.model} has no input signature, so its rows cannot be checked; save it with a signature (saveModel(..., { signature }))`, { file: opts.model });
  if (opts.text?.length) throw new MlshipError('INVALID_ARGUMENT', `${opts.model} is a tabular model (inputs ${sig.inputs.map((f) => f.name).join(', ')}); give rows with --row '{"${sig.inputs[0]?.name ?? 'col'}": ...}' or --input, not --text`, { field: 'text' });
  const records: Record<string, unknown>[] = [];
  (opts.row ?? []).forEach((text, i) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new MlshipError('INVALID_ARGUMENT', `--row #${i + 1} is not valid JSON (${(e as Error).message}); give one object per --row, such as --row '{"${sig.inputs[0]?.name ?? 'col'}": 1}'`, { field: 'row', value: text });
    }
    records.push(value as Record<string, unknown>);
  });
  if (opts.input) {
    const t = await readTable(resolve(io.cwd ?? process.cwd(), opts.input));
    const wanted = sig.inputs.filter((f) => t.has(f.name));
    for (const r of t.select(wanted.map((f) => f.name)).toRecords()) {
      // A date read from a file is epoch milliseconds; the signature takes ISO-8601 text.
      for (const f of wanted) if (f.type === 'string' && typeof r[f.name] === 'number') r[f.name] = new Date(r[f.name] as number).toISOString();
      records.push(r);
    }
  }
  const X: Table = recordsToTable(sig, records, opts.input && !opts.row?.length ? opts.input : 'row');
  const pred = (model.estimator as unknown as { predict(x: Table): Float64Array }).predict(X);
  const output = sig.outputs[0]?.name ?? 'prediction';
  if (opts.json) {
    io.stdout.write(toJson({ model: opts.model, predictions: Array.from(pred, (v) => ({ [output]: v })) }));
    return;
  }
  const rows: (string | number)[][] = [['#', output]];
  pred.forEach((v, i) => rows.push([i + 1, v.toFixed(4)]));
  io.stdout.write(table(rows));
}

/** Registers `mlship train tabular` under the `train` command. */
export function addTabularCommands(train: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const cmd = command(train, 'tabular')
    .description('train regression models on a table (a built-in dataset, a CSV/JSONL/Parquet file, or the California housing CSV): data-quality check, seeded split, impute + scale + one-hot, fit, evaluate RMSE/MAE/R²/MAPE, permutation importance, save each model')
    .requiredOption('--data <source>', 'a built-in tabular dataset (see `mlship datasets`) or a .csv/.jsonl/.parquet file')
    .option('--target <column>', "the column to predict (default: the dataset's target, e.g. medv or median_house_value)")
    .addOption(new Option('--model <list>', `comma-separated models: ${TABULAR_MODELS.join(', ')}`).argParser(listOf(TABULAR_MODELS)).default(['linear', 'rf', 'hgb'] as TabularModelKind[], 'linear,rf,hgb'))
    .option('--test-size <fraction>', 'fraction of rows held out for testing', fraction, 0.2)
    .option('--seed <n>', 'seed of the split and of the randomized models', nonNegativeInt, 42)
    .option('--jobs <n>', 'worker threads for the random forest', positiveInt)
    .option('--importance-repeats <n>', 'permutation-importance repeats for the best model (0 skips it)', nonNegativeInt, 5)
    .option('--out-dir <dir>', 'directory for the model packages', join('mlship', 'models'))
    .option('--json', 'print the results as JSON');
  trackOptions(cmd, true)
    .addHelpText(
      'after',
      example(`mlship train tabular --data boston-housing
               mlship train tabular --data boston-housing --model hgb --experiment housing --register housing
               mlship train tabular --data housing.csv --model ridge,hgb --out-dir models
               mlship train tabular --data sales.parquet --target revenue --model rf --jobs 2 --json`),
    )
    .action(async (opts: TrainTabularOptions) => {
      await trainTabular(opts, io);
    });
}
