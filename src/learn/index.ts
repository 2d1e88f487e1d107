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
