/**
 * The estimator conformance suite.
 *
 * @packageDocumentation
 */
export { checkEstimator, assertEstimator, ESTIMATOR_CHECKS } from './check-estimator.js';
export type { EstimatorCheck, CheckResult, CheckReport, CheckEstimatorOptions } from './check-estimator.js';
export { makeSyntheticRegression } from './synthetic.js';
export type { SyntheticRegressionOptions } from './synthetic.js';
