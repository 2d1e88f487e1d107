import { MlshipError, NumericColumn, type Table } from '../../core/index.js';
import { fingerprintTable, formatQualityReport, qualityReport } from '../../data/index.js';
import { flow, task } from '../../flow/index.js';
import { GridSearchCV, Pipeline, Ridge, trainTestSplit } from '../../learn/index.js';
import { tableSignature } from '../../model/index.js';
import { buildPreprocessing, evaluateRegressor, loadTabularData, tabularReferenceProfile, type RegressionEvaluation } from '../workloads/tabular.js';
import { ExampleRecorder, type PublishContext, defaultModelName, exampleCacheStorage, datasetName, projectRun, promoteTask, publishModel, residualPlotSvg, type ExampleOptions, type ExampleResult, type Tuned } from './common.js';

// The housing-regression reference project as a flow: ingest -> validate -> split -> tune ->
// train -> evaluate -> register -> promote, recorded as one flow run (the project's tracking run)
// with one child run per task.

/** The project's name: its default experiment and registered model. */
export const HOUSING_PROJECT = 'housing-regression';
/** The built-in dataset it trains on without `data`. */
export const HOUSING_DEFAULT_DATA = 'boston-housing';
/** The Ridge regularisation strengths the tune step searches. */
export const HOUSING_ALPHA_GRID = [0.1, 1, 10];
/** Cross-validation folds of the tune step. */
export const HOUSING_CV_FOLDS = 3;

interface Loaded {
  table: Table;
  target: string;
}
interface Validated {
  X: Table;
  y: Float64Array;
  target: string;
  numeric: string[];
  categorical: string[];
}
interface Split {
  xTrain: Table;
  xTest: Table;
  yTrain: Float64Array;
  yTest: Float64Array;
  numeric: string[];
  categorical: string[];
  target: string;
}

function housingPipeline(numeric: string[], categorical: string[], alpha = 1): Pipeline {
  return new Pipeline([
    ['prep', buildPreprocessing(numeric, categorical)],
    ['model', new Ridge({ alpha })],
  ]);
}

/**
 * Runs the housing-regression reference project as a flow recorded through `options.client`:
 * ingest (Boston housing, or a California-housing CSV or any table with a numeric target; the
 * dataset digest is the run's input) → validate (the data quality report is the gate) → seeded
 * 80/20 split → tune (GridSearchCV over the Ridge alpha, 3-fold CV, RMSE) → train (impute, scale,
 * one-hot + Ridge with the best alpha) → evaluate (RMSE, MAE, R², MAPE and a residual plot as SVG)
 * → register → promote to `@champion` when its RMSE beats the current champion's. Never throws for
 * a failed task: the result's `state` and `error` say what failed.
 *
 * @example
 * ```ts
 * import { MlshipClient } from 'mlship/tracking';
 * const client = await MlshipClient.open({ trackingUri: 'sqlite:///tmp/mlship-examples/mlship.db' });
 * const result = await runHousingRegression({ client });
 * console.log(result.state, result.metrics.rmse, result.model?.uri, result.promotion?.message);
 * await client.close();
 * ```
 */
export async function runHousingRegression(options: ExampleOptions): Promise<ExampleResult> {
  const { client } = options;
  const seed = options.seed ?? 42;
  const source = options.data ?? HOUSING_DEFAULT_DATA;
  const experiment = options.experiment ?? HOUSING_PROJECT;
  const modelName = options.modelName ?? defaultModelName(HOUSING_PROJECT, source === HOUSING_DEFAULT_DATA ? undefined : source);
  const rec = new ExampleRecorder('housing-regression', experiment, options.onTask);
  const r = rec.result;
  const say = (name: string, text: string): void => rec.say(name, text);
  const opts = { onCompletion: rec.hook, onFailure: rec.hook };

  const ingest = task(
    async (): Promise<Loaded> => {
      const loaded = await loadTabularData(source, { ...(options.cwd !== undefined ? { cwd: options.cwd } : {}), ...(options.progress ? { progress: options.progress } : {}) });
      let { table } = loaded;
      if (options.limit !== undefined && options.limit < table.numRows) {
        [table] = trainTestSplit(table, { trainSize: options.limit, randomState: seed }) as [Table, Table];
      }
      const target = loaded.defaultTarget;
      if (target === undefined) {
        throw new MlshipError('INVALID_DATA', `ingest: ${JSON.stringify(source)} is neither a built-in housing dataset nor a California-housing table (columns: ${table.columnNames.join(', ')})`, {
          field: 'data',
          value: source,
          hint: 'give a CSV with the California housing columns (longitude, latitude, ..., median_house_value, ocean_proximity)',
        });
      }
      const digest = fingerprintTable(table);
      r.dataset = { name: datasetName(source), source, digest, rows: table.numRows };
      const run = projectRun();
      await run.logInputs([{ name: r.dataset.name, digest, source, rowCount: table.numRows, context: 'training' }]);
      await run.logParams({ dataset: source, target, seed, ...(options.limit !== undefined ? { limit: options.limit } : {}) });
      say('ingest', `${table.numRows} rows x ${table.columnNames.length} columns from ${source}, target ${target}, digest ${digest.slice(0, 12)}`);
      return { table, target };
    },
    { name: 'ingest', ...opts },
  );

  const validate = task(
    async ({ table, target }: Loaded): Promise<Validated> => {
      const yCol = table.column(target);
      if (!(yCol instanceof NumericColumn)) {
        throw new MlshipError('INVALID_DATA', `validate: the target column '${target}' of ${JSON.stringify(source)} is a ${yCol.kind} column; a regression target must be numeric`, { field: target, value: yCol.kind });
      }
      const report = qualityReport(table, { target });
      await projectRun().logJson(report, 'validation/quality.json');
      r.artifacts.push('validation/quality.json');
      if (report.verdict === 'fail') {
        await projectRun().logText(formatQualityReport(report), 'validation/quality.txt');
        r.artifacts.push('validation/quality.txt');
        throw new MlshipError('INVALID_DATA', `validate: the dataset ${JSON.stringify(source)} failed the quality gate: ${report.reasons.join('; ')}`, {
          field: 'data',
          value: source,
          hint: `fix the data (see validation/quality.txt in the run, or mlship data profile ${source} --target ${target}), then run the example again`,
        });
      }
      const X = table.drop([target]);
      const numeric = X.columns.filter((c) => c instanceof NumericColumn).map((c) => c.name);
      const categorical = X.columns.filter((c) => !(c instanceof NumericColumn)).map((c) => c.name);
      say('validate', `passed the quality report: ${numeric.length} numeric + ${categorical.length} categorical features${report.warnings.length ? `; ${report.warnings.length} warning(s): ${report.warnings[0]}${report.warnings.length > 1 ? ', ...' : ''}` : ''}`);
      return { X, y: yCol.values, target, numeric, categorical };
    },
    { name: 'validate', ...opts },
  );

  const split = task(
    (v: Validated): Split => {
      const [xTrain, xTest, yTrain, yTest] = trainTestSplit(v.X, v.y, { testSize: 0.2, randomState: seed }) as [Table, Table, Float64Array, Float64Array];
      say('split', `${xTrain.numRows} train / ${xTest.numRows} test (80/20, seed ${seed})`);
      return { xTrain, xTest, yTrain, yTest, numeric: v.numeric, categorical: v.categorical, target: v.target };
    },
    { name: 'split', ...opts },
  );

  const describeTuning = (t: Tuned): string => `alpha ${HOUSING_ALPHA_GRID.map((a, i) => `${a}: ${(-t.scores[i]!).toFixed(4)}`).join(', ')} (mean ${HOUSING_CV_FOLDS}-fold RMSE); best alpha ${t.alpha}`;
  // cached by what decides it (see the text project); --refresh recomputes it
  const tune = task(
    (s: Split): Tuned => {
      const search = new GridSearchCV(housingPipeline(s.numeric, s.categorical), { 'model.alpha': HOUSING_ALPHA_GRID }, { cv: HOUSING_CV_FOLDS, scoring: 'neg_root_mean_squared_error', refit: false });
      search.fit(s.xTrain, s.yTrain);
      const tuned = { alpha: search.bestParams_!['model.alpha'] as number, cvScore: -search.bestScore_!, scores: Array.from(search.cvResults_!.meanTestScore as Float64Array) };
      say('tune', describeTuning(tuned));
      return tuned;
    },
    rec.tuneOptions(() => ({ project: HOUSING_PROJECT, data: r.dataset?.digest, seed, grid: HOUSING_ALPHA_GRID, folds: HOUSING_CV_FOLDS }), describeTuning),
  );

  const train = task(
    async (s: Split, tuned: Tuned) => {
      const { alpha, cvScore: cvRmse } = tuned;
      r.tuning = { params: { 'model.alpha': alpha }, scoring: 'rmse', cvScore: cvRmse, folds: HOUSING_CV_FOLDS };
      await projectRun().logParams({ 'model.alpha': alpha, cv_folds: HOUSING_CV_FOLDS, alpha_grid: HOUSING_ALPHA_GRID.join(',') });
      await projectRun().logMetrics({ cv_rmse: cvRmse });
      const t0 = performance.now();
      const pipe = housingPipeline(s.numeric, s.categorical, alpha).fit(s.xTrain, s.yTrain);
      say('train', `impute + scale + one-hot + Ridge(alpha ${alpha}) on ${s.xTrain.numRows} rows in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      return pipe;
    },
    { name: 'train', ...opts },
  );

  const evaluate = task(
    async (pipe: Pipeline, s: Split): Promise<RegressionEvaluation> => {
      const ev = evaluateRegressor(pipe, s.xTest, s.yTest);
      const pred = pipe.predict(s.xTest) as Float64Array;
      const run = projectRun();
      r.metrics = { rmse: ev.rmse, mae: ev.mae, r2: ev.r2, mape: ev.mape };
      await run.logMetrics(r.metrics);
      await run.logJson({ ...r.metrics, n: ev.n, target: s.target }, 'evaluation/metrics.json');
      await run.logText(residualPlotSvg(s.yTest, pred, s.target), 'evaluation/residuals.svg');
      r.artifacts.push('evaluation/metrics.json', 'evaluation/residuals.svg');
      say('evaluate', `RMSE ${ev.rmse.toFixed(4)}, MAE ${ev.mae.toFixed(4)}, R² ${ev.r2.toFixed(4)} on ${ev.n} test rows`);
      return ev;
    },
    { name: 'evaluate', ...opts },
  );

  const publish: PublishContext = { client, rec, project: HOUSING_PROJECT, modelName, opts };
  const register = task(
    (pipe: Pipeline, s: Split, ev: RegressionEvaluation) =>
      publishModel(publish, pipe, { signature: tableSignature(s.xTrain, { task: 'regression' }), tags: { dataset: source, target: s.target, project: HOUSING_PROJECT } }, () =>
        tabularReferenceProfile(s.xTest, s.yTest, ev),
      ),
    { name: 'register', ...opts },
  );
  const promote = promoteTask(publish, 'rmse');

  const project = flow(
    async () => {
      r.runId = projectRun().runId;
      const s = split(validate(ingest()));
      const pipe = train(s, tune(s));
      const ev = evaluate(pipe, s);
      // register after evaluate: the package carries the test metrics
      await promote(register(pipe, s, ev));
    },
    { name: HOUSING_PROJECT, experiment, client, printLogs: false, ...(options.refresh ? { refresh: true } : {}), cacheStorage: exampleCacheStorage(options) },
  );
  return rec.run(project);
}
