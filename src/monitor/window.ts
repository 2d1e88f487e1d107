/**
 * Monitoring windows: the prediction log of one model between two times, turned into columns and
 * compared with the model version's reference profile (drift, prediction drift), plus model
 * quality for the items that have a ground-truth label, overall and per time bucket.
 */
import { MlshipError } from '../core/index.js';
import { accuracyScore, f1Score, meanAbsoluteError, rootMeanSquaredError, type Tokenizer } from '../learn/index.js';
import type { MlshipClient, PredictionFilter, PredictionStore, StoredPrediction } from '../tracking/index.js';
import { CurrentSketch, loadProfile, profileDrift, profileVocabulary } from './profile/index.js';
import { CategoricalAccumulator, NumericAccumulator } from './profile/sketch.js';
import { analyzerOf, descriptorColumns } from './profile/text.js';
import type { ColumnProfile, CurrentData, NumericColumnProfile, ProfileDriftResult, ReferenceProfile } from './profile/index.js';
import type { Category } from './stats/categorical.js';

/**
 * What {@link monitorWindow} reads and compares.
 *
 * @example
 * ```ts
 * const options: MonitorWindowOptions = { predictions: store, client, model: 'spam', from: Date.now() - 86_400_000, to: Date.now() };
 * ```
 */
export interface MonitorWindowOptions {
  /** The prediction log (`openPredictionStore`). */
  predictions: PredictionStore;
  /** The registry holding the model versions and their reference profiles; may be omitted when `profile` is given. */
  client?: MlshipClient;
  /** The registry model name (as logged by `mlship serve`). */
  model: string;
  /** Only this version's predictions. @default undefined (every version in the window) */
  version?: string;
  /**
   * The reference to compare with.
   * @default the profile saved with the newest model version that has predictions in the window (`loadProfile(client, 'models:/<model>/<version>')`)
   */
  profile?: ReferenceProfile;
  /** Start of the window, inclusive, ms since the epoch. */
  from: number;
  /** End of the window, exclusive, ms since the epoch. */
  to: number;
  /** Width of one point of `series`, in ms. @default the window split into about 24 buckets (rounded up to a whole minute) */
  bucketMs?: number;
  /** Rows per page read from the prediction log. @default 5000 */
  pageSize?: number;
  /** Called after every page: rows read so far and the total rows in the window. @default undefined */
  onProgress?: (read: number, total: number) => void;
}

/**
 * Quality of the labelled items of a window (or of one bucket): accuracy and macro F1 for a
 * classifier, RMSE and MAE for a regressor.
 *
 * @example
 * ```ts
 * const q: MonitorQuality = { metrics: { accuracy: 0.91, f1: 0.9 }, reference: { accuracy: 0.97, f1: 0.96 }, labelled: 420 };
 * ```
 */
export interface MonitorQuality {
  /** Measured on the labelled items of the window. */
  metrics: Record<string, number>;
  /** Recorded at training (`profile.metrics`), for the same metric names. */
  reference: Record<string, number>;
  /** Labelled items the metrics are computed on. */
  labelled: number;
}

/**
 * One time bucket of a window, for "drift and quality over time".
 *
 * @example
 * ```ts
 * for (const p of result.series) console.log(new Date(p.start).toISOString(), p.rows, p.shareDrifted, p.metrics.accuracy);
 * ```
 */
export interface MonitorSeriesPoint {
  /** Start of the bucket, ms since the epoch; the bucket is [start, start + bucketMs). */
  start: number;
  rows: number;
  labelled: number;
  /** Share of drifted columns in this bucket alone (0 when the bucket is empty). */
  shareDrifted: number;
  /** Quality of the bucket's labelled items (empty when none). */
  metrics: Record<string, number>;
}

/**
 * Reference vs current distribution of one column, as shares per bin (numeric) or per category
 * (categorical), for the report's overlays. Built from the sketches, never from raw rows.
 *
 * @example
 * ```ts
 * const d: ColumnDistribution = { kind: 'numeric', edges: [0, 1, 2], reference: [0.5, 0.5], current: [0.2, 0.8] };
 * ```
 */
export interface ColumnDistribution {
  kind: 'numeric' | 'categorical';
  /** Numeric: the bin edges (one more than the bins), ascending. */
  edges?: number[];
  /** Categorical: the categories shown (the most frequent; the rest are summed in `other`). */
  categories?: string[];
  /** Share of the reference rows in each bin or category (0..1). */
  reference: number[];
  /** Share of the window's rows in each bin or category (0..1). */
  current: number[];
  /** Categorical: share of rows in categories not shown, reference and current. */
  other?: [number, number];
}

/**
 * The result of {@link monitorWindow}: aggregates only (never raw rows), JSON-serialisable.
 *
 * @example
 * ```ts
 * const result = await monitorWindow({ predictions, client, model: 'spam', from, to });
 * console.log(result.drift.drift, result.drift.shareDrifted, result.quality?.metrics);
 * ```
 */
export interface MonitorResult {
  model: string;
  /** The model versions that have predictions in the window, oldest first. */
  versions: string[];
  /** The version whose reference profile the window was compared with (null for a profile given directly). */
  profileVersion: string | null;
  from: number;
  to: number;
  /** Width of one `series` bucket, in ms. */
  bucketMs: number;
  /** Items (rows) in the window. */
  rows: number;
  /** Items with a ground-truth label. */
  labelled: number;
  /** The input and task of the reference profile. */
  input: 'text' | 'tabular';
  task: 'classification' | 'regression';
  /** Drift of the window's columns and predictions against the reference profile. */
  drift: ProfileDriftResult;
  /** Quality of the labelled items; null when none is labelled. */
  quality: null | MonitorQuality;
  series: MonitorSeriesPoint[];
  /** Reference vs current distributions per drift column (by the same names as `drift.columns`). */
  distributions: Record<string, ColumnDistribution>;
  /** Reference vs current distribution of the predictions. */
  predictionDistribution: ColumnDistribution | null;
  /** Notes for the reader (several versions in the window, rows skipped as unreadable). */
  notes: string[];
}


// ------------------------------------------------------------------ reading logged items

/**
 * The document of a logged text item: the item itself when it is a string, else the string field
 * of the record the server logged (`{"text": "..."}`, or the model's input name). `null` when the
 * item holds no text.
 *
 * @example
 * ```ts
 * itemText({ text: 'Win a FREE cruise' }); // 'Win a FREE cruise'
 * itemText({ review: 'great film' });      // 'great film'
 * ```
 */
export function itemText(input: unknown): string | null {
  if (typeof input === 'string') return input;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return null;
  const o = input as Record<string, unknown>;
  if (typeof o.text === 'string') return o.text;
  let found: string | null = null;
  for (const k in o) {
    const v = o[k];
    if (typeof v === 'string') {
      if (found !== null) return null;
      found = v;
    }
  }
  return found;
}

/**
 * The prediction of a logged output: its `label` (classifiers), its `prediction` or single number
 * field (regressors), or the output itself when it is a plain value. `null` when none is found.
 *
 * @example
 * ```ts
 * itemPrediction({ label: 'spam', probabilities: { ham: 0.1, spam: 0.9 } }); // 'spam'
 * itemPrediction({ medv: 23.4 });                                           // 23.4
 * ```
 */
export function itemPrediction(output: unknown): string | number | boolean | null {
  if (typeof output === 'string' || typeof output === 'boolean') return output;
  if (typeof output === 'number') return Number.isNaN(output) ? null : output;
  if (output === null || typeof output !== 'object' || Array.isArray(output)) return null;
  const o = output as Record<string, unknown>;
  if ('label' in o) return plain(o.label);
  if ('prediction' in o) return plain(o.prediction);
  let found: number | null = null;
  for (const k in o) {
    const v = o[k];
    if (typeof v === 'number') {
      if (found !== null) return null;
      found = v;
    }
  }
  return found;
}

function plain(v: unknown): string | number | boolean | null {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  return null;
}

/** A label as the number a regressor's quality needs (numbers, and numeric strings as the CLI may post them). */
function numericLabel(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number.NaN;
}

// ------------------------------------------------------------------ quality

/** A growable typed array. */
class Grow<T extends Float64Array | Int32Array> {
  n = 0;
  constructor(public a: T) {}
  push(v: number): void {
    if (this.n === this.a.length) {
      const next = new (this.a.constructor as new (n: number) => T)(Math.max(1024, this.a.length * 2));
      next.set(this.a);
      this.a = next;
    }
    this.a[this.n++] = v;
  }
  view(): T {
    return this.a.subarray(0, this.n) as T;
  }
}

/**
 * Quality of labelled items, kept as compact typed arrays (labels interned as integers for a
 * classifier), computed with mlship/learn's metrics: accuracy and macro F1, or RMSE and MAE.
 */
class QualityAccumulator {
  private readonly codes = new Map<string, number>();
  private readonly yTrue: Grow<Float64Array>;
  private readonly yPred: Grow<Float64Array>;
  private readonly bucket = new Grow(new Int32Array(1024));
  skipped = 0;

  constructor(readonly task: 'classification' | 'regression') {
    this.yTrue = new Grow(new Float64Array(1024));
    this.yPred = new Grow(new Float64Array(1024));
  }

  private code(v: unknown): number {
    const key = typeof v === 'string' ? v : JSON.stringify(v);
    let c = this.codes.get(key);
    if (c === undefined) this.codes.set(key, (c = this.codes.size));
    return c;
  }

  add(prediction: string | number | boolean | null, label: unknown, bucket: number): void {
    if (prediction === null) {
      this.skipped++;
      return;
    }
    if (this.task === 'classification') {
      this.yTrue.push(this.code(label));
      this.yPred.push(this.code(prediction));
    } else {
      const y = numericLabel(label);
      const p = typeof prediction === 'number' ? prediction : numericLabel(prediction);
      if (!Number.isFinite(y) || !Number.isFinite(p)) {
        this.skipped++;
        return;
      }
      this.yTrue.push(y);
      this.yPred.push(p);
    }
    this.bucket.push(bucket);
  }

  get count(): number {
    return this.yTrue.n;
  }

  /** Metrics of every item, or of one bucket's items. */
  metrics(bucket?: number): { metrics: Record<string, number>; n: number } {
    let t: Float64Array = this.yTrue.view();
    let p: Float64Array = this.yPred.view();
    if (bucket !== undefined) {
      const b = this.bucket.view();
      let n = 0;
      for (let i = 0; i < b.length; i++) if (b[i] === bucket) n++;
      const tt = new Float64Array(n);
      const pp = new Float64Array(n);
      for (let i = 0, j = 0; i < b.length; i++) {
        if (b[i] !== bucket) continue;
        tt[j] = t[i]!;
        pp[j++] = p[i]!;
      }
      t = tt;
      p = pp;
    }
    if (t.length === 0) return { metrics: {}, n: 0 };
    if (this.task === 'classification') return { metrics: { accuracy: accuracyScore(t, p), f1: f1Score(t, p, { average: 'macro', zeroDivision: 0 }) }, n: t.length };
    return { metrics: { rmse: rootMeanSquaredError(t, p), mae: meanAbsoluteError(t, p) }, n: t.length };
  }
}

// ------------------------------------------------------------------ current columns

/** A logged value as a numeric column takes it: numbers, numeric strings, booleans as 0/1; anything else is missing. */
function numericValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

/** A logged value as a categorical column takes it: strings, numbers, booleans; objects as their JSON; null is missing. */
function categoryValue(v: unknown): Category {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  return JSON.stringify(v);
}

/** How a text model's documents become descriptor columns: the profile's vocabulary lookup and analyzer. */
interface TextSettings {
  vocabulary: ReturnType<typeof profileVocabulary>;
  analyzer: Tokenizer;
}

/** Fills the current-data chunk of `items[start, end)` (one bucket's run) for a profile. */
function chunkOf(profile: ReferenceProfile, items: readonly WindowItem[], start: number, end: number, text: TextSettings | undefined): { data: CurrentData; texts: (string | null)[]; unreadable: number; predictions: (string | number | boolean | null)[] } {
  const n = end - start;
  const predictions = new Array<string | number | boolean | null>(n);
  const numericPrediction = profile.prediction.kind === 'numeric';
  const predColumn: Category[] | Float64Array = numericPrediction ? new Float64Array(n) : new Array<Category>(n);
  let unreadable = 0;
  const texts: (string | null)[] = [];
  const columns: Record<string, ArrayLike<Category>> = {};
  for (let i = 0; i < n; i++) {
    const p = predictions[i] = itemPrediction(items[start + i]!.outputs);
    if (numericPrediction) (predColumn as Float64Array)[i] = numericValue(p);
    else (predColumn as Category[])[i] = p;
  }
  if (text) {
    for (let i = 0; i < n; i++) {
      const t = itemText(items[start + i]!.inputs);
      if (t === null) unreadable++;
      texts.push(t);
    }
    Object.assign(columns, descriptorColumns(texts, text.vocabulary, text.analyzer));
  } else {
    const records = new Array<Record<string, unknown> | null>(n);
    for (let i = 0; i < n; i++) {
      const inputs = items[start + i]!.inputs;
      const rec = inputs !== null && typeof inputs === 'object' && !Array.isArray(inputs) ? (inputs as Record<string, unknown>) : null;
      if (rec === null) unreadable++;
      records[i] = rec;
    }
    for (const [name, col] of Object.entries(profile.columns)) {
      if (col.kind === 'numeric') {
        const values = new Float64Array(n);
        for (let i = 0; i < n; i++) values[i] = numericValue(records[i]?.[name]);
        columns[name] = values;
      } else {
        const values = new Array<Category>(n);
        for (let i = 0; i < n; i++) values[i] = categoryValue(records[i]?.[name]);
        columns[name] = values;
      }
    }
  }
  return { data: { columns, predictions: predColumn }, texts, unreadable, predictions };
}

// ------------------------------------------------------------------ distributions for the report

/** Bins of a numeric overlay. */
const DISPLAY_BINS = 20;
/** Categories of a categorical overlay. */
const DISPLAY_CATEGORIES = 10;

/** Reference rows at or below `x`, read from the profile's sketch (linear inside a sketch bin, exact at its edges). */
function referenceAtMost(p: NumericColumnProfile, x: number): number {
  return binnedAtMost(p.edges, p.counts, p.equal, x, 0);
}

/** Rows at or below `x` of counts on ascending `edges` (bin k = (edges[k-1], edges[k]], bin 0 = edges[0]), plus `before` rows below edges[0]. */
function binnedAtMost(edges: ArrayLike<number>, counts: ArrayLike<number>, equal: ArrayLike<number>, x: number, before: number): number {
  if (edges.length === 0 || x < edges[0]!) return before;
  let cum = before;
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k]!;
    if (x >= e) {
      cum += counts[k] ?? 0;
      continue;
    }
    const prev = edges[k - 1]!;
    cum += (((counts[k] ?? 0) - (equal[k] ?? 0)) * (x - prev)) / (e - prev);
    break;
  }
  return cum;
}

/** Current rows at or below `x`, read from the accumulator: its counts on the reference bins and its tail histograms beyond them. */
function currentAtMost(acc: NumericAccumulator, x: number): number {
  const e = acc.edges;
  const lo = e[0]!;
  const hi = e[e.length - 1]!;
  // below the reference: values v <= x are those at distance lo - v >= lo - x
  if (x < lo) return Math.max(0, acc.lowCount - acc.lowTail.countAtMost(lo - x));
  const inRange = binnedAtMost(e, acc.counts, acc.equal, Math.min(x, hi), acc.lowCount);
  if (x <= hi) return inRange;
  return inRange + acc.highTail.countAtMost(x - hi);
}

function numericDistribution(ref: NumericColumnProfile, cur: NumericAccumulator): ColumnDistribution {
  let lo = ref.count > 0 ? ref.min : Infinity;
  let hi = ref.count > 0 ? ref.max : -Infinity;
  if (cur.count > 0) {
    lo = Math.min(lo, cur.min);
    hi = Math.max(hi, cur.max);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { kind: 'numeric', edges: [], reference: [], current: [] };
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const w = (hi - lo) / DISPLAY_BINS;
  const edges = Array.from({ length: DISPLAY_BINS + 1 }, (_, i) => (i === DISPLAY_BINS ? hi : lo + i * w));
  const shares = (atMost: (x: number) => number, total: number): number[] => {
    const out = new Array<number>(DISPLAY_BINS);
    let prev = 0;
    for (let i = 0; i < DISPLAY_BINS; i++) {
      const f = i === DISPLAY_BINS - 1 ? total : Math.min(total, atMost(edges[i + 1]!));
      out[i] = total > 0 ? Math.max(0, f - prev) / total : 0;
      prev = Math.max(prev, f);
    }
    return out;
  };
  return { kind: 'numeric', edges, reference: shares((x) => referenceAtMost(ref, x), ref.count), current: shares((x) => currentAtMost(cur, x), cur.count) };
}

function categoricalDistribution(ref: ColumnProfile, cur: CategoricalAccumulator): ColumnDistribution {
  const refShare = new Map<string, number>();
  if (ref.kind === 'categorical') for (const [v, c] of ref.values) refShare.set(String(v), ref.count > 0 ? c / ref.count : 0);
  else if (ref.exact) for (let k = 0; k < ref.edges.length; k++) refShare.set(String(ref.edges[k]), ref.count > 0 ? ref.equal[k]! / ref.count : 0);
  const curShare = new Map<string, number>();
  const n = cur.count;
  for (const [v, c] of cur.counts) curShare.set(String(v), (curShare.get(String(v)) ?? 0) + (n > 0 ? c / n : 0));
  const keys = new Set([...refShare.keys(), ...curShare.keys()]);
  const ranked = [...keys].map((k) => [k, Math.max(refShare.get(k) ?? 0, curShare.get(k) ?? 0)] as const).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const categories = ranked.slice(0, DISPLAY_CATEGORIES).map(([k]) => k);
  const reference = categories.map((k) => refShare.get(k) ?? 0);
  const current = categories.map((k) => curShare.get(k) ?? 0);
  const sum = (a: number[]): number => a.reduce((s, x) => s + x, 0);
  return { kind: 'categorical', categories, reference, current, other: [Math.max(0, (ref.count > 0 ? 1 : 0) - sum(reference)), Math.max(0, (n > 0 ? 1 : 0) - sum(current))] };
}

/** The overlay of one column from its reference sketch and current accumulator. */
function distributionOf(ref: ColumnProfile, cur: NumericAccumulator | CategoricalAccumulator | undefined): ColumnDistribution | null {
  if (cur === undefined) return null;
  if (ref.kind === 'numeric' && cur instanceof NumericAccumulator) return numericDistribution(ref, cur);
  if (cur instanceof CategoricalAccumulator) return categoricalDistribution(ref, cur);
  return null;
}

// ------------------------------------------------------------------ the window

/** Rows per page read from the prediction log. */
const DEFAULT_PAGE = 5000;
/** Most buckets a window may have. */
const MAX_BUCKETS = 10_000;
/** Most memory the per-bucket sketches may take, estimated from the profile's sketch sizes. */
const MAX_BUCKET_SKETCH_BYTES = 512 * 1024 * 1024;

/** Bytes of one bucket's current sketches: per numeric column its bins (4 arrays and a 4x index) and tails; per categorical column a small map. */
function bucketSketchBytes(profile: ReferenceProfile): number {
  let bytes = 0;
  for (const c of [...Object.values(profile.columns), profile.prediction]) bytes += c.kind === 'numeric' ? c.edges.length * 48 + 4096 : 4096;
  return bytes;
}

/**
 * The default bucket width: the window split into about 24 buckets, rounded up to a whole minute
 * (to a whole second for windows under 24 minutes).
 *
 * @example
 * ```ts
 * defaultBucketMs(0, 86_400_000); // 3_600_000: one point per hour over a day
 * ```
 */
export function defaultBucketMs(from: number, to: number): number {
  const raw = (to - from) / 24;
  if (raw >= 60_000) return Math.ceil(raw / 60_000) * 60_000;
  if (raw >= 1000) return Math.ceil(raw / 1000) * 1000;
  return Math.max(1, Math.ceil(raw));
}

function invalid(field: string, value: unknown, why: string): MlshipError {
  return new MlshipError('INVALID_ARGUMENT', `monitorWindow: ${field} ${why}, got ${JSON.stringify(value)}`, { field, value });
}

function emptyDrift(share: number): ProfileDriftResult {
  return { columns: {}, driftedColumns: 0, numberOfColumns: 0, shareDrifted: 0, share, drift: false };
}

/**
 * What {@link WindowAccumulator} needs besides the profile.
 *
 * @example
 * ```ts
 * const options: WindowAccumulatorOptions = { model: 'spam', from: Date.now() - 86_400_000, to: Date.now(), bucketMs: 3_600_000 };
 * ```
 */
export interface WindowAccumulatorOptions {
  model: string;
  /** Start and end (exclusive) of the window, ms since the epoch. */
  from: number;
  to: number;
  /** @default {@link defaultBucketMs}(from, to) */
  bucketMs?: number;
  /** The version whose profile is used, for the result. @default null */
  profileVersion?: string | null;
  /** The version filter of the window, for the notes. @default undefined */
  version?: string;
}

/**
 * The fields of a logged item a window reads (a {@link StoredPrediction} has them all).
 *
 * @example
 * ```ts
 * const item: WindowItem = { timestamp: Date.now(), inputs: { text: 'hi' }, outputs: { label: 'ham' }, label: null, modelVersion: '3' };
 * ```
 */
export type WindowItem = Pick<StoredPrediction, 'timestamp' | 'inputs' | 'outputs' | 'label' | 'modelVersion'>;

/**
 * The streaming core of {@link monitorWindow}: feed it the window's items oldest first, in chunks
 * of any size, then read the {@link MonitorResult}. Use it directly for items that do not come
 * from a prediction store (a replay, a benchmark).
 *
 * Memory: rows are never held. Each chunk is summarised into the profile's streaming sketches
 * (`CurrentSketch`: O(bins) per column, once for the window and once per bucket), documents into
 * their descriptors plus a seeded sample for the domain classifier; only labelled items are kept,
 * as two numbers and a bucket index (20 bytes) each, for the quality metrics.
 *
 * @example
 * ```ts
 * import { WindowAccumulator } from 'mlship/monitor';
 * const acc = new WindowAccumulator(profile, { model: 'spam', from, to });
 * acc.add([{ timestamp: from + 1, inputs: { text: 'win cash' }, outputs: { label: 'spam' }, label: null, modelVersion: '3' }]);
 * const result = acc.result();
 * ```
 */
export class WindowAccumulator {
  readonly bucketMs: number;
  private readonly nBuckets: number;
  private readonly text: TextSettings | undefined;
  private readonly sketch: CurrentSketch;
  private readonly bucketSketches: (CurrentSketch | undefined)[];
  private readonly quality: QualityAccumulator;
  private readonly bucketRows: number[];
  private readonly bucketLabelled: number[];
  private readonly versions = new Set<string>();
  private rows = 0;
  private labelled = 0;
  private unreadable = 0;
  private lastBucket = 0;

  constructor(
    readonly profile: ReferenceProfile,
    private readonly options: WindowAccumulatorOptions,
  ) {
    const { from, to } = options;
    if (typeof from !== 'number' || !Number.isFinite(from)) throw invalid('from', from, 'must be ms since the epoch');
    if (typeof to !== 'number' || !Number.isFinite(to) || to <= from) throw invalid('to', to, `must be ms since the epoch after from (${from})`);
    const bucketMs = options.bucketMs ?? defaultBucketMs(from, to);
    if (typeof bucketMs !== 'number' || !Number.isFinite(bucketMs) || bucketMs <= 0) throw invalid('bucketMs', bucketMs, 'must be a positive number of ms');
    this.nBuckets = Math.ceil((to - from) / bucketMs);
    if (this.nBuckets > MAX_BUCKETS) throw invalid('bucketMs', bucketMs, `gives ${this.nBuckets} buckets for this window; at most ${MAX_BUCKETS} are allowed, use a wider bucket`);
    this.bucketMs = bucketMs;
    // The domain classifier gets as many current documents as the profile kept reference ones (at
    // most 1,000): balanced classes, and words typical of the window are not dropped by its
    // vectorizer's maxDf 0.5 as they would be if the window outnumbered the reference.
    this.sketch = new CurrentSketch(profile, { textSample: Math.min(1000, Math.max(2, profile.text?.documents.length ?? 1000)) });
    const sketchBytes = this.nBuckets * bucketSketchBytes(profile);
    if (sketchBytes > MAX_BUCKET_SKETCH_BYTES) {
      throw invalid('bucketMs', bucketMs, `gives ${this.nBuckets} buckets, whose sketches of ${Object.keys(profile.columns).length} column(s) would take about ${Math.round(sketchBytes / 2 ** 20)} MB (at most ${MAX_BUCKET_SKETCH_BYTES / 2 ** 20} MB); use a wider bucket`);
    }
    this.bucketSketches = new Array<CurrentSketch | undefined>(this.nBuckets).fill(undefined);
    this.text = profile.input === 'text' ? { vocabulary: profileVocabulary(profile), analyzer: analyzerOf(profile.text?.analyzer) } : undefined;
    this.quality = new QualityAccumulator(profile.task);
    this.bucketRows = new Array<number>(this.nBuckets).fill(0);
    this.bucketLabelled = new Array<number>(this.nBuckets).fill(0);
  }

  /** Items read so far. */
  get count(): number {
    return this.rows;
  }

  /** Adds a chunk of items, oldest first (after every earlier chunk). Items outside [from, to) are skipped. */
  add(items: readonly WindowItem[]): void {
    const { from, to } = this.options;
    const inside = items.filter((p) => p.timestamp >= from && p.timestamp < to);
    let start = 0;
    while (start < inside.length) {
      const b = this.bucketOf(inside[start]!.timestamp);
      if (b < this.lastBucket) {
        throw new MlshipError('INVALID_ARGUMENT', `WindowAccumulator.add: items must come oldest first; an item at ${new Date(inside[start]!.timestamp).toISOString()} came after later ones`, { field: 'timestamp', value: inside[start]!.timestamp });
      }
      let end = start + 1;
      while (end < inside.length && this.bucketOf(inside[end]!.timestamp) === b) end++;
      this.addRun(b, inside, start, end);
      this.lastBucket = b;
      start = end;
    }
  }

  private bucketOf(timestamp: number): number {
    return Math.min(this.nBuckets - 1, Math.floor((timestamp - this.options.from) / this.bucketMs));
  }

  /** Adds items [start, end) of one bucket. */
  private addRun(b: number, items: readonly WindowItem[], start: number, end: number): void {
    const chunk = chunkOf(this.profile, items, start, end, this.text);
    this.sketch.add(chunk.data);
    if (this.text) this.sketch.documents.add(chunk.texts);
    const bucket = (this.bucketSketches[b] ??= new CurrentSketch(this.profile, { textSample: 0 }));
    bucket.add(chunk.data);
    this.unreadable += chunk.unreadable;
    this.rows += end - start;
    this.bucketRows[b]! += end - start;
    for (let i = start; i < end; i++) {
      const p = items[i]!;
      this.versions.add(p.modelVersion ?? 'file');
      if (p.label !== null && p.label !== undefined) {
        this.labelled++;
        this.bucketLabelled[b]!++;
        this.quality.add(chunk.predictions[i - start]!, p.label, b);
      }
    }
  }

  /** Drift, quality, series and distributions of the items added so far. */
  result(): MonitorResult {
    const { profile, rows } = this;
    const { model, from, to, version } = this.options;
    const notes: string[] = [];
    const drift = rows > 0 ? profileDrift(profile, this.sketch) : emptyDrift(0.5);
    const series: MonitorSeriesPoint[] = [];
    for (let b = 0; b < this.nBuckets; b++) {
      const point: MonitorSeriesPoint = { start: from + b * this.bucketMs, rows: this.bucketRows[b]!, labelled: this.bucketLabelled[b]!, shareDrifted: 0, metrics: {} };
      const sketch = this.bucketSketches[b];
      if (sketch && point.rows > 0) point.shareDrifted = profileDrift(profile, sketch, { domainClassifier: false }).shareDrifted;
      if (point.labelled > 0) point.metrics = this.quality.metrics(b).metrics;
      series.push(point);
    }
    let quality: MonitorQuality | null = null;
    if (this.quality.count > 0) {
      const { metrics, n } = this.quality.metrics();
      const reference: Record<string, number> = {};
      for (const k of Object.keys(metrics)) if (profile.metrics[k] !== undefined) reference[k] = profile.metrics[k]!;
      quality = { metrics, reference, labelled: n };
    }
    const distributions: Record<string, ColumnDistribution> = {};
    let predictionDistribution: ColumnDistribution | null = null;
    if (rows > 0) {
      for (const name of Object.keys(drift.columns)) {
        const ref = profile.columns[name];
        const d = ref ? distributionOf(ref, this.sketch.columns.get(name)) : null;
        if (d) distributions[name] = d;
      }
      predictionDistribution = distributionOf(profile.prediction, this.sketch.prediction);
    }
    const versions = [...this.versions].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
    const profileVersion = this.options.profileVersion ?? null;
    if (rows === 0) notes.push(`no predictions of "${model}"${version !== undefined ? ` version ${version}` : ''} in the window`);
    if (versions.length > 1) notes.push(`the window spans versions ${versions.join(', ')}; all are compared with the reference profile of ${profileVersion === null ? 'the given profile' : `version ${profileVersion}, the version that served the window's last prediction`}`);
    if (this.unreadable > 0) notes.push(`${this.unreadable} item(s) had no readable ${this.text ? 'text' : 'input record'} and count as missing values`);
    if (this.quality.skipped > 0) notes.push(`${this.quality.skipped} labelled item(s) had no usable prediction or label and are left out of quality`);
    if (this.labelled > 0 && Object.keys(profile.metrics).length === 0) notes.push('the profile records no quality at training, so there is nothing to compare the window quality with');
    return { model, versions, profileVersion, from, to, bucketMs: this.bucketMs, rows, labelled: this.labelled, input: profile.input, task: profile.task, drift, quality, series, distributions, predictionDistribution, notes };
  }
}

/**
 * Reads the predictions of `model` in [from, to) from the prediction log, page by page (oldest
 * first, into a {@link WindowAccumulator}), and compares them with the model version's reference
 * profile:
 *
 * - **inputs → columns**: a text model's documents become the profile's text descriptor columns
 *   (`text.length`, `text.oov_share` against the training vocabulary, `text.non_letter_share`)
 *   plus a seeded sample of the window's documents for the domain classifier, as large as the
 *   profile's reference sample (at most 1,000), so the two classes are balanced; a tabular model's
 *   records give the profile's input columns.
 * - **outputs → predictions**: the `label` of a classifier's output, the value of a regressor's.
 * - **drift** of the columns and of the predictions against the profile (`profileDrift`).
 * - **quality** of the items that have a ground-truth label: accuracy and macro F1 for a
 *   classifier, RMSE and MAE for a regressor (mlship/learn's metrics), beside `profile.metrics`
 *   measured at training.
 * - **series**: rows, labelled rows, share of drifted columns and quality per time bucket.
 *
 * Several versions: the window may span several model versions (a promotion or rollback inside
 * it). Without `version` every version's predictions are read and compared with ONE profile: the
 * profile of the version that served the window's last prediction (the version in production at
 * the end of the window; `models:/<model>/latest` for an empty window). `versions` lists them all
 * and `notes` says so.
 *
 * @throws MlshipError INVALID_ARGUMENT for a bad option; NOT_FOUND when the model version has no
 *   reference profile (the message says how to make one).
 * @example
 * ```ts
 * import { monitorWindow } from 'mlship/monitor';
 * import { MlshipClient, openPredictionStore } from 'mlship/tracking';
 * const client = await MlshipClient.open({ trackingUri: 'sqlite:///tmp/mlship-demo/mlship.db' });
 * const predictions = await openPredictionStore('sqlite:///tmp/mlship-demo/mlship.db');
 * const result = await monitorWindow({ predictions, client, model: 'spam', from: Date.now() - 86_400_000, to: Date.now() });
 * console.log(result.drift.drift, result.drift.shareDrifted, result.quality?.metrics);
 * ```
 */
export async function monitorWindow(options: MonitorWindowOptions): Promise<MonitorResult> {
  if (options === null || typeof options !== 'object') throw invalid('options', options, 'must be an object');
  const { predictions, client, model, version, from, to } = options;
  if (!predictions || typeof predictions.searchPredictions !== 'function') throw invalid('predictions', typeof predictions, 'must be a PredictionStore (openPredictionStore)');
  if (typeof model !== 'string' || model === '') throw invalid('model', model, 'must be a registered model name such as "spam"');
  if (version !== undefined && (typeof version !== 'string' || version === '')) throw invalid('version', version, 'must be a version number as text such as "3"');
  if (typeof from !== 'number' || !Number.isFinite(from)) throw invalid('from', from, 'must be ms since the epoch');
  if (typeof to !== 'number' || !Number.isFinite(to) || to <= from) throw invalid('to', to, `must be ms since the epoch after from (${from})`);
  const pageSize = options.pageSize ?? DEFAULT_PAGE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > 50_000) throw invalid('pageSize', pageSize, 'must be an integer from 1 to 50000');
  const filter: PredictionFilter = { modelName: model, from, to, ...(version !== undefined ? { modelVersion: version } : {}) };

  let profile = options.profile;
  let profileVersion: string | null = version ?? null;
  if (profile === undefined) {
    if (!client) throw invalid('client', typeof client, 'is needed to load the reference profile; pass client (MlshipClient.open) or profile');
    let v = version;
    if (v === undefined) {
      const last = (await predictions.searchPredictions({ ...filter, order: 'desc', maxResults: 1 })).items[0];
      if (last && last.modelVersion === null) {
        throw new MlshipError('INVALID_ARGUMENT', `monitorWindow: the last prediction of "${model}" in the window comes from a plain model file, not a registry version, so there is no profile to load; pass profile (buildProfile, or loadProfile of the matching version)`, { field: 'profile' });
      }
      v = last?.modelVersion ?? undefined;
    }
    const uri = v === undefined ? `models:/${model}/latest` : `models:/${model}/${v}`;
    profile = await loadProfile(client, uri);
    profileVersion = v ?? String((await client.resolveModelUri(uri)).version);
  }

  const acc = new WindowAccumulator(profile, { model, from, to, profileVersion, ...(version !== undefined ? { version } : {}), ...(options.bucketMs !== undefined ? { bucketMs: options.bucketMs } : {}) });
  const total = await predictions.countPredictions(filter);
  let pageToken: string | undefined;
  // Each next page also narrows `from` to the last item's time: the result is the same (the page
  // token already starts after that item), and SQLite then seeks straight to it instead of
  // scanning from the window's start on every page (which made a 1M-row window quadratic).
  let pageFrom = from;
  do {
    const page = await predictions.searchPredictions({ ...filter, from: pageFrom, order: 'asc', maxResults: pageSize, ...(pageToken !== undefined ? { pageToken } : {}) });
    acc.add(page.items);
    options.onProgress?.(acc.count, Math.max(total, acc.count));
    pageToken = page.nextPageToken;
    const last = page.items[page.items.length - 1];
    if (last) pageFrom = Math.max(from, last.timestamp);
  } while (pageToken);
  return acc.result();
}
