import { describe, expect, it } from 'vitest';
import { CategoryColumn, MlshipError, NumericColumn, StringColumn, Table } from './index.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MlshipError);
    return `${(err as MlshipError).code}: ${(err as MlshipError).message}`;
  }
  throw new Error('expected an MlshipError');
}

describe('columns', () => {
  it('NumericColumn: NaN/null are missing, masks and kinds are inferred, booleans and dates are numbers', () => {
    const c = NumericColumn.from('x', [1, null, NaN, 4]);
    expect(c.kind).toBe('integer');
    expect(Array.from(c.nulls!)).toEqual([0, 1, 1, 0]);
    expect([c.get(0), c.get(1), c.nullCount]).toEqual([1, null, 2]);
    expect(NumericColumn.from('f', [1.5, 2]).kind).toBe('number');
    const b = NumericColumn.from('b', [true, false, null]);
    expect([b.kind, b.get(0), b.get(1), b.values[0]]).toEqual(['boolean', true, false, 1]);
    const d = NumericColumn.from('d', [new Date(Date.UTC(2024, 0, 1)), null]);
    expect([d.kind, d.get(0)]).toEqual(['date', Date.UTC(2024, 0, 1)]);
    // A column without missing values carries no mask.
    expect(NumericColumn.from('n', [1, 2]).nulls).toBeUndefined();
    // An explicit mask overrides the values: masked rows read as missing (NaN).
    const masked = new NumericColumn('m', Float64Array.of(1, 2, 3), 'number', Uint8Array.of(0, 1, 0));
    expect(Array.from(masked.values)).toEqual([1, NaN, 3]);
    expect(code(() => NumericColumn.from('s', ['a' as never]))).toContain("column 's': row 0 is \"a\", not a number");
    expect(code(() => new NumericColumn('k', new Float64Array(1), 'string' as never))).toContain("'string' is not a numeric kind");
    expect(code(() => new NumericColumn('', new Float64Array(1)))).toContain('column name must be a non-empty string');
    expect(code(() => new NumericColumn('z', new Float64Array(2), 'number', new Uint8Array(3)))).toMatch(/^SHAPE_MISMATCH/);
  });

  it('StringColumn and CategoryColumn: missing values, codes, fixed category order', () => {
    const s = StringColumn.from('s', ['a', null, '']);
    expect([s.get(0), s.get(1), s.get(2), s.nullCount]).toEqual(['a', null, '', 1]);
    const c = CategoryColumn.from('c', ['NEAR BAY', 'INLAND', null, 'INLAND']);
    expect(c.categories).toEqual(['INLAND', 'NEAR BAY']);
    expect(Array.from(c.codes)).toEqual([1, 0, -1, 0]);
    expect([c.get(0), c.get(2), c.nullCount]).toEqual(['NEAR BAY', null, 1]);
    const fixed = CategoryColumn.from('c', ['b', 'a'], ['b', 'a', 'z']);
    expect(Array.from(fixed.codes)).toEqual([0, 1]);
    expect(code(() => CategoryColumn.from('c', ['q'], ['a', 'b']))).toContain('"q", which is not one of its categories (a, b)');
    expect(code(() => new CategoryColumn('c', Int32Array.of(0, 5), ['a']))).toContain('code 5 at row 1 is outside 0..0');
  });

  it('take and rename keep kind, categories and masks', () => {
    const c = CategoryColumn.from('c', ['x', null, 'y']);
    const t = c.take([2, 1, 2]);
    expect([t.get(0), t.get(1), t.categories]).toEqual(['y', null, ['x', 'y']]);
    const n = NumericColumn.from('n', [1, null, 3]).take([1, 0]);
    expect([n.get(0), n.get(1), n.kind]).toEqual([null, 1, 'integer']);
    expect(StringColumn.from('s', ['a']).rename('t').name).toBe('t');
  });
});

describe('Table', () => {
  const records = [
    { rooms: 3, city: 'Oslo', price: 410.5, ok: true },
    { rooms: 2, city: 'Bergen', price: null, ok: false },
    { rooms: 4, city: null, price: 99 },
  ];

  it('fromRecords infers kinds, treats missing keys as null, and kinds override', () => {
    const t = Table.fromRecords(records);
    expect(t.shape).toEqual([3, 4]);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
      ['rooms', 'integer'],
      ['city', 'string'],
      ['price', 'number'],
      ['ok', 'boolean'],
    ]);
    expect(t.row(2)).toEqual({ rooms: 4, city: null, price: 99, ok: null });
    const typed = Table.fromRecords(records, { kinds: { city: 'category', rooms: 'number' }, columns: ['city', 'rooms'] });
    expect(typed.columnNames).toEqual(['city', 'rooms']);
    expect(typed.column('city')).toBeInstanceOf(CategoryColumn);
    expect(typed.column('rooms').kind).toBe('number');
    expect(Table.fromArrays({ d: ['2024-01-02', null] }, { kinds: { d: 'date' } }).get(0, 'd')).toBe(Date.UTC(2024, 0, 2));
    expect(code(() => Table.fromArrays({ n: ['1', 'x'] }, { kinds: { n: 'number' } }))).toContain("row 1 is \"x\", which is not a valid number");
    expect(code(() => Table.fromArrays({ n: [1.5] }, { kinds: { n: 'integer' } }))).toContain('not a whole number');
    expect(code(() => Table.fromArrays({}, { columns: ['a'] }))).toMatch(/^NOT_FOUND: no array for column 'a'/);
  });

  it('select, drop, withColumn, takeRows and head return new tables sharing columns', () => {
    const t = Table.fromRecords(records);
    expect(t.select(['price', 'rooms']).columnNames).toEqual(['price', 'rooms']);
    expect(t.drop(['city', 'ok']).columnNames).toEqual(['rooms', 'price']);
    const w = t.withColumn(NumericColumn.from('price', [1, 2, 3]));
    expect([w.columnNames, w.get(1, 'price'), t.get(1, 'price')]).toEqual([['rooms', 'city', 'price', 'ok'], 2, null]);
    expect(t.withColumn(StringColumn.from('new', ['a', 'b', 'c'])).columnNames.at(-1)).toBe('new');
    expect(t.takeRows([2, 0]).toRecords().map((r) => r.rooms)).toEqual([4, 3]);
    expect(t.head(2).numRows).toBe(2);
    expect(t.head(99).numRows).toBe(3);
    expect(t.select(['rooms']).column('rooms')).toBe(t.column('rooms'));
    expect(code(() => t.column('nope'))).toBe('NOT_FOUND: no column \'nope\'; the table has: rooms, city, price, ok');
    expect(code(() => t.drop(['nope']))).toMatch(/^NOT_FOUND/);
    expect(code(() => t.takeRows([3]))).toContain('row index 3 is outside 0..2');
    expect(code(() => t.get(-1, 'rooms'))).toContain('row -1 is outside 0..2');
    expect(code(() => new Table([NumericColumn.from('a', [1]), NumericColumn.from('a', [2])]))).toContain("duplicate column name 'a'");
    expect(code(() => new Table([NumericColumn.from('a', [1]), NumericColumn.from('b', [2, 3])]))).toMatch(/^SHAPE_MISMATCH: column 'b' has 2 rows, but the table has 1/);
  });

  it('toMatrix: numeric columns row-major with NaN for missing; text columns are an error that says how to encode', () => {
    const t = Table.fromRecords(records);
    const m = t.toMatrix(['rooms', 'price', 'ok']);
    expect([m.rows, m.cols]).toEqual([3, 3]);
    expect(Array.from(m.data)).toEqual([3, 410.5, 1, 2, NaN, 0, 4, 99, NaN]);
    expect(code(() => t.toMatrix())).toContain("column 'city' is a string column, not numeric; encode it first (OneHotEncoder or OrdinalEncoder");
    expect(new Table([]).toMatrix().rows).toBe(0);
  });
});

describe('Table.numeric', () => {
  it('returns a numeric column as its Float64Array and refuses a text column by name', () => {
    const t = Table.fromArrays({ y: [1.5, null], city: ['Oslo', 'Bergen'] });
    expect(Array.from(t.numeric('y'))).toEqual([1.5, NaN]);
    expect(() => t.numeric('city')).toThrow(/column 'city' is a string column, not numeric/);
    expect(() => t.numeric('nope')).toThrow(/no column 'nope'; the table has: y, city/);
  });
});
