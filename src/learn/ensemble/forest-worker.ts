// Worker thread of the random forests. Fit: claims tree indices from the shared counter, grows each
// tree on the shared data and sends it back, then says done. Pool (predict): stays alive and, for
// each task it receives, claims blocks of rows and adds the trees' outputs into the shared output.
// See forest-train.ts.
import { workerData } from 'node:worker_threads';
import { growOne, runPredictTask, treeBuffers, type ForestWorkerInit, type ForestWorkerMessage, type PredictTask } from './forest-train.js';

const init = workerData as ForestWorkerInit;
const control = new Int32Array(init.control);

function send(msg: ForestWorkerMessage, transfer: ArrayBuffer[]): void {
  init.port.postMessage(msg, transfer);
  Atomics.add(control, 1, 1);
  Atomics.notify(control, 1);
}

if (init.kind === 'pool') {
  init.port.on('message', (task: PredictTask) => {
    Atomics.add(task.control, 2, 1);
    try {
      runPredictTask(task);
    } catch {
      // The caller redoes every block not marked done.
    }
    Atomics.add(task.control, 1, 1);
    Atomics.notify(task.control, 1);
  });
} else {
  try {
    const nTrees = init.job.seeds.length;
    for (;;) {
      const t = Atomics.add(control, 0, 1);
      if (t >= nTrees) break;
      const tree = growOne(init.job, t);
      send({ type: 'tree', t, tree }, treeBuffers(tree));
    }
    send({ type: 'done' }, []);
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }, []);
  }
}
