/**
 * Classification metrics, regression metrics, ranking metrics, a business cost metric and scorers, with
 * scikit-learn 1.2.1's names (camelCased), defaults and semantics.
 *
 * @packageDocumentation
 */
export {
  accuracyScore,
  precisionScore,
  recallScore,
  f1Score,
  fbetaScore,
  precisionRecallFscoreSupport,
  confusionMatrix,
  classificationReport,
  logLoss,
  businessCost,
  formatFixed,
} from './classification.js';
export type {
  Average,
  ZeroDivision,
  PrfOptions,
  PrfsResult,
  ConfusionMatrixOptions,
  ClassificationReportOptions,
  ClassificationReportDict,
  ReportRow,
  LogLossOptions,
  BusinessCostOptions,
  BusinessCostResult,
} from './classification.js';
export { rocCurve, rocAucScore, auc, precisionRecallCurve, averagePrecisionScore } from './ranking.js';
export type { RocCurve, RocAucOptions, PrecisionRecallCurve } from './ranking.js';
export {
  meanSquaredError,
  rootMeanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  medianAbsoluteError,
  maxError,
  r2Score,
  explainedVarianceScore,
} from './regression.js';
export type { RegressionMetricOptions } from './regression.js';
export { makeScorer, registerScorer, getScorer, scorerNames } from './scorer.js';
export type { Scorer, ScoreFunction, ScorableEstimator, MakeScorerOptions } from './scorer.js';
