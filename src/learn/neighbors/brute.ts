/**
 * Brute-force k-nearest-neighbour search over flat row-major typed arrays: every query row is
 * compared with every training row and the k closest are kept in a small sorted buffer.
 * Distances are computed exactly (no ||a||² − 2ab + ||b||² shortcut), so near neighbours keep full
 * precision. Ties are broken by the lower training index. Queries are processed four at a time so
 * that each training value is read once per four distances.
 */

/** The k nearest neighbours of each query row: `dist` and `ind`, row-major `nQuery x k`. */
export interface KnnResult {
  dist: Float64Array;
  ind: Int32Array;
}

/**
 * The k nearest training rows of each query row under the Minkowski distance of order `p`
 * (`p = 2`: Euclidean, `p = 1`: Manhattan, any `p >= 1` otherwise), sorted by distance then index.
 * With `excludeSelf`, the query rows are the training rows and row i is never its own neighbour.
 *
 * @example
 * ```ts
 * const { dist, ind } = knnBrute(train, 100, query, 5, 3, 4, 2); // 5 queries x 4 neighbours
 * ```
 */
export function knnBrute(train: Float64Array, nTrain: number, query: Float64Array, nQuery: number, d: number, k: number, p: number, excludeSelf = false): KnnResult {
  // Best-so-far buffers per query: squared (p = 2) or p-th power distances, sorted ascending.
  const bd = new Float64Array(nQuery * k).fill(Infinity);
  const bi = new Int32Array(nQuery * k);
  const filled = new Int32Array(nQuery);
  let q = 0;
  if (p === 1 || p === 2) {
    // Four queries at a time: each training value is loaded once for four distances.
    for (; q + 4 <= nQuery; q += 4) {
      const o0 = q * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let w0 = Infinity;
      let w1 = Infinity;
      let w2 = Infinity;
      let w3 = Infinity;
      for (let t = 0; t < nTrain; t++) {
        const to = t * d;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        if (p === 2) {
          for (let j = 0; j < d; j++) {
            const v = train[to + j]!;
            const a = query[o0 + j]! - v;
            const b = query[o1 + j]! - v;
            const c = query[o2 + j]! - v;
            const e = query[o3 + j]! - v;
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += e * e;
          }
        } else {
          for (let j = 0; j < d; j++) {
            const v = train[to + j]!;
            s0 += Math.abs(query[o0 + j]! - v);
            s1 += Math.abs(query[o1 + j]! - v);
            s2 += Math.abs(query[o2 + j]! - v);
            s3 += Math.abs(query[o3 + j]! - v);
          }
        }
        if (excludeSelf && t >= q && t < q + 4) {
          if (t === q) s0 = Infinity;
          else if (t === q + 1) s1 = Infinity;
          else if (t === q + 2) s2 = Infinity;
          else s3 = Infinity;
        }
        if (s0 < w0) w0 = insert(bd, bi, filled, q, k, s0, t);
        if (s1 < w1) w1 = insert(bd, bi, filled, q + 1, k, s1, t);
        if (s2 < w2) w2 = insert(bd, bi, filled, q + 2, k, s2, t);
        if (s3 < w3) w3 = insert(bd, bi, filled, q + 3, k, s3, t);
      }
    }
  }
  for (; q < nQuery; q++) {
    const qo = q * d;
    let worst = Infinity;
    for (let t = 0; t < nTrain; t++) {
      if (excludeSelf && t === q) continue;
      const to = t * d;
      let s = 0;
      if (p === 2) {
        for (let j = 0; j < d; j++) {
          const diff = query[qo + j]! - train[to + j]!;
          s += diff * diff;
        }
      } else if (p === 1) {
        for (let j = 0; j < d; j++) s += Math.abs(query[qo + j]! - train[to + j]!);
      } else {
        for (let j = 0; j < d; j++) s += Math.abs(query[qo + j]! - train[to + j]!) ** p;
      }
      if (s < worst) worst = insert(bd, bi, filled, q, k, s, t);
    }
  }
  const dist = new Float64Array(nQuery * k);
  for (let r = 0; r < dist.length; r++) {
    const v = bd[r]!;
    dist[r] = p === 2 ? Math.sqrt(v) : p === 1 ? v : v ** (1 / p);
  }
  return { dist, ind: bi };
}

/**
 * Inserts (s, t) into query q's sorted buffer (equal distances keep the earlier, lower index first)
 * and returns the new admission bound: the k-th distance once the buffer is full, else Infinity.
 */
function insert(bd: Float64Array, bi: Int32Array, filled: Int32Array, q: number, k: number, s: number, t: number): number {
  const base = q * k;
  let f = filled[q]!;
  let pos = f === k ? k - 1 : f++;
  filled[q] = f;
  while (pos > 0 && bd[base + pos - 1]! > s) {
    bd[base + pos] = bd[base + pos - 1]!;
    bi[base + pos] = bi[base + pos - 1]!;
    pos--;
  }
  bd[base + pos] = s;
  bi[base + pos] = t;
  return f === k ? bd[base + k - 1]! : Infinity;
}
