/**
 * The search language of runs, experiments, registered models and model versions (one grammar, a
 * {@link SearchKind} deciding the valid keys): `parseFilter` / `parseOrderBy` turn text into an AST, `compileFilter` /
 * `compileOrderBy` turn the AST into injection-proof Kysely SQL over the tracking schema, and
 * `matchesFilter` / `compareRuns` evaluate it in memory with the same semantics.
 *
 * @module
 */
export * from './ast.js';
export { parseFilter, parseOrderBy } from './parser.js';
export { compileFilter, compileOrderBy, compileRunOrderJoins, type RunOrderJoins, type SqlDialect } from './compile.js';
export { matchesFilter, compareRuns, compareEntities, runView, type RunView, type EntityView } from './evaluate.js';
