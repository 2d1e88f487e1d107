/**
 * Runs a declarative pipeline (`mlship.yaml`, see {@link loadPipeline}) as a flow: one task per
 * stage, ordered by the out → dep graph, independent stages concurrently, and a stage skipped
 * (task state `Cached`) when its command, deps, params and outs are as after its last successful
 * run, as recorded in `mlship.lock` (DVC's dvc.lock).
 *
 * `mlship.lock` (YAML, rewritten atomically after each stage that ran):
 * ```yaml
 * schema: 1
 * stages:
 *   train:
 *     cmd: node train.mjs
 *     deps: [{ path: data/train.csv, sha256: 9f2c…, size: 5120 }]
 *     params: { train.alpha: 0.1 }
 *     outs: [{ path: model.json, sha256: 1a7e…, size: 880 }, { path: metrics.json, … }]
 * ```
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { MlshipError, sha256, writeFileAtomic } from '../core/index.js';
import type { MlshipClient } from '../tracking/index.js';
import { cacheStore, computeCacheKey, writeCache } from './cache.js';
import { flow, task, type FlowRun, type TaskContext, type TaskFuture } from './engine.js';
import { LOCK_FILE, loadPipeline, paramValue, selectStages, type Pipeline, type PipelineStage } from './pipeline-file.js';

/** A file or folder's content hash in the lock file. */
interface LockedPath {
  path: string;
  sha256: string;
  size: number;
}

/** One stage in the lock file. */
interface LockedStage {
  cmd: string;
  deps: LockedPath[];
  params: Record<string, unknown>;
  outs: LockedPath[];
}

interface LockDoc {
  schema: 1;
  stages: Record<string, LockedStage>;
}

/**
 * Options of {@link runPipeline}.
 *
 * @example
 * ```ts
 * import { runPipeline } from 'mlship/flow';
 * await runPipeline('mlship.yaml', { stages: ['train'], jobs: 2, onOutput: (stage, line) => console.log(`[${stage}] ${line}`) });
 * ```
 */
export interface RunPipelineOptions {
  /** Run only these stages and what they need (their upstream). @default [] (every stage) */
  stages?: readonly string[];
  /** Rerun every selected stage, even unchanged ones. @default false */
  force?: boolean;
  /** How many stages may run at once. @default 1 */
  jobs?: number;
  /** Only report what would run (and why), running nothing and writing nothing. @default false */
  dryRun?: boolean;
  /** The client the flow run, its stage runs, their metrics and output (artifact `logs/<stage>.log`) are recorded through. @default undefined (not recorded) */
  client?: MlshipClient;
  /** The experiment of the recorded flow run. @default 'pipelines' */
  experiment?: string;
  /** Called with each line a stage's command writes. @default undefined */
  onOutput?: (stage: string, line: string, stream: 'stdout' | 'stderr') => void;
  /** Called when a stage ends (ran, skipped, failed or not run). @default undefined */
  onStageEnd?: (result: StageResult) => void;
  /** Where skip markers go (the engine's task cache). @default '<pipeline folder>/.mlship/cache' */
  cacheDir?: string;
}

/**
 * What became of one stage: `ran`; `skipped` (unchanged, task state `Cached`); `failed` (its
 * command failed); `not-run` (an upstream stage failed); `would-run` / `would-skip` in a dry run.
 *
 * @example
 * ```ts
 * import { runPipeline } from 'mlship/flow';
 * const { stages } = await runPipeline('mlship.yaml');
 * for (const s of stages) console.log(s.stage, s.status, s.reason);
 * ```
 */
export interface StageResult {
  /** The stage's name. */
  stage: string;
  /** What happened. */
  status: 'ran' | 'skipped' | 'failed' | 'not-run' | 'would-run' | 'would-skip';
  /** Why: `unchanged`, `forced`, `never run`, `cmd changed`, `dep 'x' changed`, `param 'p' changed`, `out 'o' missing`, ... */
  reason: string;
  /** The command's exit code, when it ran. */
  exitCode: number | null;
  /** Its duration in ms (0 when skipped). */
  durationMs: number;
  /** The error message of a failed or not-run stage. */
  error: string | null;
  /** The command's output (stdout and stderr, interleaved, the last 1 MB). */
  log: string;
  /** The numbers of its metrics files, flattened with dots (`{ 'test.rmse': 3.1 }`). */
  metrics: Record<string, number>;
}

/**
 * The result of {@link runPipeline}.
 *
 * @example
 * ```ts
 * import { runPipeline } from 'mlship/flow';
 * const r = await runPipeline('mlship.yaml');
 * if (!r.ok) console.error(r.stages.filter((s) => s.status === 'failed'));
 * ```
 */
export interface PipelineRunResult {
  /** Whether every selected stage ran or was skipped. */
  ok: boolean;
  /** The selected stages, in run order. */
  stages: StageResult[];
  /** The flow run (`null` in a dry run). */
  flowRun: FlowRun | null;
  /** The pipeline file. */
  file: string;
}

const LOG_LIMIT = 1 << 20;

/** The sha256 and size of a file, or of a folder (over its files' relative paths and hashes). */
async function hashPath(abs: string): Promise<{ sha256: string; size: number } | null> {
  let st;
  try {
    st = await stat(abs);
  } catch {
    return null;
  }
  if (st.isDirectory()) {
    const files: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const e of await readdir(join(abs, rel), { withFileTypes: true })) {
        const p = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) files.push(p);
      }
    };
    await walk('');
    files.sort();
    const h = createHash('sha256');
    let size = 0;
    for (const f of files) {
      const fh = (await hashPath(join(abs, f)))!;
      size += fh.size;
      h.update(`${f}\0${fh.sha256}\n`);
    }
    return { sha256: h.digest('hex'), size };
  }
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(abs)) {
    size += (chunk as Buffer).length;
    h.update(chunk as Buffer);
  }
  return { sha256: h.digest('hex'), size };
}

async function hashAll(dir: string, paths: readonly string[]): Promise<(LockedPath | { path: string; missing: true })[]> {
  return Promise.all(paths.map(async (path) => {
    const h = await hashPath(join(dir, path));
    return h ? { path, ...h } : { path, missing: true as const };
  }));
}

async function readLock(file: string): Promise<LockDoc> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { schema: 1, stages: {} };
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new MlshipError('PARSE_ERROR', `lock file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}; delete it to rerun every stage`, { file }, { cause: err });
  }
  if (doc === null || typeof doc !== 'object' || typeof (doc as LockDoc).stages !== 'object' || (doc as LockDoc).stages === null) {
    throw new MlshipError('PARSE_ERROR', `lock file ${file} has no 'stages' mapping; delete it to rerun every stage`, { file });
  }
  return doc as LockDoc;
}

function paramsOf(pipeline: Pipeline, stage: PipelineStage): Record<string, unknown> {
  return Object.fromEntries(stage.params.map((k) => [k, paramValue(pipeline.params, k)]));
}

/** Why a stage must run, or `null` when it is unchanged since its lock entry. */
async function staleReason(pipeline: Pipeline, stage: PipelineStage, locked: LockedStage | undefined): Promise<string | null> {
  if (!locked) return 'never run';
  if (locked.cmd !== stage.cmd) return 'cmd changed';
  const params = paramsOf(pipeline, stage);
  for (const [k, v] of Object.entries(params)) {
    if (JSON.stringify(locked.params?.[k]) !== JSON.stringify(v)) return `param '${k}' changed`;
  }
  if (Object.keys(locked.params ?? {}).some((k) => !(k in params))) return 'params changed';
  const sameList = (a: readonly LockedPath[] | undefined, b: readonly string[]): boolean => (a ?? []).map((x) => x.path).join('\0') === b.join('\0');
  if (!sameList(locked.deps, stage.deps)) return 'deps changed';
  const outs = [...stage.outs, ...stage.metrics];
  if (!sameList(locked.outs, outs)) return 'outs changed';
  const deps = await hashAll(pipeline.dir, stage.deps);
  for (const [i, d] of deps.entries()) {
    if ('missing' in d) return `dep '${d.path}' missing`;
    if (d.sha256 !== locked.deps[i]!.sha256) return `dep '${d.path}' changed`;
  }
  const current = await hashAll(pipeline.dir, outs);
  for (const [i, o] of current.entries()) {
    if ('missing' in o) return `out '${o.path}' missing`;
    if (o.sha256 !== locked.outs[i]!.sha256) return `out '${o.path}' changed`;
  }
  return null;
}

/** Runs `cmd` with a shell in `cwd`; resolves with the exit code (a signal counts as 128 + n). */
function runCommand(cmd: string, cwd: string, signal: AbortSignal, onLine: (line: string, stream: 'stdout' | 'stderr') => void): Promise<{ code: number; log: string }> {
  return new Promise((resolve, reject) => {
    let log = '';
    const child = spawn(cmd, { cwd, shell: true, stdio: ['ignore', 'pipe', 'pipe'], signal });
    const pipe = (stream: 'stdout' | 'stderr'): void => {
      let partial = '';
      const source = child[stream]!;
      source.setEncoding('utf8');
      source.on('data', (chunk: string) => {
        log += chunk;
        if (log.length > LOG_LIMIT) log = log.slice(log.length - LOG_LIMIT);
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const l of lines) onLine(l.replace(/\r$/, ''), stream);
      });
      source.on('end', () => {
        if (partial !== '') onLine(partial, stream);
      });
    };
    pipe('stdout');
    pipe('stderr');
    child.on('error', (err) => reject(err));
    child.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 + (signalNumber(sig) ?? 0) : 1), log }));
  });
}

function signalNumber(sig: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[sig];
}

/** The numbers in a JSON value, flattened with dots. */
function flattenNumbers(value: unknown, prefix: string, into: Record<string, number>): Record<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) into[prefix] = value;
  else if (typeof value === 'boolean') into[prefix] = value ? 1 : 0;
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flattenNumbers(v, prefix ? `${prefix}.${k}` : k, into);
  }
  return into;
}

async function readMetrics(pipeline: Pipeline, stage: PipelineStage): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of stage.metrics) {
    const file = join(pipeline.dir, m);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new MlshipError('INVALID_DATA', `stage '${stage.name}': metrics file '${m}' is not readable JSON: ${(err as Error).message}; write a JSON object of numbers there`, { stage: stage.name, file }, { cause: err });
    }
    flattenNumbers(value, stage.metrics.length > 1 ? m.replace(/\.json$/i, '') : '', out);
  }
  return out;
}

interface StageOutcome {
  exitCode: number;
  log: string;
  metrics: Record<string, number>;
  reason: string;
}

function blank(stage: string, status: StageResult['status'], reason: string): StageResult {
  return { stage, status, reason, exitCode: null, durationMs: 0, error: null, log: '', metrics: {} };
}

/**
 * Runs a pipeline file as a flow (see {@link loadPipeline} for the format). Each selected stage
 * is a task that runs its `cmd` with a shell in the pipeline's folder, after the stages whose
 * outputs it reads; up to `jobs` run at once. A stage whose cmd, deps (sha256), params values and
 * outs are as recorded in `mlship.lock` after its last successful run is skipped (task state
 * `Cached`); one that runs updates its lock entry (atomically) when it succeeds. A non-zero exit
 * fails the stage (the error names it and the exit code) and every stage after it is not run;
 * the lock keeps the entries of the stages that succeeded. Metrics files are read (JSON) and, with
 * a `client`, logged as metrics of the stage's task run, and the command's output as its artifact
 * `logs/<stage>.log`. Resolves with every stage's result (it
 * does not reject on a failed stage; check `ok`); throws for an invalid pipeline.
 *
 * @param path - the pipeline file, or its folder. @default 'mlship.yaml'
 * @param options - stages to run, force, jobs, dry run, tracking client, output callbacks.
 *
 * @example
 * ```ts
 * import { runPipeline } from 'mlship/flow';
 * const result = await runPipeline('mlship.yaml', { jobs: 2 });
 * for (const s of result.stages) console.log(`${s.stage}: ${s.status} (${s.reason})`);
 * // prepare: skipped (unchanged)
 * // train: ran (param 'train.alpha' changed)
 * ```
 */
export async function runPipeline(path = 'mlship.yaml', options: RunPipelineOptions = {}): Promise<PipelineRunResult> {
  const pipeline = loadPipeline(path);
  const names = selectStages(pipeline, options.stages ?? []);
  const jobs = options.jobs ?? 1;
  if (!(Number.isInteger(jobs) && jobs >= 1)) throw new MlshipError('INVALID_ARGUMENT', `jobs must be a whole number ≥ 1, got ${String(jobs)}`, { field: 'jobs', value: jobs });
  const lockPath = join(pipeline.dir, LOCK_FILE);
  const lock = await readLock(lockPath);
  const byName = new Map(pipeline.stages.map((s) => [s.name, s]));

  if (options.dryRun) {
    const stages: StageResult[] = [];
    const willRun = new Set<string>();
    for (const name of names) {
      const stage = byName.get(name)!;
      const up = stage.upstream.find((u) => willRun.has(u));
      const reason = options.force ? 'forced' : up ? `upstream '${up}' will run` : await staleReason(pipeline, stage, lock.stages[name]);
      if (reason) willRun.add(name);
      stages.push(blank(name, reason ? 'would-run' : 'would-skip', reason ?? 'unchanged'));
    }
    return { ok: true, stages, flowRun: null, file: pipeline.file };
  }

  const cacheDir = options.cacheDir ?? join(pipeline.dir, '.mlship', 'cache');
  let lockWrites: Promise<void> = Promise.resolve();
  const saveLock = (): Promise<void> => {
    const keep: Record<string, LockedStage> = {};
    for (const s of pipeline.stages) if (lock.stages[s.name]) keep[s.name] = lock.stages[s.name]!;
    const text = `# written by mlship run: what each stage ran with, to skip unchanged stages; do not edit\n${stringifyYaml({ schema: 1, stages: keep }, { lineWidth: 0 })}`;
    const write = lockWrites.catch(() => undefined).then(() =>
      writeFileAtomic(lockPath, text).catch((err: unknown) => {
        throw new MlshipError('IO_ERROR', `cannot write the lock file ${lockPath}: ${(err as Error).message}; check that the pipeline folder is writable`, { file: lockPath }, { cause: err });
      }),
    );
    lockWrites = write;
    return write;
  };

  const execute = async function (this: TaskContext, name: string, reason: string): Promise<StageOutcome> {
    const stage = byName.get(name)!;
    const { code, log } = await runCommand(stage.cmd, pipeline.dir, this.signal, (line, stream) => options.onOutput?.(name, line, stream));
    if (code !== 0) {
      throw new MlshipError('COMMAND_FAILED', `stage '${name}' failed: its command exited with code ${code} (${stage.cmd}); see its output above`, { stage: name, exitCode: code, log: log.slice(-2000) });
    }
    const deps = await hashAll(pipeline.dir, stage.deps);
    const outs = await hashAll(pipeline.dir, [...stage.outs, ...stage.metrics]);
    const missing = [...deps, ...outs].find((p) => 'missing' in p);
    if (missing) {
      const what = deps.includes(missing) ? 'dep' : 'out';
      throw new MlshipError('NOT_FOUND', `stage '${name}' ran but its ${what} '${missing.path}' does not exist afterwards; make the command write it or remove it from the stage's ${what}s`, { stage: name, path: missing.path });
    }
    const metrics = await readMetrics(pipeline, stage);
    lock.stages[name] = { cmd: stage.cmd, deps: deps as LockedPath[], params: paramsOf(pipeline, stage), outs: outs as LockedPath[] };
    await saveLock();
    return { exitCode: code, log, metrics, reason };
  };
  const runTasks = new Map(names.map((n) => [n, task(execute, { name: n })]));
  // an unchanged stage goes through the engine's cache, so its task run ends `Cached`: the
  // marker is written just before the call, keyed by the stage and its lock entry
  const skipKey = (name: string): string => sha256(JSON.stringify([name, lock.stages[name]]));
  const skipTasks = new Map(names.map((n) => [n, task(execute, { name: n, cacheKey: () => skipKey(n), cacheStorage: cacheDir })]));

  const results = new Map<string, StageResult>();
  const body = async (): Promise<void> => {
    const futures = new Map<string, TaskFuture<StageOutcome>>();
    const done = new Map<string, Promise<void>>();
    for (const name of names) {
      const stage = byName.get(name)!;
      done.set(
        name,
        (async () => {
          await Promise.all(stage.upstream.map((u) => done.get(u)));
          const upstream = stage.upstream.map((u) => futures.get(u)!);
          const failedUp = stage.upstream.find((u) => results.get(u)?.status !== 'ran' && results.get(u)?.status !== 'skipped');
          let future: TaskFuture<StageOutcome>;
          let skipped = false;
          const started = Date.now();
          if (failedUp) {
            future = runTasks.get(name)!.with({ waitFor: upstream })(name, '');
          } else {
            const reason = options.force ? 'forced' : await staleReason(pipeline, stage, lock.stages[name]);
            if (reason === null) {
              skipped = true;
              const key = skipKey(name);
              await writeCache(await cacheStore(cacheDir), computeCacheKey(name, '', [], key), name, { exitCode: 0, log: '', metrics: {}, reason: 'unchanged' } satisfies StageOutcome, Date.now());
              future = skipTasks.get(name)!(name, 'unchanged');
            } else {
              future = runTasks.get(name)!(name, reason);
            }
          }
          futures.set(name, future);
          let result: StageResult;
          try {
            const outcome = await future;
            result = { ...blank(name, skipped ? 'skipped' : 'ran', outcome.reason), exitCode: skipped ? null : outcome.exitCode, durationMs: skipped ? 0 : Date.now() - started, log: outcome.log, metrics: outcome.metrics };
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            result = failedUp
              ? { ...blank(name, 'not-run', `upstream '${failedUp}' failed`), error: message }
              : { ...blank(name, 'failed', 'its command failed'), error: message, durationMs: Date.now() - started, exitCode: err instanceof MlshipError && typeof err.details.exitCode === 'number' ? err.details.exitCode : null, log: err instanceof MlshipError && typeof err.details.log === 'string' ? err.details.log : '' };
          }
          results.set(name, result);
          options.onStageEnd?.(result);
        })(),
      );
    }
    await Promise.all(done.values());
    await lockWrites.catch(() => undefined); // a failed write already failed its stage
    const failed = names.map((n) => results.get(n)!).find((r) => r.status === 'failed');
    if (failed) throw new MlshipError('COMMAND_FAILED', failed.error ?? `stage '${failed.stage}' failed`, { stage: failed.stage });
  };
  const pipelineFlow = flow(body, {
    name: 'pipeline',
    experiment: options.experiment ?? 'pipelines',
    maxConcurrency: jobs,
    cacheStorage: cacheDir,
    ...(options.client ? { client: options.client } : { record: false }),
  });
  const flowRun = pipelineFlow.start();
  await flowRun.wait();
  const stages = names.map((n) => results.get(n) ?? { ...blank(n, 'not-run', 'the flow run ended first'), error: flowRun.error instanceof Error ? flowRun.error.message : null });

  if (options.client) {
    for (const tr of flowRun.taskRuns) {
      const res = results.get(tr.task);
      const runId = tr.recording?.runId;
      if (!res || !runId || (res.status !== 'ran' && res.status !== 'failed')) continue;
      try {
        const timestamp = Date.now();
        if (Object.keys(res.metrics).length > 0) await options.client.tracking.logBatch(runId, { metrics: Object.entries(res.metrics).map(([key, value]) => ({ key, value, step: 0, timestamp })) });
        if (res.log !== '') await (await options.client.artifacts(runId)).writeBytes(`logs/${res.stage}.log`, new TextEncoder().encode(res.log));
      } catch (err) {
        process.stderr.write(`mlship run: the metrics or log of stage '${res.stage}' were not recorded: ${(err as Error).message}\n`);
      }
    }
  }
  return { ok: stages.every((s) => s.status === 'ran' || s.status === 'skipped'), stages, flowRun, file: pipeline.file };
}
