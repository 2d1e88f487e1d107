import { basename, resolve } from 'node:path';
import { MlshipError, isMlshipError } from '../../core/index.js';
import { DEFAULT_CACHE_DIR, flowContext, runLogger, task, type Flow, type FlowRun, type RunState, type Task, type TaskHook, type TaskOptions, type TaskRun } from '../../flow/index.js';
import { logModel } from '../../autolog/index.js';
import type { BaseEstimator } from '../../learn/index.js';
import { mlshipVersion, type SaveModelOptions } from '../../model/index.js';
import { PROFILE_ARTIFACT, saveProfile, type ReferenceProfile } from '../../monitor/index.js';
import type { ActiveRun, MlshipClient, PromotionResult } from '../../tracking/index.js';
import type { WorkloadProgress } from '../workloads/text.js';

// What both reference projects share: their options and result, the per-task summaries printed by
// the CLI, the tracking run they log into, the register and promote steps, and the plain-SVG plots.

/** The names of the reference projects. */
export const EXAMPLE_PROJECTS = ['text-classification', 'housing-regression'] as const;
/** One of {@link EXAMPLE_PROJECTS}. */
export type ExampleProject = (typeof EXAMPLE_PROJECTS)[number];

/** Options of a reference project run. */
export interface ExampleOptions {
  /** The client the flow run, its task runs, artifacts and registered model are recorded through. */
  client: MlshipClient;
  /** A user's data file or folder instead of the built-in dataset. @default the project's built-in dataset */
  data?: string;
  /** Use a seeded (stratified for text) subsample of this many rows. @default undefined (all) */
  limit?: number;
  /** The experiment the flow run is recorded in. @default the project's name */
  experiment?: string;
  /**
   * The registered model the trained model becomes a version of (and whose champion it must beat).
   * @default the project's name on the built-in data, `<project>-<data file name>` on a user's data
   */
  modelName?: string;
  /** Seed of the subsample and the split. @default 42 */
  seed?: number;
  /** Base folder of a relative `data` path. @default process.cwd() */
  cwd?: string;
  /** Called as each task run ends, with what it did. @default none */
  onTask?: (task: ExampleTask) => void;
  /** Progress of long steps (loading). @default none */
  progress?: WorkloadProgress;
  /** Recompute cached task results (the grid search) instead of reusing them. @default false */
  refresh?: boolean;
  /** Where task results are cached. @default './mlship/cache/tasks' under `cwd` */
  cacheStorage?: string;
}

/** What the tune step found: the best value of the tuned parameter, its CV score and every candidate's. */
export interface Tuned {
  alpha: number;
  cvScore: number;
  scores: number[];
}

/** One task run of a reference project, as the CLI prints it. */
export interface ExampleTask {
  /** The task's name: ingest, validate, split, tune, train, evaluate, register, promote. */
  name: string;
  state: RunState;
  /** From its first attempt's start to its end, in ms; `null` when it never ran. */
  durationMs: number | null;
  /** One line: what it did, or its error message. */
  summary: string;
}

/** What a reference project run did and where to look. */
export interface ExampleResult {
  project: ExampleProject;
  experiment: string;
  /** The flow run's name and final state (`Completed`, or `Failed` with `error`). */
  flowRun: string;
  state: RunState;
  /** The tracking run of the flow run: its params, metrics, inputs, artifacts and model. */
  runId: string | null;
  durationMs: number;
  tasks: ExampleTask[];
  dataset: { name: string; source: string; digest: string; rows: number } | null;
  /** The tuned hyperparameters and their mean cross-validation score. */
  tuning: { params: Record<string, unknown>; scoring: string; cvScore: number; folds: number } | null;
  /** Test-set metrics, as logged on the run. */
  metrics: Record<string, number>;
  /** Artifact paths logged on the run. */
  artifacts: string[];
  /** The registered model version. */
  model: { name: string; version: number; uri: string } | null;
  /** The gated promotion to `@champion`. */
  promotion: PromotionResult | null;
  /** The error of a failed run (a failed validation gate is an INVALID_DATA error). */
  error: MlshipError | null;
}

/** A dataset name for the run input: the built-in name, or a file's name without its extension. */
export function datasetName(source: string): string {
  const base = basename(source.replace(/[/\\]+$/, ''));
  return base.replace(/\.(csv|tsv|jsonl|json|parquet|txt)$/i, '') || source;
}

/**
 * The default registered model of a project run: the project's name on the built-in data, else
 * `<project>-<data file name>`, so that models of different datasets never compete for one champion.
 */
export function defaultModelName(project: string, data: string | undefined): string {
  if (data === undefined) return project;
  const name = datasetName(data)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return name === '' ? project : `${project}-${name}`;
}

/** The mutable record a project run fills in as its tasks run. */
export class ExampleRecorder {
  readonly summaries = new Map<string, string>();
  readonly result: ExampleResult;

  /** Sets what task `name` did (shown in the report) and logs it to the caller's run logger (recorded with the task run). */
  say(name: string, text: string): void {
    this.summaries.set(name, text);
    runLogger().info(text);
  }

  constructor(project: ExampleProject, experiment: string, private readonly onTask?: (task: ExampleTask) => void) {
    this.result = { project, experiment, flowRun: '', state: 'Pending', runId: null, durationMs: 0, tasks: [], dataset: null, tuning: null, metrics: {}, artifacts: [], model: null, promotion: null, error: null };
  }

  /** The hook that reports a task run's end (on completion and on failure). */
  readonly hook: TaskHook = (run: TaskRun) => {
    const t = taskOf(run, this.summaries);
    this.onTask?.(t);
  };

  /**
   * Task options of the tune step: its result is cached under `key` (what decides it: the data's
   * digest, the split, the grid, mlship's version, and `extra`), and a cached run is reported with
   * `describe` of the cached result.
   */
  tuneOptions(key: () => Record<string, unknown>, describe: (t: Tuned) => string): TaskOptions<any> {
    return {
      name: 'tune',
      cacheKey: () => JSON.stringify({ ...key(), mlship: mlshipVersion() }),
      onCompletion: [
        (run: TaskRun) => {
          if (run.state === 'Cached') this.summaries.set('tune', `${describe(run.value as Tuned)} (cached result)`);
        },
        this.hook,
      ],
      onFailure: this.hook,
    };
  }

  /** Runs the flow and fills in the result (never throws for a failed task: see `state` and `error`). */
  async run(f: Flow<[], void>): Promise<ExampleResult> {
    const t0 = performance.now();
    const handle: FlowRun<void> = f.start();
    await handle.wait();
    const r = this.result;
    r.flowRun = handle.name;
    r.state = handle.state;
    r.runId = handle.trackingRun?.runId ?? r.runId;
    r.durationMs = performance.now() - t0;
    r.tasks = handle.taskRuns.map((t) => taskOf(t, this.summaries));
    if (handle.state !== 'Completed') r.error = asMlshipError(handle.error);
    return r;
  }
}

function taskOf(run: TaskRun, summaries: Map<string, string>): ExampleTask {
  const failed = run.state !== 'Completed' && run.state !== 'Cached';
  let summary = summaries.get(run.task) ?? '';
  if (failed) summary = run.upstreamFailed ? 'skipped: an earlier task failed' : errorMessage(run.error);
  const durationMs = run.startTime !== null && run.endTime !== null ? run.endTime - run.startTime : null;
  return { name: run.task, state: run.state, durationMs, summary };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function asMlshipError(err: unknown): MlshipError {
  if (isMlshipError(err)) return err;
  return new MlshipError('INTERNAL', errorMessage(err), {}, { cause: err });
}

/** The tracking run of the flow run being executed (the project's run), or a clear error. */
export function projectRun(): ActiveRun {
  const run = flowContext()?.trackingRun;
  if (!run) {
    throw new MlshipError('IO_ERROR', 'the flow run is not recorded in the tracking store (see the warning above); check --tracking-uri and run the example again', { field: 'trackingUri' });
  }
  return run;
}

/** What the register and promote steps of a project need. */
export interface PublishContext {
  client: MlshipClient;
  rec: ExampleRecorder;
  project: ExampleProject;
  /** The registered model the versions go to. */
  modelName: string;
  /** The task hooks of the project (they report each task's end). */
  opts: { onCompletion: TaskHook; onFailure: TaskHook };
}

/**
 * The register step: logs the fitted pipeline as the project run's `model` artifact (with the test
 * metrics in its metadata) and its reference profile (`reference-profile.json`, for monitoring),
 * registers `runs:/<run>/model` as the next version, and returns it.
 */
export async function publishModel(ctx: PublishContext, pipe: BaseEstimator<any>, metadata: SaveModelOptions, profile?: () => ReferenceProfile): Promise<number> {
  const run = projectRun();
  const r = ctx.rec.result;
  await logModel(run, pipe, { client: ctx.client, metadata: { ...(r.dataset ? { dataFingerprint: r.dataset.digest } : {}), metrics: r.metrics, ...metadata } });
  r.artifacts.push('model/model.mlship');
  let noProfile = '';
  if (profile) {
    // A model without a profile still registers; monitoring then says how to create one.
    try {
      await saveProfile(ctx.client, run.runId, profile());
      r.artifacts.push(PROFILE_ARTIFACT);
    } catch (err) {
      noProfile = `; no reference profile saved (${(err as Error).message}), create one with \`mlship monitor profile create\``;
    }
  }
  await run.flush();
  const v = await ctx.client.registerModel(`runs:/${run.runId}/model`, ctx.modelName, { description: `the ${ctx.project} reference project (mlship example run ${ctx.project})` });
  r.model = { name: v.name, version: v.version, uri: `models:/${v.name}/${v.version}` };
  ctx.rec.say('register', `logged runs:/${run.runId}/model${noProfile ? '' : ` with ${PROFILE_ARTIFACT}`}, registered ${r.model.uri}${noProfile}`);
  return v.version;
}

/** The promote task: moves `@champion` to the new version only when it beats the holder on `metric`. */
export function promoteTask(ctx: PublishContext, metric: string): Task<[number], PromotionResult> {
  return task(
    async (version: number) => {
      const r = ctx.rec.result;
      await projectRun().flush();
      r.promotion = await ctx.client.promote(ctx.modelName, version, { metric, reason: `mlship example run ${ctx.project}` });
      ctx.rec.say('promote', r.promotion.promoted ? r.promotion.message : `not promoted: ${r.promotion.message}`);
      return r.promotion;
    },
    { name: 'promote', ...ctx.opts },
  );
}

// ------------------------------------------------------------------------------------------ SVG

/** Escapes text for SVG/XML content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const FONT = 'font-family="sans-serif"';
const fmt = (x: number): string => String(Number(x.toPrecision(3)));

function svgOpen(width: number, height: number, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n<title>${escapeXml(title)}</title>\n<rect width="${width}" height="${height}" fill="white"/>\n<text x="${width / 2}" y="22" text-anchor="middle" ${FONT} font-size="15">${escapeXml(title)}</text>\n`;
}

/**
 * A confusion matrix as an SVG document: rows are true labels, columns predicted labels, cells
 * shaded by their count.
 *
 * @example
 * ```ts
 * const svg = confusionMatrixSvg(['ham', 'spam'], [[90, 3], [5, 40]]);
 * ```
 */
export function confusionMatrixSvg(labels: readonly (string | number)[], matrix: readonly (readonly number[])[], title = 'Confusion matrix'): string {
  const k = labels.length;
  const cell = Math.max(40, Math.min(90, Math.floor(360 / Math.max(1, k))));
  const left = 110;
  const top = 70;
  const width = left + k * cell + 30;
  const height = top + k * cell + 60;
  let max = 0;
  for (const row of matrix) for (const v of row) max = Math.max(max, v);
  let s = svgOpen(width, height, title);
  s += `<text x="${left + (k * cell) / 2}" y="${top - 28}" text-anchor="middle" ${FONT} font-size="12">predicted</text>\n`;
  s += `<text x="20" y="${top + (k * cell) / 2}" text-anchor="middle" ${FONT} font-size="12" transform="rotate(-90 20 ${top + (k * cell) / 2})">true</text>\n`;
  for (let j = 0; j < k; j++) s += `<text x="${left + j * cell + cell / 2}" y="${top - 8}" text-anchor="middle" ${FONT} font-size="12">${escapeXml(String(labels[j]))}</text>\n`;
  for (let i = 0; i < k; i++) {
    s += `<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" ${FONT} font-size="12">${escapeXml(String(labels[i]))}</text>\n`;
    for (let j = 0; j < k; j++) {
      const v = matrix[i]?.[j] ?? 0;
      const shade = max === 0 ? 0 : v / max;
      const fill = `rgb(${Math.round(255 - 200 * shade)},${Math.round(255 - 140 * shade)},255)`;
      const ink = shade > 0.6 ? 'white' : 'black';
      s += `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#888"/>\n`;
      s += `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 5}" text-anchor="middle" ${FONT} font-size="14" fill="${ink}">${v}</text>\n`;
    }
  }
  return `${s}</svg>\n`;
}

interface Axes {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** A plot frame with axes, ticks and labels; returns the SVG and the data → pixel mappings. */
function frame(title: string, xLabel: string, yLabel: string, ax: Axes): { svg: string; px: (x: number) => number; py: (y: number) => number; left: number; top: number; size: number } {
  const left = 60;
  const top = 40;
  const size = 340;
  const width = left + size + 30;
  const height = top + size + 50;
  const px = (x: number): number => left + ((x - ax.x0) / (ax.x1 - ax.x0 || 1)) * size;
  const py = (y: number): number => top + size - ((y - ax.y0) / (ax.y1 - ax.y0 || 1)) * size;
  let s = svgOpen(width, height, title);
  s += `<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#333"/>\n`;
  for (let t = 0; t <= 4; t++) {
    const xv = ax.x0 + ((ax.x1 - ax.x0) * t) / 4;
    const yv = ax.y0 + ((ax.y1 - ax.y0) * t) / 4;
    s += `<text x="${px(xv).toFixed(1)}" y="${top + size + 16}" text-anchor="middle" ${FONT} font-size="11">${fmt(xv)}</text>\n`;
    s += `<text x="${left - 6}" y="${(py(yv) + 4).toFixed(1)}" text-anchor="end" ${FONT} font-size="11">${fmt(yv)}</text>\n`;
  }
  s += `<text x="${left + size / 2}" y="${top + size + 38}" text-anchor="middle" ${FONT} font-size="12">${escapeXml(xLabel)}</text>\n`;
  s += `<text x="14" y="${top + size / 2}" text-anchor="middle" ${FONT} font-size="12" transform="rotate(-90 14 ${top + size / 2})">${escapeXml(yLabel)}</text>\n`;
  return { svg: s, px, py, left, top, size };
}

/**
 * A ROC curve as an SVG document (false positive rate against true positive rate, with the chance
 * diagonal and the AUC in the title).
 *
 * @example
 * ```ts
 * const svg = rocCurveSvg([0, 0, 0.5, 1], [0, 0.5, 1, 1], 0.875);
 * ```
 */
export function rocCurveSvg(fpr: ArrayLike<number>, tpr: ArrayLike<number>, auc: number, positive = 'positive class'): string {
  const f = frame(`ROC curve (${positive}), AUC ${Number.isFinite(auc) ? auc.toFixed(3) : 'n/a'}`, 'false positive rate', 'true positive rate', { x0: 0, x1: 1, y0: 0, y1: 1 });
  let s = f.svg;
  s += `<line x1="${f.px(0)}" y1="${f.py(0)}" x2="${f.px(1)}" y2="${f.py(1)}" stroke="#999" stroke-dasharray="5,4"/>\n`;
  const pts: string[] = [];
  for (let i = 0; i < fpr.length; i++) {
    const x = fpr[i]!;
    const y = tpr[i]!;
    if (Number.isFinite(x) && Number.isFinite(y)) pts.push(`${f.px(x).toFixed(1)},${f.py(y).toFixed(1)}`);
  }
  s += `<polyline points="${pts.join(' ')}" fill="none" stroke="#1f5fbf" stroke-width="2"/>\n`;
  return `${s}</svg>\n`;
}

/**
 * A residual plot as an SVG document: predicted value against residual (true - predicted), with
 * the zero line.
 *
 * @example
 * ```ts
 * const svg = residualPlotSvg([20, 25, 30], [21, 24, 33]);
 * ```
 */
export function residualPlotSvg(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, target = 'target'): string {
  let x0 = Infinity;
  let x1 = -Infinity;
  let r = 0;
  for (let i = 0; i < yPred.length; i++) {
    const p = yPred[i]!;
    x0 = Math.min(x0, p);
    x1 = Math.max(x1, p);
    r = Math.max(r, Math.abs(yTrue[i]! - p));
  }
  if (!(x1 > x0)) {
    x0 = Number.isFinite(x0) ? x0 - 1 : 0;
    x1 = x0 + 2;
  }
  if (!(r > 0)) r = 1;
  const f = frame(`Residuals of ${target} on the test set`, `predicted ${target}`, 'residual (true - predicted)', { x0, x1, y0: -r, y1: r });
  let s = f.svg;
  s += `<line x1="${f.left}" y1="${f.py(0).toFixed(1)}" x2="${f.left + f.size}" y2="${f.py(0).toFixed(1)}" stroke="#999" stroke-dasharray="5,4"/>\n`;
  for (let i = 0; i < yPred.length; i++) {
    const p = yPred[i]!;
    s += `<circle cx="${f.px(p).toFixed(1)}" cy="${f.py(yTrue[i]! - p).toFixed(1)}" r="2.5" fill="#1f5fbf" fill-opacity="0.6"/>\n`;
  }
  return `${s}</svg>\n`;
}

/**
 * Where a reference flow caches task results: `options.cacheStorage`, else `mlship/cache/tasks`
 * under `options.cwd` (the current folder when that is unset too).
 *
 * @example
 * ```ts
 * exampleCacheStorage({ cwd: '/tmp/project' }); // '/tmp/project/mlship/cache/tasks'
 * ```
 */
export function exampleCacheStorage(options: { cwd?: string; cacheStorage?: string }): string {
  return options.cacheStorage ?? resolve(options.cwd ?? process.cwd(), DEFAULT_CACHE_DIR);
}
