import { createHash } from 'node:crypto';
import { open, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { MlshipError, type Label } from '../../core/index.js';
import { DEFAULT_NULL_VALUES } from '../../data/index.js';
import { decodeModelMetadata, type ModelMetadata } from '../../model/index.js';
import { outputHeader, type BatchModelKind, type BatchOutputFormat, type ChunkSettings } from './chunk.js';
import { CHECKPOINT_VERSION, readCheckpoint, removeCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';
import { inlineRunner, workerRunner, type ChunkRunner } from './pool.js';
import type { ChunkResult } from './chunk.js';
import { BufferPool, csvHeader, csvSource, inputFormatOf, inputIdentity, lineSource, parquetInfo, parquetSource, type ChunkSource, type StartPosition } from './sources.js';

/**
 * Progress of a batch prediction, reported after each chunk is written (and once at the start).
 *
 * @example
 * ```ts
 * const show = (p: BatchProgress) => process.stderr.write(`\r${p.rowsRead} rows, ${p.rowsPerSecond.toFixed(0)} rows/s`);
 * ```
 */
export interface BatchProgress {
  /** Rows read and done so far (with the rows of an earlier, resumed run). */
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** Chunks written so far (with those of the resumed run). */
  chunksDone: number;
  /** Input bytes read so far, and the input's size. */
  bytesRead: number;
  totalBytes: number;
  /** Seconds since this run started. */
  elapsedSeconds: number;
  /** Rows per second in this run. */
  rowsPerSecond: number;
  /** Estimated seconds left, from the bytes still to read; undefined until it can be estimated. */
  etaSeconds: number | undefined;
}

/**
 * Options of {@link predictFile}.
 *
 * @example
 * ```ts
 * const opts: PredictFileOptions = { model: 'models:/spam@champion', input: 'emails.jsonl', output: 'scored.csv', chunkSize: 5000 };
 * ```
 */
export interface PredictFileOptions {
  /** A model package (`.mlship`) or a model URI (`models:/name@alias`, `models:/name/3`, `runs:/<id>/model`). */
  model: string;
  /** The rows: `.jsonl`/`.ndjson`, `.csv`, `.parquet`, or `.txt` (one document per line, text models). */
  input: string;
  /** Where the predictions go: `.csv` or `.jsonl` (by extension). */
  output: string;
  /** The store that resolves model URIs. @default process.env.MLSHIP_TRACKING_URI ?? 'sqlite:mlship/mlship.db' */
  trackingUri?: string;
  /** Rows per chunk (the unit of work, of output writes and of checkpoints). @default 10000 */
  chunkSize?: number;
  /** Worker threads; 0 predicts on the calling thread. @default os.availableParallelism() */
  workers?: number;
  /** The rejects file (JSON lines: line, row, reason, raw). @default `<output>.rejects.jsonl` */
  rejects?: string;
  /**
   * Continue an interrupted run from its checkpoint (`true`), or start over and discard it
   * (`false`). Left undefined, an existing checkpoint is an error that asks to choose.
   * @default undefined
   */
  resume?: boolean;
  /** The field (JSONL, Parquet) or column (CSV) holding the document of a text model. @default the signature's input, usually 'text' */
  textColumn?: string;
  /** The id field/column copied to the output; when the input has none, rows are numbered instead. @default 'id' */
  idColumn?: string;
  /** Called after each chunk is written. @default undefined */
  onProgress?: (progress: BatchProgress) => void;
}

/**
 * What {@link predictFile} did.
 *
 * @example
 * ```ts
 * const r: PredictFileResult = await predictFile({ model: 'spam.mlship', input: 'in.jsonl', output: 'out.jsonl' });
 * console.log(`${r.rowsWritten} written, ${r.rowsRejected} rejected, ${r.rowsPerSecond.toFixed(0)} rows/s`);
 * ```
 */
export interface PredictFileResult {
  output: string;
  /** The rejects file, or null when no row was rejected. */
  rejects: string | null;
  /** Totals over the whole input (including rows done before a resume). */
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  chunks: number;
  /** Rows that an earlier, interrupted run had already done (0 without --resume). */
  resumedFromRow: number;
  /** Wall time of this run, and its rows per second. */
  seconds: number;
  rowsPerSecond: number;
  workers: number;
  modelKind: BatchModelKind;
}

/**
 * Predicts a whole file with a model package, streaming: the input is cut into chunks of rows,
 * the chunks are predicted on a pool of worker threads (each decodes the model once), and their
 * outputs are appended to `output` in input order, one write per chunk. Memory is bounded by the
 * chunks in flight (twice the workers), not by the file.
 *
 * Each output row starts with the input's id column (`idColumn`, `id` by default) when it has
 * one, else the 1-based row number (`row`), followed by the label and one probability per class
 * (classifiers) or `prediction` (regressors). CSV: `row,label,proba_ham,proba_spam`; JSONL:
 * `{"row":1,"label":"spam","probabilities":{"ham":0.01,"spam":0.99}}`.
 *
 * Bad rows (missing text, a value of the wrong type or outside the signature, an unparsable
 * line, a wrong field count) go to the rejects file with their line, row, raw content and reason;
 * the other rows complete. After each chunk a checkpoint (`<output>.checkpoint.json`) is written;
 * `resume: true` continues an interrupted run where it stopped (the output is truncated to the
 * checkpointed length, the done rows are skipped), unless the input or the model changed.
 *
 * @example
 * ```ts
 * import { predictFile } from 'mlship/serve';
 * const r = await predictFile({
 *   model: 'mlship/models/tfidf-nb.mlship',
 *   input: 'emails.jsonl',
 *   output: 'scored.csv',
 *   onProgress: (p) => process.stderr.write(`\r${p.rowsRead} rows`),
 * });
 * console.log(r.rowsWritten, r.rowsRejected, r.rejects);
 * ```
 */
export async function predictFile(options: PredictFileOptions): Promise<PredictFileResult> {
  const started = performance.now();
  const input = resolve(options.input);
  const output = resolve(options.output);
  const rejectsPath = resolve(options.rejects ?? `${options.output}.rejects.jsonl`);
  const checkpointPath = `${output}.checkpoint.json`;
  const chunkSize = options.chunkSize ?? 10_000;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new MlshipError('INVALID_ARGUMENT', `chunkSize must be a positive integer, got ${chunkSize}`, { field: 'chunkSize', value: chunkSize });
  const workers = options.workers ?? availableParallelism();
  if (!Number.isSafeInteger(workers) || workers < 0) throw new MlshipError('INVALID_ARGUMENT', `workers must be a non-negative integer (0 runs on the calling thread), got ${workers}`, { field: 'workers', value: workers });

  // ---- the files
  const inFormat = inputFormatOf(input);
  if (!inFormat) throw new MlshipError('INVALID_ARGUMENT', `--input ${options.input}: unsupported file type; use .jsonl, .csv, .parquet or .txt`, { file: input, field: 'input' });
  const outFormat = outputFormatOf(output);
  if (!outFormat) throw new MlshipError('INVALID_ARGUMENT', `--output ${options.output}: unsupported file type; use .csv or .jsonl`, { file: output, field: 'output' });
  if (output === input) throw new MlshipError('INVALID_ARGUMENT', `--output ${options.output} is the input file; write the predictions to another file`, { file: output, field: 'output' });
  let identity: { size: number; mtimeMs: number };
  try {
    if (!(await stat(input)).isFile()) throw new MlshipError('INVALID_ARGUMENT', `--input ${options.input} is not a file`, { file: input });
    identity = await inputIdentity(input);
  } catch (err) {
    if (err instanceof MlshipError) throw err;
    throw new MlshipError('NOT_FOUND', `input file ${input} does not exist; check the path given to --input`, { file: input, field: 'input' }, { cause: err });
  }

  // ---- the model
  const modelPath = await modelFile(options.model, options.trackingUri);
  const modelBytes = await readFile(modelPath).catch((err: unknown) => {
    throw new MlshipError('NOT_FOUND', `cannot read the model package ${modelPath}: ${(err as Error).message}`, { file: modelPath }, { cause: err });
  });
  const digest = createHash('sha256').update(modelBytes).digest('hex');
  const metadata = decodeModelMetadata(modelBytes, modelPath);
  const kind = modelKind(metadata, options.model);
  if (inFormat === 'txt' && kind !== 'text') {
    throw new MlshipError('INVALID_ARGUMENT', `--input ${options.input}: a .txt file holds documents, but ${options.model} is a tabular model; give rows as .csv, .jsonl or .parquet`, { file: input });
  }
  const textField = options.textColumn ?? metadata.signature?.inputs[0]?.name ?? 'text';
  const idWanted = options.idColumn ?? 'id';

  // ---- the columns the input has
  let header: string[] | null = null;
  let idColumn: string | null = null;
  let parquetColumns: string[] | null = null;
  if (inFormat === 'csv') {
    header = await csvHeader(input);
    if (new Set(header).size !== header.length) throw new MlshipError('INVALID_DATA', `${input}: the CSV header repeats a column name (${header.join(', ')})`, { file: input });
    idColumn = header.includes(idWanted) ? idWanted : null;
    checkColumns(header, kind, textField, metadata, input, '--text-column');
  } else if (inFormat === 'parquet') {
    parquetColumns = (await parquetInfo(input)).columns;
    idColumn = parquetColumns.includes(idWanted) ? idWanted : null;
    checkColumns(parquetColumns, kind, textField, metadata, input, '--text-column');
  } else if (inFormat === 'jsonl') {
    idColumn = options.idColumn ?? ((await firstJsonHasKey(input, idWanted)) ? idWanted : null);
  }

  // ---- resume or start over
  // --restart ignores the checkpoint, even an unreadable one.
  const cp = options.resume === false ? undefined : await readCheckpoint(checkpointPath);
  if (cp && options.resume === undefined) {
    throw new MlshipError('ALREADY_EXISTS', `${checkpointPath} holds an interrupted run (${cp.rowsDone} rows done); pass --resume to continue it or --restart to start over`, { file: checkpointPath, hint: 'mlship predict ... --resume' });
  }
  if (options.resume === true && !cp) {
    throw new MlshipError('NOT_FOUND', `no checkpoint ${checkpointPath} to resume from: the run finished, or never started; run again without --resume`, { file: checkpointPath });
  }
  if (cp) {
    if (cp.input.path !== input || cp.input.size !== identity.size || cp.input.mtimeMs !== identity.mtimeMs) {
      throw new MlshipError('CONFLICT', `cannot resume: the input changed since the checkpoint (${cp.input.path}, ${cp.input.size} bytes, modified ${new Date(cp.input.mtimeMs).toISOString()}; now ${input}, ${identity.size} bytes, modified ${new Date(identity.mtimeMs).toISOString()}); start over with --restart`, { file: input, field: 'input' });
    }
    if (cp.model.digest !== digest) {
      throw new MlshipError('CONFLICT', `cannot resume: the model changed since the checkpoint (sha256 ${cp.model.digest.slice(0, 12)} for ${cp.model.source}, now ${digest.slice(0, 12)} for ${options.model}); start over with --restart`, { field: 'model', value: options.model });
    }
    if (cp.idColumn !== idColumn || cp.rejects !== rejectsPath) {
      throw new MlshipError('CONFLICT', `cannot resume: the run's options changed (id column ${cp.idColumn ?? 'none'} then, ${idColumn ?? 'none'} now; rejects ${cp.rejects} then, ${rejectsPath} now); start over with --restart`, { file: checkpointPath });
    }
  }

  const settings: ChunkSettings = { kind, input: inFormat, output: outFormat, textField, idColumn, header, nullValues: [...DEFAULT_NULL_VALUES], modelSource: options.model };
  const classes = (metadata.classes ?? []) as Label[];
  const state: Checkpoint = cp ?? {
    version: CHECKPOINT_VERSION,
    input: { path: input, ...identity },
    model: { source: options.model, digest },
    output,
    rejects: rejectsPath,
    idColumn,
    chunksDone: 0,
    rowsDone: 0,
    written: 0,
    rejected: 0,
    offset: 0,
    line: 1,
    outputBytes: 0,
    rejectsBytes: 0,
    updatedAt: new Date().toISOString(),
  };
  const resumedFromRow = cp ? cp.rowsDone : 0;

  // ---- open the outputs (truncated to the checkpoint, or new)
  const out = await openOutput(output, cp ? cp.outputBytes : null);
  let rej: FileHandle | null = null;
  const closeFiles = async (): Promise<void> => {
    await out.close();
    await rej?.close();
  };
  let runner: ChunkRunner | undefined;
  try {
    if (cp) {
      if (cp.rejectsBytes > 0) rej = await openOutput(rejectsPath, cp.rejectsBytes);
      else await rm(rejectsPath, { force: true });
    } else {
      await rm(rejectsPath, { force: true });
      const head = outputHeader(settings, classes);
      if (head !== '') {
        const bytes = Buffer.from(head);
        await writeAll(out, bytes, 0, output);
        state.outputBytes = bytes.length;
      }
      await writeCheckpoint(checkpointPath, state);
    }

    const start: StartPosition = { rowsDone: state.rowsDone, offset: state.offset, line: state.line };
    const buffers = new BufferPool();
    const source: ChunkSource =
      inFormat === 'csv' ? csvSource(input, identity.size, chunkSize, start)
      : inFormat === 'parquet' ? await parquetSource(input, identity.size, chunkSize, start, [...new Set([...(kind === 'text' ? [textField] : (metadata.signature?.inputs ?? []).map((f) => f.name)), ...(idColumn ? [idColumn] : [])])])
      : lineSource(input, identity.size, chunkSize, start, undefined, buffers);

    runner = workers === 0 ? inlineRunner(modelBytes, settings) : await workerRunner(modelBytes, settings, workers, outputHeader(settings, classes));
    const runStartRows = state.rowsDone;
    const runStartBytes = start.offset;
    const progress = (): void => {
      if (!options.onProgress) return;
      const elapsed = (performance.now() - started) / 1000;
      const rowsPerSecond = elapsed > 0 ? (state.rowsDone - runStartRows) / elapsed : 0;
      const bytes = source.bytesRead();
      const doneBytes = bytes - runStartBytes;
      const eta = doneBytes > 0 && identity.size > 0 ? ((identity.size - bytes) * elapsed) / doneBytes : undefined;
      options.onProgress({
        rowsRead: state.rowsDone,
        rowsWritten: state.written,
        rowsRejected: state.rejected,
        chunksDone: state.chunksDone,
        bytesRead: bytes,
        totalBytes: identity.size,
        elapsedSeconds: elapsed,
        rowsPerSecond,
        etaSeconds: eta,
      });
    };
    progress();

    // Reading and dispatching run ahead of writing: each chunk's write is chained after the
    // previous one (input order), so a slow write or fsync never leaves a worker without work.
    // At most `maxInFlight` chunks are read but not yet written: that bounds the memory.
    const maxInFlight = 2 * Math.max(1, workers) + 2;
    let inFlight = 0;
    const failure: { error?: unknown; failed: boolean } = { failed: false };
    let wake: (() => void) | null = null;
    const write = async (end: StartPosition, result: Promise<ChunkResult>): Promise<void> => {
      const r = await result;
      buffers.give(r.returned);
      if (r.output.length > 0) {
        await writeAll(out, r.output, state.outputBytes, output);
        state.outputBytes += r.output.length;
      }
      if (r.rejects.length > 0) {
        rej ??= await openOutput(rejectsPath, null);
        await writeAll(rej, r.rejects, state.rejectsBytes, rejectsPath);
        state.rejectsBytes += r.rejects.length;
      }
      await out.datasync();
      await rej?.datasync();
      state.chunksDone++;
      state.rowsDone = end.rowsDone;
      state.written += r.written;
      state.rejected += r.rejected;
      state.offset = end.offset;
      state.line = end.line;
      state.updatedAt = new Date().toISOString();
      await writeCheckpoint(checkpointPath, state);
      progress();
    };
    let writing: Promise<void> = Promise.resolve();
    try {
      for await (const sc of source.chunks()) {
        if (failure.failed) break;
        const result = runner.run(sc.input);
        result.catch(() => {}); // surfaced by its write, in turn
        inFlight++;
        writing = writing
          .then(() => (failure.failed ? undefined : write(sc.end, result)))
          .catch((error: unknown) => {
            if (!failure.failed) Object.assign(failure, { failed: true, error });
          })
          .finally(() => {
            inFlight--;
            wake?.();
          });
        while (inFlight >= maxInFlight && !failure.failed) await new Promise<void>((r) => (wake = r));
        wake = null;
      }
      await writing;
      if (failure.failed) throw failure.error;
    } finally {
      // Chunks already predicted are written (and checkpointed) even when reading failed.
      await writing;
      await runner.close();
    }
  } catch (err) {
    await closeFiles().catch(() => {});
    throw err;
  }
  await closeFiles();
  await removeCheckpoint(checkpointPath);
  const seconds = (performance.now() - started) / 1000;
  return {
    output,
    rejects: state.rejected > 0 ? rejectsPath : null,
    rowsRead: state.rowsDone,
    rowsWritten: state.written,
    rowsRejected: state.rejected,
    chunks: state.chunksDone,
    resumedFromRow,
    seconds,
    rowsPerSecond: seconds > 0 ? (state.rowsDone - resumedFromRow) / seconds : 0,
    workers,
    modelKind: kind,
  };
}

/** The format of an output file, from its extension. */
function outputFormatOf(path: string): BatchOutputFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  return ext === 'csv' ? 'csv' : ext === 'jsonl' || ext === 'ndjson' ? 'jsonl' : undefined;
}

/** The local `.mlship` file of a model argument (a URI resolved through the registry). */
async function modelFile(ref: string, trackingUri: string | undefined): Promise<string> {
  if (!/^(models|runs):\//i.test(ref)) return resolve(ref);
  // Loaded on demand: the stores are only needed to resolve a URI.
  const { MlshipClient } = await import('../../tracking/index.js');
  const client = await MlshipClient.open({ trackingUri });
  try {
    return (await client.resolveModelUri(ref)).path;
  } finally {
    await client.close();
  }
}

/** How the model is called: a classifier of one string input is a text model; others take table rows. */
function modelKind(metadata: ModelMetadata, source: string): BatchModelKind {
  const sig = metadata.signature;
  if (metadata.classes && metadata.classes.length > 0) {
    const only = sig?.inputs.length === 1 ? sig.inputs[0]! : undefined;
    if (!sig || (only && only.type === 'string' && !only.values && !only.description?.includes('ISO-8601'))) return 'text';
    return 'tabular-classifier';
  }
  if (!sig) throw new MlshipError('INVALID_ARGUMENT', `${source} has no input signature, so its rows cannot be checked; save it with a signature (saveModel(..., { signature }))`, { file: source });
  if (!sig.outputs.some((f) => f.name === 'prediction')) {
    throw new MlshipError('INVALID_ARGUMENT', `${source} holds a ${metadata.estimator}, not a classifier or regressor; batch prediction needs a model package of one`, { file: source });
  }
  return 'regressor';
}

/** The input must have the text column (text model) or every required signature column (tabular). */
function checkColumns(columns: string[], kind: BatchModelKind, textField: string, metadata: ModelMetadata, file: string, flag: string): void {
  if (kind === 'text') {
    if (!columns.includes(textField)) throw new MlshipError('INVALID_DATA', `${file} has no column '${textField}' (columns: ${columns.join(', ')}); name the text column with ${flag}`, { file, field: textField });
    return;
  }
  const missing = (metadata.signature?.inputs ?? []).filter((f) => !f.optional && !columns.includes(f.name)).map((f) => f.name);
  if (missing.length > 0) throw new MlshipError('SCHEMA_MISMATCH', `${file} lacks the model's input column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (columns: ${columns.join(', ')})`, { file, field: missing[0] });
}

/** Whether the first parseable JSON object of a JSONL file has `key` (decides the id column). */
async function firstJsonHasKey(path: string, key: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    for (const line of buf.subarray(0, bytesRead).toString('utf8').split('\n').slice(0, 100)) {
      if (line.trim() === '') continue;
      try {
        const v = JSON.parse(line) as unknown;
        return typeof v === 'object' && v !== null && !Array.isArray(v) && key in v;
      } catch {
        continue;
      }
    }
    return false;
  } finally {
    await fh.close();
  }
}

/** Writes all of `bytes` at `position` (a write may be partial). */
async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    let n: number;
    try {
      n = (await fh.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
    } catch (err) {
      throw new MlshipError('IO_ERROR', `cannot write to ${path}: ${(err as Error).message}; the run can continue with --resume once this is fixed`, { file: path }, { cause: err });
    }
    if (n === 0) throw new MlshipError('IO_ERROR', `writing to ${path} made no progress at byte ${position + done} (is the disk full?); the run can continue with --resume`, { file: path });
    done += n;
  }
}

/** Opens an output file: truncated to `length` (resume), or created empty (`null`). */
async function openOutput(path: string, length: number | null): Promise<FileHandle> {
  try {
    if (length === null) return await open(path, 'w');
    const fh = await open(path, 'r+');
    const size = (await fh.stat()).size;
    if (size < length) {
      await fh.close();
      throw new MlshipError('CONFLICT', `cannot resume: ${path} is ${size} bytes, shorter than the ${length} bytes the checkpoint recorded (was it edited?); start over with --restart`, { file: path });
    }
    await fh.truncate(length);
    return fh;
  } catch (err) {
    if (err instanceof MlshipError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' && length !== null) throw new MlshipError('CONFLICT', `cannot resume: ${path} is missing; start over with --restart`, { file: path }, { cause: err });
    throw new MlshipError('IO_ERROR', `cannot open ${path} for writing: ${(err as Error).message}`, { file: path }, { cause: err });
  }
}
