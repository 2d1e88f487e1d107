/**
 * The abstract syntax tree of mlship's run search language (MLflow's filter syntax plus `OR`,
 * parentheses and `NOT`). {@link parseFilter} produces it, {@link compileFilter} turns it into
 * SQL and {@link matchesFilter} evaluates it in memory; stores consume it and never see the text.
 *
 * @module
 */

/** What a key names: a run's latest metric, a param, a tag, a run attribute or a dataset input. */
export type SearchEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

/** A comparison operator of the search language. */
export type ComparisonOp =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'ILIKE'
  | 'IN'
  | 'NOT IN'
  | 'IS NULL'
  | 'IS NOT NULL';

/** A literal on the right of a comparison. */
export type SearchValue = string | number;

/**
 * One comparison, `metrics.rmse < 3`. `value` is a number for metrics and numeric attributes, a
 * string for params, tags, string attributes and datasets, a non-empty list for `IN`/`NOT IN`
 * and `null` for `IS NULL`/`IS NOT NULL`.
 *
 * Semantics (SQL and in-memory alike): a comparison on a key the run does not have is false,
 * whatever the operator (`!=` and `NOT IN` included), except `IS NULL` which is true exactly
 * then. A NaN metric never satisfies a comparison (it does satisfy `IS NOT NULL`).
 */
export interface Comparison {
  kind: 'cmp';
  entity: SearchEntity;
  key: string;
  op: ComparisonOp;
  value: SearchValue | SearchValue[] | null;
}

/** `a AND b AND ...`; an empty list is true. */
export interface AndFilter {
  kind: 'and';
  items: Filter[];
}

/** `a OR b OR ...`; an empty list is false. */
export interface OrFilter {
  kind: 'or';
  items: Filter[];
}

/** `NOT a`: the logical negation (a run lacking the key of `a` matches `NOT a`). */
export interface NotFilter {
  kind: 'not';
  item: Filter;
}

/**
 * A parsed search filter.
 *
 * @example
 * ```ts
 * import { parseFilter, type Filter } from 'mlship/tracking';
 * const f: Filter | null = parseFilter("metrics.rmse < 3 OR params.model = 'rf'");
 * // { kind: 'or', items: [{ kind: 'cmp', entity: 'metric', key: 'rmse', op: '<', value: 3 }, ...] }
 * ```
 */
export type Filter = AndFilter | OrFilter | NotFilter | Comparison;

/** Sort direction of an {@link OrderKey}. */
export type SortDirection = 'ASC' | 'DESC';

/**
 * One `order by` key. Runs missing the key sort last in both directions (NaN metrics sort after
 * numbers and before missing ones); ties are broken by `start_time DESC, run_id ASC`.
 */
export interface OrderKey {
  entity: Exclude<SearchEntity, 'dataset'>;
  key: string;
  direction: SortDirection;
}

/** The run attributes the language knows, and whether they hold numbers (ms timestamps) or text. */
export const RUN_ATTRIBUTES = {
  run_id: 'string',
  run_name: 'string',
  status: 'string',
  start_time: 'number',
  end_time: 'number',
  artifact_uri: 'string',
  user_id: 'string',
  experiment_id: 'string',
  parent_run_id: 'string',
} as const satisfies Record<string, 'string' | 'number'>;

/** The name of a run attribute (a column of the `runs` table). */
export type RunAttribute = keyof typeof RUN_ATTRIBUTES;

/** The dataset-input fields `datasets.<field>` may compare (columns of `dataset_inputs`). */
export const DATASET_FIELDS = ['name', 'digest', 'context'] as const;

/** A field of a dataset input: `name`, `digest` or `context`. */
export type DatasetField = (typeof DATASET_FIELDS)[number];

/** True when `key` is a known run attribute. */
export function isRunAttribute(key: string): key is RunAttribute {
  return Object.prototype.hasOwnProperty.call(RUN_ATTRIBUTES, key);
}
