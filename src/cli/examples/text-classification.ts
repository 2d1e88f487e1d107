import { MlshipError, type Label } from '../../core/index.js';
import { fingerprintTextDataset, listDatasets, type TextDataset } from '../../data/index.js';
import { flow, task } from '../../flow/index.js';
import { GridSearchCV, rocCurve, trainTestSplit, type Pipeline } from '../../learn/index.js';
import { textClassifierSignature } from '../../model/index.js';
import { buildTextPipeline, evaluateTextClassifier, loadTextData, textReferenceProfile, type TextEvaluation } from '../workloads/text.js';
import { ExampleRecorder, type PublishContext, defaultModelName, exampleCacheStorage, confusionMatrixSvg, datasetName, projectRun, promoteTask, publishModel, rocCurveSvg, type ExampleOptions, type ExampleResult, type Tuned } from './common.js';

// The text-classification reference project as a flow: ingest -> validate -> split -> tune ->
// train -> evaluate -> register -> promote, recorded as one flow run (the project's tracking run,
// holding the params, metrics, dataset input, plots and model) with one child run per task.

/** The project's name: its default experiment and registered model. */
export const TEXT_PROJECT = 'text-classification';
/** The built-in dataset it trains on without `data`. */
export const TEXT_DEFAULT_DATA = 'spam-assassin';
/** The MultinomialNB smoothing values the tune step searches. */
export const TEXT_ALPHA_GRID = [0.01, 0.1, 1];
/** Cross-validation folds of the tune step. */
export const TEXT_CV_FOLDS = 3;

interface Split {
  xTrain: string[];
  xTest: string[];
  yTrain: Label[];
  yTest: Label[];
}

/**
 * Checks a labelled text dataset before training (the validate gate): at least two classes,
 * enough documents in each for the stratified split and 3-fold cross-validation, and few empty
 * documents. Returns warnings; throws INVALID_DATA naming each problem.
 *
 * @example
 * ```ts
 * const warnings = validateTextDataset({ source: 'x', texts: ['a', 'b'], labels: ['p', 'n'] });
 * ```
 */
export function validateTextDataset(ds: Pick<TextDataset, 'source' | 'texts' | 'labels'>, folds = TEXT_CV_FOLDS): { classCounts: Record<string, number>; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const n = ds.texts.length;
  const classCounts: Record<string, number> = {};
  for (const l of ds.labels) classCounts[String(l)] = (classCounts[String(l)] ?? 0) + 1;
  const classes = Object.keys(classCounts);
  // each class needs `folds` documents in the 80% training part for stratified k-fold
  const minPerClass = Math.ceil(folds / 0.8) + 1;
  if (classes.length < 2) problems.push(`it has ${classes.length} class${classes.length === 1 ? ` (${JSON.stringify(classes[0])})` : 'es'}; a classifier needs at least 2 labels`);
  for (const [c, count] of Object.entries(classCounts)) {
    if (classes.length >= 2 && count < minPerClass) problems.push(`class ${JSON.stringify(c)} has ${count} document(s); the 80/20 split and ${folds}-fold cross-validation need at least ${minPerClass} per class`);
  }
  const empty = ds.texts.filter((t) => t.trim() === '').length;
  if (n > 0 && empty / n > 0.05) problems.push(`${empty} of ${n} documents (${((100 * empty) / n).toFixed(1)}%) are empty; at most 5% may be`);
  else if (empty > 0) warnings.push(`${empty} empty document(s)`);
  const minority = Math.min(...Object.values(classCounts));
  if (classes.length >= 2 && minority / n < 0.1) warnings.push(`the smallest class has ${((100 * minority) / n).toFixed(1)}% of the documents`);
  const unique = new Set(ds.texts).size;
  if (unique < n) warnings.push(`${n - unique} duplicate document(s)`);
  if (problems.length > 0) {
    throw new MlshipError('INVALID_DATA', `validate: the dataset ${JSON.stringify(ds.source)} failed the quality gate: ${problems.join('; ')}`, {
      field: 'data',
      value: ds.source,
      hint: 'give a labelled dataset with at least two classes and enough documents per class (a CSV with text and label columns, an IMDB CSV or an aclImdb folder)',
    });
  }
  return { classCounts, warnings };
}

/**
 * Runs the text-classification reference project as a flow recorded through `options.client`:
 * ingest (SpamAssassin, or an IMDB CSV / aclImdb folder / text CSV; the dataset digest is the
 * run's input) → validate (gate) → stratified seeded 80/20 split → tune (GridSearchCV over the
 * MultinomialNB alpha, 3-fold CV, F1 macro) → train (TF-IDF + NB with the best alpha) → evaluate
 * (classification report, confusion matrix and ROC curve as SVG) → register → promote to
 * `@champion` when its F1 beats the current champion's. Never throws for a failed task: the
 * result's `state` and `error` say what failed.
 *
 * @example
 * ```ts
 * import { MlshipClient } from 'mlship/tracking';
 * const client = await MlshipClient.open({ trackingUri: 'sqlite:///tmp/mlship-examples/mlship.db' });
 * const result = await runTextClassification({ client, limit: 600 });
 * console.log(result.state, result.metrics.f1, result.model?.uri, result.promotion?.message);
 * await client.close();
 * ```
 */
export async function runTextClassification(options: ExampleOptions): Promise<ExampleResult> {
  const { client } = options;
  const seed = options.seed ?? 42;
  const source = options.data ?? TEXT_DEFAULT_DATA;
  const builtin = listDatasets().some((d) => d.name === source);
  const experiment = options.experiment ?? TEXT_PROJECT;
  const modelName = options.modelName ?? defaultModelName(TEXT_PROJECT, source === TEXT_DEFAULT_DATA ? undefined : source);
  const rec = new ExampleRecorder('text-classification', experiment, options.onTask);
  const r = rec.result;
  const say = (name: string, text: string): void => rec.say(name, text);
  const opts = { onCompletion: rec.hook, onFailure: rec.hook };
  const spec = { kind: 'nb' as const, ...(builtin ? {} : { stripHtml: true }) };

  const ingest = task(
    async () => {
      const ds = await loadTextData(source, { seed, ...(options.limit !== undefined ? { limit: options.limit } : {}), ...(options.cwd !== undefined ? { cwd: options.cwd } : {}), ...(options.progress ? { progress: options.progress } : {}) });
      const digest = fingerprintTextDataset(ds);
      r.dataset = { name: datasetName(source), source: ds.source, digest, rows: ds.texts.length };
      const run = projectRun();
      await run.logInputs([{ name: r.dataset.name, digest, source: ds.source, rowCount: ds.texts.length, context: 'training' }]);
      await run.logParams({ dataset: source, seed, ...(options.limit !== undefined ? { limit: options.limit } : {}) });
      say('ingest', `${ds.texts.length} documents from ${source}${options.limit !== undefined ? ` (stratified subsample of ${options.limit})` : ''}, digest ${digest.slice(0, 12)}`);
      return ds;
    },
    { name: 'ingest', ...opts },
  );

  const validate = task(
    async (ds: TextDataset) => {
      const { classCounts, warnings } = validateTextDataset(ds);
      await projectRun().logJson({ verdict: 'pass', rows: ds.texts.length, classCounts, warnings }, 'validation/quality.json');
      r.artifacts.push('validation/quality.json');
      const counts = Object.entries(classCounts)
        .map(([c, k]) => `${c} ${k}`)
        .join(', ');
      say('validate', `passed: ${counts}${warnings.length ? `; warnings: ${warnings.join('; ')}` : ''}`);
      return ds;
    },
    { name: 'validate', ...opts },
  );

  const split = task(
    (ds: TextDataset): Split => {
      const [xTrain, xTest, yTrain, yTest] = trainTestSplit(ds.texts, ds.labels, { testSize: 0.2, randomState: seed, stratify: ds.labels }) as [string[], string[], Label[], Label[]];
      say('split', `${xTrain.length} train / ${xTest.length} test (stratified 80/20, seed ${seed})`);
      return { xTrain, xTest, yTrain, yTest };
    },
    { name: 'split', ...opts },
  );

  const describeTuning = (t: Tuned): string => `alpha ${TEXT_ALPHA_GRID.map((a, i) => `${a}: ${t.scores[i]!.toFixed(4)}`).join(', ')} (mean ${TEXT_CV_FOLDS}-fold F1 macro); best alpha ${t.alpha}`;
  // the grid search is the expensive step: its result is cached by what decides it (the data's
  // content digest, the split, the grid, the pipeline and mlship's version); --refresh recomputes it
  const tune = task(
    (s: Split): Tuned => {
      const search = new GridSearchCV(buildTextPipeline(spec), { 'clf.alpha': TEXT_ALPHA_GRID }, { cv: TEXT_CV_FOLDS, scoring: 'f1_macro', refit: false, nJobs: -1 });
      search.fit(s.xTrain, s.yTrain);
      const tuned = { alpha: search.bestParams_!['clf.alpha'] as number, cvScore: search.bestScore_!, scores: Array.from(search.cvResults_!.meanTestScore as Float64Array) };
      say('tune', describeTuning(tuned));
      return tuned;
    },
    rec.tuneOptions(() => ({ project: TEXT_PROJECT, data: r.dataset?.digest, seed, grid: TEXT_ALPHA_GRID, folds: TEXT_CV_FOLDS, spec }), describeTuning),
  );

  const train = task(
    async (s: Split, tuned: Tuned) => {
      const { alpha, cvScore } = tuned;
      r.tuning = { params: { 'clf.alpha': alpha }, scoring: 'f1_macro', cvScore, folds: TEXT_CV_FOLDS };
      await projectRun().logParams({ 'clf.alpha': alpha, cv_folds: TEXT_CV_FOLDS, alpha_grid: TEXT_ALPHA_GRID.join(',') });
      await projectRun().logMetrics({ cv_f1_macro: cvScore });
      const t0 = performance.now();
      const pipe = buildTextPipeline({ ...spec, alpha }).fit(s.xTrain, s.yTrain);
      say('train', `TF-IDF + MultinomialNB(alpha ${alpha}) on ${s.xTrain.length} documents in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      return pipe;
    },
    { name: 'train', ...opts },
  );

  const evaluate = task(
    async (pipe: Pipeline, s: Split): Promise<TextEvaluation> => {
      const ev = evaluateTextClassifier(pipe, s.xTest, s.yTest);
      const run = projectRun();
      r.metrics = { accuracy: ev.accuracy, precision: ev.precision, recall: ev.recall, f1: ev.f1, ...(Number.isFinite(ev.rocAuc) ? { roc_auc: ev.rocAuc } : {}) };
      await run.logMetrics(r.metrics);
      await run.logText(ev.report, 'evaluation/classification_report.txt');
      await run.logText(confusionMatrixSvg(ev.confusion.labels.map(String), ev.confusion.matrix), 'evaluation/confusion_matrix.svg');
      r.artifacts.push('evaluation/classification_report.txt', 'evaluation/confusion_matrix.svg');
      if (ev.posLabel !== null) {
        const proba = pipe.predictProba(s.xTest);
        const roc = rocCurve(s.yTest, proba.col(1), { posLabel: ev.posLabel });
        await run.logText(rocCurveSvg(roc.fpr, roc.tpr, ev.rocAuc, String(ev.posLabel)), 'evaluation/roc_curve.svg');
        r.artifacts.push('evaluation/roc_curve.svg');
      }
      say('evaluate', `accuracy ${ev.accuracy.toFixed(4)}, F1 ${ev.f1.toFixed(4)}${ev.posLabel !== null ? ` (${String(ev.posLabel)})` : ' (macro)'}, ROC-AUC ${Number.isFinite(ev.rocAuc) ? ev.rocAuc.toFixed(4) : 'n/a'} on ${ev.n} test documents`);
      return ev;
    },
    { name: 'evaluate', ...opts },
  );

  const publish: PublishContext = { client, rec, project: TEXT_PROJECT, modelName, opts };
  const register = task(
    (pipe: Pipeline, ev: TextEvaluation, s: Split) =>
      publishModel(publish, pipe, { signature: textClassifierSignature(ev.classes), tags: { dataset: source, project: TEXT_PROJECT, ...(ev.posLabel !== null ? { pos_label: String(ev.posLabel) } : {}) } }, () =>
        textReferenceProfile(pipe, s.xTest, s.yTest, ev),
      ),
    { name: 'register', ...opts },
  );
  const promote = promoteTask(publish, 'f1');

  const project = flow(
    async () => {
      r.runId = projectRun().runId;
      const ds = validate(ingest());
      const s = split(ds);
      const alpha = tune(s);
      const pipe = train(s, alpha);
      const ev = evaluate(pipe, s);
      await promote(register(pipe, ev, s));
    },
    { name: TEXT_PROJECT, experiment, client, printLogs: false, ...(options.refresh ? { refresh: true } : {}), cacheStorage: exampleCacheStorage(options) },
  );
  return rec.run(project);
}
