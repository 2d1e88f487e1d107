/**
 * mlship/core: errors with codes, a seeded RNG, dense and sparse matrices and a columnar table on
 * typed arrays,
 * hashing, and worker-thread helpers. Every other module builds on these.
 *
 * @packageDocumentation
 */
export { MlshipError, isMlshipError, ensure } from './errors.js';
export type { ErrorCode, ErrorDetails } from './errors.js';
export { Rng, toRng } from './rng.js';
export { Matrix, CsrMatrix, numRows, takeRows } from './matrix.js';
export type { AnyMatrix } from './matrix.js';
export { Table, NumericColumn, StringColumn, CategoryColumn, isNumericKind } from './table.js';
export type { Column, ColumnKind, NumericKind, CellValue, TableFromOptions } from './table.js';
export { compareLabels, uniqueLabels, encodeLabels } from './labels.js';
export type { Label } from './labels.js';
export { sha256, Fingerprint, murmurhash3_32, uuidv7 } from './hash.js';
export { startWorker, startModuleWorker, siblingModule, resolveJobs, tsxRegisterUrl } from './workers.js';
export {
  FIT_CHANNEL,
  DATA_READ_CHANNEL,
  publishFit,
  subscribeFit,
  hasFitSubscribers,
  publishDataRead,
  subscribeDataRead,
  hasDataReadSubscribers,
} from './instrument.js';
export type { FitEvent, DataReadEvent } from './instrument.js';
export { writeFileAtomic, copyFileAtomic, syncDir, tempPathFor } from './atomic-file.js';
export type { AtomicWriteOptions } from './atomic-file.js';
