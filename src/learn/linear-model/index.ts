/**
 * Linear models with scikit-learn 1.2's maths and defaults.
 *
 * @packageDocumentation
 */
export { LogisticRegression } from './logistic-regression.js';
export type { LogisticRegressionParams } from './logistic-regression.js';
export { binomialLossGrad, multinomialLossGrad } from './linear-loss.js';
