/**
 * The abstract syntax tree of mlship's search language (MLflow's filter syntax plus `OR`,
 * parentheses and `NOT`) for runs, experiments, registered models and model versions. {@link parseFilter} produces it, {@link compileFilter} turns it into
 * SQL and {@link matchesFilter} evaluates it in memory; stores consume it and never see the text.
 *
 * @module
 */
import { MlshipError } from '../../core/index.js';

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

/**
 * What a search looks for. Every kind shares the one language (AND, OR, NOT, parentheses, all the
 * operators); the kind decides which keys are valid:
 * - `run`: `metrics.`, `params.`, `tags.`, `attributes.` ({@link RUN_ATTRIBUTES}), `datasets.`
 * - `experiment`: `name`, `attributes.experiment_id`, `attributes.creation_time`,
 *   `attributes.last_update_time`, `tags.<key>` (ids compare as text, sort as numbers)
 * - `registered_model`: `name`, `attributes.creation_time`, `attributes.last_updated_time`, `tags.<key>`
 * - `model_version`: `name`, `version`, `run_id`, `source`, `attributes.creation_time`, `tags.<key>`
 */
export type SearchKind = 'run' | 'experiment' | 'registered_model' | 'model_version';

/** The keys one {@link SearchKind} accepts in filters and in `order by`. */
export interface SearchKindSpec {
  /** The kind's name for people, in messages: `run`, `experiment`, `registered model`, `model version`. */
  label: string;
  /** Key prefixes (`metrics`, `tags`, ...) and the entity each names. */
  prefixes: Readonly<Record<string, SearchEntity>>;
  /** The attributes (columns of the kind's table) and whether they hold numbers or text. */
  attributes: Readonly<Record<string, 'string' | 'number'>>;
  /** Other names of attributes (MLflow's spellings), mapped to the attribute. */
  aliases: Readonly<Record<string, string>>;
  /** The entities `order by` accepts. */
  orderEntities: readonly Exclude<SearchEntity, 'dataset'>[];
  /** The attributes `order by` accepts. */
  orderAttributes: readonly string[];
  /** Text attributes holding integers that sort as numbers (experiment ids: '2' before '10'). @default [] */
  numericText?: readonly string[];
  /** The valid keys, as listed in error messages. */
  keyList: string;
}

const RUN_PREFIXES: Record<string, SearchEntity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

const TAG_ATTRIBUTE_PREFIXES: Record<string, SearchEntity> = {
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
};

/** The valid keys of every {@link SearchKind}. */
export const SEARCH_KINDS: Readonly<Record<SearchKind, SearchKindSpec>> = {
  run: {
    label: 'run',
    prefixes: RUN_PREFIXES,
    attributes: RUN_ATTRIBUTES,
    aliases: { created: 'start_time', Created: 'start_time' },
    orderEntities: ['metric', 'param', 'tag', 'attribute'],
    orderAttributes: Object.keys(RUN_ATTRIBUTES),
    keyList: `metrics.<key>, params.<key>, tags.<key>, attributes.<${Object.keys(RUN_ATTRIBUTES).join('|')}>, datasets.<${DATASET_FIELDS.join('|')}>`,
  },
  experiment: {
    label: 'experiment',
    prefixes: TAG_ATTRIBUTE_PREFIXES,
    attributes: { name: 'string', experiment_id: 'string', creation_time: 'number', last_update_time: 'number' },
    aliases: {},
    orderEntities: ['attribute'],
    orderAttributes: ['name', 'experiment_id', 'creation_time', 'last_update_time'],
    numericText: ['experiment_id'],
    keyList: 'name, attributes.name, attributes.experiment_id, attributes.creation_time, attributes.last_update_time, tags.<key>',
  },
  registered_model: {
    label: 'registered model',
    prefixes: TAG_ATTRIBUTE_PREFIXES,
    attributes: { name: 'string', creation_time: 'number', last_updated_time: 'number' },
    aliases: { creation_timestamp: 'creation_time', last_updated_timestamp: 'last_updated_time' },
    orderEntities: ['attribute'],
    orderAttributes: ['name', 'creation_time', 'last_updated_time'],
    keyList: 'name, attributes.creation_time, attributes.last_updated_time, tags.<key>',
  },
  model_version: {
    label: 'model version',
    prefixes: TAG_ATTRIBUTE_PREFIXES,
    attributes: { name: 'string', version: 'number', run_id: 'string', source: 'string', creation_time: 'number' },
    aliases: { version_number: 'version', source_path: 'source', creation_timestamp: 'creation_time' },
    orderEntities: ['attribute'],
    orderAttributes: ['name', 'version', 'run_id', 'source', 'creation_time'],
    keyList: 'name, version, run_id, source, attributes.creation_time, tags.<key>',
  },
};

/**
 * The key table of a search kind; INVALID_ARGUMENT for anything else.
 *
 * @internal
 */
export function searchKindSpec(kind: unknown): SearchKindSpec {
  if (typeof kind === 'string' && Object.prototype.hasOwnProperty.call(SEARCH_KINDS, kind)) return SEARCH_KINDS[kind as SearchKind];
  throw new MlshipError('INVALID_ARGUMENT', `search kind must be one of ${Object.keys(SEARCH_KINDS).join(', ')}, got ${JSON.stringify(kind)}`, { field: 'kind', value: kind });
}
