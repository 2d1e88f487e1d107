/**
 * ensemble estimators with scikit-learn 1.2's maths and defaults.
 *
 * @packageDocumentation
 */
export { RandomForestRegressor, RandomForestClassifier, BaseForest } from './forest.js';
export type { ForestParams, RandomForestRegressorParams, RandomForestClassifierParams } from './forest.js';
export * from './hist-gradient-boosting/index.js';
