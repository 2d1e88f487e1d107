import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caught, useTempDir } from '../../test/support/temp-files.js';
import {
  fingerprintTextDataset,
  loadAclImdb,
  loadImdbCsv,
  loadText,
  loadTextCsv,
  loadTextJsonl,
  type ProgressInfo,
} from './index.js';

const tmp = useTempDir('text');
const file = tmp.file;


const IMDB = [
  'review,sentiment',
  '"One of the best films.<br /><br />The acting, the score, ""everything"" works.",positive',
  'Dull and too long.,negative',
  '"Two\nlines, <br />still good",positive',
].join('\n');

describe('loadTextCsv', () => {
  it('keeps the text and label columns of a quoted CSV with CRLF and BOM, dropping the others', async () => {
    const path = await file(
      'tickets.csv',
      '\uFEFFid,body,queue,extra\r\n7,"Printer, jammed ""again""",it,zzz\r\n8,"Refund\r\nplease",billing,zzz\r\n',
    );
    const ds = await loadTextCsv(path, { textColumn: 'body', labelColumn: 'queue', idColumn: 'id' });
    expect(ds).toEqual({
      texts: ['Printer, jammed "again"', 'Refund\r\nplease'],
      labels: ['it', 'billing'],
      ids: ['7', '8'],
      source: path,
    });
  });

  it('defaults to the columns text and label, and supports another delimiter', async () => {
    const path = await file('semi.csv', 'label;text\nham;"a;b"\nspam;c\n');
    const ds = await loadTextCsv(path, { delimiter: ';' });
    expect(ds.texts).toEqual(['a;b', 'c']);
    expect(ds.labels).toEqual(['ham', 'spam']);
    expect(ds.ids).toBeUndefined();
  });

  it('missing column: INVALID_DATA listing the header columns', async () => {
    const path = await file('cols.csv', 'body,queue\nx,y\n');
    const err = await caught(loadTextCsv(path));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(`${path}: missing columns 'text', 'label'. The header (line 1) has: 'body', 'queue'`);
  });

  it('empty file and header-only file: INVALID_DATA naming the file', async () => {
    const empty = await file('empty.csv', '');
    const e1 = await caught(loadTextCsv(empty));
    expect(e1.code).toBe('INVALID_DATA');
    expect(e1.message).toContain(`${empty} is empty`);
    const headerOnly = await file('header.csv', 'text,label\n');
    const e2 = await caught(loadTextCsv(headerOnly));
    expect(e2.message).toContain(`${headerOnly}: the file has a header but no data rows`);
  });

  it('collects row problems (empty text, empty label, ragged row) with their lines', async () => {
    const path = await file('problems.csv', 'text,label\nfine,a\n,b\n  ,c\nno label,\nx,y,z\nok,b\n');
    const err = await caught(loadTextCsv(path));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(`${path}: 4 problems found:`);
    expect(err.message).toContain("line 3: empty text in column 'text'");
    expect(err.message).toContain("line 4: empty text in column 'text'");
    expect(err.message).toContain("line 5: empty label in column 'label'");
    expect(err.message).toContain('line 6: expected 2 fields (as in the header) but got 3');
    expect(err.details).toMatchObject({ file: path, line: 3, count: 4 });
  });

  it('lists at most 10 problems and counts the rest', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `,label${i % 2}`);
    const path = await file('many-problems.csv', `text,label\n${rows.join('\n')}\n`);
    const err = await caught(loadTextCsv(path));
    expect(err.message).toContain('25 problems found');
    expect(err.message.match(/empty text/g)).toHaveLength(10);
    expect(err.message).toContain('... and 15 more problems');
    expect(err.message).toContain('line 11:');
    expect(err.message).not.toContain('line 12:');
  });

  it('one class only: INVALID_DATA that names the class', async () => {
    const path = await file('one-class.csv', 'text,label\na,spam\nb,spam\n');
    const err = await caught(loadTextCsv(path));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain("needs at least two classes, found only 'spam' (in 2 documents)");
  });

  it('limit stops early; filter keeps matching rows; a limit that leaves one class says so', async () => {
    const body = Array.from({ length: 100 }, (_, i) => `doc ${i},${i < 50 ? 'a' : 'b'}`).join('\n');
    const path = await file('hundred.csv', `text,label\n${body}\n`);
    const filtered = await loadTextCsv(path, { filter: (ex) => ex.line! % 10 === 2, limit: 8 });
    expect(filtered.texts).toEqual(['doc 0', 'doc 10', 'doc 20', 'doc 30', 'doc 40', 'doc 50', 'doc 60', 'doc 70']);
    const err = await caught(loadTextCsv(path, { limit: 5 }));
    expect(err.message).toContain("found only 'a'");
    expect(err.message).toContain('limit or filter');
    const none = await caught(loadTextCsv(path, { filter: () => false }));
    expect(none.message).toContain('no rows passed the filter (100 rows read)');
    expect((await caught(loadTextCsv(path, { limit: 0 }))).code).toBe('INVALID_ARGUMENT');
  });

  it('invalid UTF-8: INVALID_DATA naming file and line', async () => {
    const path = await file('latin1.csv', Buffer.concat([Buffer.from('text,label\nok,a\ncaf'), Buffer.from([0xe9]), Buffer.from(',b\n')]));
    const err = await caught(loadTextCsv(path));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(`${path}: invalid UTF-8 at line 3`);
  });

  it('unterminated quote: PARSE_ERROR naming the line where the field starts', async () => {
    const path = await file('unterminated.csv', 'text,label\nok,a\n"runs on\nand on,b\n');
    const err = await caught(loadTextCsv(path));
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.message).toContain(`${path} line 3: unterminated quoted field`);
  });

  it('reports progress ending with all bytes and rows', async () => {
    const path = await file('progress.csv', 'text,label\n' + 'doc,a\ndoc,b\n'.repeat(500));
    const calls: ProgressInfo[] = [];
    await loadTextCsv(path, { onProgress: (p) => calls.push(p) });
    expect(calls.at(-1)).toMatchObject({ bytes: 11 + 12 * 500, totalBytes: 11 + 12 * 500, rows: 1001 });
  });
});

describe('loadImdbCsv', () => {
  it('reads review,sentiment keeping <br /> tags and raw text', async () => {
    const path = await file('imdb.csv', IMDB);
    const ds = await loadImdbCsv(path);
    expect(ds.texts).toEqual([
      'One of the best films.<br /><br />The acting, the score, "everything" works.',
      'Dull and too long.',
      'Two\nlines, <br />still good',
    ]);
    expect(ds.labels).toEqual(['positive', 'negative', 'positive']);
  });

  it('a label other than positive/negative is INVALID_DATA naming line and value', async () => {
    const path = await file('imdb-bad.csv', 'review,sentiment\ngood,positive\nbad,negative\nmeh,neutral\n"x\ny",POSITIVE\n');
    const err = await caught(loadImdbCsv(path));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(`line 4: label "neutral" in column 'sentiment' is neither 'positive' nor 'negative'`);
    expect(err.message).toContain('line 5: label "POSITIVE"');
    expect(err.details.line).toBe(4);
  });

  it('a file without the sentiment column is INVALID_DATA listing its header', async () => {
    const path = await file('imdb-cols.csv', 'review,label\nx,positive\n');
    const err = await caught(loadImdbCsv(path));
    expect(err.message).toContain("missing column 'sentiment'. The header (line 1) has: 'review', 'label'");
  });
});

describe('loadTextJsonl', () => {
  it('keeps the chosen fields, converts numeric labels, and skips blank lines', async () => {
    const path = await file(
      'reviews.jsonl',
      ['{"id":"r1","body":"great","stars":5,"junk":[1,2]}', '', '{"id":"r2","body":"awful","stars":1}', '  '].join('\n'),
    );
    const ds = await loadTextJsonl(path, { textField: 'body', labelField: 'stars', idField: 'id' });
    expect(ds).toEqual({ texts: ['great', 'awful'], labels: ['5', '1'], ids: ['r1', 'r2'], source: path });
  });

  it('collects missing, non-string and empty fields and non-object lines with their lines', async () => {
    const path = await file(
      'bad-fields.jsonl',
      ['{"text":"ok","label":"a"}', '{"label":"a"}', '{"text":3,"label":"b"}', '{"text":"","label":"b"}', '[1]', '{"text":"x","label":null}', '{"text":"y","label":{"k":1}}'].join('\n'),
    );
    const err = await caught(loadTextJsonl(path));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(`${path}: 6 problems found:`);
    expect(err.message).toContain("line 2: missing field 'text'");
    expect(err.message).toContain("line 3: field 'text' must be a string, got number");
    expect(err.message).toContain("line 4: empty text in field 'text'");
    expect(err.message).toContain("line 5: expected a JSON object with fields 'text' and 'label', got an array");
    expect(err.message).toContain("line 6: missing field 'label'");
    expect(err.message).toContain("line 7: field 'label' must be a string, number or boolean, got object");
  });

  it('bad JSON: PARSE_ERROR with file and line; empty file: INVALID_DATA', async () => {
    const bad = await file('bad.jsonl', '{"text":"a","label":"x"}\n{"text":"b",\n');
    const err = await caught(loadTextJsonl(bad));
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.message).toContain(`${bad} line 2: invalid JSON`);
    const empty = await file('empty.jsonl', '\n\n');
    const e2 = await caught(loadTextJsonl(empty));
    expect(e2.code).toBe('INVALID_DATA');
    expect(e2.message).toContain(`${empty}: the file is empty (no JSON lines)`);
  });

  it('one class: INVALID_DATA', async () => {
    const path = await file('one.jsonl', '{"text":"a","label":1}\n{"text":"b","label":1}\n');
    expect((await caught(loadTextJsonl(path))).message).toContain("found only '1'");
  });
});

async function aclTree(root: string): Promise<void> {
  const reviews: [string, string][] = [
    ['train/pos/10_9.txt', 'Great fun.<br />Loved it'],
    ['train/pos/2_8.txt', 'Good'],
    ['train/pos/1_10.txt', 'Best film'],
    ['train/neg/3_1.txt', 'Awful'],
    ['train/neg/0_2.txt', '\uFEFFBad'],
    ['test/pos/0_7.txt', 'Nice'],
    ['test/neg/5_4.txt', 'Meh'],
    ['train/unsup/0_0.txt', 'not labelled'],
    ['train/urls_pos.txt', 'http://example.com'],
    ['imdb.vocab', 'the\nand\n'],
  ];
  for (const [rel, text] of reviews) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
}

describe('loadAclImdb', () => {
  it('reads train|test/neg|pos in a deterministic order, ignoring unsup, with ids and ratings', async () => {
    const root = tmp.path('aclImdb');
    await aclTree(root);
    const all = await loadAclImdb(root);
    expect(all.ids).toEqual(['train/neg/0_2', 'train/neg/3_1', 'train/pos/1_10', 'train/pos/2_8', 'train/pos/10_9', 'test/neg/5_4', 'test/pos/0_7']);
    expect(all.ratings).toEqual([2, 1, 10, 8, 9, 4, 7]);
    expect(all.labels).toEqual(['neg', 'neg', 'pos', 'pos', 'pos', 'neg', 'pos']);
    expect(all.texts[0]).toBe('Bad');
    expect(all.texts[4]).toBe('Great fun.<br />Loved it');
    const test = await loadAclImdb(root, { split: 'test' });
    expect(test.ids).toEqual(['test/neg/5_4', 'test/pos/0_7']);
    const kept = await loadAclImdb(root, { split: 'train', filter: (ex) => ex.id !== 'train/pos/2_8' });
    expect(kept.ratings).toEqual([2, 1, 10, 9]);
    const progress: ProgressInfo[] = [];
    await loadAclImdb(root, { split: 'train', onProgress: (p) => progress.push(p) });
    expect(progress.at(-1)).toMatchObject({ rows: 5, totalRows: 5, totalBytes: undefined });
  });

  it('missing folders are NOT_FOUND describing the layout; bad split is INVALID_ARGUMENT', async () => {
    const root = tmp.path('half');
    await file('half/train/pos/0_9.txt', 'x');
    const err = await caught(loadAclImdb(root, { split: 'train' }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(`${root}: missing folder train/neg`);
    expect((await caught(loadAclImdb(tmp.path('nowhere')))).code).toBe('NOT_FOUND');
    expect((await caught(loadAclImdb(root, { split: 'dev' as 'train' }))).code).toBe('INVALID_ARGUMENT');
  });

  it('collects empty, badly named and non-UTF-8 review files', async () => {
    const root = tmp.path('broken');
    await file('broken/train/pos/0_9.txt', 'fine');
    await file('broken/train/pos/1_9.txt', '   ');
    await file('broken/train/pos/review.txt', 'x');
    await file('broken/train/neg/0_1.txt', Buffer.from([0x61, 0x0a, 0xff]));
    await file('broken/train/neg/1_1.txt', 'bad');
    const err = await caught(loadAclImdb(root, { split: 'train' }));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain('3 problems found');
    expect(err.message).toContain('train/pos/review.txt: file name is not <id>_<rating>.txt');
    expect(err.message).toContain('train/neg/0_1.txt line 2: invalid UTF-8 (bytes ff)');
    expect(err.message).toContain('train/pos/1_9.txt: empty review');
  });
});

describe('loadText', () => {
  it('picks the loader from the source', async () => {
    const imdb = await loadText(await file('pick/imdb.csv', IMDB));
    expect(imdb.labels).toEqual(['positive', 'negative', 'positive']);
    const csv = await loadText(await file('pick/t.csv', 'a,b\nx,1\ny,0\n'), { textColumn: 'a', labelColumn: 'b' });
    expect(csv.labels).toEqual(['1', '0']);
    const tsv = await loadText(await file('pick/t.tsv', 'text\tlabel\nx,y\t1\nz\t0\n'));
    expect(tsv.texts).toEqual(['x,y', 'z']);
    const jsonl = await loadText(await file('pick/t.jsonl', '{"text":"x","label":"a"}\n{"text":"y","label":"b"}\n'));
    expect(jsonl.texts).toEqual(['x', 'y']);
    const root = tmp.path('pick/aclImdb');
    await aclTree(root);
    expect((await loadText(root, { split: 'test' })).ids).toEqual(['test/neg/5_4', 'test/pos/0_7']);
  });

  it('a CSV whose header is not review,sentiment needs its columns', async () => {
    const path = await file('pick/other.csv', 'review,sentiment,extra\nx,positive,1\n');
    const err = await caught(loadText(path));
    expect(err.message).toContain("missing columns 'text', 'label'");
  });

  it('unknown source: NOT_FOUND listing built-ins; unknown extension: INVALID_ARGUMENT', async () => {
    const err = await caught(loadText('spam-asassin'));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('not a built-in dataset (spam-assassin)');
    const ext = await caught(loadText(await file('pick/data.xlsx', 'x')));
    expect(ext.code).toBe('INVALID_ARGUMENT');
    expect(ext.message).toContain('.csv, .tsv, .jsonl');
  });
});

describe('fingerprintTextDataset', () => {
  it('is stable, order-, label- and boundary-sensitive (edge cases: empty, unicode)', () => {
    const base = { texts: ['a b', 'café 😀'], labels: ['x', 'y'] };
    const fp = fingerprintTextDataset(base);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintTextDataset({ texts: ['a b', 'café 😀'], labels: ['x', 'y'] })).toBe(fp);
    expect(fingerprintTextDataset({ texts: ['café 😀', 'a b'], labels: ['y', 'x'] })).not.toBe(fp);
    expect(fingerprintTextDataset({ texts: ['a b', 'café 😀'], labels: ['x', 'x'] })).not.toBe(fp);
    expect(fingerprintTextDataset({ texts: ['ab', 'c'], labels: ['x', 'y'] })).not.toBe(fingerprintTextDataset({ texts: ['a', 'bc'], labels: ['x', 'y'] }));
    expect(fingerprintTextDataset({ texts: [], labels: [] })).toMatch(/^[0-9a-f]{64}$/);
    expect(() => fingerprintTextDataset({ texts: ['a'], labels: [] })).toThrow(/1 texts but 0 labels/);
  });
});
