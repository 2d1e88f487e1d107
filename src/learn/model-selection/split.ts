import { MlshipError, Rng, numRows, takeRows, toRng, uniqueLabels, type AnyMatrix, type Label, type Table } from '../../core/index.js';

/** One train/test split: row indices into X, ascending. */
export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

/** Anything with rows: arrays, typed arrays, Matrix, CsrMatrix, Table. */
export type Rows = AnyMatrix | Table | ArrayLike<unknown>;

/** A cross-validation splitter, as scikit-learn's `BaseCrossValidator`. */
export interface CrossValidator {
  /** Yields the folds of `X` (and `y`, for stratified splitters). */
  split(X: Rows, y?: ArrayLike<Label>): Generator<Fold>;
  /** The number of folds `split` yields. */
  getNSplits(): number;
}

/**
 * True for objects implementing {@link CrossValidator}.
 *
 * @example
 * ```ts
 * isCrossValidator(new KFold()); // true
 * ```
 */
export function isCrossValidator(x: unknown): x is CrossValidator {
  return !!x && typeof (x as CrossValidator).split === 'function' && typeof (x as CrossValidator).getNSplits === 'function';
}

function checkNSplits(name: string, nSplits: unknown): number {
  if (typeof nSplits !== 'number' || !Number.isInteger(nSplits)) {
    throw new MlshipError('INVALID_ARGUMENT', `${name}: the number of folds must be an integer, got nSplits=${String(nSplits)}`, { field: 'nSplits', value: nSplits });
  }
  if (nSplits <= 1) {
    throw new MlshipError(
      'INVALID_ARGUMENT',
      `${name}: k-fold cross-validation requires at least one train/test split by setting nSplits=2 or more, got nSplits=${nSplits}.`,
      { field: 'nSplits', value: nSplits },
    );
  }
  return nSplits;
}

function checkShuffle(name: string, shuffle: boolean, randomState: unknown): void {
  if (!shuffle && randomState !== undefined && randomState !== null) {
    throw new MlshipError(
      'INVALID_ARGUMENT',
      `${name}: setting a randomState has no effect since shuffle is false. Leave randomState undefined, or set shuffle: true.`,
      { field: 'randomState' },
    );
  }
}

function foldsFromAssignment(testFolds: Int32Array, nSplits: number): Fold[] {
  const n = testFolds.length;
  const sizes = new Int32Array(nSplits);
  for (let i = 0; i < n; i++) sizes[testFolds[i]!]!++;
  const folds: Fold[] = [];
  for (let f = 0; f < nSplits; f++) {
    const test = new Int32Array(sizes[f]!);
    const train = new Int32Array(n - sizes[f]!);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      if (testFolds[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    folds.push({ train, test });
  }
  return folds;
}

/** Options of {@link KFold} and {@link StratifiedKFold}. */
export interface KFoldOptions {
  /** Number of folds, at least 2. @default 5 */
  nSplits?: number;
  /** Shuffle samples (KFold) or each class's fold assignment (StratifiedKFold) before splitting. @default false */
  shuffle?: boolean;
  /** Seed of the shuffle; only valid with `shuffle: true`. @default undefined (a random seed) */
  randomState?: number | Rng;
}

/**
 * K-fold cross-validation, as scikit-learn's `KFold`: consecutive folds (the first `n % k` one
 * sample larger), optionally after a seeded shuffle.
 *
 * @example
 * ```ts
 * for (const { train, test } of new KFold({ nSplits: 3 }).split(X)) { ... }
 * ```
 */
export class KFold implements CrossValidator {
  /** The splitter's name (kept when a search that uses it is saved). */
  readonly kind = 'KFold' as const;
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly randomState: number | Rng | undefined;

  constructor(options: KFoldOptions = {}) {
    this.nSplits = checkNSplits('KFold', options.nSplits ?? 5);
    this.shuffle = options.shuffle ?? false;
    this.randomState = options.randomState;
    checkShuffle('KFold', this.shuffle, this.randomState);
  }

  getNSplits(): number {
    return this.nSplits;
  }

  *split(X: Rows): Generator<Fold> {
    const n = numRows(X);
    if (this.nSplits > n) {
      throw new MlshipError('INVALID_ARGUMENT', `KFold: cannot have number of splits nSplits=${this.nSplits} greater than the number of samples: n_samples=${n}.`, { field: 'nSplits' });
    }
    const order = this.shuffle ? toRng(this.randomState).permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    const testFolds = new Int32Array(n);
    const base = Math.floor(n / this.nSplits);
    const extra = n % this.nSplits;
    let pos = 0;
    for (let f = 0; f < this.nSplits; f++) {
      const size = base + (f < extra ? 1 : 0);
      for (let k = 0; k < size; k++) testFolds[order[pos + k]!] = f;
      pos += size;
    }
    yield* foldsFromAssignment(testFolds, this.nSplits);
  }
}

/**
 * Stratified k-fold, as scikit-learn 1.2's `StratifiedKFold`: each class is spread over the folds
 * by the same round-robin allocation, so fold sizes and per-fold class counts equal
 * scikit-learn's. With `shuffle`, the order within a class is seeded by mlship's RNG (not NumPy's).
 *
 * @example
 * ```ts
 * const cv = new StratifiedKFold({ nSplits: 5, shuffle: true, randomState: 0 });
 * for (const { train, test } of cv.split(docs, labels)) { ... }
 * ```
 */
export class StratifiedKFold implements CrossValidator {
  /** The splitter's name (kept when a search that uses it is saved). */
  readonly kind = 'StratifiedKFold' as const;
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly randomState: number | Rng | undefined;

  constructor(options: KFoldOptions = {}) {
    this.nSplits = checkNSplits('StratifiedKFold', options.nSplits ?? 5);
    this.shuffle = options.shuffle ?? false;
    this.randomState = options.randomState;
    checkShuffle('StratifiedKFold', this.shuffle, this.randomState);
  }

  getNSplits(): number {
    return this.nSplits;
  }

  /** The fold (0..nSplits-1) each sample is tested in. */
  makeTestFolds(y: ArrayLike<Label>): Int32Array {
    const k = this.nSplits;
    const n = y.length;
    // Encode classes by order of first appearance, as scikit-learn does.
    const code = new Map<Label, number>();
    const yEnc = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let c = code.get(y[i]!);
      if (c === undefined) {
        c = code.size;
        code.set(y[i]!, c);
      }
      yEnc[i] = c;
    }
    const nClasses = code.size;
    const counts = new Int32Array(nClasses);
    for (let i = 0; i < n; i++) counts[yEnc[i]!]!++;
    let minCount = Infinity;
    let minLabel: Label | undefined;
    for (const [label, c] of code) {
      if (counts[c]! < minCount) {
        minCount = counts[c]!;
        minLabel = label;
      }
    }
    if (counts.every((c) => k > c)) {
      throw new MlshipError('INVALID_ARGUMENT', `StratifiedKFold: nSplits=${k} cannot be greater than the number of members in each class.`, { field: 'nSplits', value: k });
    }
    if (k > minCount) {
      throw new MlshipError(
        'INVALID_DATA',
        `StratifiedKFold: the least populated class in y has only ${minCount} members, which is less than nSplits=${k} (class ${JSON.stringify(minLabel)}). Use fewer folds or drop rare classes.`,
        { field: 'y', value: minLabel },
      );
    }
    // Allocation: round robin over the sorted encoded y, i.e. allocation[f][c] = number of
    // positions p ≡ f (mod k) whose sorted class is c.
    const alloc = new Int32Array(k * nClasses);
    let start = 0;
    for (let c = 0; c < nClasses; c++) {
      const cnt = counts[c]!;
      // positions start..start+cnt-1 in the sorted y have class c
      for (let f = 0; f < k; f++) {
        const first = start + ((((f - start) % k) + k) % k);
        alloc[f * nClasses + c] = first >= start + cnt ? 0 : Math.floor((start + cnt - 1 - first) / k) + 1;
      }
      start += cnt;
    }
    const rng = this.shuffle ? toRng(this.randomState) : null;
    const testFolds = new Int32Array(n);
    const foldsForClass = new Int32Array(n);
    const seen = new Int32Array(nClasses);
    // Per class, fold ids repeated by allocation (blocks), shuffled when asked; then assigned in sample order.
    const offsets = new Int32Array(nClasses + 1);
    for (let c = 0; c < nClasses; c++) offsets[c + 1] = offsets[c]! + counts[c]!;
    for (let c = 0; c < nClasses; c++) {
      let p = offsets[c]!;
      for (let f = 0; f < k; f++) for (let r = 0; r < alloc[f * nClasses + c]!; r++) foldsForClass[p++] = f;
      if (rng) rng.shuffle(foldsForClass.subarray(offsets[c]!, offsets[c + 1]!));
    }
    for (let i = 0; i < n; i++) {
      const c = yEnc[i]!;
      testFolds[i] = foldsForClass[offsets[c]! + seen[c]!]!;
      seen[c]!++;
    }
    return testFolds;
  }

  *split(X: Rows, y?: ArrayLike<Label>): Generator<Fold> {
    if (!y) throw new MlshipError('INVALID_ARGUMENT', 'StratifiedKFold.split(X, y): y is required to stratify', { field: 'y' });
    const n = numRows(X);
    if (y.length !== n) {
      throw new MlshipError('SHAPE_MISMATCH', `StratifiedKFold.split: X has ${n} rows but y has ${y.length} labels`, { field: 'y' });
    }
    yield* foldsFromAssignment(this.makeTestFolds(y), this.nSplits);
  }
}

/** Options of {@link TimeSeriesSplit}. */
export interface TimeSeriesSplitOptions {
  /** Number of splits. @default 5 */
  nSplits?: number;
  /** Maximum size of a training set (the most recent samples are kept). @default undefined (no limit) */
  maxTrainSize?: number;
  /** Size of each test set. @default floor(n / (nSplits + 1)) */
  testSize?: number;
  /** Samples left out between each training set's end and its test set. @default 0 */
  gap?: number;
}

/**
 * Time-ordered splits, as scikit-learn's `TimeSeriesSplit`: each training set is a prefix (or
 * its last `maxTrainSize` samples) that ends `gap` samples before its test set. Deterministic;
 * indices equal scikit-learn's.
 *
 * @example
 * ```ts
 * [...new TimeSeriesSplit({ nSplits: 3 }).split(rows)].map((f) => f.test);
 * ```
 */
export class TimeSeriesSplit implements CrossValidator {
  /** The splitter's name (kept when a search that uses it is saved). */
  readonly kind = 'TimeSeriesSplit' as const;
  readonly nSplits: number;
  readonly maxTrainSize: number | undefined;
  readonly testSize: number | undefined;
  readonly gap: number;

  constructor(options: TimeSeriesSplitOptions = {}) {
    this.nSplits = checkNSplits('TimeSeriesSplit', options.nSplits ?? 5);
    this.maxTrainSize = options.maxTrainSize;
    this.testSize = options.testSize;
    this.gap = options.gap ?? 0;
    for (const [k, v] of Object.entries({ maxTrainSize: this.maxTrainSize, testSize: this.testSize, gap: this.gap })) {
      if (v !== undefined && (!Number.isInteger(v) || v < (k === 'gap' ? 0 : 1))) {
        throw new MlshipError('INVALID_ARGUMENT', `TimeSeriesSplit: ${k} must be an integer ${k === 'gap' ? '>= 0' : '>= 1'}, got ${String(v)}`, { field: k, value: v });
      }
    }
  }

  getNSplits(): number {
    return this.nSplits;
  }

  *split(X: Rows): Generator<Fold> {
    const n = numRows(X);
    const nFolds = this.nSplits + 1;
    const testSize = this.testSize ?? Math.floor(n / nFolds);
    if (nFolds > n) throw new MlshipError('INVALID_ARGUMENT', `TimeSeriesSplit: cannot have number of folds=${nFolds} greater than the number of samples=${n}.`, { field: 'nSplits' });
    if (n - this.gap - testSize * this.nSplits <= 0) {
      throw new MlshipError('INVALID_ARGUMENT', `TimeSeriesSplit: too many splits=${this.nSplits} for number of samples=${n} with testSize=${testSize} and gap=${this.gap}.`, { field: 'nSplits' });
    }
    const range = (a: number, b: number): Int32Array => Int32Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
    for (let testStart = n - this.nSplits * testSize; testStart < n; testStart += testSize) {
      const trainEnd = testStart - this.gap;
      const trainStart = this.maxTrainSize && this.maxTrainSize < trainEnd ? trainEnd - this.maxTrainSize : 0;
      yield { train: range(trainStart, trainEnd), test: range(testStart, Math.min(n, testStart + testSize)) };
    }
  }
}

/** Options of {@link trainTestSplit}. */
export interface TrainTestSplitOptions {
  /** Test fraction in (0, 1) or a sample count. @default 0.25 (when trainSize is also unset) */
  testSize?: number;
  /** Train fraction in (0, 1) or a sample count. @default the complement of testSize */
  trainSize?: number;
  /** Seed of the shuffle. @default undefined (a random seed) */
  randomState?: number | Rng;
  /** Shuffle before splitting; false takes the first rows as train. @default true */
  shuffle?: boolean;
  /** Labels to stratify by: each class keeps its proportion in both parts. @default undefined */
  stratify?: ArrayLike<Label>;
}

type Pairs<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R] ? [H, H, ...Pairs<R>] : T extends readonly (infer E)[] ? E[] : [];

function isOptions(x: unknown): x is TrainTestSplitOptions {
  if (!x || typeof x !== 'object' || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Resolves test/train sizes as scikit-learn's `_validate_shuffle_split` (a fraction in (0, 1) or a count).
 *
 * @example
 * ```ts
 * validateShuffleSplit(10, 0.25, undefined); // { nTrain: 7, nTest: 3 }
 * ```
 */
export function validateShuffleSplit(n: number, testSize: number | undefined, trainSize: number | undefined, defaultTestSize = 0.25): { nTrain: number; nTest: number } {
  if (testSize === undefined && trainSize === undefined) testSize = defaultTestSize;
  const kind = (v: number | undefined): 'i' | 'f' | null => (v === undefined ? null : Number.isInteger(v) && v >= 1 ? 'i' : 'f');
  const tk = kind(testSize);
  const rk = kind(trainSize);
  for (const [name, v, k] of [['testSize', testSize, tk], ['trainSize', trainSize, rk]] as const) {
    if (v === undefined) continue;
    if (typeof v !== 'number' || Number.isNaN(v) || (k === 'i' && v >= n) || (k === 'f' && (v <= 0 || v >= 1))) {
      throw new MlshipError(
        'INVALID_ARGUMENT',
        `${name}=${String(v)} should be either positive and smaller than the number of samples ${n} or a float in the (0, 1) range`,
        { field: name, value: v },
      );
    }
  }
  if (tk === 'f' && rk === 'f' && testSize! + trainSize! > 1) {
    throw new MlshipError('INVALID_ARGUMENT', `the sum of testSize and trainSize = ${testSize! + trainSize!}, should be in the (0, 1) range. Reduce testSize and/or trainSize.`, { field: 'testSize' });
  }
  let nTest = tk === 'f' ? Math.ceil(testSize! * n) : tk === 'i' ? testSize! : NaN;
  let nTrain = rk === 'f' ? Math.floor(trainSize! * n) : rk === 'i' ? trainSize! : NaN;
  if (trainSize === undefined) nTrain = n - nTest;
  else if (testSize === undefined) nTest = n - nTrain;
  if (nTrain + nTest > n) {
    throw new MlshipError('INVALID_ARGUMENT', `the sum of trainSize and testSize = ${nTrain + nTest}, should be smaller than the number of samples ${n}. Reduce testSize and/or trainSize.`, { field: 'testSize' });
  }
  if (nTrain === 0) {
    throw new MlshipError(
      'INVALID_ARGUMENT',
      `with n_samples=${n}, testSize=${String(testSize)} and trainSize=${String(trainSize)}, the resulting train set will be empty. Adjust any of the aforementioned parameters.`,
      { field: 'testSize' },
    );
  }
  return { nTrain, nTest };
}

/**
 * Splits `nDraws` over classes proportionally, breaking remainder ties at random (scikit-learn's `_approximate_mode`).
 *
 * @example
 * ```ts
 * approximateMode(Int32Array.of(6, 4), 5, new Rng(0)); // Int32Array [3, 2]
 * ```
 */
export function approximateMode(classCounts: Int32Array, nDraws: number, rng: Rng): Int32Array {
  let total = 0;
  for (const c of classCounts) total += c;
  const k = classCounts.length;
  const out = new Int32Array(k);
  const remainder = new Float64Array(k);
  let floored = 0;
  for (let i = 0; i < k; i++) {
    const cont = (classCounts[i]! / total) * nDraws;
    out[i] = Math.floor(cont);
    remainder[i] = cont - out[i]!;
    floored += out[i]!;
  }
  let need = nDraws - floored;
  if (need > 0) {
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const v of values) {
      const inds: number[] = [];
      for (let i = 0; i < k; i++) if (remainder[i] === v) inds.push(i);
      const addNow = Math.min(inds.length, need);
      rng.shuffle(inds);
      for (let t = 0; t < addNow; t++) out[inds[t]!]!++;
      need -= addNow;
      if (need === 0) break;
    }
  }
  return out;
}

/**
 * Train and test row indices for {@link trainTestSplit} (both in shuffled order, as scikit-learn).
 *
 * @example
 * ```ts
 * const { train, test } = trainTestIndices(100, { testSize: 0.2, randomState: 0, stratify: labels });
 * ```
 */
export function trainTestIndices(n: number, options: TrainTestSplitOptions = {}): Fold {
  const { nTrain, nTest } = validateShuffleSplit(n, options.testSize, options.trainSize);
  const shuffle = options.shuffle ?? true;
  if (!shuffle) {
    if (options.stratify) throw new MlshipError('INVALID_ARGUMENT', 'stratify cannot be used with shuffle: false (a stratified split always shuffles, as in scikit-learn); set shuffle: true or drop stratify', { field: 'stratify' });
    return { train: Int32Array.from({ length: nTrain }, (_, i) => i), test: Int32Array.from({ length: nTest }, (_, i) => nTrain + i) };
  }
  const rng = toRng(options.randomState);
  if (!options.stratify) {
    const perm = rng.permutation(n);
    return { train: perm.slice(nTest, nTest + nTrain), test: perm.slice(0, nTest) };
  }
  const y = options.stratify;
  if (y.length !== n) throw new MlshipError('SHAPE_MISMATCH', `stratify has ${y.length} labels but the arrays have ${n} rows`, { field: 'stratify' });
  const classes = uniqueLabels(y);
  const index = new Map<Label, number>();
  classes.forEach((c, i) => index.set(c, i));
  const counts = new Int32Array(classes.length);
  for (let i = 0; i < n; i++) counts[index.get(y[i]!)!]!++;
  const minAt = counts.indexOf(Math.min(...counts));
  if (counts[minAt]! < 2) {
    throw new MlshipError(
      'INVALID_DATA',
      `the least populated class in y has only 1 member (${JSON.stringify(classes[minAt])}), which is too few. The minimum number of groups for any class cannot be less than 2.`,
      { field: 'stratify', value: classes[minAt] },
    );
  }
  if (nTrain < classes.length) throw new MlshipError('INVALID_ARGUMENT', `the train size = ${nTrain} should be greater or equal to the number of classes = ${classes.length}`, { field: 'trainSize' });
  if (nTest < classes.length) throw new MlshipError('INVALID_ARGUMENT', `the test size = ${nTest} should be greater or equal to the number of classes = ${classes.length}`, { field: 'testSize' });
  const byClass: number[][] = classes.map(() => []);
  for (let i = 0; i < n; i++) byClass[index.get(y[i]!)!]!.push(i);
  const nI = approximateMode(counts, nTrain, rng);
  const rest = new Int32Array(counts.length);
  for (let c = 0; c < counts.length; c++) rest[c] = counts[c]! - nI[c]!;
  const tI = approximateMode(rest, nTest, rng);
  const train = new Int32Array(nTrain);
  const test = new Int32Array(nTest);
  let a = 0;
  let b = 0;
  for (let c = 0; c < classes.length; c++) {
    const members = byClass[c]!;
    const perm = rng.permutation(members.length);
    for (let t = 0; t < nI[c]!; t++) train[a++] = members[perm[t]!]!;
    for (let t = nI[c]!; t < nI[c]! + tI[c]!; t++) test[b++] = members[perm[t]!]!;
  }
  rng.shuffle(train);
  rng.shuffle(test);
  return { train, test };
}

export function trainTestSplit<T extends readonly unknown[]>(...args: [...T, TrainTestSplitOptions]): Pairs<T>;
export function trainTestSplit<T extends readonly unknown[]>(...args: T): Pairs<T>;
/**
 * Splits arrays (string[], Label[], typed arrays, Matrix, CsrMatrix) into random train and test
 * subsets, as scikit-learn's `train_test_split`; returns `[aTrain, aTest, bTrain, bTest, ...]`.
 * With `stratify`, class proportions are kept (scikit-learn's allocation; seeded order is mlship's).
 *
 * @example
 * ```ts
 * const [xTrain, xTest, yTrain, yTest] = trainTestSplit(docs, labels, { testSize: 0.2, randomState: 42, stratify: labels });
 * ```
 */
export function trainTestSplit(...args: unknown[]): unknown[] {
  let options: TrainTestSplitOptions = {};
  if (args.length > 0 && isOptions(args[args.length - 1])) options = args.pop() as TrainTestSplitOptions;
  if (args.length === 0) throw new MlshipError('INVALID_ARGUMENT', 'trainTestSplit: at least one array required as input', { field: 'arrays' });
  const lengths = args.map((a, i) => {
    try {
      return numRows(a as Rows);
    } catch {
      throw new MlshipError('INVALID_ARGUMENT', `trainTestSplit: argument ${i} is not an array, typed array, Matrix, CsrMatrix or Table`, { field: `arrays[${i}]` });
    }
  });
  if (lengths.some((l) => l !== lengths[0])) {
    throw new MlshipError('SHAPE_MISMATCH', `trainTestSplit: found input variables with inconsistent numbers of samples: [${lengths.join(', ')}]`, { field: 'arrays', value: lengths });
  }
  const { train, test } = trainTestIndices(lengths[0]!, options);
  const out: unknown[] = [];
  for (const a of args) out.push(takeRows(a, train), takeRows(a, test));
  return out;
}
