import { MlshipError } from '../../core/index.js';
import { PY_DIGIT_CLASS, PY_SPACE_CLASS, PY_WORD_CLASS } from './unicode-tables.js';

/** A Python `re` pattern translated to a JS RegExp with the same matches. */
export interface PythonPattern {
  /** The original Python pattern. */
  readonly source: string;
  /** The equivalent JS RegExp (flags `gu`, plus `i` for `(?i)`). */
  readonly regex: RegExp;
  /** Number of capturing groups (scikit-learn allows at most one). */
  readonly groups: number;
  /**
   * When the pattern is `\b\w{k,}\b` in Unicode mode (scikit-learn's default `(?u)\b\w\w+\b` is
   * k = 2), the minimum token length k: tokens are then maximal runs of word characters, which the
   * fast scanner in `tokenize.ts` finds without a RegExp. 0 otherwise.
   */
  readonly wordRunMinLength: number;
}

const ASCII_WORD = 'A-Za-z0-9_';
const ASCII_DIGIT = '0-9';
const ASCII_SPACE = ' \\t\\n\\r\\f\\v';

interface Classes {
  w: string;
  d: string;
  s: string;
}

function unsupported(pattern: string, what: string, at: number, param: string): MlshipError {
  return new MlshipError(
    'INVALID_ARGUMENT',
    `${param}: the Python regex ${JSON.stringify(pattern)} uses ${what} at position ${at}, which mlship cannot translate; rewrite the pattern without it or pass a tokenizer function`,
    { field: param, value: pattern },
  );
}

function cpEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

const FAST_PATTERNS: Record<string, number> = {
  '\\b\\w\\w+\\b': 2,
  '\\b\\w+\\b': 1,
  '\\b\\w\\w\\w+\\b': 3,
};

/**
 * Translates a Python `re` pattern (as scikit-learn's `token_pattern`) to an equivalent JS RegExp,
 * keeping Python's Unicode meaning of `\w`, `\W`, `\b`, `\B`, `\d`, `\D`, `\s`, `\S`, `.`, `^`, `$`,
 * `\A` and `\Z`. Supported: the global flags `(?u)`, `(?i)`, `(?a)`, `(?m)`, `(?s)` at the start;
 * groups `(...)`, `(?:...)`, `(?P<name>...)`, `(?P=name)`, look-arounds, `(?#comment)`; character
 * classes (including `\w` and negated shorthands inside them); quantifiers `*`, `+`, `?`, `{m,n}`
 * (also Python's `{,n}`) and their lazy forms; escapes `\n \t \r \f \v \a \xhh \uhhhh \Uhhhhhhhh`,
 * octal and back-references. Anything else (verbose mode, scoped flags, atomic groups, possessive
 * quantifiers, conditionals, `\N{...}`) fails with INVALID_ARGUMENT.
 *
 * @example
 * ```ts
 * const p = compilePythonPattern('(?u)\\b\\w\\w+\\b');
 * p.wordRunMinLength; // 2
 * pythonFindall(compilePythonPattern("(\\w+)'s"), "Bob's cat's"); // ['Bob', 'cat']
 * ```
 */
export function compilePythonPattern(pattern: string, param = 'tokenPattern'): PythonPattern {
  if (typeof pattern !== 'string') {
    throw new MlshipError('INVALID_ARGUMENT', `${param} must be a Python regex string, got ${typeof pattern}`, { field: param });
  }
  let i = 0;
  let ignoreCase = false;
  let ascii = false;
  let multiline = false;
  let dotAll = false;
  let unicodeFlag = false;
  // Global inline flags must come first in Python 3.11.
  for (;;) {
    const m = /^\(\?([aiLmsux]+)\)/.exec(pattern.slice(i));
    if (!m) break;
    for (const f of m[1]!) {
      if (f === 'i') ignoreCase = true;
      else if (f === 'a') ascii = true;
      else if (f === 'm') multiline = true;
      else if (f === 's') dotAll = true;
      else if (f === 'u') unicodeFlag = true;
      else throw unsupported(pattern, `the flag (?${f})`, i, param);
    }
    i += m[0].length;
  }
  if (ascii && unicodeFlag) {
    throw new MlshipError('INVALID_ARGUMENT', `${param}: flags 'a' and 'u' are incompatible (Python raises the same)`, { field: param, value: pattern });
  }
  const cls: Classes = ascii ? { w: ASCII_WORD, d: ASCII_DIGIT, s: ASCII_SPACE } : { w: PY_WORD_CLASS, d: PY_DIGIT_CLASS, s: PY_SPACE_CLASS };
  const body = pattern.slice(i);
  const fastK = !ascii && !ignoreCase ? FAST_PATTERNS[body] ?? 0 : 0;

  let out = '';
  let groups = 0;
  const n = pattern.length;
  // Characters of Python syntax that are literal when escaped; escaped in the output as \u{..}.
  const readEscape = (pos: number, inClass: boolean): { text: string; cp: number | null; next: number } => {
    const c = pattern[pos + 1];
    if (c === undefined) throw unsupported(pattern, 'a trailing backslash', pos, param);
    const next = pos + 2;
    switch (c) {
      case 'w':
        return { text: `[${cls.w}]`, cp: null, next };
      case 'W':
        return { text: `[^${cls.w}]`, cp: null, next };
      case 'd':
        return { text: `[${cls.d}]`, cp: null, next };
      case 'D':
        return { text: `[^${cls.d}]`, cp: null, next };
      case 's':
        return { text: `[${cls.s}]`, cp: null, next };
      case 'S':
        return { text: `[^${cls.s}]`, cp: null, next };
      case 'n':
        return { text: '\\n', cp: 10, next };
      case 't':
        return { text: '\\t', cp: 9, next };
      case 'r':
        return { text: '\\r', cp: 13, next };
      case 'f':
        return { text: '\\f', cp: 12, next };
      case 'v':
        return { text: '\\v', cp: 11, next };
      case 'a':
        return { text: '\\x07', cp: 7, next };
      case 'x': {
        const h = /^[0-9a-fA-F]{2}/.exec(pattern.slice(next));
        if (!h) throw unsupported(pattern, 'an incomplete \\x escape', pos, param);
        const cp = parseInt(h[0], 16);
        return { text: cpEscape(cp), cp, next: next + 2 };
      }
      case 'u':
      case 'U': {
        const len = c === 'u' ? 4 : 8;
        const h = new RegExp(`^[0-9a-fA-F]{${len}}`).exec(pattern.slice(next));
        if (!h) throw unsupported(pattern, `an incomplete \\${c} escape`, pos, param);
        const cp = parseInt(h[0], 16);
        if (cp > 0x10ffff) throw unsupported(pattern, 'a code point above U+10FFFF', pos, param);
        return { text: cpEscape(cp), cp, next: next + len };
      }
      case 'b':
        if (inClass) return { text: '\\x08', cp: 8, next };
        return { text: `(?:(?<=[${cls.w}])(?![${cls.w}])|(?<![${cls.w}])(?=[${cls.w}]))`, cp: null, next };
      case 'B':
        if (inClass) throw unsupported(pattern, '\\B inside a character class', pos, param);
        return { text: `(?:(?<=[${cls.w}])(?=[${cls.w}])|(?<![${cls.w}])(?![${cls.w}]))`, cp: null, next };
      case 'A':
        if (inClass) throw unsupported(pattern, '\\A inside a character class', pos, param);
        return { text: '(?<![\\s\\S])', cp: null, next };
      case 'Z':
        if (inClass) throw unsupported(pattern, '\\Z inside a character class', pos, param);
        return { text: '(?![\\s\\S])', cp: null, next };
      default:
        break;
    }
    if (c >= '0' && c <= '9') {
      const oct = /^[0-7]{3}/.exec(pattern.slice(pos + 1));
      if (c === '0' || oct || inClass) {
        const o = /^[0-7]{1,3}/.exec(pattern.slice(pos + 1));
        if (!o) throw unsupported(pattern, 'an invalid octal escape', pos, param);
        const cp = parseInt(o[0], 8);
        return { text: cpEscape(cp), cp, next: pos + 1 + o[0].length };
      }
      const d = /^[0-9]{1,2}/.exec(pattern.slice(pos + 1))!;
      return { text: `\\${d[0]}`, cp: null, next: pos + 1 + d[0].length };
    }
    if (/[A-Za-z]/.test(c)) throw unsupported(pattern, `the escape \\${c}`, pos, param);
    const cp = pattern.codePointAt(pos + 1)!;
    return { text: cpEscape(cp), cp, next: pos + 1 + (cp > 0xffff ? 2 : 1) };
  };

  const literal = (cp: number): string => (cp < 128 && !/[A-Za-z0-9 ]/.test(String.fromCharCode(cp)) ? cpEscape(cp) : String.fromCodePoint(cp));

  const quantifierTail = (pos: number): number => {
    // After a quantifier: optional lazy '?'; possessive '+' is rejected.
    if (pattern[pos] === '+') throw unsupported(pattern, 'a possessive quantifier', pos, param);
    if (pattern[pos] === '?') {
      out += '?';
      return pos + 1;
    }
    return pos;
  };

  while (i < n) {
    const c = pattern[i]!;
    if (c === '\\') {
      const e = readEscape(i, false);
      out += e.text;
      i = e.next;
    } else if (c === '[') {
      i = translateClass(i);
    } else if (c === '(') {
      if (pattern[i + 1] !== '?') {
        groups++;
        out += '(';
        i++;
        continue;
      }
      const rest = pattern.slice(i + 2);
      if (rest.startsWith(':')) {
        out += '(?:';
        i += 3;
      } else if (rest.startsWith('=') || rest.startsWith('!')) {
        out += `(?${rest[0]}`;
        i += 3;
      } else if (rest.startsWith('<=') || rest.startsWith('<!')) {
        out += `(?${rest.slice(0, 2)}`;
        i += 4;
      } else if (rest.startsWith('#')) {
        const end = pattern.indexOf(')', i);
        if (end < 0) throw unsupported(pattern, 'an unterminated comment', i, param);
        i = end + 1;
      } else {
        const named = /^P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
        const ref = /^P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
        if (named) {
          groups++;
          out += `(?<${named[1]}>`;
          i += 2 + named[0].length;
        } else if (ref) {
          out += `\\k<${ref[1]}>`;
          i += 2 + ref[0].length;
        } else if (rest.startsWith('>')) {
          throw unsupported(pattern, 'an atomic group (?>...)', i, param);
        } else if (rest.startsWith('(')) {
          throw unsupported(pattern, 'a conditional group (?(...)...)', i, param);
        } else {
          throw unsupported(pattern, 'inline flags not at the start, or scoped flags', i, param);
        }
      }
    } else if (c === '.') {
      out += dotAll ? '[\\s\\S]' : '[^\\n]';
      i++;
    } else if (c === '^') {
      out += multiline ? '(?:(?<![\\s\\S])|(?<=\\n))' : '(?<![\\s\\S])';
      i++;
    } else if (c === '$') {
      out += multiline ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))';
      i++;
    } else if (c === '*' || c === '+' || c === '?') {
      out += c;
      i = quantifierTail(i + 1);
    } else if (c === '{') {
      const q = /^\{(\d*)(?:(,)(\d*))?\}/.exec(pattern.slice(i));
      if (q && (q[1] !== '' || q[2] !== undefined)) {
        const lo = q[1] === '' ? '0' : q[1]!;
        out += q[2] === undefined ? `{${lo}}` : `{${lo},${q[3] ?? ''}}`;
        i = quantifierTail(i + q[0].length);
      } else {
        out += '\\{';
        i++;
      }
    } else if (c === '}' || c === ']') {
      out += `\\${c}`;
      i++;
    } else if (c === '|' || c === ')') {
      out += c;
      i++;
    } else {
      const cp = pattern.codePointAt(i)!;
      out += literal(cp);
      i += cp > 0xffff ? 2 : 1;
    }
  }

  function translateClass(start: number): number {
    let p = start + 1;
    let negated = false;
    if (pattern[p] === '^') {
      negated = true;
      p++;
    }
    let positive = '';
    const negatedShorthands: string[] = [];
    let first = true;
    for (;;) {
      if (p >= n) throw unsupported(pattern, 'an unterminated character class', start, param);
      const ch = pattern[p]!;
      if (ch === ']' && !first) {
        p++;
        break;
      }
      first = false;
      let lo: number | null;
      if (ch === '\\') {
        const e = readEscape(p, true);
        p = e.next;
        if (e.cp === null) {
          // A shorthand class: \w \d \s inline, \W \D \S kept apart.
          if (e.text.startsWith('[^')) negatedShorthands.push(e.text.slice(2, -1));
          else positive += e.text.slice(1, -1);
          continue;
        }
        lo = e.cp;
      } else {
        lo = pattern.codePointAt(p)!;
        p += lo > 0xffff ? 2 : 1;
      }
      if (pattern[p] === '-' && pattern[p + 1] !== undefined && pattern[p + 1] !== ']') {
        let hi: number;
        if (pattern[p + 1] === '\\') {
          const e = readEscape(p + 1, true);
          if (e.cp === null) throw unsupported(pattern, 'a range ending in a class shorthand', p, param);
          hi = e.cp;
          p = e.next;
        } else {
          hi = pattern.codePointAt(p + 1)!;
          p += 1 + (hi > 0xffff ? 2 : 1);
        }
        if (hi < lo) throw unsupported(pattern, 'a bad character range', p, param);
        positive += `${cpEscape(lo)}-${cpEscape(hi)}`;
      } else {
        positive += cpEscape(lo);
      }
    }
    if (negatedShorthands.length === 0) {
      out += `[${negated ? '^' : ''}${positive}]`;
    } else if (!negated) {
      const alts = negatedShorthands.map((s) => `[^${s}]`);
      if (positive !== '') alts.unshift(`[${positive}]`);
      out += `(?:${alts.join('|')})`;
    } else {
      // [^A\W] = not in A and a word char: (?![A])[w]; several negated shorthands intersect.
      const guard = positive !== '' ? `(?![${positive}])` : '';
      const musts = negatedShorthands.slice(0, -1).map((s) => `(?=[${s}])`).join('');
      out += `(?:${guard}${musts}[${negatedShorthands[negatedShorthands.length - 1]}])`;
    }
    return p;
  }

  let regex: RegExp;
  try {
    regex = new RegExp(out, ignoreCase ? 'giu' : 'gu');
  } catch (err) {
    throw new MlshipError('INVALID_ARGUMENT', `${param}: ${JSON.stringify(pattern)} is not a valid regex (${(err as Error).message})`, { field: param, value: pattern }, { cause: err });
  }
  return { source: pattern, regex, groups, wordRunMinLength: fastK };
}

/**
 * Python's `re.findall`: every non-overlapping match, left to right; with one capturing group,
 * the group's text ('' when it did not take part) instead of the whole match.
 *
 * @example
 * ```ts
 * pythonFindall(compilePythonPattern('\\d+'), 'a1b22'); // ['1', '22']
 * ```
 */
export function pythonFindall(p: PythonPattern, text: string, out: string[] = []): string[] {
  const re = p.regex;
  re.lastIndex = 0;
  const n = text.length;
  for (;;) {
    const m = re.exec(text);
    if (m === null) break;
    out.push(p.groups === 0 ? m[0] : (m[1] ?? ''));
    if (m[0].length === 0) {
      const at = re.lastIndex;
      if (at >= n) break;
      const c = text.charCodeAt(at);
      re.lastIndex = at + (c >= 0xd800 && c < 0xdc00 && at + 1 < n ? 2 : 1);
    }
  }
  return out;
}
