/**
 * The fast path of the word analyzer: tokenizes with the default kind of token pattern
 * (`\b\w{k,}\b`), filters stop words, forms n-grams and counts features in one pass, without
 * creating a string per token. Tokens are interned in an open-addressing hash table keyed on the
 * document's own characters; n-grams are keyed on sequences of token ids. A string is built only
 * for a new term. The output is identical to the generic path (same features, same counts).
 */
import { MlshipError } from '../../core/index.js';
import { sortPython } from './kernels.js';
import type { Preprocessor } from './text-analysis.js';
import { BMP_WORD, isWordCodePoint } from './unicode-tables.js';

const EMPTY = -1;
// A module-local alias: hot loops must not go through an import binding accessor.
const WORD: Uint8Array = BMP_WORD;

function growInt32(a: Int32Array, min: number, fill = 0): Int32Array {
  let n = a.length || 16;
  while (n < min) n *= 2;
  if (n === a.length) return a;
  const b = new Int32Array(n);
  if (fill !== 0) b.fill(fill);
  b.set(a);
  return b;
}

function mixSeq(seq: Int32Array, start: number, k: number): number {
  let h = k;
  for (let q = 0; q < k; q++) {
    let k1 = Math.imul(seq[start + q]!, 0xcc9e2d51);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, 0x1b873593);
    h ^= k1;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

/** FNV-1a over UTF-16 code units of `s[start, end)`, as the scanner computes it. */
function hashRange(s: string, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** Interned tokens: string ↔ dense id; their UTF-16 units are kept in one pool for fast comparison. */
class TokenTable {
  strs: string[] = [];
  hashes: Int32Array = new Int32Array(1024);
  offs: Int32Array = new Int32Array(1025);
  units: Uint16Array = new Uint16Array(1 << 16);
  slots: Int32Array = new Int32Array(4096).fill(EMPTY);
  mask = 2047;

  get size(): number {
    return this.strs.length;
  }

  find(s: string, start: number, end: number, h: number): number {
    const len = end - start;
    // slots holds [hash, id] pairs, so that a probe touches one cache line before comparing units.
    const slots = this.slots;
    const offs = this.offs;
    const units = this.units;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const id = slots[2 * slot + 1]!;
      if (id === EMPTY) return -1;
      if (slots[2 * slot] === h) {
        const o = offs[id]!;
        if (offs[id + 1]! - o === len) {
          let q = 0;
          while (q < len && units[o + q] === s.charCodeAt(start + q)) q++;
          if (q === len) return id;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  add(s: string, start: number, end: number, h: number): number {
    const found = this.find(s, start, end, h);
    if (found >= 0) return found;
    const id = this.strs.length;
    // A flat copy, so that the vocabulary does not keep whole documents alive through slices.
    this.strs.push(start === 0 && end === s.length ? s : flatCopy(s.slice(start, end)));
    if (id + 1 > this.hashes.length) this.hashes = growInt32(this.hashes, id + 1);
    if (id + 2 > this.offs.length) this.offs = growInt32(this.offs, id + 2);
    this.hashes[id] = h;
    const o = this.offs[id]!;
    const len = end - start;
    if (o + len > this.units.length) {
      let n = this.units.length * 2;
      while (n < o + len) n *= 2;
      const u = new Uint16Array(n);
      u.set(this.units);
      this.units = u;
    }
    for (let q = 0; q < len; q++) this.units[o + q] = s.charCodeAt(start + q);
    this.offs[id + 1] = o + len;
    if ((id + 1) * 2 > this.mask + 1) this.rehash();
    else this.place(id, h);
    return id;
  }

  private place(id: number, h: number): void {
    let slot = h & this.mask;
    while (this.slots[2 * slot + 1] !== EMPTY) slot = (slot + 1) & this.mask;
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = id;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    this.mask = this.slots.length / 2 - 1;
    for (let id = 0; id < this.strs.length; id++) this.place(id, this.hashes[id]!);
  }
}

/** A copy of `s` that does not share storage with its parent string. */
function flatCopy(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** Interned n-grams: sequence of token ids ↔ dense id. */
class NgramTable {
  pool: Int32Array = new Int32Array(4096);
  poolLen = 0;
  offs: Int32Array = new Int32Array(1024);
  lens: Int32Array = new Int32Array(1024);
  hashes: Int32Array = new Int32Array(1024);
  size = 0;
  slots: Int32Array = new Int32Array(2048).fill(EMPTY);
  mask = 2047;

  find(seq: Int32Array, start: number, k: number, h: number): number {
    let slot = h & this.mask;
    for (;;) {
      const id = this.slots[slot]!;
      if (id === EMPTY) return -1;
      if (this.hashes[id] === h && this.lens[id] === k) {
        const o = this.offs[id]!;
        let q = 0;
        while (q < k && this.pool[o + q] === seq[start + q]) q++;
        if (q === k) return id;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  add(seq: Int32Array, start: number, k: number, h: number): number {
    const id = this.size++;
    if (id >= this.offs.length) {
      this.offs = growInt32(this.offs, id + 1);
      this.lens = growInt32(this.lens, id + 1);
      this.hashes = growInt32(this.hashes, id + 1);
    }
    if (this.poolLen + k > this.pool.length) this.pool = growInt32(this.pool, this.poolLen + k);
    this.offs[id] = this.poolLen;
    this.lens[id] = k;
    this.hashes[id] = h;
    for (let q = 0; q < k; q++) this.pool[this.poolLen++] = seq[start + q]!;
    if ((id + 1) * 2 > this.slots.length) {
      this.slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
      this.mask = this.slots.length - 1;
      for (let j = 0; j < this.size; j++) this.place(j, this.hashes[j]!);
    } else {
      this.place(id, h);
    }
    return id;
  }

  private place(id: number, h: number): void {
    let slot = h & this.mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.slots[slot] = id;
  }
}

/** Sparse counts in CSR arrays (row entries in first-seen order). */
export interface EngineCounts {
  data: Float64Array;
  indices: Int32Array;
  indptr: Int32Array;
}

/** Settings of the fused word path. */
export interface WordEngineOptions {
  /** Preprocessor applied to each document first (lowercase / accents / custom). */
  pre: Preprocessor | null;
  /** Minimum token length in code points (2 for the default pattern). */
  minLen: number;
  minN: number;
  maxN: number;
  stopWords: ReadonlySet<string> | null;
}

/**
 * Tokenizer, n-gram former and counter for the default kind of token pattern. In `fit` mode it
 * learns features; `useColumns` then maps them to output columns for `transform`.
 */
export class WordEngine {
  private readonly o: WordEngineOptions;
  private readonly tokens = new TokenTable();
  private readonly ngrams = new NgramTable();
  private stop: Int32Array = new Int32Array(1024);
  /** Feature id of each token's unigram (-1: none), and of each n-gram entry. */
  private uniFeature: Int32Array = new Int32Array(1024).fill(-1);
  private ngramFeature: Int32Array = new Int32Array(1024).fill(-1);
  /** For each feature: token id (unigram) or ~ngram id (n-gram, negative). */
  private featureRef: Int32Array = new Int32Array(1024);
  private nFeatures = 0;
  /** Output column per feature id (-1 = not in the vocabulary); null = identity. */
  private columns: Int32Array | null = null;
  private docToks: Int32Array = new Int32Array(4096);
  /** Per-document counts by column, and the columns touched, reused across documents. */
  private scratch: Float64Array = new Float64Array(0);
  private touched: Int32Array = new Int32Array(1024);
  private nTouched = 0;

  constructor(options: WordEngineOptions) {
    this.o = options;
    if (options.stopWords) {
      for (const w of options.stopWords) {
        const id = this.tokens.add(w, 0, w.length, hashRange(w, 0, w.length));
        if (id >= this.stop.length) this.stop = growInt32(this.stop, id + 1);
        this.stop[id] = 1;
      }
    }
  }

  /** Number of learned features. */
  get featureCount(): number {
    return this.nFeatures;
  }

  /**
   * An engine that maps a fixed vocabulary (term → column) for transform. Terms are split on ' '
   * into tokens, since tokens of this path never contain a space; terms the analyzer can never
   * produce simply never match, as in scikit-learn.
   */
  static forVocabulary(options: WordEngineOptions, vocab: ReadonlyMap<string, number>): WordEngine {
    const e = new WordEngine(options);
    const seq = new Int32Array(Math.max(1, options.maxN));
    const cols = new Int32Array(vocab.size);
    for (const [term, col] of vocab) {
      const parts = term.split(' ');
      const k = parts.length;
      if (k < options.minN || k > options.maxN || parts.some((p) => p === '')) continue;
      for (let q = 0; q < k; q++) {
        const p = parts[q]!;
        seq[q] = e.tokens.add(p, 0, p.length, hashRange(p, 0, p.length));
      }
      const f = e.newFeature(k === 1 ? seq[0]! : ~e.internNgram(seq, 0, k, mixSeq(seq, 0, k)));
      if (k === 1) {
        e.ensureToken(seq[0]!);
        e.uniFeature[seq[0]!] = f;
      } else {
        e.ngramFeature[e.ngrams.size - 1] = f;
      }
      cols[f] = col;
    }
    e.columns = cols.subarray(0, e.nFeatures);
    return e;
  }

  private bump(col: number): void {
    if (col >= this.scratch.length) {
      const sc = new Float64Array(Math.max(this.scratch.length * 2, col + 1));
      sc.set(this.scratch);
      this.scratch = sc;
    }
    if (this.scratch[col] === 0) {
      if (this.nTouched === this.touched.length) this.touched = growInt32(this.touched, this.nTouched + 1);
      this.touched[this.nTouched++] = col;
    }
    this.scratch[col]!++;
  }

  /** Makes `transform` report column `columns[feature]` (-1 drops the feature). */
  useColumns(columns: Int32Array): void {
    this.columns = columns;
  }

  private ensureToken(id: number): void {
    if (id >= this.uniFeature.length) this.uniFeature = growInt32(this.uniFeature, id + 1, -1);
    if (id >= this.stop.length) this.stop = growInt32(this.stop, id + 1);
  }

  private internNgram(seq: Int32Array, start: number, k: number, h: number): number {
    const id = this.ngrams.add(seq, start, k, h);
    if (id >= this.ngramFeature.length) this.ngramFeature = growInt32(this.ngramFeature, id + 1, -1);
    return id;
  }

  private newFeature(ref: number): number {
    const f = this.nFeatures++;
    if (f >= this.featureRef.length) this.featureRef = growInt32(this.featureRef, f + 1);
    this.featureRef[f] = ref;
    return f;
  }

  /**
   * Counts the features of each document. With `grow`, new tokens and features are learned and
   * columns are feature ids; otherwise unknown ones are skipped and columns come from the vocabulary.
   */
  count(docs: readonly string[], grow: boolean, owner: string): EngineCounts {
    const { pre, minLen, minN, maxN } = this.o;
    const cols = grow ? null : this.columns;
    const nDocs = docs.length;
    const indptr = new Int32Array(nDocs + 1);
    let cap = Math.max(1024, nDocs * 16);
    let data = new Float64Array(cap);
    let indices = new Int32Array(cap);
    this.scratch = new Float64Array(Math.max(1024, this.nFeatures));
    let nnz = 0;
    const tokens = this.tokens;
    for (let d = 0; d < nDocs; d++) {
      const s = pre ? pre(docs[d]!) : docs[d]!;
      if (typeof s !== 'string') {
        throw new MlshipError('INVALID_ARGUMENT', `${owner}: the preprocessor returned ${typeof s} for document ${d}; it must return a string`, { line: d });
      }
      // 1. Tokens (ids; -1 = unknown in transform mode), stop words removed.
      let nt = 0;
      const n = s.length;
      let i = 0;
      while (i < n) {
        let c = s.charCodeAt(i);
        let w = 1;
        let isWord: boolean;
        if (c < 0xd800 || c >= 0xe000) isWord = WORD[c] === 1;
        else if (c < 0xdc00 && i + 1 < n && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) < 0xe000) {
          w = 2;
          isWord = isWordCodePoint(((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00) + 0x10000);
        } else isWord = false;
        if (!isWord) {
          i += w;
          continue;
        }
        const start = i;
        let len = 0;
        let h = 0x811c9dc5 | 0;
        for (;;) {
          for (let q = 0; q < w; q++) h = Math.imul(h ^ s.charCodeAt(i + q), 0x01000193);
          i += w;
          len++;
          if (i >= n) break;
          c = s.charCodeAt(i);
          if (c < 0xd800 || c >= 0xe000) {
            if (WORD[c] !== 1) break;
            w = 1;
          } else if (c < 0xdc00 && i + 1 < n && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) < 0xe000) {
            if (!isWordCodePoint(((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00) + 0x10000)) break;
            w = 2;
          } else break;
        }
        if (len < minLen) continue;
        let id: number;
        if (grow) {
          id = tokens.add(s, start, i, h);
          this.ensureToken(id);
        } else {
          id = tokens.find(s, start, i, h);
        }
        if (id >= 0 && this.stop[id] === 1) continue;
        if (nt === this.docToks.length) this.docToks = growInt32(this.docToks, nt + 1);
        this.docToks[nt++] = id;
      }
      // 2. Features: unigrams, then n-grams of 2..maxN consecutive tokens.
      const toks = this.docToks;
      this.nTouched = 0;
      if (minN === 1) {
        for (let q = 0; q < nt; q++) {
          const t = toks[q]!;
          if (t < 0) continue;
          let f = this.uniFeature[t]!;
          if (f < 0) {
            if (!grow) continue;
            f = this.newFeature(t);
            this.uniFeature[t] = f;
          }
          const col = cols ? cols[f]! : f;
          if (col >= 0) this.bump(col);
        }
      }
      for (let k = Math.max(2, minN); k <= maxN && k <= nt; k++) {
        for (let q = 0; q + k <= nt; q++) {
          let known = true;
          for (let r = 0; r < k; r++) {
            if (toks[q + r]! < 0) {
              known = false;
              break;
            }
          }
          if (!known) continue;
          const h = mixSeq(toks, q, k);
          let g = this.ngrams.find(toks, q, k, h);
          let f: number;
          if (g < 0) {
            if (!grow) continue;
            g = this.internNgram(toks, q, k, h);
            f = this.newFeature(~g);
            this.ngramFeature[g] = f;
          } else {
            f = this.ngramFeature[g]!;
            if (f < 0) continue;
          }
          const col = cols ? cols[f]! : f;
          if (col >= 0) this.bump(col);
        }
      }
      const nTouched = this.nTouched;
      const touched = this.touched;
      const scratch = this.scratch;
      if (nnz + nTouched > cap) {
        while (nnz + nTouched > cap) cap *= 2;
        const dd = new Float64Array(cap);
        dd.set(data.subarray(0, nnz));
        data = dd;
        const x = new Int32Array(cap);
        x.set(indices.subarray(0, nnz));
        indices = x;
      }
      for (let q = 0; q < nTouched; q++) {
        const f = touched[q]!;
        indices[nnz] = f;
        data[nnz] = scratch[f]!;
        scratch[f] = 0;
        nnz++;
      }
      indptr[d + 1] = nnz;
    }
    return { data: data.slice(0, nnz), indices: indices.slice(0, nnz), indptr };
  }

  /** The term of feature `f` (n-grams joined by ' ', as scikit-learn). */
  featureName(f: number): string {
    const ref = this.featureRef[f]!;
    if (ref >= 0) return this.tokens.strs[ref]!;
    const g = ~ref;
    const o = this.ngrams.offs[g]!;
    const k = this.ngrams.lens[g]!;
    let name = this.tokens.strs[this.ngrams.pool[o]!]!;
    for (let q = 1; q < k; q++) name += ' ' + this.tokens.strs[this.ngrams.pool[o + q]!]!;
    return name;
  }

  /**
   * The features in Python's sorted order of their terms, as an array of feature ids. Tokens hold
   * no space and ' ' sorts before every word character, so terms compare as their token sequences
   * (token by token, a prefix first): tokens are sorted once and n-grams by token ranks.
   */
  sortedFeatures(): Int32Array {
    const nTok = this.tokens.size;
    const order = sortPython(this.tokens.strs.slice());
    // sortPython sorted a copy of the strings: find each one's id to get the ranks.
    const rankOf = new Int32Array(nTok);
    for (let r = 0; r < nTok; r++) {
      const t = order[r]!;
      rankOf[this.tokens.find(t, 0, t.length, hashRange(t, 0, t.length))] = r;
    }
    const nF = this.nFeatures;
    const ref = this.featureRef;
    const { offs, lens, pool } = this.ngrams;
    const out = new Int32Array(nF);
    if (this.o.maxN <= 2 && nTok < 1 << 26) {
      const SHIFT = 2 ** 26;
      const keys = new Float64Array(nF);
      for (let f = 0; f < nF; f++) {
        const r = ref[f]!;
        if (r >= 0) keys[f] = (rankOf[r]! + 1) * SHIFT;
        else {
          const o = offs[~r]!;
          keys[f] = (rankOf[pool[o]!]! + 1) * SHIFT + rankOf[pool[o + 1]!]! + 1;
        }
      }
      const sorted = keys.slice().sort();
      // Decode each key back to its feature through the tables.
      const tokByRank = new Int32Array(nTok);
      for (let t = 0; t < nTok; t++) tokByRank[rankOf[t]!] = t;
      const pair = new Int32Array(2);
      for (let p = 0; p < nF; p++) {
        const key = sorted[p]!;
        const d1 = Math.floor(key / SHIFT);
        const d2 = key - d1 * SHIFT;
        const t1 = tokByRank[d1 - 1]!;
        if (d2 === 0) out[p] = this.uniFeature[t1]!;
        else {
          pair[0] = t1;
          pair[1] = tokByRank[d2 - 1]!;
          out[p] = this.ngramFeature[this.ngrams.find(pair, 0, 2, mixSeq(pair, 0, 2))]!;
        }
      }
      return out;
    }
    const seqOf = (f: number): [number, number] => {
      const r = ref[f]!;
      return r >= 0 ? [-1, r] : [offs[~r]!, lens[~r]!];
    };
    const ids = Array.from({ length: nF }, (_, f) => f);
    ids.sort((a, b) => {
      const [oa, la] = seqOf(a);
      const [ob, lb] = seqOf(b);
      const ka = oa < 0 ? 1 : la;
      const kb = ob < 0 ? 1 : lb;
      const m = Math.min(ka, kb);
      for (let q = 0; q < m; q++) {
        const ta = oa < 0 ? la : pool[oa + q]!;
        const tb = ob < 0 ? lb : pool[ob + q]!;
        if (ta !== tb) return rankOf[ta]! - rankOf[tb]!;
      }
      return ka - kb;
    });
    out.set(ids);
    return out;
  }
}
