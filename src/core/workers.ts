import { Worker, type WorkerOptions } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * Starts a worker thread from a module that sits next to the caller. `moduleUrl` is built with
 * `new URL('./x-worker.js', import.meta.url)`. When mlship runs from its TypeScript sources (tests,
 * `tsx`), the `.ts` file is loaded through tsx's loader; from `dist/` the compiled `.js` is used.
 */
export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const path = fileURLToPath(moduleUrl);
  if (path.endsWith('.ts')) {
    return new Worker(path, { ...options, execArgv: [...(options.execArgv ?? []), '--import', 'tsx'] });
  }
  return new Worker(path, options);
}

/** The module URL of a worker file next to `callerUrl`, matching the caller's own extension. */
export function siblingModule(callerUrl: string, baseName: string): URL {
  const ext = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${baseName}${ext}`, callerUrl);
}

/**
 * Resolves an `nJobs` option as scikit-learn does: `undefined`/`1` means one, `-1` all cores,
 * `-2` all but one, and a positive number that many (capped at the core count times two).
 */
export function resolveJobs(nJobs: number | null | undefined): number {
  const cores = availableParallelism();
  if (nJobs === undefined || nJobs === null || nJobs === 0) return 1;
  if (nJobs < 0) return Math.max(1, cores + 1 + nJobs);
  return Math.max(1, Math.min(Math.floor(nJobs), cores * 2));
}
