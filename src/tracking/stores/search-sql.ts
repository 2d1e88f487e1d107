/**
 * The bridge from a `searchRuns` call to SQL: parses the filter and `orderBy` text with the search
 * language (src/tracking/search) and compiles them into Kysely fragments over the tracking schema.
 * Shared by the SQL backends.
 */
import type { RawBuilder } from 'kysely';
import { compileFilter, compileOrderBy, parseFilter, parseOrderBy } from '../search/index.js';
import type { SqlDialect } from '../search/index.js';

/** The WHERE fragment (absent for no filter) and the complete ORDER BY list, ties included. */
export interface CompiledRunSearch {
  where: RawBuilder<boolean> | undefined;
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
  return { where: parsed === null ? undefined : compileFilter(parsed, dialect), orderBy: compileOrderBy(parseOrderBy(orderBy), dialect) };
}
