// Structural checks of a reference profile read from JSON (or handed in by a caller).
import { MlshipError } from '../../core/index.js';
import type { ColumnProfile, ReferenceProfile } from './types.js';

function fail(what: string, field: string, why: string): never {
  throw new MlshipError('INVALID_ARGUMENT', `${what}: ${field} ${why}; rebuild the profile with buildProfile or \`mlship monitor profile create\``, { field });
}

function isNumArray(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((v) => typeof v === 'number');
}

/** Throws INVALID_ARGUMENT naming the field when `c` is not a column sketch. */
export function checkColumn(c: unknown, what: string, field: string): asserts c is ColumnProfile {
  if (typeof c !== 'object' || c === null) fail(what, field, 'is not an object');
  const col = c as Record<string, unknown>;
  if (typeof col.count !== 'number' || typeof col.missing !== 'number') fail(what, field, 'lacks count/missing');
  if (col.kind === 'numeric') {
    const e = col.edges;
    if (!isNumArray(e) || e.length === 0) fail(what, `${field}.edges`, 'must be a non-empty array of numbers');
    for (const k of ['counts', 'equal', 'below'] as const) {
      const a = col[k];
      if (!isNumArray(a) || a.length !== e.length) fail(what, `${field}.${k}`, `must be ${e.length} numbers, like edges`);
    }
    for (let i = 1; i < e.length; i++) if (!(e[i]! > e[i - 1]!)) fail(what, `${field}.edges`, `must be strictly increasing (index ${i})`);
    for (const k of ['mean', 'std', 'min', 'max', 'distinct'] as const) if (typeof col[k] !== 'number') fail(what, `${field}.${k}`, 'must be a number');
  } else if (col.kind === 'categorical') {
    if (!Array.isArray(col.values) || !col.values.every((p) => Array.isArray(p) && p.length === 2 && typeof p[1] === 'number')) fail(what, `${field}.values`, 'must be [value, count] pairs');
    if (typeof col.other !== 'number') fail(what, `${field}.other`, 'must be a number');
  } else fail(what, `${field}.kind`, `must be 'numeric' or 'categorical' (got ${JSON.stringify(col.kind)})`);
}

/**
 * Throws when `p` is not a {@link ReferenceProfile}: UNSUPPORTED_VERSION for another `format`,
 * INVALID_ARGUMENT naming the first bad field otherwise.
 */
export function checkProfile(p: unknown, what: string): asserts p is ReferenceProfile {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) fail(what, 'the profile', 'is not an object');
  const o = p as Record<string, unknown>;
  if (o.format !== 1)
    throw new MlshipError('UNSUPPORTED_VERSION', `${what}: profile format ${JSON.stringify(o.format)} is not supported (this mlship reads format 1); upgrade mlship or recreate the profile`, { field: 'format', value: o.format });
  if (o.input !== 'text' && o.input !== 'tabular') fail(what, 'input', "must be 'text' or 'tabular'");
  if (o.task !== 'classification' && o.task !== 'regression') fail(what, 'task', "must be 'classification' or 'regression'");
  if (typeof o.rows !== 'number' || typeof o.createdAt !== 'number') fail(what, 'rows/createdAt', 'must be numbers');
  if (typeof o.columns !== 'object' || o.columns === null) fail(what, 'columns', 'must be an object');
  for (const [name, c] of Object.entries(o.columns)) checkColumn(c, what, `columns.${name}`);
  checkColumn(o.prediction, what, 'prediction');
  if (o.target !== undefined) checkColumn(o.target, what, 'target');
  if (typeof o.metrics !== 'object' || o.metrics === null) fail(what, 'metrics', 'must be an object');
  if (o.emptyColumns !== undefined && !(Array.isArray(o.emptyColumns) && o.emptyColumns.every((c) => typeof c === 'string'))) fail(what, 'emptyColumns', 'must be an array of column names');
  if (o.text !== undefined) {
    const t = o.text as Record<string, unknown>;
    if (!Array.isArray(t.documents) || !t.documents.every((d) => typeof d === 'string')) fail(what, 'text.documents', 'must be an array of strings');
    if (t.vocabulary !== undefined && !(Array.isArray(t.vocabulary) && t.vocabulary.every((d) => typeof d === 'string'))) fail(what, 'text.vocabulary', 'must be an array of strings');
    if (t.vocabularyHashes !== undefined && !(typeof t.vocabularyHashes === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(t.vocabularyHashes) && t.vocabularyHashes.length % 4 === 0))
      fail(what, 'text.vocabularyHashes', 'must be base64 text');
  }
}
