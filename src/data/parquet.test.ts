import { readFile } from 'node:fs/promises';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { caught, useTempDir } from '../../test/support/temp-files.js';
import { CategoryColumn, NumericColumn, StringColumn } from '../core/index.js';
import { parseTable, readTable, writeTableCsv, type ProgressInfo } from './index.js';

const tmp = useTempDir('parquet');

function sample(): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'name', data: ['Alice', null, 'Carol', 'Dan'], type: 'STRING' },
        { name: 'age', data: [25, 30, null, 41], type: 'INT32' },
        { name: 'visits', data: [1n, 2n, 3n, null], type: 'INT64' },
        { name: 'score', data: [1.5, null, -2.25, 1e-9], type: 'DOUBLE' },
        { name: 'ratio', data: [0.5, 0.25, null, 2], type: 'FLOAT' },
        { name: 'member', data: [true, false, null, true], type: 'BOOLEAN' },
        { name: 'seen', data: [new Date(Date.UTC(2024, 0, 1)), null, new Date(Date.UTC(2024, 5, 30, 12)), new Date(0)], type: 'TIMESTAMP' },
        { name: 'code', data: ['7', '12', 'x', null], type: 'STRING' },
      ],
    }),
  );
}

describe('readTable: Parquet (hyparquet)', () => {
  it('maps Parquet types to column kinds and nulls to null masks', async () => {
    const file = await tmp.file('sample.parquet', sample());
    const t = await readTable(file);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
      ['name', 'string'],
      ['age', 'integer'],
      ['visits', 'integer'],
      ['score', 'number'],
      ['ratio', 'number'],
      ['member', 'boolean'],
      ['seen', 'date'],
      ['code', 'string'],
    ]);
    expect(t.row(0)).toEqual({ name: 'Alice', age: 25, visits: 1, score: 1.5, ratio: 0.5, member: true, seen: Date.UTC(2024, 0, 1), code: '7' });
    expect(t.row(1)).toEqual({ name: null, age: 30, visits: 2, score: null, ratio: 0.25, member: false, seen: null, code: '12' });
    expect(t.column('name')).toBeInstanceOf(StringColumn);
    expect((t.column('age') as NumericColumn).nulls).toEqual(Uint8Array.of(0, 0, 1, 0));
    expect(t.get(3, 'score')).toBe(1e-9);
  });

  it('keeps the listed columns, stops at maxRows, applies overrides and reports progress', async () => {
    const file = await tmp.file('sample2.parquet', sample());
    const progress: ProgressInfo[] = [];
    const t = await readTable(file, { columns: ['member', 'name'], maxRows: 2, kinds: { name: 'category' }, onProgress: (p) => progress.push(p) });
    expect(t.shape).toEqual([2, 2]);
    expect(t.columnNames).toEqual(['member', 'name']);
    expect(t.column('name')).toBeInstanceOf(CategoryColumn);
    expect(progress.at(-1)).toMatchObject({ rows: 2, totalRows: 2 });
    const bad = await caught(readTable(file, { kinds: { code: 'integer' } }));
    expect(bad.code).toBe('INVALID_DATA');
    expect(bad.message).toContain(`sample2.parquet row 3, column 'code': "x" is not a valid integer`);
    const unknown = await caught(readTable(file, { columns: ['nope'] }));
    expect(unknown.message).toContain("columns names column 'nope', but the Parquet schema has no such column");
  });

  it('maps DATE to date and ENUM to category; a nested column is an error unless left out', async () => {
    const typed = parquetWriteBuffer({
      columnData: [
        { name: 'd', data: [new Date(Date.UTC(2024, 0, 2)), null] },
        { name: 'e', data: ['b', 'a'] },
      ],
      schema: [
        { name: 'root', num_children: 2 },
        { name: 'd', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
        { name: 'e', type: 'BYTE_ARRAY', converted_type: 'ENUM', repetition_type: 'REQUIRED' },
      ],
    });
    const t = await parseTable(new Uint8Array(typed));
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
      ['d', 'date'],
      ['e', 'category'],
    ]);
    expect(t.toRecords()).toEqual([
      { d: Date.UTC(2024, 0, 2), e: 'b' },
      { d: null, e: 'a' },
    ]);
    const nested = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'tags', data: [['a', 'b'], ['c']] },
          { name: 'x', data: [1, 2] },
        ],
        schema: [
          { name: 'root', num_children: 2 },
          { name: 'tags', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'x', type: 'INT32', repetition_type: 'REQUIRED' },
        ],
      }),
    );
    const err = await caught(parseTable(nested, { name: 'nested.parquet' }));
    expect(err.message).toBe("nested.parquet: column 'tags' is nested (list, map or struct); a table holds flat columns only. Leave it out with { columns: [...] }.");
    expect((await parseTable(nested, { columns: ['x'] })).toRecords()).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('reads Parquet bytes in memory, and the same values as a CSV round trip', async () => {
    const t = await parseTable(sample());
    expect(t.numRows).toBe(4);
    const csv = tmp.path('from-parquet.csv');
    await writeTableCsv(t, csv);
    const back = await readTable(csv);
    expect(back.toRecords()).toEqual(t.toRecords());
  });

  it('a corrupt or truncated file is INVALID_DATA naming the file and the fix; .parquet picks the format', async () => {
    const junk = await tmp.file('junk.parquet', 'not parquet at all, just text');
    const err = await caught(readTable(junk));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toMatch(/junk\.parquet: not a readable Parquet file \(.*\)\. Check that the file is complete/);
    const bytes = sample();
    const cut = await tmp.file('cut.parquet', bytes.subarray(0, bytes.length - 20));
    expect((await caught(readTable(cut))).code).toBe('INVALID_DATA');
    // Corrupt the middle (page data) but keep the footer.
    const mangled = Uint8Array.from(bytes);
    for (let i = 8; i < 60; i++) mangled[i] = 0xff;
    const mid = await tmp.file('mangled.parquet', mangled);
    const e3 = await caught(readTable(mid));
    expect(e3.code).toBe('INVALID_DATA');
    expect(e3.message).toContain('mangled.parquet');
    expect((await readFile(junk)).length).toBeGreaterThan(0);
  });
});
