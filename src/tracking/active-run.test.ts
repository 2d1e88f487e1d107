// Interruption: runs still open when the process gets SIGINT or SIGTERM end as KILLED, then the
// signal's default action proceeds (the process dies of that signal). Tested in child processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlshipClient } from './client.js';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const clientModule = pathToFileURL(fileURLToPath(new URL('./client.ts', import.meta.url))).href;
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-signal-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  /** The run ids the child printed once its runs were open. */
  ready: Promise<string[]>;
  /** How it ended, with its output. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill: (signal: NodeJS.Signals) => void;
}

/** Runs `body` in a child process with `client` open on `db`; it prints `ready <run ids>`. */
function child(db: string, body: string): Child {
  const script = join(dir, `child-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(script, `import { MlshipClient } from ${JSON.stringify(clientModule)};\nconst client = await MlshipClient.open({ trackingUri: ${JSON.stringify(`sqlite://${db}`)} });\n${body}\n`);
  const p = spawn(process.execPath, ['--import', tsx, script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onReady: (ids: string[]) => void = () => undefined;
  const ready = new Promise<string[]>((resolve) => (onReady = resolve));
  p.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    const m = /ready (.*)\n/.exec(stdout);
    if (m) onReady(m[1]!.split(' '));
  });
  p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    p.on('exit', (code, signal) => {
      if (!/ready /.test(stdout)) onReady([`(the child exited with ${code ?? signal} before it was ready: ${stderr})`]);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { ready, done, kill: (signal) => p.kill(signal) };
}

async function statuses(db: string, ids: string[]): Promise<string[]> {
  const client = await MlshipClient.open({ trackingUri: `sqlite://${db}` });
  try {
    return await Promise.all(ids.map(async (id) => (await client.tracking.getRun(id)).info.status));
  } finally {
    await client.close();
  }
}

describe('active runs when the process is interrupted', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`ends open runs (stacked, nested and withRun) as KILLED on ${signal}, then dies of it`, async () => {
      const db = join(dir, `${signal}.db`);
      const c = child(
        db,
        `const outer = await client.startRun({ logCodeVersion: false });
const inner = await client.startRun({ nested: true, logCodeVersion: false });
await client.withRun({ logCodeVersion: false }, async (scoped) => {
  await outer.logMetric('m', 1);
  process.stdout.write('ready ' + [outer.runId, inner.runId, scoped.runId].join(' ') + '\\n');
  await new Promise((r) => setTimeout(r, 60_000));
});`,
      );
      const ids = await c.ready;
      c.kill(signal);
      const end = await c.done;
      expect(end.signal, end.stderr).toBe(signal);
      expect(await statuses(db, ids)).toEqual(['KILLED', 'KILLED', 'KILLED']);
    });
  }

  it('leaves the signal to the application when it listens itself', async () => {
    const db = join(dir, 'app.db');
    const c = child(
      db,
      `process.on('SIGTERM', () => { process.stdout.write('app handler\\n'); setTimeout(() => process.exit(7), 200); });
const run = await client.startRun({ logCodeVersion: false });
process.stdout.write('ready ' + run.runId + '\\n');
setInterval(() => undefined, 1000);`,
    );
    const ids = await c.ready;
    c.kill('SIGTERM');
    const end = await c.done;
    expect(end.code, end.stderr).toBe(7);
    expect(end.stdout).toContain('app handler');
    expect(await statuses(db, ids)).toEqual(['KILLED']);
  });

  it('ends a run the script never ended as FINISHED when the event loop empties', async () => {
    const db = join(dir, 'forgot.db');
    const c = child(db, `const run = await client.startRun({ logCodeVersion: false });\nprocess.stdout.write('ready ' + run.runId + '\\n');`);
    const ids = await c.ready;
    const end = await c.done;
    expect(end.code, end.stderr).toBe(0);
    expect(await statuses(db, ids)).toEqual(['FINISHED']);
  });
});
