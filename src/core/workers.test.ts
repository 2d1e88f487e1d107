import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveJobs, siblingModule, startWorker } from './index.js';

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
