/**
 * mlship/data: streaming CSV and JSONL readers, labelled text datasets (CSV, JSONL, both IMDB
 * layouts, the built-in spam-assassin corpus), their validation and fingerprints.
 *
 * @packageDocumentation
 */
export { streamCsv, readCsv } from './csv.js';
export type { CsvRow, StreamCsvOptions, ReadCsvOptions } from './csv.js';
export { streamJsonl } from './jsonl.js';
export type { JsonlRecord, StreamJsonlOptions } from './jsonl.js';
export type { ProgressInfo, ProgressCallback } from './progress.js';
export { fingerprintTextDataset } from './text-dataset.js';
export type { TextDataset, TextExample, TextLoadOptions } from './text-dataset.js';
export { loadTextCsv, loadImdbCsv, loadTextJsonl } from './text-files.js';
export type { LoadTextCsvOptions, LoadTextJsonlOptions } from './text-files.js';
export { loadAclImdb } from './acl-imdb.js';
export type { LoadAclImdbOptions, AclImdbDataset, AclImdbSplit } from './acl-imdb.js';
export { listDatasets, loadDataset } from './builtin.js';
export type { DatasetInfo } from './builtin.js';
export { loadText } from './load-text.js';
export type { LoadTextOptions } from './load-text.js';
