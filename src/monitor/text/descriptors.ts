import { MlshipError } from '../../core/index.js';
import { CountVectorizer, type Tokenizer } from '../../learn/index.js';

/** A document that may be missing (`null`/`undefined`, as a missing cell of a text column). */
export type MaybeText = string | null | undefined;

/**
 * Any membership test over terms (a Set, a Map, or a compact lookup such as a reference profile's
 * hashed vocabulary).
 *
 * @example
 * ```ts
 * const vocabulary: VocabularyLookup = { has: (term) => term.length < 12 };
 * textDescriptors(['a very long wordwithoutend'], { vocabulary }).oovShare;
 * ```
 */
export interface VocabularyLookup {
  has(term: string): boolean;
}

/** Options of {@link textDescriptors}. */
export interface TextDescriptorOptions {
  /**
   * The training vocabulary for `oovShare`: a Set of terms, or the `vocabulary_` Map of a fitted
   * CountVectorizer/TfidfVectorizer (its keys are used). Without it, `oovShare` is not computed.
   * For the reference profile, describe documents the vocabulary was not built from (e.g. the
   * validation split): on its own training documents every share is 0, a reference without spread.
   * @default undefined
   */
  vocabulary?: ReadonlySet<string> | ReadonlyMap<string, number> | VocabularyLookup;
  /**
   * Turns one document into tokens for `words` and `oovShare`. Pass the `buildAnalyzer()` of the
   * vectorizer whose vocabulary you give, so tokens and vocabulary agree (lowercasing, stop words,
   * n-grams). The default is scikit-learn's default word analyzer: lowercase, then the token
   * pattern `(?u)\b\w\w+\b` (`new CountVectorizer().buildAnalyzer()`).
   * @default new CountVectorizer().buildAnalyzer()
   */
  analyzer?: Tokenizer;
}

/** Per-document text descriptors, one entry per input document (see {@link textDescriptors}). */
export interface TextDescriptors {
  /** Length in Unicode code points (Python's `len(str)`, not UTF-16 units). NaN for a missing document. */
  length: Float64Array;
  /** Number of tokens the analyzer yields. NaN for a missing document. */
  words: Float64Array;
  /**
   * Share (0..1) of tokens not in the vocabulary; 0 for a document without tokens. NaN for a
   * missing document. Present only when `vocabulary` was given.
   */
  oovShare?: Float64Array;
  /**
   * Share (0..1) of code points that are neither a letter (Unicode `\p{L}`, Python's
   * `str.isalpha()`) nor the space U+0020; 0 for the empty string. NaN for a missing document.
   */
  nonLetterShare: Float64Array;
  /** How many input documents were missing (`null`/`undefined`) and got NaN descriptors. */
  missing: number;
}

const LETTER = /\p{L}/u;

/**
 * Share of code points in `text` that are not letters and not the space U+0020, as Evidently's
 * `NonLetterCharacterPercentage` (divided by 100). Tabs, newlines and other whitespace count as
 * non-letters, exactly as in Evidently (whose check is `not ch.isalpha() and ch != " "`).
 * Returns 0 for the empty string (Evidently would divide by zero).
 *
 * @example
 * ```ts
 * nonLetterShare('ab c1'); // 0.2: '1' out of 5 code points; the space is not counted as non-letter
 * ```
 */
export function nonLetterShare(text: string): number {
  let n = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    n++;
    // ASCII fast path: letters are A-Z and a-z; the space does not count.
    if (c < 128) {
      if (c !== 32 && !((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) other++;
      continue;
    }
    let ch = text[i]!;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        ch = text.slice(i, i + 2);
        i++;
      }
    }
    if (!LETTER.test(ch)) other++;
  }
  return n === 0 ? 0 : other / n;
}

/** Length in Unicode code points (Python's `len`): a surrogate pair counts once. */
function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Per-document descriptors of a text column, to be compared between reference and current data
 * with the numeric drift tests: `length` (code points), `words` (tokens), `oovShare` (share of
 * tokens outside the training vocabulary) and `nonLetterShare`.
 *
 * Definitions follow Evidently's descriptors (`TextLength`, `OOVWordsPercentage`,
 * `NonLetterCharacterPercentage`) with shares in 0..1 instead of percentages, and two deliberate
 * differences: tokens come from scikit-learn's analyzer (Evidently strips everything but
 * `[A-Za-z0-9 ]` and splits on spaces), and OOV is measured against the model's own training
 * vocabulary (Evidently lemmatises each word with WordNet and looks it up in NLTK's English word
 * list, which needs corpora we do not ship). Missing documents give NaN in every array so the
 * drift tests drop them and report how many; Evidently gives 0.
 *
 * @example
 * ```ts
 * import { textDescriptors } from 'mlship/monitor';
 * const d = textDescriptors(['Free money!!', 'see you at lunch'], { vocabulary: new Set(['see', 'you', 'at', 'lunch']) });
 * d.length;         // Float64Array [12, 16]
 * d.words;          // Float64Array [2, 4]
 * d.oovShare;       // Float64Array [1, 0]
 * d.nonLetterShare; // Float64Array [2/12, 0]
 * ```
 */
export function textDescriptors(texts: readonly MaybeText[], options: TextDescriptorOptions = {}): TextDescriptors {
  if (!Array.isArray(texts)) {
    throw new MlshipError('INVALID_ARGUMENT', `textDescriptors: texts must be an array of strings (got ${typeof texts})`, { field: 'texts' });
  }
  const vocab = options.vocabulary;
  if (vocab !== undefined && (typeof vocab !== 'object' || vocab === null || typeof (vocab as VocabularyLookup).has !== 'function')) {
    throw new MlshipError('INVALID_ARGUMENT', 'textDescriptors: vocabulary must be a Set of terms, the vocabulary_ Map of a fitted vectorizer, or an object with has(term)', { field: 'vocabulary' });
  }
  if (options.analyzer !== undefined && typeof options.analyzer !== 'function') {
    throw new MlshipError('INVALID_ARGUMENT', 'textDescriptors: analyzer must be a function from a document to its tokens, e.g. vectorizer.buildAnalyzer()', { field: 'analyzer' });
  }
  const analyze = options.analyzer ?? new CountVectorizer().buildAnalyzer();
  const n = texts.length;
  const length = new Float64Array(n);
  const words = new Float64Array(n);
  const nonLetter = new Float64Array(n);
  const oov = vocab ? new Float64Array(n) : undefined;
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const t = texts[i];
    if (t === null || t === undefined) {
      missing++;
      length[i] = words[i] = nonLetter[i] = NaN;
      if (oov) oov[i] = NaN;
      continue;
    }
    if (typeof t !== 'string') {
      throw new MlshipError('INVALID_ARGUMENT', `textDescriptors: texts[${i}] is a ${typeof t}, not a string; convert it or pass null for a missing document`, { field: `texts[${i}]` });
    }
    length[i] = codePointLength(t);
    nonLetter[i] = nonLetterShare(t);
    const tokens = analyze(t);
    words[i] = tokens.length;
    if (oov) {
      let out = 0;
      for (const tok of tokens) if (!vocab!.has(tok)) out++;
      oov[i] = tokens.length === 0 ? 0 : out / tokens.length;
    }
  }
  const result: TextDescriptors = { length, words, nonLetterShare: nonLetter, missing };
  if (oov) result.oovShare = oov;
  return result;
}
