/**
 * JSON schemas shared by the `/api/v1` routes: request validation (Ajv), response serialisation
 * (fast-json-stringify) and the OpenAPI document are all generated from these, so each shape is
 * written once.
 */
import { SEARCH_KINDS, type SearchKind } from '../tracking/index.js';

/** A schema value; kept loose so literal schemas can be composed freely. */
export type Schema = Record<string, unknown>;

export const str = { type: 'string' } as const;
export const nonEmpty = { type: 'string', minLength: 1 } as const;
export const int = { type: 'integer' } as const;
export const nullableStr = { type: ['string', 'null'] } as const;
export const nullableInt = { type: ['integer', 'null'] } as const;
export const nullableNum = { type: ['number', 'null'] } as const;
export const bool = { type: 'boolean' } as const;
export const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
/** A metric value: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no such numbers). */
export const metricValue = { type: ['number', 'string'], description: 'a number, or "NaN", "Infinity", "-Infinity"' } as const;
export const ok = { type: 'object', properties: {}, additionalProperties: false } as const;

/** An object schema: every listed property, `required` ones required, no others unless `open`. */
export function obj(properties: Record<string, unknown>, required: string[] = [], options: { open?: boolean; description?: string } = {}): Schema {
  const s: Schema = { type: 'object', properties };
  if (required.length > 0) s.required = required;
  if (!options.open) s.additionalProperties = false;
  if (options.description) s.description = options.description;
  return s;
}

/** A response object schema (no `additionalProperties: false`: the serializer drops unknown keys anyway). */
export function out(properties: Record<string, unknown>, required: string[] = Object.keys(properties)): Schema {
  return { type: 'object', properties, required };
}

export const arr = (items: unknown): Schema => ({ type: 'array', items });

// ------------------------------------------------------------------ paging and search (requests)

/** The page size field of every list and search route. */
export const maxResults = { type: 'integer', minimum: 1, maximum: 50000, description: 'page size; default 1000' } as const;
/** The page token field of every list and search route. */
export const pageToken = { type: 'string', description: 'the nextPageToken of the previous page' } as const;

/**
 * The `filter` and `orderBy` fields of a search route over `kind`, documented with that kind's keys
 * (from the search language's own key table, so the docs cannot drift from what the parser takes):
 * the same language as run search (`= != < <= > >= LIKE ILIKE IN`, `AND`, `OR`, parentheses). In a
 * query string, repeat `orderBy` for several keys (`?orderBy=name&orderBy=...`).
 *
 * @example
 * ```ts
 * obj({ ...searchFields('experiment', "name LIKE 'h%'"), maxResults, pageToken });
 * ```
 */
export function searchFields(kind: SearchKind, example: string): { filter: Schema; orderBy: Schema } {
  const spec = SEARCH_KINDS[kind];
  return {
    filter: {
      type: 'string',
      description: `a filter in the search language over ${spec.keyList}, with = != < <= > >= LIKE ILIKE IN, AND, OR and parentheses, e.g. \`${example}\`; a bad filter is INVALID_ARGUMENT naming the position and the valid keys`,
    },
    orderBy: {
      type: 'array',
      items: { type: 'string' },
      description: `sort keys: ${spec.orderAttributes.join(', ')}, each with an optional ASC (default) or DESC, e.g. \`name DESC\``,
    },
  };
}

/** JSON numbers for metric values: NaN and ±Infinity become the strings `"NaN"`, `"Infinity"`, `"-Infinity"`. */
export function jsonNumber(v: number): number | string {
  return Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** The inverse of {@link jsonNumber}; `null` when `v` is neither a number nor one of those strings. */
export function parseJsonNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity' || v === '+Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  const n = v.trim() === '' ? NaN : Number(v);
  return Number.isNaN(n) ? null : n;
}

// ------------------------------------------------------------------ entities (responses)

export const experimentSchema = out({
  experimentId: str,
  name: str,
  artifactLocation: str,
  lifecycleStage: { type: 'string', enum: ['active', 'deleted'] },
  creationTime: int,
  lastUpdateTime: int,
  deletedTime: nullableInt,
  tags: stringMap,
});

export const metricSchema = out({ key: str, value: metricValue, step: int, timestamp: int });

export const runInfoSchema = out({
  runId: str,
  experimentId: str,
  runName: str,
  status: { type: 'string', enum: ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'] },
  startTime: int,
  endTime: nullableInt,
  lifecycleStage: { type: 'string', enum: ['active', 'deleted'] },
  parentRunId: nullableStr,
  artifactUri: str,
  userId: nullableStr,
  sourceCommit: nullableStr,
  sourceDirty: { type: ['boolean', 'null'] },
});

export const datasetInputSchema = {
  type: 'object',
  required: ['name', 'digest'],
  properties: {
    name: str,
    digest: str,
    source: nullableStr,
    schema: { description: 'any JSON value describing the columns' },
    rowCount: nullableInt,
    context: nullableStr,
  },
} as const;

export const runSchema = out({
  info: runInfoSchema,
  data: out({ metrics: { type: 'object', additionalProperties: metricSchema }, params: stringMap, tags: stringMap }),
  inputs: arr(datasetInputSchema),
});

export const registeredModelSchema = out({
  name: str,
  creationTime: int,
  lastUpdatedTime: int,
  description: str,
  tags: stringMap,
  aliases: { type: 'object', additionalProperties: int },
  latestVersion: nullableInt,
});

export const modelVersionSchema = out({
  name: str,
  version: int,
  creationTime: int,
  lastUpdatedTime: int,
  description: str,
  source: str,
  runId: nullableStr,
  status: str,
  tags: stringMap,
  aliases: arr(str),
});

export const aliasChangeSchema = out({
  name: str,
  alias: str,
  version: nullableInt,
  previousVersion: nullableInt,
  action: { type: 'string', enum: ['set', 'promote', 'force', 'rollback', 'delete'] },
  time: int,
  reason: nullableStr,
  metric: nullableStr,
  value: { type: ['number', 'string', 'null'] },
  previousValue: { type: ['number', 'string', 'null'] },
});

export const artifactInfoSchema = out({ path: str, isDir: bool, size: nullableInt });

// ------------------------------------------------------------------ converters (non-finite numbers)

interface HasMetrics {
  data: { metrics: Record<string, { key: string; value: number; step: number; timestamp: number }> };
}

/** A run with its metric values made JSON-safe (see {@link jsonNumber}). */
export function jsonRun<T extends HasMetrics>(run: T): T {
  let finite = true;
  for (const k in run.data.metrics) if (!Number.isFinite(run.data.metrics[k]!.value)) finite = false;
  if (finite) return run;
  const metrics: Record<string, unknown> = {};
  for (const [k, m] of Object.entries(run.data.metrics)) metrics[k] = { ...m, value: jsonNumber(m.value) };
  return { ...run, data: { ...run.data, metrics } } as T;
}

/** Metrics with JSON-safe values. */
export function jsonMetrics<T extends { value: number }>(metrics: T[]): (Omit<T, 'value'> & { value: number | string })[] {
  return metrics.every((m) => Number.isFinite(m.value)) ? metrics : metrics.map((m) => ({ ...m, value: jsonNumber(m.value) }));
}

/** An alias change with JSON-safe metric values. */
export function jsonAliasChange<T extends { value: number | null; previousValue: number | null }>(c: T): T {
  return { ...c, value: c.value === null ? null : jsonNumber(c.value), previousValue: c.previousValue === null ? null : jsonNumber(c.previousValue) } as T;
}
