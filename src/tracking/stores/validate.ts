/**
 * Input checks shared by every tracking backend, with MLflow's limits, so that each backend
 * rejects the same inputs with the same messages.
 */
import { MlshipError } from '../../core/index.js';
import type { DatasetInput, Param, RunTag } from '../entities.js';
import { RUN_STATUSES } from '../entities.js';
import type { LogBatch, MetricInput } from '../store.js';

/** Longest metric, param or tag key (MLflow's limit). */
export const MAX_KEY_LENGTH = 250;
/** Longest param value (MLflow's limit). */
export const MAX_PARAM_VALUE_LENGTH = 6000;
/** Longest tag value (MLflow's limit). */
export const MAX_TAG_VALUE_LENGTH = 8000;
/** Longest experiment or run name. */
export const MAX_NAME_LENGTH = 500;
/** Largest page a search returns. */
export const MAX_RESULTS_LIMIT = 50_000;

// MLflow's rule: letters, digits, underscores, periods, dashes, spaces, colons and slashes.
const KEY_PATTERN = /^[\w.\-/: ]+$/u;

/** Checks a metric, param or tag key. */
export function checkKey(kind: 'metric' | 'param' | 'tag', key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new MlshipError('INVALID_ARGUMENT', `${kind} key must be a non-empty string, got ${JSON.stringify(key)}`, { field: `${kind}.key`, value: key });
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw new MlshipError('INVALID_ARGUMENT', `${kind} key '${key.slice(0, 40)}…' is ${key.length} characters long; the limit is ${MAX_KEY_LENGTH}`, { field: `${kind}.key`, value: key.length });
  }
  if (!KEY_PATTERN.test(key)) {
    throw new MlshipError('INVALID_ARGUMENT', `invalid ${kind} key ${JSON.stringify(key)}: use letters, digits, underscores, periods, dashes, spaces, colons and slashes only`, { field: `${kind}.key`, value: key });
  }
  if (key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new MlshipError('INVALID_ARGUMENT', `invalid ${kind} key ${JSON.stringify(key)}: it must not start with '/' or contain '.' or '..' path segments`, { field: `${kind}.key`, value: key });
  }
}

/** Checks a param or tag value. */
export function checkValue(kind: 'param' | 'tag', key: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') {
    throw new MlshipError('INVALID_ARGUMENT', `${kind} '${key}' value must be a string, got ${typeof value}: convert it with String(value)`, { field: `${kind}.value`, value });
  }
  const limit = kind === 'param' ? MAX_PARAM_VALUE_LENGTH : MAX_TAG_VALUE_LENGTH;
  if (value.length > limit) {
    throw new MlshipError('INVALID_ARGUMENT', `${kind} '${key}' value is ${value.length} characters long; the limit is ${limit}`, { field: `${kind}.value`, value: value.length });
  }
}

/** Checks a name (experiment or run). */
export function checkName(what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim().length === 0) {
    throw new MlshipError('INVALID_ARGUMENT', `${what} must be a non-empty string, got ${JSON.stringify(name)}`, { field: what, value: name });
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new MlshipError('INVALID_ARGUMENT', `${what} is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`, { field: what, value: name.length });
  }
}

/** Checks a time or step: a safe integer. */
export function checkInteger(what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new MlshipError('INVALID_ARGUMENT', `${what} must be an integer, got ${String(value)}`, { field: what, value });
  }
}

/** Checks a run status. */
export function checkStatus(status: unknown): void {
  if (!RUN_STATUSES.includes(status as never)) {
    throw new MlshipError('INVALID_ARGUMENT', `status must be one of ${RUN_STATUSES.join(', ')}, got ${JSON.stringify(status)}`, { field: 'status', value: status });
  }
}

/** Checks and normalises a page size. */
export function checkMaxResults(value: number | undefined, fallback = 1000): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_RESULTS_LIMIT) {
    throw new MlshipError('INVALID_ARGUMENT', `maxResults must be an integer from 1 to ${MAX_RESULTS_LIMIT}, got ${value}`, { field: 'maxResults', value });
  }
  return value;
}

/** A metric after {@link normaliseBatch}: step and timestamp filled in. */
export interface NormalisedMetric {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

/** A checked batch with defaults filled in; duplicate params with different values are rejected. */
export interface NormalisedBatch {
  metrics: NormalisedMetric[];
  params: Param[];
  tags: RunTag[];
}

/** Validates a `logBatch` argument and fills in defaults (step 0, timestamp now). */
export function normaliseBatch(batch: LogBatch): NormalisedBatch {
  if (batch === null || typeof batch !== 'object') {
    throw new MlshipError('INVALID_ARGUMENT', `batch must be an object { metrics, params, tags }, got ${String(batch)}`, { field: 'batch' });
  }
  const now = Date.now();
  const metricsIn: MetricInput[] = batch.metrics ?? [];
  const metrics: NormalisedMetric[] = new Array(metricsIn.length);
  let lastKey: string | undefined;
  for (let i = 0; i < metricsIn.length; i++) {
    const m = metricsIn[i]!;
    // Batches usually repeat a few keys: check each distinct key once in a row.
    if (m.key !== lastKey) {
      checkKey('metric', m.key);
      lastKey = m.key;
    }
    if (typeof m.value !== 'number') {
      throw new MlshipError('INVALID_ARGUMENT', `metric '${m.key}' value must be a number (NaN and ±Infinity are allowed), got ${typeof m.value}`, { field: 'metric.value', value: m.value });
    }
    const step = m.step ?? 0;
    const timestamp = m.timestamp ?? now;
    if (!Number.isSafeInteger(step)) checkInteger(`metric '${m.key}' step`, step);
    if (!Number.isSafeInteger(timestamp)) checkInteger(`metric '${m.key}' timestamp`, timestamp);
    metrics[i] = { key: m.key, value: m.value, step, timestamp };
  }
  const params = batch.params ?? [];
  const seen = new Map<string, string>();
  for (const p of params) {
    checkKey('param', p.key);
    checkValue('param', p.key, p.value);
    const before = seen.get(p.key);
    if (before !== undefined && before !== p.value) {
      throw new MlshipError('INVALID_ARGUMENT', `param '${p.key}' appears twice in the batch with different values ('${before}' and '${p.value}'); params are immutable`, { field: 'param', key: p.key });
    }
    seen.set(p.key, p.value);
  }
  const tags = batch.tags ?? [];
  for (const t of tags) {
    checkKey('tag', t.key);
    checkValue('tag', t.key, t.value);
  }
  return { metrics, params, tags };
}

/** Validates dataset inputs. */
export function checkInputs(inputs: DatasetInput[]): void {
  if (!Array.isArray(inputs)) throw new MlshipError('INVALID_ARGUMENT', 'inputs must be an array of { name, digest, ... }', { field: 'inputs' });
  for (const d of inputs) {
    checkName('dataset name', d?.name);
    if (typeof d.digest !== 'string' || d.digest.length === 0 || d.digest.length > MAX_KEY_LENGTH) {
      throw new MlshipError('INVALID_ARGUMENT', `dataset '${d.name}' digest must be a non-empty string of at most ${MAX_KEY_LENGTH} characters, got ${JSON.stringify(d.digest)}`, { field: 'digest', value: d.digest });
    }
    if (d.rowCount != null && (!Number.isSafeInteger(d.rowCount) || d.rowCount < 0)) {
      throw new MlshipError('INVALID_ARGUMENT', `dataset '${d.name}' rowCount must be a non-negative integer, got ${d.rowCount}`, { field: 'rowCount', value: d.rowCount });
    }
  }
}
