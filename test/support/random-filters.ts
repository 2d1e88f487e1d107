// Random search filters for the property tests that check the SQL compiler against the in-memory
// evaluator: the tree shape and value helpers, with the leaves left to each test.
import type { Rng } from '../../src/core/index.js';
import type { Comparison, Filter, SearchValue } from '../../src/tracking/search/ast.js';

/** The operators a random comparison on a number takes. */
export const NUMERIC_OPS = ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN', 'IS NULL', 'IS NOT NULL'] as const;
/** The operators a random comparison on a string takes. */
export const STRING_OPS = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN', 'IS NULL', 'IS NOT NULL'] as const;

/** One item of `xs`, chosen by `rng`. */
export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

/** A string of 0 to 3 characters drawn from `alphabet`. */
export function randomString(rng: Rng, alphabet: readonly string[]): string {
  let s = '';
  const n = rng.int(4);
  for (let i = 0; i < n; i++) s += pick(rng, alphabet);
  return s;
}

/** The value a comparison with `op` takes: null for IS (NOT) NULL, two values for (NOT) IN, else one. */
export function randomOperand(op: Comparison['op'], one: () => SearchValue): Comparison['value'] {
  return op === 'IS NULL' || op === 'IS NOT NULL' ? null : op === 'IN' || op === 'NOT IN' ? [one(), one()] : one();
}

/** A random NOT/AND/OR tree at most `depth` deep whose leaves come from `leaf`. */
export function randomFilter(rng: Rng, depth: number, leaf: () => Comparison): Filter {
  const r = rng.random();
  if (depth <= 0 || r < 0.4) return leaf();
  if (r < 0.55) return { kind: 'not', item: randomFilter(rng, depth - 1, leaf) };
  const items = Array.from({ length: 1 + rng.int(3) }, () => randomFilter(rng, depth - 1, leaf));
  return { kind: r < 0.8 ? 'and' : 'or', items };
}
