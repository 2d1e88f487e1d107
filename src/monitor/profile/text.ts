// Text descriptors as profile columns, and the analyzer a profile's vocabulary was built with.
import { MlshipError, Rng } from '../../core/index.js';
import { CountVectorizer, type Tokenizer } from '../../learn/index.js';
import { textDescriptors, type MaybeText, type TextDescriptors, type VocabularyLookup } from '../text/descriptors.js';
import type { TextAnalyzerSettings, TextProfile } from './types.js';

/**
 * Profile column names of the text descriptors.
 *
 * @example
 * ```ts
 * import { TEXT_COLUMNS } from 'mlship/monitor';
 * profile.columns[TEXT_COLUMNS.oovShare]; // the out-of-vocabulary share's sketch
 * ```
 */
export const TEXT_COLUMNS = { length: 'text.length', oovShare: 'text.oov_share', nonLetterShare: 'text.non_letter_share' } as const;

/** scikit-learn's default word analyzer settings. */
export const DEFAULT_ANALYZER: TextAnalyzerSettings = { lowercase: true, tokenPattern: '(?u)\\b\\w\\w+\\b', ngramRange: [1, 1], stopWords: null, stripAccents: null, preprocessor: null };

/** The tokenizer of stored analyzer settings (a CountVectorizer's word analyzer). */
export function analyzerOf(settings: TextAnalyzerSettings | undefined): Tokenizer {
  const s = { ...DEFAULT_ANALYZER, ...settings };
  return new CountVectorizer({
    lowercase: s.lowercase,
    tokenPattern: s.tokenPattern,
    ngramRange: s.ngramRange,
    stopWords: s.stopWords ?? null,
    stripAccents: s.stripAccents ?? null,
    preprocessor: s.preprocessor ?? null,
  }).buildAnalyzer();
}

/** The descriptor columns of a batch of documents, named as in a profile. */
export function descriptorColumns(texts: readonly MaybeText[], vocabulary: VocabularyLookup | undefined, analyzer: Tokenizer): Record<string, Float64Array> {
  const d: TextDescriptors = textDescriptors(texts, { ...(vocabulary ? { vocabulary } : {}), analyzer });
  const out: Record<string, Float64Array> = { [TEXT_COLUMNS.length]: d.length, [TEXT_COLUMNS.nonLetterShare]: d.nonLetterShare };
  if (d.oovShare) out[TEXT_COLUMNS.oovShare] = d.oovShare;
  return out;
}

/**
 * A seeded sample (without replacement) of at most `size` present documents and at most `maxChars`
 * characters in all (documents are drawn in a seeded random order and kept whole while they fit),
 * in their original order.
 */
export function sampleDocuments(texts: readonly MaybeText[], size: number, seed: number, maxChars = Infinity): string[] {
  if (!(Number.isInteger(size) && size >= 0)) throw new MlshipError('INVALID_ARGUMENT', `textSample must be a non-negative integer, got ${size}`, { field: 'textSample', value: size });
  if (!(maxChars > 0)) throw new MlshipError('INVALID_ARGUMENT', `textSampleChars must be a positive number, got ${maxChars}`, { field: 'textSampleChars', value: maxChars });
  const present: number[] = [];
  for (let i = 0; i < texts.length; i++) if (typeof texts[i] === 'string') present.push(i);
  const perm = new Rng(seed).permutation(present.length);
  const picked: number[] = [];
  let chars = 0;
  for (let k = 0; k < perm.length && picked.length < size; k++) {
    const i = present[perm[k]!]!;
    const len = (texts[i] as string).length;
    if (chars + len > maxChars) continue;
    chars += len;
    picked.push(i);
  }
  return picked.sort((a, b) => a - b).map((i) => texts[i] as string);
}

/** Words of a vocabulary stored as terms; larger ones are stored hashed. */
export const VOCABULARY_TERMS = 20000;

/** 32-bit FNV-1a over the UTF-16 code units of a word (fast: no UTF-8 encoding per token). */
function hashWord(term: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    const c = term.charCodeAt(i);
    h = Math.imul(h ^ (c & 0xff), 0x01000193);
    h = Math.imul(h ^ (c >>> 8), 0x01000193);
  }
  return h >>> 0;
}

/** The base64 of the ascending, distinct 32-bit FNV-1a values of `terms` (little-endian uint32). */
export function hashVocabulary(terms: Iterable<string>): string {
  const all = Uint32Array.from(terms, hashWord).sort();
  const bytes = new Uint8Array(all.length * 4);
  const view = new DataView(bytes.buffer);
  let k = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) view.setUint32(4 * k++, all[i]!, true);
  return Buffer.from(bytes.buffer, 0, 4 * k).toString('base64');
}

/**
 * The training vocabulary a profile keeps, as a membership test for the out-of-vocabulary share:
 * a Set of its words, or a lookup of their hashes when the profile stores `vocabularyHashes`.
 * Undefined when the profile has no vocabulary.
 *
 * @example
 * ```ts
 * import { loadProfile, profileVocabulary, textDescriptors } from 'mlship/monitor';
 * const profile = await loadProfile(client, 'models:/spam@champion');
 * textDescriptors(['win cash now'], { vocabulary: profileVocabulary(profile) }).oovShare;
 * ```
 */
export function profileVocabulary(profile: { text?: TextProfile }): VocabularyLookup | undefined {
  const t = profile.text;
  if (t?.vocabulary) return new Set(t.vocabulary);
  if (t?.vocabularyHashes !== undefined) {
    const bytes = Buffer.from(t.vocabularyHashes, 'base64');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const set = new Set<number>();
    for (let i = 0; i + 4 <= bytes.length; i += 4) set.add(view.getUint32(i, true));
    // Tokens repeat: remember recent answers (V8 hashes strings natively), bounded in size.
    const memo = new Map<string, boolean>();
    return {
      has: (term: string) => {
        let hit = memo.get(term);
        if (hit === undefined) {
          hit = set.has(hashWord(term));
          if (memo.size >= 200_000) memo.clear();
          memo.set(term, hit);
        }
        return hit;
      },
    };
  }
  return undefined;
}

/**
 * A seeded reservoir of documents (Algorithm R): a uniform sample of at most `size` of all the
 * documents added, chunk by chunk, in O(size) memory.
 */
export class DocumentReservoir {
  readonly items: string[] = [];
  seen = 0;
  private readonly rng: Rng;

  constructor(
    readonly size: number,
    seed: number,
  ) {
    if (!(Number.isInteger(size) && size >= 0)) throw new MlshipError('INVALID_ARGUMENT', `textSample must be a non-negative integer, got ${size}`, { field: 'textSample', value: size });
    this.rng = new Rng(seed);
  }

  add(texts: readonly MaybeText[]): void {
    for (const t of texts) {
      if (typeof t !== 'string') continue;
      this.seen++;
      if (this.items.length < this.size) this.items.push(t);
      else {
        const j = this.rng.int(this.seen);
        if (j < this.size) this.items[j] = t;
      }
    }
  }
}

/**
 * What a text profile keeps of a fitted word vectorizer (CountVectorizer, TfidfVectorizer): its
 * single-word terms and its analyzer settings with `ngramRange: [1, 1]`, so the
 * out-of-vocabulary share counts words (n-gram terms would make every unseen word pair "out of
 * vocabulary" and multiply the profile's size). Undefined for a vectorizer that is not fitted, not a
 * word analyzer, or has a custom tokenizer or preprocessor function.
 *
 * @example
 * ```ts
 * import { vectorizerVocabulary } from 'mlship/monitor';
 * const v = vectorizerVocabulary(pipeline.namedSteps.tfidf);
 * buildProfile({ task: 'classification', texts: xTest, predictions, ...v });
 * ```
 */
export function vectorizerVocabulary(vectorizer: unknown): { vocabulary: string[]; analyzer: TextAnalyzerSettings } | undefined {
  if (!(vectorizer instanceof CountVectorizer)) return undefined;
  const vocab = vectorizer.vocabulary_;
  const p = vectorizer.getParams(false);
  if (!vocab || p.analyzer !== 'word' || (p.tokenizer !== null && p.tokenizer !== undefined) || typeof p.tokenPattern !== 'string') return undefined;
  if (p.preprocessor !== null && p.preprocessor !== undefined && typeof p.preprocessor !== 'string') return undefined;
  const range = p.ngramRange as readonly [number, number];
  if (range[0] > 1) return undefined;
  const vocabulary: string[] = [];
  for (const term of vocab.keys()) if (!term.includes(' ')) vocabulary.push(term);
  const stop = p.stopWords;
  return {
    vocabulary,
    analyzer: {
      lowercase: p.lowercase !== false,
      tokenPattern: p.tokenPattern,
      ngramRange: [1, 1],
      stopWords: stop === 'english' ? 'english' : Array.isArray(stop) ? [...(stop as string[])] : null,
      stripAccents: (p.stripAccents as 'ascii' | 'unicode' | null | undefined) ?? null,
      preprocessor: (p.preprocessor as string | null | undefined) ?? null,
    },
  };
}
