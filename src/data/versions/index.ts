// Content-addressed data versions (DVC's model): a cache of files by sha256, small pointer files
// meant for git, status, checkout, and push/pull to a remote folder.
export { addData, dataStatus, checkoutData, dataVersionOf } from './versions.js';
export type { DataVersionOptions, AddResult, DataStatus, DataStatusOptions, DataChange, CheckoutOptions, CheckoutResult, DataVersion } from './versions.js';
export { pushData, pullData } from './remote.js';
export type { TransferOptions, PullOptions, TransferResult } from './remote.js';
export { readPointer, manifestHash, POINTER_SUFFIX, POINTER_FORMAT_VERSION } from './pointer.js';
export type { DataPointer, ManifestEntry } from './pointer.js';
export { hashFile } from './objects.js';
