/**
 * mlship/model: the model package. A fitted estimator (usually a Pipeline) is saved as one
 * versioned, checksummed file holding its metadata (params, classes, signature, training-data
 * fingerprint, metrics, tags) and its learned arrays, and loaded back to predict identically.
 *
 * @packageDocumentation
 */
export { saveModel, loadModel, readModelMetadata } from './files.js';
export type { SavedModel, ReadMetadataOptions } from './files.js';
export { encodeModel, decodeModel, decodeModelMetadata, FORMAT_VERSION, SUPPORTED_VERSIONS } from './format.js';
export type { LoadedModel, DecodeModelOptions } from './format.js';
export { mlshipVersion, flattenParams } from './metadata.js';
export type { ModelMetadata, SaveModelOptions, ParamValue } from './metadata.js';
export { textClassifierSignature, tableSignature, recordsToTable, validateSignature, checkInput } from './signature.js';
export type { ModelSignature, FieldSpec, FieldType, TabularTask } from './signature.js';
