/**
 * The tracking entities: experiments, runs and what a run records (metrics, params, tags, dataset
 * inputs, code version). Plain data, shared by every store backend, the client, the CLI and the
 * HTTP API. Times are milliseconds since the Unix epoch.
 */

/**
 * A run's state. A run starts `RUNNING` and ends in one of the other three.
 *
 * @example
 * ```ts
 * await store.updateRun(runId, { status: 'FAILED' satisfies RunStatus });
 * ```
 */
export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

/** The run statuses, in a fixed order. */
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'];

/** Whether an experiment or run is live or soft-deleted (restorable until purged). */
export type LifecycleStage = 'active' | 'deleted';

/** Which lifecycle stages a search returns. */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** The id of the experiment that every store creates on `migrate()`, named {@link DEFAULT_EXPERIMENT_NAME}. */
export const DEFAULT_EXPERIMENT_ID = '0';
/** The name of the default experiment. */
export const DEFAULT_EXPERIMENT_NAME = 'Default';

/** The tag that names a run's parent run (nested runs); mirrored in {@link RunInfo.parentRunId}. */
export const PARENT_RUN_ID_TAG = 'mlship.parentRunId';

/**
 * An experiment: a named group of runs with its own artifact location.
 *
 * @example
 * ```ts
 * const exp = await store.getExperiment('0');
 * console.log(exp.name, exp.lifecycleStage);
 * ```
 */
export interface Experiment {
  experimentId: string;
  name: string;
  /** Where the runs of this experiment put their artifacts. */
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  /** When it was soft-deleted; `null` while active. */
  deletedTime: number | null;
  tags: Record<string, string>;
}

/**
 * One metric measurement. `value` may be NaN or ±Infinity: stores keep them as such.
 *
 * @example
 * ```ts
 * const m: Metric = { key: 'rmse', value: 0.42, step: 3, timestamp: Date.now() };
 * ```
 */
export interface Metric {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

/**
 * A run parameter: a string, immutable once logged.
 *
 * @example
 * ```ts
 * await store.logBatch(runId, { params: [{ key: 'alpha', value: '0.5' } satisfies Param] });
 * ```
 */
export interface Param {
  key: string;
  value: string;
}

/**
 * A run tag: a string, can be overwritten.
 *
 * @example
 * ```ts
 * await store.logBatch(runId, { tags: [{ key: 'team', value: 'pricing' } satisfies RunTag] });
 * ```
 */
export interface RunTag {
  key: string;
  value: string;
}

/**
 * A dataset a run read: its name, content hash and optional source, schema, row count and context
 * (`'training'`, `'validation'`, ...). `(name, digest)` identifies it within a run.
 *
 * @example
 * ```ts
 * await store.logInputs(runId, [{ name: 'boston', digest: 'sha256:ab12…', rowCount: 506, context: 'training' }]);
 * ```
 */
export interface DatasetInput {
  name: string;
  digest: string;
  source?: string | null;
  /** Any JSON value describing the columns. */
  schema?: unknown;
  rowCount?: number | null;
  context?: string | null;
}

/**
 * A run's identity, state and code version.
 *
 * @example
 * ```ts
 * const { info } = await store.getRun(runId);
 * console.log(info.status, info.sourceCommit, info.sourceDirty ? '(dirty)' : '');
 * ```
 */
export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  lifecycleStage: LifecycleStage;
  /** The parent run for a nested run; `null` for a top-level run. */
  parentRunId: string | null;
  artifactUri: string;
  userId: string | null;
  /** The git commit the code ran from, when known. */
  sourceCommit: string | null;
  /** Whether the git tree had uncommitted changes; `null` when unknown. */
  sourceDirty: boolean | null;
}

/**
 * What a run logged: the latest value of each metric, its params and its tags, keyed by name.
 *
 * @example
 * ```ts
 * const { data } = await store.getRun(runId);
 * console.log(data.metrics.rmse?.value, data.params.alpha, data.tags.team);
 * ```
 */
export interface RunData {
  metrics: Record<string, Metric>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

/**
 * A run: info, data (latest metrics, params, tags) and dataset inputs.
 *
 * @example
 * ```ts
 * const run = await store.getRun(runId);
 * console.log(run.info.status, run.data.params.model, run.data.metrics.rmse?.value);
 * ```
 */
export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: DatasetInput[];
}

/**
 * One page of results; `nextPageToken` is opaque and absent on the last page.
 *
 * @example
 * ```ts
 * let token: string | undefined;
 * do {
 *   const page = await store.searchRuns({ maxResults: 100, pageToken: token });
 *   for (const run of page.items) console.log(run.info.runName);
 *   token = page.nextPageToken;
 * } while (token);
 * ```
 */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}
