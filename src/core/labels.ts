/** A class label: a string (`'spam'`) or a number (`0`, `1`). */
export type Label = string | number;

/**
 * Compares labels the way Python's `sorted` orders scikit-learn's `classes_`: numbers
 * numerically, strings by code point, numbers before strings.
 */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  // Code point order, as Python compares str (JS `<` compares UTF-16 units, which differs for astral).
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

/** The sorted distinct labels of `y`, as scikit-learn's `np.unique(y)`. */
export function uniqueLabels(y: ArrayLike<Label>): Label[] {
  const set = new Set<Label>();
  for (let i = 0; i < y.length; i++) set.add(y[i]!);
  return [...set].sort(compareLabels);
}

/** Encodes labels as indices into `classes`; -1 for a label not in `classes`. */
export function encodeLabels(y: ArrayLike<Label>, classes: readonly Label[]): Int32Array {
  const index = new Map<Label, number>();
  classes.forEach((c, i) => index.set(c, i));
  const out = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = index.get(y[i]!) ?? -1;
  return out;
}
