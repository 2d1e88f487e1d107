/**
 * The run search language: `parseFilter` / `parseOrderBy` turn text into an AST, `compileFilter` /
 * `compileOrderBy` turn the AST into injection-proof Kysely SQL over the tracking schema, and
 * `matchesFilter` / `compareRuns` evaluate it in memory with the same semantics.
 *
 * @module
 */
export * from './ast.js';
export { parseFilter, parseOrderBy } from './parser.js';
export { compileFilter, compileOrderBy, type SqlDialect } from './compile.js';
export { matchesFilter, compareRuns, runView, type RunView } from './evaluate.js';
