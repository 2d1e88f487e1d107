// Worker thread of the random forests. Fit: claims tree indices from the shared counter, grows each
// tree on the shared data and sends it back, then says done. Predict: adds the trees' outputs for
// one range of rows into the shared output, then says done. See forest-train.ts.
import { workerData } from 'node:worker_threads';
import { packedAccumulate } from '../tree/flat.js';
import { growOne, treeBuffers, type ForestWorkerInit, type ForestWorkerMessage } from './forest-train.js';

const init = workerData as ForestWorkerInit;
const control = new Int32Array(init.control);

function send(msg: ForestWorkerMessage, transfer: ArrayBuffer[]): void {
  init.port.postMessage(msg, transfer);
  Atomics.add(control, 1, 1);
  Atomics.notify(control, 1);
}

try {
  if (init.kind === 'predict') {
    packedAccumulate(init.packed, init.x, init.d, init.from, init.to, init.out);
  } else {
    const nTrees = init.job.seeds.length;
    for (;;) {
      const t = Atomics.add(control, 0, 1);
      if (t >= nTrees) break;
      const tree = growOne(init.job, t);
      send({ type: 'tree', t, tree }, treeBuffers(tree));
    }
  }
  send({ type: 'done' }, []);
} catch (err) {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }, []);
}
