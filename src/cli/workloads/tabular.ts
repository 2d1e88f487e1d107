import { resolve } from 'node:path';
import { MlshipError, NumericColumn, type Table } from '../../core/index.js';
import { CALIFORNIA_COLUMNS, fingerprintTable, isTableDataset, listDatasets, loadCaliforniaHousing, loadTableDataset, qualityReport, readTable, type QualityReport } from '../../data/index.js';
import {
  ColumnTransformer,
  DecisionTreeRegressor,
  HistGradientBoostingRegressor,
  KNeighborsRegressor,
  Lasso,
  LinearRegression,
  OneHotEncoder,
  Pipeline,
  RandomForestRegressor,
  Ridge,
  SimpleImputer,
  StandardScaler,
  explainedVarianceScore,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  permutationImportance,
  r2Score,
  rootMeanSquaredError,
  trainTestSplit,
  type BaseEstimator,
} from '../../learn/index.js';
import { saveModel, tableSignature, type SavedModel } from '../../model/index.js';
import { buildProfile, tableColumns, type ReferenceProfile } from '../../monitor/index.js';
import type { WorkloadProgress } from './text.js';

/** The regression models of the tabular workload. */
export const TABULAR_MODELS = ['linear', 'ridge', 'lasso', 'knn', 'tree', 'rf', 'hgb'] as const;
/** One of {@link TABULAR_MODELS}. */
export type TabularModelKind = (typeof TABULAR_MODELS)[number];

const MODEL_TITLES: Record<TabularModelKind, string> = {
  linear: 'LinearRegression',
  ridge: 'Ridge (alpha 1)',
  lasso: 'Lasso (alpha 0.1)',
  knn: 'KNeighborsRegressor (5 neighbours)',
  tree: 'DecisionTreeRegressor',
  rf: 'RandomForestRegressor (100 trees)',
  hgb: 'HistGradientBoostingRegressor',
};

/** Options of {@link runTabularWorkload}. */
export interface TabularWorkloadOptions {
  /** A built-in tabular dataset name, a CSV/JSONL/Parquet file (the California housing layout is recognised), or a loaded Table. */
  data: string | Table;
  /** The column to predict. @default the dataset's target (`medv`, `median_house_value`) */
  target?: string;
  /** Models to train, each on the same split and preprocessing. */
  models: TabularModelKind[];
  /** Fraction of rows held out for testing. @default 0.2 */
  testSize?: number;
  /** Seed of the split and of the randomized models. @default 42 */
  seed?: number;
  /** Worker threads for the random forest. @default the estimator's default */
  nJobs?: number;
  /** Permutation-importance repeats for the best model (0 to skip). @default 5 */
  importanceRepeats?: number;
  /** Base directory of a relative `data` path. @default process.cwd() */
  cwd?: string;
  /** Progress sink. @default none */
  progress?: WorkloadProgress;
}

/** Test-set scores of a regressor. */
export interface RegressionEvaluation {
  n: number;
  rmse: number;
  mae: number;
  r2: number;
  mape: number;
  explainedVariance: number;
  predictSeconds: number;
  /** The predictions on the evaluated rows (for the reference profile). */
  predictions: Float64Array;
}

/** A trained model of the tabular workload. */
export interface TabularModelResult {
  name: string;
  kind: TabularModelKind;
  title: string;
  /** The fitted preprocessing + regressor pipeline; it takes the feature Table as it was loaded. */
  estimator: Pipeline;
  fitSeconds: number;
  evaluation: RegressionEvaluation;
  /** Builds the model's reference profile from the held-out rows, predictions and targets. */
  profile: () => ReferenceProfile;
}

/**
 * The reference profile of a fitted regressor on its held-out rows: a sketch per input column, of
 * the predictions and of the targets, and the held-out RMSE, MAE and R².
 *
 * @example
 * ```ts
 * const profile = tabularReferenceProfile(xTest, yTest, evaluateRegressor(pipe, xTest, yTest));
 * ```
 */
export function tabularReferenceProfile(xTest: Table, yTest: Float64Array, ev: RegressionEvaluation): ReferenceProfile {
  return buildProfile({ task: 'regression', columns: tableColumns(xTest), predictions: ev.predictions, target: yTest, metrics: { rmse: ev.rmse, mae: ev.mae, r2: ev.r2 } });
}

/** What {@link runTabularWorkload} returns. */
export interface TabularWorkloadResult {
  dataset: { source: string; rows: number; columns: number; target: string; fingerprint: string; loadSeconds: number };
  quality: QualityReport;
  features: { numeric: string[]; categorical: string[] };
  split: { train: number; test: number; testSize: number; seed: number };
  /** The training features, for the model signature. */
  xTrain: Table;
  models: TabularModelResult[];
  /** Permutation importance (drop in R² on the test set) of the best model by RMSE, largest first. */
  importance: { model: string; repeats: number; features: { name: string; mean: number; std: number }[] } | null;
}

const DEFAULT_TARGETS: Record<string, string> = { 'boston-housing': 'medv', california: 'median_house_value' };

/** Loads the workload's table: a built-in dataset, a California-layout CSV, or any CSV/JSONL/Parquet file. */
export async function loadTabularData(source: string, options: { cwd?: string; progress?: WorkloadProgress } = {}): Promise<{ table: Table; defaultTarget: string | undefined }> {
  const { progress } = options;
  progress?.start(`loading ${source}`);
  let table: Table;
  let defaultTarget: string | undefined;
  if (isTableDataset(source)) {
    table = await loadTableDataset(source);
    defaultTarget = listDatasets().find((d) => d.name === source)?.target ?? DEFAULT_TARGETS[source];
  } else {
    const path = options.cwd === undefined ? source : resolve(options.cwd, source);
    const onProgress = (p: { rows: number; bytes?: number; totalBytes?: number }): void => progress?.update(p.totalBytes ? (p.bytes ?? 0) / p.totalBytes : undefined, `${p.rows} rows`);
    table = await readTable(path, { onProgress });
    if (CALIFORNIA_COLUMNS.every((c) => table.has(c))) {
      table = await loadCaliforniaHousing(path);
      defaultTarget = DEFAULT_TARGETS.california;
    }
  }
  progress?.done(`${table.numRows} rows x ${table.columnNames.length} columns`);
  return { table, defaultTarget };
}

/**
 * The preprocessing of the tabular workload: numeric columns get a median imputer and a standard
 * scaler, text and category columns a one-hot encoder that ignores unseen values.
 */
export function buildPreprocessing(numeric: string[], categorical: string[]): ColumnTransformer {
  const parts: [string, BaseEstimator<any>, string[]][] = [];
  if (numeric.length > 0) {
    parts.push([
      'num',
      new Pipeline([
        ['impute', new SimpleImputer({ strategy: 'median' })],
        ['scale', new StandardScaler()],
      ]),
      numeric,
    ]);
  }
  if (categorical.length > 0) {
    parts.push([
      'cat',
      new Pipeline([
        ['impute', new SimpleImputer({ strategy: 'most_frequent' })],
        ['onehot', new OneHotEncoder({ handleUnknown: 'ignore', sparseOutput: false })],
      ]),
      categorical,
    ]);
  }
  return new ColumnTransformer(parts as ConstructorParameters<typeof ColumnTransformer>[0]);
}

function buildRegressor(kind: TabularModelKind, seed: number, nJobs: number | undefined): BaseEstimator<any> {
  const jobs = nJobs !== undefined ? { nJobs } : {};
  switch (kind) {
    case 'linear':
      return new LinearRegression();
    case 'ridge':
      return new Ridge({ alpha: 1 });
    case 'lasso':
      return new Lasso({ alpha: 0.1 });
    case 'knn':
      return new KNeighborsRegressor({ nNeighbors: 5 });
    case 'tree':
      return new DecisionTreeRegressor({ randomState: seed });
    case 'rf':
      return new RandomForestRegressor({ nEstimators: 100, randomState: seed, ...jobs });
    case 'hgb':
      return new HistGradientBoostingRegressor({ randomState: seed });
  }
}

/** Scores a fitted regressor on a labelled table. */
export function evaluateRegressor(estimator: Pipeline, X: Table, y: Float64Array): RegressionEvaluation {
  const t0 = performance.now();
  const pred = estimator.predict(X) as Float64Array;
  const predictSeconds = (performance.now() - t0) / 1000;
  return {
    n: y.length,
    rmse: rootMeanSquaredError(y, pred),
    mae: meanAbsoluteError(y, pred),
    r2: r2Score(y, pred),
    mape: meanAbsolutePercentageError(y, pred),
    explainedVariance: explainedVarianceScore(y, pred),
    predictSeconds,
    predictions: pred,
  };
}

/**
 * The housing regression reference workload: load a table, report its data quality, split 80/20
 * (seeded), impute/scale/one-hot encode, fit each model, score it on the test set, and rank the
 * features of the best model by permutation importance.
 *
 * @example
 * ```ts
 * const r = await runTabularWorkload({ data: 'boston-housing', models: ['ridge', 'rf', 'hgb'] });
 * r.models.map((m) => [m.name, m.evaluation.rmse]);
 * ```
 */
export async function runTabularWorkload(options: TabularWorkloadOptions): Promise<TabularWorkloadResult> {
  const testSize = options.testSize ?? 0.2;
  const seed = options.seed ?? 42;
  if (!(testSize > 0 && testSize < 1)) {
    throw new MlshipError('INVALID_ARGUMENT', `testSize must be a fraction strictly between 0 and 1, got ${testSize}`, { field: 'testSize', value: testSize });
  }
  if (options.models.length === 0) throw new MlshipError('INVALID_ARGUMENT', `models: give at least one of ${TABULAR_MODELS.join(', ')}`, { field: 'models' });
  const { progress } = options;
  const t0 = performance.now();
  const source = typeof options.data === 'string' ? options.data : '(table)';
  const loaded =
    typeof options.data === 'string' ? await loadTabularData(options.data, { ...(options.cwd !== undefined ? { cwd: options.cwd } : {}), ...(progress ? { progress } : {}) }) : { table: options.data, defaultTarget: undefined };
  const loadSeconds = (performance.now() - t0) / 1000;
  const { table } = loaded;
  const target = options.target ?? loaded.defaultTarget;
  if (target === undefined) {
    throw new MlshipError('INVALID_ARGUMENT', `${source}: say which column to predict with --target (columns: ${table.columnNames.join(', ')})`, { field: 'target' });
  }
  const yCol = table.column(target);
  if (!(yCol instanceof NumericColumn)) {
    throw new MlshipError('INVALID_DATA', `${source}: the target column '${target}' is a ${yCol.kind} column; a regression target must be numeric`, { field: target, value: yCol.kind });
  }
  if (yCol.nullCount > 0) {
    throw new MlshipError('INVALID_DATA', `${source}: the target column '${target}' has ${yCol.nullCount} missing values; drop those rows before training`, { field: target, value: yCol.nullCount });
  }
  const quality = qualityReport(table, { target });
  const X = table.drop([target]);
  const numeric = X.columns.filter((c) => c instanceof NumericColumn).map((c) => c.name);
  const categorical = X.columns.filter((c) => !(c instanceof NumericColumn)).map((c) => c.name);
  const [xTrain, xTest, yTrain, yTest] = trainTestSplit(X, yCol.values, { testSize, randomState: seed }) as [Table, Table, Float64Array, Float64Array];

  const models: TabularModelResult[] = [];
  for (const kind of options.models) {
    const title = MODEL_TITLES[kind];
    progress?.start(`fitting ${title}`);
    const pipe = new Pipeline([
      ['prep', buildPreprocessing(numeric, categorical)],
      ['model', buildRegressor(kind, seed, options.nJobs)],
    ]);
    const f0 = performance.now();
    pipe.fit(xTrain, yTrain);
    const fitSeconds = (performance.now() - f0) / 1000;
    const evaluation = evaluateRegressor(pipe, xTest, yTest);
    progress?.done(`${fitSeconds.toFixed(2)} s, test RMSE ${evaluation.rmse.toFixed(3)}`);
    models.push({ name: `housing-${kind}`, kind, title, estimator: pipe, fitSeconds, evaluation, profile: () => tabularReferenceProfile(xTest, yTest, evaluation) });
  }

  let importance: TabularWorkloadResult['importance'] = null;
  const repeats = options.importanceRepeats ?? 5;
  if (repeats > 0) {
    const best = models.reduce((a, b) => (b.evaluation.rmse < a.evaluation.rmse ? b : a));
    progress?.start(`permutation importance of ${best.title}`);
    const imp = permutationImportance(best.estimator, xTest, yTest, { scoring: 'r2', nRepeats: repeats, randomState: seed });
    const features = X.columnNames.map((name, j) => ({ name, mean: imp.importancesMean[j]!, std: imp.importancesStd[j]! })).sort((a, b) => b.mean - a.mean);
    progress?.done();
    importance = { model: best.name, repeats, features };
  }

  return {
    dataset: { source, rows: table.numRows, columns: table.columnNames.length, target, fingerprint: fingerprintTable(table), loadSeconds },
    quality,
    features: { numeric, categorical },
    split: { train: xTrain.numRows, test: xTest.numRows, testSize, seed },
    xTrain,
    models,
    importance,
  };
}

/**
 * Saves a tabular workload model as a model package: the signature of the feature table, the test
 * metrics, the data fingerprint and tags describing the run.
 *
 * @example
 * ```ts
 * await saveTabularModel(result, result.models[0], 'mlship/models/housing-hgb.mlship');
 * ```
 */
export async function saveTabularModel(result: TabularWorkloadResult, model: TabularModelResult, path: string, tags: Record<string, string> = {}): Promise<SavedModel> {
  const ev = model.evaluation;
  return saveModel(path, model.estimator, {
    signature: tableSignature(result.xTrain, { task: 'regression' }),
    dataFingerprint: result.dataset.fingerprint,
    metrics: { rmse: ev.rmse, mae: ev.mae, r2: ev.r2, mape: ev.mape, fit_seconds: model.fitSeconds, test_size: ev.n },
    tags: {
      dataset: result.dataset.source,
      target: result.dataset.target,
      split: `test_size=${result.split.testSize} seed=${result.split.seed}`,
      model: model.name,
      ...tags,
    },
  });
}
