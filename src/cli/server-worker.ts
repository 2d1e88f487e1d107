// The worker-thread side of `startIsolatedServer`: starts the server with the options it was
// given, reports its URL (or the error), and closes it when asked.
import { parentPort, workerData } from 'node:worker_threads';
import { isMlshipError } from '../core/index.js';
import { startServer, type ServerOptions } from '../serve/index.js';

const port = parentPort!;
const options = (workerData as { options: ServerOptions }).options;

try {
  const server = await startServer(options);
  port.on('message', (m: unknown) => {
    if (m !== 'close') return;
    void server.close().then(
      () => {
        port.postMessage({ type: 'closed' });
        port.close();
      },
      (err: unknown) => port.postMessage({ type: 'error', error: describe(err) }),
    );
  });
  port.postMessage({ type: 'listening', url: server.url });
} catch (err) {
  port.postMessage({ type: 'error', error: describe(err) });
  port.close();
}

function describe(err: unknown): { code?: string; message: string; details?: unknown; stack?: string } {
  if (isMlshipError(err)) return { code: err.code, message: err.message, details: err.details };
  const e = err instanceof Error ? err : new Error(String(err));
  return { message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}
