/**
 * mlship/learn: scikit-learn-compatible estimators, metrics and model selection.
 *
 * @packageDocumentation
 */
export {
  BaseEstimator,
  registerEstimator,
  estimatorClass,
  registerFunction,
  namedFunction,
  isEstimator,
  isTransformer,
  isClassifier,
  isRegressor,
} from './base.js';
export type { EstimatorSnapshot, EstimatorState, StateValue, EstimatorType, Transformer, Classifier, Regressor } from './base.js';
export * from './metrics/index.js';
export * from './model-selection/index.js';
export * from './feature-extraction/index.js';
export * from './compose/index.js';
export * from './naive-bayes/index.js';
export * from './linear-model/index.js';
export * from './preprocessing/index.js';
export * from './tree/index.js';
export * from './ensemble/index.js';
export * from './neighbors/index.js';
export * from './inspection/index.js';
export { lbfgs, checkMatrix, featureNamesOf, logsumexpRows, softmaxRows } from './kernels/index.js';
export type { LbfgsOptions, LbfgsResult, LossGradFn, MatrixInput, CheckMatrixOptions } from './kernels/index.js';
export * from './testing/index.js';
