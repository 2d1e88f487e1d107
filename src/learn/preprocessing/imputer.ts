import { CategoryColumn, Matrix, MlshipError, NumericColumn, StringColumn, Table, type Column } from '../../core/index.js';
import { registerEstimator, type EstimatorState, type StateValue } from '../base.js';
import { PreprocessorBase, columnSum, featureLabel, readFrame, rejectInfinite, requireNonEmpty, type Feature, type Frame } from './frame.js';

/** Hyperparameters of {@link SimpleImputer}. */
export interface SimpleImputerParams {
  /**
   * The placeholder for missing values: null (the default) means NaN in numeric features and null
   * in Table columns, as scikit-learn's `np.nan`; a number matches numeric features, a string
   * matches text features. @default null
   */
  missingValues: number | string | null;
  /** `'mean'` and `'median'` (numeric features), `'most_frequent'` or `'constant'` (any). @default 'mean' */
  strategy: 'mean' | 'median' | 'most_frequent' | 'constant';
  /** The value of strategy `'constant'`; null means 0 for numeric features and `'missing_value'` for text. @default null */
  fillValue: number | string | null;
  /** Append one 0/1 missing-indicator column per feature that had missing values in fit. @default false */
  addIndicator: boolean;
  /** Keep features with no observed value (imputed with 0) instead of dropping them. @default false */
  keepEmptyFeatures: boolean;
}

const STRATEGIES = ['mean', 'median', 'most_frequent', 'constant'];

/**
 * Completes missing values per column with the mean, median, most frequent value or a constant,
 * as scikit-learn 1.2's `SimpleImputer`. Missing values are NaN in numbers and null in Table
 * columns (see `missingValues`). Features with no observed value are dropped from the output
 * (except with `'constant'` or `keepEmptyFeatures`), as scikit-learn does.
 *
 * Output: a Matrix when every output feature is numeric; a Table (same column names and kinds,
 * missing-indicator columns appended) when X is a Table with string or category columns, so that
 * `Pipeline([imputer, OneHotEncoder])` works on categorical columns.
 *
 * @example
 * ```ts
 * import { SimpleImputer } from 'mlship/learn';
 * const imp = new SimpleImputer({ strategy: 'median' }).fit([[1, NaN], [3, 4], [5, 6]]);
 * imp.statistics_;                 // [3, 5]
 * imp.transform([[NaN, NaN]]);     // Matrix [[3, 5]]
 * ```
 */
export class SimpleImputer extends PreprocessorBase<SimpleImputerParams> {
  static override readonly estimatorName: string = 'SimpleImputer';
  /** The fill value of each feature (NaN for a feature with no observed value). */
  statistics_: (number | string)[] | undefined;
  /** The missing indicator: `features_` are the input features that had missing values in fit. */
  indicator_: { features_: Int32Array } | undefined;
  private textFeature: boolean[] = [];

  constructor(params?: Partial<SimpleImputerParams>) {
    super({ missingValues: null, strategy: 'mean', fillValue: null, addIndicator: false, keepEmptyFeatures: false }, params);
  }

  /** Missing mask of one feature. */
  private missingMask(feat: Feature, j: number, f: Frame, who: string): Uint8Array {
    const mv = this.params.missingValues;
    const n = feat.values.length;
    const mask = new Uint8Array(n);
    if (feat.type === 'numeric') {
      const v = feat.values;
      if (mv === null) {
        for (let i = 0; i < n; i++) mask[i] = v[i] !== v[i] ? 1 : 0;
      } else if (typeof mv === 'number') {
        for (let i = 0; i < n; i++) {
          if (v[i] !== v[i] && !Number.isNaN(mv)) {
            throw new MlshipError('INVALID_ARGUMENT', `${who}: X contains NaN at row ${i}, ${featureLabel(f, j)}, but missingValues is ${mv}; impute or remove NaN first, or use missingValues: null`, { field: 'X', line: i, column: j });
          }
          mask[i] = v[i] === mv || (Number.isNaN(mv) && v[i] !== v[i]) ? 1 : 0;
        }
      }
    } else {
      const v = feat.values;
      for (let i = 0; i < n; i++) mask[i] = (mv === null ? v[i] === null : v[i] === mv) ? 1 : 0;
    }
    return mask;
  }

  /** Learns the fill value of each feature; returns `this`. */
  fit(X: unknown, _y?: unknown): this {
    const who = 'SimpleImputer.fit';
    const { strategy, fillValue, keepEmptyFeatures } = this.params;
    if (!STRATEGIES.includes(strategy)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: strategy must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(strategy)}`, { field: 'strategy', value: strategy });
    }
    const f = readFrame(X, who);
    requireNonEmpty(f, who);
    rejectInfinite(f, who);
    const stats: (number | string)[] = [];
    const withMissing: number[] = [];
    f.features.forEach((feat, j) => {
      const mask = this.missingMask(feat, j, f, who);
      if (mask.includes(1)) withMissing.push(j);
      if (feat.type === 'text' && (strategy === 'mean' || strategy === 'median')) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: cannot use the ${strategy} strategy with non-numeric data: ${featureLabel(f, j)} holds strings; use strategy 'most_frequent' or 'constant' for it (e.g. in a ColumnTransformer)`, {
          field: f.names ? f.names[j]! : 'X',
          column: j,
          value: strategy,
        });
      }
      if (strategy === 'constant') {
        if (feat.type === 'numeric') {
          if (typeof fillValue === 'string') {
            throw new MlshipError('INVALID_ARGUMENT', `${who}: fillValue ${JSON.stringify(fillValue)} is a string, but ${featureLabel(f, j)} is numeric; use a number, or impute text columns separately`, { field: 'fillValue', value: fillValue });
          }
          stats.push(fillValue ?? 0);
        } else stats.push(fillValue === null ? 'missing_value' : String(fillValue));
        return;
      }
      if (feat.type === 'numeric') {
        const v = feat.values;
        let n = 0;
        for (let i = 0; i < v.length; i++) if (!mask[i]) n++;
        if (n === 0) {
          stats.push(keepEmptyFeatures ? 0 : Number.NaN);
          return;
        }
        if (strategy === 'mean') {
          const filled = new Float64Array(v.length);
          for (let i = 0; i < v.length; i++) filled[i] = mask[i] ? 0 : v[i]!;
          stats.push(columnSum(filled, f.columnar) / n);
          return;
        }
        const observed = new Float64Array(n);
        for (let i = 0, k = 0; i < v.length; i++) if (!mask[i]) observed[k++] = v[i]!;
        if (strategy === 'median') {
          // As np.ma.median: (sorted[l] + sorted[h]) / 2, with l = h for an odd count.
          const h = n >> 1;
          const high = selectKth(observed, h);
          let low = high;
          if (n % 2 === 0) {
            low = observed[0]!;
            for (let i = 1; i < h; i++) if (observed[i]! > low) low = observed[i]!;
          }
          stats.push((low + high) / 2);
        } else stats.push(mostFrequentSorted(observed.sort()));
        return;
      }
      const observed: string[] = [];
      feat.values.forEach((s, i) => {
        if (!mask[i] && s !== null) observed.push(s);
      });
      if (observed.length === 0) stats.push(keepEmptyFeatures ? '0' : Number.NaN);
      else stats.push(mostFrequentString(observed));
    });
    this.recordInput(f);
    this.statistics_ = stats;
    this.textFeature = f.features.map((x) => x.type === 'text');
    this.indicator_ = this.params.addIndicator ? { features_: Int32Array.from(withMissing) } : undefined;
    return this;
  }

  /** Indices of the features kept in the output (empty features are dropped unless kept). */
  private keptFeatures(): number[] {
    const keepAll = this.params.strategy === 'constant' || this.params.keepEmptyFeatures;
    const out: number[] = [];
    this.statistics_!.forEach((s, j) => {
      if (keepAll || !(typeof s === 'number' && Number.isNaN(s))) out.push(j);
    });
    return out;
  }

  /** Replaces missing values; a Matrix, or a Table when some output column is text (see the class doc). */
  transform(X: unknown): Matrix | Table {
    const who = 'SimpleImputer.transform';
    this.requireFitted('transform');
    const f = readFrame(X, who);
    this.checkInput(f, who);
    rejectInfinite(f, who);
    const kept = this.keptFeatures();
    const masks = f.features.map((feat, j) => this.missingMask(feat, j, f, who));
    const indicator = this.indicator_ ? Array.from(this.indicator_.features_) : [];
    const names = this.getFeatureNamesOut();
    const anyText = kept.some((j) => f.features[j]!.type === 'text');
    if (!anyText) {
      const d = kept.length + indicator.length;
      const n = f.rows;
      const out = new Matrix(n, d);
      const data = out.data;
      for (let k = 0; k < kept.length; k++) {
        const j = kept[k]!;
        const v = f.features[j]!.values as Float64Array;
        const s = this.statistics_![j] as number;
        const mask = masks[j]!;
        for (let i = 0; i < n; i++) data[i * d + k] = mask[i] === 1 ? s : v[i]!;
      }
      for (let k = 0; k < indicator.length; k++) {
        const mask = masks[indicator[k]!]!;
        for (let i = 0; i < n; i++) data[i * d + kept.length + k] = mask[i]!;
      }
      return out;
    }
    const cols: Column[] = [];
    kept.forEach((j, k) => {
      const feat = f.features[j]!;
      const mask = masks[j]!;
      const s = this.statistics_![j]!;
      const name = names[k]!;
      if (feat.type === 'numeric') {
        const v = feat.values.slice();
        for (let i = 0; i < f.rows; i++) if (mask[i]) v[i] = s as number;
        cols.push(new NumericColumn(name, v, 'number'));
        return;
      }
      const fill = String(s);
      const values = feat.values.map((x, i) => (mask[i] ? fill : x));
      const original = X instanceof Table ? X.columns[j] : undefined;
      if (original instanceof CategoryColumn) {
        const cats = original.categories.includes(fill) ? original.categories : [...original.categories, fill];
        const present = values.filter((x): x is string => x !== null);
        const extra = [...new Set(present)].filter((x) => !cats.includes(x));
        cols.push(CategoryColumn.from(name, values, [...cats, ...extra]));
      } else cols.push(StringColumn.from(name, values));
    });
    indicator.forEach((j, k) => {
      const mask = masks[j]!;
      cols.push(new NumericColumn(names[kept.length + k]!, Float64Array.from(mask), 'number'));
    });
    return new Table(cols, f.rows);
  }

  /** The kept input names, then `missingindicator_<name>` for each indicator column. */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    const names = this.inputFeatureNames(inputFeatures);
    const out = this.keptFeatures().map((j) => names[j]!);
    if (this.indicator_) for (const j of this.indicator_.features_) out.push(`missingindicator_${names[j]}`);
    return out;
  }

  protected getState(): EstimatorState {
    return {
      ...this.baseState(),
      statNumeric: Float64Array.from(this.statistics_!, (s) => (typeof s === 'number' ? s : Number.NaN)),
      statText: this.statistics_!.map((s) => (typeof s === 'string' ? s : null)) as StateValue[],
      textFeature: Uint8Array.from(this.textFeature, (b) => (b ? 1 : 0)),
      indicator: this.indicator_ ? this.indicator_.features_ : null,
    };
  }

  protected setState(state: EstimatorState): void {
    this.setBaseState(state);
    const num = state.statNumeric as Float64Array;
    const text = state.statText as (string | null)[];
    this.statistics_ = Array.from(num, (v, j) => text[j] ?? v);
    this.textFeature = Array.from(state.textFeature as Uint8Array, (b) => b === 1);
    this.indicator_ = state.indicator ? { features_: Int32Array.from(state.indicator as Int32Array) } : undefined;
  }
}
registerEstimator(SimpleImputer);

/**
 * The k-th smallest value (0-based) of `a`, reordering `a` so that a[0..k) <= a[k] <= a(k..n)
 * (quickselect with a median-of-three pivot; NaN-free input).
 */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** The most frequent value of a sorted array; ties go to the smallest (scikit-learn / scipy.stats.mode). */
function mostFrequentSorted(sorted: Float64Array): number {
  let best = sorted[0]!;
  let bestCount = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (j - i > bestCount) [best, bestCount] = [sorted[i]!, j - i];
    i = j;
  }
  return best;
}

function mostFrequentString(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = '';
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount || (c === bestCount && v < best)) [best, bestCount] = [v, c];
  return best;
}
