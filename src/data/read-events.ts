import { resolve } from 'node:path';
import { hasDataReadSubscribers, publishDataRead, type Table } from '../core/index.js';

/**
 * Publishes a DATA_READ_CHANNEL event (core's instrumentation) for a user's table file that was
 * read, so an active tracking run can record it as a dataset input. Built-in datasets never call
 * this. Returns the table unchanged.
 */
export function tableRead(file: string, format: string, table: Table): Table {
  if (hasDataReadSubscribers()) {
    publishDataRead({ path: resolve(file), format, rows: table.numRows, schema: table.columns.map((c) => ({ name: c.name, kind: c.kind })) });
  }
  return table;
}

/** As {@link tableRead}, for a labelled text dataset read from a file or folder (schema `null`). */
export function textRead<T extends { texts: string[] }>(path: string, format: string, dataset: T): T {
  if (hasDataReadSubscribers()) publishDataRead({ path: resolve(path), format, rows: dataset.texts.length, schema: null });
  return dataset;
}
