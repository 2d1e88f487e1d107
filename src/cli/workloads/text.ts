import { MlshipError, uniqueLabels, type Label, type Matrix } from '../../core/index.js';
import { resolve } from 'node:path';
import { fingerprintTextDataset, listDatasets, loadText, type TextDataset } from '../../data/index.js';
import {
  LogisticRegression,
  MultinomialNB,
  Pipeline,
  TfidfVectorizer,
  accuracyScore,
  classificationReport,
  confusionMatrix,
  f1Score,
  precisionScore,
  recallScore,
  rocAucScore,
  trainTestSplit,
  type ClassificationReportDict,
} from '../../learn/index.js';
import { saveModel, textClassifierSignature, type SavedModel } from '../../model/index.js';
import { buildProfile, vectorizerVocabulary, type ReferenceProfile } from '../../monitor/index.js';

/** The two reference text models: TF-IDF + Multinomial Naive Bayes, TF-IDF + logistic regression. */
export type TextModelKind = 'nb' | 'logreg';

/** One model to train in the text workload. */
export interface TextModelSpec {
  /** Display name and default file name. @default 'tfidf-nb' or 'tfidf-logreg' */
  name?: string;
  /** Classifier after the TF-IDF step. */
  kind: TextModelKind;
  /** TfidfVectorizer ngramRange. @default [1, 1] for nb, [1, 2] for logreg */
  ngramRange?: [number, number];
  /** TfidfVectorizer minDf (an integer is a count, a fraction a proportion). @default 1 */
  minDf?: number;
  /** TfidfVectorizer maxDf (1.0 = 100%). @default 1.0 */
  maxDf?: number;
  /** LogisticRegression C (inverse regularisation strength). @default 1.0 (scikit-learn's) */
  C?: number;
  /** LogisticRegression maxIter. @default 100 (scikit-learn's) */
  maxIter?: number;
  /**
   * Strip HTML tags (`<br />`) and decode entities before tokenizing, then lowercase: the
   * `'strip_html_lower'` preprocessor, for the IMDB layouts. @default false
   */
  stripHtml?: boolean;
  /** MultinomialNB alpha. @default 1.0 */
  alpha?: number;
}

/** Where a workload reports its steps; the CLI passes its progress line. */
export interface WorkloadProgress {
  start(label: string): void;
  update(fraction: number | undefined, detail?: string): void;
  done(detail?: string): void;
}

/** Options of {@link runTextWorkload}. */
export interface TextWorkloadOptions {
  /** A source for `loadText` (built-in name, CSV, JSONL, aclImdb directory) or a loaded dataset. */
  data: string | TextDataset;
  /** Text column/field for generic CSV/JSONL sources. @default loader's default */
  textColumn?: string;
  /** Label column/field for generic CSV/JSONL sources. @default loader's default */
  labelColumn?: string;
  /** Models to train, each on the same split. */
  models: TextModelSpec[];
  /** Fraction of documents held out for testing. @default 0.2 */
  testSize?: number;
  /** Seed of the (stratified) split and of the `limit` subsample. @default 42 */
  seed?: number;
  /** Use a stratified, seeded subsample of this many documents. @default undefined (all) */
  limit?: number;
  /** Base directory of a relative `data` path. @default process.cwd() */
  cwd?: string;
  /** Progress sink. @default none */
  progress?: WorkloadProgress;
}

/** Scores of a classifier on a labelled set. */
export interface TextEvaluation {
  /** Number of documents evaluated. */
  n: number;
  /** Class labels, in the classifier's column order. */
  classes: Label[];
  /** The label treated as positive for binary F1/precision/recall/ROC-AUC (the greater one); null for multiclass (macro averages). */
  posLabel: Label | null;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** ROC-AUC (binary; one-vs-rest macro for multiclass); NaN when only one class is present. */
  rocAuc: number;
  /** scikit-learn's classification report text. */
  report: string;
  /** The same report as an object. */
  reportDict: ClassificationReportDict;
  /** Confusion matrix, rows = true labels, columns = predicted, in `classes` order. */
  confusion: { labels: Label[]; matrix: number[][] };
  /** Seconds spent in `predict` on the documents (the batch prediction time). */
  predictSeconds: number;
  /** The predicted labels of the documents (for the reference profile). */
  predictions: Label[];
}

/** A trained model of the workload with its test-set evaluation. */
export interface TextModelResult {
  name: string;
  kind: TextModelKind;
  /** The fitted TF-IDF + classifier pipeline. */
  estimator: Pipeline;
  /** Seconds spent in fit (vectorize + train). */
  fitSeconds: number;
  /** Vocabulary size learned by the TF-IDF step. */
  nFeatures: number;
  evaluation: TextEvaluation;
  /** Builds the model's reference profile from the held-out split (documents, predictions, labels, training vocabulary). */
  profile: () => ReferenceProfile;
}

/**
 * The reference profile of a fitted text pipeline on its held-out split: the documents' descriptors
 * and a sample of them, the predictions and labels, the held-out metrics and the training vocabulary.
 *
 * @example
 * ```ts
 * const profile = textReferenceProfile(pipe, xTest, yTest, evaluateTextClassifier(pipe, xTest, yTest));
 * ```
 */
export function textReferenceProfile(pipe: Pipeline, xTest: string[], yTest: ArrayLike<Label>, ev: TextEvaluation): ReferenceProfile {
  return buildProfile({
    task: 'classification',
    texts: xTest,
    predictions: ev.predictions,
    target: yTest,
    metrics: { accuracy: ev.accuracy, ...(Number.isFinite(ev.rocAuc) ? { roc_auc: ev.rocAuc } : {}) },
    classes: ev.classes.map(String),
    ...vectorizerVocabulary(pipe.namedSteps.tfidf),
  });
}

/** What {@link runTextWorkload} returns. */
export interface TextWorkloadResult {
  dataset: {
    source: string;
    rows: number;
    classes: Label[];
    classCounts: Record<string, number>;
    fingerprint: string;
    loadSeconds: number;
  };
  split: { train: number; test: number; testSize: number; seed: number; stratified: true };
  models: TextModelResult[];
}

/**
 * Builds the reference pipeline for a spec: `[['tfidf', TfidfVectorizer], ['clf', MultinomialNB | LogisticRegression]]`.
 *
 * @example
 * ```ts
 * const p = buildTextPipeline({ kind: 'logreg', ngramRange: [1, 2], C: 10 });
 * ```
 */
export function buildTextPipeline(spec: TextModelSpec): Pipeline {
  const tfidf = new TfidfVectorizer({
    ngramRange: spec.ngramRange ?? (spec.kind === 'logreg' ? [1, 2] : [1, 1]),
    ...(spec.minDf !== undefined ? { minDf: spec.minDf } : {}),
    ...(spec.maxDf !== undefined ? { maxDf: spec.maxDf } : {}),
    ...(spec.stripHtml ? { preprocessor: 'strip_html_lower' } : {}),
  });
  const clf =
    spec.kind === 'nb'
      ? new MultinomialNB(spec.alpha !== undefined ? { alpha: spec.alpha } : {})
      : new LogisticRegression({ ...(spec.C !== undefined ? { C: spec.C } : {}), ...(spec.maxIter !== undefined ? { maxIter: spec.maxIter } : {}) });
  return new Pipeline([
    ['tfidf', tfidf],
    ['clf', clf],
  ]);
}

/** The default display name of a spec. */
export function modelName(spec: TextModelSpec): string {
  return spec.name ?? (spec.kind === 'nb' ? 'tfidf-nb' : 'tfidf-logreg');
}

/**
 * Loads a labelled text dataset for the workload, showing progress, optionally reduced to a
 * stratified seeded subsample of `limit` documents.
 *
 * @example
 * ```ts
 * const ds = await loadTextData('spam-assassin', { limit: 1500 });
 * ```
 */
export async function loadTextData(
  source: string,
  options: { textColumn?: string; labelColumn?: string; limit?: number; seed?: number; cwd?: string; progress?: WorkloadProgress } = {},
): Promise<TextDataset> {
  const { progress } = options;
  const builtin = listDatasets().some((d) => d.name === source);
  const path = builtin || options.cwd === undefined ? source : resolve(options.cwd, source);
  progress?.start(`loading ${source}`);
  const ds = await loadText(path, {
    ...(options.textColumn !== undefined ? { textColumn: options.textColumn, textField: options.textColumn } : {}),
    ...(options.labelColumn !== undefined ? { labelColumn: options.labelColumn, labelField: options.labelColumn } : {}),
    onProgress: (p) => {
      const fraction = p.totalRows ? p.rows / p.totalRows : p.totalBytes ? p.bytes / p.totalBytes : undefined;
      progress?.update(fraction, `${p.rows} documents`);
    },
  });
  let out = ds;
  if (options.limit !== undefined && options.limit < ds.texts.length) {
    const [texts, , labels] = trainTestSplit(ds.texts, ds.labels, {
      trainSize: options.limit,
      randomState: options.seed ?? 42,
      stratify: ds.labels,
    }) as [string[], string[], Label[], Label[]];
    out = { ...ds, texts, labels: labels as string[] };
  }
  progress?.done(`${out.texts.length} documents`);
  return out;
}

/**
 * Scores a fitted text classifier on labelled documents: accuracy, precision, recall, F1 and
 * ROC-AUC (binary: for the greater label, as scikit-learn; multiclass: macro / one-vs-rest),
 * the classification report and the confusion matrix.
 *
 * @example
 * ```ts
 * const ev = evaluateTextClassifier(pipeline, ds.texts, ds.labels);
 * console.log(ev.report, ev.accuracy);
 * ```
 */
export function evaluateTextClassifier(estimator: Pipeline, texts: string[], labels: ArrayLike<Label>): TextEvaluation {
  const t0 = performance.now();
  const pred = estimator.predict(texts) as Label[];
  const predictSeconds = (performance.now() - t0) / 1000;
  const proba = estimator.predictProba(texts) as Matrix;
  const classes = (estimator.classes_ ?? uniqueLabels(labels)) as Label[];
  const binary = classes.length === 2;
  const posLabel = binary ? classes[1]! : null;
  const avg: { average: 'binary' | 'macro'; posLabel?: Label; zeroDivision: 0 } = binary ? { average: 'binary', posLabel: posLabel!, zeroDivision: 0 } : { average: 'macro', zeroDivision: 0 };
  const present = uniqueLabels(labels);
  let rocAuc = Number.NaN;
  if (present.length >= 2) {
    rocAuc = binary ? rocAucScore(labels, proba.col(1)) : rocAucScore(labels, proba, { multiClass: 'ovr', labels: classes });
  }
  const cm = confusionMatrix(labels, pred, { labels: classes });
  return {
    n: texts.length,
    classes,
    posLabel,
    accuracy: accuracyScore(labels, pred),
    precision: precisionScore(labels, pred, avg),
    recall: recallScore(labels, pred, avg),
    f1: f1Score(labels, pred, avg),
    rocAuc,
    report: classificationReport(labels, pred, { labels: classes, zeroDivision: 0 }),
    reportDict: classificationReport(labels, pred, { labels: classes, zeroDivision: 0, outputDict: true }),
    confusion: { labels: classes, matrix: cm.toArray() },
    predictSeconds,
    predictions: pred,
  };
}

/**
 * The text reference workload end to end: load, stratified split, fit every model spec on the
 * training part, evaluate on the test part. Returns everything the CLI prints (and the fitted
 * pipelines, to save).
 *
 * @example
 * ```ts
 * const result = await runTextWorkload({ data: 'spam-assassin', models: [{ kind: 'nb' }, { kind: 'logreg' }] });
 * result.models.map((m) => [m.name, m.evaluation.accuracy]);
 * ```
 */
export async function runTextWorkload(options: TextWorkloadOptions): Promise<TextWorkloadResult> {
  const testSize = options.testSize ?? 0.2;
  const seed = options.seed ?? 42;
  if (!(testSize > 0 && testSize < 1)) {
    throw new MlshipError('INVALID_ARGUMENT', `testSize must be a fraction strictly between 0 and 1, got ${testSize}`, { field: 'testSize', value: testSize });
  }
  if (options.models.length === 0) throw new MlshipError('INVALID_ARGUMENT', 'models: give at least one model spec', { field: 'models' });
  const { progress } = options;
  const t0 = performance.now();
  const loadOpts = {
    ...(options.textColumn !== undefined ? { textColumn: options.textColumn } : {}),
    ...(options.labelColumn !== undefined ? { labelColumn: options.labelColumn } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    seed,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(progress ? { progress } : {}),
  };
  const ds = typeof options.data === 'string' ? await loadTextData(options.data, loadOpts) : options.data;
  const loadSeconds = (performance.now() - t0) / 1000;
  const classes = uniqueLabels(ds.labels);
  const classCounts: Record<string, number> = {};
  for (const l of ds.labels) classCounts[String(l)] = (classCounts[String(l)] ?? 0) + 1;

  progress?.start(`splitting ${Math.round((1 - testSize) * 100)}/${Math.round(testSize * 100)}`);
  const [xTrain, xTest, yTrain, yTest] = trainTestSplit(ds.texts, ds.labels, { testSize, randomState: seed, stratify: ds.labels }) as [string[], string[], Label[], Label[]];
  progress?.done(`${xTrain.length} train / ${xTest.length} test, stratified, seed ${seed}`);

  const models: TextModelResult[] = [];
  for (const spec of options.models) {
    const name = modelName(spec);
    const pipeline = buildTextPipeline(spec);
    progress?.start(`fitting ${name}`);
    const f0 = performance.now();
    pipeline.fit(xTrain, yTrain);
    const fitSeconds = (performance.now() - f0) / 1000;
    progress?.done();
    progress?.start(`evaluating ${name}`);
    const evaluation = evaluateTextClassifier(pipeline, xTest, yTest);
    progress?.done(`accuracy ${evaluation.accuracy.toFixed(4)}`);
    const tfidf = pipeline.namedSteps.tfidf as TfidfVectorizer;
    models.push({ name, kind: spec.kind, estimator: pipeline, fitSeconds, nFeatures: tfidf.vocabulary_?.size ?? 0, evaluation, profile: () => textReferenceProfile(pipeline, xTest, yTest, evaluation) });
  }
  return {
    dataset: { source: ds.source, rows: ds.texts.length, classes, classCounts, fingerprint: fingerprintTextDataset(ds), loadSeconds },
    split: { train: xTrain.length, test: xTest.length, testSize, seed, stratified: true },
    models,
  };
}

/**
 * Saves a workload model as a model package with its text signature, test metrics, the training
 * data fingerprint and tags describing the run.
 *
 * @example
 * ```ts
 * await saveTextModel(result, result.models[0], 'mlship/models/tfidf-nb.mlship');
 * ```
 */
export async function saveTextModel(result: TextWorkloadResult, model: TextModelResult, path: string, tags: Record<string, string> = {}): Promise<SavedModel> {
  const ev = model.evaluation;
  return saveModel(path, model.estimator, {
    signature: textClassifierSignature(ev.classes),
    dataFingerprint: result.dataset.fingerprint,
    metrics: { accuracy: ev.accuracy, precision: ev.precision, recall: ev.recall, f1: ev.f1, roc_auc: ev.rocAuc, fit_seconds: model.fitSeconds, test_size: ev.n },
    tags: {
      dataset: result.dataset.source,
      split: `stratified test_size=${result.split.testSize} seed=${result.split.seed}`,
      model: model.name,
      ...(ev.posLabel !== null ? { pos_label: String(ev.posLabel) } : {}),
      ...tags,
    },
  });
}
