import { sql, type RawBuilder } from 'kysely';
import { MlshipError } from '../../core/index.js';
import { searchKindSpec, type Comparison, type Filter, type OrderKey, type SearchKind, type SearchKindSpec, type SearchValue } from './ast.js';
import { asciiLower, likeToGlob, likeToPostgres } from './like.js';

/** The SQL engines the compiler targets; they differ in LIKE/ILIKE and string collation. */
export type SqlDialect = 'sqlite' | 'postgres';

const ENTITY_TABLE = { metric: 'latest_metrics', param: 'params', tag: 'tags' } as const;

/** Where a search kind lives in the schema: its table, its tag table and how a tag row joins it. */
interface SqlTarget {
  spec: SearchKindSpec;
  /** The table searched, referenced by its own name. */
  table: string;
  /** The tag table of the kind. */
  tagTable: string;
  /** `<alias>.<fk> = <table>.<pk>` for a row of a per-entity table aliased `alias` (a fixed internal alias, never user text). */
  join: (alias: string) => RawBuilder<unknown>;
  /** The tie-breaking ORDER BY items that end every order (a total order). */
  ties: () => RawBuilder<unknown>[];
}

const TARGETS: Record<SearchKind, SqlTarget> = {
  run: {
    spec: searchKindSpec('run'),
    table: 'runs',
    tagTable: 'tags',
    join: (a) => sql.raw(`${a}.run_id = runs.run_id`),
    ties: () => [sql`runs.start_time DESC`, sql`runs.run_id ASC`],
  },
  experiment: {
    spec: searchKindSpec('experiment'),
    table: 'experiments',
    tagTable: 'experiment_tags',
    join: (a) => sql.raw(`${a}.experiment_id = experiments.experiment_id`),
    ties: () => [sql`experiments.creation_time ASC`, sql`CAST(experiments.experiment_id AS INTEGER) ASC`],
  },
  registered_model: {
    spec: searchKindSpec('registered_model'),
    table: 'registered_models',
    tagTable: 'registered_model_tags',
    join: (a) => sql.raw(`${a}.name = registered_models.name`),
    ties: () => [sql`registered_models.name ASC`],
  },
  model_version: {
    spec: searchKindSpec('model_version'),
    table: 'model_versions',
    tagTable: 'model_version_tags',
    join: (a) => sql.raw(`${a}.name = model_versions.name AND ${a}.version = model_versions.version`),
    ties: () => [sql`model_versions.creation_time DESC`, sql`model_versions.name ASC`, sql`model_versions.version DESC`],
  },
};

function targetOf(kind: SearchKind): SqlTarget {
  searchKindSpec(kind);
  return TARGETS[kind];
}

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function invalidAst(message: string): MlshipError {
  return new MlshipError('INVALID_ARGUMENT', `Invalid search filter: ${message}; build filters with parseFilter()`, { field: 'filter' });
}

function list(op: string, value: Comparison['value']): SearchValue[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidAst(`${op} needs a non-empty list of values`);
  return value;
}

/** `col <op> value` for one non-null column expression; `col` is trusted SQL, values are bound. */
function compareExpr(col: RawBuilder<unknown>, op: Comparison['op'], value: Comparison['value'], dialect: SqlDialect): RawBuilder<boolean> {
  switch (op) {
    case '=':
      return sql<boolean>`${col} = ${value}`;
    case '!=':
      return sql<boolean>`${col} <> ${value}`;
    case '<':
      return sql<boolean>`${col} < ${value}`;
    case '<=':
      return sql<boolean>`${col} <= ${value}`;
    case '>':
      return sql<boolean>`${col} > ${value}`;
    case '>=':
      return sql<boolean>`${col} >= ${value}`;
    case 'IN':
      return sql<boolean>`${col} IN (${sql.join(list(op, value))})`;
    case 'NOT IN':
      return sql<boolean>`${col} NOT IN (${sql.join(list(op, value))})`;
    case 'LIKE':
      // SQLite's LIKE ignores ASCII case; GLOB is its case-sensitive matcher (per expression,
      // unlike the global PRAGMA case_sensitive_like).
      return dialect === 'sqlite'
        ? sql<boolean>`${col} GLOB ${likeToGlob(value as string)}`
        : sql<boolean>`${col} LIKE ${likeToPostgres(value as string)}`;
    case 'ILIKE':
      return dialect === 'sqlite'
        ? sql<boolean>`lower(${col}) GLOB ${likeToGlob(asciiLower(value as string))}`
        : sql<boolean>`${col} ILIKE ${likeToPostgres(value as string)}`;
    default:
      throw invalidAst(`operator ${String(op)} does not apply here`);
  }
}

function compileComparison(c: Comparison, dialect: SqlDialect, target: SqlTarget): RawBuilder<boolean> {
  const label = target.spec.label;
  if (c.entity === 'attribute') {
    if (!has(target.spec.attributes, c.key)) throw invalidAst(`unknown ${label} attribute ${JSON.stringify(c.key)}`);
    const col = sql.ref(`${target.table}.${c.key}`);
    if (c.op === 'IS NULL') return sql<boolean>`(${col} IS NULL)`;
    if (c.op === 'IS NOT NULL') return sql<boolean>`(${col} IS NOT NULL)`;
    // The IS NOT NULL guard keeps the result two-valued, so NOT and OR behave as in memory.
    return sql<boolean>`(${col} IS NOT NULL AND ${compareExpr(col, c.op, c.value, dialect)})`;
  }
  if (c.entity !== 'tag' && label !== 'run') throw invalidAst(`${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label} search has no ${c.entity} keys`);
  if (c.entity === 'dataset') {
    if (!['name', 'digest', 'context'].includes(c.key)) throw invalidAst(`unknown dataset field ${JSON.stringify(c.key)}`);
    const col = sql.ref(`_d.${c.key}`);
    return sql<boolean>`EXISTS (SELECT 1 FROM dataset_inputs _d WHERE _d.run_id = runs.run_id AND ${col} IS NOT NULL AND ${compareExpr(col, c.op, c.value, dialect)})`;
  }
  if (!has(ENTITY_TABLE, c.entity)) throw invalidAst(`unknown key entity ${JSON.stringify(c.entity)}`);
  const table = sql.table(c.entity === 'tag' ? target.tagTable : ENTITY_TABLE[c.entity]);
  const base = sql`FROM ${table} _k WHERE ${target.join('_k')} AND _k.key = ${c.key}`;
  if (c.op === 'IS NULL') return sql<boolean>`NOT EXISTS (SELECT 1 ${base})`;
  if (c.op === 'IS NOT NULL') return sql<boolean>`EXISTS (SELECT 1 ${base})`;
  const col = sql.ref('_k.value');
  const notNan = c.entity === 'metric' ? sql` AND COALESCE(_k.is_nan, 0) = 0` : sql``;
  return sql<boolean>`EXISTS (SELECT 1 ${base}${notNan} AND _k.value IS NOT NULL AND ${compareExpr(col, c.op, c.value, dialect)})`;
}

/**
 * Compiles a filter into a SQL boolean expression over the tracking schema (the `runs` table
 * referenced as `runs`; metrics through `latest_metrics`, params, tags and `dataset_inputs`
 * through correlated `EXISTS`). Every value and key name is a bound parameter; only fixed table
 * and column names appear in the SQL text, so no filter can inject SQL.
 *
 * Semantics match {@link matchesFilter}: a comparison on a missing key or a NaN metric is false
 * (the expression is always TRUE or FALSE, never NULL, so `NOT` and `OR` are two-valued).
 * LIKE is case-sensitive on both engines: SQLite's LIKE ignores ASCII case, so on SQLite LIKE is
 * translated to `GLOB` for that one expression (the global `PRAGMA case_sensitive_like` is not
 * used). ILIKE is `lower(x) GLOB lower(pattern)` on SQLite (ASCII case folding, as SQLite's
 * `lower()`), and `ILIKE` on PostgreSQL (Unicode case folding).
 *
 * For the other kinds the expression is over their own table (`experiments`,
 * `registered_models`, `model_versions`, referenced by those names) and tag table; parse the
 * filter with the same kind.
 *
 * @param filter - a parsed filter; `null` compiles to a true expression
 * @param dialect - the engine the SQL is for
 * @param kind - what the filter was parsed for
 * @default dialect 'sqlite'
 * @default kind 'run'
 *
 * @example
 * ```ts
 * import { compileFilter, parseFilter } from 'mlship/tracking';
 * const where = compileFilter(parseFilter("metrics.rmse < 3 OR params.model = 'rf'"), 'sqlite');
 * const rows = await db.selectFrom('runs').select('run_id').where(where).execute();
 * const byTag = compileFilter(parseFilter("tags.team = 'nlp'", 'experiment'), 'sqlite', 'experiment');
 * const exps = await db.selectFrom('experiments').selectAll().where(byTag).execute();
 * ```
 */
export function compileFilter(filter: Filter | null, dialect: SqlDialect = 'sqlite', kind: SearchKind = 'run'): RawBuilder<boolean> {
  return compileNode(filter, dialect, targetOf(kind));
}

function compileNode(filter: Filter | null, dialect: SqlDialect, target: SqlTarget): RawBuilder<boolean> {
  if (filter === null) return sql<boolean>`(1 = 1)`;
  switch (filter.kind) {
    case 'and':
      if (filter.items.length === 0) return sql<boolean>`(1 = 1)`;
      return sql<boolean>`(${sql.join(
        filter.items.map((f) => compileNode(f, dialect, target)),
        sql` AND `,
      )})`;
    case 'or':
      if (filter.items.length === 0) return sql<boolean>`(1 = 0)`;
      return sql<boolean>`(${sql.join(
        filter.items.map((f) => compileNode(f, dialect, target)),
        sql` OR `,
      )})`;
    case 'not':
      return sql<boolean>`(NOT ${compileNode(filter.item, dialect, target)})`;
    case 'cmp':
      return compileComparison(filter, dialect, target);
    default:
      throw invalidAst(`unknown node ${JSON.stringify((filter as { kind?: unknown }).kind)}`);
  }
}

/**
 * Compiles `order by` keys into ORDER BY items (each a complete `expr ASC|DESC` fragment), in
 * order: for each key a rank that puts runs missing the key last (for metrics: numbers, then NaN,
 * then missing, whatever the direction) and the value in the key's direction; then the ties
 * `runs.start_time DESC, runs.run_id ASC`. Text sorts by code point (`COLLATE "C"` on PostgreSQL,
 * SQLite's default BINARY), as {@link compareRuns} does. Other kinds end with their own ties:
 * experiments `creation_time ASC, experiment_id ASC` (numerically), registered models `name ASC`,
 * model versions `creation_time DESC, name ASC, version DESC`.
 *
 * @param keys - from {@link parseOrderBy} (with the same kind)
 * @param dialect - the engine the SQL is for
 * @param kind - what is sorted
 * @default dialect 'sqlite'
 * @default kind 'run'
 *
 * @example
 * ```ts
 * import { compileOrderBy, parseOrderBy } from 'mlship/tracking';
 * import { sql } from 'kysely';
 * const order = compileOrderBy(parseOrderBy(['metrics.rmse ASC']));
 * const rows = await sql`SELECT run_id FROM runs ORDER BY ${sql.join(order)}`.execute(db);
 * ```
 */
export function compileOrderBy(keys: readonly OrderKey[], dialect: SqlDialect = 'sqlite', kind: SearchKind = 'run'): RawBuilder<unknown>[] {
  const target = targetOf(kind);
  const spec = target.spec;
  const out: RawBuilder<unknown>[] = [];
  const collate = dialect === 'postgres' ? sql` COLLATE "C"` : sql``;
  for (const k of keys) {
    const dir = k.direction === 'DESC' ? sql`DESC` : sql`ASC`;
    if (k.entity === 'attribute') {
      if (!has(spec.attributes, k.key)) throw invalidAst(`unknown ${spec.label} attribute ${JSON.stringify(k.key)}`);
      if (!spec.orderAttributes.includes(k.key)) throw invalidAst(`${spec.label}s cannot be ordered by attribute ${JSON.stringify(k.key)}`);
      const type = spec.attributes[k.key];
      const col = sql.ref(`${target.table}.${k.key}`);
      out.push(sql`CASE WHEN ${col} IS NULL THEN 1 ELSE 0 END ASC`);
      if (spec.numericText?.includes(k.key)) out.push(sql`CAST(${col} AS INTEGER) ${dir}`);
      else out.push(type === 'string' ? sql`${col}${collate} ${dir}` : sql`${col} ${dir}`);
      continue;
    }
    if (!spec.orderEntities.includes(k.entity) || !has(ENTITY_TABLE, k.entity)) throw invalidAst(`${spec.label}s cannot be ordered by ${String(k.entity)} fields`);
    const table = sql.table(k.entity === 'tag' ? target.tagTable : ENTITY_TABLE[k.entity]);
    const base = sql`FROM ${table} _o WHERE ${target.join('_o')} AND _o.key = ${k.key}`;
    if (k.entity === 'metric') {
      out.push(sql`COALESCE((SELECT CASE WHEN COALESCE(_o.is_nan, 0) = 0 AND _o.value IS NOT NULL THEN 0 ELSE 1 END ${base}), 2) ASC`);
      out.push(sql`(SELECT CASE WHEN COALESCE(_o.is_nan, 0) = 0 THEN _o.value END ${base}) ${dir}`);
    } else {
      out.push(sql`CASE WHEN EXISTS (SELECT 1 ${base}) THEN 0 ELSE 1 END ASC`);
      out.push(sql`(SELECT _o.value ${base})${collate} ${dir}`);
    }
  }
  out.push(...target.ties());
  return out;
}

/** A run search's ORDER BY as LEFT JOINs: one lookup per sort key and row instead of correlated subqueries. */
export interface RunOrderJoins {
  /** `LEFT JOIN <table> _o<i> ON _o<i>.run_id = runs.run_id AND _o<i>.key = ?` fragments, one per metric, param or tag key. */
  joins: RawBuilder<unknown>[];
  /** The complete ORDER BY list (ties included), over `runs` and the joined `_o<i>` rows. */
  orderBy: RawBuilder<unknown>[];
}

/**
 * Compiles a run order like {@link compileOrderBy} (same order, same ties, missing keys last and
 * NaN metrics after numbers), but reads each metric, param or tag key through a LEFT JOIN on its
 * table's `(run_id, key)` primary key, so a search sorting thousands of runs does one index lookup
 * per key and row. The caller puts `joins` after `FROM runs`.
 *
 * @example
 * ```ts
 * import { compileRunOrderJoins, parseOrderBy } from 'mlship/tracking';
 * import { sql } from 'kysely';
 * const { joins, orderBy } = compileRunOrderJoins(parseOrderBy(['metrics.rmse ASC']));
 * const q = sql`SELECT runs.run_id FROM runs ${sql.join(joins, sql` `)} ORDER BY ${sql.join(orderBy)}`;
 * ```
 */
export function compileRunOrderJoins(keys: readonly OrderKey[], dialect: SqlDialect = 'sqlite'): RunOrderJoins {
  const joins: RawBuilder<unknown>[] = [];
  const orderBy: RawBuilder<unknown>[] = [];
  const collate = dialect === 'postgres' ? sql` COLLATE "C"` : sql``;
  keys.forEach((k, i) => {
    if (k.entity === 'attribute') {
      orderBy.push(...compileOrderBy([k], dialect, 'run').slice(0, -TARGETS.run.ties().length));
      return;
    }
    if (!has(ENTITY_TABLE, k.entity) || !TARGETS.run.spec.orderEntities.includes(k.entity)) throw invalidAst(`runs cannot be ordered by ${String(k.entity)} fields`);
    const alias = sql.raw(`_o${i}`);
    const table = sql.table(k.entity === 'tag' ? TARGETS.run.tagTable : ENTITY_TABLE[k.entity]);
    joins.push(sql`LEFT JOIN ${table} ${alias} ON ${alias}.run_id = runs.run_id AND ${alias}.key = ${k.key}`);
    const dir = k.direction === 'DESC' ? sql`DESC` : sql`ASC`;
    if (k.entity === 'metric') {
      orderBy.push(sql`CASE WHEN ${alias}.run_id IS NULL THEN 2 WHEN COALESCE(${alias}.is_nan, 0) = 0 AND ${alias}.value IS NOT NULL THEN 0 ELSE 1 END ASC`);
      orderBy.push(sql`CASE WHEN COALESCE(${alias}.is_nan, 0) = 0 THEN ${alias}.value END ${dir}`);
    } else {
      orderBy.push(sql`CASE WHEN ${alias}.run_id IS NULL THEN 1 ELSE 0 END ASC`);
      orderBy.push(sql`${alias}.value${collate} ${dir}`);
    }
  });
  orderBy.push(...TARGETS.run.ties());
  return { joins, orderBy };
}
