/**
 * The chunk runners of batch prediction: a pool of worker threads (each decodes the model once)
 * that take chunks first come, first served, or the main thread itself (`workers: 0`).
 */
import type { Worker } from 'node:worker_threads';
import { MlshipError, siblingModule, startModuleWorker, type ErrorCode } from '../../core/index.js';
import { decodeModel } from '../../model/index.js';
import { ChunkPredictor, type ChunkInput, type ChunkResult, type ChunkSettings } from './chunk.js';
import type { BatchWorkerInit, BatchWorkerMessage } from './worker.js';

/** Runs chunks; `run` resolves with the chunk's result. */
export interface ChunkRunner {
  /** Lines of the output header (CSV) for this model. */
  readonly header: string;
  run(chunk: ChunkInput): Promise<ChunkResult>;
  close(): Promise<void>;
}

/** Runs chunks on the main thread (for `workers: 0`, and for small inputs in tests). */
export function inlineRunner(modelBytes: Uint8Array, settings: ChunkSettings): ChunkRunner {
  const predictor = new ChunkPredictor(decodeModel(modelBytes, { source: settings.modelSource }), settings);
  return {
    header: predictor.headerLine(),
    run: async (chunk) => {
      await new Promise((r) => setImmediate(r));
      const result = predictor.run(chunk);
      if (chunk.type === 'lines') result.returned = chunk.bytes.buffer as ArrayBuffer;
      return result;
    },
    close: async () => {},
  };
}

interface Slot {
  worker: Worker;
  busy: { chunk: ChunkInput; resolve: (r: ChunkResult) => void; reject: (e: unknown) => void } | null;
}

/**
 * Starts `n` workers and waits until each has decoded the model. A worker that fails to start,
 * dies or reports an error fails the chunk it held (and every later `run`).
 */
export async function workerRunner(modelBytes: Uint8Array, settings: ChunkSettings, n: number, header: string): Promise<ChunkRunner> {
  const queue: { chunk: ChunkInput; resolve: (r: ChunkResult) => void; reject: (e: unknown) => void }[] = [];
  const slots: Slot[] = [];
  let failure: unknown = null;
  let closing = false;

  const fail = (err: unknown): void => {
    if (failure === null) failure = err;
    for (const s of slots) {
      s.busy?.reject(failure);
      s.busy = null;
    }
    for (const q of queue.splice(0)) q.reject(failure);
  };
  const pump = (): void => {
    for (const s of slots) {
      if (s.busy || queue.length === 0) continue;
      const job = queue.shift()!;
      s.busy = job;
      s.worker.postMessage(job.chunk, job.chunk.type === 'lines' ? [job.chunk.bytes.buffer as ArrayBuffer] : []);
    }
  };

  const ready: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const init: BatchWorkerInit = { modelBytes, settings };
    const onLoadError = `(e) => { require('node:worker_threads').parentPort.postMessage({ type: 'error', index: null, message: String((e && e.stack) || e) }); }`;
    const worker = startModuleWorker(siblingModule(import.meta.url, 'worker'), { workerData: init }, onLoadError);
    const slot: Slot = { worker, busy: null };
    slots.push(slot);
    ready.push(
      new Promise<void>((resolve, reject) => {
        let started = false;
        worker.on('message', (m: BatchWorkerMessage) => {
          if (m.type === 'ready') {
            started = true;
            resolve();
          } else if (m.type === 'result') {
            const job = slot.busy;
            slot.busy = null;
            job?.resolve(m.result);
            pump();
          } else {
            const err = new MlshipError((m.code as ErrorCode | undefined) ?? 'INTERNAL', m.index === null ? `batch worker could not start: ${m.message}` : `chunk ${m.index + 1} failed: ${m.message}`);
            if (!started) reject(err);
            fail(err);
          }
        });
        worker.on('error', (e) => {
          const err = new MlshipError('INTERNAL', `a batch worker crashed: ${e.message}`, {}, { cause: e });
          if (!started) reject(err);
          fail(err);
        });
        worker.on('exit', (code) => {
          if (closing) return;
          const err = new MlshipError('INTERNAL', `a batch worker exited unexpectedly (code ${code})`);
          if (!started) reject(err);
          fail(err);
        });
      }),
    );
  }
  const close = async (): Promise<void> => {
    closing = true;
    await Promise.all(slots.map((s) => s.worker.terminate()));
  };
  try {
    await Promise.all(ready);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    header,
    run: (chunk) =>
      new Promise<ChunkResult>((resolve, reject) => {
        if (failure !== null) return reject(failure);
        queue.push({ chunk, resolve, reject });
        pump();
      }),
    close,
  };
}
