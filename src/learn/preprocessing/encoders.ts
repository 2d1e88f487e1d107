import { CsrMatrix, Matrix, MlshipError } from '../../core/index.js';
import { registerEstimator, type EstimatorState, type StateValue } from '../base.js';
import { PreprocessorBase, featureLabel, pyNumberString, readFrame, rejectInfinite, requireNonEmpty, type Feature, type FeatureKind, type Frame } from './frame.js';

/** A category: a number (numeric features), a string (text features), or null for missing (NaN / null). */
export type Category = number | string | null;

/** The categories of every feature: `'auto'` (sorted unique values of the training data) or one list per feature. */
export type CategoriesOption = 'auto' | Category[][];

function show(c: Category): string {
  return c === null ? 'nan' : typeof c === 'string' ? `'${c}'` : String(c);
}

/** The value of row i of a feature as a category (null when missing). */
function cellOf(f: Feature, i: number): Category {
  if (f.type === 'text') return f.values[i]!;
  const v = f.values[i]!;
  return v === v ? v : null;
}

/** Sorted unique values with their counts; missing last (as NumPy's `np.unique` puts NaN / None last). */
function uniqueSorted(f: Feature): { cats: Category[]; counts: number[] } {
  const counts = new Map<Category, number>();
  for (let i = 0; i < f.values.length; i++) {
    const c = cellOf(f, i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const present = [...counts.keys()].filter((c) => c !== null);
  if (f.type === 'numeric') (present as number[]).sort((a, b) => a - b);
  else (present as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const cats: Category[] = counts.has(null) ? [...present, null] : present;
  return { cats, counts: cats.map((c) => counts.get(c)!) };
}

/** Fitted category lists shared by OneHotEncoder and OrdinalEncoder (scikit-learn's `_BaseEncoder`). */
abstract class BaseEncoder<P extends { categories: CategoriesOption }> extends PreprocessorBase<P> {
  /** The categories of each feature, in output order; `null` stands for the missing value (NaN / null). */
  categories_: Category[][] | undefined;
  /** The kind of each input feature (for feature names and input checks). */
  protected featureKinds: FeatureKind[] = [];
  /** Per feature: category → index. */
  protected lookup: Map<Category, number>[] = [];

  protected buildLookup(): void {
    this.lookup = this.categories_!.map((cats) => new Map(cats.map((c, k) => [c, k])));
  }

  /** Learns categories_ (and their training counts); `errorOnUnknown` checks given categories. */
  protected fitCategories(f: Frame, who: string, errorOnUnknown: boolean): number[][] {
    const option = this.params.categories;
    const d = f.features.length;
    if (option !== 'auto') {
      if (!Array.isArray(option) || option.length !== d) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: categories should have one list per feature: X has ${d} features, categories has ${Array.isArray(option) ? option.length : String(option)} entries; pass 'auto' or ${d} lists`, { field: 'categories' });
      }
    }
    const allCounts: number[][] = [];
    const categories: Category[][] = [];
    f.features.forEach((feat, j) => {
      const seen = uniqueSorted(feat);
      if (option === 'auto') {
        categories.push(seen.cats);
        allCounts.push(seen.counts);
        return;
      }
      const given = (option[j] ?? []).map((c): Category => {
        if (c === null || (typeof c === 'number' && Number.isNaN(c))) return null;
        if (feat.type === 'text') return String(c);
        if (typeof c !== 'number') {
          throw new MlshipError('INVALID_ARGUMENT', `${who}: categories[${j}] contains ${JSON.stringify(c)}, but ${featureLabel(f, j)} is numeric; give numbers`, { field: 'categories', column: j });
        }
        return c;
      });
      if (feat.type === 'numeric') {
        const nums = given.filter((c) => c !== null) as number[];
        const missingAt = given.indexOf(null);
        if (nums.some((v, k) => k > 0 && v < nums[k - 1]!) || (missingAt >= 0 && missingAt !== given.length - 1)) {
          throw new MlshipError('INVALID_ARGUMENT', `${who}: unsorted categories are not supported for numerical categories (feature ${j}); sort them, with null (missing) last`, { field: 'categories', column: j });
        }
      }
      const index = new Map(given.map((c, k) => [c, k]));
      const counts = new Array<number>(given.length).fill(0);
      const unknown: Category[] = [];
      seen.cats.forEach((c, k) => {
        const at = index.get(c);
        if (at === undefined) unknown.push(c);
        else counts[at] = seen.counts[k]!;
      });
      if (errorOnUnknown && unknown.length > 0) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: found unknown categories [${unknown.map(show).join(', ')}] in column ${j} during fit; add them to categories[${j}] or set handleUnknown`, { field: 'X', column: j, value: unknown });
      }
      categories.push(given);
      allCounts.push(counts);
    });
    this.categories_ = categories;
    this.featureKinds = f.features.map((x) => x.kind);
    this.buildLookup();
    return allCounts;
  }

  /**
   * Codes of X: `codes[j][i]` is the category index of row i in feature j, -1 for an unknown
   * value (an error unless `allowUnknown`).
   */
  protected encode(f: Frame, who: string, allowUnknown: boolean): Int32Array[] {
    return f.features.map((feat, j) => {
      const lookup = this.lookup[j]!;
      const isText = this.categories_![j]!.some((c) => typeof c === 'string');
      const codes = new Int32Array(f.rows);
      const unknown = new Set<Category>();
      for (let i = 0; i < f.rows; i++) {
        let c = cellOf(feat, i);
        if (isText && typeof c === 'number') c = String(c);
        const k = lookup.get(c);
        if (k === undefined) {
          unknown.add(c);
          codes[i] = -1;
        } else codes[i] = k;
      }
      if (unknown.size > 0 && !allowUnknown) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: found unknown categories [${[...unknown].slice(0, 10).map(show).join(', ')}] in column ${j} during transform; set handleUnknown to ignore them`, {
          field: 'X',
          column: j,
          value: [...unknown].slice(0, 10),
        });
      }
      return codes;
    });
  }

  protected readInput(X: unknown, who: string, fitting: boolean): Frame {
    const f = readFrame(X, who);
    if (fitting) requireNonEmpty(f, who);
    else this.checkInput(f, who);
    rejectInfinite(f, who);
    return f;
  }

  /** The category as it appears in output feature names (Python's `str`). */
  protected categoryName(j: number, c: Category): string {
    if (c === null) return 'nan';
    if (typeof c === 'string') return c;
    return pyNumberString(c, this.featureKinds[j] ?? 'matrix');
  }

  protected encoderState(): EstimatorState {
    return {
      ...this.baseState(),
      categories: this.categories_!.map((cats) => ({
        numeric: cats.some((c) => typeof c === 'number') || cats.every((c) => c === null) ? Float64Array.from(cats, (c) => (c === null ? Number.NaN : (c as number))) : null,
        text: cats.some((c) => typeof c === 'string') ? (cats.map((c) => c) as StateValue[]) : null,
      })),
      featureKinds: this.featureKinds,
    };
  }

  protected setEncoderState(state: EstimatorState): void {
    this.setBaseState(state);
    const cats = state.categories as { numeric: Float64Array | null; text: (string | null)[] | null }[];
    this.categories_ = cats.map((c) => (c.text ? [...c.text] : Array.from(c.numeric ?? [], (v) => (Number.isNaN(v) ? null : v))));
    this.featureKinds = [...(state.featureKinds as FeatureKind[])];
    this.buildLookup();
  }
}

/** Hyperparameters of {@link OneHotEncoder}. */
export interface OneHotEncoderParams {
  /** `'auto'` or one list of categories per feature (numeric lists sorted; null = missing, last). @default 'auto' */
  categories: CategoriesOption;
  /** Drop one category per feature: null (none), `'first'`, `'if_binary'`, or one category (or null) per feature. @default null */
  drop: null | 'first' | 'if_binary' | Category[];
  /** Return a CsrMatrix (true) or a dense Matrix. @default true */
  sparseOutput: boolean;
  /** Unknown categories at transform: `'error'`, `'ignore'` (all zeros) or `'infrequent_if_exist'` (the infrequent column). @default 'error' */
  handleUnknown: 'error' | 'ignore' | 'infrequent_if_exist';
  /** Categories seen fewer times than this (a count ≥ 1, or a fraction of the samples in (0, 1)) are grouped as infrequent. @default null */
  minFrequency: number | null;
  /** At most this many output features per input feature, including the infrequent group. @default null */
  maxCategories: number | null;
}

/**
 * Encodes categorical features as one-hot columns, as scikit-learn 1.2's `OneHotEncoder`.
 * Works on strings (Table string/category columns, rows with strings) and numbers; missing values
 * (NaN, null) are a category of their own, listed last. Infrequent categories (`minFrequency`,
 * `maxCategories`) are grouped into one `<feature>_infrequent_sklearn` column. Returns a CsrMatrix
 * (`sparseOutput: true`, the default) or a Matrix.
 *
 * @example
 * ```ts
 * import { OneHotEncoder } from 'mlship/learn';
 * const enc = new OneHotEncoder({ sparseOutput: false, handleUnknown: 'ignore' });
 * enc.fit([['Oslo', 1], ['Bergen', 3], ['Oslo', 2]]);
 * enc.categories_;             // [['Bergen', 'Oslo'], [1, 2, 3]]
 * enc.transform([['Oslo', 3]]); // Matrix [[0, 1, 0, 0, 1]]
 * enc.getFeatureNamesOut();     // ['x0_Bergen', 'x0_Oslo', 'x1_1.0', 'x1_2.0', 'x1_3.0']
 * ```
 */
export class OneHotEncoder extends BaseEncoder<OneHotEncoderParams> {
  static override readonly estimatorName: string = 'OneHotEncoder';
  /** Per feature: the index (after grouping infrequent categories) of the dropped category, or null. Undefined when `drop` is null. */
  dropIdx_: (number | null)[] | undefined;
  /** Per feature: the infrequent categories (undefined when infrequent grouping is off). */
  infrequentCategories_: (Category[] | null)[] | undefined;
  private groupMaps: Int32Array[] = [];
  private nOuts: number[] = [];

  constructor(params?: Partial<OneHotEncoderParams>) {
    super({ categories: 'auto', drop: null, sparseOutput: true, handleUnknown: 'error', minFrequency: null, maxCategories: null }, params);
  }

  private get infrequentEnabled(): boolean {
    const { minFrequency, maxCategories } = this.params;
    return (maxCategories !== null && maxCategories >= 1) || (minFrequency !== null && minFrequency > 0);
  }

  private validate(who: string): void {
    const { handleUnknown, minFrequency, maxCategories, drop, sparseOutput } = this.params;
    if (!['error', 'ignore', 'infrequent_if_exist'].includes(handleUnknown)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: handleUnknown must be 'error', 'ignore' or 'infrequent_if_exist', got ${JSON.stringify(handleUnknown)}`, { field: 'handleUnknown', value: handleUnknown });
    }
    if (minFrequency !== null && !(typeof minFrequency === 'number' && minFrequency > 0 && (Number.isInteger(minFrequency) || minFrequency < 1))) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: minFrequency must be null, an integer ≥ 1 or a fraction in (0, 1), got ${minFrequency}`, { field: 'minFrequency', value: minFrequency });
    }
    if (maxCategories !== null && !(Number.isInteger(maxCategories) && maxCategories >= 1)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: maxCategories must be null or an integer ≥ 1, got ${maxCategories}`, { field: 'maxCategories', value: maxCategories });
    }
    if (!(drop === null || drop === 'first' || drop === 'if_binary' || Array.isArray(drop))) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: drop must be null, 'first', 'if_binary' or one category per feature, got ${JSON.stringify(drop)}`, { field: 'drop', value: drop as unknown });
    }
    if (typeof sparseOutput !== 'boolean') throw new MlshipError('INVALID_ARGUMENT', `${who}: sparseOutput must be true or false, got ${JSON.stringify(sparseOutput)}`, { field: 'sparseOutput' });
  }

  /** Learns the categories of each feature; returns `this`. */
  fit(X: unknown, _y?: unknown): this {
    const who = 'OneHotEncoder.fit';
    this.validate(who);
    const f = this.readInput(X, who, true);
    const counts = this.fitCategories(f, who, this.params.handleUnknown === 'error');
    this.recordInput(f);
    this.fitInfrequent(counts, f.rows);
    this.dropIdx_ = this.computeDrop(who);
    this.computeOuts();
    return this;
  }

  /** As scikit-learn's `_identify_infrequent` + `_fit_infrequent_category_mapping`. */
  private fitInfrequent(counts: number[][], nSamples: number): void {
    const { minFrequency, maxCategories } = this.params;
    this.groupMaps = [];
    if (!this.infrequentEnabled) {
      this.infrequentCategories_ = undefined;
      this.groupMaps = this.categories_!.map((cats) => Int32Array.from(cats, (_, k) => k));
      return;
    }
    this.infrequentCategories_ = counts.map((cnt, j) => {
      const mask = cnt.map(() => false);
      if (minFrequency !== null) {
        const limit = Number.isInteger(minFrequency) && minFrequency >= 1 ? minFrequency : nSamples * minFrequency;
        cnt.forEach((c, k) => (mask[k] = c < limit));
      }
      const nCurrent = cnt.length - mask.filter(Boolean).length + 1;
      if (maxCategories !== null && maxCategories < nCurrent) {
        const order = cnt.map((c, k) => [c, k] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        const nSmall = cnt.length - maxCategories + 1;
        for (let t = 0; t < nSmall && t < order.length; t++) mask[order[t]![1]] = true;
      }
      const cats = this.categories_![j]!;
      const map = new Int32Array(cats.length);
      const infrequent = mask.some(Boolean);
      const nFrequent = mask.filter((m) => !m).length;
      let next = 0;
      mask.forEach((m, k) => (map[k] = m ? nFrequent : next++));
      this.groupMaps.push(infrequent ? map : Int32Array.from(cats, (_, k) => k));
      return infrequent ? cats.filter((_, k) => mask[k]) : null;
    });
  }

  /** Number of output columns per feature before dropping (infrequent categories count once). */
  private groupedSize(j: number): number {
    const map = this.groupMaps[j]!;
    let mx = -1;
    for (const v of map) if (v > mx) mx = v;
    return mx + 1;
  }

  private computeDrop(who: string): (number | null)[] | undefined {
    const drop = this.params.drop;
    const cats = this.categories_!;
    if (drop === null) return undefined;
    if (drop === 'first') return cats.map(() => 0);
    if (drop === 'if_binary') return cats.map((_, j) => (this.groupedSize(j) === 2 ? 0 : null));
    if (drop.length !== cats.length) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: drop should have length equal to the number of features (${cats.length}), got ${drop.length}`, { field: 'drop' });
    }
    const missing: string[] = [];
    const out = drop.map((v, j) => {
      const target: Category = v === null || (typeof v === 'number' && Number.isNaN(v)) ? null : cats[j]!.some((c) => typeof c === 'string') ? String(v) : v;
      const k = cats[j]!.indexOf(target);
      if (k < 0) {
        missing.push(`Category: ${show(target)}, Feature: ${j}`);
        return null;
      }
      const inf = this.infrequentCategories_?.[j];
      if (inf && inf.includes(target)) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: unable to drop category ${show(target)} from feature ${j} because it is infrequent`, { field: 'drop', column: j });
      }
      return this.groupMaps[j]![k]!;
    });
    if (missing.length > 0) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: the following categories were supposed to be dropped, but were not found in the training data: ${missing.join('; ')}`, { field: 'drop', value: missing });
    }
    return out;
  }

  private computeOuts(): void {
    this.nOuts = this.categories_!.map((_, j) => this.groupedSize(j) - (this.dropIdx_?.[j] !== undefined && this.dropIdx_[j] !== null ? 1 : 0));
  }

  /** One-hot encodes X: a CsrMatrix (sparseOutput) or a Matrix of 0/1. */
  transform(X: unknown): CsrMatrix | Matrix {
    const who = 'OneHotEncoder.transform';
    this.requireFitted('transform');
    const f = this.readInput(X, who, false);
    const handle = this.params.handleUnknown;
    const codes = this.encode(f, who, handle !== 'error');
    const d = codes.length;
    const offsets = new Int32Array(d + 1);
    for (let j = 0; j < d; j++) offsets[j + 1] = offsets[j]! + this.nOuts[j]!;
    const n = f.rows;
    const indptr = new Int32Array(n + 1);
    const indices = new Int32Array(n * d);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const k = codes[j]![i]!;
        let g: number;
        if (k < 0) {
          const inf = this.infrequentCategories_?.[j];
          if (handle === 'infrequent_if_exist' && inf) g = this.groupedSize(j) - 1;
          else continue;
        } else g = this.groupMaps[j]![k]!;
        const dropAt = this.dropIdx_?.[j];
        if (dropAt !== undefined && dropAt !== null) {
          if (g === dropAt) continue;
          if (g > dropAt) g -= 1;
        }
        indices[p++] = offsets[j]! + g;
      }
      indptr[i + 1] = p;
    }
    const out = new CsrMatrix(n, offsets[d]!, new Float64Array(p).fill(1), indices.slice(0, p), indptr);
    return this.params.sparseOutput ? out : out.toDense();
  }

  /**
   * Feature names `<input>_<category>` (Python's `str` of the category: `x1_2.0` for a float
   * feature, `city_nan` for missing), `<input>_infrequent_sklearn` for the infrequent group.
   */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    const names = this.inputFeatureNames(inputFeatures);
    const out: string[] = [];
    this.categories_!.forEach((cats, j) => {
      const map = this.groupMaps[j]!;
      const size = this.groupedSize(j);
      const grouped: string[] = new Array<string>(size);
      cats.forEach((c, k) => {
        const g = map[k]!;
        const inf = this.infrequentCategories_?.[j];
        grouped[g] = inf && inf.includes(c) ? 'infrequent_sklearn' : this.categoryName(j, c);
      });
      const dropAt = this.dropIdx_?.[j];
      grouped.forEach((g, k) => {
        if (dropAt !== undefined && dropAt !== null && k === dropAt) return;
        out.push(`${names[j]}_${g}`);
      });
    });
    return out;
  }

  protected getState(): EstimatorState {
    return {
      ...this.encoderState(),
      dropIdx: this.dropIdx_ ? Float64Array.from(this.dropIdx_, (v) => (v === null ? -1 : v)) : null,
      groupMaps: this.groupMaps,
      infrequent: this.infrequentCategories_ ? this.infrequentCategories_.map((c) => (c ? (c as StateValue[]) : null)) : null,
    };
  }

  protected setState(state: EstimatorState): void {
    this.setEncoderState(state);
    this.dropIdx_ = state.dropIdx ? Array.from(state.dropIdx as Float64Array, (v) => (v < 0 ? null : v)) : undefined;
    this.groupMaps = (state.groupMaps as Int32Array[]).map((m) => Int32Array.from(m));
    this.infrequentCategories_ = state.infrequent ? (state.infrequent as (Category[] | null)[]).map((c) => (c ? [...c] : null)) : undefined;
    this.computeOuts();
  }
}
registerEstimator(OneHotEncoder);

/** Hyperparameters of {@link OrdinalEncoder}. */
export interface OrdinalEncoderParams {
  /** `'auto'` or one list of categories per feature (numeric lists sorted; null = missing, last). @default 'auto' */
  categories: CategoriesOption;
  /** Unknown categories at transform: `'error'` or `'use_encoded_value'` (encode as `unknownValue`). @default 'error' */
  handleUnknown: 'error' | 'use_encoded_value';
  /** The code of unknown categories with `handleUnknown: 'use_encoded_value'` (an integer, or NaN). @default null */
  unknownValue: number | null;
  /** The code of missing values; null means NaN (scikit-learn's default `np.nan`). @default null */
  encodedMissingValue: number | null;
}

/**
 * Encodes categorical features as integer codes 0..k-1 (one column per feature), as
 * scikit-learn 1.2's `OrdinalEncoder`. Missing values (NaN, null) are encoded as
 * `encodedMissingValue` (NaN by default). Returns a float Matrix.
 *
 * @example
 * ```ts
 * import { OrdinalEncoder } from 'mlship/learn';
 * const enc = new OrdinalEncoder({ handleUnknown: 'use_encoded_value', unknownValue: -1 });
 * enc.fit([['low'], ['high'], ['mid']]);
 * enc.transform([['mid'], ['huge']]); // Matrix [[2], [-1]]
 * ```
 */
export class OrdinalEncoder extends BaseEncoder<OrdinalEncoderParams> {
  static override readonly estimatorName: string = 'OrdinalEncoder';

  constructor(params?: Partial<OrdinalEncoderParams>) {
    super({ categories: 'auto', handleUnknown: 'error', unknownValue: null, encodedMissingValue: null }, params);
  }

  private missingCode(): number {
    const v = this.params.encodedMissingValue;
    return v === null ? Number.NaN : v;
  }

  /** Learns the categories of each feature; returns `this`. */
  fit(X: unknown, _y?: unknown): this {
    const who = 'OrdinalEncoder.fit';
    const { handleUnknown, unknownValue } = this.params;
    if (handleUnknown !== 'error' && handleUnknown !== 'use_encoded_value') {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: handleUnknown must be 'error' or 'use_encoded_value', got ${JSON.stringify(handleUnknown)}`, { field: 'handleUnknown', value: handleUnknown });
    }
    if (handleUnknown === 'use_encoded_value') {
      if (!(typeof unknownValue === 'number' && (Number.isInteger(unknownValue) || Number.isNaN(unknownValue)))) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: unknownValue should be an integer or NaN when handleUnknown is 'use_encoded_value', got ${JSON.stringify(unknownValue)}`, { field: 'unknownValue', value: unknownValue });
      }
    } else if (unknownValue !== null) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: unknownValue should only be set when handleUnknown is 'use_encoded_value', got ${unknownValue}`, { field: 'unknownValue', value: unknownValue });
    }
    const f = this.readInput(X, who, true);
    this.fitCategories(f, who, handleUnknown === 'error');
    const cats = this.categories_!;
    if (handleUnknown === 'use_encoded_value' && !Number.isNaN(unknownValue!)) {
      const maxCard = Math.max(...cats.map((c) => c.length));
      if (unknownValue! >= 0 && unknownValue! < maxCard) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: the used value for unknownValue ${unknownValue} is one of the values already used for encoding the seen categories; use a negative value or at least ${maxCard}`, { field: 'unknownValue', value: unknownValue });
      }
    }
    const missing = this.missingCode();
    if (!Number.isNaN(missing)) {
      const withMissing = cats.filter((c) => c[c.length - 1] === null);
      const limit = withMissing.length === 0 ? 0 : Math.max(...withMissing.map((c) => c.length - 1));
      if (missing >= 0 && missing < limit) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: encodedMissingValue (${missing}) is already used to encode a known category in features with missing values; use a negative value or at least ${limit}`, { field: 'encodedMissingValue', value: missing });
      }
    }
    this.recordInput(f);
    return this;
  }

  /** Encodes X as codes (float Matrix). */
  transform(X: unknown): Matrix {
    const who = 'OrdinalEncoder.transform';
    this.requireFitted('transform');
    const f = this.readInput(X, who, false);
    const codes = this.encode(f, who, this.params.handleUnknown === 'use_encoded_value');
    const d = codes.length;
    const out = new Matrix(f.rows, d);
    const unknown = this.params.unknownValue ?? Number.NaN;
    const missing = this.missingCode();
    for (let j = 0; j < d; j++) {
      const cats = this.categories_![j]!;
      const missingAt = cats[cats.length - 1] === null ? cats.length - 1 : -1;
      const c = codes[j]!;
      for (let i = 0; i < f.rows; i++) {
        const k = c[i]!;
        out.data[i * d + j] = k < 0 ? unknown : k === missingAt ? missing : k;
      }
    }
    return out;
  }

  /** Maps codes back to categories (rows of values; unknown codes give null). */
  inverseTransform(X: Matrix | ArrayLike<number>[]): Category[][] {
    this.requireFitted('inverseTransform');
    const m = X instanceof Matrix ? X : Matrix.fromRows(X);
    if (m.cols !== this.nFeaturesIn_) throw new MlshipError('SHAPE_MISMATCH', `OrdinalEncoder.inverseTransform: X has ${m.cols} columns, expected ${this.nFeaturesIn_}`, { field: 'X' });
    const out: Category[][] = [];
    for (let i = 0; i < m.rows; i++) {
      const row: Category[] = [];
      for (let j = 0; j < m.cols; j++) {
        const v = m.get(i, j);
        const cats = this.categories_![j]!;
        row.push(Number.isInteger(v) && v >= 0 && v < cats.length ? cats[v]! : null);
      }
      out.push(row);
    }
    return out;
  }

  /** One output feature per input feature, same names. */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    return this.inputFeatureNames(inputFeatures);
  }

  protected getState(): EstimatorState {
    return this.encoderState();
  }

  protected setState(state: EstimatorState): void {
    this.setEncoderState(state);
  }
}
registerEstimator(OrdinalEncoder);
