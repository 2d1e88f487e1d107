// The reference profile: what monitoring keeps of a model version's reference data (sketches,
// never the raw rows), and the shapes of drift computed against it.
import type { Category } from '../stats/categorical.js';
import type { ColumnDriftResult, ColumnKind, DatasetDriftResult, DriftOverride } from '../drift.js';
import type { DomainClassifierOptions, DomainClassifierResult } from '../text/domain-classifier.js';
import type { MaybeText } from '../text/descriptors.js';

/**
 * A numeric column's sketch. `edges` are ascending bin boundaries: every distinct value
 * when the column has at most `maxBins + 1` of them (then `exact` is true and the sketch is
 * lossless: (edges, equal) is the sample), otherwise the values at ranks ⌊k·(n−1)/maxBins⌋
 * (k = 0..maxBins) merged with maxBins + 1 equally spaced points from min to max (duplicates
 * removed), so each bin holds at most about 1/maxBins of the rows and spans at most 1/maxBins of
 * the range: the sketch stays fine in the sparse tails too.
 *
 * Bins are (edges[k−1], edges[k]] (bin 0 is the single value edges[0] = min). Per bin the sketch
 * keeps the row count, the count equal to the edge, and Σ (edges[k] − x) over the bin's rows, which
 * makes ∫ F(x) dx over every bin exact. Drift from the sketch therefore gives:
 * - KS statistic: exact when `exact` (so for every reference of at most 1,000 rows, where KS is
 *   Evidently's default); otherwise sup |F_r − F_c| over the edges, which is below the true
 *   statistic by at most the largest bin mass (≤ 1/maxBins for the reference plus the current's
 *   mass in one reference bin; within 2·10⁻³ in the tests).
 * - Wasserstein: Σ over bins of |∫ (F_r − F_c)| plus the exact tails beyond min and max; it equals
 *   the true distance except in bins where the two CDFs cross (there both are taken as linear
 *   inside the bin), where the error is at most (bin width) × (both samples' mass in the bin), so
 *   the total error is at most (max − min) / maxBins × 2 / std in normalised units and in practice
 *   far smaller: within 2·10⁻⁴ of `normalizedWasserstein` on raw data in the tests (normal,
 *   log-normal, exponential columns, shifted and not), 5·10⁻⁵ in `bench/monitor`. Exact when
 *   `exact` and the current data has at most 1,000 distinct values outside the reference's (the
 *   CDFs are then known step functions).
 * - Jensen-Shannon and PSI on Sturges bins: each bin's reference mass is read from the sketch at the
 *   histogram edges (linear inside a bin), an error of at most one sketch bin's mass per edge; per
 *   value (≤ 20 distinct reference values) they are exact.
 * - chi-squared and Z (few distinct values): exact, since those columns are stored exactly.
 *
 * @example
 * ```ts
 * import { profileColumn } from 'mlship/monitor';
 * const p = profileColumn([1.5, 2.5, 2.5, 9]);
 * if (p.kind === 'numeric') console.log(p.exact, p.edges, p.equal); // true [1.5, 2.5, 9] [1, 2, 1]
 * ```
 */
export interface NumericColumnProfile {
  kind: 'numeric';
  /** Finite values profiled. */
  count: number;
  /** Missing (null, undefined, NaN) and infinite values (dropped, as drift tests drop them). */
  missing: number;
  mean: number;
  /** Population standard deviation (ddof = 0), the normaliser of the Wasserstein distance. */
  std: number;
  min: number;
  max: number;
  /** Distinct finite values (an exact count; the sketch stores them all when `exact`). */
  distinct: number;
  /** True when `edges` holds every distinct value (the sketch is lossless). */
  exact: boolean;
  /** Ascending reference values: bin boundaries. */
  edges: number[];
  /** Rows in (edges[k−1], edges[k]] (bin 0: rows equal to edges[0]). */
  counts: number[];
  /** Rows equal to edges[k]. */
  equal: number[];
  /** Σ (edges[k] − x) over the rows of bin k (0 for bin 0). */
  below: number[];
}

/**
 * A categorical column's sketch: counts of the `topK` most frequent values (ties broken by first
 * appearance) and one `other` bucket for the rest. When `other` is 0 the counts are exact and
 * chi-squared, Z and Jensen-Shannon from the profile equal the raw-data tests.
 *
 * @example
 * ```ts
 * import { profileColumn } from 'mlship/monitor';
 * profileColumn(['a', 'b', 'a']); // { kind: 'categorical', count: 3, values: [['a', 2], ['b', 1]], other: 0, ... }
 * ```
 */
export interface CategoricalColumnProfile {
  kind: 'categorical';
  count: number;
  missing: number;
  /** Distinct values (exact). */
  distinct: number;
  /** [value, count] of the most frequent values, most frequent first. */
  values: Array<[string | number | boolean, number]>;
  /** Rows whose value is not in `values`. */
  other: number;
  /** Distinct values folded into `other`. */
  otherDistinct: number;
}

/**
 * A column's sketch in a {@link ReferenceProfile}.
 *
 * @example
 * ```ts
 * const c: ColumnProfile = profile.columns['MedInc']!;
 * console.log(c.kind === 'numeric' ? c.mean : c.values[0]);
 * ```
 */
export type ColumnProfile = NumericColumnProfile | CategoricalColumnProfile;

/**
 * What a profile keeps for text drift without the raw training data:
 * - a seeded sample of held-out reference documents for the domain classifier: at most 1,000
 *   documents (`textSample`) and at most 2,000,000 characters (`textSampleChars`), so a corpus of
 *   long e-mails keeps fewer documents (for up to 1,000 reference documents the classifier uses the
 *   permutation baseline, as Evidently does);
 * - the training vocabulary's words with the analyzer settings that produced them, so the
 *   out-of-vocabulary share of current documents is computed the way it was for the reference: as
 *   terms (`vocabulary`) up to 20,000 words, beyond that as `vocabularyHashes`, the base64 of the
 *   ascending 32-bit FNV-1a hashes of the words (over each UTF-16 code unit's low then high byte,
 *   stored as little-endian uint32), about a third of the size, with a false-match probability of
 *   about words / 2³² per token (3·10⁻⁵ for 140,000 words).
 *   Read either with `profileVocabulary(profile)`.
 *
 * @example
 * ```ts
 * const text: TextProfile = { documents: ['win cash now', 'meeting at noon'], documentsTotal: 2, seed: 42,
 *   vocabulary: ['cash', 'meeting', 'noon', 'win'], analyzer: { lowercase: true, tokenPattern: '(?u)\\b\\w\\w+\\b', ngramRange: [1, 1] } };
 * ```
 */
export interface TextProfile {
  /** The sampled reference documents (held-out split). */
  documents: string[];
  /** Reference documents the sample was drawn from. */
  documentsTotal: number;
  /** Seed of the sample. */
  seed: number;
  /** The training vocabulary's words (sorted), when at most 20,000; absent when the model has none. */
  vocabulary?: string[];
  /** The vocabulary as base64 of ascending uint32 FNV-1a hashes, when it has more than 20,000 words. */
  vocabularyHashes?: string;
  /** Words in the vocabulary (either form). */
  vocabularySize?: number;
  /** The vectorizer settings the vocabulary's analyzer is rebuilt from. */
  analyzer?: TextAnalyzerSettings;
}

/**
 * The settings of a word analyzer (a CountVectorizer/TfidfVectorizer's `analyzer: 'word'`).
 *
 * @example
 * ```ts
 * const a: TextAnalyzerSettings = { lowercase: true, tokenPattern: '(?u)\\b\\w\\w+\\b', ngramRange: [1, 1], preprocessor: 'strip_html_lower' };
 * ```
 */
export interface TextAnalyzerSettings {
  lowercase: boolean;
  tokenPattern: string;
  ngramRange: [number, number];
  stopWords?: 'english' | string[] | null;
  stripAccents?: 'ascii' | 'unicode' | null;
  /** A registered preprocessor name (e.g. 'strip_html_lower'), or null. */
  preprocessor?: string | null;
}

/**
 * A model version's reference profile: per-column sketches of its reference (held-out) data, of
 * its predictions and true labels there, the quality measured at training, and for text models what
 * the text drift checks need. JSON-serialisable; saved as the artifact `reference-profile.json` of
 * the version's run.
 *
 * @example
 * ```ts
 * import { buildProfile, profileDrift } from 'mlship/monitor';
 * const profile = buildProfile({ task: 'regression', columns: { rooms: [3, 4, 5, 6, 4] }, predictions: [1.2, 1.9, 2.4, 3.1, 2] });
 * profileDrift(profile, { columns: { rooms: [8, 9, 7, 8, 9] } }).drift;
 * ```
 */
export interface ReferenceProfile {
  format: 1;
  /** ms since epoch. */
  createdAt: number;
  /** Reference rows profiled. */
  rows: number;
  input: 'text' | 'tabular';
  task: 'classification' | 'regression';
  /** Tabular input columns; for text input the descriptors 'text.length', 'text.oov_share', 'text.non_letter_share'. */
  columns: Record<string, ColumnProfile>;
  /** The model's predictions on the reference data (label or value). */
  prediction: ColumnProfile;
  /** The true labels/values of the reference data. */
  target?: ColumnProfile;
  /** Quality measured at training on held-out data: accuracy, f1 (macro), or rmse, mae, r2. */
  metrics: Record<string, number>;
  classes?: string[];
  text?: TextProfile;
  /** Input columns with no value at all in the reference data: not sketched, so not compared. */
  emptyColumns?: string[];
}

/**
 * The reference data {@link buildProfile} summarises.
 *
 * @example
 * ```ts
 * const input: ProfileInput = { task: 'regression', columns: { rooms: [3, 4, 5] }, predictions: [1.1, 1.6, 2.2], target: [1, 1.7, 2.1] };
 * ```
 */
export interface ProfileInput {
  task: 'classification' | 'regression';
  /** Tabular input columns (name → values). Omit for a text model. */
  columns?: Record<string, ArrayLike<Category>>;
  /** The reference documents, for a text model. */
  texts?: readonly MaybeText[];
  /** The model's predictions on the reference rows. */
  predictions: ArrayLike<Category>;
  /** The true labels or values of the reference rows. */
  target?: ArrayLike<Category>;
  /**
   * Held-out quality, merged over the defaults computed from `target` and `predictions`
   * ({@link heldOutMetrics}: accuracy and macro F1, or rmse, mae and r2).
   * @default heldOutMetrics(task, target, predictions) when target is given, else {}
   */
  metrics?: Record<string, number>;
  classes?: readonly string[];
  /** The training vocabulary for the out-of-vocabulary share (text models). */
  vocabulary?: ReadonlySet<string> | ReadonlyMap<string, number> | readonly string[];
  /** The analyzer that built `vocabulary`. @default scikit-learn's word analyzer, unigrams */
  analyzer?: Partial<TextAnalyzerSettings>;
}

/**
 * Options of {@link buildProfile}.
 *
 * @example
 * ```ts
 * buildProfile(input, { maxBins: 500, textSample: 500, seed: 7 });
 * ```
 */
export interface BuildProfileOptions {
  /** Bins of a numeric sketch (it keeps up to `maxBins + 1` edges). @default 1000 */
  maxBins?: number;
  /** Values kept by a categorical sketch. @default 1000 */
  topK?: number;
  /** Reference documents kept for the domain classifier. @default 1000 */
  textSample?: number;
  /** Characters of reference documents kept for the domain classifier (whole documents). @default 2000000 */
  textSampleChars?: number;
  /** Vocabularies larger than this are stored hashed. @default 20000 */
  vocabularyTerms?: number;
  /** Seed of the document sample. @default 42 */
  seed?: number;
  /** Creation time, ms since epoch. @default Date.now() */
  createdAt?: number;
}

/**
 * Current data to compare with a profile: columns, documents and predictions, all optional.
 *
 * @example
 * ```ts
 * const current: CurrentData = { columns: { rooms: Float64Array.of(6, 7, 8) }, predictions: [3.1, 3.5, 3.9] };
 * ```
 */
export interface CurrentData {
  /** Current values per column (Float64Array columns and plain arrays alike). */
  columns?: Record<string, ArrayLike<Category>>;
  /** Current documents (text models). */
  texts?: readonly MaybeText[];
  /** The model's current predictions. */
  predictions?: ArrayLike<Category>;
}

/**
 * Options of {@link profileDrift}.
 *
 * @example
 * ```ts
 * profileDrift(profile, current, { share: 0.3, perKind: { numeric: { method: 'ks' } }, perColumn: { prediction: { threshold: 0.2 } } });
 * ```
 */
export interface ProfileDriftOptions {
  /** The dataset drifts when the share of drifted columns is at least this. @default 0.5 */
  share?: number;
  /** Overrides of the test and threshold per column (also 'prediction'). */
  perColumn?: Record<string, DriftOverride & { kind?: ColumnKind }>;
  /** Overrides for every numeric or categorical column. */
  perKind?: Partial<Record<ColumnKind, DriftOverride>>;
  /** Columns to compare. Default: every profiled column present in the current data. */
  columns?: string[];
  /** Run the text domain classifier when the profile and the current data have documents. @default true */
  domainClassifier?: boolean | DomainClassifierOptions;
  /** Current documents given to the domain classifier (a seeded sample). @default 1000 */
  textSample?: number;
}

/**
 * The result of {@link profileDrift}: DatasetDriftResult's shape plus prediction and text drift.
 *
 * @example
 * ```ts
 * const r: ProfileDriftResult = profileDrift(profile, current);
 * if (r.drift || r.prediction?.drift || r.text?.domainClassifier?.drift) console.log('drift');
 * ```
 */
export interface ProfileDriftResult extends DatasetDriftResult {
  prediction?: ColumnDriftResult;
  text?: {
    domainClassifier?: DomainClassifierResult;
    /** Why the domain classifier did not run (e.g. the documents have no usable words). */
    skipped?: string;
  };
}
