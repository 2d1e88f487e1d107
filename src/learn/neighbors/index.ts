/**
 * Nearest-neighbour estimators with scikit-learn 1.2's maths and defaults.
 *
 * @packageDocumentation
 */
export { KNeighborsBase, KNeighborsClassifier, KNeighborsRegressor } from './kneighbors.js';
export type { KNeighborsParams, KNeighborsResult } from './kneighbors.js';
export { knnBrute } from './brute.js';
export type { KnnResult } from './brute.js';
