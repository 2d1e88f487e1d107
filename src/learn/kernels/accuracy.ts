import { MlshipError, type Label } from '../../core/index.js';

/**
 * Fraction of positions where `yPred` equals `yTrue` (the `score` of every classifier). A label
 * the model never saw simply counts as a miss, as in scikit-learn's `accuracy_score`.
 *
 * @example
 * ```ts
 * labelAccuracy(['spam', 'ham'], ['spam', 'spam'], 'MultinomialNB.score'); // 0.5
 * ```
 */
export function labelAccuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, who: string): number {
  if (yTrue.length !== yPred.length) {
    throw new MlshipError('SHAPE_MISMATCH', `${who}: y has ${yTrue.length} labels but X has ${yPred.length} rows; pass one label per row`, { field: 'y' });
  }
  if (yTrue.length === 0) throw new MlshipError('INVALID_ARGUMENT', `${who}: y is empty`, { field: 'y' });
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}
