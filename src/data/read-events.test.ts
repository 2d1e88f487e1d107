import { isAbsolute, join, relative } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { useEvents } from '../../test/support/events.js';
import { caught, useTempDir } from '../../test/support/temp-files.js';
import { subscribeDataRead, type DataReadEvent } from '../core/index.js';
import { loadAclImdb, loadDataset, loadTableDataset, loadText, readTable } from './index.js';

const tmp = useTempDir('read-events');
const listen = useEvents<DataReadEvent>(subscribeDataRead);

describe('data read events (core DATA_READ_CHANNEL)', () => {
  it('readTable publishes the absolute path, format, rows and schema of CSV, JSONL and Parquet files', async () => {
    const csv = await tmp.file('t.csv', 'x,name\n1.5,a\n2,b\n3,c\n');
    const jsonl = await tmp.file('t.jsonl', '{"x":1,"ok":true}\n{"x":2,"ok":false}\n');
    const parquet = await tmp.file(
      't.parquet',
      new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'n', data: [1, 2, 3, 4], type: 'INT32' }] })),
    );
    const events = listen();
    // a relative path is reported as an absolute one
    await readTable(relative(process.cwd(), csv));
    await readTable(jsonl);
    await readTable(parquet);
    expect(events).toEqual([
      { path: csv, format: 'csv', rows: 3, schema: [{ name: 'x', kind: 'number' }, { name: 'name', kind: 'string' }] },
      { path: jsonl, format: 'jsonl', rows: 2, schema: [{ name: 'x', kind: 'integer' }, { name: 'ok', kind: 'boolean' }] },
      { path: parquet, format: 'parquet', rows: 4, schema: [{ name: 'n', kind: 'integer' }] },
    ]);
    expect(events.every((e) => isAbsolute(e.path))).toBe(true);
  });

  it('text loaders publish once per file or folder, with rows and no schema', async () => {
    const csv = await tmp.file('texts.csv', 'text,label\nhello there,a\nbye now,b\n');
    const imdb = await tmp.file('imdb.csv', 'review,sentiment\ngreat,positive\nawful,negative\nfine,positive\n');
    const jsonl = await tmp.file('texts.jsonl', '{"text":"one","label":"x"}\n{"text":"two","label":"y"}\n');
    const root = tmp.path('aclImdb');
    await tmp.file(join('aclImdb', 'train', 'pos', '0_9.txt'), 'Good');
    await tmp.file(join('aclImdb', 'train', 'neg', '1_2.txt'), 'Bad');
    const events = listen();
    await loadText(csv);
    await loadText(imdb);
    await loadText(jsonl);
    await loadText(root, { split: 'train' });
    await loadAclImdb(root, { split: 'train' });
    expect(events).toEqual([
      { path: csv, format: 'csv', rows: 2, schema: null },
      { path: imdb, format: 'csv', rows: 3, schema: null },
      { path: jsonl, format: 'jsonl', rows: 2, schema: null },
      { path: root, format: 'aclimdb', rows: 2, schema: null },
      { path: root, format: 'aclimdb', rows: 2, schema: null },
    ]);
  });

  it('built-in datasets and failed reads publish nothing', async () => {
    const events = listen();
    await loadTableDataset('boston-housing');
    const kept = new Map<string, number>();
    const few = (ex: { label: string }): boolean => {
      kept.set(ex.label, (kept.get(ex.label) ?? 0) + 1);
      return kept.get(ex.label)! <= 3;
    };
    expect((await loadDataset('spam-assassin', { filter: few })).texts).toHaveLength(6);
    await caught(readTable(tmp.path('missing.csv')));
    const bad = await tmp.file('bad.csv', 'a,b\n1\n');
    await caught(readTable(bad));
    expect(events).toEqual([]);
  });
});
