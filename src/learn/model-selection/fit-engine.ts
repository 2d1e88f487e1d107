import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { CategoryColumn, CsrMatrix, Matrix, MlshipError, NumericColumn, StringColumn, Table, isMlshipError, resolveJobs, siblingModule, startModuleWorker, takeRows, type Column, type ErrorCode, type Label, type NumericKind } from '../../core/index.js';
import { BaseEstimator, asNestedFit, isEstimator, type EstimatorSnapshot } from '../base.js';
import { getScorer, type Scorer } from '../metrics/index.js';
import type { Fold } from './split.js';

/** Progress of a cross-validation or search run. */
export interface Progress {
  /** Fits completed so far. */
  done: number;
  /** Fits in the whole run. */
  total: number;
}

/** The outcome of fitting one candidate on one fold. */
export interface FitResult {
  testScores: Record<string, number>;
  trainScores: Record<string, number> | null;
  /** Seconds spent in fit. */
  fitTime: number;
  /** Seconds spent scoring. */
  scoreTime: number;
  /** The fit's error message when it failed and `errorScore` was used instead. */
  fitError: string | null;
  /** The fitted estimator when asked for. */
  estimator: BaseEstimator<any> | null;
}

/** Options of {@link runFits}. */
export interface RunFitsOptions {
  scorers: Record<string, string | Scorer>;
  returnTrainScore?: boolean;
  returnEstimator?: boolean;
  nJobs?: number | null;
  errorScore?: 'raise' | number;
  onProgress?: (p: Progress) => void;
  verbose?: number;
}

// ---------------------------------------------------------------- transfer encoding

const EST = '$estimator';
const MAT = '$matrix';

/** Copies param values, cloning estimators, so that a candidate's estimator object is never fitted in place (scikit-learn's `clone(parameters, safe=False)`). */
export function cloneParamValues(params: Record<string, unknown>): Record<string, unknown> {
  const copy = (v: unknown): unknown => (isEstimator(v) ? v.clone() : Array.isArray(v) ? v.map(copy) : v);
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, copy(v)]));
}

/** Encodes a param value for another thread or a snapshot: estimators become snapshots. */
export function encodeValue(v: unknown): unknown {
  if (isEstimator(v)) return { [EST]: v.toSnapshot() };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = encodeValue(x);
    return out;
  }
  if (typeof v === 'function') {
    throw new MlshipError('INVALID_ARGUMENT', 'a parameter value is a function and cannot be sent to a worker thread or saved; register it and pass its name', { value: String(v) });
  }
  return v;
}

/** Inverse of {@link encodeValue}. */
export function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const o = v as Record<string, unknown>;
    if (EST in o) return BaseEstimator.fromSnapshot(o[EST] as EstimatorSnapshot);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = decodeValue(x);
    return out;
  }
  return v;
}

const TABLE = '$table';

type EncodedColumn = { name: string; kind: string; values?: Float64Array | readonly string[]; codes?: Int32Array; categories?: readonly string[]; nulls?: Uint8Array };

/** Encodes X for postMessage (Matrix, CsrMatrix and Table lose their class in a structured clone). */
export function encodeRows(x: unknown): unknown {
  if (x instanceof Table) {
    return {
      [TABLE]: x.numRows,
      columns: x.columns.map((c): EncodedColumn => (c instanceof CategoryColumn ? { name: c.name, kind: c.kind, codes: c.codes, categories: c.categories } : { name: c.name, kind: c.kind, values: c.values, nulls: c.nulls })),
    };
  }
  if (x instanceof Matrix) return { [MAT]: 'dense', rows: x.rows, cols: x.cols, data: x.data };
  if (x instanceof CsrMatrix) return { [MAT]: 'csr', rows: x.rows, cols: x.cols, data: x.data, indices: x.indices, indptr: x.indptr };
  return x;
}

/** Inverse of {@link encodeRows}. */
export function decodeRows(x: unknown): unknown {
  if (x && typeof x === 'object' && TABLE in (x as object)) {
    const t = x as { [TABLE]: number; columns: EncodedColumn[] };
    const cols = t.columns.map((c): Column => {
      if (c.kind === 'category') return new CategoryColumn(c.name, c.codes!, c.categories!);
      if (c.kind === 'string') return new StringColumn(c.name, c.values as string[], c.nulls);
      return new NumericColumn(c.name, c.values as Float64Array, c.kind as NumericKind, c.nulls);
    });
    return new Table(cols, t[TABLE]);
  }
  if (x && typeof x === 'object' && MAT in (x as object)) {
    const m = x as { [MAT]: string; rows: number; cols: number; data: Float64Array; indices: Int32Array; indptr: Int32Array };
    return m[MAT] === 'dense' ? new Matrix(m.rows, m.cols, m.data) : new CsrMatrix(m.rows, m.cols, m.data, m.indices, m.indptr);
  }
  return x;
}

// ---------------------------------------------------------------- one fit

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/**
 * Fits a fresh clone of `base` with `params` on the train rows and scores it on the test rows
 * (scikit-learn's `_fit_and_score`). Used on the main thread and in workers alike, so both give
 * identical scores.
 */
export function fitAndScore(
  base: BaseEstimator<any>,
  X: unknown,
  y: ArrayLike<Label> | undefined,
  params: Record<string, unknown>,
  fold: Fold,
  scorers: Record<string, Scorer>,
  options: { returnTrainScore: boolean; returnEstimator: boolean; errorScore: 'raise' | number },
): FitResult {
  const est = base.clone();
  est.setParams(cloneParamValues(params));
  const xTrain = takeRows(X, fold.train);
  const yTrain = y === undefined ? undefined : takeRows(y as Label[], fold.train);
  const t0 = performance.now();
  try {
    asNestedFit(() => (est as any).fit(xTrain, yTrain));
  } catch (err) {
    if (options.errorScore === 'raise') throw err;
    const fitTime = seconds(t0);
    const fill = (): Record<string, number> => Object.fromEntries(Object.keys(scorers).map((k) => [k, options.errorScore as number]));
    return {
      testScores: fill(),
      trainScores: options.returnTrainScore ? fill() : null,
      fitTime,
      scoreTime: 0,
      fitError: err instanceof Error ? err.message : String(err),
      estimator: options.returnEstimator ? est : null,
    };
  }
  const fitTime = seconds(t0);
  const t1 = performance.now();
  const xTest = takeRows(X, fold.test);
  const yTest = (y === undefined ? undefined : takeRows(y as Label[], fold.test)) as ArrayLike<Label>;
  const testScores: Record<string, number> = {};
  for (const [k, s] of Object.entries(scorers)) testScores[k] = s(est as any, xTest, yTest);
  const scoreTime = seconds(t1);
  let trainScores: Record<string, number> | null = null;
  if (options.returnTrainScore) {
    trainScores = {};
    for (const [k, s] of Object.entries(scorers)) trainScores[k] = s(est as any, xTrain, yTrain as ArrayLike<Label>);
  }
  return { testScores, trainScores, fitTime, scoreTime, fitError: null, estimator: options.returnEstimator ? est : null };
}

// ---------------------------------------------------------------- messages

/** Data a worker receives once, at start. */
export interface WorkerInit {
  port: MessagePort;
  signal: SharedArrayBuffer;
  snapshot: EstimatorSnapshot;
  X: unknown;
  y: ArrayLike<Label> | undefined;
  scorers: Record<string, string>;
  returnTrainScore: boolean;
  returnEstimator: boolean;
  errorScore: 'raise' | number;
}

/** One task: a param set and a fold. */
export interface WorkerTask {
  id: number;
  params: unknown;
  train: Int32Array;
  test: Int32Array;
}

/** What a worker answers. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; testScores: Record<string, number>; trainScores: Record<string, number> | null; fitTime: number; scoreTime: number; fitError: string | null; estimator: EstimatorSnapshot | null }
  | { type: 'error'; id: number | null; code: ErrorCode | null; message: string; stack?: string };

/** Serialises an error for the main thread. */
export function errorReply(id: number | null, err: unknown): WorkerReply {
  return {
    type: 'error',
    id,
    code: isMlshipError(err) ? err.code : null,
    message: err instanceof Error ? err.message : String(err),
    ...(err instanceof Error && err.stack ? { stack: err.stack } : {}),
  };
}

const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
const START_TIMEOUT_MS = 120 * 1000;

/**
 * Starts the fold worker (core's `startModuleWorker`): a load failure is reported on the reply port
 * and the signal word instead of leaving the waiting main thread blocked.
 */
function startFoldWorker(url: URL, init: WorkerInit): Worker {
  const onLoadError = `(e, d) => {
  d.port.postMessage({ type: 'error', id: null, code: null, message: String((e && e.message) || e), stack: e && e.stack });
  const s = new Int32Array(d.signal); Atomics.add(s, 0, 1); Atomics.notify(s, 0);
}`;
  return startModuleWorker(url, { workerData: init, transferList: [init.port] }, onLoadError);
}

// ---------------------------------------------------------------- the runner

/**
 * Runs every (candidate, fold) fit, candidate-major as scikit-learn, sequentially or on a pool of
 * worker threads (`nJobs` > 1 or -1). Each worker receives the estimator snapshot and the data once,
 * then one param set and fold per task. Synchronous: the main thread waits on an `Atomics` signal
 * and reads replies with `receiveMessageOnPort`, so `fit()` stays synchronous. Returns results
 * indexed `candidate * nFolds + fold`.
 */
export function runFits(
  base: BaseEstimator<any>,
  X: unknown,
  y: ArrayLike<Label> | undefined,
  candidates: Record<string, unknown>[],
  folds: Fold[],
  options: RunFitsOptions,
): FitResult[] {
  const total = candidates.length * folds.length;
  const errorScore = options.errorScore ?? Number.NaN;
  const flags = { returnTrainScore: options.returnTrainScore ?? false, returnEstimator: options.returnEstimator ?? false, errorScore };
  const jobs = Math.min(resolveJobs(options.nJobs), total);
  const results: FitResult[] = new Array(total);
  let done = 0;
  const report = (): void => {
    done++;
    options.onProgress?.({ done, total });
  };
  if (options.verbose && options.verbose > 0) {
    process.stderr.write(`Fitting ${folds.length} folds for each of ${candidates.length} candidates, totalling ${total} fits${jobs > 1 ? ` on ${jobs} worker threads` : ''}\n`);
  }
  if (jobs <= 1) {
    const scorers: Record<string, Scorer> = {};
    for (const [k, s] of Object.entries(options.scorers)) scorers[k] = getScorer(s);
    for (let c = 0; c < candidates.length; c++) {
      for (let f = 0; f < folds.length; f++) {
        results[c * folds.length + f] = fitAndScore(base, X, y, candidates[c]!, folds[f]!, scorers, flags);
        report();
      }
    }
    return checkAllFailed(results);
  }
  const scorerNames: Record<string, string> = {};
  for (const [k, s] of Object.entries(options.scorers)) {
    const name = typeof s === 'string' ? s : s.scorerName;
    if (!name) {
      throw new MlshipError(
        'INVALID_ARGUMENT',
        `scoring '${k}' is a scorer function without a registered name; worker threads (nJobs=${String(options.nJobs)}) need named scorers. Use registerScorer(name, scorer) in a module the workers import, or nJobs: 1`,
        { field: 'scoring' },
      );
    }
    getScorer(name);
    scorerNames[k] = name;
  }
  const snapshot = base.clone().toSnapshot();
  const encodedCandidates = candidates.map((p) => encodeValue(p));
  const encodedX = encodeRows(X);
  const signalBuf = new SharedArrayBuffer(4);
  const signal = new Int32Array(signalBuf);
  const url = siblingModule(import.meta.url, 'fold-worker');
  const pool: { worker: Worker; port: MessagePort; busy: number | null; ready: boolean }[] = [];
  const started = Date.now();
  try {
    for (let w = 0; w < jobs; w++) {
      const { port1, port2 } = new MessageChannel();
      const init: WorkerInit = { port: port2, signal: signalBuf, snapshot, X: encodedX, y, scorers: scorerNames, ...flags };
      const worker = startFoldWorker(url, init);
      worker.unref();
      pool.push({ worker, port: port1, busy: null, ready: false });
    }
    let next = 0;
    const dispatch = (slot: (typeof pool)[number]): void => {
      if (next >= total) {
        slot.busy = null;
        return;
      }
      const id = next++;
      const c = Math.floor(id / folds.length);
      const fold = folds[id % folds.length]!;
      const task: WorkerTask = { id, params: encodedCandidates[c], train: fold.train, test: fold.test };
      slot.busy = id;
      slot.worker.postMessage(task);
    };
    for (const slot of pool) dispatch(slot);
    let received = 0;
    let lastMessage = Date.now();
    while (received < total) {
      const seen = Atomics.load(signal, 0);
      let got = false;
      for (const slot of pool) {
        for (let msg = receiveMessageOnPort(slot.port); msg; msg = receiveMessageOnPort(slot.port)) {
          got = true;
          const reply = msg.message as WorkerReply;
          if (reply.type === 'ready') {
            slot.ready = true;
            continue;
          }
          if (reply.type === 'error') {
            const where = reply.id === null ? 'while starting' : `in fit ${reply.id + 1} of ${total}`;
            throw new MlshipError(reply.code ?? 'INTERNAL', reply.code ? reply.message : `worker thread failed ${where}: ${reply.message}`, { stack: reply.stack });
          }
          results[reply.id] = {
            testScores: reply.testScores,
            trainScores: reply.trainScores,
            fitTime: reply.fitTime,
            scoreTime: reply.scoreTime,
            fitError: reply.fitError,
            estimator: reply.estimator ? BaseEstimator.fromSnapshot(reply.estimator) : null,
          };
          received++;
          report();
          dispatch(slot);
        }
      }
      if (got) {
        lastMessage = Date.now();
        continue;
      }
      if (Date.now() - started > START_TIMEOUT_MS && pool.some((slot) => !slot.ready)) {
        throw new MlshipError('INTERNAL', `a worker thread did not start within ${START_TIMEOUT_MS / 1000} s; retry with nJobs: 1`);
      }
      if (Date.now() - lastMessage > IDLE_TIMEOUT_MS) {
        throw new MlshipError('INTERNAL', `worker threads sent nothing for ${IDLE_TIMEOUT_MS / 60000} minutes (${received} of ${total} fits done); a worker may have crashed. Retry with nJobs: 1 to see the error.`);
      }
      Atomics.wait(signal, 0, seen, 1000);
    }
  } finally {
    for (const slot of pool) {
      slot.port.close();
      void slot.worker.terminate();
    }
  }
  return checkAllFailed(results);
}

function checkAllFailed(results: FitResult[]): FitResult[] {
  const failed = results.filter((r) => r.fitError !== null);
  if (failed.length > 0 && failed.length === results.length) {
    throw new MlshipError('INVALID_ARGUMENT', `all the ${results.length} fits failed; the first error: ${failed[0]!.fitError}. Check the estimator and parameters, or set errorScore: 'raise' to see the stack.`);
  }
  return results;
}
