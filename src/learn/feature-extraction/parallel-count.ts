/**
 * Fit-time counting of the word fast path on worker threads. The documents are split into
 * contiguous chunks of about equal text length; the main thread counts the first chunk with its own
 * engine while each worker counts one other chunk with an engine of the same options and sends back
 * its terms (in its feature id order) and its CSR counts. The main thread then interns those terms
 * into its engine and renumbers the workers' columns, so the result is what one engine counting all
 * documents would give up to feature ids (which the caller's finalisation replaces by sorted term
 * order) and the order of entries in a row (which it sorts). Synchronous: the main thread blocks on
 * an `Atomics` signal and reads replies with `receiveMessageOnPort`, as the model-selection fit
 * engine does. A worker that fails or does not answer has its chunk counted on the main thread.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { MlshipError, siblingModule, startModuleWorker } from '../../core/index.js';
import { buildPreprocessor, type AnalyzerParams } from './text-analysis.js';
import { WordEngine, type EngineCounts, type WordEngineOptions } from './word-engine.js';

/** The engine options in a form that crosses threads (the preprocessor is rebuilt from its params). */
export interface PortableEngineOptions {
  lowercase: boolean;
  stripAccents: 'ascii' | 'unicode' | null;
  minLen: number;
  minN: number;
  maxN: number;
  stopWords: string[] | null;
}

/** Data a count worker receives at start. */
export interface CountWorkerInit {
  port: MessagePort;
  signal: SharedArrayBuffer;
  docs: string[];
  options: PortableEngineOptions;
  owner: string;
}

/** What a count worker answers (once). */
export type CountWorkerReply =
  | { type: 'result'; text: string; offsets: Int32Array; data: Float64Array; indices: Int32Array; indptr: Int32Array }
  | { type: 'error'; message: string };

/** The engine options of {@link PortableEngineOptions}, with the built-in preprocessor rebuilt. */
export function engineOptionsFrom(o: PortableEngineOptions, owner: string): WordEngineOptions {
  return {
    // buildPreprocessor reads only these three parameters.
    pre: buildPreprocessor({ lowercase: o.lowercase, stripAccents: o.stripAccents, preprocessor: null } as AnalyzerParams, owner),
    minLen: o.minLen,
    minN: o.minN,
    maxN: o.maxN,
    stopWords: o.stopWords ? new Set(o.stopWords) : null,
  };
}

/** Counts one chunk with a fresh engine and exports its terms (the worker's job, also the fallback). */
export function countChunk(docs: readonly string[], options: WordEngineOptions, owner: string): Extract<CountWorkerReply, { type: 'result' }> {
  const engine = new WordEngine(options);
  const c = engine.count(docs, true, owner);
  const { text, offsets } = engine.exportTerms();
  return { type: 'result', text, offsets, data: c.data, indices: c.indices, indptr: c.indptr };
}

/** No answer from a worker for this long: count its chunk on the main thread instead. */
const WORKER_TIMEOUT_MS = 10 * 60 * 1000;

/** Starts a count worker whose load failure is reported on its port (never a silent hang). */
function startCountWorker(init: CountWorkerInit): Worker {
  const onLoadError = `(e, d) => {
  d.port.postMessage({ type: 'error', message: String((e && e.stack) || e) });
  const s = new Int32Array(d.signal); Atomics.add(s, 0, 1); Atomics.notify(s, 0);
}`;
  return startModuleWorker(siblingModule(import.meta.url, 'count-worker'), { workerData: init, transferList: [init.port] }, onLoadError);
}

/**
 * The main thread's share of the text relative to one worker's: a worker starts late (thread
 * start, cold JIT) and so finishes later than the main thread on an equal share.
 */
const MAIN_WEIGHT = 1.25;

/** Chunk boundaries: `jobs` contiguous ranges, the first (the main thread's) of weight {@link MAIN_WEIGHT}, by text length. */
function chunkBounds(docs: readonly string[], jobs: number): number[] {
  let total = 0;
  for (let i = 0; i < docs.length; i++) total += docs[i]!.length + 1;
  const unit = total / (jobs - 1 + MAIN_WEIGHT);
  const bounds = [0];
  let acc = 0;
  let next = unit * MAIN_WEIGHT;
  for (let i = 0; i < docs.length && bounds.length < jobs; i++) {
    acc += docs[i]!.length + 1;
    if (acc >= next) {
      bounds.push(i + 1);
      next += unit;
    }
  }
  while (bounds.length < jobs) bounds.push(docs.length);
  bounds.push(docs.length);
  return bounds;
}

/**
 * Counts `docs` in fit mode on `jobs` threads (the main one included) into `engine`, which must be
 * new. Returns CSR counts whose columns are `engine`'s feature ids, row entries in no set order.
 */
export function countInParallel(engine: WordEngine, docs: readonly string[], options: WordEngineOptions, portable: PortableEngineOptions, jobs: number, owner: string): EngineCounts {
  const bounds = chunkBounds(docs, jobs);
  const signalBuf = new SharedArrayBuffer(4);
  const signal = new Int32Array(signalBuf);
  const slots: { worker: Worker | null; port: MessagePort | null; reply: CountWorkerReply | null; from: number; to: number }[] = [];
  try {
    for (let w = 1; w < jobs; w++) {
      const from = bounds[w]!;
      const to = bounds[w + 1]!;
      const slot = { worker: null as Worker | null, port: null as MessagePort | null, reply: null as CountWorkerReply | null, from, to };
      slots.push(slot);
      if (from === to) continue;
      try {
        const { port1, port2 } = new MessageChannel();
        const init: CountWorkerInit = { port: port2, signal: signalBuf, docs: docs.slice(from, to), options: portable, owner };
        slot.port = port1;
        slot.worker = startCountWorker(init);
        slot.worker.unref();
        // Failures are reported on the port; an 'error' event must not crash the process.
        slot.worker.on('error', () => {});
      } catch {
        // Could not start a thread: the chunk is counted below on this one.
        slot.port?.close();
        slot.port = null;
        slot.worker = null;
      }
    }
    const first = engine.count(docs.slice(bounds[0]!, bounds[1]!), true, owner);
    // Wait for the workers' replies.
    let lastMessage = Date.now();
    for (;;) {
      const seen = Atomics.load(signal, 0);
      let pending = 0;
      for (const slot of slots) {
        if (!slot.port || slot.reply) continue;
        const msg = receiveMessageOnPort(slot.port);
        if (msg) {
          slot.reply = msg.message as CountWorkerReply;
          lastMessage = Date.now();
        } else pending++;
      }
      if (pending === 0) break;
      if (Date.now() - lastMessage > WORKER_TIMEOUT_MS) break;
      Atomics.wait(signal, 0, seen, 1000);
    }
    // Merge: the main chunk as is, then each other chunk with its columns renumbered.
    const parts: EngineCounts[] = [first];
    for (const slot of slots) {
      let r = slot.reply;
      if (!r || r.type !== 'result') {
        slot.worker?.terminate().catch(() => {});
        slot.worker = null;
        r = countChunk(docs.slice(slot.from, slot.to), options, owner);
      }
      const nLocal = r.offsets.length - 1;
      const map = new Int32Array(nLocal);
      for (let f = 0; f < nLocal; f++) map[f] = engine.internFeature(r.text.slice(r.offsets[f]!, r.offsets[f + 1]!));
      const ix = r.indices;
      for (let k = 0; k < ix.length; k++) ix[k] = map[ix[k]!]!;
      parts.push({ data: r.data, indices: ix, indptr: r.indptr });
    }
    let nnz = 0;
    for (const part of parts) nnz += part.indices.length;
    if (nnz > 0x7fffffff) {
      throw new MlshipError('INVALID_ARGUMENT', `${owner}: more than 2^31 - 1 non-zero counts; vectorize the documents in batches`);
    }
    const data = new Float64Array(nnz);
    const indices = new Int32Array(nnz);
    const indptr = new Int32Array(docs.length + 1);
    let at = 0;
    let row = 0;
    for (const part of parts) {
      data.set(part.data, at);
      indices.set(part.indices, at);
      const rows = part.indptr.length - 1;
      for (let i = 1; i <= rows; i++) indptr[row + i] = at + part.indptr[i]!;
      row += rows;
      at += part.indices.length;
    }
    return { data, indices, indptr };
  } finally {
    for (const slot of slots) {
      slot.port?.close();
      void slot.worker?.terminate();
    }
  }
}
