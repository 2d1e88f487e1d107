/**
 * The client: one object over a tracking store, a registry store and artifact stores, with active
 * runs, dataset capture, model registration from runs, promotion gates, rollback, model URIs and
 * lineage. Everything here is written once on top of the store interfaces, for every backend.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, type Stats } from 'node:fs';
import { copyFile, mkdir, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlshipError, isMlshipError } from '../core/index.js';
import { ActiveRun, activeRun, ambientRunTags, runWithActive } from './active-run.js';
import type { ArtifactStore } from './artifacts/artifact-store.js';
import { openArtifactStore } from './artifacts/open.js';
import { codeVersion } from './code-version.js';
import { DEFAULT_EXPERIMENT_ID } from './entities.js';
import type { DatasetInput, Experiment, Run, RunInfo } from './entities.js';
import { MODEL_URI_FORMS, parseModelUri } from './model-uri.js';
import type { AliasChange, ModelVersion, RegistryStore } from './registry.js';
import type { TrackingStore } from './store.js';
import { checkModelName } from './stores/registry-validate.js';
import { DEFAULT_TRACKING_URI, openRegistryStore, openTrackingStore } from './stores/open.js';

/** Options of {@link MlshipClient.open}. */
export interface ClientOptions {
  /** The tracking store. @default process.env.MLSHIP_TRACKING_URI ?? 'sqlite:mlship/mlship.db' */
  trackingUri?: string;
  /** The registry store. @default process.env.MLSHIP_REGISTRY_URI ?? the tracking URI */
  registryUri?: string;
  /**
   * Root folder of artifacts: experiments' artifact locations and the registry's model copies
   * (`<artifactRoot>/registry/<name>/<version>/model.mlship`).
   * @default the tracking store's artifact root (`<folder of the database>/artifacts` for SQLite)
   */
  artifactRoot?: string;
}

/** Options of {@link MlshipClient.startRun} and {@link MlshipClient.withRun}. */
export interface StartRunOptions {
  /** The experiment, by name; created if missing. @default the Default experiment */
  experimentName?: string;
  /** The experiment, by id (wins over `experimentName`). @default the Default experiment ('0') */
  experimentId?: string;
  /** @default a generated name such as `brave-otter-417` */
  runName?: string;
  /** @default {} */
  tags?: Record<string, string>;
  /** Start a child of the active run (its id is recorded as the parent). @default false */
  nested?: boolean;
  /** The parent run, given explicitly (wins over `nested`). @default undefined */
  parentRunId?: string;
  /** Record the git commit and dirty state of the working folder. @default true */
  logCodeVersion?: boolean;
  /**
   * Record the files and folders read through mlship's data module (readTable, loadText, ...) as
   * dataset inputs of this run: by the sha256 of their data version (`mlship data add`) when they
   * have one, else by `unversioned:` + a sha256 of their path, size and modification time.
   * @default true
   */
  captureDatasets?: boolean;
  /** When the run started, e.g. when the work it records began. @default Date.now() */
  startTime?: number;
}

/** Options of {@link MlshipClient.promote}. */
export interface PromoteOptions {
  /** The alias to move. @default 'champion' */
  alias?: string;
  /** The metric the gate compares (each version's run's latest value). */
  metric: string;
  /** Whether lower or higher is better. @default 'min' for names matching /(rmse|mse|mae|loss|error|mape)/i, else 'max' */
  mode?: 'min' | 'max';
  /** The candidate must beat the holder by more than this (absolute, ≥ 0). @default 0 */
  margin?: number;
  /** Move the alias even when the gate fails or cannot be evaluated; recorded as `force`. @default false */
  force?: boolean;
  /** Recorded in the alias history (who approved, why it was forced). @default null */
  reason?: string;
}

/** What {@link MlshipClient.promote} decided. */
export interface PromotionResult {
  /** Whether the alias now points at the candidate because of this call. */
  promoted: boolean;
  alias: string;
  /** The candidate version. */
  version: number;
  /** The version holding the alias before the call, `null` when nobody held it. */
  previousVersion: number | null;
  metric: string;
  /** The candidate's value of the metric, `null` when it has none. */
  value: number | null;
  /** The holder's value, `null` without a holder (or when it has none). */
  previousValue: number | null;
  margin: number;
  mode: 'min' | 'max';
  /** True when the gate failed (or could not be evaluated) and `force` moved the alias anyway. */
  forced: boolean;
  /** One sentence for people: what happened and by how much. */
  message: string;
}

/** A model URI resolved to a local package file. */
export interface ResolvedModel {
  uri: string;
  /** The local path of the `.mlship` file. */
  path: string;
  /** The registered model, for `models:/` URIs. */
  name: string | null;
  version: number | null;
  /** The run that produced it, when known. */
  runId: string | null;
}

/** Where a model version came from. */
export interface ModelVersionLineage {
  modelVersion: ModelVersion;
  /** The run that produced it (`null` when registered from a file, or its run was purged). */
  run: Run | null;
  experiment: Experiment | null;
  /** The datasets the run read. */
  datasets: DatasetInput[];
  code: { commit: string | null; dirty: boolean | null };
  /** The alias changes that moved an alias to or from this version, newest first. */
  aliasHistory: AliasChange[];
}

/** Where a dataset version was used. */
export interface DatasetLineage {
  digest: string;
  /** The runs (of every experiment, deleted ones included) that read it, newest first. */
  runs: RunInfo[];
  /** The model versions produced by those runs. */
  modelVersions: ModelVersion[];
}

/** The metric names for which lower is better, unless `mode` says otherwise. */
const LOWER_IS_BETTER = /(rmse|mse|mae|loss|error|mape)/i;
/** The file name of a model package inside a folder. */
const MODEL_FILE = 'model.mlship';

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * A model name as one folder name: as is when it is a plain name (the registry refuses separators,
 * `.` and `..`), else percent-encoded so that it can never leave the registry folder.
 */
function folderName(name: string): string {
  if (!/[/\\\u0000-\u001f%]/u.test(name) && name !== '.' && name !== '..' && name.trim() === name) return name;
  return encodeURIComponent(name).replace(/^\./, '%2E');
}

/** Copies `src` to `dest` (a new file) and fsyncs it. */
async function copyDurable(src: string, dest: string): Promise<void> {
  await copyFile(src, dest, fsConstants.COPYFILE_EXCL);
  const fh = await open(dest, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function fmt(n: number | null): string {
  if (n === null) return 'none';
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/**
 * The mlship client: experiments and runs (through `tracking`), the model registry (through
 * `registry`), artifacts, active runs with automatic dataset capture, promotion gates, rollback,
 * model URIs and lineage. Open it with {@link MlshipClient.open}; close it when done.
 *
 * @example
 * ```ts
 * import { MlshipClient } from 'mlship/tracking';
 * const client = await MlshipClient.open({ trackingUri: 'sqlite:///tmp/mlship-demo/mlship.db' });
 * const runId = await client.withRun({ experimentName: 'housing' }, async (run) => {
 *   await run.logParams({ alpha: 0.5 });
 *   await run.logMetric('rmse', 3.1);
 *   await run.logArtifact('model.mlship', 'model');  // a package saved with saveModel
 *   return run.runId;
 * });
 * const v = await client.registerModel(`runs:/${runId}/model`, 'housing');
 * const result = await client.promote('housing', v.version, { metric: 'rmse' });
 * console.log(result.message, (await client.resolveModelUri('models:/housing@champion')).path);
 * await client.close();
 * ```
 */
export class MlshipClient {
  /** The tracking store: experiments, runs, metrics, params, tags, dataset inputs. */
  readonly tracking: TrackingStore;
  /** The registry store: registered models, versions, aliases and their history. */
  readonly registry: RegistryStore;
  /** The root folder of artifacts (absolute); the registry's model copies are under `registry/`. */
  readonly artifactRoot: string;
  private registering: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(tracking: TrackingStore, registry: RegistryStore, artifactRoot: string) {
    this.tracking = tracking;
    this.registry = registry;
    this.artifactRoot = artifactRoot;
  }

  /**
   * Opens (and migrates) the tracking and registry stores. Without options it uses
   * `MLSHIP_TRACKING_URI` (else `./mlship/mlship.db`) for both.
   *
   * @example
   * ```ts
   * import { MlshipClient } from 'mlship/tracking';
   * const client = await MlshipClient.open({ trackingUri: 'sqlite:///tmp/mlship-demo/mlship.db' });
   * await client.close();
   * ```
   */
  static async open(options: ClientOptions = {}): Promise<MlshipClient> {
    const trackingUri = options.trackingUri ?? process.env.MLSHIP_TRACKING_URI ?? DEFAULT_TRACKING_URI;
    const registryUri = options.registryUri ?? process.env.MLSHIP_REGISTRY_URI ?? trackingUri;
    const artifactRoot = options.artifactRoot === undefined ? undefined : resolve(options.artifactRoot);
    const tracking = await openTrackingStore(trackingUri, artifactRoot === undefined ? {} : { artifactRoot });
    let registry: RegistryStore;
    try {
      registry = await openRegistryStore(registryUri);
    } catch (err) {
      await tracking.close();
      throw err;
    }
    let root = artifactRoot;
    if (root === undefined) {
      const own = (tracking as { artifactRoot?: unknown }).artifactRoot;
      root = typeof own === 'string' ? own : dirname(localPathOf((await tracking.getExperiment(DEFAULT_EXPERIMENT_ID)).artifactLocation));
    }
    return new MlshipClient(tracking, registry, root);
  }

  /** Closes both stores. Runs still open stay RUNNING. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.registering.catch(() => undefined);
    try {
      await this.registry.close();
    } finally {
      await this.tracking.close();
    }
  }

  /** The artifact store of a run (NOT_FOUND when there is no such run). */
  async artifacts(runId: string): Promise<ArtifactStore> {
    const run = await this.tracking.getRun(runId);
    return openArtifactStore(run.info.artifactUri);
  }

  // ---------------------------------------------------------------- experiments

  /**
   * Hard-deletes a soft-deleted experiment with its runs (the name can be reused) and deletes their
   * artifact folders. Returns the artifact locations removed.
   */
  async purgeExperiment(experimentId: string): Promise<string[]> {
    const locations = await this.tracking.purgeExperiment(experimentId);
    for (const location of locations) await (await openArtifactStore(location)).delete();
    return locations;
  }

  // ---------------------------------------------------------------- runs

  /**
   * Starts a run and makes it the active run (pushed on the process-wide stack until it ends).
   * Starting a second top-level run while one is active is INVALID_ARGUMENT: end it, or pass
   * `nested: true` to start a child.
   */
  startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
    return this.createActiveRun(options, true);
  }

  /**
   * Runs `fn` with a new run active for everything it calls (AsyncLocalStorage, so concurrent
   * `withRun` calls each see their own run). The run ends FINISHED when `fn` returns, or FAILED
   * when it throws, and the error is rethrown.
   */
  async withRun<T>(options: StartRunOptions, fn: (run: ActiveRun) => Promise<T> | T): Promise<T> {
    const run = await this.createActiveRun(options ?? {}, false);
    let result: T;
    try {
      result = await runWithActive(run, () => fn(run));
    } catch (err) {
      await run.end('FAILED').catch(() => undefined);
      throw err;
    }
    await run.end('FINISHED');
    return result;
  }

  /** The active run: the innermost `withRun`'s, else the top of the `startRun` stack. */
  activeRun(): ActiveRun | undefined {
    return activeRun();
  }

  private async createActiveRun(options: StartRunOptions, push: boolean): Promise<ActiveRun> {
    const current = activeRun();
    let parentRunId = options.parentRunId ?? null;
    if (parentRunId === null && options.nested) {
      if (!current) throw new MlshipError('INVALID_ARGUMENT', 'nested: true needs an active run to be the parent; start one first, or pass parentRunId', { field: 'nested' });
      parentRunId = current.runId;
    }
    if (push && parentRunId === null && current) {
      throw new MlshipError('INVALID_ARGUMENT', `run ${current.runId} is already active: end it first, or pass nested: true to start a child run`, { field: 'nested', value: current.runId });
    }
    let experimentId = options.experimentId;
    if (experimentId === undefined && options.experimentName !== undefined) experimentId = await this.tracking.getOrCreateExperiment(options.experimentName);
    experimentId ??= parentRunId !== null ? (await this.tracking.getRun(parentRunId)).info.experimentId : DEFAULT_EXPERIMENT_ID;
    const code = options.logCodeVersion === false ? { commit: null, dirty: null } : await codeVersion();
    let userId: string | null = null;
    try {
      userId = userInfo().username || null;
    } catch {
      userId = process.env.USER ?? null;
    }
    const ambient = ambientRunTags();
    const run = await this.tracking.createRun({
      experimentId,
      runName: options.runName,
      tags: ambient ? { ...ambient, ...options.tags } : options.tags,
      ...(options.startTime !== undefined ? { startTime: options.startTime } : {}),
      parentRunId,
      userId,
      sourceCommit: code.commit,
      sourceDirty: code.dirty,
    });
    return new ActiveRun({ client: this, store: this.tracking, run, push, captureDatasets: options.captureDatasets ?? true });
  }

  // ---------------------------------------------------------------- registry

  /**
   * Registers a model package as the next version of `name` (created if missing). `modelUri` is any
   * model URI (`runs:/<id>/model`, a local `.mlship` file or a folder holding `model.mlship`,
   * `models:/...`). The package is copied to `<artifactRoot>/registry/<name>/<version>/model.mlship`
   * before the version is recorded, so the version outlives the run's artifacts and a crash
   * never leaves a version without its file.
   */
  registerModel(modelUri: string, name: string, options: { description?: string; tags?: Record<string, string> } = {}): Promise<ModelVersion> {
    const next = this.registering.catch(() => undefined).then(() => this.registerNow(modelUri, name, options));
    this.registering = next;
    return next;
  }

  private async registerNow(modelUri: string, name: string, options: { description?: string; tags?: Record<string, string> }): Promise<ModelVersion> {
    checkModelName(name);
    const resolved = await this.resolveModelUri(modelUri);
    const modelDir = join(this.artifactRoot, 'registry', folderName(name));
    const staging = join(modelDir, `.staging-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(staging, { recursive: true });
      await copyDurable(resolved.path, join(staging, MODEL_FILE));
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw new MlshipError('IO_ERROR', `cannot copy the model package ${resolved.path} into the registry folder ${modelDir}: ${(err as Error).message}`, { file: resolved.path }, { cause: err });
    }
    try {
      // The version number is claimed by renaming the staged copy into `<version>/` (atomic; fails
      // when taken), then recorded with that final source. If another writer recorded a version in
      // between, the numbers disagree: the row is removed and the next number tried.
      for (let attempt = 0; attempt < 8; attempt++) {
        let claimed: number | null = null;
        const predicted = await this.nextVersion(name);
        for (let v = predicted; v < predicted + 16 && claimed === null; v++) {
          if (await this.claim(staging, join(modelDir, String(v)))) claimed = v;
        }
        if (claimed === null) break;
        const finalDir = join(modelDir, String(claimed));
        let created: ModelVersion;
        try {
          created = await this.registry.createModelVersion(name, {
            source: finalDir,
            runId: resolved.runId,
            description: options.description,
            tags: options.tags,
          });
        } catch (err) {
          await rename(finalDir, staging).catch(() => undefined);
          throw err;
        }
        if (created.version === claimed) return created;
        await this.registry.deleteModelVersion(name, created.version).catch(() => undefined);
        await rename(finalDir, staging);
      }
      throw new MlshipError('CONFLICT', `could not register a version of '${name}': other writers kept taking the next version number; try again`, { field: 'name', value: name });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** The next version number of `name` (1 for a new model). */
  private async nextVersion(name: string): Promise<number> {
    try {
      return ((await this.registry.getRegisteredModel(name)).latestVersion ?? 0) + 1;
    } catch (err) {
      if (isMlshipError(err, 'NOT_FOUND')) return 1;
      throw err;
    }
  }

  /**
   * Renames the staged copy to `finalDir`. A folder already there belongs to another writer, or is
   * left over from a crash before its version was recorded: the latter (no version row, older than
   * a minute) is cleared and the claim retried once.
   */
  private async claim(staging: string, finalDir: string): Promise<boolean> {
    for (let i = 0; i < 2; i++) {
      try {
        await rename(staging, finalDir);
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw err;
      }
      let st: Stats;
      try {
        st = await stat(finalDir);
      } catch {
        continue;
      }
      if (Date.now() - st.mtimeMs < 60_000) return false;
      await rm(finalDir, { recursive: true, force: true });
    }
    return false;
  }

  /**
   * Deletes a registered model (versions, aliases, history; the name can be reused) and the model
   * copies the registry holds for it. Returns the version sources removed.
   */
  async deleteRegisteredModel(name: string): Promise<string[]> {
    const sources = await this.registry.deleteRegisteredModel(name);
    const registryRoot = join(this.artifactRoot, 'registry');
    const removed: string[] = [];
    for (const source of sources) {
      const path = localPathOf(source);
      if (isInside(path, registryRoot)) {
        await rm(path, { recursive: true, force: true });
        removed.push(source);
      }
    }
    await rm(join(registryRoot, folderName(name)), { recursive: true, force: true });
    return removed;
  }

  /**
   * Moves `alias` (default `champion`) to `version` if it passes the gate: its run's latest value of
   * `metric` beats the current holder's by more than `margin` (lower is better for error-like
   * names, see {@link PromoteOptions.mode}). No holder, or a holder without the metric, means it
   * passes. A candidate without the metric is INVALID_ARGUMENT unless `force`. A failed gate returns
   * `promoted: false` with a message saying by how much; `force` moves the alias anyway and records
   * it as `force`. The move is a compare-and-set: if another writer moved the alias meanwhile, it
   * fails with CONFLICT.
   */
  async promote(name: string, version: number, options: PromoteOptions): Promise<PromotionResult> {
    const alias = options?.alias ?? 'champion';
    const metric = options?.metric;
    if (typeof metric !== 'string' || metric === '') {
      throw new MlshipError('INVALID_ARGUMENT', `promote needs the metric to compare, e.g. { metric: 'rmse' }; got ${JSON.stringify(metric)}`, { field: 'metric', value: metric });
    }
    const margin = options.margin ?? 0;
    if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0) {
      throw new MlshipError('INVALID_ARGUMENT', `margin must be a finite number ≥ 0, got ${String(margin)}`, { field: 'margin', value: margin });
    }
    const mode = options.mode ?? (LOWER_IS_BETTER.test(metric) ? 'min' : 'max');
    if (mode !== 'min' && mode !== 'max') {
      throw new MlshipError('INVALID_ARGUMENT', `mode must be 'min' or 'max', got ${JSON.stringify(mode)}`, { field: 'mode', value: mode });
    }
    const force = options.force === true;
    const candidate = await this.registry.getModelVersion(name, version);
    const model = await this.registry.getRegisteredModel(name);
    const holder = Object.prototype.hasOwnProperty.call(model.aliases, alias) ? model.aliases[alias]! : null;
    const value = await this.metricOf(candidate, metric);
    const base = { alias, version, previousVersion: holder, metric, value, margin, mode };
    if (holder === version) {
      return { ...base, promoted: false, previousValue: value, forced: false, message: `${name} version ${version} already holds @${alias}; nothing to do` };
    }
    const holderVersion = holder === null ? null : await this.registry.getModelVersion(name, holder).catch(() => null);
    const previousValue = holderVersion ? await this.metricOf(holderVersion, metric) : null;

    let passed: boolean;
    let why: string;
    if (value === null || Number.isNaN(value)) {
      if (!force) {
        const found = value === null ? 'has no' : 'has a NaN';
        throw new MlshipError('INVALID_ARGUMENT', `${name} version ${version} ${found} '${metric}' metric (looked up in its run ${candidate.runId ?? '(none)'}), so the gate cannot compare it; log the metric on that run, pick another metric, or pass force: true`, {
          field: 'metric',
          value: metric,
        });
      }
      passed = false;
      why = `the candidate ${value === null ? 'has no' : 'has a NaN'} '${metric}'`;
    } else if (holder === null) {
      passed = true;
      why = `nobody held @${alias}`;
    } else if (previousValue === null || Number.isNaN(previousValue)) {
      passed = true;
      why = `the holder, version ${holder}, has no ${previousValue === null ? '' : 'usable '}'${metric}'`;
    } else {
      const gain = mode === 'min' ? previousValue - value : value - previousValue;
      passed = gain > margin;
      const dir = mode === 'min' ? 'lower' : 'higher';
      why = passed
        ? `${metric} ${fmt(value)} vs ${fmt(previousValue)} for version ${holder}: ${fmt(gain)} ${dir}, more than the margin ${fmt(margin)}`
        : `${metric} ${fmt(value)} vs ${fmt(previousValue)} for version ${holder}: ${gain >= 0 ? `only ${fmt(gain)} ${dir}, not more than the margin ${fmt(margin)}` : `${fmt(-gain)} worse (${dir} is better)`}`;
    }
    if (!passed && !force) {
      return { ...base, promoted: false, previousValue, forced: false, message: `${name} version ${version} was not promoted to @${alias}: ${why}` };
    }
    const forced = !passed;
    await this.registry.setAlias(name, alias, version, {
      action: forced ? 'force' : 'promote',
      expectedVersion: holder,
      reason: options.reason ?? null,
      metric,
      value,
      previousValue,
    });
    const message = forced ? `${name} version ${version} was forced to @${alias} (gate failed: ${why})` : `${name} version ${version} was promoted to @${alias}: ${why}`;
    return { ...base, promoted: true, previousValue, forced, message };
  }

  /** The latest value of `metric` on the run that produced `version`, or `null`. */
  private async metricOf(version: ModelVersion, metric: string): Promise<number | null> {
    if (!version.runId) return null;
    try {
      return (await this.tracking.getRun(version.runId)).data.metrics[metric]?.value ?? null;
    } catch (err) {
      if (isMlshipError(err, 'NOT_FOUND')) return null;
      throw err;
    }
  }

  /**
   * Moves `alias` back to the version it pointed to before its latest move, recorded as
   * `rollback`. Rolling back again goes one step further back (rollbacks undo moves, they are not
   * undone themselves). NOT_FOUND when there is nothing to roll back to.
   */
  async rollback(name: string, alias = 'champion', options: { reason?: string } = {}): Promise<AliasChange> {
    const history = await this.registry.getAliasHistory(name, alias); // newest first
    const model = await this.registry.getRegisteredModel(name);
    const current = Object.prototype.hasOwnProperty.call(model.aliases, alias) ? model.aliases[alias]! : null;
    let undone = 0;
    let undo: AliasChange | undefined;
    for (const change of history) {
      if (change.action === 'rollback') undone++;
      else if (undone > 0) undone--;
      else {
        undo = change;
        break;
      }
    }
    const target = undo?.previousVersion ?? null;
    if (target === null) {
      const why =
        history.length === 0
          ? `@${alias} has never been set`
          : undo === undefined
            ? 'every move in its history has already been rolled back'
            : `the move to undo (${undo.action} to version ${undo.version ?? 'none'}) created the alias, so there is no earlier version`;
      throw new MlshipError('NOT_FOUND', `nothing to roll back for ${name}@${alias}: ${why}; move it with promote() instead`, { field: 'alias', value: alias });
    }
    if (target === current) {
      throw new MlshipError('NOT_FOUND', `nothing to roll back for ${name}@${alias}: it already points at version ${target}, the version before its latest move`, { field: 'alias', value: alias });
    }
    return this.registry.setAlias(name, alias, target, { action: 'rollback', expectedVersion: current, reason: options.reason ?? null });
  }

  // ---------------------------------------------------------------- model URIs

  /**
   * Resolves a model URI to the local `.mlship` file: `models:/name@alias`, `models:/name/3`,
   * `models:/name/latest`, `runs:/<run-id>/<path>` (a folder resolves to its `model.mlship`), a
   * `file:` URI or a path. Malformed URIs are INVALID_ARGUMENT (listing the accepted forms); an
   * unknown model, alias, version or run, or a missing file, is NOT_FOUND naming it.
   */
  async resolveModelUri(uri: string): Promise<ResolvedModel> {
    const parsed = parseModelUri(uri);
    const notFound = (err: unknown): never => {
      if (isMlshipError(err, 'NOT_FOUND')) throw new MlshipError('NOT_FOUND', `cannot resolve the model URI '${uri}': ${err.message}`, { ...err.details, value: uri }, { cause: err });
      throw err;
    };
    switch (parsed.kind) {
      case 'path': {
        const path = await packageFile(resolve(parsed.path), uri);
        return { uri, path, name: null, version: null, runId: null };
      }
      case 'run': {
        const run = await this.tracking.getRun(parsed.runId).catch(notFound);
        const store = await openArtifactStore(run.info.artifactUri);
        let local = store.localPath(parsed.artifactPath);
        if (local === null) local = await store.download(parsed.artifactPath, join(tmpdir(), 'mlship-models', parsed.runId, randomBytes(4).toString('hex'))).catch(notFound);
        else await refuseEscapingLink(local, store.localPath()!);
        const path = await packageFile(local, uri, `run ${parsed.runId} has no artifact '${parsed.artifactPath}'`);
        return { uri, path, name: null, version: null, runId: parsed.runId };
      }
      default: {
        let mv: ModelVersion;
        if (parsed.kind === 'alias') mv = await this.registry.getModelVersionByAlias(parsed.name, parsed.alias).catch(notFound);
        else if (parsed.kind === 'version') mv = await this.registry.getModelVersion(parsed.name, parsed.version).catch(notFound);
        else {
          const page = await this.registry.searchModelVersions({ name: parsed.name, maxResults: 1 }).catch(notFound);
          const newest = page.items[0];
          if (!newest) {
            await this.registry.getRegisteredModel(parsed.name).catch(notFound);
            throw new MlshipError('NOT_FOUND', `cannot resolve the model URI '${uri}': the registered model '${parsed.name}' has no versions`, { field: 'modelUri', value: uri });
          }
          mv = newest;
        }
        const path = await packageFile(localPathOf(mv.source), uri, `${mv.name} version ${mv.version}'s package is missing at ${mv.source}`);
        return { uri, path, name: mv.name, version: mv.version, runId: mv.runId };
      }
    }
  }

  // ---------------------------------------------------------------- lineage

  /**
   * Where a model version came from: its run (params, metrics, tags), experiment, the datasets the
   * run read, the code commit, and the alias moves to or from this version.
   */
  async modelVersionLineage(name: string, version: number): Promise<ModelVersionLineage> {
    const modelVersion = await this.registry.getModelVersion(name, version);
    let run: Run | null = null;
    if (modelVersion.runId) {
      run = await this.tracking.getRun(modelVersion.runId).catch((err: unknown) => {
        if (isMlshipError(err, 'NOT_FOUND')) return null;
        throw err;
      });
    }
    let experiment: Experiment | null = null;
    if (run) {
      experiment = await this.tracking.getExperiment(run.info.experimentId).catch((err: unknown) => {
        if (isMlshipError(err, 'NOT_FOUND')) return null;
        throw err;
      });
    }
    const aliasHistory = (await this.registry.getAliasHistory(name)).filter((c) => c.version === version || c.previousVersion === version);
    return {
      modelVersion,
      run,
      experiment,
      datasets: run?.inputs ?? [],
      code: { commit: run?.info.sourceCommit ?? null, dirty: run?.info.sourceDirty ?? null },
      aliasHistory,
    };
  }

  /**
   * Where a dataset version (a digest recorded as a run input) was used: the runs of every
   * experiment that read it, newest first, and the model versions those runs produced.
   */
  async datasetLineage(digest: string): Promise<DatasetLineage> {
    if (typeof digest !== 'string' || digest === '') {
      throw new MlshipError('INVALID_ARGUMENT', `digest must be a non-empty string (a data version's sha256), got ${JSON.stringify(digest)}`, { field: 'digest', value: digest });
    }
    const experimentIds: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.tracking.searchExperiments({ viewType: 'ALL', maxResults: 1000, pageToken: token });
      experimentIds.push(...page.items.map((e) => e.experimentId));
      token = page.nextPageToken;
    } while (token);
    const quoted = `'${digest.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
    const runs = experimentIds.length === 0 ? [] : await this.tracking.searchAllRuns({ experimentIds, filter: `datasets.digest = ${quoted}`, runViewType: 'ALL' });
    const modelVersions: ModelVersion[] = [];
    const runIds = runs.map((r) => r.info.runId);
    for (let i = 0; i < runIds.length; i += 500) {
      let pageToken: string | undefined;
      do {
        const page = await this.registry.searchModelVersions({ runIds: runIds.slice(i, i + 500), pageToken });
        modelVersions.push(...page.items);
        pageToken = page.nextPageToken;
      } while (pageToken);
    }
    return { digest, runs: runs.map((r) => r.info), modelVersions };
  }
}

/** A local path from a `file:` URI or a plain path. */
function localPathOf(location: string): string {
  if (/^file:/i.test(location)) return fileURLToPath(location);
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(location)) {
    throw new MlshipError('INVALID_ARGUMENT', `the location '${location}' is not on the local file system; this operation needs a local path or file: URI`, { value: location });
  }
  return resolve(location);
}

/** PERMISSION_DENIED when `path` resolves (through a symbolic link) outside `root`. */
async function refuseEscapingLink(path: string, root: string): Promise<void> {
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
  } catch {
    return; // missing: reported as NOT_FOUND by the caller
  }
  if (real !== realRoot && !isInside(real, realRoot)) {
    throw new MlshipError('PERMISSION_DENIED', `${path} leads through a symbolic link to ${real}, outside the run's artifact root ${root}; models are not read through it`, { file: path, value: real });
  }
}

/** The package file at `path`: the file itself, or `model.mlship` inside a folder; NOT_FOUND naming it otherwise. */
async function packageFile(path: string, uri: string, missing?: string): Promise<string> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch {
    throw new MlshipError('NOT_FOUND', `cannot resolve the model URI '${uri}': ${missing ?? 'there is no file or folder'} at ${path}`, { file: path, value: uri });
  }
  if (st.isFile()) return path;
  if (st.isDirectory()) {
    const inner = join(path, MODEL_FILE);
    try {
      if ((await stat(inner)).isFile()) return inner;
    } catch {
      // fall through
    }
    throw new MlshipError('NOT_FOUND', `cannot resolve the model URI '${uri}': the folder ${path} holds no ${MODEL_FILE} (save one with saveModel, or point at the .mlship file)`, { file: inner, value: uri });
  }
  throw new MlshipError('INVALID_ARGUMENT', `cannot resolve the model URI '${uri}': ${path} is not a file or folder. Accepted forms: ${MODEL_URI_FORMS}`, { file: path, value: uri });
}
