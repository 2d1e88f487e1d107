/**
 * The document reader of the word engine (see `DocReader` in `word-engine.ts`) as a WebAssembly
 * function generated here as bytes: it tokenizes a document's UTF-16 units, looks each token up in
 * the reader's hot table and then the engine's token table, forms bigrams and looks them up the
 * same way, and counts the columns, all in one call and without JavaScript's bounds checks. It
 * reads copies of the same tables, hashes tokens with the same FNV-1a and counts in the same order
 * (unigrams in token order, then bigrams in position order), so its columns and counts are those
 * of the JavaScript reader. A document with a surrogate (a code point outside the Basic
 * Multilingual Plane) is left to the JavaScript reader, which knows which of them are word
 * characters.
 */
import { W, compileKernels, ensureBytes, instantiateKernels, sharedMemory, type WasmFunction, type WasmMemory } from '../kernels/index.js';
import { BMP_WORD } from './unicode-tables.js';

/** The tables a {@link WasmReader} copies (the formats are `word-engine.ts`'s). */
export interface ReaderTables {
  /**
   * The reader's preprocessor is the plain lowercasing one (`LOWERCASE`): the kernel then reads the
   * documents as given and lowercases as it scans (see {@link unitTable}).
   */
  lowercase: boolean;
  /** Hot tokens: slots of 8 values [hash, hot column or STOP, token id, length << 24 | offset (0: free), units 0-1, units 2-3, -, -]. */
  hotTok: Int32Array;
  hotTokMask: number;
  hotUnits: Uint16Array;
  /** The engine's token table: slots of 8 values [hash, offset, length, id (-1: free), feature, column, units 0-1, units 2-3]. */
  tokSlots: Int32Array;
  tokMask: number;
  tokUnits: Uint16Array;
  /** Hot bigrams: slots of [first id + 1 (0: free), second id, hot column, -]. */
  hotPair: Int32Array;
  hotPairMask: number;
  /**
   * Bigram → column: slots of `pairStride` values holding [first id, second id, column (-1: free,
   * other negative: none)] from value `pairOff` (see {@link PAIR_INLINE}).
   */
  pairSlots: Int32Array;
  pairMask: number;
  pairStride: number;
  pairOff: number;
  /** Number of hot columns: other columns j are reported as `nHot + j`. */
  nHot: number;
  /** Number of columns j (one more than the largest). */
  nCols: number;
  /** Shortest token, in code points. */
  minLen: number;
  unigrams: boolean;
  bigrams: boolean;
  /** Given, the reader scores documents (see {@link WasmReader.score}) instead of returning their counts. */
  scoring?: ScoringTables;
}

/** A linear model over tf-idf values of the reader's columns (see the fused pipeline's `scoreDoc`). */
export interface ScoringTables {
  /** Number of scores (rows of `weights`). */
  rows: number;
  /** `rows x nFeatures`, row-major. */
  weights: Float64Array;
  bias: Float64Array;
  nFeatures: number;
  /** Per column (null: all 1). */
  idf: Float64Array | null;
  /** The original column of each hot column (see {@link ReaderTables.nHot}). */
  hotCols: Int32Array;
  binary: boolean;
  norm: 'l1' | 'l2' | null;
}

/**
 * The layout of the bigram table a binary linear model's scorer makes (one score): slots of 8
 * values, [idf, weight] (two f64), the count, then [first id, second id, column], so that a bigram
 * looked up there brings its model row in the same cache line (see `WasmReader.create`). Other
 * tables have slots of 4 values, [first id, second id, column, -].
 */
export const PAIR_INLINE = { stride: 8, off: 5 } as const;
/** The layout of a plain bigram table (see {@link PAIR_INLINE}). */
export const PAIR_PLAIN = { stride: 4, off: 0 } as const;

/** Most scores the scoring kernel is generated for (one loop per score). */
export const MAX_WASM_SCORES = 64;

/** The unit tables, made on first use: [as is, lowercased]. */
const UNIT_TABLES: [Int32Array | null, Int32Array | null] = [null, null];

/**
 * What the kernel reads for each UTF-16 unit c (at address 4c): `class << 16 | unit`, where unit
 * is c, or with `lower` its lowercase, and class is 1 for a word character, 0 for another, 2 where
 * the kernel must leave the document to the JavaScript reader: a surrogate (the reader decides
 * whether a pair is a word character) and, with `lower`, a unit whose lowercase is not one unit
 * (U+0130) or depends on its neighbours (capital sigma, final or not). JavaScript's
 * `toLowerCase` maps every other unit on its own, so lowercasing unit by unit gives the same text.
 */
function unitTable(lower: boolean): Int32Array {
  const k = lower ? 1 : 0;
  const done = UNIT_TABLES[k];
  if (done) return done;
  const t = new Int32Array(65536);
  for (let c = 0; c < 65536; c++) {
    let u = c;
    let cls = 0;
    if (c >= 0xd800 && c < 0xe000) cls = 2;
    else {
      if (lower) {
        const l = String.fromCharCode(c).toLowerCase();
        if (l.length !== 1 || c === 0x3a3) cls = 2;
        else u = l.charCodeAt(0);
      }
      if (cls === 0) cls = BMP_WORD[u]!;
    }
    t[c] = (cls << 16) | u;
  }
  UNIT_TABLES[k] = t;
  return t;
}

/**
 * `read(units, n, toks, outCols, outCounts, outScores)`: number of distinct columns, or -1 when the
 * document has a surrogate. With scoring, `outCounts` receives the tf-idf values and `outScores` the scores.
 */
type ReadKernel = (units: number, n: number, toks: number, outCols: number, outCounts: number, outScores: number) => number;

const STOP = -2;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

const { get, set, i32load, i32store, i32const } = W;

// Parameters and locals of the kernels.
const U = 0;
const N = 1;
const TOKS = 2;
const OUTC = 3;
const OUTN = 4;
const OUTS = 5;
const I = 6;
const C = 7;
const K = 8;
const START = 9;
const H = 10;
const LEN = 11;
const SLOT = 12;
const B = 13;
const COL = 14;
const ID = 15;
const NT = 16;
const NC = 17;
const Q = 18;
const A = 19;
const P2 = 20;
const X2 = 21;
const R = 22;
const OK = 23;
const M = 24;
const V = 25;
const X = 26;
const BB = 27;
const PCB = 28;
const PND = 29;
const NP = 30;
const SINK = 31;
const UNI = 32;
const TPB = 33;
const MAXT = 34;
const STOPS = 35;
const LOCALS = 30;
// f64 locals (after the i32 ones).
const SUM = 36;
const SCALE = 37;
const ACC = 38;
const XF = 39;
/** The column of a token noted for the engine's table, until it is looked up there. */
const PENDING = -3;

const inc = (l: number, k: number): number[][] => [get(l), i32const(k), W.add, set(l)];

/** The address of entry Q of the array at local `base`, of `1 << shift`-byte entries. */
const entry = (base: number, shift: number): number[][] => [get(base), get(Q), i32const(shift), W.shl, W.add];

/** `OK = units at P2 and X2 agree on R (≥ 1) units`, four units (one i64) at a time. */
function eqUnits(): number[][] {
  return [
    i32const(0),
    set(OK),
    W.block,
    W.loop,
    get(R),
    i32const(4),
    W.leU,
    W.if,
    // The last 1-4 units: compare the low 16 * R bits.
    get(P2),
    W.i64loadU(),
    get(X2),
    W.i64loadU(),
    W.i64xor,
    W.i64const(-1),
    i32const(64),
    get(R),
    i32const(4),
    W.shl,
    W.sub,
    W.i64extendU,
    W.i64shrU,
    W.i64and,
    W.i64eqz,
    set(OK),
    W.br(2),
    W.end,
    get(P2),
    W.i64loadU(),
    get(X2),
    W.i64loadU(),
    W.i64ne,
    W.brIf(1),
    ...inc(P2, 8),
    ...inc(X2, 8),
    ...inc(R, -4),
    W.br(0),
    W.end,
    W.end,
  ];
}

/** `SLOT = (SLOT + 1) & mask`, and on to the next probe. */
const nextSlot = (mask: number): number[][] => [get(SLOT), i32const(1), W.add, i32const(mask), W.and, set(SLOT), W.br(0)];

/** `B = base + (SLOT << shift)`: the byte address of slot SLOT of a table of `1 << shift`-byte slots at `base`. */
const slotBase = (base: number, shift: number): number[][] => [i32const(base), get(SLOT), i32const(shift), W.shl, W.add, set(B)];

/** `local = the i32 at B + off`; leaves the probe (see {@link probe}) when it is `free` (a free slot). */
const untilFree = (off: number, local: number, free: number): number[][] => [get(B), i32load(off), W.tee(local), ...(free === 0 ? [W.eqz] : [i32const(free), W.eq]), W.brIf(1)];

/** Leaves 1 when the i32 at `B + o1` is local `x` and the one at `B + o2` is local `y`. */
const fieldsAre = (o1: number, x: number, o2: number, y: number): number[][] => [get(B), i32load(o1), get(x), W.eq, get(B), i32load(o2), get(y), W.eq, W.and];

/**
 * A linear probe, from hash H, of the table at `base` (slots of `1 << shift` bytes, `mask`): `body`
 * runs at each slot B (its branch depths count from inside the probe's loop: 1 leaves the loop's
 * enclosing block), then the next slot.
 */
const probe = (base: number, shift: number, mask: number, body: number[][]): number[][] => [get(H), i32const(mask), W.and, set(SLOT), W.loop, ...slotBase(base, shift), ...body, ...nextSlot(mask), W.end];

/**
 * Leaves 1 on the stack when the token (LEN units from START) has the units of the slot at B: for
 * up to four units those kept at `B + inline`, else those the code `pool` addresses.
 */
function sameToken(inline: number, pool: number[][]): number[][] {
  return [get(U), get(START), i32const(1), W.shl, W.add, set(P2), get(B), i32const(inline), W.add, ...pool, get(LEN), i32const(4), W.leU, W.select, set(X2), get(LEN), set(R), ...eqUnits(), get(OK)];
}

/** The address of the count of the column the code `col` leaves on the stack (the count is at offset `L.cntOff`). */
function countAt(L: Layout, col: number[][]): number[][] {
  return [i32const(L.cnt), ...col, i32const(L.cntStride), W.mul, W.add];
}

/** The column of output entry `Q`. */
const outCol = (): number[][] => [get(OUTC), get(Q), i32const(2), W.shl, W.add, i32load()];

/** `count[col]++`, and `col` appended to the output the first time (no branch). */
function bump(L: Layout): number[][] {
  return [
    ...countAt(L, [get(COL)]),
    set(X),
    get(X),
    i32load(L.cntOff),
    set(V),
    get(X),
    get(V),
    i32const(1),
    W.add,
    i32store(L.cntOff),
    get(OUTC),
    get(NC),
    i32const(2),
    W.shl,
    W.add,
    get(COL),
    i32store(),
    get(NC),
    get(V),
    W.eqz,
    W.add,
    set(NC),
  ];
}

/** Clears the counts of the columns seen so far and returns -1 (a surrogate: the JavaScript reader takes the document). */
function bail(L: Layout): number[][] {
  return [...overOutput([...countAt(L, outCol()), i32const(0), i32store(L.cntOff)]), i32const(-1), W.return];
}

/** `v = table[u[i]]; k = v >>> 16; c = v & 0xffff` (the unit table sits at address 0, see {@link unitTable}). */
const loadUnit = (): number[][] => [
  get(U),
  get(I),
  i32const(1),
  W.shl,
  W.add,
  W.i32load16u(),
  i32const(2),
  W.shl,
  i32load(),
  W.tee(C),
  i32const(16),
  W.shrU,
  set(K),
  get(C),
  i32const(0xffff),
  W.and,
  set(C),
];

/** The byte addresses of the reader's tables in its memory. */
interface Layout {
  ht: number;
  hu: number;
  ts: number;
  tu: number;
  hp: number;
  ps: number;
  /** log2 of the bigram table's slot bytes, and the byte offset in a slot of its first id. */
  psShift: number;
  psA: number;
  /**
   * The bigram table sits right after the counts, its slots as long as their rows: the slot s of a
   * bigram found is reported as column `psCol + s`, whose row is the slot itself (null: the table
   * holds columns j, reported as `nHot + j`).
   */
  psCol: number | null;
  /** The counts: column j's at `cnt + j * cntStride + cntOff` (the dense counts, or the scoring rows). */
  cnt: number;
  cntStride: number;
  cntOff: number;
  /** A word the kernel writes what its touching loads read to (so that they are not dropped). */
  sink: number;
  /** End of the tables: the per-document scratch starts here. */
  end: number;
}

function readKernel(t: ReaderTables, L: Layout): WasmFunction {
  // The engine's table, for a token noted in the scan ([position, start, length, hash] at X): COL and ID.
  const coldToken: number[][] = [
    W.block, // $res
    ...probe(L.ts, 5, t.tokMask, [
      ...untilFree(12, V, -1),
      ...fieldsAre(0, H, 8, LEN),
      W.if,
      ...sameToken(24, [i32const(L.tu), get(B), i32load(4), i32const(1), W.shl, W.add]),
      W.if,
      get(V),
      set(ID),
      get(B),
      i32load(20),
      set(COL),
      get(COL),
      i32const(t.nHot),
      W.add,
      get(COL),
      get(COL),
      i32const(0),
      W.geS,
      W.select,
      set(COL),
      W.br(3),
      W.end,
      W.end,
    ]),
    W.end, // $res
  ];
  const code: number[][] = [
    // The scratch after the token ids: each token's column, then the tokens noted (4 values each).
    get(N),
    i32const(1),
    W.add,
    i32const(t.minLen + 1),
    W.divU,
    i32const(1),
    W.add,
    W.tee(MAXT),
    i32const(2),
    W.shl,
    get(TOKS),
    W.add,
    W.tee(UNI),
    get(MAXT),
    i32const(2),
    W.shl,
    W.add,
    set(TPB),
    W.block, // $done
    W.loop, // $tok
    // Skip to the next word character.
    W.block, // $found
    W.loop, // $skip
    get(I),
    get(N),
    W.geU,
    W.brIf(3),
    ...loadUnit(),
    get(K),
    i32const(1),
    W.eq,
    W.brIf(1),
    get(K),
    W.if,
    ...bail(L),
    W.end,
    ...inc(I, 1),
    W.br(0),
    W.end,
    W.end,
    // The token: hashed (FNV-1a over its units) up to the first unit that is not a word character.
    get(I),
    set(START),
    i32const(FNV_OFFSET),
    set(H),
    W.loop,
    get(H),
    get(C),
    W.xor,
    i32const(FNV_PRIME),
    W.mul,
    set(H),
    // Lowercasing: the token's units, compared with the tables' below, are written back lowercased.
    ...(t.lowercase ? [get(U), get(I), i32const(1), W.shl, W.add, get(C), W.i32store16()] : []),
    ...inc(I, 1),
    ...loadUnit(),
    get(K),
    i32const(1),
    W.eq,
    W.brIf(0),
    W.end,
    get(K),
    W.if,
    ...bail(L),
    W.end,
    get(I),
    get(START),
    W.sub,
    set(LEN),
    get(LEN),
    i32const(t.minLen),
    W.ltU,
    W.brIf(0),
    i32const(-1),
    set(COL),
    i32const(-1),
    set(ID),
    W.block, // $res
    W.block, // $cold
    // The hot table: columns as hot indices, stop words as STOP.
    ...probe(L.ht, 5, t.hotTokMask, [
      ...untilFree(12, M, 0),
      get(B),
      i32load(),
      get(H),
      W.eq,
      get(M),
      i32const(24),
      W.shrU,
      get(LEN),
      W.eq,
      W.and,
      W.if,
      ...sameToken(16, [i32const(L.hu), get(M), i32const(0xffffff), W.and, i32const(1), W.shl, W.add]),
      W.if,
      get(B),
      i32load(4),
      set(COL),
      get(B),
      i32load(8),
      set(ID),
      W.br(4),
      W.end,
      W.end,
    ]),
    W.end, // $cold
    // Noted for the engine's table (looked up below, all together).
    get(TPB),
    get(NP),
    i32const(4),
    W.shl,
    W.add,
    W.tee(X),
    get(NT),
    i32store(),
    get(X),
    get(START),
    i32store(4),
    get(X),
    get(LEN),
    i32store(8),
    get(X),
    get(H),
    i32store(12),
    ...inc(NP, 1),
    i32const(PENDING),
    set(COL),
    W.end, // $res
    // A stop word is dropped before n-grams are formed.
    get(COL),
    i32const(STOP),
    W.eq,
    W.brIf(0),
  ];
  code.push(
    get(TOKS),
    get(NT),
    i32const(2),
    W.shl,
    W.add,
    get(ID),
    i32store(),
    get(UNI),
    get(NT),
    i32const(2),
    W.shl,
    W.add,
    get(COL),
    i32store(),
    ...inc(NT, 1),
    W.br(0),
    W.end,
    W.end, // $tok, $done
    ...resolveTokens(t, L, coldToken),
  );
  if (t.unigrams) code.push(...upTo([get(NT)], [get(UNI), get(Q), i32const(2), W.shl, W.add, i32load(), W.tee(COL), i32const(0), W.geS, W.if, ...bump(L), W.end]));
  if (t.bigrams) code.push(...bigrams(t, L));
  code.push(...(t.scoring ? score(t.scoring, L) : finish(L)), get(NC));
  return { name: 'read', params: 6, result: true, i32Locals: LOCALS, f64Locals: 4, code };
}

/** `toks[pos] = ID; uni[pos] = COL` for the position the code `pos` leaves in local `at`. */
const storeToken = (at: number): number[][] => [get(TOKS), get(at), i32const(2), W.shl, W.add, get(ID), i32store(), get(UNI), get(at), i32const(2), W.shl, W.add, get(COL), i32store()];

/**
 * Looks the tokens the scan noted up in the engine's table (`cold`: the lookup of one, see
 * readKernel): their first slots loaded all together first (independent loads, whose cache misses
 * overlap), then looked up one by one; a long stop word found there is dropped from the tokens;
 * then the rows of the columns found are loaded the same way before counting.
 */
function resolveTokens(t: ReaderTables, L: Layout, cold: number[][]): number[][] {
  const noted = (field: number): number[][] => [get(TPB), get(Q), i32const(4), W.shl, W.add, i32load(field)];
  return [
    ...upTo([get(NP)], [get(SINK), i32const(L.ts), ...noted(12), i32const(t.tokMask), W.and, i32const(5), W.shl, W.add, i32load(12), W.xor, set(SINK)]),
    ...upTo(
      [get(NP)],
      [
        ...entry(TPB, 4),
        W.tee(X),
        i32load(),
        set(I),
        get(X),
        i32load(4),
        set(START),
        get(X),
        i32load(8),
        set(LEN),
        get(X),
        i32load(12),
        set(H),
        i32const(-1),
        set(COL),
        i32const(-1),
        set(ID),
        ...cold,
        get(STOPS),
        get(COL),
        i32const(STOP),
        W.eq,
        W.or,
        set(STOPS),
        ...storeToken(I),
        ...entry(TPB, 4),
        get(COL),
        i32store(4),
      ],
    ),
    get(STOPS),
    W.if,
    i32const(0),
    set(A),
    ...upTo(
      [get(NT)],
      [
        ...entry(UNI, 2),
        i32load(),
        W.tee(COL),
        i32const(STOP),
        W.ne,
        W.if,
        ...entry(TOKS, 2),
        i32load(),
        set(ID),
        ...storeToken(A),
        ...inc(A, 1),
        W.end,
      ],
    ),
    get(A),
    set(NT),
    W.end,
    ...(t.unigrams
      ? upTo([get(NP)], [get(SINK), ...countAt(L, [...noted(4), W.tee(COL), i32const(0), get(COL), i32const(0), W.geS, W.select]), i32load(L.cntOff), W.xor, set(SINK)])
      : []),
    i32const(L.sink),
    get(SINK),
    i32store(),
  ];
}

/** `H = pairHash(A, BB)` (word-engine.ts's). */
const pairHash = (): number[][] => [
  get(A),
  i32const(0x9e3779b1 | 0),
  W.mul,
  get(BB),
  W.xor,
  W.tee(H),
  get(H),
  i32const(15),
  W.shrU,
  W.xor,
  i32const(0x85ebca6b | 0),
  W.mul,
  W.tee(H),
  get(H),
  i32const(13),
  W.shrU,
  W.xor,
  set(H),
];

/** `A = toks[pos]; BB = toks[pos + 1]` for the position the code `pos` leaves on the stack. */
const tokenPair = (pos: number[][]): number[][] => [get(TOKS), ...pos, i32const(2), W.shl, W.add, W.tee(X), i32load(), set(A), get(X), i32load(4), set(BB)];

/** A loop over `Q < limit` running `body`. */
function upTo(limit: number[][], body: number[][]): number[][] {
  // Signed: a limit of NT - 1 is -1 when there is no token.
  return [i32const(0), set(Q), W.block, W.loop, get(Q), ...limit, W.geS, W.brIf(1), ...body, ...inc(Q, 1), W.br(0), W.end, W.end];
}

/**
 * Counts the bigrams of the `NT` token ids at `TOKS` (-1: unknown), in position order. The hot
 * table is probed first, position by position; the bigrams it does not hold are noted, their
 * slots in the large table loaded all together (independent loads, whose cache misses overlap),
 * then looked up, and the rows of the columns found loaded the same way before counting.
 */
function bigrams(t: ReaderTables, L: Layout): number[][] {
  const pcAt = (pos: number[][]): number[][] => [get(PCB), ...pos, i32const(2), W.shl, W.add];
  return [
    get(TPB),
    get(MAXT),
    i32const(4),
    W.shl,
    W.add,
    W.tee(PCB),
    get(MAXT),
    i32const(2),
    W.shl,
    W.add,
    set(PND),
    i32const(0),
    set(NP),
    // 0. Each position's hash to `PCB[q]`, and the hot slots loaded all together (the hot table
    // outgrows the inner caches).
    ...upTo(
      [get(NT), i32const(1), W.sub],
      [
        ...tokenPair([get(Q)]),
        ...pairHash(),
        ...pcAt([get(Q)]),
        get(H),
        i32store(),
        get(SINK),
        i32const(L.hp),
        get(H),
        i32const(t.hotPairMask),
        W.and,
        i32const(4),
        W.shl,
        W.add,
        i32load(),
        W.xor,
        set(SINK),
      ],
    ),
    // 1. The hot table; `PCB[q]` = column or -1, and the other pairs noted as [position, hash].
    ...upTo(
      [get(NT), i32const(1), W.sub],
      [
        ...tokenPair([get(Q)]),
        i32const(-1),
        set(COL),
        W.block, // $pos
        get(A),
        get(BB),
        W.or,
        i32const(0),
        W.ltS,
        W.brIf(0),
        ...pcAt([get(Q)]),
        i32load(),
        set(H),
        W.block, // $cold
        ...probe(L.hp, 4, t.hotPairMask, [
          ...untilFree(0, V, 0),
          get(V),
          get(A),
          i32const(1),
          W.add,
          W.eq,
          get(B),
          i32load(4),
          get(BB),
          W.eq,
          W.and,
          W.if,
          get(B),
          i32load(8),
          set(COL),
          W.br(3),
          W.end,
        ]),
        W.end, // $cold
        get(PND),
        get(NP),
        i32const(3),
        W.shl,
        W.add,
        W.tee(X),
        get(Q),
        i32store(),
        get(X),
        get(H),
        i32store(4),
        ...inc(NP, 1),
        W.end, // $pos
        ...pcAt([get(Q)]),
        get(COL),
        i32store(),
      ],
    ),
    // 2. Load the noted pairs' first slots.
    ...upTo(
      [get(NP)],
      [
        get(SINK),
        i32const(L.ps),
        ...entry(PND, 3),
        i32load(4),
        i32const(t.pairMask),
        W.and,
        i32const(L.psShift),
        W.shl,
        W.add,
        i32load(L.psA + 8),
        W.xor,
        set(SINK),
      ],
    ),
    // 3. Look them up; their columns go to `PCB` and over their hashes.
    ...upTo(
      [get(NP)],
      [
        ...entry(PND, 3),
        W.tee(X),
        i32load(),
        set(I),
        get(X),
        i32load(4),
        set(H),
        ...tokenPair([get(I)]),
        i32const(-1),
        set(COL),
        W.block, // $res
        ...probe(L.ps, L.psShift, t.pairMask, [
          ...untilFree(L.psA + 8, V, -1),
          ...fieldsAre(L.psA, A, L.psA + 4, BB),
          W.if,
          ...(L.psCol === null ? [get(V), i32const(t.nHot)] : [get(SLOT), i32const(L.psCol)]),
          W.add,
          i32const(-1),
          get(V),
          i32const(0),
          W.geS,
          W.select,
          set(COL),
          W.br(2),
          W.end,
        ]),
        W.end, // $res
        ...pcAt([get(I)]),
        get(COL),
        i32store(),
        ...entry(PND, 3),
        get(COL),
        i32store(4),
      ],
    ),
    // 4. Load the counts of the columns found (column 0's for none).
    ...upTo(
      [get(NP)],
      [
        get(SINK),
        ...countAt(L, [
          ...entry(PND, 3),
          i32load(4),
          W.tee(COL),
          i32const(0),
          get(COL),
          i32const(0),
          W.geS,
          W.select,
        ]),
        i32load(L.cntOff),
        W.xor,
        set(SINK),
      ],
    ),
    i32const(L.sink),
    get(SINK),
    i32store(),
    // 5. Count, in position order.
    ...upTo(
      [get(NT), i32const(1), W.sub],
      [...pcAt([get(Q)]), i32load(), W.tee(COL), i32const(0), W.geS, W.if, ...bump(L), W.end],
    ),
  ];
}

/** Writes the count of each output column (as f64) and clears the counts. */
function finish(L: Layout): number[][] {
  return overOutput([
    ...countAt(L, outCol()),
    set(X),
    ...entry(OUTN, 3),
    get(X),
    i32load(L.cntOff),
    W.f64convertU,
    W.f64store(),
    get(X),
    i32const(0),
    i32store(L.cntOff),
  ]);
}

/** `f64.const v`. */
function f64const(v: number): number[] {
  return [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];
}

/** A loop over the output entries `Q < NC` running `body`. */
function overOutput(body: number[][]): number[][] {
  return [i32const(0), set(Q), W.block, W.loop, get(Q), get(NC), W.geU, W.brIf(1), ...body, ...inc(Q, 1), W.br(0), W.end, W.end];
}

/**
 * The scores of the document, as the fused pipeline's `scoreDoc` computes them (the same
 * operations in the same order): each entry's tf-idf value (kept at `OUTN`), the row norm, then
 * per class the sum of the scaled values times the class's weights, plus its bias, to `OUTS`.
 * The rows are `[idf, w_0, ..., w_{r-1}, count]` at `L.cnt`, `L.cntStride` bytes each.
 */
function score(sc: ScoringTables, L: Layout): number[][] {
  const r = sc.rows;
  const l1 = sc.norm === 'l1';
  const code: number[][] = [
    W.f64zero,
    set(SUM),
    ...overOutput([
      ...countAt(L, outCol()),
      set(X),
      ...(sc.binary ? [W.f64one] : [get(X), i32load(L.cntOff), W.f64convertU]),
      get(X),
      W.f64load(),
      W.f64mul,
      set(XF),
      ...entry(OUTN, 3),
      get(XF),
      W.f64store(),
      get(SUM),
      ...(l1 ? [get(XF)] : [get(XF), get(XF), W.f64mul]),
      W.f64add,
      set(SUM),
      get(X),
      i32const(0),
      i32store(L.cntOff),
    ]),
  ];
  if (sc.norm === null) code.push(W.f64one, set(SCALE));
  else code.push(W.f64one, get(SUM), ...(l1 ? [] : [W.f64sqrt]), get(SUM), W.f64zero, W.f64eq, W.select, set(SCALE));
  for (let c = 0; c < r; c++) {
    code.push(
      W.f64zero,
      set(ACC),
      ...overOutput([
        get(ACC),
        ...entry(OUTN, 3),
        W.f64load(),
        get(SCALE),
        W.f64div,
        ...countAt(L, outCol()),
        W.f64load(8 + 8 * c),
        W.f64mul,
        W.f64add,
        set(ACC),
      ]),
      get(OUTS),
      get(ACC),
      f64const(sc.bias[c]!),
      W.f64add,
      W.f64store(8 * c),
    );
  }
  return code;
}

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * A document reader in WebAssembly over copies of a `DocReader`'s tables (see the module comment).
 * After {@link read} returns n ≥ 0, `cols[0, n)` and `counts[0, n)` hold the document's columns and
 * counts, as the JavaScript reader's would.
 *
 * @example
 * ```ts
 * const w = WasmReader.create(tables); // null without WebAssembly
 * const n = w ? w.read('some text') : -1; // -1: use the JavaScript reader
 * ```
 */
export class WasmReader {
  cols: Int32Array;
  counts: Float64Array;
  /**
   * Its copies of the engine's token table and bigram table (views of its memory, never written
   * by the kernel): the JavaScript reader and the engine can use them instead of their own arrays,
   * so that the tables are held once.
   */
  copies: { tokSlots: Int32Array; tokUnits: Uint16Array; pairSlots: Int32Array; pairLayout: { stride: number; off: number } } | null = null;
  private buf: Buffer;
  private u16: Uint16Array;
  /** The largest document (in units) the scratch holds. */
  private maxUnits = 0;
  private outN = 0;
  private outC = 0;
  private toks = 0;
  private units = 0;

  private constructor(
    private readonly memory: WasmMemory,
    private readonly kernel: ReadKernel,
    /** Reads documents as given, not preprocessed: it lowercases them itself (see {@link ReaderTables.lowercase}). */
    readonly lowercase: boolean,
    private readonly end: number,
    private readonly minLen: number,
    private readonly perToken: number,
    /** The scores of the last document scored (a view of the kernel's memory). */
    private readonly scores: Float64Array | null,
  ) {
    this.buf = Buffer.from(memory.buffer);
    this.u16 = new Uint16Array(memory.buffer);
    this.cols = new Int32Array(0);
    this.counts = new Float64Array(0);
    this.layout(256);
  }

  /** A reader over copies of `t`, or null where WebAssembly is not available. */
  static create(t: ReaderTables): WasmReader | null {
    const sc = t.scoring;
    if (sc && (sc.rows < 1 || sc.rows > MAX_WASM_SCORES)) return null;
    let at = 4 * 65536;
    const place = (bytes: number): number => {
      const o = at;
      // 8 bytes of slack: the kernel compares units eight bytes at a time.
      at = align8(at + bytes + 8);
      return o;
    };
    const nRows = t.nHot + t.nCols + 1;
    const nPairs = t.pairSlots.length / t.pairStride;
    // One score: the bigram table's slots hold their rows, 32 bytes as the rows (see PAIR_INLINE).
    const inline = sc?.rows === 1 && t.bigrams;
    // Scoring rows: [idf, w_0, ..., w_{r-1}, count (i32)].
    const stride = inline ? 32 : sc ? 8 * (sc.rows + 2) : 4;
    const ht = place(4 * t.hotTok.length);
    const hu = place(2 * t.hotUnits.length);
    const ts = place(4 * t.tokSlots.length);
    const tu = place(2 * t.tokUnits.length);
    const hp = place(4 * t.hotPair.length);
    let ps = inline ? 0 : place(16 * nPairs);
    if (inline) at = (at + 31) & ~31;
    const cnt = place(stride * nRows);
    if (inline) {
      ps = cnt + stride * nRows;
      at = align8(ps + 32 * nPairs + 8);
    }
    const L: Layout = {
      ht,
      hu,
      ts,
      tu,
      hp,
      ps,
      psShift: inline ? 5 : 4,
      psA: inline ? 4 * PAIR_INLINE.off : 0,
      psCol: inline ? nRows : null,
      cnt,
      cntStride: stride,
      cntOff: sc ? 8 * (sc.rows + 1) : 0,
      sink: place(4),
      end: 0,
    };
    const scoresAt = place(sc ? 8 * sc.rows : 0);
    L.end = at;
    if (L.end >= 0x7fff0000) return null;
    const mod = compileKernels([readKernel(t, L)]);
    const memory = mod ? sharedMemory(L.end + (1 << 16)) : null;
    if (!mod || !memory) return null;
    const sab = memory.buffer;
    new Int32Array(sab, 0, 65536).set(unitTable(t.lowercase));
    new Int32Array(sab, L.ht, t.hotTok.length).set(t.hotTok);
    new Uint16Array(sab, L.hu, t.hotUnits.length).set(t.hotUnits);
    const tokSlots = new Int32Array(sab, L.ts, t.tokSlots.length);
    tokSlots.set(t.tokSlots);
    const tokUnits = new Uint16Array(sab, L.tu, t.tokUnits.length);
    tokUnits.set(t.tokUnits);
    new Int32Array(sab, L.hp, t.hotPair.length).set(t.hotPair);
    const layout = inline ? PAIR_INLINE : PAIR_PLAIN;
    const pairSlots = new Int32Array(sab, L.ps, layout.stride * nPairs);
    copyPairs(t.pairSlots, t.pairStride, t.pairOff, pairSlots, layout.stride, layout.off);
    if (inline) pairRows(new Float64Array(sab, L.ps, 4 * nPairs), pairSlots, sc.nFeatures, sc.idf, sc.weights);
    if (sc) fillWeightRows(new Float64Array(sab, L.cnt, (stride / 8) * nRows), stride / 8, sc.hotCols, sc.nFeatures, sc.idf, sc.weights, sc.rows);
    const kernel = instantiateKernels<{ read: ReadKernel }>(mod, memory).read;
    const w = new WasmReader(memory, kernel, t.lowercase, L.end, t.minLen, (t.unigrams ? 1 : 0) + (t.bigrams ? 1 : 0), sc ? new Float64Array(sab, scoresAt, sc.rows) : null);
    w.copies = { tokSlots, tokUnits, pairSlots, pairLayout: layout };
    return w;
  }

  /** Lays the scratch out for documents of up to `units` UTF-16 units. */
  private layout(units: number): boolean {
    // As the JavaScript reader: a token takes at least minLen units and a separator.
    const maxTok = Math.floor((units + 1) / (this.minLen + 1)) + 1;
    const cap = this.perToken * maxTok + 1;
    const outN = this.end;
    const outC = outN + 8 * cap;
    const toks = align8(outC + 4 * cap);
    // Token ids, then the kernel's: each token's column, the tokens noted (4 values each), each
    // position's bigram column and the bigrams noted (2 values each).
    const at = align8(toks + 36 * maxTok + 8);
    // Memory refused: the documents this long are left to the JavaScript reader.
    if (!ensureBytes(this.memory, at + 2 * (units + 1) + 16)) return false;
    const sab = this.memory.buffer;
    if (sab.byteLength !== this.buf.length) {
      this.buf = Buffer.from(sab);
      this.u16 = new Uint16Array(sab);
    }
    this.outN = outN;
    this.outC = outC;
    this.toks = toks;
    this.units = at;
    this.cols = new Int32Array(sab, outC, cap);
    this.counts = new Float64Array(sab, outN, cap);
    this.maxUnits = units;
    return true;
  }

  /**
   * Reads one document (preprocessed, or as given with {@link lowercase}): the number of distinct columns (in {@link cols} and
   * {@link counts}), or -1 when the document has a surrogate and must be read by the JavaScript reader.
   */
  read(s: string): number {
    const n = s.length;
    if (n > this.maxUnits) {
      let units = this.maxUnits;
      while (units < n) units *= 2;
      if (!this.layout(units)) return -1;
    }
    this.buf.write(s, this.units, 'utf16le');
    this.u16[(this.units >> 1) + n] = 0;
    return this.kernel(this.units, n, this.toks, this.outC, this.outN, this.scores ? this.scores.byteOffset : 0);
  }

  /**
   * Scores one document (preprocessed, or as given with {@link lowercase}) into `out[base, base + rows)` (a reader made with
   * scoring); false when the document has a surrogate and must be read by the JavaScript reader.
   */
  score(s: string, out: Float64Array, base: number): boolean {
    const scores = this.scores!;
    if (this.read(s) < 0) return false;
    for (let c = 0; c < scores.length; c++) out[base + c] = scores[c]!;
    return true;
  }
}

/** Copies a bigram table from slots of `fromStride` values (ids from `fromOff`) to slots of `toStride` (ids from `toOff`). */
function copyPairs(from: Int32Array, fromStride: number, fromOff: number, to: Int32Array, toStride: number, toOff: number): void {
  const n = from.length / fromStride;
  for (let s = 0; s < n; s++) {
    const f = s * fromStride + fromOff;
    const o = s * toStride + toOff;
    to[o] = from[f]!;
    to[o + 1] = from[f + 1]!;
    to[o + 2] = from[f + 2]!;
  }
}

/** Writes the row [idf, weight] of each bigram of a {@link PAIR_INLINE} table (one score: `weights` has `d` values). */
function pairRows(rows: Float64Array, slots: Int32Array, d: number, idf: Float64Array | null, weights: Float64Array): void {
  for (let s = 0; 8 * s < slots.length; s++) {
    const j = slots[8 * s + PAIR_INLINE.off + 2]!;
    if (j < 0 || j >= d) continue;
    rows[4 * s] = idf ? idf[j]! : 1;
    rows[4 * s + 1] = weights[j]!;
  }
}

/**
 * Writes the rows of a fused text model, `stride` values each: row p is column `hot[p]` for the hot
 * columns, then column `p - hot.length`; each starts `[idf_j (or 1), weights[0][j], ...,
 * weights[r-1][j]]` (`weights` is `r x d`, row-major); the rest of a row is left as it is (the
 * WebAssembly scorer keeps a column's count there). A kernel of its own: compiled once the loop is
 * hot, not run as a long loop of a once-called function.
 *
 * @example
 * ```ts
 * const rows = new Float64Array((hot.length + d) * (r + 1));
 * fillWeightRows(rows, r + 1, hot, d, idf, weights, r);
 * ```
 */
export function fillWeightRows(rows: Float64Array, stride: number, hot: Int32Array, d: number, idf: Float64Array | null, weights: Float64Array, r: number): void {
  const nHot = hot.length;
  for (let p = 0; p < nHot + d; p++) {
    const j = p < nHot ? hot[p]! : p - nHot;
    const o = p * stride;
    rows[o] = idf ? idf[j]! : 1;
    for (let c = 0; c < r; c++) rows[o + 1 + c] = weights[c * d + j]!;
  }
}
