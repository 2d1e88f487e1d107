// Worker thread of CountVectorizer's parallel fit: counts one chunk of documents with the word
// engine and answers once with its terms and CSR counts. See parallel-count.ts.
import { workerData } from 'node:worker_threads';
import { countChunk, engineOptionsFrom, type CountWorkerInit, type CountWorkerReply } from './parallel-count.js';

const init = workerData as CountWorkerInit;

function send(reply: CountWorkerReply, transfer: ArrayBuffer[]): void {
  init.port.postMessage(reply, transfer);
  const signal = new Int32Array(init.signal);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

try {
  const r = countChunk(init.docs, engineOptionsFrom(init.options, init.owner), init.owner);
  send(r, [r.offsets.buffer, r.data.buffer, r.indices.buffer, r.indptr.buffer] as ArrayBuffer[]);
} catch (err) {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }, []);
}
