import { Matrix, MlshipError, compareLabels, type Label } from '../../core/index.js';

/** Throws SHAPE_MISMATCH unless every named array has the same length (sklearn's check_consistent_length). */
export function checkConsistentLength(fn: string, arrays: Record<string, { length: number } | null | undefined>): number {
  const entries = Object.entries(arrays).filter((e): e is [string, { length: number }] => e[1] != null);
  const lengths = entries.map(([, a]) => a.length);
  const n = lengths[0] ?? 0;
  if (lengths.some((l) => l !== n)) {
    throw new MlshipError(
      'SHAPE_MISMATCH',
      `${fn}: found input variables with inconsistent numbers of samples: ${entries.map(([k, a]) => `${k}=${a.length}`).join(', ')}; pass arrays of equal length`,
      { value: lengths },
    );
  }
  return n;
}

/** Throws INVALID_DATA if `y` is empty. */
export function checkNonEmpty(fn: string, name: string, y: { length: number }): void {
  if (y.length === 0) throw new MlshipError('INVALID_DATA', `${fn}: ${name} is empty; pass at least one sample`, { field: name });
}

/** Throws INVALID_DATA naming the first non-finite score. */
export function checkFinite(fn: string, name: string, x: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new MlshipError('INVALID_DATA', `${fn}: ${name}[${i}] is ${String(v)}; scores must be finite numbers`, { field: name, value: v, index: i });
    }
  }
}

/** Sorted distinct labels of several arrays together (sklearn's unique_labels). */
export function unionLabels(...ys: ArrayLike<Label>[]): Label[] {
  const set = new Set<Label>();
  for (const y of ys) for (let i = 0; i < y.length; i++) set.add(y[i]!);
  let hasStr = false;
  let hasNum = false;
  for (const v of set) {
    if (typeof v === 'string') hasStr = true;
    else hasNum = true;
  }
  if (hasStr && hasNum) {
    throw new MlshipError('INVALID_DATA', `mix of label input types (string and number): ${[...set].slice(0, 6).map((v) => JSON.stringify(v)).join(', ')}; use one type for all labels`);
  }
  return [...set].sort(compareLabels);
}

/** Python-like repr of a label list, for messages: `['ham', 'spam']`, `[0, 1]`. */
export function reprLabels(labels: readonly Label[]): string {
  return `[${labels.map((l) => (typeof l === 'string' ? `'${l}'` : String(l))).join(', ')}]`;
}

/** A 1-D score vector from an array, typed array, or a one-column Matrix. */
export function asScores(fn: string, name: string, x: ArrayLike<number> | Matrix): Float64Array {
  if (x instanceof Matrix) {
    if (x.cols !== 1) {
      throw new MlshipError('SHAPE_MISMATCH', `${fn}: ${name} has ${x.cols} columns; pass a 1-D score per sample (for predictProba output of a binary classifier, take column 1)`, { field: name });
    }
    return x.data;
  }
  return x instanceof Float64Array ? x : Float64Array.from(x as ArrayLike<number>);
}

/** NumPy's pairwise summation (np.sum / np.mean on float64), so sums match scikit-learn to the last bit more often. */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let s = 0;
    for (let i = start; i < start + n; i++) s += a[i]!;
    return s;
  }
  if (n <= 128) {
    const r = [a[start]!, a[start + 1]!, a[start + 2]!, a[start + 3]!, a[start + 4]!, a[start + 5]!, a[start + 6]!, a[start + 7]!];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let k = 0; k < 8; k++) r[k] = r[k]! + a[start + i + k]!;
    }
    let res = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}
