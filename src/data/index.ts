/**
 * mlship/data: streaming CSV and JSONL readers, labelled text datasets (CSV, JSONL, both IMDB
 * layouts, the built-in spam-assassin corpus), their validation and fingerprints; tables from
 * CSV, JSONL and Parquet, the built-in boston-housing table and the California housing layout,
 * schemas with validation, data-quality reports, and content-addressed data versions (add,
 * status, checkout, push, pull) with pointer files meant for git.
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
export { listDatasets, loadDataset, loadTableDataset, isTableDataset } from './builtin.js';
export type { DatasetInfo } from './builtin.js';
export { loadText } from './load-text.js';
export type { LoadTextOptions } from './load-text.js';
export { readTable, parseTable, writeTableCsv } from './read-table.js';
export { DEFAULT_NULL_VALUES } from './table-columns.js';
export type { ReadTableOptions, TableFormat, WriteTableCsvOptions } from './read-table.js';
export { loadCaliforniaHousing, fingerprintTable, BOSTON_COLUMNS, CALIFORNIA_COLUMNS, OCEAN_PROXIMITY } from './tabular-datasets.js';
export type { LoadTableDatasetOptions, LoadCaliforniaHousingOptions } from './tabular-datasets.js';
export { inferSchema, saveSchema, loadSchema, parseSchema, validateTable, assertValid, SCHEMA_FORMAT_VERSION } from './schema.js';
export type { TableSchema, ColumnSchema, InferSchemaOptions, Violation, ValidationResult, SchemaRule } from './schema.js';
export { qualityReport, formatQualityReport } from './quality.js';
export type { QualityReport, QualityReportOptions, ColumnQuality, NumericSummary, ClassBalance } from './quality.js';
export { addData, dataStatus, checkoutData, dataVersionOf, pushData, pullData, readPointer, manifestHash, hashFile, POINTER_SUFFIX, POINTER_FORMAT_VERSION } from './versions/index.js';
export type {
  DataVersionOptions,
  AddResult,
  DataStatus,
  DataStatusOptions,
  DataChange,
  CheckoutOptions,
  CheckoutResult,
  DataVersion,
  TransferOptions,
  PullOptions,
  TransferResult,
  DataPointer,
  ManifestEntry,
} from './versions/index.js';
