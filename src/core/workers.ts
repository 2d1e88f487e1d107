import { Worker, type WorkerOptions } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let tsxApiUrl: string | undefined;

/**
 * The file URL of tsx's ESM register API, used to run `.ts` worker modules from sources. Node 20
 * does not pass `--import tsx` on to worker threads, so the worker registers tsx itself.
 */
export function tsxRegisterUrl(): string {
  if (tsxApiUrl) return tsxApiUrl;
  const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  tsxApiUrl = pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api']!.import.default)).href;
  return tsxApiUrl;
}

/**
 * Starts a worker thread from a module that sits next to the caller (see {@link siblingModule}).
 * From `dist/` the compiled `.js` file runs as is; from TypeScript sources (tests, tsx) a small
 * bootstrap registers tsx's loader inside the worker, then imports the `.ts` module. A module that
 * fails to load surfaces as the worker's `error` event.
 *
 * @example
 * ```ts
 * const worker = startWorker(siblingModule(import.meta.url, 'count-worker'), { workerData: { chunk } });
 * worker.on('message', (m) => console.log(m));
 * ```
 */
export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const path = fileURLToPath(moduleUrl);
  if (!path.endsWith('.ts')) return new Worker(path, options);
  const code = `import(${JSON.stringify(tsxRegisterUrl())}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl.href)}); }).catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(code, { ...options, eval: true });
}

/**
 * Starts a worker thread that imports `moduleUrl` (compiled `.js` as is, `.ts` through tsx) from a
 * small CommonJS bootstrap, and calls `onLoadError` — the source text of a function
 * `(error, workerData) => void` — if the module fails to load, so that a caller waiting on shared
 * memory (Atomics) is woken with the failure instead of hanging. `execArgv` is inherited, except
 * that `--input-type` (from `node --input-type=module -e`) is dropped: it would make the bootstrap
 * an ES module.
 *
 * @example
 * ```ts
 * const w = startModuleWorker(siblingModule(import.meta.url, 'count-worker'), { workerData: init, transferList: [init.port] },
 *   '(e, d) => { d.port.postMessage({ type: "error", message: String(e) }); }');
 * ```
 */
export function startModuleWorker(moduleUrl: URL, options: WorkerOptions, onLoadError: string): Worker {
  const load = fileURLToPath(moduleUrl).endsWith('.ts')
    ? `import(${JSON.stringify(tsxRegisterUrl())}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl.href)}); })`
    : `import(${JSON.stringify(moduleUrl.href)})`;
  const code = `const { workerData } = require('node:worker_threads');\nconst onLoadError = ${onLoadError};\n${load}.catch((e) => onLoadError(e, workerData));`;
  const inputType = process.execArgv.some((a) => a.startsWith('--input-type'));
  return new Worker(code, { ...options, eval: true, ...(inputType ? { execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type') && !V8_HEAP_FLAG.test(a)) } : {}) });
}

/** V8 heap options a worker may not be given in `execArgv` (it takes `resourceLimits` instead). */
const V8_HEAP_FLAG = /^--(max-old-space-size|max-semi-space-size|max-young-generation-size|stack-size)\b/;

/** The module URL of a worker file next to `callerUrl`, matching the caller's own extension. */
export function siblingModule(callerUrl: string, baseName: string): URL {
  const ext = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${baseName}${ext}`, callerUrl);
}

/**
 * Resolves an `nJobs` option as scikit-learn does: `undefined`/`null`/`1` means one, `-1` all
 * cores, `-2` all but one, and a positive number that many (capped at twice the core count).
 */
export function resolveJobs(nJobs: number | null | undefined): number {
  const cores = availableParallelism();
  if (nJobs === undefined || nJobs === null || nJobs === 0) return 1;
  if (nJobs < 0) return Math.max(1, cores + 1 + nJobs);
  return Math.max(1, Math.min(Math.floor(nJobs), cores * 2));
}
