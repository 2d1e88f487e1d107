/**
 * LIKE patterns, parsed once and rendered for each engine. The language's LIKE syntax is SQL's
 * with PostgreSQL's default escape: `%` matches any run of characters, `_` exactly one character
 * (a Unicode code point), `\` makes the next character literal (a trailing `\` is a literal
 * backslash).
 *
 * @internal
 * @module
 */

type Piece = { kind: 'lit'; ch: string } | { kind: 'one' } | { kind: 'any' };

function pieces(pattern: string): Piece[] {
  const chars = Array.from(pattern);
  const out: Piece[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      const next = chars[i + 1];
      if (next === undefined) out.push({ kind: 'lit', ch: '\\' });
      else {
        out.push({ kind: 'lit', ch: next });
        i++;
      }
    } else if (c === '%') out.push({ kind: 'any' });
    else if (c === '_') out.push({ kind: 'one' });
    else out.push({ kind: 'lit', ch: c });
  }
  return out;
}

/**
 * Lower-cases ASCII letters only, as SQLite's built-in `lower()` does; ILIKE folds this way in
 * SQLite and in {@link matchesFilter}, so both agree on every input.
 */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** The pattern as a SQLite GLOB pattern (case-sensitive): `*`, `?`, and `[x]` for literal `*?[`. */
export function likeToGlob(pattern: string): string {
  return pieces(pattern)
    .map((p) => (p.kind === 'any' ? '*' : p.kind === 'one' ? '?' : p.ch === '*' || p.ch === '?' || p.ch === '[' ? `[${p.ch}]` : p.ch))
    .join('');
}

/** The pattern in canonical PostgreSQL LIKE form (escape character `\`). */
export function likeToPostgres(pattern: string): string {
  return pieces(pattern)
    .map((p) => (p.kind === 'any' ? '%' : p.kind === 'one' ? '_' : p.ch === '%' || p.ch === '_' || p.ch === '\\' ? `\\${p.ch}` : p.ch))
    .join('');
}

/** The pattern as an anchored RegExp over code points. */
export function likeToRegExp(pattern: string): RegExp {
  const src = pieces(pattern)
    .map((p) => (p.kind === 'any' ? '.*' : p.kind === 'one' ? '.' : p.ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${src}$`, 'su');
}
