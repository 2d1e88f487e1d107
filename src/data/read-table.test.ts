import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/support/sklearn-fixtures.js';
import { caught, useTempDir } from '../../test/support/temp-files.js';
import { CategoryColumn, NumericColumn, StringColumn, Table } from '../core/index.js';
import { parseTable, readTable, writeTableCsv, type ProgressInfo } from './index.js';

const tmp = useTempDir('read-table');

const MIXED = [
  'id,price,ok,day,when,city,code',
  '1,10.5,true,2024-01-31,2024-01-31T10:15:00Z,Oslo,007',
  '2,NA,false,2024-02-01,2024-02-01 08:00,,12',
  '3,-2e3,,N/A,,"Ber,gen",x1',
  '',
].join('\n');

describe('readTable: CSV', () => {
  it('infers integer, number, boolean, date and string per column, with pandas-style nulls', async () => {
    const t = await readTable(await tmp.file('mixed.csv', MIXED));
    expect(t.shape).toEqual([3, 7]);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
      ['id', 'integer'],
      ['price', 'number'],
      ['ok', 'boolean'],
      ['day', 'date'],
      ['when', 'date'],
      ['city', 'string'],
      ['code', 'string'],
    ]);
    expect(t.row(0)).toEqual({ id: 1, price: 10.5, ok: true, day: Date.UTC(2024, 0, 31), when: Date.UTC(2024, 0, 31, 10, 15), city: 'Oslo', code: '007' });
    // A timestamp without a zone is UTC; 'NA', 'N/A' and '' are missing.
    expect(t.row(1)).toEqual({ id: 2, price: null, ok: false, day: Date.UTC(2024, 1, 1), when: Date.UTC(2024, 1, 1, 8), city: null, code: '12' });
    expect(t.row(2)).toMatchObject({ price: -2000, ok: null, day: null, when: null, city: 'Ber,gen' });
    expect((t.column('price') as NumericColumn).nulls).toEqual(Uint8Array.of(0, 1, 0));
  });

  it('matches pandas.read_csv dtypes on a reference file (int64 → integer, float64 → number, bool → boolean, object → string)', async () => {
    const fx = loadFixture('data-tabular.json').inference as { csv: string; dtypes: Record<string, string>; ratio: (number | string)[]; price: number[] };
    const t = await parseTable(fx.csv, { format: 'csv' });
    const map: Record<string, string> = { int64: 'integer', float64: 'number', bool: 'boolean', object: 'string' };
    for (const [name, dtype] of Object.entries(fx.dtypes)) expect([name, t.column(name).kind]).toEqual([name, map[dtype]]);
    expect(Array.from((t.column('ratio') as NumericColumn).values)).toEqual(fx.ratio.map((x) => (x === 'inf' ? Infinity : x)));
    expect(Array.from((t.column('price') as NumericColumn).values)).toEqual(fx.price);
  });

  it('honours kinds overrides, categories, columns, nullValues, maxRows and the delimiter', async () => {
    const file = await tmp.file('semi.tsv', 'a\tb\tc\n1\tx\t-\n2\ty\t5\n3\tx\t6\n');
    const t = await readTable(file, { kinds: { a: 'number', b: 'category' }, nullValues: ['-'], columns: ['c', 'b', 'a'], maxRows: 2 });
    expect(t.columnNames).toEqual(['c', 'b', 'a']);
    expect(t.numRows).toBe(2);
    expect(t.column('a').kind).toBe('number');
    const b = t.column('b') as CategoryColumn;
    expect(b).toBeInstanceOf(CategoryColumn);
    expect([b.categories, Array.from(b.codes)]).toEqual([['x', 'y'], [0, 1]]);
    expect(t.get(0, 'c')).toBeNull();
    const semi = await readTable(await tmp.file('semi.csv', 'a;b\n1;2\n'), { delimiter: ';' });
    expect(semi.row(0)).toEqual({ a: 1, b: 2 });
    const fixed = await readTable(file, { categories: { b: ['y', 'x'] } });
    expect(Array.from((fixed.column('b') as CategoryColumn).codes)).toEqual([1, 0, 1]);
    const strings = await readTable(file, { kinds: { a: 'string' } });
    expect(strings.column('a')).toBeInstanceOf(StringColumn);
  });

  it('a value that does not parse as an overridden kind names the file, line, column, value and the fix; lists up to 10 then a count', async () => {
    const rows = ['n,flag'];
    for (let i = 0; i < 24; i++) rows.push(`${i % 2 === 0 ? 'bad' + i : i},${i === 3 ? 'maybe' : 'true'}`);
    const file = await tmp.file('bad-kinds.csv', rows.join('\n'));
    const err = await caught(readTable(file, { kinds: { n: 'integer', flag: 'boolean' } }));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(`${file} line 2, column 'n': "bad0" is not a valid integer`);
    expect(err.message).toContain(`line 5, column 'flag': "maybe" is not a valid boolean`);
    expect(err.message).toContain('... and 3 more');
    expect(err.message).toMatch(/declare the columns? 'n'/);
    expect(err.details).toMatchObject({ file, line: 2, field: 'n', value: 'bad0', count: 13 });
    const frac = await caught(readTable(await tmp.file('frac.csv', 'n\n1\n2.5\n'), { kinds: { n: 'integer' } }));
    expect(frac.message).toContain(`line 3, column 'n': "2.5" is not a valid integer`);
    const date = await caught(readTable(await tmp.file('date.csv', 'd\n2024-13-45\n'), { kinds: { d: 'date' } }));
    expect(date.message).toContain(`line 2, column 'd': "2024-13-45" is not a valid date`);
  });

  it('bad input: empty file, ragged rows (every one listed), unknown columns/kinds, unknown extension, missing file', async () => {
    const empty = await caught(readTable(await tmp.file('empty.csv', '')));
    expect([empty.code, empty.message]).toEqual(['INVALID_DATA', expect.stringContaining('empty.csv is empty')]);
    const ragged = await caught(readTable(await tmp.file('ragged.csv', 'a,b\n1,2\n3\n4,5,6\n7,8\n')));
    expect(ragged.code).toBe('INVALID_DATA');
    expect(ragged.message).toContain('ragged.csv line 3: expected 2 fields (as in the header) but got 1');
    expect(ragged.message).toContain('2 rows have the wrong number of fields');
    expect(ragged.message).toContain('line 4: 3 fields');
    const unknown = await caught(readTable(await tmp.file('u.csv', 'a,b\n1,2\n'), { columns: ['a', 'c'], kinds: { d: 'number' } }));
    expect(unknown.code).toBe('INVALID_ARGUMENT');
    expect(unknown.message).toContain("columns names column 'c'; kinds names column 'd'");
    expect(unknown.message).toContain("It has: 'a', 'b'");
    const kind = await caught(readTable(await tmp.file('k.csv', 'a\n1\n'), { kinds: { a: 'float' as never } }));
    expect(kind.message).toContain(`kinds.a is "float", not a column kind`);
    expect((await caught(readTable(await tmp.file('x.xlsx', 'a')))).message).toContain("cannot tell the format from the extension '.xlsx'");
    expect((await caught(readTable(tmp.path('nope.csv')))).code).toBe('NOT_FOUND');
    const dupe = await caught(readTable(await tmp.file('dupe.csv', 'a,a\n1,2\n')));
    expect(dupe.message).toContain("names column 'a' twice");
    const quote = await caught(readTable(await tmp.file('quote.csv', 'a\n"open\n')));
    expect(quote.code).toBe('PARSE_ERROR');
  });

  it('a column that looks numeric for a long stretch and then holds text keeps the original text of every row', async () => {
    const rows = ['id,code,x'];
    for (let i = 0; i < 5000; i++) rows.push(`${i},${i % 3 === 0 ? '007' : i % 3 === 1 ? '1.50' : 'NA'},${i}`);
    rows.push('5000,A-1,5000');
    const text = rows.join('\n') + '\n';
    for (const t of [await readTable(await tmp.file('late-text.csv', text), { maxRows: 5001 }), await parseTable(text, { format: 'csv' })]) {
      const code = t.column('code');
      expect(code).toBeInstanceOf(StringColumn);
      expect([code.get(0), code.get(1), code.get(2), code.get(5000)]).toEqual(['007', '1.50', null, 'A-1']);
      expect(code.nullCount).toBe(1666);
      expect(t.column('x').kind).toBe('integer');
    }
    const head = await readTable(tmp.path('late-text.csv'), { maxRows: 10 });
    expect(head.column('code').kind).toBe('number');
  });

  it('a header-only file gives an empty table; progress reports bytes and rows', async () => {
    const t = await readTable(await tmp.file('header.csv', 'a,b\n'));
    expect(t.shape).toEqual([0, 2]);
    const progress: ProgressInfo[] = [];
    const rows = ['x,y'];
    for (let i = 0; i < 2000; i++) rows.push(`${i},${i * 0.5}`);
    const file = await tmp.file('big.csv', rows.join('\n'));
    const big = await readTable(file, { onProgress: (p) => progress.push(p) });
    expect(big.numRows).toBe(2000);
    expect(progress.at(-1)).toMatchObject({ rows: 2001, bytes: (await readFile(file)).length });
  });
});

describe('readTable: JSONL', () => {
  it('uses JSON types, adds columns for new keys, treats missing keys as null, reads ISO date strings as dates', async () => {
    const file = await tmp.file(
      'rows.jsonl',
      ['{"a": 1, "b": "x", "c": true, "d": "2024-05-01"}', '', '{"a": 2.5, "b": null, "d": "2024-05-02T10:00:00Z", "e": 7}', '{"a": null, "b": "12", "c": false}'].join('\n'),
    );
    const t = await readTable(file);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
      ['a', 'number'],
      ['b', 'string'],
      ['c', 'boolean'],
      ['d', 'date'],
      ['e', 'integer'],
    ]);
    expect(t.toRecords()).toEqual([
      { a: 1, b: 'x', c: true, d: Date.UTC(2024, 4, 1), e: null },
      { a: 2.5, b: null, c: null, d: Date.UTC(2024, 4, 2, 10), e: 7 },
      { a: null, b: '12', c: false, d: null, e: null },
    ]);
    const typed = await readTable(file, { kinds: { b: 'category', e: 'number' }, columns: ['e', 'b'] });
    expect(typed.columns.map((c) => c.kind)).toEqual(['number', 'category']);
    expect(typed.toRecords()).toEqual([
      { e: null, b: 'x' },
      { e: 7, b: null },
      { e: null, b: '12' },
    ]);
    const bad = await caught(readTable(file, { kinds: { b: 'number' } }));
    expect(bad.message).toContain(`rows.jsonl line 1, column 'b': "x" is not a valid number`);
  });

  it('bad input: a non-object line, invalid JSON, an empty file', async () => {
    const arr = await caught(readTable(await tmp.file('arr.jsonl', '{"a":1}\n[1,2]\n')));
    expect(arr.message).toContain('arr.jsonl line 2: expected a JSON object');
    expect((await caught(readTable(await tmp.file('broken.jsonl', '{"a":1}\n{"a":\n')))).code).toBe('PARSE_ERROR');
    expect((await caught(readTable(await tmp.file('empty.jsonl', '\n\n')))).message).toContain('empty.jsonl is empty');
  });
});

describe('parseTable (in memory)', () => {
  it('parses CSV and JSONL text with the same rules as readTable', async () => {
    const fromFile = await readTable(await tmp.file('same.csv', MIXED));
    const fromText = await parseTable(MIXED, { format: 'csv' });
    expect(fromText.toRecords()).toEqual(fromFile.toRecords());
    const j = await parseTable(Buffer.from('{"x": 1}\n{"x": 2}\n'), { format: 'jsonl' });
    expect(j.toRecords()).toEqual([{ x: 1 }, { x: 2 }]);
    const err = await caught(parseTable('a\nb\n'));
    expect(err.message).toContain('parseTable needs { format');
    const bad = await caught(parseTable('n\nx\n', { format: 'csv', kinds: { n: 'number' }, name: 'upload.csv' }));
    expect(bad.message).toContain(`upload.csv line 2, column 'n': "x" is not a valid number`);
  });
});

describe('writeTableCsv', () => {
  it('round-trips kinds, nulls, quoting and dates through readTable, atomically', async () => {
    const t = new Table([
      NumericColumn.from('i', [1, null, -3]),
      NumericColumn.from('x', [0.1, 1e-20, null]),
      NumericColumn.from('b', [true, null, false]),
      new NumericColumn('d', Float64Array.of(Date.UTC(2024, 0, 1), NaN, Date.UTC(2024, 0, 2, 3, 4, 5, 6)), 'date'),
      StringColumn.from('s', ['a,b', 'say "hi"', null]),
      CategoryColumn.from('c', ['u', null, 'v']),
      StringColumn.from('lines', ['one\ntwo', ' padded ', 'x']),
    ]);
    const path = tmp.path('out/round.csv');
    await import('node:fs/promises').then((fs) => fs.mkdir(tmp.path('out'), { recursive: true }));
    await writeTableCsv(t, path);
    expect(await readdir(tmp.path('out'))).toEqual(['round.csv']);
    const back = await readTable(path, { kinds: { c: 'category' } });
    expect(back.columns.map((c) => c.kind)).toEqual(['integer', 'number', 'boolean', 'date', 'string', 'category', 'string']);
    expect(back.toRecords()).toEqual(t.toRecords());
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')[0]).toBe('i,x,b,d,s,c,lines');
    expect(text).toContain('2024-01-02T03:04:05.006Z');
    const err = await caught(writeTableCsv(t, tmp.path('no-such-dir/x.csv')));
    expect(err.code).toBe('NOT_FOUND');
  });
});

describe('number parsing', () => {
  it('accepts decimals, exponents, signs and inf; rejects hex, octal, binary, underscores and words', async () => {
    const t = await parseTable('a\n1\n-2.5\n+.5\n1e3\n-1E-2\n 7 \n-inf\nInfinity\n', { format: 'csv' });
    expect(Array.from((t.column('a') as NumericColumn).values)).toEqual([1, -2.5, 0.5, 1000, -0.01, 7, -Infinity, Infinity]);
    for (const bad of ['0x10', '0o7', '0b1', '1_000', '1,5', 'one', '--1', '.']) {
      const col = (await parseTable(`a\n1\n"${bad}"\n`, { format: 'csv' })).column('a');
      expect([bad, col.kind, col.get(1)]).toEqual([bad, 'string', bad]);
    }
  });
});
