// Sample preparation shared by the numeric tests: drop NaN (counted, as Evidently drops them) and
// sort once into a Float64Array.
import { MlshipError } from '../../core/index.js';

/** The values of `x` without NaN, sorted ascending, and how many NaN were dropped. */
export function sortedFinite(x: ArrayLike<number>, fn: string, name: string): [Float64Array, number] {
  const n = x.length;
  let out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (typeof v !== 'number')
      throw new MlshipError('INVALID_ARGUMENT', `${fn}: ${name}[${i}] is ${JSON.stringify(v)}, expected a number (use a categorical test for non-numeric values)`);
    if (!Number.isNaN(v)) out[k++] = v;
  }
  if (k === 0)
    throw new MlshipError('INVALID_ARGUMENT', `${fn}: sample ${name} is empty${n ? ` (all ${n} values are NaN)` : ''}; pass at least one number`);
  if (k < n) out = out.slice(0, k);
  out.sort();
  return [out, n - k];
}
