/**
 * Worker-thread entry of batch prediction: decodes the model package once from the bytes it is
 * given, then predicts the chunks the main thread posts, answering each with its output and
 * reject bytes (transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeModel } from '../../model/index.js';
import { ChunkPredictor, type ChunkInput, type ChunkSettings } from './chunk.js';

/** What a batch worker receives at start. */
export interface BatchWorkerInit {
  modelBytes: Uint8Array;
  settings: ChunkSettings;
}

/** What a batch worker posts. */
export type BatchWorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; result: import('./chunk.js').ChunkResult }
  | { type: 'error'; index: number | null; message: string; code?: string };

const port = parentPort!;
const init = workerData as BatchWorkerInit;
let predictor: ChunkPredictor;
try {
  predictor = new ChunkPredictor(decodeModel(init.modelBytes, { source: init.settings.modelSource }), init.settings);
  port.postMessage({ type: 'ready' } satisfies BatchWorkerMessage);
} catch (err) {
  port.postMessage({ type: 'error', index: null, message: (err as Error).message ?? String(err), code: (err as { code?: string }).code } satisfies BatchWorkerMessage);
}
port.on('message', (chunk: ChunkInput) => {
  try {
    const result = predictor.run(chunk);
    const transfer = [result.output.buffer as ArrayBuffer, result.rejects.buffer as ArrayBuffer];
    if (chunk.type === 'lines') {
      // The input buffer goes back to the reader, which fills it again (no allocation per chunk).
      result.returned = chunk.bytes.buffer as ArrayBuffer;
      transfer.push(result.returned);
    }
    port.postMessage({ type: 'result', result } satisfies BatchWorkerMessage, transfer);
  } catch (err) {
    port.postMessage({ type: 'error', index: chunk.index, message: (err as Error).message ?? String(err), code: (err as { code?: string }).code } satisfies BatchWorkerMessage);
  }
});
