// `mlship serve` as a real child process: the listening line, graceful shutdown on SIGTERM with
// requests in flight (all answered, all logged, exit 0), and --workers 2 (both serve, /metrics sums
// them, a killed worker is replaced).
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadDataset } from '../data/index.js';
import { MultinomialNB, Pipeline, TfidfVectorizer } from '../learn/index.js';
import { saveModel, textClassifierSignature } from '../model/index.js';
import { MlshipClient, openPredictionStore } from '../tracking/index.js';
import { run } from './main.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const store = { dir: '', trackingUri: '', docs: [] as string[] };

beforeAll(async () => {
  store.dir = mkdtempSync(join(tmpdir(), 'mlship-serve-cli-'));
  store.trackingUri = `sqlite://${store.dir}/mlship.db`;
  let i = 0;
  const spam = await loadDataset('spam-assassin', { filter: () => i++ % 20 === 0 }); // ~300 real emails
  store.docs = spam.texts;
  const model = new Pipeline([
    ['tfidf', new TfidfVectorizer()],
    ['clf', new MultinomialNB()],
  ]).fit(spam.texts, spam.labels);
  const file = join(store.dir, 'nb.mlship');
  await saveModel(file, model, { signature: textClassifierSignature(model.classes_ as string[]) });
  const client = await MlshipClient.open({ trackingUri: store.trackingUri });
  try {
    await client.registerModel(file, 'spam');
    await client.registry.setAlias('spam', 'champion', 1);
  } finally {
    await client.close();
  }
}, 60_000);

/** Servers started by the tests; whatever a failed test left running is stopped after it. */
const children = new Set<ChildProcess>();

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM'); // the primary stops its workers
      await new Promise((r) => setTimeout(r, 3000));
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
  children.clear();
});

afterAll(() => {
  if (store.dir) rmSync(store.dir, { recursive: true, force: true });
});

/** The samples of a Prometheus text, by `name{labels}`. */
function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+) (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    out.set(m[1]!, Number(m[2]!.replace('+Inf', 'Infinity')));
  }
  return out;
}

interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

async function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...args, '--port', '0', '--tracking-uri', store.trackingUri], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^mlship serve: listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exit.then((code) => reject(new Error(`mlship serve exited with ${code} before listening:\n${err}`)));
  });
  return { child, url, stdout: () => out, stderr: () => err, exit };
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('mlship serve (child process)', () => {
  it('prints one listening line, serves, and on SIGTERM finishes in-flight requests, flushes the log and exits 0', async () => {
    const s = await serve(['models:/spam@champion', '--poll-interval', '100']);
    expect(s.stdout().split('\n').filter((l) => l.startsWith('mlship serve: listening on'))).toHaveLength(1);
    const texts = Array.from({ length: 1000 }, (_, i) => store.docs[i % store.docs.length]!);
    // Large batches keep the server busy: SIGTERM lands while some are in flight.
    const requests = Array.from({ length: 12 }, () => post(`${s.url}/predict`, { texts }).then(async (r) => ({ status: r.status, id: r.headers.get('x-request-id'), n: ((await r.json()) as { predictions?: unknown[] }).predictions?.length }), () => null));
    await new Promise((r) => setTimeout(r, 30));
    s.child.kill('SIGTERM');
    const results = await Promise.all(requests);
    expect(await s.exit).toBe(0);
    expect(s.stderr()).toContain('SIGTERM, finishing in-flight requests');
    const answered = results.filter((r) => r !== null);
    expect(answered.length).toBeGreaterThan(0);
    for (const r of answered) expect(r).toMatchObject({ status: 200, n: 1000 });
    const preds = await openPredictionStore(store.trackingUri);
    try {
      for (const r of answered) expect(await preds.countPredictions({ requestId: r!.id! })).toBe(1000);
    } finally {
      await preds.close();
    }
  }, 60_000);

  it('--workers 2: both workers serve, /metrics sums them, a killed worker is replaced, SIGTERM stops all', async () => {
    const s = await serve(['spam=models:/spam@champion', '--workers', '2', '--no-log-predictions']);
    try {
      for (let round = 0; round < 10; round++) {
        const res = await Promise.all(Array.from({ length: 10 }, () => post(`${s.url}/predict`, { text: store.docs[round]! })));
        for (const r of res) expect(r.status).toBe(200);
      }
      await new Promise((r) => setTimeout(r, 1300)); // every worker has reported its counters
      let m = parsePrometheus(await (await fetch(`${s.url}/metrics`)).text());
      expect(m.get('mlship_workers')).toBe(2);
      const pids = [...m.keys()].filter((k) => k.startsWith('mlship_worker_up{')).map((k) => Number(/pid="(\d+)"/.exec(k)![1]));
      expect(pids).toHaveLength(2);
      expect(m.get('mlship_http_requests_total{route="/predict",method="POST",status="200"}')).toBe(100);
      expect(m.get('mlship_model_version_info{model="spam",version="1"}')).toBe(1);

      process.kill(pids[0]!, 'SIGKILL');
      let live: number[] = [];
      for (let i = 0; i < 300; i++) {
        await new Promise((r) => setTimeout(r, 100));
        // A keep-alive connection to the killed worker fails once; the next request opens a new one.
        const text = await fetch(`${s.url}/metrics`).then((r) => r.text(), () => null);
        if (text === null) continue;
        m = parsePrometheus(text);
        live = [...m.keys()].filter((k) => k.startsWith('mlship_worker_up{')).map((k) => Number(/pid="(\d+)"/.exec(k)![1]));
        if (live.length === 2 && !live.includes(pids[0]!)) break;
      }
      expect(live).toHaveLength(2);
      expect(live).not.toContain(pids[0]);
      expect(live).toContain(pids[1]);
      expect(m.get('mlship_worker_restarts_total')).toBe(1);
      // What the dead worker counted stays in the totals: counters never go backwards.
      expect(m.get('mlship_http_requests_total{route="/predict",method="POST",status="200"}')).toBe(100);
      let ok = 0;
      for (let i = 0; i < 20 && ok < 3; i++) ok = (await post(`${s.url}/predict`, { text: 'still serving?' }).then((r) => r.status, () => 0)) === 200 ? ok + 1 : 0;
      expect(ok).toBe(3);
    } finally {
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
    }
  }, 60_000);

  it('--help shows an example; a missing model file fails with NOT_FOUND and exit 1 (in process)', async () => {
    let out = '';
    let err = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env: {} };
    expect(await run(['serve', '--help'], io)).toBe(0);
    expect(out).toContain('Examples:');
    expect(out).toContain('--workers');
    expect(await run(['serve', join(store.dir, 'nope.mlship'), '--port', '0', '--no-log-predictions'], io)).toBe(1);
    expect(err).toMatch(/error \[NOT_FOUND\]/);
    expect(await run(['serve', 'models:/spam@champion', '--port', '0', '--poll-interval', '5'], io)).toBe(2);
    expect(err).toMatch(/poll interval in ms of at least 10/);
  });
});
