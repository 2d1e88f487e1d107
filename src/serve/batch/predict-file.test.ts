import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMlshipError, Table, type Matrix } from '../../core/index.js';
import { ColumnTransformer, LinearRegression, LogisticRegression, MultinomialNB, OneHotEncoder, Pipeline, TfidfVectorizer } from '../../learn/index.js';
import { saveModel, tableSignature, textClassifierSignature } from '../../model/index.js';
import { MlshipClient } from '../../tracking/index.js';
import { predictFile, type BatchProgress } from './predict-file.js';
import { lineSource } from './sources.js';

let dir: string;
let textModel: string;
let textPipe: Pipeline;
let regModel: string;
const WORDS = ['free', 'money', 'win', 'prize', 'click', 'now', 'meeting', 'report', 'lunch', 'project', 'team', 'schedule', 'offer', 'cash', 'notes'];

/** A deterministic pseudo-document: spammy words for odd seeds, work words for even ones. */
function doc(i: number): string {
  const spam = i % 2 === 1;
  const n = 5 + (i % 7);
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(WORDS[(spam ? [0, 1, 2, 3, 4, 5, 12, 13] : [6, 7, 8, 9, 10, 11, 14])[(i * 7 + k * 3) % (spam ? 8 : 7)]!]!);
  return out.join(' ');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-batch-'));
  const texts = Array.from({ length: 60 }, (_, i) => doc(i));
  const labels = texts.map((_, i) => (i % 2 === 1 ? 'spam' : 'ham'));
  textPipe = new Pipeline([
    ['tfidf', new TfidfVectorizer()],
    ['clf', new MultinomialNB()],
  ]);
  textPipe.fit(texts, labels);
  textModel = join(dir, 'nb.mlship');
  await saveModel(textModel, textPipe, { signature: textClassifierSignature(textPipe.classes_ as string[]) });

  const n = 80;
  const X = Table.fromArrays({ rooms: Array.from({ length: n }, (_, i) => 2 + (i % 5)), city: Array.from({ length: n }, (_, i) => ['Oslo', 'Bergen'][i % 2]!) }, { kinds: { city: 'category' } });
  const y = Array.from({ length: n }, (_, i) => 100 * (2 + (i % 5)) + (i % 2 === 0 ? 50 : 0));
  const reg = new Pipeline([
    ['prep', new ColumnTransformer([['cat', new OneHotEncoder(), ['city']]], { remainder: 'passthrough' })],
    ['lr', new LinearRegression()],
  ]);
  reg.fit(X, y);
  regModel = join(dir, 'lr.mlship');
  await saveModel(regModel, reg, { signature: tableSignature(X, { task: 'regression' }) });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (p: string) => readFileSync(p, 'utf8');
const jsonLines = (p: string) =>
  read(p)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, any>);

describe('predictFile: text models', () => {
  it('writes id, label and probabilities in input order, and sends bad rows to the rejects file', async () => {
    const input = join(dir, 'mixed.jsonl');
    const good = Array.from({ length: 25 }, (_, i) => doc(i + 100));
    const lines = good.map((t, i) => JSON.stringify({ id: `d${i}`, text: t, extra: 1 }));
    lines.splice(3, 0, '{not json', '', '{"id":"n","text":42}', '{"id":"m"}', '{"id":"e","text":"   "}', '[1,2]');
    writeFileSync(input, lines.join('\r\n')); // CRLF, no final line end
    const output = join(dir, 'mixed-out.jsonl');
    const progress: BatchProgress[] = [];
    const r = await predictFile({ model: textModel, input, output, workers: 0, chunkSize: 4, onProgress: (p) => progress.push(p) });
    expect(r).toMatchObject({ rowsRead: 30, rowsWritten: 25, rowsRejected: 5, rejects: `${output}.rejects.jsonl`, modelKind: 'text' });
    const out = jsonLines(output);
    expect(out.map((o) => o.id)).toEqual(good.map((_, i) => `d${i}`));
    const proba = textPipe.predictProba(good) as Matrix;
    const labels = textPipe.predict(good) as string[];
    out.forEach((o, i) => {
      expect(o.label).toBe(labels[i]);
      expect(o.probabilities.ham).toBeCloseTo(proba.get(i, 0), 12);
      expect(o.probabilities.spam).toBeCloseTo(proba.get(i, 1), 12);
    });
    const rejects = jsonLines(r.rejects!);
    expect(rejects.map((x) => [x.line, x.row])).toEqual([
      [4, 4],
      [6, 5],
      [7, 6],
      [8, 7],
      [9, 8],
    ]);
    expect(rejects[0]!.reason).toMatch(/^unparsable line: invalid JSON/);
    expect(rejects[0]!.raw).toBe('{not json');
    expect(rejects[1]!.reason).toBe("wrong type: field 'text' must be a string, got number");
    expect(rejects[2]!.reason).toBe("missing text: no field 'text'");
    expect(rejects[3]!.reason).toBe("missing text: field 'text' is empty");
    expect(rejects[4]!.reason).toMatch(/^wrong type: expected a JSON object/);
    // progress after every chunk, ending with the totals; the checkpoint is gone when done
    expect(progress.at(-1)).toMatchObject({ rowsRead: 30, rowsWritten: 25, rowsRejected: 5, bytesRead: readFileSync(input).length });
    expect(progress.length).toBe(r.chunks + 1);
    expect(existsSync(`${output}.checkpoint.json`)).toBe(false);
  });

  it('reads CSV (quoted newlines, no id column: rows are numbered) and TXT, and writes CSV', async () => {
    const csvIn = join(dir, 'docs.csv');
    writeFileSync(csvIn, `title,text\na,"${doc(1)}\nsecond line, with comma"\nb,${doc(2)}\nc\nd,\n`);
    const csvOut = join(dir, 'docs-out.csv');
    const r = await predictFile({ model: textModel, input: csvIn, output: csvOut, workers: 0 });
    expect(r).toMatchObject({ rowsRead: 4, rowsWritten: 2, rowsRejected: 2 });
    const rows = read(csvOut).trim().split('\n');
    expect(rows[0]).toBe('row,label,proba_ham,proba_spam');
    expect(rows.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['1,spam', '2,ham']);
    const rej = jsonLines(r.rejects!);
    expect(rej.map((x) => [x.line, x.row, x.reason])).toEqual([
      [5, 3, 'wrong number of fields: expected 2 (the header\'s), got 1'],
      [6, 4, "missing text: field 'text' is empty"],
    ]);
    expect(rej[1]!.raw).toEqual({ title: 'd', text: '' });

    const txtIn = join(dir, 'docs.txt');
    writeFileSync(txtIn, `${doc(3)}\n\n${doc(4)}\n`);
    const txtOut = join(dir, 'docs-out.jsonl');
    const t = await predictFile({ model: textModel, input: txtIn, output: txtOut, workers: 0 });
    expect(t.rowsWritten).toBe(2);
    expect(jsonLines(txtOut).map((o) => [o.row, o.label])).toEqual([
      [1, 'spam'],
      [2, 'ham'],
    ]);
  });

  it('resolves a registry alias (models:/name@alias) through the tracking store', async () => {
    const trackingUri = `sqlite://${join(dir, 'mlship.db')}`;
    const client = await MlshipClient.open({ trackingUri });
    try {
      const v = await client.registerModel(textModel, 'spam');
      await client.registry.setAlias('spam', 'champion', v.version);
    } finally {
      await client.close();
    }
    const input = join(dir, 'alias.jsonl');
    writeFileSync(input, `${JSON.stringify({ text: doc(1) })}\n`);
    const r = await predictFile({ model: 'models:/spam@champion', trackingUri, input, output: join(dir, 'alias-out.jsonl'), workers: 0 });
    expect(r).toMatchObject({ rowsWritten: 1, modelKind: 'text' });
    expect(jsonLines(join(dir, 'alias-out.jsonl'))[0]).toMatchObject({ row: 1, label: 'spam' });
    await expect(predictFile({ model: 'models:/spam@nope', trackingUri, input, output: join(dir, 'alias-out.jsonl'), workers: 0 })).rejects.toThrow(/nope/);
  });

  it('rejects a line of invalid UTF-8 and keeps the others, ASCII or not', async () => {
    const input = join(dir, 'utf8.jsonl');
    const ok = Buffer.from(`{"text":"${doc(1)} café"}\n`);
    writeFileSync(input, Buffer.concat([ok, Buffer.from('{"text":"bad \xff byte"}\n', 'latin1'), Buffer.from(`{"text":"${doc(2)} ünïcode"}\n`)]));
    const output = join(dir, 'utf8-out.jsonl');
    const r = await predictFile({ model: textModel, input, output, workers: 0 });
    expect(r).toMatchObject({ rowsRead: 3, rowsWritten: 2, rowsRejected: 1 });
    expect(jsonLines(output).map((o) => o.row)).toEqual([1, 3]);
    expect(jsonLines(r.rejects!)[0]).toMatchObject({ line: 2, row: 2, reason: 'invalid UTF-8 in this line' });
  });

  it('gives the same bytes on worker threads as on the calling thread, whatever the chunk size', async () => {
    const input = join(dir, 'many.jsonl');
    writeFileSync(input, Array.from({ length: 3000 }, (_, i) => (i % 97 === 0 ? '{"text": null}' : JSON.stringify({ text: doc(i) }))).join('\n') + '\n');
    const a = await predictFile({ model: textModel, input, output: join(dir, 'many-0.csv'), workers: 0 });
    const b = await predictFile({ model: textModel, input, output: join(dir, 'many-2.csv'), workers: 2, chunkSize: 37 });
    expect(a).toMatchObject({ rowsRead: 3000, rowsRejected: 31, chunks: 1 });
    expect(b).toMatchObject({ rowsRead: 3000, rowsRejected: 31, chunks: 82, workers: 2 });
    expect(read(join(dir, 'many-0.csv')).split('\n').length).toBe(3000 - 31 + 2);
    expect(read(join(dir, 'many-2.csv'))).toBe(read(join(dir, 'many-0.csv')));
    expect(read(b.rejects!)).toBe(read(a.rejects!));
  }, 30_000);
});

describe('predictFile: tabular models', () => {
  it('coerces CSV cells to the signature and rejects wrong types and values outside it', async () => {
    const input = join(dir, 'houses.csv');
    writeFileSync(input, 'id,rooms,city,note\n7,3,Oslo,x\n8,four,Bergen,y\n9,2,Paris,z\n10,5,Bergen,w\n');
    const output = join(dir, 'houses-out.jsonl');
    const r = await predictFile({ model: regModel, input, output, workers: 0 });
    expect(r).toMatchObject({ rowsRead: 4, rowsWritten: 2, rowsRejected: 2, modelKind: 'regressor' });
    const out = jsonLines(output);
    expect(out.map((o) => o.id)).toEqual(['7', '10']);
    expect(out[0]!.prediction).toBeCloseTo(350, 6);
    expect(out[1]!.prediction).toBeCloseTo(500, 6);
    const rej = jsonLines(r.rejects!);
    expect(rej[0]!.reason).toBe('wrong type: column \'rooms\' must be a number, got "four"');
    expect(rej[1]!.reason).toMatch(/^value outside the signature: .*city is "Paris"; allowed values: Bergen, Oslo|^value outside the signature: .*Paris/);
    expect(rej[1]).toMatchObject({ line: 4, row: 3, raw: { id: '9', rooms: '2', city: 'Paris', note: 'z' } });
  });

  it('writes label and class probabilities for a tabular classifier, from JSONL', async () => {
    const n = 60;
    const X = Table.fromArrays({ size: Array.from({ length: n }, (_, i) => i % 10), shiny: Array.from({ length: n }, (_, i) => i % 3 === 0) });
    const y = Array.from({ length: n }, (_, i) => (i % 10 >= 5 ? 'big' : 'small'));
    const clf = new LogisticRegression();
    clf.fit(X, y);
    const model = join(dir, 'clf.mlship');
    await saveModel(model, clf, { signature: tableSignature(X, { task: 'classification', classes: clf.classes_ as string[] }) });
    const input = join(dir, 'things.jsonl');
    writeFileSync(input, ['{"size": 9, "shiny": true}', '{"size": 1, "shiny": false}', '{"size": "9", "shiny": true}', '{"shiny": true}'].join('\n'));
    const output = join(dir, 'things.csv');
    const r = await predictFile({ model, input, output, workers: 0 });
    expect(r).toMatchObject({ rowsRead: 4, rowsWritten: 2, rowsRejected: 2, modelKind: 'tabular-classifier' });
    const rows = read(output).trim().split('\n');
    expect(rows[0]).toBe('row,label,proba_big,proba_small');
    const expected = clf.predictProba(Table.fromArrays({ size: [9, 1], shiny: [true, false] }));
    rows.slice(1).forEach((line, i) => {
      const [row, label, pBig, pSmall] = line.split(',');
      expect([row, label]).toEqual([String(i + 1), i === 0 ? 'big' : 'small']);
      expect(Number(pBig)).toBeCloseTo(expected.get(i, 0), 12);
      expect(Number(pSmall)).toBeCloseTo(expected.get(i, 1), 12);
    });
    const rej = jsonLines(r.rejects!);
    expect(rej.map((x) => x.reason)).toEqual(['wrong type: size must be an integer, got "9"', "missing value: field 'size' (integer) is required"]);
  });

  it('reads Parquet row range by row range', async () => {
    const input = join(dir, 'houses.parquet');
    const n = 23;
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: 'rooms', data: Array.from({ length: n }, (_, i) => 2 + (i % 5)), type: 'DOUBLE' },
        { name: 'city', data: Array.from({ length: n }, (_, i) => (i === 4 ? 'Rome' : ['Oslo', 'Bergen'][i % 2]!)), type: 'STRING' },
      ],
    });
    writeFileSync(input, new Uint8Array(bytes));
    const output = join(dir, 'houses-pq.csv');
    const r = await predictFile({ model: regModel, input, output, workers: 0, chunkSize: 5 });
    expect(r).toMatchObject({ rowsRead: 23, rowsWritten: 22, rowsRejected: 1, chunks: 5 });
    const rows = read(output).trim().split('\n');
    expect(rows[0]).toBe('row,prediction');
    expect(rows[1]!.split(',')[0]).toBe('1');
    expect(Number(rows[1]!.split(',')[1])).toBeCloseTo(250, 6);
    expect(jsonLines(r.rejects!)[0]).toMatchObject({ line: 5, row: 5, raw: { rooms: 6, city: 'Rome' } });
  });

  it('refuses a .txt input and an input without the model columns', async () => {
    const txt = join(dir, 'x.txt');
    writeFileSync(txt, 'hello\n');
    await expect(predictFile({ model: regModel, input: txt, output: join(dir, 'x.csv'), workers: 0 })).rejects.toThrow(/tabular model/);
    const csv = join(dir, 'nocols.csv');
    writeFileSync(csv, 'rooms\n3\n');
    await expect(predictFile({ model: regModel, input: csv, output: join(dir, 'x.csv'), workers: 0 })).rejects.toThrow(/lacks the model's input column city/);
  });
});

describe('mlship predict --output', () => {
  /** Runs the CLI from sources in a child process. */
  function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const bin = fileURLToPath(new URL('../../cli/bin.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', tsx, bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  it('streams the input to the output file, reports the counts and throughput, and shows progress on stderr', async () => {
    writeFileSync(join(dir, 'cli.jsonl'), [JSON.stringify({ id: 'a', text: doc(1) }), '{"id": "b"}', JSON.stringify({ id: 'c', text: doc(2) })].join('\n') + '\n');
    const r = await cli(['predict', '--model', textModel, '--input', 'cli.jsonl', '--output', 'cli-out.csv', '--workers', '0', '--chunk-size', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rows read +3\n/);
    expect(r.stdout).toMatch(/rows written +2 -> .*cli-out\.csv\n/);
    expect(r.stdout).toMatch(/rows rejected +1 -> .*cli-out\.csv\.rejects\.jsonl\n/);
    expect(r.stdout).toMatch(/throughput +[\d,]+ rows\/s \([\d.]+ s, 0 workers, 2 chunks\)/);
    expect(r.stderr).toContain('predicting cli.jsonl');
    expect(read(join(dir, 'cli-out.csv')).split('\n').map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['id,label', 'a,spam', 'c,ham', '']);

    const again = await cli(['predict', '--model', textModel, '--input', 'cli.jsonl', '--output', 'cli-out.csv', '--resume']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/NOT_FOUND.*no checkpoint .*cli-out\.csv\.checkpoint\.json/);
  }, 30_000);
});

describe('lineSource', () => {
  it('cuts at line ends across small blocks, counting blank lines and a last line without an end', async () => {
    const file = join(dir, 'lines.jsonl');
    const text = 'a1\n\n  \nb22\r\nc333\n\nd\ne55555';
    writeFileSync(file, text);
    for (const block of [1, 2, 3, 7, 64]) {
      const chunks = [];
      for await (const c of lineSource(file, text.length, 2, { rowsDone: 0, offset: 0, line: 1 }, block).chunks()) chunks.push(c);
      const decoded = chunks.map((c) => (c.input.type === 'lines' ? [Buffer.from(c.input.bytes).toString(), c.input.firstLine, c.input.firstRow, c.rows, c.end] : null));
      expect(decoded).toEqual([
        ['a1\n\n  \nb22\r\n', 1, 1, 2, { rowsDone: 2, offset: 12, line: 5 }],
        ['c333\n\nd\n', 5, 3, 2, { rowsDone: 4, offset: 20, line: 8 }],
        ['e55555', 8, 5, 1, { rowsDone: 5, offset: 26, line: 9 }],
      ]);
      // resuming from a chunk end reads the same remainder
      const rest = [];
      for await (const c of lineSource(file, text.length, 2, { rowsDone: 2, offset: 12, line: 5 }, block).chunks()) rest.push(c.end);
      expect(rest).toEqual([chunks[1]!.end, chunks[2]!.end]);
    }
  });
});

describe('predictFile: checkpoints and resume', () => {
  /** A child process that runs predictFile on one worker and prints `CHUNK <n>` after each chunk. */
  function startChild(input: string, output: string): { waitFor: (n: number) => Promise<void>; kill: () => void; done: Promise<unknown> } {
    const script = join(dir, 'child.mts');
    const entry = pathToFileURL(fileURLToPath(new URL('./predict-file.ts', import.meta.url))).href;
    writeFileSync(
      script,
      `import { predictFile } from ${JSON.stringify(entry)};
const [model, input, output] = process.argv.slice(2);
await predictFile({ model, input, output, workers: 1, chunkSize: 50, onProgress: (p) => process.stdout.write('CHUNK ' + p.chunksDone + '\\n') });
process.stdout.write('FINISHED\\n');
`,
    );
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--import', tsx, script, textModel, input, output], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const waiters: [number, () => void, (e: Error) => void][] = [];
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      const last = Math.max(0, ...[...stdout.matchAll(/CHUNK (\d+)/g)].map((m) => Number(m[1])));
      for (const w of waiters.splice(0)) {
        if (last >= w[0]) w[1]();
        else waiters.push(w);
      }
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
    void done.then(() => waiters.splice(0).forEach((w) => w[2](new Error(`child exited early: ${stdout} ${stderr}`))));
    return { waitFor: (n) => new Promise<void>((res, rej) => waiters.push([n, res, rej])), kill: () => child.kill('SIGKILL'), done };
  }

  it('continues a run killed with SIGKILL and ends byte for byte equal to an uninterrupted run', async () => {
    const input = join(dir, 'big.jsonl');
    const lines = Array.from({ length: 8000 }, (_, i) => (i % 331 === 5 ? '{"id": 0, "text": 3}' : JSON.stringify({ id: i, text: `${doc(i)} ${doc(i + 3)} ${doc(i + 5)}` })));
    writeFileSync(input, lines.join('\n') + '\n');
    const reference = join(dir, 'ref.csv');
    const ref = await predictFile({ model: textModel, input, output: reference, workers: 0, chunkSize: 50 });

    const output = join(dir, 'killed.csv');
    const child = startChild(input, output);
    await child.waitFor(6);
    child.kill();
    const exit = (await child.done) as { signal: string; stdout: string };
    expect(exit.signal).toBe('SIGKILL');
    expect(exit.stdout).not.toContain('FINISHED');
    const cp = JSON.parse(read(`${output}.checkpoint.json`)) as { rowsDone: number; chunksDone: number; outputBytes: number };
    expect(cp.chunksDone).toBeGreaterThanOrEqual(6);
    expect(cp.rowsDone).toBeLessThan(8000);
    // A partly written chunk past the checkpoint is cut off on resume.
    appendFileSync(output, 'partial,row,from,a,killed,run\n');

    await expect(predictFile({ model: textModel, input, output, workers: 0 })).rejects.toThrow(/pass --resume to continue it or --restart/);
    const resumed = await predictFile({ model: textModel, input, output, workers: 2, chunkSize: 64, resume: true });
    expect(resumed.resumedFromRow).toBe(cp.rowsDone);
    expect(resumed).toMatchObject({ rowsRead: 8000, rowsWritten: ref.rowsWritten, rowsRejected: ref.rowsRejected });
    expect(read(output)).toBe(read(reference));
    expect(read(`${output}.rejects.jsonl`)).toBe(read(`${reference}.rejects.jsonl`));
    expect(existsSync(`${output}.checkpoint.json`)).toBe(false);
  }, 30_000);

  it('refuses to resume when the input or the model changed, and --restart starts over', async () => {
    const input = join(dir, 'resume.jsonl');
    writeFileSync(input, Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: doc(i) })).join('\n') + '\n');
    const output = join(dir, 'resume.jsonl.out.jsonl');
    const checkpoint = `${output}.checkpoint.json`;
    // a run that stopped after its first chunk: its checkpoint, as predictFile leaves it when the process dies
    let stopped = false;
    await predictFile({
      model: textModel,
      input,
      output,
      workers: 0,
      chunkSize: 10,
      onProgress: (p) => {
        if (p.chunksDone === 1 && !stopped) {
          stopped = true;
          writeFileSync(join(dir, 'cp-copy.json'), read(checkpoint));
        }
      },
    });
    writeFileSync(checkpoint, read(join(dir, 'cp-copy.json')));
    const other = join(dir, 'other.mlship');
    const p2 = new Pipeline([
      ['tfidf', new TfidfVectorizer()],
      ['clf', new MultinomialNB({ alpha: 0.5 })],
    ]);
    p2.fit([doc(1), doc(2), doc(3), doc(4)], ['spam', 'ham', 'spam', 'ham']);
    await saveModel(other, p2, { signature: textClassifierSignature(['ham', 'spam']) });
    const err = await predictFile({ model: other, input, output, workers: 0, resume: true }).catch((e: unknown) => e);
    expect(isMlshipError(err, 'CONFLICT') && err.message).toMatch(/the model changed since the checkpoint.*--restart/);

    const t = new Date(Date.now() + 5000);
    utimesSync(input, t, t);
    const err2 = await predictFile({ model: textModel, input, output, workers: 0, resume: true }).catch((e: unknown) => e);
    expect(isMlshipError(err2, 'CONFLICT') && err2.message).toMatch(/the input changed since the checkpoint.*--restart/);

    const r = await predictFile({ model: textModel, input, output, workers: 0, resume: false });
    expect(r).toMatchObject({ rowsRead: 40, resumedFromRow: 0 });
    const noCp = await predictFile({ model: textModel, input, output, workers: 0, resume: true }).catch((e: unknown) => e);
    expect(isMlshipError(noCp, 'NOT_FOUND')).toBe(true);

    writeFileSync(checkpoint, '{"version": 1, "rowsDone": -3');
    const bad = await predictFile({ model: textModel, input, output, workers: 0, resume: true }).catch((e: unknown) => e);
    expect(isMlshipError(bad, 'CORRUPT_ARTIFACT') && bad.message).toMatch(/is not valid JSON.*--restart/);
    expect((await predictFile({ model: textModel, input, output, workers: 0, resume: false })).rowsRead).toBe(40);
  });
});
