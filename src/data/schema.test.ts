import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { caught, useTempDir } from '../../test/support/temp-files.js';
import { CategoryColumn, MlshipError, NumericColumn, StringColumn, Table } from '../core/index.js';
import { assertValid, inferSchema, loadSchema, loadTableDataset, parseSchema, saveSchema, validateTable, type TableSchema, type Violation } from './index.js';

const tmp = useTempDir('schema');

function people(n = 12): Table {
  const ids: string[] = [];
  const ages: (number | null)[] = [];
  const city: string[] = [];
  const joined: number[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(`p${i}`);
    ages.push(i === 3 ? null : 20 + i);
    city.push(['Oslo', 'Bergen', 'Oslo'][i % 3]!);
    joined.push(Date.UTC(2024, 0, 1 + i));
  }
  return new Table([
    StringColumn.from('id', ids),
    NumericColumn.from('age', ages, 'integer'),
    StringColumn.from('city', city),
    new NumericColumn('joined', Float64Array.from(joined), 'date'),
    NumericColumn.from('score', Array.from({ length: n }, (_, i) => i / 4)),
    CategoryColumn.from('tier', Array.from({ length: n }, (_, i) => (i % 2 ? 'gold' : 'basic'))),
  ]);
}

describe('inferSchema', () => {
  it('records kind, nullable, ranges (dates as ISO), categories, unique and row bounds', () => {
    const s = inferSchema(people(), { target: 'tier' });
    expect(s).toEqual({
      formatVersion: 1,
      target: 'tier',
      rows: { min: 1 },
      allowExtraColumns: false,
      columns: [
        { name: 'id', kind: 'string', nullable: false, unique: true },
        { name: 'age', kind: 'integer', nullable: true, min: 20, max: 31, unique: false },
        { name: 'city', kind: 'string', nullable: false, categories: ['Bergen', 'Oslo'], unique: false },
        { name: 'joined', kind: 'date', nullable: false, min: '2024-01-01', max: '2024-01-12', unique: false },
        { name: 'score', kind: 'number', nullable: false, min: 0, max: 2.75, unique: false },
        { name: 'tier', kind: 'category', nullable: false, categories: ['basic', 'gold'], unique: false },
      ],
    });
    expect(validateTable(people(), s)).toEqual({ valid: true, rows: 12, violations: [] });
    // A few rows are distinct by chance: no unique flag below minRowsForUnique.
    expect(inferSchema(people(5)).columns[0]!.unique).toBe(false);
    expect(inferSchema(people(), { maxCategories: 1, minRows: 10, maxRows: 100 })).toMatchObject({ rows: { min: 10, max: 100 }, columns: expect.arrayContaining([{ name: 'city', kind: 'string', nullable: false, unique: false }]) });
    expect(() => inferSchema(people(), { target: 'nope' })).toThrow(/no column 'nope'/);
  });

  it('boston-housing: validates against its own schema', async () => {
    const boston = await loadTableDataset('boston-housing');
    const s = inferSchema(boston, { target: 'medv' });
    expect(s.columns.find((c) => c.name === 'chas')).toEqual({ name: 'chas', kind: 'integer', nullable: false, min: 0, max: 1, unique: false });
    expect(validateTable(boston, s).valid).toBe(true);
  });
});

describe('saveSchema / loadSchema', () => {
  it('round-trips as pretty JSON, written atomically', async () => {
    const s = inferSchema(people(), { target: 'tier' });
    const path = tmp.path('people.schema.json');
    await saveSchema(s, path);
    const text = await readFile(path, 'utf8');
    expect(text).toContain('\n  "columns": [\n    {\n      "name": "id",');
    expect(await loadSchema(path)).toEqual(s);
    expect((await readdir(tmp.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('rejects unknown keys and wrong types, naming every JSON path', async () => {
    const bad = {
      formatVersion: 1,
      rows: { min: -1, most: 3 },
      colour: 'blue',
      columns: [
        { name: 'a', kind: 'flaot', nullable: false },
        { name: 'b', kind: 'number', nullable: 'no', min: '0', categories: ['x'] },
        { name: 'a', kind: 'string', nullable: true, min: 1, uniq: true },
        { name: 'd', kind: 'date', nullable: true, min: 'yesterday' },
        { name: 'e', kind: 'number', nullable: true, min: 5, max: 1 },
        'f',
      ],
    };
    const path = await tmp.file('bad.schema.json', JSON.stringify(bad));
    const err = await caught(loadSchema(path));
    expect(err.code).toBe('INVALID_DATA');
    const msg = err.message;
    for (const part of [
      `$.colour: unknown key`,
      '$.rows.most: unknown key',
      '$.rows.min: expected a non-negative integer, got number -1',
      '$.columns[0].kind: expected one of "number", "integer", "boolean", "date", "string", "category", got string "flaot"',
      '$.columns[1].nullable: expected true or false, got string "no"',
      '$.columns[1].min: expected a finite number, got string "0"',
      '$.columns[1].categories: only category and string columns take categories',
      "$.columns[2].name: column 'a' is listed twice",
    ]) {
      expect(msg).toContain(part);
    }
    expect(msg).toContain('... and ');
    const problems = err.details.problems as string[];
    expect(problems).toContain('$.columns[2].uniq: unknown key; allowed keys are name, kind, nullable, min, max, categories, unique');
    expect(problems).toContain('$.columns[2].min: only numeric and date columns take min, this one is "string"');
    expect(problems).toContain('$.columns[3].min: expected an ISO-8601 date such as "2024-01-31", got string "yesterday"');
    expect(problems).toContain('$.columns[4]: min 5 is above max 1');
    expect(problems).toContain('$.columns[5]: expected an object with name, kind and nullable, got string "f"');
    expect((await caught(loadSchema(await tmp.file('notjson.json', '{"formatVersion": 1,')))).code).toBe('PARSE_ERROR');
    expect(() => parseSchema([], 's.json')).toThrow(/\$: expected an object/);
    expect(() => parseSchema({ columns: [] }, 's.json')).toThrow(/\$\.formatVersion: missing; set it to 1/);
    expect((await caught(loadSchema(tmp.path('none.json')))).code).toBe('NOT_FOUND');
  });
});

describe('validateTable / assertValid', () => {
  const schema = (): TableSchema => inferSchema(people(), { target: 'tier' });

  it('returns every violation with column, rule, count, up to 5 examples and a message', () => {
    const s = schema();
    s.rows = { min: 1, max: 10 };
    const bad = new Table([
      StringColumn.from('id', ['p0', 'p1', 'p1', 'p1', 'p2', 'p2', 'p2', 'p2', 'p2', 'p9', 'p10', 'p11']),
      NumericColumn.from('age', [20, 21, 5, 99, 100, 101, 102, 103, 104, 105, 22, 23], 'integer'),
      StringColumn.from('city', ['Oslo', null, 'Paris', 'Oslo', 'Oslo', 'Oslo', 'Oslo', 'Oslo', 'Oslo', 'Oslo', 'Oslo', 'Oslo']),
      new NumericColumn('joined', Float64Array.from({ length: 12 }, (_, i) => Date.UTC(2023, 11, 31 + i)), 'date'),
      StringColumn.from('score', Array.from({ length: 12 }, () => 'high')),
      StringColumn.from('extra', Array.from({ length: 12 }, () => 'x')),
    ]);
    const r = validateTable(bad, s);
    expect(r.valid).toBe(false);
    const by = (rule: string, column: string | null): Violation => r.violations.find((v) => v.rule === rule && v.column === column)!;
    expect(by('row_count', null)).toMatchObject({ count: 1, message: 'the table has 12 rows; the schema wants at most 10' });
    expect(by('unique', 'id')).toMatchObject({ count: 6, examples: [{ row: 2, value: 'p1' }, { row: 3, value: 'p1' }, { row: 5, value: 'p2' }, { row: 6, value: 'p2' }, { row: 7, value: 'p2' }] });
    expect(by('min', 'age')).toMatchObject({ count: 1, examples: [{ row: 2, value: 5 }] });
    expect(by('max', 'age')).toMatchObject({ count: 7 });
    expect(by('max', 'age').examples).toHaveLength(5);
    expect(by('max', 'age').message).toBe("column 'age': 7 rows are above the maximum 31 (row 3: 99, row 4: 100, row 5: 101, row 6: 102, row 7: 103, ...)");
    expect(by('nullable', 'city')).toMatchObject({ count: 1, examples: [{ row: 1, value: null }] });
    expect(by('categories', 'city')).toMatchObject({ count: 1, examples: [{ row: 2, value: 'Paris' }] });
    expect(by('min', 'joined').message).toBe(`column 'joined': 1 row is below the minimum "2024-01-01" (row 0: 2023-12-31)`);
    expect(by('kind', 'score').message).toBe("column 'score' is string; the schema wants number");
    expect(by('missing_column', 'tier').message).toBe("column 'tier' (category) is missing");
    expect(by('extra_column', 'extra')).toBeDefined();
    expect(r.violations).toHaveLength(10);
    expect(validateTable(bad, { ...s, allowExtraColumns: true }).violations.some((v) => v.rule === 'extra_column')).toBe(false);
  });

  it('is lenient where the data is: integer fits number, string fits category, whole numbers fit integer, all-missing fits anything', () => {
    const s: TableSchema = {
      formatVersion: 1,
      columns: [
        { name: 'n', kind: 'number', nullable: false },
        { name: 'c', kind: 'category', nullable: false, categories: ['a', 'b'] },
        { name: 'i', kind: 'integer', nullable: false },
        { name: 'e', kind: 'string', nullable: true },
      ],
    };
    const t = new Table([NumericColumn.from('n', [1, 2]), StringColumn.from('c', ['a', 'b']), NumericColumn.from('i', [1, 2], 'number'), NumericColumn.from('e', [null, null])]);
    expect(validateTable(t, s).valid).toBe(true);
    const codes: TableSchema = { formatVersion: 1, columns: [{ name: 'grade', kind: 'category', nullable: false, categories: ['1', '2'] }] };
    const graded = validateTable(new Table([NumericColumn.from('grade', [1, 2, 3])]), codes);
    expect(graded.violations.map((v) => [v.rule, v.examples])).toEqual([['categories', [{ row: 2, value: 3 }]]]);
    const frac = t.withColumn(NumericColumn.from('i', [1, 2.5]));
    expect(validateTable(frac, s).violations).toEqual([
      { column: 'i', rule: 'kind', count: 1, examples: [{ row: 1, value: 2.5 }], message: "column 'i': 1 row holds non-whole numbers; the schema wants integer (row 1: 2.5)" },
    ]);
  });

  it('assertValid throws one SCHEMA_MISMATCH listing every violation, with the structured list in details', () => {
    const t = people().drop(['tier']).withColumn(NumericColumn.from('age', Array.from({ length: 12 }, () => 200), 'integer'));
    expect(assertValid(people(), schema())).toBeInstanceOf(Table);
    let err: unknown;
    try {
      assertValid(t, schema(), 'new.csv');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MlshipError);
    const e = err as MlshipError;
    expect(e.code).toBe('SCHEMA_MISMATCH');
    expect(e.message).toContain('new.csv does not match the schema (2 violations):');
    expect(e.message).toContain("  - column 'age': 12 rows are above the maximum 31");
    expect(e.message).toContain("  - column 'tier' (category) is missing");
    expect((e.details.violations as Violation[]).map((v) => v.rule)).toEqual(['max', 'missing_column']);
  });
});
