/**
 * Numeric kernels of mlship/learn: pure functions over flat typed arrays (sparse and dense
 * products, row reductions, the L-BFGS solver) plus the shared input checks. Estimators in the
 * sibling folders import them from here.
 *
 * @packageDocumentation
 */
export {
  csrMatVec,
  csrTMatVecAdd,
  csrMatMulFeatureMajor,
  csrTMatMulFeatureMajorAdd,
  csrMatMulClassMajor,
  csrClassSumsAdd,
  denseMatVec,
  denseTMatVecAdd,
  denseMatMulFeatureMajor,
  denseTMatMulFeatureMajorAdd,
  denseMatMulClassMajor,
  csrToCsc,
  cscMatVec,
  cscTMatVecL2,
  cscMatMulFeatureMajor,
  cscTMatMulFeatureMajorL2,
  linearScores,
} from './sparse.js';
export type { CscArrays } from './sparse.js';
export { logsumexpRows, logNormalizeRows, softmaxRows, argmaxRows, pairwiseSum } from './reduce.js';
export { lbfgs } from './lbfgs.js';
export type { LbfgsOptions, LbfgsResult, LossGradFn } from './lbfgs.js';
export { checkMatrix, checkFeatureCount, checkLabels, featureNamesOf } from './check-input.js';
export type { MatrixInput, CheckMatrixOptions } from './check-input.js';
export { labelAccuracy } from './accuracy.js';
export { W, I32, F64, WASM_PAGE_BYTES, WASM_MAX_PAGES, uleb, sleb, compileKernels, sharedMemory, ensureBytes, instantiateKernels } from './wasm.js';
export type { WasmMemory, WasmFunction } from './wasm.js';
export { toColumnMajor, householderQr, qrApplyQt, jacobiSvd, lstsqMinNorm, choleskyFactor, choleskySolve, gram, tallQr, lstsqRowMajor, gramRowMajor, gemvRowMajor, allFinite } from './dense-linalg.js';
export type { JacobiSvdResult, LstsqResult, RowTransform } from './dense-linalg.js';
