/**
 * Pure typed-array kernels behind the text vectorizers: row normalisation, numpy's argsort
 * order, and Python's string order.
 */

/**
 * Divides each CSR row by its L2 norm in place, as scikit-learn's
 * `inplace_csr_row_normalize_l2` (sum of squares in storage order, `sqrt`, then division); rows of
 * norm 0 are left as they are.
 */
export function normalizeRowsL2(data: Float64Array, indptr: Int32Array): void {
  const rows = indptr.length - 1;
  for (let i = 0; i < rows; i++) {
    const s = indptr[i]!;
    const e = indptr[i + 1]!;
    let sum = 0;
    for (let p = s; p < e; p++) sum += data[p]! * data[p]!;
    if (sum === 0) continue;
    const norm = Math.sqrt(sum);
    for (let p = s; p < e; p++) data[p] = data[p]! / norm;
  }
}

/** Divides each CSR row by the sum of its absolute values in place (scikit-learn's L1 row normalisation). */
export function normalizeRowsL1(data: Float64Array, indptr: Int32Array): void {
  const rows = indptr.length - 1;
  for (let i = 0; i < rows; i++) {
    const s = indptr[i]!;
    const e = indptr[i + 1]!;
    let sum = 0;
    for (let p = s; p < e; p++) sum += Math.abs(data[p]!);
    if (sum === 0) continue;
    for (let p = s; p < e; p++) data[p] = data[p]! / sum;
  }
}

/** Replaces each entry of `indices` by `map[entry]`, in place (renumbers the columns of CSR arrays). */
export function mapIndices(indices: Int32Array, map: Int32Array): void {
  for (let k = 0; k < indices.length; k++) indices[k] = map[indices[k]!]!;
}

/**
 * Keeps the CSR entries whose column has a non-negative `newIndex`, renumbered to it, in place over
 * the first entries of `data` and `indices`; returns the new row pointers (`rows + 1` entries).
 */
export function selectColumns(data: Float64Array, indices: Int32Array, indptr: Int32Array, newIndex: Int32Array): Int32Array {
  const rows = indptr.length - 1;
  const out = new Int32Array(rows + 1);
  let q = 0;
  for (let i = 0; i < rows; i++) {
    for (let k = indptr[i]!; k < indptr[i + 1]!; k++) {
      const j = newIndex[indices[k]!]!;
      if (j >= 0) {
        indices[q] = j;
        data[q] = data[k]!;
        q++;
      }
    }
    out[i + 1] = q;
  }
  return out;
}

/** Counts stored entries per column (scikit-learn's `_document_frequency` on CSR input). */
export function columnCounts(indices: Int32Array, nnz: number, cols: number): Float64Array {
  const df = new Float64Array(cols);
  for (let p = 0; p < nnz; p++) df[indices[p]!]!++;
  return df;
}

/** Sums the stored values per column. */
export function columnSums(data: Float64Array, indices: Int32Array, nnz: number, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let p = 0; p < nnz; p++) out[indices[p]!] = out[indices[p]!]! + data[p]!;
  return out;
}

/**
 * Sorts each CSR row's column indices ascending, carrying the values along, in place (`cols`: the
 * number of columns). A row is sorted through a two-level bitmap of the columns: its columns set
 * bits, which are then read out in order, skipping empty 32-bit words and blocks of 32 words; the
 * values wait in a dense array by column. That takes a few operations per entry plus one per block
 * of 1,024 columns up to the row's largest, much less than a comparison sort; a row with few
 * entries for many columns is sorted with the native sort instead.
 */
export function sortRowIndices(data: Float64Array, indices: Int32Array, indptr: Int32Array, cols: number): void {
  const rows = indptr.length - 1;
  const vals = new Float64Array(cols);
  const words = new Int32Array((cols + 31) >>> 5);
  const blocks = new Int32Array((words.length + 31) >>> 5);
  for (let i = 0; i < rows; i++) {
    const s = indptr[i]!;
    const e = indptr[i + 1]!;
    if (e - s < 2 || isAscending(indices, s, e)) continue;
    if (blocks.length <= 8 * (e - s)) sortRowByBits(data, indices, s, e, vals, words, blocks);
    else sortRowNative(data, indices, s, e, vals);
  }
}

/** Whether `a[s, e)` is ascending. */
function isAscending(a: Int32Array, s: number, e: number): boolean {
  for (let p = s + 1; p < e; p++) if (a[p]! < a[p - 1]!) return false;
  return true;
}

/** Sorts the row `[s, e)` (distinct columns) through the bitmaps `words` and `blocks` (all zero, and left so). */
function sortRowByBits(data: Float64Array, indices: Int32Array, s: number, e: number, vals: Float64Array, words: Int32Array, blocks: Int32Array): void {
  for (let p = s; p < e; p++) {
    const c = indices[p]!;
    vals[c] = data[p]!;
    const w = c >>> 5;
    words[w] = words[w]! | (1 << (c & 31));
    blocks[w >>> 5] = blocks[w >>> 5]! | (1 << (w & 31));
  }
  let p = s;
  for (let b = 0; p < e; b++) {
    let x = blocks[b]!;
    blocks[b] = 0;
    while (x !== 0) {
      const lowBlock = x & -x;
      x ^= lowBlock;
      const w = (b << 5) + 31 - Math.clz32(lowBlock);
      let y = words[w]!;
      words[w] = 0;
      while (y !== 0) {
        const low = y & -y;
        y ^= low;
        const c = (w << 5) + 31 - Math.clz32(low);
        indices[p] = c;
        data[p++] = vals[c]!;
      }
    }
  }
}

/** Sorts the row `[s, e)` with the native sort of its indices, the values waiting in `vals` by column. */
function sortRowNative(data: Float64Array, indices: Int32Array, s: number, e: number, vals: Float64Array): void {
  for (let p = s; p < e; p++) vals[indices[p]!] = data[p]!;
  indices.subarray(s, e).sort();
  for (let p = s; p < e; p++) data[p] = vals[indices[p]!]!;
}

const SMALL_QUICKSORT = 16;

/**
 * The permutation that sorts `v` ascending exactly as numpy 1.24's default `argsort`
 * (`kind='quicksort'`: an introsort with median-of-three pivots, insertion sort below 17 elements
 * and heapsort past the depth limit), including its order among equal values. scikit-learn picks
 * `maxFeatures` terms with it, so ties break the same way.
 */
export function numpyArgsort(v: Float64Array): Int32Array {
  const num = v.length;
  const tosort = new Int32Array(num);
  for (let k = 0; k < num; k++) tosort[k] = k;
  if (num < 2) return tosort;
  const stack: number[] = [];
  const depthStack: number[] = [];
  let pl = 0;
  let pr = num - 1;
  let cdepth = 0;
  for (let u = num; (u >>>= 1) > 0; ) cdepth++;
  cdepth *= 2;
  const swap = (a: number, b: number): void => {
    const t = tosort[a]!;
    tosort[a] = tosort[b]!;
    tosort[b] = t;
  };
  for (;;) {
    let heapDone = false;
    if (cdepth < 0) {
      argHeapsort(v, tosort, pl, pr - pl + 1);
      heapDone = true;
    }
    if (!heapDone) {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (v[tosort[pm]!]! < v[tosort[pl]!]!) swap(pm, pl);
        if (v[tosort[pr]!]! < v[tosort[pm]!]!) swap(pr, pm);
        if (v[tosort[pm]!]! < v[tosort[pl]!]!) swap(pm, pl);
        const vp = v[tosort[pm]!]!;
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do ++pi;
          while (v[tosort[pi]!]! < vp);
          do --pj;
          while (vp < v[tosort[pj]!]!);
          if (pi >= pj) break;
          swap(pi, pj);
        }
        const pk = pr - 1;
        swap(pi, pk);
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depthStack.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = tosort[pi]!;
        const vv = v[vi]!;
        let pj = pi;
        let pk = pi - 1;
        while (pj > pl && vv < v[tosort[pk]!]!) {
          tosort[pj--] = tosort[pk--]!;
        }
        tosort[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depthStack.pop()!;
  }
  return tosort;
}

/** numpy's `aheapsort` on `tosort[start .. start + n)`. */
function argHeapsort(v: Float64Array, tosort: Int32Array, start: number, n: number): void {
  // 1-based heap indexing: a[k] = tosort[start + k - 1].
  const base = start - 1;
  let i: number;
  let j: number;
  let tmp: number;
  for (let l = n >> 1; l > 0; --l) {
    tmp = tosort[base + l]!;
    for (i = l, j = l << 1; j <= n; ) {
      if (j < n && v[tosort[base + j]!]! < v[tosort[base + j + 1]!]!) j += 1;
      if (v[tmp]! < v[tosort[base + j]!]!) {
        tosort[base + i] = tosort[base + j]!;
        i = j;
        j += j;
      } else break;
    }
    tosort[base + i] = tmp;
  }
  for (; n > 1; ) {
    tmp = tosort[base + n]!;
    tosort[base + n] = tosort[base + 1]!;
    n -= 1;
    for (i = 1, j = 2; j <= n; ) {
      if (j < n && v[tosort[base + j]!]! < v[tosort[base + j + 1]!]!) j++;
      if (v[tmp]! < v[tosort[base + j]!]!) {
        tosort[base + i] = tosort[base + j]!;
        i = j;
        j += j;
      } else break;
    }
    tosort[base + i] = tmp;
  }
}

/** Maps a UTF-16 code unit so that comparing mapped units orders strings by code point. */
function unitKey(c: number): number {
  if (c >= 0xe000) return c - 0x800;
  if (c >= 0xd800) return c + 0x2000;
  return c;
}

const SURROGATES = /[\ud800-\udfff]/;
const HIGH_UNITS_G = /[\ud800-\uffff]/g;
const HIGH_UNIT = /[\ud800-\uffff]/;

/**
 * Sorts strings in place in Python's order (by code point). The engine's native sort compares
 * UTF-16 units, which agrees with code point order unless strings hold surrogate pairs (code
 * points above U+FFFF). Then every unit at or above U+D800 is remapped (order-preserving for code
 * points, bijective) before the native sort and mapped back after it.
 */
export function sortPython(terms: string[]): string[] {
  let astral = false;
  for (let k = 0; k < terms.length; k++) {
    if (SURROGATES.test(terms[k]!)) {
      astral = true;
      break;
    }
  }
  if (!astral) return terms.sort();
  for (let k = 0; k < terms.length; k++) {
    const t = terms[k]!;
    if (HIGH_UNIT.test(t)) terms[k] = t.replace(HIGH_UNITS_G, (ch) => String.fromCharCode(unitKey(ch.charCodeAt(0))));
  }
  terms.sort();
  for (let k = 0; k < terms.length; k++) {
    const t = terms[k]!;
    if (HIGH_UNIT.test(t)) terms[k] = t.replace(HIGH_UNITS_G, (ch) => String.fromCharCode(unitKeyInverse(ch.charCodeAt(0))));
  }
  return terms;
}

const PREFIX = 1048576;

/**
 * The permutation that sorts `terms` in Python's order (by code point): `terms[order[0]]` comes
 * first. The terms are copied into one array of UTF-16 units and sorted by {@link unitsOrder}.
 *
 * @example
 * ```ts
 * pythonOrder(['b', '😀', 'a', '\uffff']); // Int32Array [2, 0, 3, 1]
 * ```
 */
export function pythonOrder(terms: readonly string[]): Int32Array {
  const n = terms.length;
  const offs = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) offs[k + 1] = offs[k]! + terms[k]!.length;
  const units = new Uint16Array(offs[n]!);
  for (let k = 0; k < n; k++) {
    const t = terms[k]!;
    const o = offs[k]!;
    for (let q = 0; q < t.length; q++) units[o + q] = t.charCodeAt(q);
  }
  return unitsOrder(units, offs, n);
}

/**
 * The permutation that sorts `n` distinct terms held as UTF-16 units, term k being
 * `units[offs[k], offs[k + 1])`, in Python's order (by code point). Mostly sorts numbers rather
 * than terms: a key made of each term's first two units and its index, then each run of terms that
 * share those units the same way on their next two units, and so on; only short runs (or very long
 * shared prefixes) are sorted by comparing units. Reading the units from one array (in term order)
 * rather than from strings spread over the heap keeps the passes over the terms sequential.
 *
 * @example
 * ```ts
 * // The terms 'b' and 'ac':
 * unitsOrder(Uint16Array.of(98, 97, 99), Int32Array.of(0, 1, 3), 2); // Int32Array [1, 0]
 * ```
 */
export function unitsOrder(units: Uint16Array, offs: Int32Array, n: number): Int32Array {
  let astral = false;
  for (let p = offs[0]!, end = offs[n]!; p < end; p++) {
    const c = units[p]!;
    if (c >= 0xd800 && c < 0xe000) {
      astral = true;
      break;
    }
  }
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  if (n >= PREFIX) return order.sort((a, b) => compareUnits(units, offs, a, b, 0, astral));
  // Runs of `order` still to sort, as [start, end, depth] (their terms share `depth` units); a
  // work list rather than recursion, and one scratch for the keys and ids of every run.
  const runs: number[] = [0, n, 0];
  const keys = new Float64Array(n);
  const ids = new Int32Array(n);
  while (runs.length > 0) {
    const depth = runs.pop()!;
    const end = runs.pop()!;
    const start = runs.pop()!;
    if (end - start <= SHORT_RUN) insertionSortRun(order, units, offs, start, end, depth, astral);
    else if (depth >= DEEP_PREFIX) order.subarray(start, end).sort((a, b) => compareUnits(units, offs, a, b, depth, astral));
    else splitRun(order, units, offs, start, end, depth, astral, keys, ids, runs);
  }
  return order;
}

/** Compares terms a and b of a units array (see {@link unitsOrder}) by code point, from unit `depth` (they share the units before it). */
function compareUnits(units: Uint16Array, offs: Int32Array, a: number, b: number, depth: number, astral: boolean): number {
  const oa = offs[a]!;
  const ob = offs[b]!;
  const la = offs[a + 1]! - oa;
  const lb = offs[b + 1]! - ob;
  const m = la < lb ? la : lb;
  for (let i = depth; i < m; i++) {
    const x = units[oa + i]!;
    const y = units[ob + i]!;
    if (x !== y) return astral ? unitKey(x) - unitKey(y) : x - y;
  }
  return la - lb;
}

/** Runs up to this long are sorted by comparing units; so are runs whose terms share this many units. */
const SHORT_RUN = 24;
const DEEP_PREFIX = 64;

/** Sorts the short run `order[start, end)`, whose terms share their first `depth` units, by insertion. */
function insertionSortRun(order: Int32Array, units: Uint16Array, offs: Int32Array, start: number, end: number, depth: number, astral: boolean): void {
  for (let i = start + 1; i < end; i++) {
    const v = order[i]!;
    let j = i - 1;
    while (j >= start && compareUnits(units, offs, order[j]!, v, depth, astral) > 0) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = v;
  }
}

/**
 * Sorts `order[start, end)`, whose terms share their first `depth` units, by a key of units
 * `depth` and `depth + 1` (and the place in the run), and adds the runs of terms that share those
 * too to `runs`, two units deeper. `keys` and `ids` are scratch of at least `end - start` entries.
 * (Each pass is its own function, this one has no loop: a function whose first loop is long is
 * optimised before the code after that loop has run, and its optimised code then deoptimises
 * there on every call.)
 */
function splitRun(
  order: Int32Array,
  units: Uint16Array,
  offs: Int32Array,
  start: number,
  end: number,
  depth: number,
  astral: boolean,
  keys: Float64Array,
  ids: Int32Array,
  runs: number[],
): void {
  const m = end - start;
  runKeys(order, units, offs, start, m, depth, astral, keys, ids);
  const sorted = keys.subarray(0, m).sort();
  placeSorted(order, start, sorted, ids);
  pushSubRuns(sorted, start, depth, runs);
}

/** Writes the ids in the order of their sorted keys (whose low part is the place in `ids`) to `order` from `start`. */
function placeSorted(order: Int32Array, start: number, sorted: Float64Array, ids: Int32Array): void {
  for (let q = 0; q < sorted.length; q++) order[start + q] = ids[sorted[q]! % PREFIX]!;
}

/** The keys of {@link splitRun} for the `m` terms of `order` from `start` in `keys`, their ids in `ids`. */
function runKeys(order: Int32Array, units: Uint16Array, offs: Int32Array, start: number, m: number, depth: number, astral: boolean, keys: Float64Array, ids: Int32Array): void {
  // Units shifted by one so that a missing unit (a shorter term) sorts first; keys stay below 2^53.
  for (let q = 0; q < m; q++) {
    const k = order[start + q]!;
    ids[q] = k;
    const o = offs[k]! + depth;
    const len = offs[k + 1]! - o;
    let u0 = 0;
    let u1 = 0;
    if (len > 0) u0 = (astral ? unitKey(units[o]!) : units[o]!) + 1;
    if (len > 1) u1 = (astral ? unitKey(units[o + 1]!) : units[o + 1]!) + 1;
    keys[q] = (u0 * 65537 + u1) * PREFIX + q;
  }
}

/** Adds to `runs` the runs of equal key prefixes (more than one term) of the sorted keys of {@link splitRun}. */
function pushSubRuns(sorted: Float64Array, start: number, depth: number, runs: number[]): void {
  const m = sorted.length;
  let s = 0;
  let prefix = Math.floor(sorted[0]! / PREFIX);
  for (let q = 1; q <= m; q++) {
    const p = q < m ? Math.floor(sorted[q]! / PREFIX) : -1;
    if (p !== prefix) {
      // Terms that end here have key 0 and are alone in their run (terms are distinct).
      if (q - s > 1) runs.push(start + s, start + q, depth + 2);
      s = q;
      prefix = p;
    }
  }
}

function unitKeyInverse(k: number): number {
  return k >= 0xf800 ? k - 0x2000 : k + 0x800;
}
