import { MlshipError } from '../../core/index.js';
import { namedFunction, registerFunction } from '../base.js';
import { pythonFindall, compilePythonPattern, type PythonPattern } from './python-regex.js';
import { ENGLISH_STOP_WORDS } from './stop-words.js';
import { BMP_WORD, PY_SPACE_CLASS, isCombining, isWordCodePoint } from './unicode-tables.js';

/** A function from a document to a document (a preprocessor). */
export type Preprocessor = (doc: string) => string;
/** A function from a document to its tokens (a tokenizer or an analyzer). */
export type Tokenizer = (doc: string) => string[];

// A module-local alias: hot loops must not go through an import binding accessor.
const WORD: Uint8Array = BMP_WORD;
const NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII_G = /[^\x00-\x7f]+/g;
const SURROGATE = /[\ud800-\udfff]/;

/**
 * scikit-learn's `strip_accents_unicode`: NFKD, then drop every code point whose canonical
 * combining class is non-zero. ASCII text is returned unchanged.
 *
 * @example
 * ```ts
 * stripAccentsUnicode('Crème brûlée'); // 'Creme brulee'
 * ```
 */
export function stripAccentsUnicode(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  const nf = s.normalize('NFKD');
  let out = '';
  let start = 0;
  const n = nf.length;
  for (let i = 0; i < n; ) {
    const c = nf.codePointAt(i)!;
    const w = c > 0xffff ? 2 : 1;
    if (isCombining(c)) {
      out += nf.slice(start, i);
      start = i + w;
    }
    i += w;
  }
  return start === 0 ? nf : out + nf.slice(start);
}

/**
 * scikit-learn's `strip_accents_ascii`: NFKD, then drop every non-ASCII character.
 *
 * @example
 * ```ts
 * stripAccentsAscii('naïve café Ω'); // 'naive cafe '
 * ```
 */
export function stripAccentsAscii(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  return s.normalize('NFKD').replace(NON_ASCII_G, '');
}

const TAG = /<([^>]+)>/gu;

/**
 * scikit-learn's `strip_tags`: replaces every `<...>` tag by a space. Registered as the function
 * `'strip_tags'`.
 *
 * @example
 * ```ts
 * stripTags('Great<br />film'); // 'Great film'
 * ```
 */
export function stripTags(s: string): string {
  return s.replace(TAG, ' ');
}

const ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);/g;
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '\u2013',
  mdash: '\u2014',
  hellip: '\u2026',
  lsquo: '\u2018',
  rsquo: '\u2019',
  ldquo: '\u201c',
  rdquo: '\u201d',
  copy: '\u00a9',
  reg: '\u00ae',
  eacute: '\u00e9',
  egrave: '\u00e8',
  agrave: '\u00e0',
  ccedil: '\u00e7',
  uuml: '\u00fc',
  ouml: '\u00f6',
  auml: '\u00e4',
};

/**
 * The HTML cleaner for the IMDB review layout: replaces every tag (`<br />`, `<i>`, ...) by a space
 * as {@link stripTags} does, then decodes numeric entities (`&#39;`, `&#x27;`) and the common named
 * ones (`&amp; &lt; &gt; &quot; &apos; &nbsp;`, dashes, quotes, a few accented letters); unknown
 * entities are kept as they are. Registered as `'strip_html'`; `'strip_html_lower'` also lowercases.
 * As in scikit-learn, a custom `preprocessor` replaces the built-in lowercasing and accent stripping,
 * so use `'strip_html_lower'` to keep `lowercase: true` behaviour.
 *
 * @example
 * ```ts
 * stripHtml('A &amp; B<br /><br />fin'); // 'A & B  fin'
 * new TfidfVectorizer({ preprocessor: 'strip_html_lower' });
 * ```
 */
export function stripHtml(s: string): string {
  const noTags = s.replace(TAG, ' ');
  if (noTags.indexOf('&') < 0) return noTags;
  return noTags.replace(ENTITY, (whole, body: string) => {
    if (body.charCodeAt(0) === 35) {
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp < 0xe000) ? String.fromCodePoint(cp) : whole;
    }
    return NAMED_ENTITIES[body] ?? whole;
  });
}

registerFunction('strip_tags', stripTags);
registerFunction('strip_html', stripHtml);
registerFunction('strip_html_lower', (s: string) => stripHtml(s).toLowerCase());
registerFunction('strip_accents_unicode', stripAccentsUnicode);
registerFunction('strip_accents_ascii', stripAccentsAscii);

/**
 * Appends to `out` the maximal runs of Python `\w` characters that have at least `minLen` code
 * points: exactly Python's `re.findall(r'(?u)\b\w{minLen,}\b', s)` (the default token pattern is
 * minLen = 2), without a RegExp.
 */
export function scanWordRuns(s: string, minLen: number, out: string[]): string[] {
  const n = s.length;
  let i = 0;
  while (i < n) {
    let c = s.charCodeAt(i);
    // Skip non-word characters.
    if (c < 0xd800 || c >= 0xe000) {
      if (WORD[c] === 0) {
        i++;
        continue;
      }
    } else if (c < 0xdc00 && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d < 0xdc00 || d >= 0xe000 || !isWordCodePoint(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000)) {
        i += d >= 0xdc00 && d < 0xe000 ? 2 : 1;
        continue;
      }
    } else {
      i++;
      continue;
    }
    const start = i;
    let len = 0;
    while (i < n) {
      c = s.charCodeAt(i);
      if (c < 0xd800 || c >= 0xe000) {
        if (WORD[c] === 0) break;
        i++;
      } else if (c < 0xdc00 && i + 1 < n) {
        const d = s.charCodeAt(i + 1);
        if (d < 0xdc00 || d >= 0xe000 || !isWordCodePoint(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000)) break;
        i += 2;
      } else {
        break;
      }
      len++;
    }
    if (len >= minLen) out.push(s.slice(start, i));
  }
  return out;
}

const WHITE_SPACES = new RegExp(`[${PY_SPACE_CLASS}]{2,}`, 'gu');
const SPLIT_SPACES = new RegExp(`[${PY_SPACE_CLASS}]+`, 'u');

/** scikit-learn's `_char_ngrams`: whitespace runs become one space, then n-grams of code points. */
export function charNgrams(doc: string, minN: number, maxN: number): string[] {
  const text = doc.replace(WHITE_SPACES, ' ');
  const out: string[] = [];
  if (!SURROGATE.test(text)) {
    const len = text.length;
    let lo = minN;
    if (lo === 1) {
      for (let i = 0; i < len; i++) out.push(text[i]!);
      lo = 2;
    }
    const top = Math.min(maxN, len);
    for (let k = lo; k <= top; k++) {
      for (let i = 0; i + k <= len; i++) out.push(text.slice(i, i + k));
    }
    return out;
  }
  const cps = Array.from(text);
  const len = cps.length;
  let lo = minN;
  if (lo === 1) {
    for (let i = 0; i < len; i++) out.push(cps[i]!);
    lo = 2;
  }
  const top = Math.min(maxN, len);
  for (let k = lo; k <= top; k++) {
    for (let i = 0; i + k <= len; i++) out.push(cps.slice(i, i + k).join(''));
  }
  return out;
}

/** scikit-learn's `_char_wb_ngrams`: n-grams inside words padded with one space on each side. */
export function charWbNgrams(doc: string, minN: number, maxN: number): string[] {
  const text = doc.replace(WHITE_SPACES, ' ');
  const out: string[] = [];
  for (const word of text.split(SPLIT_SPACES)) {
    if (word === '') continue;
    const w = SURROGATE.test(word) ? Array.from(` ${word} `) : ` ${word} `;
    const wLen = w.length;
    const slice = typeof w === 'string' ? (a: number, b: number) => w.slice(a, b) : (a: number, b: number) => w.slice(a, b).join('');
    for (let k = minN; k <= maxN; k++) {
      let offset = 0;
      out.push(slice(offset, offset + k));
      while (offset + k < wLen) {
        offset++;
        out.push(slice(offset, offset + k));
      }
      if (offset === 0) break;
    }
  }
  return out;
}

/** scikit-learn's `_word_ngrams` after stop-word filtering: unigrams first, then n-grams joined by ' '. */
export function wordNgrams(tokens: string[], minN: number, maxN: number): string[] {
  if (maxN === 1) return tokens;
  const n = tokens.length;
  let out: string[];
  let lo = minN;
  if (lo === 1) {
    out = tokens.slice();
    lo = 2;
  } else {
    out = [];
  }
  const top = Math.min(maxN, n);
  for (let k = lo; k <= top; k++) {
    for (let i = 0; i + k <= n; i++) {
      let g = tokens[i]!;
      for (let j = 1; j < k; j++) g += ' ' + tokens[i + j]!;
      out.push(g);
    }
  }
  return out;
}

/** The text-processing parameters shared by the vectorizers, named as scikit-learn's (camelCase). */
export interface AnalyzerParams {
  /** Only `'content'`: documents are passed as strings. @default 'content' */
  input: 'content';
  /** Remove accents: `'ascii'` (NFKD, keep ASCII), `'unicode'` (NFKD, drop combining marks) or null. @default null */
  stripAccents: 'ascii' | 'unicode' | null;
  /** Lowercase before tokenizing (ignored when a `preprocessor` is given, as in scikit-learn). @default true */
  lowercase: boolean;
  /** A function (or registered function name, e.g. 'strip_html_lower') replacing lowercasing and accent stripping. @default null */
  preprocessor: string | Preprocessor | null;
  /** A function (or registered name) splitting a preprocessed document into tokens; replaces `tokenPattern`. @default null */
  tokenizer: string | Tokenizer | null;
  /** 'word', 'char', 'char_wb', or a function (or registered name) from raw document to features. @default 'word' */
  analyzer: 'word' | 'char' | 'char_wb' | string | Tokenizer;
  /** 'english' (scikit-learn's 318-word list), an array of words, or null. Word analyzer only. @default null */
  stopWords: 'english' | readonly string[] | null;
  /** A Python `re` pattern for tokens; with one capturing group, the group is the token. @default '(?u)\\b\\w\\w+\\b' */
  tokenPattern: string | null;
  /** [minN, maxN]: the n-gram sizes to extract. @default [1, 1] */
  ngramRange: readonly [number, number];
}

/** scikit-learn's defaults for {@link AnalyzerParams}. */
export const ANALYZER_DEFAULTS: AnalyzerParams = {
  input: 'content',
  stripAccents: null,
  lowercase: true,
  preprocessor: null,
  tokenizer: null,
  analyzer: 'word',
  stopWords: null,
  tokenPattern: '(?u)\\b\\w\\w+\\b',
  ngramRange: [1, 1],
};

function resolveFunction<F extends (...args: any[]) => unknown>(v: unknown, param: string, owner: string): F {
  if (typeof v === 'function') return v as F;
  if (typeof v === 'string') return namedFunction<F>(v, `${owner}.${param}`);
  throw new MlshipError('INVALID_ARGUMENT', `${owner}.${param} must be null, a function or the name of a registered function, got ${JSON.stringify(v)}`, { field: param, value: v });
}

/** Validates `ngramRange` and returns it as [min, max]. */
export function checkNgramRange(range: unknown, owner: string): [number, number] {
  if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => Number.isInteger(x) && x >= 1)) {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}.ngramRange must be [minN, maxN] with integers >= 1, got ${JSON.stringify(range)}`, { field: 'ngramRange', value: range });
  }
  const [lo, hi] = range as [number, number];
  if (lo > hi) {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}: Invalid value for ngramRange=[${lo}, ${hi}]: lower boundary larger than the upper boundary`, { field: 'ngramRange', value: range });
  }
  return [lo, hi];
}

/** The effective stop-word set (scikit-learn's `get_stop_words`). */
export function resolveStopWords(stop: unknown, owner: string): ReadonlySet<string> | null {
  if (stop === null || stop === undefined) return null;
  if (stop === 'english') return ENGLISH_STOP_WORDS;
  if (typeof stop === 'string') {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}.stopWords: not a built-in stop list: '${stop}'; use 'english', an array of words or null`, { field: 'stopWords', value: stop });
  }
  if (Array.isArray(stop) || stop instanceof Set) return new Set(stop as Iterable<string>);
  throw new MlshipError('INVALID_ARGUMENT', `${owner}.stopWords must be 'english', an array of words or null`, { field: 'stopWords', value: stop });
}

/**
 * The preprocessor of `lowercase: true` without accent stripping (one function, so that the word
 * engine's WebAssembly reader can tell it apart and lowercase as it scans).
 */
export const LOWERCASE: Preprocessor = (d) => d.toLowerCase();

/** scikit-learn's `build_preprocessor`. */
export function buildPreprocessor(p: AnalyzerParams, owner: string): Preprocessor | null {
  if (p.preprocessor !== null && p.preprocessor !== undefined) return resolveFunction<Preprocessor>(p.preprocessor, 'preprocessor', owner);
  let strip: Preprocessor | null = null;
  if (p.stripAccents === 'ascii') strip = stripAccentsAscii;
  else if (p.stripAccents === 'unicode') strip = stripAccentsUnicode;
  else if (p.stripAccents !== null && p.stripAccents !== undefined) {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}.stripAccents must be 'ascii', 'unicode' or null, got ${JSON.stringify(p.stripAccents)}`, { field: 'stripAccents', value: p.stripAccents });
  }
  const lower = p.lowercase;
  if (typeof lower !== 'boolean') {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}.lowercase must be true or false, got ${JSON.stringify(lower)}`, { field: 'lowercase', value: lower });
  }
  if (lower && strip) {
    const f = strip;
    return (d) => f(d.toLowerCase());
  }
  if (lower) return LOWERCASE;
  return strip;
}

/** scikit-learn's `build_tokenizer`: a token-pattern scanner (fast path for `\b\w\w+\b`). */
export function buildTokenizer(p: AnalyzerParams, owner: string): Tokenizer {
  if (p.tokenizer !== null && p.tokenizer !== undefined) return resolveFunction<Tokenizer>(p.tokenizer, 'tokenizer', owner);
  if (p.tokenPattern === null || p.tokenPattern === undefined) {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}.tokenPattern is null and no tokenizer is given; pass a pattern (default '(?u)\\b\\w\\w+\\b') or a tokenizer`, { field: 'tokenPattern' });
  }
  const pat: PythonPattern = compilePythonPattern(p.tokenPattern, `${owner}.tokenPattern`);
  if (pat.groups > 1) {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}.tokenPattern: More than 1 capturing group in token pattern. Only a single group should be captured.`, { field: 'tokenPattern', value: p.tokenPattern });
  }
  const k = pat.wordRunMinLength;
  if (k > 0) return (d) => scanWordRuns(d, k, []);
  return (d) => pythonFindall(pat, d, []);
}

/**
 * scikit-learn's `build_analyzer`: the function from a raw document to its features (words or
 * n-grams), combining preprocessing, tokenization, stop words and n-grams as the parameters say.
 *
 * @example
 * ```ts
 * // Reached through the vectorizers:
 * new CountVectorizer({ ngramRange: [1, 2] }).buildAnalyzer()('Hello big World');
 * // ['hello', 'big', 'world', 'hello big', 'big world']
 * ```
 */
export function buildAnalyzer(p: AnalyzerParams, owner: string): Tokenizer {
  if (p.input !== 'content') {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}.input must be 'content' (documents are passed as strings), got ${JSON.stringify(p.input)}`, { field: 'input', value: p.input });
  }
  const a = p.analyzer;
  if (typeof a === 'function' || (typeof a === 'string' && a !== 'word' && a !== 'char' && a !== 'char_wb')) {
    return resolveFunction<Tokenizer>(a, 'analyzer', owner);
  }
  const [minN, maxN] = checkNgramRange(p.ngramRange, owner);
  const pre = buildPreprocessor(p, owner);
  if (a === 'char') return pre ? (d) => charNgrams(pre(d), minN, maxN) : (d) => charNgrams(d, minN, maxN);
  if (a === 'char_wb') return pre ? (d) => charWbNgrams(pre(d), minN, maxN) : (d) => charWbNgrams(d, minN, maxN);
  const tokenize = buildTokenizer(p, owner);
  const stop = resolveStopWords(p.stopWords, owner);
  return (d) => {
    let toks = tokenize(pre ? pre(d) : d);
    if (stop) toks = toks.filter((t) => !stop.has(t));
    return wordNgrams(toks, minN, maxN);
  };
}

/** Throws INVALID_ARGUMENT unless `docs` is an array of strings; names the first bad index. */
export function checkDocuments(docs: unknown, owner: string, method: string): asserts docs is readonly string[] {
  if (typeof docs === 'string') {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}.${method}: Iterable over raw text documents expected, string object received; wrap it in an array: [doc]`, { field: 'docs' });
  }
  if (!Array.isArray(docs)) {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}.${method} expects an array of strings, got ${docs === null ? 'null' : typeof docs}`, { field: 'docs' });
  }
  for (let i = 0; i < docs.length; i++) {
    const d: unknown = docs[i];
    if (typeof d !== 'string') {
      const kind = d === null ? 'null' : typeof d === 'number' && Number.isNaN(d) ? 'NaN' : typeof d;
      throw new MlshipError('INVALID_ARGUMENT', `${owner}.${method}: document ${i} is ${kind}, expected a string; fill or drop missing texts first`, { field: 'docs', line: i, value: kind });
    }
  }
}
