import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPredictionStore, type PredictionRecord, type PredictionStore } from '../tracking/index.js';
import type { CliIo } from './io.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, run } from './main.js';
import { timeArg } from './prediction-commands.js';

let dir: string;
let uri: string;
let n = 0;

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function cli(...argv: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: dir, env: {} };
  const code = await run([...argv, ...(argv.includes('--help') ? [] : ['--tracking-uri', uri])], io);
  return { code, out, err };
}

const NOW = Date.now();
const HOUR = 3_600_000;

function rec(id: string, hoursAgo: number, over: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    requestId: id,
    modelName: 'spam',
    modelVersion: '3',
    modelUri: 'models:/spam@champion',
    timestamp: NOW - hoursAgo * HOUR,
    latencyMs: 1.25,
    inputs: { text: `text of ${id}` },
    outputs: { label: 'ham', probabilities: { ham: 0.7, spam: 0.3 } },
    ...over,
  };
}

async function withStore<T>(fn: (s: PredictionStore) => Promise<T>): Promise<T> {
  const s = await openPredictionStore(uri);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlship-pred-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  uri = `sqlite://${join(dir, `db${n++}`, 'mlship.db')}`;
  await withStore((s) =>
    s.logPredictions([
      rec('a1', 48),
      rec('a2', 30, { modelVersion: '2' }),
      rec('a3', 2, { inputs: ['x', 'y'], outputs: [{ label: 'spam' }, { label: 'ham' }] }),
      rec('h1', 1, { modelName: 'housing', modelVersion: null, modelUri: 'house.mlship', inputs: { rooms: Number.NaN }, outputs: { prediction: 231.5 } }),
    ]),
  );
});

describe('mlship predictions --help', () => {
  it.each([['predictions'], ['predictions', 'list'], ['predictions', 'count'], ['predictions', 'export'], ['predictions', 'label'], ['predictions', 'prune']])(
    'mlship %s --help shows usage and an example',
    async (...cmd) => {
      const r = await cli(...cmd, '--help');
      expect(r.code).toBe(EXIT_OK);
      expect(r.out).toContain(`Usage: mlship ${cmd.join(' ')}`);
      expect(r.out).toMatch(/Examples:\n\s+\$ mlship predictions /);
    },
  );
});

describe('mlship predictions', () => {
  it('list shows a table newest first, filtered by model, version, time and label; --json gives the HTTP shape', async () => {
    const all = await cli('predictions', 'list');
    expect(all.code, all.err).toBe(EXIT_OK);
    const lines = all.out.trim().split('\n');
    expect(lines[0]).toMatch(/^time\s+request id\s+item\s+model\s+version\s+latency ms\s+prediction\s+label\s+inputs$/);
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/)[1])).toEqual(['h1', 'a3', 'a3', 'a2', 'a1']);
    expect(lines[2]).toMatch(/housing\s+file\s+1\.25\s+231\.5\s+\{"rooms":"NaN"\}/);
    const v3 = await cli('predictions', 'list', '--model', 'spam', '--version', '3', '--since', '36h', '--json');
    expect(v3.code, v3.err).toBe(EXIT_OK);
    const items = JSON.parse(v3.out) as { request_id: string; index: number; outputs: unknown }[];
    expect(items.map((p) => `${p.request_id}#${p.index}`)).toEqual(['a3#1', 'a3#0']);
    expect(items[1]).toMatchObject({ model_name: 'spam', model_version: '3', outputs: { label: 'spam' }, label: null });
    const limited = await cli('predictions', 'list', '--limit', '2', '--order', 'asc', '--json');
    expect(JSON.parse(limited.out).map((p: { request_id: string }) => p.request_id)).toEqual(['a1', 'a2']);
    expect((await cli('predictions', 'list', '--model', 'none')).out).toBe('no predictions match\n');
  });

  it('count counts items with the same filters', async () => {
    expect((await cli('predictions', 'count')).out).toBe('5\n');
    expect((await cli('predictions', 'count', '--model', 'spam', '--since', '24h')).out).toBe('2\n');
    expect((await cli('predictions', 'count', '--version', 'file', '--json')).out).toBe('{"count":1}\n');
    expect((await cli('predictions', 'count', '--until', new Date(NOW - 40 * HOUR).toISOString())).out).toBe('1\n');
  });

  it('label posts one label (JSON or plain text, one item or all) and a JSONL file, reporting matched and missing', async () => {
    const one = await cli('predictions', 'label', 'a1', 'spam');
    expect(one.code, one.err).toBe(EXIT_OK);
    expect(one.out).toBe('1 label(s) matched a logged prediction\n');
    expect((await cli('predictions', 'label', 'a3', '1', '--index', '1', '--json')).out).toBe('{"matched":1,"missing":[]}\n');
    const file = join(dir, 'labels.jsonl');
    await writeFile(file, ['{"request_id": "a2", "label": {"y": 2}}', '', '{"request_id": "zzz", "label": "ham"}', '{"request_id": "h1", "label": 250.0, "timestamp": 5}'].join('\n'));
    const bulk = await cli('predictions', 'label', '--file', 'labels.jsonl');
    expect(bulk.code, bulk.err).toBe(EXIT_OK);
    expect(bulk.out).toBe('2 label(s) matched a logged prediction; 1 did not\nno prediction for: zzz\n');
    expect(bulk.err).toMatch(/labelling from labels\.jsonl: done in/);
    const labelled = await withStore(async (s) => (await s.searchPredictions({ labelled: true })).items.map((p) => [p.requestId, p.index, p.label]));
    expect(labelled).toEqual([
      ['a1', 0, 'spam'],
      ['a2', 0, { y: 2 }],
      ['a3', 1, 1],
      ['h1', 0, 250],
    ]);
    expect((await cli('predictions', 'count', '--labelled')).out).toBe('4\n');
    expect((await cli('predictions', 'count', '--unlabelled')).out).toBe('1\n');
  });

  it('label refuses a malformed file naming the line, and missing arguments', async () => {
    await writeFile(join(dir, 'bad.jsonl'), '{"request_id": "a1", "label": "x"}\n{"request_id": "a2"}\n');
    const bad = await cli('predictions', 'label', '--file', 'bad.jsonl');
    expect(bad.code).toBe(EXIT_FAILURE);
    expect(bad.err).toMatch(/^error \[INVALID_DATA\]: .*bad\.jsonl:2: expected \{"request_id"/m);
    await writeFile(join(dir, 'notjson.jsonl'), 'nope\n');
    expect((await cli('predictions', 'label', '--file', 'notjson.jsonl')).err).toMatch(/error \[PARSE_ERROR\]: .*notjson\.jsonl:1: not JSON/);
    expect((await cli('predictions', 'label', 'a1')).err).toMatch(/error \[INVALID_ARGUMENT\]: give a request id and a label/);
    expect((await cli('predictions', 'label', '--file', 'missing.jsonl')).err).toMatch(/error \[NOT_FOUND\]: labels file .*missing\.jsonl not found/);
  });

  it('export writes JSON Lines to a file (refusing to overwrite without --force) or to stdout', async () => {
    const r = await cli('predictions', 'export', '--output', 'out.jsonl');
    expect(r.code, r.err).toBe(EXIT_OK);
    expect(r.out).toBe(`wrote 5 prediction(s) to ${join(dir, 'out.jsonl')}\n`);
    expect(r.err).toMatch(/exporting 5 prediction\(s\)/);
    const rows = (await readFile(join(dir, 'out.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { request_id: string; index: number; inputs: unknown });
    expect(rows.map((p) => `${p.request_id}#${p.index}`)).toEqual(['a1#0', 'a2#0', 'a3#0', 'a3#1', 'h1#0']);
    expect(rows[4]!.inputs).toEqual({ rooms: 'NaN' });
    const again = await cli('predictions', 'export', '--output', 'out.jsonl');
    expect(again.code).toBe(EXIT_FAILURE);
    expect(again.err).toMatch(/error \[ALREADY_EXISTS\]: .*out\.jsonl exists; add --force/);
    expect((await cli('predictions', 'export', '--output', 'out.jsonl', '--force', '--model', 'housing')).out).toMatch(/wrote 1 prediction/);
    const stdout = await cli('predictions', 'export', '--labelled');
    expect(stdout.out).toBe('');
    const some = await cli('predictions', 'export', '--since', '3h');
    expect(some.out.trim().split('\n').map((l) => JSON.parse(l).request_id)).toEqual(['a3', 'a3', 'h1']);
  });

  it('prune deletes what is older than --before (a duration or a date), or only counts it with --dry-run', async () => {
    const dry = await cli('predictions', 'prune', '--before', '24h', '--dry-run');
    expect(dry.out).toMatch(/^2 prediction\(s\) before .* would be deleted\n$/);
    expect((await cli('predictions', 'count')).out).toBe('5\n');
    expect((await cli('predictions', 'prune', '--before', '24h', '--model', 'housing')).out).toMatch(/^deleted 0 prediction/);
    const done = await cli('predictions', 'prune', '--before', new Date(NOW - 40 * HOUR).toISOString(), '--json');
    expect(JSON.parse(done.out)).toEqual({ deleted: 1, before: NOW - 40 * HOUR });
    expect((await cli('predictions', 'prune', '--before', '24h')).out).toMatch(/^deleted 1 prediction/);
    expect((await cli('predictions', 'count')).out).toBe('3\n');
  });

  it('bad option values are usage errors naming the option', async () => {
    const r = await cli('predictions', 'list', '--since', 'last tuesday');
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(/--since <time>.*expected a date/);
    expect((await cli('predictions', 'prune')).code).toBe(EXIT_USAGE);
    const both = await cli('predictions', 'count', '--labelled', '--unlabelled');
    expect(both.code).toBe(EXIT_FAILURE);
    expect(both.err).toMatch(/--labelled or --unlabelled, not both/);
  });
});

describe('timeArg', () => {
  it('reads durations back from now, dates and epoch ms', () => {
    expect(timeArg('7d', 1_000_000_000_000)).toBe(1_000_000_000_000 - 7 * 86_400_000);
    expect(timeArg('30m', 1_000_000_000_000)).toBe(1_000_000_000_000 - 1_800_000);
    expect(timeArg('2026-11-01')).toBe(Date.UTC(2026, 10, 1));
    expect(timeArg('1793491200000')).toBe(1793491200000);
    expect(() => timeArg('soon')).toThrow(/expected a date/);
  });
});
