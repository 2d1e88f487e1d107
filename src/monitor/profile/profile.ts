// Building a reference profile, streaming current data into sketches, and drift against a profile.
import { MlshipError, isMlshipError, type Table } from '../../core/index.js';
import { accuracyScore, f1Score, meanAbsoluteError, r2Score, rootMeanSquaredError } from '../../learn/index.js';
import type { Category } from '../stats/categorical.js';
import type { ColumnDriftResult } from '../drift.js';
import { domainClassifierDrift } from '../text/domain-classifier.js';
import type { MaybeText } from '../text/descriptors.js';
import { sketchColumnDrift, type ColumnAccumulator } from './column-drift.js';
import { CategoricalAccumulator, NumericAccumulator, profileColumn } from './sketch.js';
import { DEFAULT_ANALYZER, DocumentReservoir, VOCABULARY_TERMS, analyzerOf, descriptorColumns, hashVocabulary, profileVocabulary, sampleDocuments } from './text.js';
import type { VocabularyLookup } from '../text/descriptors.js';
import type { BuildProfileOptions, ColumnProfile, CurrentData, ProfileDriftOptions, ProfileDriftResult, ProfileInput, ReferenceProfile, TextAnalyzerSettings } from './types.js';
import { checkProfile } from './validate.js';
import type { Tokenizer } from '../../learn/index.js';

function vocabularyArray(v: ProfileInput['vocabulary']): string[] | undefined {
  if (v === undefined) return undefined;
  const terms = v instanceof Map ? [...v.keys()] : Array.isArray(v) ? [...(v as readonly string[])] : [...(v as ReadonlySet<string>)];
  if (!terms.every((t) => typeof t === 'string')) throw new MlshipError('INVALID_ARGUMENT', 'buildProfile: vocabulary must hold strings (a Set, an array, or a vectorizer vocabulary_ Map)', { field: 'vocabulary' });
  return terms;
}

/**
 * The held-out quality a profile records by default, under the names monitoring computes on
 * labelled windows: accuracy and macro F1 for a classifier, RMSE, MAE and R² for a regressor.
 *
 * @example
 * ```ts
 * import { heldOutMetrics } from 'mlship/monitor';
 * heldOutMetrics('classification', ['a', 'b', 'a'], ['a', 'b', 'b']); // { accuracy: 0.667, f1: 0.667 }
 * ```
 */
export function heldOutMetrics(task: 'classification' | 'regression', target: ArrayLike<Category>, predictions: ArrayLike<Category>): Record<string, number> {
  // Only the rows with both a label and a prediction count.
  const rows: number[] = [];
  const n = Math.min(target.length, predictions.length);
  const present = (v: Category): boolean => v !== null && v !== undefined && !(typeof v === 'number' && !Number.isFinite(v));
  for (let i = 0; i < n; i++) if (present(target[i]) && present(predictions[i])) rows.push(i);
  if (rows.length === 0) return {};
  if (task === 'classification') {
    const t = rows.map((i) => String(target[i]));
    const p = rows.map((i) => String(predictions[i]));
    return { accuracy: accuracyScore(t, p), f1: f1Score(t, p, { average: 'macro', zeroDivision: 0 }) };
  }
  const t = Float64Array.from(rows, (i) => Number(target[i]));
  const p = Float64Array.from(rows, (i) => Number(predictions[i]));
  return { rmse: rootMeanSquaredError(t, p), mae: meanAbsoluteError(t, p), r2: r2Score(t, p) };
}

/**
 * The columns of a Table as value arrays (null for a missing cell), for {@link buildProfile}.
 *
 * @example
 * ```ts
 * import { tableColumns, buildProfile } from 'mlship/monitor';
 * buildProfile({ task: 'regression', columns: tableColumns(xTest), predictions, target: yTest });
 * ```
 */
export function tableColumns(table: Table): Record<string, Category[]> {
  const out: Record<string, Category[]> = {};
  for (const col of table.columns) out[col.name] = Array.from({ length: table.numRows }, (_, i) => col.get(i) as Category);
  return out;
}

/**
 * Builds a model version's reference profile from its reference (held-out) data: a sketch per
 * input column (for text models, per text descriptor), of the predictions and of the true labels,
 * the held-out metrics, and for text models a seeded sample of documents and the training
 * vocabulary. The profile holds no raw rows beyond the document sample.
 *
 * @throws MlshipError INVALID_ARGUMENT when neither columns nor texts are given, lengths differ,
 *   or a column has no usable value.
 * @example
 * ```ts
 * import { buildProfile } from 'mlship/monitor';
 * const profile = buildProfile({
 *   task: 'classification',
 *   texts: xTest, predictions: model.predict(xTest), target: yTest,
 *   metrics: { accuracy: 0.97, f1: 0.96 }, classes: ['ham', 'spam'],
 *   vocabulary: tfidf.vocabulary_, analyzer: { ngramRange: [1, 2] },
 * });
 * ```
 */
export function buildProfile(input: ProfileInput, options: BuildProfileOptions = {}): ReferenceProfile {
  if (input.task !== 'classification' && input.task !== 'regression')
    throw new MlshipError('INVALID_ARGUMENT', `buildProfile: task must be 'classification' or 'regression', got ${JSON.stringify(input.task)}`, { field: 'task', value: input.task });
  const hasText = input.texts !== undefined;
  if (!hasText && input.columns === undefined) throw new MlshipError('INVALID_ARGUMENT', 'buildProfile: pass the reference columns (tabular model) or texts (text model)', { field: 'columns' });
  const rows = hasText ? input.texts!.length : Object.values(input.columns!)[0]?.length ?? input.predictions.length;
  const checkLength = (name: string, n: number): void => {
    if (n !== rows) throw new MlshipError('INVALID_ARGUMENT', `buildProfile: ${name} has ${n} rows but the reference has ${rows}; pass values for the same rows`, { field: name, value: n });
  };
  const maxBins = options.maxBins;
  const topK = options.topK;
  const sketchOpts = { ...(maxBins !== undefined ? { maxBins } : {}), ...(topK !== undefined ? { topK } : {}) };
  const columns: Record<string, ColumnProfile> = {};
  let text: ReferenceProfile['text'];
  if (hasText) {
    const words = vocabularyArray(input.vocabulary);
    const analyzer: TextAnalyzerSettings = { ...DEFAULT_ANALYZER, ...input.analyzer };
    const seed = options.seed ?? 42;
    const documents = sampleDocuments(input.texts!, options.textSample ?? 1000, seed, options.textSampleChars ?? 2_000_000);
    text = { documents, documentsTotal: input.texts!.filter((t) => typeof t === 'string').length, seed };
    if (words) {
      if (words.length <= (options.vocabularyTerms ?? VOCABULARY_TERMS)) text.vocabulary = words.sort();
      else text.vocabularyHashes = hashVocabulary(words);
      text.vocabularySize = words.length;
      text.analyzer = analyzer;
    }
    // The reference's descriptors go through the same lookup as current documents will.
    const desc = descriptorColumns(input.texts!, profileVocabulary({ text }), analyzerOf(analyzer));
    for (const [name, values] of Object.entries(desc)) columns[name] = profileColumn(values, { ...sketchOpts, kind: 'numeric', column: name });
  }
  const empty: string[] = [];
  if (input.columns) {
    for (const [name, values] of Object.entries(input.columns)) {
      checkLength(`column ${JSON.stringify(name)}`, values.length);
      // A column without a single value in the reference cannot be compared: it is listed, not sketched.
      if (!hasValue(values)) empty.push(name);
      else columns[name] = profileColumn(values, { ...sketchOpts, column: name });
    }
  }
  checkLength('predictions', input.predictions.length);
  const labelKind = input.task === 'classification' ? 'categorical' : 'numeric';
  // Class labels are compared as text, so 1 and '1' (a label as served over JSON) are one class.
  const labels = (v: ArrayLike<Category>): ArrayLike<Category> => (labelKind === 'categorical' ? asLabels(v) : v);
  const prediction = profileColumn(labels(input.predictions), { ...sketchOpts, kind: labelKind, column: 'prediction' });
  const profile: ReferenceProfile = {
    format: 1,
    createdAt: options.createdAt ?? Date.now(),
    rows,
    input: hasText ? 'text' : 'tabular',
    task: input.task,
    columns,
    prediction,
    metrics: { ...(input.target !== undefined ? heldOutMetrics(input.task, input.target, input.predictions) : {}), ...input.metrics },
  };
  if (input.target !== undefined) {
    checkLength('target', input.target.length);
    profile.target = profileColumn(labels(input.target), { ...sketchOpts, kind: labelKind, column: 'target' });
  }
  if (input.classes) profile.classes = input.classes.map(String);
  if (empty.length > 0) profile.emptyColumns = empty;
  if (text) profile.text = text;
  return profile;
}

function hasValue(values: ArrayLike<Category>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && !(typeof v === 'number' && !Number.isFinite(v))) return true;
  }
  return false;
}

/** Class labels as text (missing values stay missing). */
function asLabels(values: ArrayLike<Category>): Category[] {
  return Array.from(values, (v) => (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : String(v)));
}

function accumulatorFor(name: string, p: ColumnProfile): ColumnAccumulator {
  return p.kind === 'numeric' ? new NumericAccumulator(name, p) : new CategoricalAccumulator();
}

/**
 * The current side of a drift check, built chunk by chunk: every column is accumulated on the
 * profile's bins (O(1) work per value, memory bounded by the sketches whatever the number of rows),
 * documents become descriptor columns plus a seeded reservoir sample for the domain classifier, and
 * predictions are sketched like a column. Pass it to {@link profileDrift} when done.
 *
 * @example
 * ```ts
 * import { CurrentSketch, profileDrift } from 'mlship/monitor';
 * const sketch = new CurrentSketch(profile);
 * for await (const chunk of chunks) sketch.add({ columns: chunk.columns, predictions: chunk.predictions });
 * const report = profileDrift(profile, sketch);
 * ```
 */
export class CurrentSketch {
  /** Accumulators per profiled column that has received data. */
  readonly columns = new Map<string, ColumnAccumulator>();
  prediction: ColumnAccumulator | undefined;
  readonly documents: DocumentReservoir;
  private readonly vocabulary: VocabularyLookup | undefined;
  private analyzer: Tokenizer | undefined;
  private textRows = 0;

  constructor(
    readonly profile: ReferenceProfile,
    options: { textSample?: number; seed?: number } = {},
  ) {
    checkProfile(profile, 'CurrentSketch');
    this.documents = new DocumentReservoir(options.textSample ?? 1000, options.seed ?? 42);
    this.vocabulary = profileVocabulary(profile);
  }

  private column(name: string): ColumnAccumulator | undefined {
    let acc = this.columns.get(name);
    if (acc === undefined) {
      const p = this.profile.columns[name];
      if (p === undefined) return undefined;
      acc = accumulatorFor(name, p);
      this.columns.set(name, acc);
    }
    return acc;
  }

  /** Adds a chunk of current data; columns the profile does not know are ignored. */
  add(chunk: CurrentData): this {
    if (chunk.columns) for (const [name, values] of Object.entries(chunk.columns)) this.column(name)?.add(values);
    if (chunk.texts) this.addTexts(chunk.texts);
    if (chunk.predictions) {
      this.prediction ??= accumulatorFor('prediction', this.profile.prediction);
      this.prediction.add(this.profile.task === 'classification' ? asLabels(chunk.predictions) : chunk.predictions);
    }
    return this;
  }

  /** Adds current documents: their descriptors (as the profile's text columns) and the reservoir sample. */
  addTexts(texts: readonly MaybeText[]): this {
    if (this.profile.input !== 'text')
      throw new MlshipError('INVALID_ARGUMENT', 'CurrentSketch: the profile is of a tabular model; pass columns, not texts', { field: 'texts' });
    this.analyzer ??= analyzerOf(this.profile.text?.analyzer);
    const desc = descriptorColumns(texts, this.vocabulary, this.analyzer);
    for (const [name, values] of Object.entries(desc)) this.column(name)?.add(values);
    this.documents.add(texts);
    this.textRows += texts.length;
    return this;
  }

  /** Rows added as documents. */
  get texts(): number {
    return this.textRows;
  }
}

/**
 * Drift of current data against a model version's reference profile: every profiled column (for
 * text models, the descriptors) through the same tests as {@link columnDrift} with Evidently's
 * default choice from the reference size and distinct count, per-column and per-kind overrides,
 * dataset drift at a share of 0.5; prediction drift; and for text models the domain classifier
 * between the profile's document sample and a sample of the current documents.
 *
 * `current` is either data (columns as Float64Array or plain arrays, texts, predictions), which is
 * streamed into a {@link CurrentSketch}, or a CurrentSketch already filled chunk by chunk. Results
 * agree with columnDrift on the raw reference: exactly for KS, chi-squared and Z when the reference
 * kept every distinct value (≤ 1,001 of them, so every reference of ≤ 1,000 rows), and within the
 * error bounds documented on {@link NumericColumnProfile} otherwise.
 *
 * @throws MlshipError INVALID_ARGUMENT when a requested column is absent from the current data, a
 *   current column is empty, or an option is invalid.
 * @example
 * ```ts
 * import { loadProfile, profileDrift } from 'mlship/monitor';
 * const profile = await loadProfile(client, 'models:/housing@champion');
 * const r = profileDrift(profile, { columns: { MedInc: incomes, HouseAge: ages }, predictions });
 * console.log(r.shareDrifted, r.drift, r.prediction?.drift);
 * ```
 */
export function profileDrift(profile: ReferenceProfile, current: CurrentData | CurrentSketch, options: ProfileDriftOptions = {}): ProfileDriftResult {
  const share = options.share ?? 0.5;
  if (!(share > 0 && share <= 1)) throw new MlshipError('INVALID_ARGUMENT', `profileDrift: share must be in (0, 1], got ${share}`, { field: 'share', value: share });
  let sketch: CurrentSketch;
  if (current instanceof CurrentSketch) {
    if (current.profile !== profile) checkProfile(profile, 'profileDrift');
    sketch = current;
  } else {
    sketch = new CurrentSketch(profile, { ...(options.textSample !== undefined ? { textSample: options.textSample } : {}) });
    sketch.add(current);
  }
  const names = options.columns ?? Object.keys(profile.columns).filter((n) => sketch.columns.has(n));
  const columns: Record<string, ColumnDriftResult> = {};
  let drifted = 0;
  for (const name of names) {
    const ref = profile.columns[name];
    if (ref === undefined) throw new MlshipError('INVALID_ARGUMENT', `profileDrift: column ${JSON.stringify(name)} is not in the profile (it has ${Object.keys(profile.columns).join(', ')})`, { field: name });
    const cur = sketch.columns.get(name);
    if (cur === undefined) throw new MlshipError('INVALID_ARGUMENT', `profileDrift: column ${JSON.stringify(name)} is missing from the current data; pass it or leave it out of options.columns`, { field: name });
    const own = options.perColumn?.[name];
    const kind = own?.kind ?? (ref.kind === 'numeric' && cur instanceof NumericAccumulator ? 'numeric' : 'categorical');
    const byKind = options.perKind?.[kind];
    // As datasetDrift: a column's own method brings its own threshold (or the method's default).
    const method = own?.method ?? byKind?.method;
    const threshold = own?.method !== undefined ? own.threshold : (own?.threshold ?? byKind?.threshold);
    const r = sketchColumnDrift(name, ref, cur, { kind, ...(method !== undefined ? { method } : {}), ...(threshold !== undefined ? { threshold } : {}) });
    columns[name] = r;
    if (r.drift) drifted++;
  }
  const shareDrifted = names.length ? drifted / names.length : 0;
  const result: ProfileDriftResult = { columns, driftedColumns: drifted, numberOfColumns: names.length, shareDrifted, share, drift: names.length > 0 && shareDrifted >= share };
  if (sketch.prediction && sketch.prediction.count > 0) {
    const own = options.perColumn?.prediction;
    result.prediction = sketchColumnDrift('prediction', profile.prediction, sketch.prediction, {
      ...(own?.kind !== undefined ? { kind: own.kind } : {}),
      ...(own?.method !== undefined ? { method: own.method } : {}),
      ...(own?.threshold !== undefined ? { threshold: own.threshold } : {}),
    });
  }
  const dc = options.domainClassifier ?? true;
  const refDocs = profile.text?.documents ?? [];
  if (dc !== false && refDocs.length >= 2 && sketch.documents.items.length >= 2) {
    try {
      result.text = { domainClassifier: domainClassifierDrift(refDocs, sketch.documents.items, dc === true ? {} : dc) };
    } catch (err) {
      // Documents the classifier cannot learn from (no usable words) leave the other checks standing.
      if (!isMlshipError(err, 'INVALID_ARGUMENT') || /must be|must hold/.test(err.message)) throw err;
      result.text = { skipped: err.message };
    }
  }
  return result;
}

