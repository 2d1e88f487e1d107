import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { spawnSync } from 'node:child_process';
import { resolveJobs, siblingModule, startModuleWorker, startWorker } from './index.js';

describe('startWorker', () => {
  it('runs a TypeScript worker module from sources (tsx registered inside the worker)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlship-worker-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      const file = join(dir, 'echo-worker.ts');
      writeFileSync(file, "import { parentPort, workerData } from 'node:worker_threads';\nconst n: number = workerData.n;\nparentPort!.postMessage(n * 2);\n");
      const worker = startWorker(pathToFileURL(file), { workerData: { n: 21 } });
      const [msg] = await once(worker, 'message');
      expect(msg).toBe(42);
      await worker.terminate();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a module that fails to load as an error event', async () => {
    const worker = startWorker(new URL('./no-such-worker.ts', import.meta.url));
    const [err] = await once(worker, 'error');
    expect(String((err as Error).message)).toMatch(/no-such-worker|Cannot find/);
  });

  it('siblingModule keeps the caller extension and resolveJobs follows scikit-learn', () => {
    expect(siblingModule('file:///a/b/x.ts', 'w').href).toBe('file:///a/b/w.ts');
    expect(siblingModule('file:///a/b/x.js', 'w').href).toBe('file:///a/b/w.js');
    expect(resolveJobs(undefined)).toBe(1);
    expect(resolveJobs(1)).toBe(1);
    expect(resolveJobs(-1)).toBeGreaterThanOrEqual(1);
  });
});

describe('startModuleWorker', () => {
  it('loads a module, and calls onLoadError in the worker when it cannot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlship-worker-'));
    try {
      const file = join(dir, 'echo.mjs');
      writeFileSync(file, "import { parentPort, workerData } from 'node:worker_threads';\nworkerData.port.postMessage(workerData.n * 2);\n");
      const { port1, port2 } = new MessageChannel();
      const ok = startModuleWorker(pathToFileURL(file), { workerData: { n: 21, port: port2 }, transferList: [port2] }, '(e, d) => d.port.postMessage(String(e))');
      const [msg] = await once(port1, 'message');
      expect(msg).toBe(42);
      await ok.terminate();
      const { port1: p1, port2: p2 } = new MessageChannel();
      const bad = startModuleWorker(pathToFileURL(join(dir, 'missing.mjs')), { workerData: { port: p2 }, transferList: [p2] }, '(e, d) => d.port.postMessage("load failed: " + e.message)');
      const [err] = await once(p1, 'message');
      expect(err).toMatch(/^load failed: .*missing\.mjs/);
      await bad.terminate();
      port1.close();
      p1.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts from `node --max-old-space-size=… --input-type=module -e`, whose flags a worker may not take', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlship-worker-'));
    try {
      const file = join(dir, 'echo.mjs');
      writeFileSync(file, "import { workerData } from 'node:worker_threads';\nworkerData.port.postMessage('pong');\n");
      const script = `
import { MessageChannel } from 'node:worker_threads';
import { startModuleWorker } from ${JSON.stringify(new URL('./workers.ts', import.meta.url).href)};
const { port1, port2 } = new MessageChannel();
const w = startModuleWorker(new URL(${JSON.stringify(pathToFileURL(file).href)}), { workerData: { port: port2 }, transferList: [port2] }, '(e) => { console.error(e); process.exit(3); }');
port1.once('message', (m) => { console.log(m); port1.close(); void w.terminate(); });`;
      const r = spawnSync(process.execPath, ['--max-old-space-size=512', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('pong');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
