/**
 * Histogram-based gradient boosting (scikit-learn 1.2's `HistGradientBoostingRegressor` and
 * `HistGradientBoostingClassifier`).
 *
 * @packageDocumentation
 */
export { HistGradientBoostingRegressor, HistGradientBoostingClassifier, BaseHistGradientBoosting } from './gradient-boosting.js';
export type { HistGradientBoostingParams, HistGradientBoostingRegressorParams, HistGradientBoostingClassifierParams } from './gradient-boosting.js';
export type { Forest } from './predictor.js';
