import { subscribeFit, type FitEvent } from '../core/index.js';
import { isEstimator, type BaseEstimator } from '../learn/index.js';
import { encodeModel } from '../model/index.js';
import { activeRun, type ActiveRun, type MlshipClient } from '../tracking/index.js';
import { isSearch, paramsRecord, searchSummary, signatureOf, trainingData, trainingMetrics, type SearchSummary, type TrainingData } from './describe.js';
import { withClient, writeModel } from './log-model.js';

/**
 * Options of {@link autolog}.
 *
 * @example
 * ```ts
 * import { autolog, type AutologOptions } from 'mlship/autolog';
 * const options: AutologOptions = { logModels: false, maxCvChildRuns: 3 };
 * autolog(options);
 * ```
 */
export interface AutologOptions {
  /**
   * The client whose active run receives the logging (and that creates the search's child runs).
   * @default the active run of any client (`activeRun()` from mlship/tracking)
   */
  client?: MlshipClient;
  /** Log the fitted estimator as the run's model package (`model/model.mlship`). @default true */
  logModels?: boolean;
  /**
   * Record the training data (a Table, or documents with their labels) as a dataset input of the
   * run, with its content fingerprint as digest, `source: 'memory'` and `context: 'training'`.
   * (Files read through mlship/data are recorded by the client itself.)
   * @default true
   */
  logDatasets?: boolean;
  /** How many of a search's best candidates become child runs. @default 5 */
  maxCvChildRuns?: number;
  /** Turn autologging off (as calling the returned function does). @default false */
  disable?: boolean;
}

interface Settings {
  client: MlshipClient | undefined;
  logModels: boolean;
  logDatasets: boolean;
  maxCvChildRuns: number;
}

let settings: Settings | undefined;
let unsubscribe: (() => void) | undefined;
let reported = new Set<string>();

/**
 * Turns on autologging: while a run is active, every outermost estimator fit (a pipeline, a grid
 * search, a single estimator; not the steps or cross-validation clones inside them) logs to it
 * without extra code:
 * - params, flattened with nested names (`tfidf.minDf`, `clf.alpha`);
 * - training metrics on the training data: classifiers `training_accuracy`, `training_f1`
 *   (binary when the classes are two and include 1, else macro) and `training_log_loss` (with
 *   predictProba); regressors `training_r2`, `training_rmse`, `training_mae`;
 * - tags `estimator_name` (registered name), `estimator_class` (class name), `mlship.autolog`;
 * - for GridSearchCV / RandomizedSearchCV: `best_<param>` params, the `best_cv_score` metric,
 *   `cv_results.json` and the best `maxCvChildRuns` candidates as child runs with their params
 *   and mean/std test scores;
 * - the fitted model package at `model/model.mlship` (with a signature from the training data),
 *   so `runs:/<run-id>/model` resolves to it;
 * - the training data as a dataset input (see {@link AutologOptions.logDatasets}).
 *
 * Params, metrics and the model are captured when the fit ends and written in the background:
 * `run.flush()` or `run.end()` waits for them. Fits without an active run log nothing and cost a
 * single check. Logging errors never break a fit: each distinct one is reported once on stderr
 * (`mlship autolog: ...`). Calling `autolog()` again replaces the options; it is idempotent.
 * Params are immutable in a run: a second fit in the same run with other values for the same
 * param keeps the first values (the conflict is reported); start a run per fit to compare them.
 * Returns the function that turns autologging off.
 *
 * @example
 * ```ts
 * import { autolog } from 'mlship/autolog';
 * import { MlshipClient } from 'mlship/tracking';
 * import { LinearRegression } from 'mlship/learn';
 * const client = await MlshipClient.open({ trackingUri: 'sqlite:///tmp/mlship-demo/mlship.db' });
 * const disable = autolog({ client });
 * await client.withRun({ experimentName: 'demo' }, () => {
 *   new LinearRegression().fit([[1], [2], [3]], [2, 4, 6]); // params, metrics and model logged
 * });
 * disable();
 * await client.close();
 * ```
 */
export function autolog(options: AutologOptions = {}): () => void {
  if (options.disable) {
    disableAutolog();
    return disableAutolog;
  }
  const max = options.maxCvChildRuns ?? 5;
  settings = {
    client: options.client,
    logModels: options.logModels ?? true,
    logDatasets: options.logDatasets ?? true,
    maxCvChildRuns: Number.isFinite(max) && max > 0 ? Math.floor(max) : 0,
  };
  reported = new Set();
  unsubscribe ??= subscribeFit(onFit);
  return disableAutolog;
}

function disableAutolog(): void {
  unsubscribe?.();
  unsubscribe = undefined;
  settings = undefined;
}

/** Reports a logging error on stderr, once per distinct message. */
function report(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  if (reported.has(message)) return;
  reported.add(message);
  process.stderr.write(`mlship autolog: ${message}\n`);
}

/** Everything logged for one fit, captured synchronously when it ends. */
interface FitRecord {
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  data: TrainingData | null;
  search: SearchSummary | null;
  model: Uint8Array | null;
}

function onFit(event: FitEvent): void {
  const s = settings;
  if (!s || event.error !== undefined || !isEstimator(event.estimator)) return;
  const run = s.client ? s.client.activeRun() : activeRun();
  if (!run) return;
  let record: FitRecord;
  try {
    record = capture(event.estimator, event.X, event.y, s);
  } catch (err) {
    report(err);
    return;
  }
  run.track(write(run, record, s).catch(report));
}

function capture(est: BaseEstimator<any>, X: unknown, y: unknown, s: Settings): FitRecord {
  const { metrics, errors } = trainingMetrics(est, X, y);
  for (const err of errors) report(err);
  const search = isSearch(est) ? searchSummary(est, s.maxCvChildRuns) : null;
  if (search && search.bestScore !== null && Number.isFinite(search.bestScore)) metrics['best_cv_score'] = search.bestScore;
  let data: TrainingData | null = null;
  try {
    data = trainingData(X, y);
  } catch (err) {
    report(err);
  }
  let model: Uint8Array | null = null;
  if (s.logModels) {
    try {
      const finite = Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));
      model = encodeModel(est, { signature: signatureOf(est, X), dataFingerprint: data?.digest ?? null, metrics: finite });
    } catch (err) {
      report(err);
    }
  }
  return {
    params: { ...paramsRecord(est.getParams(true)), ...(search?.bestParams ?? {}) },
    metrics,
    tags: { estimator_name: est.estimatorName, estimator_class: est.constructor.name, 'mlship.autolog': 'learn' },
    data,
    search,
    model,
  };
}

async function write(run: ActiveRun, r: FitRecord, s: Settings): Promise<void> {
  // Each part is independent: one failing (say, params already logged with other values by an
  // earlier fit in this run) must not lose the others.
  const parts: Promise<unknown>[] = [
    run.logParams(r.params),
    run.setTags(r.tags),
    Object.keys(r.metrics).length > 0 ? run.logMetrics(r.metrics) : Promise.resolve(),
  ];
  if (s.logDatasets && r.data) {
    parts.push(run.logInputs([{ name: 'training_data', digest: r.data.digest, source: 'memory', schema: r.data.schema, rowCount: r.data.rows, context: 'training' }]));
  }
  if (r.model) parts.push(writeModel(run, r.model));
  if (r.search) {
    parts.push(run.logJson(r.search.cvResults, 'cv_results.json'));
    if (r.search.top.length > 0) parts.push(withClient(run, s.client, (client) => childRuns(client, run, r.search!)));
  }
  for (const result of await Promise.allSettled(parts)) if (result.status === 'rejected') report(result.reason);
}

/** One child run per top candidate, under `run`, without touching the active-run stack. */
async function childRuns(client: MlshipClient, run: ActiveRun, search: SearchSummary): Promise<void> {
  for (const c of search.top) {
    await client.withRun(
      {
        experimentId: run.experimentId,
        parentRunId: run.runId,
        runName: `candidate-${c.index}`,
        tags: { 'mlship.autolog': 'learn', cv_candidate_index: String(c.index), cv_rank: String(c.rank) },
        logCodeVersion: false,
        captureDatasets: false,
      },
      async (child) => {
        await child.logParams(c.params);
        await child.logMetrics(c.metrics);
      },
    );
  }
}
