/**
 * The bridge from a `searchRuns` call to SQL: parses the filter and `orderBy` text with the search
 * language (src/tracking/search) and compiles them into Kysely fragments over the tracking schema.
 * Shared by the SQL backends.
 */
import type { RawBuilder } from 'kysely';
import { compileFilter, compileOrderBy, compileRunOrderJoins, parseFilter, parseOrderBy } from '../search/index.js';
import type { SearchKind, SqlDialect } from '../search/index.js';

/** The WHERE fragment (absent for no filter), the LEFT JOINs the order reads, and the complete ORDER BY list, ties included. */
export interface CompiledRunSearch {
  where: RawBuilder<boolean> | undefined;
  /** `LEFT JOIN ...` fragments to put after `FROM runs` (one per metric, param or tag sort key). */
  joins: RawBuilder<unknown>[];
  orderBy: RawBuilder<unknown>[];
}

/**
 * Parses and compiles a run search. Syntax errors are INVALID_ARGUMENT errors naming the position.
 *
 * @example
 * ```ts
 * const { where, orderBy } = compileRunSearch("metrics.rmse < 3", ['metrics.rmse ASC']);
 * ```
 */
export function compileRunSearch(filter: string | undefined, orderBy: readonly string[] | undefined, dialect: SqlDialect = 'sqlite'): CompiledRunSearch {
  const parsed = parseFilter(filter);
  const order = compileRunOrderJoins(parseOrderBy(orderBy), dialect);
  return { where: parsed === null ? undefined : compileFilter(parsed, dialect), joins: order.joins, orderBy: order.orderBy };
}

/** A compiled search of another kind: the WHERE fragment, and the ORDER BY list when `orderBy` was given. */
export interface CompiledSearch {
  where: RawBuilder<boolean> | undefined;
  /** `undefined` when no order was asked for (the store keeps its default order). */
  orderBy: RawBuilder<unknown>[] | undefined;
}

/**
 * Parses and compiles a search of experiments, registered models or model versions over their own
 * table (`experiments`, `registered_models`, `model_versions`). Syntax errors and keys the kind does
 * not have are INVALID_ARGUMENT errors naming the position and the valid keys.
 *
 * @example
 * ```ts
 * const { where, orderBy } = compileSearch('experiment', "tags.team = 'nlp'", ['name ASC']);
 * ```
 */
export function compileSearch(kind: SearchKind, filter: string | undefined, orderBy: readonly string[] | undefined, dialect: SqlDialect = 'sqlite'): CompiledSearch {
  const parsed = parseFilter(filter, kind);
  const keys = parseOrderBy(orderBy, kind);
  return { where: parsed === null ? undefined : compileFilter(parsed, dialect, kind), orderBy: keys.length === 0 ? undefined : compileOrderBy(keys, dialect, kind) };
}
