import { RUN_ATTRIBUTES, searchKindSpec, type Comparison, type Filter, type OrderKey, type SearchKind, type SearchValue } from './ast.js';
import { asciiLower, likeToRegExp } from './like.js';
import type { Run } from '../entities.js';

/**
 * The view of a run the in-memory evaluator reads: its attributes (as the `runs` columns), latest
 * metric values (NaN allowed), params, tags and dataset inputs.
 */
export interface RunView {
  attributes: {
    run_id: string;
    run_name: string;
    status: string;
    start_time: number;
    end_time?: number | null;
    artifact_uri: string;
    user_id?: string | null;
    experiment_id: string;
    parent_run_id?: string | null;
  };
  /** Latest value per metric key. */
  metrics: Readonly<Record<string, number>>;
  params: Readonly<Record<string, string>>;
  tags: Readonly<Record<string, string>>;
  datasets?: readonly { name: string; digest: string; context?: string | null }[];
}

/**
 * The view of an experiment, registered model or model version the in-memory evaluator reads: its
 * attributes under their search names (`name`, `creation_time`, `version`, ...) and its tags. A
 * {@link RunView} is one too.
 *
 * @example
 * ```ts
 * const view: EntityView = { attributes: { name: 'housing', creation_time: 1700000000000, last_updated_time: 1700000000000 }, tags: { team: 'pricing' } };
 * ```
 */
export interface EntityView {
  attributes: Readonly<Record<string, SearchValue | null | undefined>>;
  tags: Readonly<Record<string, string>>;
  /** Runs only. @default {} */
  metrics?: Readonly<Record<string, number>>;
  /** Runs only. @default {} */
  params?: Readonly<Record<string, string>>;
  /** Runs only. @default [] */
  datasets?: readonly { name: string; digest: string; context?: string | null }[];
}

/**
 * The {@link RunView} of a tracking {@link Run} (latest metric values, params, tags, inputs).
 *
 * @example
 * ```ts
 * import { matchesFilter, parseFilter, runView } from 'mlship/tracking';
 * const run = await store.getRun(runId);
 * matchesFilter(parseFilter("params.model = 'rf'"), runView(run));
 * ```
 */
export function runView(run: Run): RunView {
  const metrics: Record<string, number> = {};
  for (const [k, m] of Object.entries(run.data.metrics)) metrics[k] = m.value;
  const i = run.info;
  return {
    attributes: {
      run_id: i.runId,
      run_name: i.runName,
      status: i.status,
      start_time: i.startTime,
      end_time: i.endTime,
      artifact_uri: i.artifactUri,
      user_id: i.userId,
      experiment_id: i.experimentId,
      parent_run_id: i.parentRunId,
    },
    metrics,
    params: run.data.params,
    tags: run.data.tags,
    datasets: run.inputs.map((d) => ({ name: d.name, digest: d.digest, context: d.context ?? null })),
  };
}

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function compareScalar(actual: SearchValue, op: Comparison['op'], value: Comparison['value']): boolean {
  switch (op) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case '<':
      return actual < (value as SearchValue);
    case '<=':
      return actual <= (value as SearchValue);
    case '>':
      return actual > (value as SearchValue);
    case '>=':
      return actual >= (value as SearchValue);
    case 'IN':
      return (value as SearchValue[]).includes(actual);
    case 'NOT IN':
      return !(value as SearchValue[]).includes(actual);
    case 'LIKE':
      return likeToRegExp(value as string).test(actual as string);
    case 'ILIKE':
      return likeToRegExp(asciiLower(value as string)).test(asciiLower(actual as string));
    default:
      return false;
  }
}

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

function matchesComparison(c: Comparison, run: EntityView): boolean {
  let actual: SearchValue | null | undefined;
  switch (c.entity) {
    case 'metric': {
      const metrics = run.metrics ?? EMPTY;
      actual = has(metrics, c.key) ? metrics[c.key] : undefined;
      break;
    }
    case 'param': {
      const params = run.params ?? EMPTY;
      actual = has(params, c.key) ? params[c.key] : undefined;
      break;
    }
    case 'tag':
      actual = has(run.tags, c.key) ? run.tags[c.key] : undefined;
      break;
    case 'attribute':
      actual = has(run.attributes, c.key) ? run.attributes[c.key] : undefined;
      break;
    case 'dataset':
      return (run.datasets ?? []).some((d) => {
        const v = d[c.key as 'name' | 'digest' | 'context'];
        return v !== null && v !== undefined && compareScalar(v, c.op, c.value);
      });
  }
  const present = actual !== undefined && actual !== null;
  if (c.op === 'IS NULL') return !present;
  if (c.op === 'IS NOT NULL') return present;
  if (!present) return false;
  if (typeof actual === 'number' && Number.isNaN(actual)) return false;
  return compareScalar(actual!, c.op, c.value);
}

/**
 * Evaluates a filter against one run in memory, with exactly the semantics of the SQL that
 * {@link compileFilter} produces for SQLite (it serves as the oracle of the compiler's tests):
 * a comparison on a missing key or a NaN metric is false, `NOT` negates, ILIKE folds ASCII
 * letters only, strings compare by code point.
 *
 * Experiments, registered models and model versions are evaluated the same way from an
 * {@link EntityView} (their attributes and tags).
 *
 * @param filter - a parsed filter; `null` matches every run
 * @param run - the run's attributes, latest metrics, params, tags and dataset inputs (or another
 *   kind's attributes and tags)
 *
 * @example
 * ```ts
 * import { matchesFilter, parseFilter } from 'mlship/tracking';
 * const run = {
 *   attributes: { run_id: 'a1', run_name: 'first', status: 'FINISHED', start_time: 0,
 *                 artifact_uri: 'file:///tmp/a1', experiment_id: '0' },
 *   metrics: { rmse: 2.5 }, params: { model: 'rf' }, tags: {},
 * };
 * matchesFilter(parseFilter("metrics.rmse < 3 AND params.model = 'rf'"), run); // true
 * ```
 */
export function matchesFilter(filter: Filter | null, run: RunView | EntityView): boolean {
  if (filter === null) return true;
  switch (filter.kind) {
    case 'and':
      return filter.items.every((f) => matchesFilter(f, run));
    case 'or':
      return filter.items.some((f) => matchesFilter(f, run));
    case 'not':
      return !matchesFilter(filter.item, run);
    case 'cmp':
      return matchesComparison(filter, run);
  }
}

/** Compares strings by Unicode code point, as SQLite's BINARY collation on UTF-8 does. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function sortValue(run: EntityView, key: OrderKey): { rank: number; value: SearchValue | null } {
  let v: SearchValue | null | undefined;
  const metrics = run.metrics ?? EMPTY;
  const params = run.params ?? EMPTY;
  if (key.entity === 'metric') v = has(metrics, key.key) ? metrics[key.key] : undefined;
  else if (key.entity === 'param') v = has(params, key.key) ? params[key.key] : undefined;
  else if (key.entity === 'tag') v = has(run.tags, key.key) ? run.tags[key.key] : undefined;
  else v = has(run.attributes, key.key) ? run.attributes[key.key] : undefined;
  if (v === undefined || v === null) return { rank: 2, value: null };
  if (typeof v === 'number' && Number.isNaN(v)) return { rank: 1, value: null };
  return { rank: 0, value: v };
}

/**
 * A comparator that sorts runs as the SQL of {@link compileOrderBy} does: by each key in turn,
 * runs missing the key last (NaN metrics after numbers, before missing), then `start_time DESC`,
 * then `run_id ASC`.
 *
 * @example
 * ```ts
 * import { compareRuns, parseOrderBy } from 'mlship/tracking';
 * runs.sort(compareRuns(parseOrderBy(['metrics.rmse ASC'])));
 * ```
 */
export function compareRuns(keys: readonly OrderKey[]): (a: RunView, b: RunView) => number {
  const byKeys = compareByKeys(keys, RUN_ATTRIBUTES, []);
  return (a, b) => {
    const c = byKeys(a, b);
    if (c !== 0) return c;
    if (a.attributes.start_time !== b.attributes.start_time) return b.attributes.start_time - a.attributes.start_time;
    return compareCodePoints(a.attributes.run_id, b.attributes.run_id);
  };
}

const num = (v: SearchValue | null | undefined): number => (typeof v === 'number' ? v : Number(v));

function compareByKeys(keys: readonly OrderKey[], attributes: Readonly<Record<string, 'string' | 'number'>>, numericText: readonly string[]): (a: EntityView, b: EntityView) => number {
  return (a, b) => {
    for (const key of keys) {
      const x = sortValue(a, key);
      const y = sortValue(b, key);
      if (x.rank !== y.rank) return x.rank - y.rank;
      if (x.rank !== 0) continue;
      const numeric = key.entity === 'metric' || (key.entity === 'attribute' && attributes[key.key] === 'number');
      const c = numeric
        ? Math.sign((x.value as number) - (y.value as number))
        : key.entity === 'attribute' && numericText.includes(key.key)
          ? Math.sign(num(x.value) - num(y.value))
          : compareCodePoints(x.value as string, y.value as string);
      if (c !== 0 && !Number.isNaN(c)) return key.direction === 'ASC' ? c : -c;
    }
    return 0;
  };
}

const str = (v: SearchValue | null | undefined): string => String(v ?? '');

/**
 * A comparator that sorts experiments, registered models or model versions as the SQL of
 * {@link compileOrderBy} does for that kind: by each key in turn (missing values last), then the
 * kind's ties (experiments: `creation_time ASC`, then numeric `experiment_id`; registered models:
 * `name`; model versions: `creation_time DESC`, `name ASC`, `version DESC`). For runs it is
 * {@link compareRuns}.
 *
 * @param keys - from `parseOrderBy(list, kind)`
 * @param kind - what is sorted
 *
 * @example
 * ```ts
 * import { compareEntities, parseOrderBy } from 'mlship/tracking';
 * views.sort(compareEntities(parseOrderBy(['name DESC'], 'registered_model'), 'registered_model'));
 * ```
 */
export function compareEntities(keys: readonly OrderKey[], kind: SearchKind): (a: EntityView, b: EntityView) => number {
  const spec = searchKindSpec(kind);
  if (kind === 'run') return compareRuns(keys) as unknown as (a: EntityView, b: EntityView) => number;
  const byKeys = compareByKeys(keys, spec.attributes, spec.numericText ?? []);
  return (a, b) => {
    const c = byKeys(a, b);
    if (c !== 0) return c;
    const x = a.attributes;
    const y = b.attributes;
    if (kind === 'experiment') return num(x.creation_time) - num(y.creation_time) || num(x.experiment_id) - num(y.experiment_id);
    if (kind === 'registered_model') return compareCodePoints(str(x.name), str(y.name));
    return num(y.creation_time) - num(x.creation_time) || compareCodePoints(str(x.name), str(y.name)) || num(y.version) - num(x.version);
  };
}
