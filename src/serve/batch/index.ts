/** Batch prediction of whole files (`mlship predict --output`): see {@link predictFile}. */
export { predictFile } from './predict-file.js';
export type { PredictFileOptions, PredictFileResult, BatchProgress } from './predict-file.js';
export type { BatchInputFormat, BatchOutputFormat, BatchModelKind } from './chunk.js';
