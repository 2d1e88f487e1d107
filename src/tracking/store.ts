import type { DatasetInput, Experiment, Metric, Page, Param, Run, RunInfo, RunStatus, RunTag, ViewType } from './entities.js';
import { DEFAULT_EXPERIMENT_ID } from './entities.js';

/** Options of {@link TrackingStoreCore.createExperiment}. */
export interface CreateExperimentOptions {
  /** Where the experiment's runs put artifacts. @default `<store artifact root>/<experiment id>` */
  artifactLocation?: string;
  /** Experiment tags. @default {} */
  tags?: Record<string, string>;
}

/** Options of {@link TrackingStoreCore.searchExperiments}. */
export interface SearchExperimentsOptions {
  /** Which lifecycle stages to return. @default 'ACTIVE_ONLY' */
  viewType?: ViewType;
  /**
   * A filter in the search language over `name` (or `attributes.name`), `attributes.experiment_id`,
   * `attributes.creation_time`, `attributes.last_update_time` and `tags.<key>`, e.g.
   * `name LIKE 'housing%' AND (tags.team = 'pricing' OR attributes.creation_time > 1700000000000)`.
   * @default undefined (all experiments of the view)
   */
  filter?: string;
  /**
   * Sort keys: `name`, `experiment_id` (as a number), `creation_time` or `last_update_time`, each
   * with an optional ASC (default) or DESC, e.g. `['last_update_time DESC']`; ties break by creation order.
   * @default [] (creation order: creation time, then id)
   */
  orderBy?: string[];
  /** Page size, 1 to 50,000. @default 1000 */
  maxResults?: number;
  /** The `nextPageToken` of the previous page. @default undefined (first page) */
  pageToken?: string;
}

/** Options of {@link TrackingStoreCore.createRun}. */
export interface CreateRunOptions {
  /** The experiment the run belongs to. @default '0' (the Default experiment) */
  experimentId?: string;
  /** A name for people; need not be unique. @default a generated name such as `brave-otter-417` */
  runName?: string;
  /** @default Date.now() */
  startTime?: number;
  /** Initial tags. A `mlship.parentRunId` tag sets {@link RunInfo.parentRunId}. @default {} */
  tags?: Record<string, string>;
  /** The parent run, for nested runs (also recorded as the `mlship.parentRunId` tag). @default null */
  parentRunId?: string | null;
  /** @default null */
  userId?: string | null;
  /** The git commit of the code. @default null */
  sourceCommit?: string | null;
  /** Whether the git tree was dirty. @default null */
  sourceDirty?: boolean | null;
  /** The initial status: a run may be created already ended (recording work that is done, importing runs). @default 'RUNNING' */
  status?: RunStatus;
  /** The end time of a run created ended. @default null, or `startTime` when `status` is terminal */
  endTime?: number | null;
}

/** Fields {@link TrackingStoreCore.updateRun} can change. */
export interface UpdateRunOptions {
  /** @default unchanged */
  status?: RunStatus;
  /** @default unchanged; `Date.now()` when `status` becomes terminal and no end time is set */
  endTime?: number | null;
  /** @default unchanged */
  runName?: string;
}

/** A metric as given to `logBatch`: `step` and `timestamp` are optional. */
export interface MetricInput {
  key: string;
  value: number;
  /** @default 0 */
  step?: number;
  /** @default Date.now() */
  timestamp?: number;
}

/** The contents of one atomic {@link TrackingStoreCore.logBatch} call. */
export interface LogBatch {
  /** @default [] */
  metrics?: MetricInput[];
  /** @default [] */
  params?: Param[];
  /** @default [] */
  tags?: RunTag[];
}

/** Options of {@link TrackingStoreCore.searchRuns}. */
export interface SearchRunsOptions {
  /** The experiments to search. @default ['0'] */
  experimentIds?: string[];
  /** A filter in the search language, e.g. `metrics.rmse < 3 AND params.model = 'rf'`. @default undefined (all runs) */
  filter?: string;
  /** Sort keys such as `'metrics.rmse ASC'`; ties break by start time (newest first), then run id. @default [] */
  orderBy?: string[];
  /** Page size, 1 to 50,000. @default 1000 */
  maxResults?: number;
  /** The `nextPageToken` of the previous page. @default undefined (first page) */
  pageToken?: string;
  /** @default 'ACTIVE_ONLY' */
  runViewType?: ViewType;
}

/**
 * The small core every tracking backend implements. Convenience methods (`logMetric`, `setTag`,
 * `endRun`, ...) are written once on top of it in {@link AbstractTrackingStore}.
 *
 * Errors are `MlshipError`s: NOT_FOUND for unknown ids, ALREADY_EXISTS for a taken experiment name,
 * INVALID_ARGUMENT for bad names and values (including re-logging a param with another value).
 */
export interface TrackingStoreCore {
  /** Creates or upgrades the schema; creates the Default experiment (id '0'). Idempotent. */
  migrate(): Promise<void>;
  /** Releases connections. The store cannot be used afterwards. */
  close(): Promise<void>;

  /** Creates an experiment and returns its id. ALREADY_EXISTS if the name is taken (also by a deleted one). */
  createExperiment(name: string, options?: CreateExperimentOptions): Promise<string>;
  /** NOT_FOUND if there is no such experiment (deleted experiments are returned). */
  getExperiment(experimentId: string): Promise<Experiment>;
  /** The experiment with this exact name (active or deleted), or `null`. */
  getExperimentByName(name: string): Promise<Experiment | null>;
  /** Experiments in creation order, or filtered and ordered with the search language (`filter`, `orderBy`). */
  searchExperiments(options?: SearchExperimentsOptions): Promise<Page<Experiment>>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  /** Sets an experiment tag (overwrites). */
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;
  /** Soft delete: the experiment and its active runs become `deleted`; restorable. */
  deleteExperiment(experimentId: string): Promise<void>;
  /** Undoes {@link deleteExperiment}, restoring the runs it deleted. */
  restoreExperiment(experimentId: string): Promise<void>;
  /**
   * Hard delete of a soft-deleted experiment: its rows and its runs' rows are gone and the name can
   * be reused. Returns the artifact locations (experiment and runs) for the caller to remove.
   */
  purgeExperiment(experimentId: string): Promise<string[]>;

  createRun(options?: CreateRunOptions): Promise<Run>;
  /** NOT_FOUND if there is no such run. */
  getRun(runId: string): Promise<Run>;
  updateRun(runId: string, update: UpdateRunOptions): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;

  /**
   * Logs metrics, params and tags in one transaction: all or nothing. Params are immutable:
   * logging the same value again is fine, another value is INVALID_ARGUMENT.
   */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  /** Every logged value of one metric, by step then timestamp. */
  getMetricHistory(runId: string, key: string): Promise<Metric[]>;
  /** Records datasets the run read; re-logging the same (name, digest) updates it. */
  logInputs(runId: string, inputs: DatasetInput[]): Promise<void>;
  searchRuns(options?: SearchRunsOptions): Promise<Page<Run>>;
}

/**
 * A tracking store: the {@link TrackingStoreCore} plus convenience methods.
 *
 * @example
 * ```ts
 * import { openTrackingStore } from 'mlship/tracking';
 * const store = await openTrackingStore('sqlite:///tmp/mlship.db');
 * const run = await store.createRun({ runName: 'baseline' });
 * await store.logParam(run.info.runId, 'alpha', '0.5');
 * await store.logMetric(run.info.runId, 'rmse', 3.2);
 * await store.endRun(run.info.runId);
 * await store.close();
 * ```
 */
export interface TrackingStore extends TrackingStoreCore {
  logMetric(runId: string, key: string, value: number, options?: { step?: number; timestamp?: number }): Promise<void>;
  logMetrics(runId: string, metrics: Record<string, number>, options?: { step?: number; timestamp?: number }): Promise<void>;
  logParam(runId: string, key: string, value: string | number | boolean): Promise<void>;
  logParams(runId: string, params: Record<string, string | number | boolean>): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  setTags(runId: string, tags: Record<string, string>): Promise<void>;
  /** Sets a terminal status and the end time. @default status 'FINISHED' */
  endRun(runId: string, status?: RunStatus): Promise<RunInfo>;
  /** The id of the experiment with this name, created if missing. */
  getOrCreateExperiment(name: string, options?: CreateExperimentOptions): Promise<string>;
  /** Every page of {@link TrackingStoreCore.searchRuns}, concatenated. */
  searchAllRuns(options?: Omit<SearchRunsOptions, 'pageToken'>): Promise<Run[]>;
}

/**
 * Base class for backends: implements the convenience half of {@link TrackingStore} on top of the
 * abstract core, once for every backend.
 *
 * @example
 * ```ts
 * class MyStore extends AbstractTrackingStore { ... implement the core ... }
 * ```
 */
export abstract class AbstractTrackingStore implements TrackingStore {
  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;
  abstract createExperiment(name: string, options?: CreateExperimentOptions): Promise<string>;
  abstract getExperiment(experimentId: string): Promise<Experiment>;
  abstract getExperimentByName(name: string): Promise<Experiment | null>;
  abstract searchExperiments(options?: SearchExperimentsOptions): Promise<Page<Experiment>>;
  abstract renameExperiment(experimentId: string, newName: string): Promise<void>;
  abstract setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;
  abstract deleteExperiment(experimentId: string): Promise<void>;
  abstract restoreExperiment(experimentId: string): Promise<void>;
  abstract purgeExperiment(experimentId: string): Promise<string[]>;
  abstract createRun(options?: CreateRunOptions): Promise<Run>;
  abstract getRun(runId: string): Promise<Run>;
  abstract updateRun(runId: string, update: UpdateRunOptions): Promise<RunInfo>;
  abstract deleteRun(runId: string): Promise<void>;
  abstract restoreRun(runId: string): Promise<void>;
  abstract logBatch(runId: string, batch: LogBatch): Promise<void>;
  abstract getMetricHistory(runId: string, key: string): Promise<Metric[]>;
  abstract logInputs(runId: string, inputs: DatasetInput[]): Promise<void>;
  abstract searchRuns(options?: SearchRunsOptions): Promise<Page<Run>>;

  logMetric(runId: string, key: string, value: number, options: { step?: number; timestamp?: number } = {}): Promise<void> {
    return this.logBatch(runId, { metrics: [{ key, value, ...options }] });
  }

  logMetrics(runId: string, metrics: Record<string, number>, options: { step?: number; timestamp?: number } = {}): Promise<void> {
    const timestamp = options.timestamp ?? Date.now();
    return this.logBatch(runId, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step: options.step ?? 0, timestamp })) });
  }

  logParam(runId: string, key: string, value: string | number | boolean): Promise<void> {
    return this.logBatch(runId, { params: [{ key, value: String(value) }] });
  }

  logParams(runId: string, params: Record<string, string | number | boolean>): Promise<void> {
    return this.logBatch(runId, { params: Object.entries(params).map(([key, value]) => ({ key, value: String(value) })) });
  }

  setTag(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch(runId, { tags: [{ key, value }] });
  }

  setTags(runId: string, tags: Record<string, string>): Promise<void> {
    return this.logBatch(runId, { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
  }

  endRun(runId: string, status: RunStatus = 'FINISHED'): Promise<RunInfo> {
    return this.updateRun(runId, { status, endTime: Date.now() });
  }

  async getOrCreateExperiment(name: string, options?: CreateExperimentOptions): Promise<string> {
    const found = await this.getExperimentByName(name);
    if (found) return found.experimentId;
    try {
      return await this.createExperiment(name, options);
    } catch (err) {
      // another caller created it between the read and the create (concurrent runs of one experiment)
      if ((err as { code?: unknown }).code !== 'ALREADY_EXISTS') throw err;
      const raced = await this.getExperimentByName(name);
      if (raced) return raced.experimentId;
      throw err;
    }
  }

  async searchAllRuns(options: Omit<SearchRunsOptions, 'pageToken'> = {}): Promise<Run[]> {
    const out: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.searchRuns({ experimentIds: [DEFAULT_EXPERIMENT_ID], ...options, pageToken });
      out.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }
}
