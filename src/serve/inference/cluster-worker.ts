// One worker process of `mlship serve --workers N` (see cluster.ts): starts the model server with
// the options the primary passed in MLSHIP_SERVE_WORKER, reports its URL, streams its metrics to
// the primary, answers /metrics with the total over every worker, and shuts down gracefully on
// SIGTERM/SIGINT (the primary forwards its own).
import { isMlshipError } from '../../core/index.js';
import { startModelServer, type RunningModelServer } from './app.js';
import type { ClusterMessage, WorkerServerOptions } from './cluster.js';
import { MetricsRegistry, type MetricsSnapshot } from './metrics.js';

const send = (m: ClusterMessage): void => {
  if (process.connected) process.send!(m);
};
const options = JSON.parse(process.env.MLSHIP_SERVE_WORKER ?? '{}') as WorkerServerOptions;

let nextId = 1;
const waiting = new Map<number, (text: string) => void>();
process.on('message', (m: ClusterMessage) => {
  if (m.type === 'mlship:metrics-response') {
    waiting.get(m.id)?.(m.text);
    waiting.delete(m.id);
  }
});

/** Sends this worker's snapshot and gets back the total over every worker. */
const renderMetrics = (snapshot: MetricsSnapshot): Promise<string> =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error('the primary process did not answer the metrics request within 2 s'));
    }, 2000);
    waiting.set(id, (text) => {
      clearTimeout(timer);
      resolve(text);
    });
    send({ type: 'mlship:metrics-request', id, snapshot });
  });

let server: RunningModelServer | undefined;
let stopping: Promise<void> | undefined;
function shutdown(): Promise<void> {
  stopping ??= (async () => {
    try {
      await server?.close();
    } finally {
      process.disconnect?.();
      process.exit(0);
    }
  })();
  return stopping;
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

try {
  const metrics = new MetricsRegistry();
  metrics.gauge('mlship_worker_up', 'One series per live worker process (1)', ['pid']).set([String(process.pid)], 1);
  server = await startModelServer({ ...options, metrics, renderMetrics, onEvent: (line) => void process.stderr.write(`mlship serve[${process.pid}]: ${line}\n`) });
  const timer = setInterval(() => send({ type: 'mlship:metrics', snapshot: metrics.snapshot() }), 1000);
  timer.unref();
  send({ type: 'mlship:listening', url: server.url });
} catch (err) {
  send({ type: 'mlship:failed', error: isMlshipError(err) ? { code: err.code, message: err.message } : { message: err instanceof Error ? err.message : String(err) } });
  process.disconnect?.();
  process.exitCode = 1;
}
