/**
 * Linear models with scikit-learn 1.2's maths and defaults.
 *
 * @packageDocumentation
 */
export { LogisticRegression } from './logistic-regression.js';
export type { LogisticRegressionParams } from './logistic-regression.js';
export { binomialLossGrad, multinomialLossGrad } from './linear-loss.js';
export { LinearModel } from './base.js';
export { LinearRegression, nnls } from './linear-regression.js';
export type { LinearRegressionParams } from './linear-regression.js';
export { Ridge } from './ridge.js';
export type { RidgeParams } from './ridge.js';
export { BaseElasticNet, ElasticNet, Lasso, enetCoordinateDescent } from './coordinate-descent.js';
export type { ElasticNetParams, LassoParams, EnetResult } from './coordinate-descent.js';
