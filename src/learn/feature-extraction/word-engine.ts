/**
 * The fast path of the word analyzer: tokenizes with the default kind of token pattern
 * (`\b\w{k,}\b`), filters stop words, forms n-grams and counts features in one pass, without
 * creating a string per token. Tokens are interned in an open-addressing hash table keyed on the
 * document's own characters; n-grams are keyed on sequences of token ids. A string is built only
 * for a new term. The output is identical to the generic path (same features, same counts).
 */
import { MlshipError } from '../../core/index.js';
import { unitsOrder } from './kernels.js';
import { LOWERCASE, type Preprocessor } from './text-analysis.js';
import { BMP_WORD, isWordCodePoint } from './unicode-tables.js';
import { PAIR_INLINE, WasmReader, fillWeightRows, type ReaderTables, type ScoringTables } from './wasm-reader.js';

const EMPTY = -1;
/**
 * Class of each UTF-16 unit for the scanners: 1 a word character, 2 a surrogate (a word
 * character only as part of a pair that {@link isWordPairIn} accepts), 0 anything else. One load
 * tells the common cases apart. (Module-local: hot loops must not go through an import binding.)
 */
const CLS: Uint8Array = (() => {
  const t = BMP_WORD.slice();
  t.fill(2, 0xd800, 0xe000);
  return t;
})();

function growInt32(a: Int32Array, min: number, fill = 0): Int32Array {
  let n = a.length || 16;
  while (n < min) n *= 2;
  if (n === a.length) return a;
  const b = new Int32Array(n);
  if (fill !== 0) b.fill(fill);
  b.set(a);
  return b;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
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

// Fields of a token slot (8 Int32 values, 32 bytes).
const S_HASH = 0;
const S_OFF = 1;
const S_LEN = 2;
const S_ID = 3;
/** The token's unigram feature id, -1 when none, or STOP. */
const S_FEAT = 4;
/** The token's unigram output column for transform, -1 when none, or STOP. */
const S_COL = 5;
/** The first four UTF-16 units, two per value, so that short tokens compare without the pool. */
const S_UNITS = 6;

/**
 * Interned tokens: UTF-16 units ↔ dense id. The units of every token are kept in one pool, in id
 * order (no string per token: {@link str} makes one when asked). A slot holds the hash, the units'
 * place, the id, the token's feature and column and its first four units, so that looking up a
 * token (and its feature) mostly reads one cache line.
 */
class TokenTable {
  /** Number of tokens (ids 0 .. size - 1). */
  size = 0;
  // Small at first, as the other growing arrays of the counting path: they grow on the first
  // documents, while the code runs unoptimised and records how. Optimised code that meets a path
  // it never ran, or sees a field it took for a constant replaced (V8 treats a field as constant
  // until its first reassignment), is thrown away and recompiled.
  offs: Int32Array = new Int32Array(16);
  units: Uint16Array = new Uint16Array(64);
  slots: Int32Array = new Int32Array(8 * 16).fill(EMPTY);
  /** Slot base (index into `slots`) of each id. */
  slotOf: Int32Array = new Int32Array(16);
  mask = 15;

  /** The token with id `id`, as a string. */
  str(id: number): string {
    const sub = this.units.subarray(this.offs[id]!, this.offs[id + 1]!);
    return String.fromCharCode.apply(null, sub as unknown as number[]);
  }

  /** The slot base of the token `s[start, end)` with hash `h`, or -1. */
  lookup(s: string, start: number, end: number, h: number): number {
    const len = end - start;
    const slots = this.slots;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const b = slot << 3;
      const id = slots[b + S_ID]!;
      if (id === EMPTY) return -1;
      if (slots[b + S_HASH] === h && slots[b + S_LEN] === len) {
        let q = 0;
        if (len <= 4) {
          while (q < len && ((slots[b + S_UNITS + (q >> 1)]! >>> ((q & 1) << 4)) & 0xffff) === s.charCodeAt(start + q)) q++;
        } else {
          const units = this.units;
          const o = slots[b + S_OFF]!;
          while (q < len && units[o + q] === s.charCodeAt(start + q)) q++;
        }
        if (q === len) return b;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** As {@link lookup}, for a token held as UTF-16 units `u[start, end)`. */
  lookupUnits(u: Uint16Array, start: number, end: number, h: number): number {
    const len = end - start;
    const slots = this.slots;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const b = slot << 3;
      const id = slots[b + S_ID]!;
      if (id === EMPTY) return -1;
      if (slots[b + S_HASH] === h && slots[b + S_LEN] === len) {
        let q = 0;
        if (len <= 4) {
          while (q < len && ((slots[b + S_UNITS + (q >> 1)]! >>> ((q & 1) << 4)) & 0xffff) === u[start + q]) q++;
        } else {
          const units = this.units;
          const o = slots[b + S_OFF]!;
          while (q < len && units[o + q] === u[start + q]) q++;
        }
        if (q === len) return b;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** The id of the token `s[start, end)` with hash `h`, or -1. */
  find(s: string, start: number, end: number, h: number): number {
    const b = this.lookup(s, start, end, h);
    return b < 0 ? -1 : this.slots[b + S_ID]!;
  }

  /** The slot base of the token, added (feature and column -1) if new; `slots` may be replaced. */
  add(s: string, start: number, end: number, h: number): number {
    const found = this.lookup(s, start, end, h);
    return found >= 0 ? found : this.insertFrom(s, start, end, h);
  }

  /** As {@link add}, for a token held as UTF-16 units `u[start, end)`. */
  addUnits(u: Uint16Array, start: number, end: number, h: number): number {
    const found = this.lookupUnits(u, start, end, h);
    return found >= 0 ? found : this.insert(u, null, start, end - start, h);
  }

  /** Adds the token `s[start, end)`, which is not in the table; returns its slot base. */
  private insertFrom(s: string, start: number, end: number, h: number): number {
    return this.insert(null, s, start, end - start, h);
  }

  /** Adds the token of `len` units from `start` in `u` (or else in `s`), which is not in the table; returns its slot base. */
  private insert(u: Uint16Array | null, s: string | null, start: number, len: number, h: number): number {
    const id = this.size++;
    if (id + 1 > this.slotOf.length) this.slotOf = growInt32(this.slotOf, id + 1);
    if (id + 2 > this.offs.length) this.offs = growInt32(this.offs, id + 2);
    const o = this.offs[id]!;
    if (o + len > this.units.length) {
      let n = this.units.length * 2;
      while (n < o + len) n *= 2;
      const grown = new Uint16Array(n);
      grown.set(this.units);
      this.units = grown;
    }
    if (u) for (let q = 0; q < len; q++) this.units[o + q] = u[start + q]!;
    else for (let q = 0; q < len; q++) this.units[o + q] = s!.charCodeAt(start + q);
    this.offs[id + 1] = o + len;
    // Up to 3/4 full: probe chains stay short (a slot is half a cache line) and the table, the
    // engine's largest, takes half the memory of a half-full one.
    if ((id + 1) * 4 > (this.mask + 1) * 3) this.rehash();
    const b = this.place(id, h, o, len);
    this.slots[b + S_FEAT] = -1;
    this.slots[b + S_COL] = -1;
    return b;
  }

  private place(id: number, h: number, o: number, len: number): number {
    const slots = this.slots;
    let slot = h & this.mask;
    while (slots[(slot << 3) + S_ID] !== EMPTY) slot = (slot + 1) & this.mask;
    const b = slot << 3;
    slots[b + S_HASH] = h;
    slots[b + S_OFF] = o;
    slots[b + S_LEN] = len;
    slots[b + S_ID] = id;
    let p0 = 0;
    let p1 = 0;
    const units = this.units;
    for (let q = 0; q < len && q < 4; q++) {
      if (q < 2) p0 |= units[o + q]! << (q << 4);
      else p1 |= units[o + q]! << ((q - 2) << 4);
    }
    slots[b + S_UNITS] = p0;
    slots[b + S_UNITS + 1] = p1;
    this.slotOf[id] = b;
    return b;
  }

  /** Doubles the table, moving each slot whole (its feature, column and units stay). */
  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2).fill(EMPTY);
    const mask = slots.length / 8 - 1;
    const slotOf = this.slotOf;
    for (let b = 0; b < old.length; b += 8) {
      const id = old[b + S_ID]!;
      if (id === EMPTY) continue;
      let slot = old[b + S_HASH]! & mask;
      while (slots[(slot << 3) + S_ID] !== EMPTY) slot = (slot + 1) & mask;
      const nb = slot << 3;
      for (let q = 0; q < 8; q++) slots[nb + q] = old[b + q]!;
      slotOf[id] = nb;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** The value of a pair that {@link PairTable.mapped} dropped (negative, and not EMPTY). */
const DROPPED = -2;

/** The slot of the pair (a, b) before probing. */
function pairHash(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ b;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return h ^ (h >>> 13);
}

/**
 * An integer map (token id, token id) → value ≥ 0; a slot holds [a, b, value, unused], or, in a
 * table a scorer made (see `PAIR_INLINE` in `wasm-reader.ts`), `1 << shift` values with [a, b,
 * value] from `off`.
 */
class PairTable {
  // Small at first (see TokenTable.offs).
  slots: Int32Array = new Int32Array(4 * 16).fill(EMPTY);
  mask = 15;
  size = 0;
  shift = 2;
  off = 0;

  /** The value of the pair, or a negative number when it is not in the table. */
  get(a: number, b: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const shift = this.shift;
    const off = this.off;
    let slot = pairHash(a, b) & mask;
    for (;;) {
      const o = (slot << shift) + off;
      const v = slots[o + 2]!;
      if (v === EMPTY) return -1;
      if (slots[o] === a && slots[o + 1] === b) return v;
      slot = (slot + 1) & mask;
    }
  }

  /**
   * A copy whose values are `map[value]` (a copy as is when `map` is null), made slot by slot so
   * that nothing is rehashed; a pair mapped to a negative value keeps its slot (so that probe
   * chains stay whole) with the value {@link DROPPED}, which {@link get} returns for it. Used to
   * look bigrams up by column.
   */
  mapped(map: Int32Array | null): PairTable {
    if (this.shift !== 2) throw new Error('PairTable.mapped: a plain table only');
    const t = new PairTable();
    const slots = this.slots.slice();
    if (map) {
      for (let o = 2; o < slots.length; o += 4) {
        const v = slots[o]!;
        if (v !== EMPTY) slots[o] = map[v]! < 0 ? DROPPED : map[v]!;
      }
    }
    t.slots = slots;
    t.mask = this.mask;
    t.size = this.size;
    return t;
  }

  /** Sets a pair that is not in the table yet (a plain table: see the class). */
  insert(a: number, b: number, v: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) {
      const old = this.slots;
      this.slots = new Int32Array(old.length * 2).fill(EMPTY);
      this.mask = this.slots.length / 4 - 1;
      for (let o = 0; o < old.length; o += 4) if (old[o + 2] !== EMPTY) this.place(old[o]!, old[o + 1]!, old[o + 2]!);
    }
    this.place(a, b, v);
    this.size++;
  }

  private place(a: number, b: number, v: number): void {
    let slot = pairHash(a, b) & this.mask;
    while (this.slots[(slot << 2) + 2] !== EMPTY) slot = (slot + 1) & this.mask;
    const o = slot << 2;
    this.slots[o] = a;
    this.slots[o + 1] = b;
    this.slots[o + 2] = v;
  }
}

/**
 * Per-document counts in a dense array indexed by column (or feature id), with the columns touched
 * in first-seen order: a bump is one load and one store, and reading a count back clears it, so
 * the array is all zero between documents.
 */
class DocCounter {
  // Small at first (see TokenTable.offs).
  cnt: Int32Array = new Int32Array(16);
  /** Columns in first-seen order; as long as `cnt`, since a document's distinct columns are fewer than all columns. */
  cols: Int32Array = new Int32Array(16);
  n = 0;

  /** Starts a document (the previous one must have been read out with {@link take}). */
  reset(): void {
    this.n = 0;
  }

  bump(col: number): void {
    let cnt = this.cnt;
    if (col >= cnt.length) cnt = this.grow(col);
    const v = cnt[col]!;
    cnt[col] = v + 1;
    if (v === 0) this.cols[this.n++] = col;
  }

  /** The count of `col`, which is cleared. */
  take(col: number): number {
    const v = this.cnt[col]!;
    this.cnt[col] = 0;
    return v;
  }

  private grow(col: number): Int32Array {
    const c = new Int32Array(nextPow2(col + 1));
    c.set(this.cnt);
    this.cnt = c;
    const cols = new Int32Array(c.length);
    cols.set(this.cols.subarray(0, this.n));
    this.cols = cols;
    return c;
  }
}

/**
 * Interned n-grams: sequence of token ids ↔ dense id. Bigrams are looked up through the engine's
 * {@link PairTable}; only longer n-grams go through this table's own hash index.
 */
class NgramTable {
  pool: Int32Array = new Int32Array(4096);
  poolLen = 0;
  offs: Int32Array = new Int32Array(1024);
  lens: Int32Array = new Int32Array(1024);
  hashes: Int32Array = new Int32Array(1024);
  size = 0;
  private indexed = 0;
  slots: Int32Array = new Int32Array(2048).fill(EMPTY);
  mask = 2047;

  /** The id of an n-gram of 3 or more tokens, or -1. */
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

  /** Stores a new n-gram; those of 3 or more tokens are indexed for {@link find}. */
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
    if (k === 2) return id;
    this.indexed++;
    if (this.indexed * 2 > this.slots.length) {
      this.slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
      this.mask = this.slots.length - 1;
      for (let j = 0; j < this.size; j++) if (this.lens[j] !== 2) this.place(j, this.hashes[j]!);
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

/** Sorts `a[0, n)` ascending: insertion sort for short rows, the native typed-array sort otherwise. */
function sortTouched(a: Int32Array, n: number): void {
  if (n > 48) {
    a.subarray(0, n).sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/** Sparse counts in CSR arrays (row entries in first-seen order when learning, sorted by column otherwise). */
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
 * Sizes of a {@link DocReader}'s hot tables: tokens (512 KB, in the CPU's L2 cache), bigrams
 * (2 MB, in L3; 65,536 hold 71% of SpamAssassin's test bigrams, 8,192 held 54%), longest hot token.
 */
const HOT_TOKENS = 8192;
const HOT_PAIRS = 65536;
const HOT_TOKEN_UNITS = 32;


/** The k-th smallest value (1-based) of `a` (reordered in place): quickselect. */
function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const want = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return a[want]!;
  }
  return a[want]!;
}

/**
 * The unigram candidates for a reader's hot tables (see `WordEngine.addHotFeatures`): each feature
 * that is a token and has a column below `priority.length`, written from the front of `candF` with
 * its priority in `candPri`; returns their number.
 */
function hotCandidates(cols: Int32Array | null, ref: Int32Array, priority: Float64Array, nF: number, candF: Int32Array, candPri: Float64Array): number {
  const nPri = priority.length;
  let nU = 0;
  for (let f = 0; f < nF; f++) {
    const col = cols === null ? f : cols[f]!;
    if (col < 0 || col >= nPri || ref[f]! < 0) continue;
    candF[nU] = f;
    candPri[nU++] = priority[col]!;
  }
  return nU;
}

/** As {@link hotCandidates} for the bigram features, written backwards from the end of `candF`; returns their number. */
function candidateBigrams(cols: Int32Array | null, ref: Int32Array, lens: Int32Array, priority: Float64Array, nF: number, candF: Int32Array, candPri: Float64Array): number {
  const nPri = priority.length;
  let back = nF;
  for (let f = 0; f < nF; f++) {
    const col = cols === null ? f : cols[f]!;
    if (col < 0 || col >= nPri) continue;
    const r = ref[f]!;
    if (r < 0 && lens[~r] === 2) {
      candF[--back] = f;
      candPri[back] = priority[col]!;
    }
  }
  return nF - back;
}

/**
 * Appends to `out` (from `n`, up to its length) the unigram candidates `q < nU` whose priority is
 * below `thr` (or equal to it with `ties`), in order, leaving out stop words and tokens longer
 * than {@link HOT_TOKEN_UNITS}; returns the new count.
 */
function pickHotTokens(candF: Int32Array, candPri: Float64Array, nU: number, thr: number, ties: boolean, ref: Int32Array, tokens: TokenTable, out: Int32Array, n: number): number {
  const { slots, slotOf, offs } = tokens;
  const limit = out.length;
  for (let q = 0; q < nU && n < limit; q++) {
    const pr = candPri[q]!;
    if (ties ? pr !== thr : !(pr < thr)) continue;
    const r = ref[candF[q]!]!;
    // A stop word stays one even when a fixed vocabulary lists it.
    if (slots[slotOf[r]! + S_FEAT] === STOP || offs[r + 1]! - offs[r]! > HOT_TOKEN_UNITS) continue;
    out[n++] = candF[q]!;
  }
  return n;
}

/** As {@link pickHotTokens} for the bigram candidates `back <= q < nF`, taken from the end. */
function pickHotPairs(candF: Int32Array, candPri: Float64Array, back: number, nF: number, thr: number, ties: boolean, out: Int32Array, n: number): number {
  const limit = out.length;
  for (let q = nF - 1; q >= back && n < limit; q--) {
    const pr = candPri[q]!;
    if (ties ? pr !== thr : !(pr < thr)) continue;
    out[n++] = candF[q]!;
  }
  return n;
}

/** Total UTF-16 units of the tokens of the first `n` unigram features of `hot`. */
function hotTokenUnits(hot: Int32Array, n: number, ref: Int32Array, offs: Int32Array): number {
  let units = 0;
  for (let p = 0; p < n; p++) {
    const r = ref[hot[p]!]!;
    units += offs[r + 1]! - offs[r]!;
  }
  return units;
}

/**
 * Places one token in a reader's hot token table `ht` (slots of 8 values, see `DocReader`): its
 * units `src[start, start + len)` with hash `h` are copied to `hotUnits` at `used`; returns the
 * next free place in `hotUnits`.
 */
function putHotToken(ht: Int32Array, mask: number, hotUnits: Uint16Array, used: number, src: Uint16Array, start: number, len: number, h: number, col: number, id: number): number {
  let slot = h & mask;
  while (ht[(slot << 3) + 3] !== 0) slot = (slot + 1) & mask;
  const b = slot << 3;
  ht[b] = h;
  ht[b + 1] = col;
  ht[b + 2] = id;
  ht[b + 3] = (len << 24) | used;
  for (let q = 0; q < len && q < 4; q++) ht[b + 4 + (q >> 1)] = ht[b + 4 + (q >> 1)]! | (src[start + q]! << ((q & 1) << 4));
  hotUnits.set(src.subarray(start, start + len), used);
  return used + len;
}

/** Places the first `n` unigram features of `hot` in the hot token table as hot indices 0 .. n - 1; returns the units used. */
function putHotTokens(ht: Int32Array, mask: number, hotUnits: Uint16Array, used: number, hot: Int32Array, n: number, ref: Int32Array, tokens: TokenTable): number {
  const { slots, slotOf, offs, units } = tokens;
  for (let p = 0; p < n; p++) {
    const r = ref[hot[p]!]!;
    const o = offs[r]!;
    used = putHotToken(ht, mask, hotUnits, used, units, o, offs[r + 1]! - o, slots[slotOf[r]! + S_HASH]!, p, r);
  }
  return used;
}

/** Places the stop words in the hot token table (as STOP). */
function putHotStops(ht: Int32Array, mask: number, hotUnits: Uint16Array, used: number, stops: readonly string[]): void {
  const w16 = new Uint16Array(HOT_TOKEN_UNITS);
  for (const w of stops) {
    for (let q = 0; q < w.length; q++) w16[q] = w.charCodeAt(q);
    used = putHotToken(ht, mask, hotUnits, used, w16, 0, w.length, hashRange(w, 0, w.length), STOP, -1);
  }
}

/** Places the first `n` bigram features of `hot` in the hot bigram table `hp` as hot indices `first`, `first + 1`, .... */
function putHotPairs(hp: Int32Array, mask: number, hot: Int32Array, n: number, first: number, ref: Int32Array, offs: Int32Array, pool: Int32Array): void {
  for (let p = 0; p < n; p++) {
    const o = offs[~ref[hot[p]!]!]!;
    const a = pool[o]!;
    const b = pool[o + 1]!;
    let slot = pairHash(a, b) & mask;
    while (hp[slot << 2] !== 0) slot = (slot + 1) & mask;
    hp[slot << 2] = a + 1;
    hp[(slot << 2) + 1] = b;
    hp[(slot << 2) + 2] = first + p;
  }
}

/** The original column of each hot index: the `nU` hot unigrams, then the `nP` hot bigrams. */
function hotColumns(cols: Int32Array | null, hotU: Int32Array, nU: number, hotP: Int32Array, nP: number, out: Int32Array): void {
  for (let p = 0; p < nU; p++) out[p] = cols === null ? hotU[p]! : cols[hotU[p]!]!;
  for (let p = 0; p < nP; p++) out[nU + p] = cols === null ? hotP[p]! : cols[hotP[p]!]!;
}

/** Sets each token slot's column (`S_COL`) from its feature through `cols` (null: the identity); -1 and STOP stay. */
function slotColumns(ts: Int32Array, cols: Int32Array | null): void {
  for (let b = 0; b < ts.length; b += 8) {
    if (ts[b + S_ID] === EMPTY) continue;
    const f = ts[b + S_FEAT]!;
    ts[b + S_COL] = f < 0 ? f : cols ? cols[f]! : f;
  }
}

/** One more than the largest entry of `cols` (0 when none is ≥ 0). */
function columnCount(cols: Int32Array): number {
  let n = 0;
  for (let f = 0; f < cols.length; f++) if (cols[f]! >= n) n = cols[f]! + 1;
  return n;
}

/** Entries the output of a {@link WordEngine.count} call starts with (small: see {@link CsrOutput}). */
const FIRST_OUT = 64;
/** The arrays of a {@link CsrOutput} between calls (empty, never written). */
const NO_VALUES = new Float64Array(0);
const NO_INDICES = new Int32Array(0);

/**
 * The CSR arrays of a {@link WordEngine.count} call, written row by row. They start small, so that
 * they grow on the first documents while the code is not optimised yet; once a sixty-fourth of
 * the text is counted, they grow to the number of entries the text so far predicts for all of it
 * (5% more), so that they are usually allocated at full size once and never copied again. The
 * result is a view of its first `nnz` entries: the pages of the unused end are never touched, so
 * they take no memory (the arrays are copied to their exact size only when more than a quarter is
 * unused). Counting thus holds about one copy of the output, not two or three as a regrown
 * array or blocks copied at the end would: fewer fresh pages, lower peak memory.
 */
class CsrOutput {
  data: Float64Array = NO_VALUES;
  indices: Int32Array = NO_INDICES;
  /** Entries written. */
  n = 0;

  /** Starts a new output. */
  reset(): void {
    this.data = new Float64Array(FIRST_OUT);
    this.indices = new Int32Array(FIRST_OUT);
    this.n = 0;
  }

  /** Makes room for `k` more entries, `done` of `total` units of text being counted (the current row's included). */
  room(k: number, done: number, total: number): void {
    const need = this.n + k;
    if (need <= this.data.length) return;
    let cap = Math.max(need, 2 * this.data.length);
    if (done * 64 >= total && done > 0) cap = Math.max(cap, Math.ceil((need / done) * total * 1.05));
    const data = new Float64Array(cap);
    data.set(this.data.subarray(0, this.n));
    const indices = new Int32Array(cap);
    indices.set(this.indices.subarray(0, this.n));
    this.data = data;
    this.indices = indices;
  }

  /** The entries written, as CSR values and column indices (the output is reset). */
  take(): { data: Float64Array; indices: Int32Array } {
    const n = this.n;
    const wasted = this.data.length - n > this.data.length / 4;
    const data = wasted ? this.data.slice(0, n) : this.data.subarray(0, n);
    const indices = wasted ? this.indices.slice(0, n) : this.indices.subarray(0, n);
    this.data = NO_VALUES;
    this.indices = NO_INDICES;
    this.n = 0;
    return { data, indices };
  }
}

/**
 * Entries of a {@link WordEngine}'s front cache, less one: a direct-mapped table of tokens met
 * lately, small enough to stay in the CPU cache where the token table (tens of MB) does not.
 */
const FRONT_MASK = (1 << 14) - 1;

/** Token info: a stop word (removed before n-grams are formed). */
const STOP = -2;

/**
 * Lookup tables for transform, built once from the learned features and their columns: bigrams
 * straight to their column (the tokens' columns are in their slots).
 */
interface TransformIndex {
  pairCol: PairTable;
}

/**
 * A reused buffer holding one document's UTF-16 units followed by a non-word sentinel (0), so
 * that every token ends before the document's length and looking one unit ahead needs no bounds
 * check. Shared by {@link WordEngine} and {@link DocReader}.
 */
class DocUnits {
  private buf: Buffer = Buffer.allocUnsafeSlow(2 * 16);
  private u: Uint16Array = new Uint16Array(this.buf.buffer, this.buf.byteOffset, 16);

  /** The units of `s` and the sentinel at `s.length` (valid until the next call). */
  load(s: string): Uint16Array {
    const n = s.length;
    if (n + 1 > this.u.length) {
      let cap = this.u.length;
      while (cap < n + 1) cap *= 2;
      this.buf = Buffer.allocUnsafeSlow(2 * cap);
      this.u = new Uint16Array(this.buf.buffer, this.buf.byteOffset, cap);
    }
    this.buf.write(s, 0, 'utf16le');
    this.u[n] = 0;
    return this.u;
  }
}

/**
 * Tokenizer, n-gram former and counter for the default kind of token pattern. In `fit` mode it
 * learns features; `useColumns` then maps them to output columns for `transform`.
 */
export class WordEngine {
  private readonly o: WordEngineOptions;
  private readonly tokens = new TokenTable();
  private readonly ngrams = new NgramTable();
  /** Bigram (token id, token id) → feature id. */
  private readonly pairs = new PairTable();
  /** Feature id of each n-gram of 3 or more tokens (-1: none). */
  private ngramFeature: Int32Array = new Int32Array(1024).fill(-1);
  /** For each feature: token id (unigram) or ~ngram id (n-gram, negative). */
  private featureRef: Int32Array = new Int32Array(16);
  private nFeatures = 0;
  /** Output column per feature id (-1 = not in the vocabulary); null = identity. */
  private columns: Int32Array | null = null;
  private index: TransformIndex | null = null;
  // Small at first so that they grow on the first documents, while the code is not optimised yet
  // (growing later would throw optimised code away for want of type feedback).
  private docToks: Int32Array = new Int32Array(16);
  /** Unigram feature (fit) or column (transform) of each token of the document. */
  private docUni: Int32Array = new Int32Array(16);
  private readonly counter = new DocCounter();
  /** Sorted columns of one row. */
  private rowCols: Int32Array = new Int32Array(1024);
  private readonly out = new CsrOutput();
  /** Token ids of a term being interned. */
  private internSeq: Int32Array = new Int32Array(8);
  /** See {@link frontFor}; `frontMode` 0: empty, 1: features (learning), 2: columns (transform). */
  private readonly front: Int32Array = new Int32Array(8 * (FRONT_MASK + 1));
  /** The document being tokenized, as UTF-16 units (and the Buffer they live in). */
  private readonly units = new DocUnits();
  private frontMode = 0;

  constructor(options: WordEngineOptions) {
    this.o = options;
    if (options.stopWords) {
      for (const w of options.stopWords) {
        const b = this.tokens.add(w, 0, w.length, hashRange(w, 0, w.length));
        this.tokens.slots[b + S_FEAT] = STOP;
        this.tokens.slots[b + S_COL] = STOP;
      }
    }
  }

  /** Number of learned features. */
  get featureCount(): number {
    return this.nFeatures;
  }

  /**
   * An engine that maps a fixed vocabulary (`terms[column]`) for transform. Terms are split on ' '
   * into tokens, since tokens of this path never contain a space; terms the analyzer can never
   * produce simply never match, as in scikit-learn.
   */
  static forVocabulary(options: WordEngineOptions, terms: readonly string[]): WordEngine {
    const e = new WordEngine(options);
    const seq = new Int32Array(Math.max(1, options.maxN));
    const cols = new Int32Array(terms.length);
    for (let col = 0; col < terms.length; col++) {
      const term = terms[col]!;
      const parts = term.split(' ');
      const k = parts.length;
      if (k < options.minN || k > options.maxN || parts.some((p) => p === '')) continue;
      for (let q = 0; q < k; q++) {
        const p = parts[q]!;
        const b = e.tokens.add(p, 0, p.length, hashRange(p, 0, p.length));
        // Read slots only after add(), which may replace them.
        seq[q] = e.tokens.slots[b + S_ID]!;
      }
      let f: number;
      if (k === 1) {
        f = e.newFeature(seq[0]!);
        // A stop word stays one: the analyzer never yields it.
        const b = e.tokens.slotOf[seq[0]!]!;
        if (e.tokens.slots[b + S_FEAT] !== STOP) e.tokens.slots[b + S_FEAT] = f;
      } else {
        const g = e.ngrams.add(seq, 0, k, mixSeq(seq, 0, k));
        f = e.newFeature(~g);
        e.setNgramFeature(seq, 0, k, g, f);
      }
      cols[f] = col;
    }
    e.columns = cols.subarray(0, e.nFeatures);
    return e;
  }

  /** Makes `transform` report column `columns[feature]` (-1 drops the feature). */
  useColumns(columns: Int32Array): void {
    this.columns = columns;
    this.index = null;
  }

  private setNgramFeature(seq: Int32Array, start: number, k: number, g: number, f: number): void {
    if (k === 2) {
      this.pairs.insert(seq[start]!, seq[start + 1]!, f);
      return;
    }
    if (g >= this.ngramFeature.length) this.ngramFeature = growInt32(this.ngramFeature, g + 1, -1);
    this.ngramFeature[g] = f;
  }

  private newFeature(ref: number): number {
    const f = this.nFeatures++;
    if (f >= this.featureRef.length) this.featureRef = growInt32(this.featureRef, f + 1);
    this.featureRef[f] = ref;
    return f;
  }

  /**
   * A {@link DocReader} over this engine's transform tables (for single documents, without a
   * matrix), or null when n-grams of 3 or more tokens are formed (use {@link count} then).
   */
  reader(priority: Float64Array | null = null): DocReader | null {
    const { pre, minLen, minN, maxN } = this.o;
    if (maxN > 2) return null;
    const index = this.transformIndex();
    const nCols = this.columns ? columnCount(this.columns) : this.nFeatures;
    const reader = new DocReader(pre, minLen, minN === 1, minN <= 2 && maxN >= 2, this.tokens, index.pairCol, nCols);
    if (priority) this.addHotFeatures(reader, priority);
    return reader;
  }

  /**
   * Gives the reader small tables of the columns with the lowest `priority` (e.g. idf: the most
   * frequent terms), up to {@link HOT_TOKENS} tokens and {@link HOT_PAIRS} bigrams, and the stop
   * words, so that most lookups stay in the CPU cache.
   */
  private addHotFeatures(reader: DocReader, priority: Float64Array): void {
    const nF = this.nFeatures;
    const ref = this.featureRef;
    const { offs, pool } = this.ngrams;
    const tokens = this.tokens;
    // Each pass over many features is a small kernel of its own (called once per reader, it would
    // otherwise run as a long loop in a once-called function, unoptimised or compiled at length).
    const candF = new Int32Array(nF);
    const candPri = new Float64Array(nF);
    const nU = hotCandidates(this.columns, ref, priority, nF, candF, candPri);
    const back = nF - candidateBigrams(this.columns, ref, this.ngrams.lens, priority, nF, candF, candPri);
    const nP = nF - back;
    const thrU = nU > HOT_TOKENS ? kthSmallest(candPri.slice(0, nU), HOT_TOKENS) : Infinity;
    const thrP = nP > HOT_PAIRS ? kthSmallest(candPri.slice(back), HOT_PAIRS) : Infinity;
    // Below the threshold, then ties up to the limit, in feature order (the bigrams are stored backwards).
    const hotU = new Int32Array(Math.min(nU, HOT_TOKENS));
    let nHotU = pickHotTokens(candF, candPri, nU, thrU, false, ref, tokens, hotU, 0);
    nHotU = pickHotTokens(candF, candPri, nU, thrU, true, ref, tokens, hotU, nHotU);
    const hotP = new Int32Array(Math.min(nP, HOT_PAIRS));
    let nHotP = pickHotPairs(candF, candPri, back, nF, thrP, false, hotP, 0);
    nHotP = pickHotPairs(candF, candPri, back, nF, thrP, true, hotP, nHotP);
    const hotCols = new Int32Array(nHotU + nHotP);
    const stops: string[] = [];
    if (this.o.stopWords) for (const w of this.o.stopWords) if (w.length <= HOT_TOKEN_UNITS) stops.push(w);
    const tcap = nextPow2(Math.max(16, Math.ceil(1.5 * (nHotU + stops.length))));
    const ht = new Int32Array(8 * tcap);
    let units = 0;
    for (const w of stops) units += w.length;
    units += hotTokenUnits(hotU, nHotU, ref, tokens.offs);
    const hotUnits = new Uint16Array(units);
    const used = putHotTokens(ht, tcap - 1, hotUnits, 0, hotU, nHotU, ref, tokens);
    putHotStops(ht, tcap - 1, hotUnits, used, stops);
    const pcap = nextPow2(Math.max(16, 2 * nHotP));
    const hp = new Int32Array(4 * pcap);
    putHotPairs(hp, pcap - 1, hotP, nHotP, nHotU, ref, offs, pool);
    hotColumns(this.columns, hotU, nHotU, hotP, nHotP, hotCols);
    reader.setHot(hotCols, ht, hotUnits, tcap - 1, hp, pcap - 1);
  }

  /**
   * The front cache for a {@link count} in this mode: entries of 8 values, [hash, length in units
   * (0: free), token id, the token's feature (learning) or column (transform), offset of its units
   * in the pool, its first four units two by two, unused], emptied when the mode changes or the
   * columns are rebuilt, so that a cached value is always the slot's.
   */
  private frontFor(grow: boolean): Int32Array {
    const mode = grow ? 1 : 2;
    if (this.frontMode !== mode) {
      this.front.fill(0);
      this.frontMode = mode;
    }
    return this.front;
  }

  /** Builds (once per set of columns) the direct token → column and bigram → column tables. */
  private transformIndex(): TransformIndex {
    if (this.index) return this.index;
    if (this.frontMode === 2) this.frontMode = 0;
    const cols = this.columns;
    slotColumns(this.tokens.slots, cols);
    this.index = { pairCol: this.pairs.mapped(cols) };
    return this.index;
  }

  /**
   * Tokenizes one (preprocessed) document into {@link docToks} (token ids, -1 = unknown in
   * transform mode) and {@link docUni} (unigram feature or column), stop words removed; returns
   * the number of tokens. The document is read as UTF-16 units from a reused buffer; tokens are
   * looked up in the front cache first, then in the token table (learning new ones with `grow`).
   */
  private tokenize(s: string, grow: boolean, front: Int32Array): number {
    const { minLen, minN } = this.o;
    const n = s.length;
    const u = this.units.load(s);
    const tokens = this.tokens;
    let toks = this.docToks;
    let unis = this.docUni;
    let nt = 0;
    let i = 0;
    for (;;) {
      const start = wordStart(u, i, n);
      if (start === n) break;
      i = wordEnd(u, start);
      if (TOKEN[1]! < minLen) continue;
      const h = TOKEN[0]!;
      let id = -1;
      let uni = -1;
      // The front cache first: a token met lately, compared on the units its entry holds (short
      // tokens) or on those in the pool.
      const units = i - start;
      const fs = (h & FRONT_MASK) << 3;
      let hit = false;
      if (front[fs] === h && front[fs + 1] === units) {
        let q = 0;
        if (units <= 4) {
          while (q < units && ((front[fs + 5 + (q >> 1)]! >>> ((q & 1) << 4)) & 0xffff) === u[start + q]) q++;
        } else {
          const pool = tokens.units;
          const o = front[fs + 4]!;
          while (q < units && pool[o + q] === u[start + q]) q++;
        }
        hit = q === units;
      }
      if (hit) {
        uni = front[fs + 3]!;
        if (uni === STOP) continue;
        id = front[fs + 2]!;
      } else {
        const b = grow ? tokens.addUnits(u, start, i, h) : tokens.lookupUnits(u, start, i, h);
        if (b >= 0) {
          const ts = tokens.slots;
          id = ts[b + S_ID]!;
          if (grow) {
            uni = ts[b + S_FEAT]!;
            if (uni === -1 && minN === 1) {
              uni = this.newFeature(id);
              ts[b + S_FEAT] = uni;
            }
          } else uni = ts[b + S_COL]!;
          front[fs] = h;
          front[fs + 1] = units;
          front[fs + 2] = id;
          front[fs + 3] = uni;
          front[fs + 4] = ts[b + S_OFF]!;
          front[fs + 5] = ts[b + S_UNITS]!;
          front[fs + 6] = ts[b + S_UNITS + 1]!;
          if (uni === STOP) continue;
        } else id = -1;
      }
      if (nt === toks.length) {
        this.docToks = toks = growInt32(toks, nt + 1);
        this.docUni = unis = growInt32(unis, nt + 1);
      }
      toks[nt] = id;
      unis[nt++] = uni;
    }
    return nt;
  }

  /**
   * Counts the features of each document. With `grow`, new tokens and features are learned and
   * columns are feature ids (row entries in first-seen order); otherwise unknown ones are skipped,
   * columns come from the vocabulary and each row's columns are sorted.
   */
  count(docs: readonly string[], grow: boolean, owner: string): EngineCounts {
    const { pre, minN, maxN } = this.o;
    if (grow) this.index = null;
    const index = grow ? null : this.transformIndex();
    const cols = grow ? null : this.columns;
    const nDocs = docs.length;
    const indptr = new Int32Array(nDocs + 1);
    const out = this.out;
    out.reset();
    // The text to count, to size the output (see CsrOutput).
    let textTotal = 0;
    for (let d = 0; d < nDocs; d++) textTotal += docs[d]!.length;
    let textDone = 0;
    let nnz = 0;
    const counter = this.counter;
    const front = this.frontFor(grow);
    for (let d = 0; d < nDocs; d++) {
      const s = pre ? pre(docs[d]!) : docs[d]!;
      if (typeof s !== 'string') {
        throw new MlshipError('INVALID_ARGUMENT', `${owner}: the preprocessor returned ${typeof s} for document ${d}; it must return a string`, { line: d });
      }
      // 1. Tokens (ids; -1 = unknown in transform mode), stop words removed.
      const nt = this.tokenize(s, grow, front);
      // 2. Features: unigrams, then n-grams of 2..maxN consecutive tokens.
      const toks = this.docToks;
      counter.reset();
      if (minN === 1) {
        const uni = this.docUni;
        for (let q = 0; q < nt; q++) {
          const col = uni[q]!;
          if (col >= 0) counter.bump(col);
        }
      }
      if (minN <= 2 && maxN >= 2) {
        const pairs = grow ? this.pairs : index!.pairCol;
        for (let q = 0; q + 2 <= nt; q++) {
          const a = toks[q]!;
          const b = toks[q + 1]!;
          if (a < 0 || b < 0) continue;
          let f = pairs.get(a, b);
          if (f < 0) {
            if (!grow) continue;
            const g = this.ngrams.add(toks, q, 2, 0);
            f = this.newFeature(~g);
            pairs.insert(a, b, f);
          }
          counter.bump(f);
        }
      }
      for (let k = Math.max(3, minN); k <= maxN && k <= nt; k++) {
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
            g = this.ngrams.add(toks, q, k, h);
            f = this.newFeature(~g);
            this.setNgramFeature(toks, q, k, g, f);
          } else {
            f = this.ngramFeature[g]!;
            if (f < 0) continue;
          }
          const col = cols ? cols[f]! : f;
          if (col >= 0) counter.bump(col);
        }
      }
      // 3. The row: columns in first-seen order when learning, sorted otherwise.
      const nRow = counter.n;
      textDone += docs[d]!.length;
      out.room(nRow, textDone, textTotal);
      const data = out.data;
      const indices = out.indices;
      let rowCols = counter.cols;
      if (!grow) {
        if (this.rowCols.length < nRow) this.rowCols = new Int32Array(rowCols.length);
        const copy = this.rowCols;
        for (let q = 0; q < nRow; q++) copy[q] = rowCols[q]!;
        rowCols = copy;
        sortTouched(rowCols, nRow);
      }
      for (let q = 0; q < nRow; q++) {
        const col = rowCols[q]!;
        indices[nnz + q] = col;
        data[nnz + q] = counter.take(col);
      }
      out.n += nRow;
      nnz += nRow;
      if (nnz > 0x7fffffff) {
        throw new MlshipError('INVALID_ARGUMENT', `${owner}: more than 2^31 - 1 non-zero counts; vectorize the documents in batches`);
      }
      indptr[d + 1] = nnz;
    }
    const { data, indices } = out.take();
    return { data, indices, indptr };
  }

  /**
   * The feature id of `term` (tokens joined by ' ', as {@link featureName} gives them), learning it
   * as `count(docs, true)` would have if it is new. Used to merge the vocabulary of another engine
   * with the same options that counted other documents; the term must be one that engine learned.
   */
  internFeature(term: string): number {
    // Features may be added to cached tokens.
    this.frontMode = 0;
    const parts = term.split(' ');
    const k = parts.length;
    if (this.internSeq.length < k) this.internSeq = new Int32Array(k);
    const seq = this.internSeq;
    for (let q = 0; q < k; q++) {
      const p = parts[q]!;
      const b = this.tokens.add(p, 0, p.length, hashRange(p, 0, p.length));
      seq[q] = this.tokens.slots[b + S_ID]!;
    }
    if (k === 1) {
      const b = this.tokens.slotOf[seq[0]!]!;
      const f = this.tokens.slots[b + S_FEAT]!;
      if (f >= 0) return f;
      if (f === STOP) throw new MlshipError('INTERNAL', `internFeature: '${term}' is a stop word`);
      const nf = this.newFeature(seq[0]!);
      this.tokens.slots[b + S_FEAT] = nf;
      return nf;
    }
    if (k === 2) {
      const f = this.pairs.get(seq[0]!, seq[1]!);
      if (f >= 0) return f;
      const g = this.ngrams.add(seq, 0, 2, 0);
      const nf = this.newFeature(~g);
      this.pairs.insert(seq[0]!, seq[1]!, nf);
      return nf;
    }
    const h = mixSeq(seq, 0, k);
    let g = this.ngrams.find(seq, 0, k, h);
    if (g >= 0) {
      const f = g < this.ngramFeature.length ? this.ngramFeature[g]! : -1;
      if (f >= 0) return f;
    } else g = this.ngrams.add(seq, 0, k, h);
    const nf = this.newFeature(~g);
    this.setNgramFeature(seq, 0, k, g, nf);
    return nf;
  }

  /** The learned terms in feature id order, as one string and the offsets of each term in it. */
  exportTerms(): { text: string; offsets: Int32Array } {
    const n = this.nFeatures;
    const offsets = new Int32Array(n + 1);
    const names = new Array<string>(n);
    let len = 0;
    for (let f = 0; f < n; f++) {
      const name = this.featureName(f);
      names[f] = name;
      len += name.length;
      offsets[f + 1] = len;
    }
    return { text: names.join(''), offsets };
  }

  /** The term of feature `f` (n-grams joined by ' ', as scikit-learn). */
  featureName(f: number): string {
    const ref = this.featureRef[f]!;
    if (ref >= 0) return this.tokens.str(ref);
    const g = ~ref;
    const o = this.ngrams.offs[g]!;
    const k = this.ngrams.lens[g]!;
    let name = this.tokens.str(this.ngrams.pool[o]!);
    for (let q = 1; q < k; q++) name += ' ' + this.tokens.str(this.ngrams.pool[o + q]!);
    return name;
  }

  /**
   * The features in Python's sorted order of their terms, as an array of feature ids. Tokens hold
   * no space and ' ' sorts before every word character, so terms compare as their token sequences
   * (token by token, a prefix first): tokens are sorted once and n-grams by token ranks.
   */
  sortedFeatures(): Int32Array {
    const nTok = this.tokens.size;
    const order = unitsOrder(this.tokens.units, this.tokens.offs, nTok);
    const nF = this.nFeatures;
    const ref = this.featureRef;
    const out = new Int32Array(nF);
    if (this.ngrams.size === 0) {
      // Unigrams only: the features in the order of their tokens.
      const featOf = new Int32Array(nTok).fill(-1);
      for (let f = 0; f < nF; f++) featOf[ref[f]!] = f;
      let p = 0;
      for (let r = 0; r < nTok; r++) {
        const f = featOf[order[r]!]!;
        if (f >= 0) out[p++] = f;
      }
      return out;
    }
    const rankOf = new Int32Array(nTok);
    for (let r = 0; r < nTok; r++) rankOf[order[r]!] = r;
    const { offs, lens, pool } = this.ngrams;
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
      for (let p = 0; p < nF; p++) {
        const key = sorted[p]!;
        const d1 = Math.floor(key / SHIFT);
        const d2 = key - d1 * SHIFT;
        const t1 = tokByRank[d1 - 1]!;
        if (d2 === 0) out[p] = this.tokens.slots[this.tokens.slotOf[t1]! + S_FEAT]!;
        else {
          out[p] = this.pairs.get(t1, tokByRank[d2 - 1]!);
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

/**
 * Reads single documents for transform without building a matrix: tokenizes as
 * {@link WordEngine.count} does (same tokens, stop words and n-grams up to bigrams, over the
 * engine's tables), reading the document's UTF-16 units from a reused buffer, and leaves the
 * distinct columns of the document with their counts in {@link cols} and {@link counts}, in the
 * order they first occur (unigrams, then bigrams), whichever terms the hot tables hold. Nothing is allocated per document once the buffers are large enough. Made by
 * {@link WordEngine.reader}; the engine must not learn afterwards.
 *
 * Lookups run in passes so that the cache misses of rare terms overlap instead of following one
 * another: the scan resolves tokens through the small hot table and only notes the others; a pass
 * then touches the first slot of each noted token in the engine's large table (independent loads,
 * which the CPU runs in parallel) before the next pass resolves them. Bigrams go the same way.
 * Counts are kept in a dense array indexed by column, cleared as the result is read out.
 */
export class DocReader {
  /** Distinct columns of the last document read, in first-seen order (unigrams, then bigrams). */
  cols: Int32Array = new Int32Array(16);
  /** The count of each entry of {@link cols}. */
  counts: Float64Array = new Float64Array(16);
  /** Count of each column in the document being read; all zero between reads (made on the first read). */
  private cnt: Int32Array = new Int32Array(0);
  private n = 0;
  /** Number of tokens the last {@link scan} left for the engine's table. */
  private np = 0;
  private readonly units = new DocUnits();
  // The arrays that grow inside the scan start small, so that they grow on the first documents
  // while `read` runs unoptimised (see TokenTable.offs).
  private toks: Int32Array = new Int32Array(16);
  private uni: Int32Array = new Int32Array(16);
  /** Tokens left for the engine's table: [index in `toks`, start, end, hash] each. */
  private pendTok: Int32Array = new Int32Array(4 * 16);
  /** Bigrams left for the engine's pair table: [first token id, second token id, position] each. */
  private pendPair: Int32Array = new Int32Array(3 * 16);
  /** Column of the bigram at each position of the document. */
  private pairCols: Int32Array = new Int32Array(1024);
  /** Keep the touching loads observable (so that they are not optimised away). */
  private sink = 0;
  private rowSink = 0;
  /**
   * Original column of each hot index: the reader reports hot columns as their index here
   * (0 .. hotCols.length - 1) and every other column j as `hotCols.length + j`.
   */
  hotCols: Int32Array = new Int32Array(0);
  /**
   * Hot tokens: slots of 8 values, [hash, hot index or STOP, token id, length << 24 | offset in
   * `hotUnits` (0: free), the first four units two by two, unused].
   */
  private hotTok: Int32Array = new Int32Array(8);
  private hotUnits: Uint16Array = new Uint16Array(0);
  private hotTokMask = 0;
  /** Hot bigrams: slots of [first token id + 1 (0: free), second token id, hot index, unused]. */
  private hotPair: Int32Array = new Int32Array(4);
  private hotPairMask = 0;
  /** The same reader in WebAssembly (null: not available), made on the first read. */
  private wasm: WasmReader | null | undefined = undefined;
  /** Whether the tables are a WebAssembly reader's copies (see {@link adopt}). */
  private adopted = false;

  constructor(
    private readonly pre: Preprocessor | null,
    private readonly minLen: number,
    private readonly unigrams: boolean,
    private readonly bigrams: boolean,
    private readonly tokens: TokenTable,
    private readonly pairCol: PairTable,
    /** Number of output columns (one more than the largest). */
    private readonly nCols: number,
  ) {}

  /** Installs the hot tables (see `WordEngine.reader`). */
  setHot(hotCols: Int32Array, tok: Int32Array, units: Uint16Array, tokMask: number, pair: Int32Array, pairMask: number): void {
    this.hotCols = hotCols;
    this.hotTok = tok;
    this.hotUnits = units;
    this.hotTokMask = tokMask;
    this.hotPair = pair;
    this.hotPairMask = pairMask;
  }

  private bump(col: number): void {
    const cnt = this.cnt;
    const v = cnt[col]!;
    cnt[col] = v + 1;
    // Without a branch (first occurrence or not is hard to predict): `cols` has room for one more.
    this.cols[this.n] = col;
    this.n += (v - 1) >>> 31;
  }

  /**
   * Reads one document; returns the number of distinct columns (entries of `cols` and `counts`).
   * `owner` and `index` (the document's place in its batch) name it in errors. A caller that next
   * reads a row of `rows` for each column (the weights of a fused model, `rowStride` values per
   * column) passes them: the first value of the rows of the columns outside the hot ones is then
   * loaded along with their counts, so that those cache misses overlap (only the speed depends on it).
   */
  read(doc: string, owner: string, index = 0, rows: Float64Array | null = null, rowStride = 0): number {
    const w = this.wasm === undefined ? this.makeWasm() : this.wasm;
    if (w && typeof doc === 'string') {
      const n = w.read(w.lowercase ? doc : this.prepare(doc, owner, index));
      if (n >= 0) {
        this.cols = w.cols;
        this.counts = w.counts;
        return n;
      }
    }
    return this.readText(this.prepare(doc, owner, index), rows, rowStride);
  }

  /** The document as the reader reads it (preprocessed); `owner` and `index` name it in errors. */
  prepare(doc: string, owner: string, index = 0): string {
    const s = this.pre ? this.pre(doc) : doc;
    if (typeof s !== 'string') {
      throw new MlshipError('INVALID_ARGUMENT', `${owner}: the preprocessor returned ${typeof s} for document ${index}; it must return a string`, { line: index });
    }
    return s;
  }

  /**
   * A scorer of (preprocessed) documents in WebAssembly: this reader's tables with a linear model
   * over the tf-idf values of its columns (see {@link WasmReader.score}); null where WebAssembly
   * is not available or the model has too many rows.
   */
  scorer(model: Omit<ScoringTables, 'hotCols'>): WasmReader | null {
    return this.adopt(WasmReader.create({ ...this.tables(), scoring: { ...model, hotCols: this.hotCols } }));
  }

  /**
   * Writes a fused model's rows in this reader's column order (its hot columns, then every column
   * j as `hotCols.length + j`), `stride` values each: see `fillWeightRows` in `wasm-reader.ts`.
   */
  fillWeightRows(rows: Float64Array, stride: number, d: number, idf: Float64Array | null, weights: Float64Array, r: number): void {
    fillWeightRows(rows, stride, this.hotCols, d, idf, weights, r);
  }

  /**
   * Makes the engine's token table and this reader's bigram table use the copies `w` made of them
   * (the first time; the bigram table also when `w` is a scorer holding rows in it), so that the
   * originals can be collected: the tables of a fitted engine no longer change (a refit makes a new
   * engine).
   */
  private adopt(w: WasmReader | null): WasmReader | null {
    const c = w?.copies;
    if (!c) return w;
    if (!this.adopted) {
      this.tokens.slots = c.tokSlots;
      this.tokens.units = c.tokUnits;
    }
    // A scorer's bigram table (holding its rows) replaces a plain copy: the scorer reads most.
    if (!this.adopted || (c.pairLayout.stride === PAIR_INLINE.stride && this.pairCol.off !== PAIR_INLINE.off)) {
      this.pairCol.slots = c.pairSlots;
      this.pairCol.shift = Math.log2(c.pairLayout.stride);
      this.pairCol.off = c.pairLayout.off;
    }
    this.adopted = true;
    return w;
  }

  /** {@link read} of a document already {@link prepare}d, in JavaScript. */
  readText(s: string, rows: Float64Array | null = null, rowStride = 0): number {
    const n = s.length;
    const u = this.units.load(s);
    const minLen = this.minLen;
    if (this.cnt.length === 0) this.cnt = new Int32Array(this.hotCols.length + this.nCols + 1);
    // A token takes at least minLen units and a separator: at most this many tokens, as many bigrams.
    const maxTok = Math.floor((n + 1) / (minLen + 1)) + 1;
    const bound = (this.unigrams ? maxTok : 0) + (this.bigrams ? maxTok : 0);
    if (this.cols.length < bound + 1) {
      const cap = nextPow2(bound + 1);
      this.cols = new Int32Array(cap);
      this.counts = new Float64Array(cap);
    }
    this.n = 0;
    let nt = this.scan(u, n);
    const np = this.np;
    // The noted tokens (small methods of their own: see scan).
    const stops = np > 0 && this.resolve(u, np, rows, rowStride);
    const countUni = this.unigrams;
    const toks = this.toks;
    const uni = this.uni;
    if (stops) {
      let w = 0;
      for (let q = 0; q < nt; q++) {
        if (toks[q] === STOP) continue;
        toks[w] = toks[q]!;
        uni[w++] = uni[q]!;
      }
      nt = w;
    }
    // Counted in token order, so that the columns come out in the same order whichever terms are hot.
    if (countUni) {
      for (let q = 0; q < nt; q++) {
        const col = uni[q]!;
        if (col >= 0) this.bump(col);
      }
    }
    if (this.bigrams) this.pairs(nt, rows, rowStride);
    // Read the counts out, leaving the dense counts all zero.
    const cnt = this.cnt;
    const cols = this.cols;
    const counts = this.counts;
    const nc = this.n;
    for (let q = 0; q < nc; q++) {
      const col = cols[q]!;
      counts[q] = cnt[col]!;
      cnt[col] = 0;
    }
    return nc;
  }

  /** The WebAssembly reader over copies of this reader's tables (null where WebAssembly is not available). */
  private makeWasm(): WasmReader | null {
    this.wasm = this.adopt(WasmReader.create(this.tables()));
    return this.wasm;
  }

  /** This reader's tables, for the WebAssembly reader. */
  private tables(): ReaderTables {
    const t = this.tokens;
    return {
      lowercase: this.pre === LOWERCASE,
      hotTok: this.hotTok,
      hotTokMask: this.hotTokMask,
      hotUnits: this.hotUnits,
      tokSlots: t.slots,
      tokMask: t.mask,
      tokUnits: t.units,
      hotPair: this.hotPair,
      hotPairMask: this.hotPairMask,
      pairSlots: this.pairCol.slots,
      pairMask: this.pairCol.mask,
      pairStride: 1 << this.pairCol.shift,
      pairOff: this.pairCol.off,
      nHot: this.hotCols.length,
      nCols: this.nCols,
      minLen: this.minLen,
      unigrams: this.unigrams,
      bigrams: this.bigrams,
    };
  }

  /**
   * Resolves the `np` tokens {@link scan} noted through the engine's table: touches their first
   * slots, then looks them up, writing their ids and columns to {@link toks} and {@link uni}
   * (`rows`: see {@link read}). Returns whether one is a stop word.
   */
  private resolve(u: Uint16Array, np: number, rows: Float64Array | null, rowStride: number): boolean {
    const nHot = this.hotCols.length;
    const toks = this.toks;
    const uni = this.uni;
    const pend = this.pendTok;
    const countUni = this.unigrams;
    const tokens = this.tokens;
    let stops = false;
    const ts = tokens.slots;
    const tmask = tokens.mask;
    let sink = 0;
    for (let p = 0; p < np; p++) sink ^= ts[(pend[4 * p + 3]! & tmask) << 3]!;
    this.sink ^= sink;
    for (let p = 0; p < np; p++) {
      const b = tokens.lookupUnits(u, pend[4 * p + 1]!, pend[4 * p + 2]!, pend[4 * p + 3]!);
      let col = -1;
      let id = -1;
      if (b >= 0) {
        col = ts[b + S_COL]!;
        id = ts[b + S_ID]!;
        if (col >= 0) col += nHot;
      }
      const q = pend[4 * p]!;
      // A stop word missing from the hot table (a long one): dropped below.
      if (col === STOP) {
        stops = true;
        id = STOP;
      }
      toks[q] = id;
      uni[q] = col;
      pend[4 * p + 1] = col;
    }
    if (countUni) this.touchCounts(pend, 4, 1, np, rows, rowStride);
    return stops;
  }

  /**
   * Tokenizes the `n` units of `u` (ending in a non-word sentinel) into {@link toks} and
   * {@link uni} through the hot table; tokens it does not hold are noted in {@link pendTok} (their
   * number in {@link np}). Returns the number of tokens. A method of its own, so that it compiles
   * (and, on a path met late such as a surrogate pair, recompiles) apart from the rest of `read`.
   */
  private scan(u: Uint16Array, n: number): number {
    const minLen = this.minLen;
    const hot = this.hotTok;
    const hotUnits = this.hotUnits;
    const hotMask = this.hotTokMask;
    let toks = this.toks;
    let uni = this.uni;
    let pend = this.pendTok;
    let np = 0;
    let nt = 0;
    let i = 0;
    // The engine's scanner kernels (already optimised when the engine has counted documents).
    for (;;) {
      const start = wordStart(u, i, n);
      if (start === n) break;
      i = wordEnd(u, start);
      if (TOKEN[1]! < minLen) continue;
      const h = TOKEN[0]!;
      // The hot table (columns as hot indices); other tokens are noted for the engine's table.
      const units = i - start;
      let slot = h & hotMask;
      let col = -1;
      let id = -1;
      for (;;) {
        const hb = slot << 3;
        const meta = hot[hb + 3]!;
        if (meta === 0) break;
        if (hot[hb] === h && meta >>> 24 === units) {
          let q = 0;
          if (units <= 4) {
            // Short tokens compare on the units the slot holds (one cache line in all).
            while (q < units && ((hot[hb + 4 + (q >> 1)]! >>> ((q & 1) << 4)) & 0xffff) === u[start + q]) q++;
          } else {
            const o = meta & 0xffffff;
            while (q < units && hotUnits[o + q] === u[start + q]) q++;
          }
          if (q === units) {
            col = hot[hb + 1]!;
            id = hot[hb + 2]!;
            break;
          }
        }
        slot = (slot + 1) & hotMask;
      }
      if (col === STOP) continue;
      if (col < 0) {
        if (4 * np + 4 > pend.length) this.pendTok = pend = growInt32(pend, 4 * np + 4);
        const p = 4 * np++;
        pend[p] = nt;
        pend[p + 1] = start;
        pend[p + 2] = i;
        pend[p + 3] = h;
      }
      if (nt === toks.length) {
        this.toks = toks = growInt32(toks, nt + 1);
        this.uni = uni = growInt32(uni, nt + 1);
      }
      toks[nt] = id;
      uni[nt++] = col;
    }
    this.np = np;
    return nt;
  }

  /** Counts the bigrams of the `nt` tokens in `toks`: hot table first, then the others as tokens are (`rows`: see {@link read}). */
  private pairs(nt: number, rows: Float64Array | null, rowStride: number): void {
    const toks = this.toks;
    const hp = this.hotPair;
    const pmask = this.hotPairMask;
    const nHot = this.hotCols.length;
    let pend = this.pendPair;
    let np = 0;
    // The column of each bigram (-1: none), by position; those not in the hot table are noted.
    if (this.pairCols.length < nt) this.pairCols = new Int32Array(this.toks.length);
    const pc = this.pairCols;
    for (let q = 0; q + 1 < nt; q++) {
      const a = toks[q]!;
      const b = toks[q + 1]!;
      pc[q] = -1;
      if (a < 0 || b < 0) continue;
      let slot = pairHash(a, b) & pmask;
      let col = -1;
      for (;;) {
        const o = slot << 2;
        const ka = hp[o]!;
        if (ka === 0) break;
        if (ka === a + 1 && hp[o + 1] === b) {
          col = hp[o + 2]!;
          break;
        }
        slot = (slot + 1) & pmask;
      }
      if (col >= 0) {
        pc[q] = col;
        continue;
      }
      if (3 * np + 3 > pend.length) this.pendPair = pend = growInt32(pend, 3 * np + 3);
      pend[3 * np] = a;
      pend[3 * np + 1] = b;
      pend[3 * np++ + 2] = q;
    }
    if (np > 0) {
      const pairs = this.pairCol;
      const slots = pairs.slots;
      const mask = pairs.mask;
      let sink = 0;
      const shift = pairs.shift;
      const at = pairs.off + 2;
      for (let p = 0; p < np; p++) sink ^= slots[((pairHash(pend[3 * p]!, pend[3 * p + 1]!) & mask) << shift) + at]!;
      this.sink ^= sink;
      for (let p = 0; p < np; p++) {
        const col = pairs.get(pend[3 * p]!, pend[3 * p + 1]!);
        const c = col < 0 ? -1 : col + nHot;
        pend[3 * p] = c;
        pc[pend[3 * p + 2]!] = c;
      }
      this.touchCounts(pend, 3, 0, np, rows, rowStride);
    }
    // Counted in order (see read).
    for (let q = 0; q + 1 < nt; q++) {
      const col = pc[q]!;
      if (col >= 0) this.bump(col);
    }
  }

  /**
   * Loads the counts of the columns `a[stride * p + at]` (p < np; -1: none) before they are
   * bumped, and the first value of their `rows` if given (see {@link read}): columns outside the
   * hot ones are spread over large arrays, and independent loads overlap their cache misses.
   */
  private touchCounts(a: Int32Array, stride: number, at: number, np: number, rows: Float64Array | null, rowStride: number): void {
    const cnt = this.cnt;
    let sink = 0;
    if (rows) {
      let f = 0;
      for (let p = 0; p < np; p++) {
        const col = a[stride * p + at]!;
        if (col >= 0) {
          sink ^= cnt[col]!;
          f += rows[col * rowStride]!;
        }
      }
      this.rowSink = f;
    } else {
      for (let p = 0; p < np; p++) {
        const col = a[stride * p + at]!;
        if (col >= 0) sink ^= cnt[col]!;
      }
    }
    this.sink ^= sink;
  }
}

/**
 * The hash and length (in code points) of the token {@link wordEnd} last scanned: written there,
 * read right after by its caller (a small kernel shared by the engine's and the reader's scans,
 * so that the reader finds it optimised once the engine has counted documents).
 */
const TOKEN = new Int32Array(2);

/**
 * Index of the first unit at or after `i` that starts a word token (a word character, or the high
 * half of a surrogate pair whose code point is one); `n` when none (`u[n]` is a non-word sentinel).
 */
function wordStart(u: Uint16Array, i: number, n: number): number {
  while (i < n) {
    const c = u[i]!;
    const k = CLS[c]!;
    if (k === 1 || (k === 2 && isWordPairIn(u, i, c))) return i;
    i += k === 2 && isPairIn(u, i, c) ? 2 : 1;
  }
  return n;
}

/**
 * The end of the word token that starts at `start` (see {@link wordStart}); its FNV-1a hash over
 * the UTF-16 units (as the engine's table is keyed) and its length in code points go to {@link TOKEN}.
 */
function wordEnd(u: Uint16Array, start: number): number {
  let i = start;
  let c = u[i]!;
  let k = CLS[c]!;
  let len = 0;
  let h = 0x811c9dc5 | 0;
  for (;;) {
    h = Math.imul(h ^ c, 0x01000193);
    if (k === 2) {
      // The high half of a word pair: hash the low half too (one code point).
      i++;
      h = Math.imul(h ^ u[i]!, 0x01000193);
    }
    i++;
    len++;
    c = u[i]!;
    k = CLS[c]!;
    if (k !== 1 && (k === 0 || !isWordPairIn(u, i, c))) break;
  }
  TOKEN[0] = h;
  TOKEN[1] = len;
  return i;
}

/** True when `u[i]` (= c, a surrogate) and `u[i + 1]` form a pair (`u` ends with a non-surrogate sentinel). */
function isPairIn(u: Uint16Array, i: number, c: number): boolean {
  if (c >= 0xdc00) return false;
  const d = u[i + 1]!;
  return d >= 0xdc00 && d < 0xe000;
}

/** True when `u[i]` (= c, a surrogate) starts a surrogate pair whose code point is a word character. */
function isWordPairIn(u: Uint16Array, i: number, c: number): boolean {
  return isPairIn(u, i, c) && isWordCodePoint(((c - 0xd800) << 10) + (u[i + 1]! - 0xdc00) + 0x10000);
}
