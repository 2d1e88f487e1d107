/**
 * Model inspection: permutation feature importance, as scikit-learn's `sklearn.inspection`.
 *
 * @packageDocumentation
 */
export { permutationImportance } from './permutation-importance.js';
export type { PermutationImportanceOptions, PermutationImportanceResult } from './permutation-importance.js';
