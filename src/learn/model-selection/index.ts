/**
 * Model selection: train/test splits, cross-validation splitters, cross-validation and
 * hyperparameter search (in parallel on worker threads), with scikit-learn 1.2.1's names.
 *
 * @packageDocumentation
 */
export { KFold, StratifiedKFold, TimeSeriesSplit, trainTestSplit, trainTestIndices, validateShuffleSplit, approximateMode, isCrossValidator } from './split.js';
export type { Fold, Rows, CrossValidator, KFoldOptions, TimeSeriesSplitOptions, TrainTestSplitOptions } from './split.js';
export { crossValidate, crossValScore, checkCv } from './validation.js';
export type { CvOption, ScoringOption, CrossValidateOptions, CrossValidateResult, CrossValScoreOptions } from './validation.js';
export {
  GridSearchCV,
  RandomizedSearchCV,
  BaseSearchCV,
  parameterGrid,
  parameterSampler,
  rankScores,
  UniformDistribution,
  LogUniformDistribution,
  RandIntDistribution,
} from './search.js';
export type { ParamGrid, ParamDistribution, ParamDistributions, CvResults, SearchOptions, GridSearchParams, RandomizedSearchParams } from './search.js';
export type { Progress } from './fit-engine.js';
