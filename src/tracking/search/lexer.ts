import { MlshipError } from '../../core/index.js';

/**
 * The kinds of token of the search language. `string` is a single- or double-quoted literal,
 * `backtick` a backtick-quoted key; a double-quoted literal may also be a key (the parser decides
 * by position, as MLflow does).
 */
export type TokenType = 'word' | 'string' | 'backtick' | 'number' | 'op' | '(' | ')' | ',' | '.' | 'eof';

/** One token: its type, raw text, decoded value and 0-based offset in the filter text. */
export interface Token {
  type: TokenType;
  /** The exact source text of the token. */
  text: string;
  /** Decoded value: the unquoted string, the number, or the text for words and operators. */
  value: string | number;
  /** For `string` tokens, the quote character used. */
  quote?: "'" | '"' | '`';
  /** 0-based offset of the first character. */
  start: number;
}

/**
 * Builds the INVALID_ARGUMENT error every search-language failure throws: it quotes the text,
 * names the 1-based column and says what was expected.
 *
 * @internal
 */
export function searchError(what: 'filter' | 'order_by', text: string, offset: number, message: string): MlshipError {
  const column = offset + 1;
  return new MlshipError('INVALID_ARGUMENT', `Invalid ${what} ${JSON.stringify(text)} at column ${column}: ${message}`, {
    field: what,
    value: text,
    column,
  });
}

const WORD_START = /[A-Za-z_]/;
const WORD_CHAR = /[A-Za-z0-9_]/;
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;

/**
 * Splits a filter into tokens. Strings: `'...'` or `"..."`; inside them a doubled quote (`''`)
 * or a backslash-escaped quote (`\'`) is one quote and `\\` is one backslash; any other backslash
 * is kept as written (so LIKE escapes such as `'50\%'` reach the pattern). Backtick keys escape
 * a backtick by doubling it. Numbers: integers, decimals and exponents, with an optional leading
 * minus (`-1.5e-3`).
 *
 * @internal used by the parser; `tokenize("metrics.rmse < 3")` gives word . word op number eof.
 */
export function tokenize(text: string, what: 'filter' | 'order_by' = 'filter'): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')' || c === ',' || c === '.') {
      // A '.' followed by a digit after an operator is a number like .5; elsewhere it separates keys.
      if (c === '.' && /\d/.test(text[i + 1] ?? '') && tokens.at(-1)?.type !== 'word' && tokens.at(-1)?.type !== 'string' && tokens.at(-1)?.type !== 'backtick') {
        i = readNumber(text, i, tokens, what);
        continue;
      }
      tokens.push({ type: c, text: c, value: c, start });
      i++;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      i = readQuoted(text, i, c, tokens, what);
      continue;
    }
    if (/\d/.test(c) || (c === '-' && /[\d.]/.test(text[i + 1] ?? ''))) {
      i = readNumber(text, i, tokens, what);
      continue;
    }
    if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < n && WORD_CHAR.test(text[j]!)) j++;
      const word = text.slice(i, j);
      tokens.push({ type: 'word', text: word, value: word, start });
      i = j;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '!=' || two === '<>') {
      tokens.push({ type: 'op', text: two, value: two === '<>' ? '!=' : two, start });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      if (text[i + 1] === '=' && c === '=') {
        throw searchError(what, text, i, "unexpected '=='; use a single '=' to compare");
      }
      tokens.push({ type: 'op', text: c, value: c, start });
      i++;
      continue;
    }
    throw searchError(what, text, i, `unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ type: 'eof', text: '', value: '', start: n });
  return tokens;
}

function readNumber(text: string, i: number, tokens: Token[], what: 'filter' | 'order_by'): number {
  const m = NUMBER.exec(text.slice(i));
  if (!m) throw searchError(what, text, i, 'expected a number');
  const raw = m[0];
  const end = i + raw.length;
  if (end < text.length && (WORD_CHAR.test(text[end]!) || text[end] === '.')) {
    throw searchError(what, text, i, `invalid number ${JSON.stringify(text.slice(i, end + 1))}`);
  }
  const value = Number(raw);
  if (!Number.isFinite(value)) throw searchError(what, text, i, `number ${raw} is out of range`);
  tokens.push({ type: 'number', text: raw, value, start: i });
  return end;
}

function readQuoted(text: string, i: number, quote: "'" | '"' | '`', tokens: Token[], what: 'filter' | 'order_by'): number {
  const start = i;
  let out = '';
  let j = i + 1;
  for (;;) {
    if (j >= text.length) {
      const kind = quote === '`' ? 'backtick-quoted key' : 'string';
      throw searchError(what, text, start, `unterminated ${kind}: add the closing ${quote}`);
    }
    const ch = text[j]!;
    if (ch === quote) {
      if (text[j + 1] === quote) {
        out += quote;
        j += 2;
        continue;
      }
      j++;
      break;
    }
    if (ch === '\\' && quote !== '`') {
      const next = text[j + 1];
      if (next === quote || next === '\\') {
        out += next;
        j += 2;
        continue;
      }
    }
    out += ch;
    j++;
  }
  tokens.push({ type: quote === '`' ? 'backtick' : 'string', text: text.slice(start, j), value: out, quote, start });
  return j;
}
