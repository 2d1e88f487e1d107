// Worker thread of cross-validation and search: receives the estimator snapshot and the data once
// (workerData), then fits and scores one (param set, fold) per message. See fit-engine.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInit, WorkerReply, WorkerTask } from './fit-engine.js';

const init = workerData as WorkerInit;
const signal = new Int32Array(init.signal);

function send(reply: WorkerReply): void {
  init.port.postMessage(reply);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

try {
  // The learn index registers every estimator, so any snapshot can be rebuilt here.
  const learn = await import('../index.js');
  const engine = await import('./fit-engine.js');
  const base = learn.BaseEstimator.fromSnapshot(init.snapshot);
  const X = engine.decodeRows(init.X);
  const scorers = Object.fromEntries(Object.entries(init.scorers).map(([k, name]) => [k, learn.getScorer(name)]));
  const flags = { returnTrainScore: init.returnTrainScore, returnEstimator: init.returnEstimator, errorScore: init.errorScore };
  parentPort!.on('message', (task: WorkerTask) => {
    try {
      const params = engine.decodeValue(task.params) as Record<string, unknown>;
      const r = engine.fitAndScore(base, X, init.y, params, { train: task.train, test: task.test }, scorers, flags);
      send({
        type: 'result',
        id: task.id,
        testScores: r.testScores,
        trainScores: r.trainScores,
        fitTime: r.fitTime,
        scoreTime: r.scoreTime,
        fitError: r.fitError,
        estimator: r.estimator ? r.estimator.toSnapshot() : null,
      });
    } catch (err) {
      send(engine.errorReply(task.id, err));
    }
  });
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'error', id: null, code: null, message: err instanceof Error ? err.message : String(err), ...(err instanceof Error && err.stack ? { stack: err.stack } : {}) });
}
