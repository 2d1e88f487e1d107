import { readFile } from 'node:fs/promises';
import { parquetMetadata, parquetRead, type FileMetaData, type SchemaElement } from 'hyparquet';
import { isMlshipError, isNumericKind, MlshipError, NumericColumn, Table, type Column, type ColumnKind, type NumericKind } from '../core/index.js';
import { ProgressTracker, type ProgressCallback } from './progress.js';
import { fileSize, fsError } from './read-text.js';
import { buildColumn, checkNames, inferValueKind, ProblemList, type Resolved } from './table-columns.js';

// Parquet through hyparquet (https://github.com/hyparam/hyparquet): we map Parquet types to column
// kinds and nulls to null masks; hyparquet does the decoding.

/** The column kind of a flat Parquet column, or undefined when it is not a flat primitive. */
export function parquetKind(el: SchemaElement): ColumnKind | undefined {
  const logical = el.logical_type?.type;
  const converted = el.converted_type;
  if (logical === 'DATE' || logical === 'TIMESTAMP' || converted === 'DATE' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS') return 'date';
  if (logical === 'ENUM' || converted === 'ENUM') return 'category';
  if (logical === 'STRING' || logical === 'JSON' || logical === 'UUID' || converted === 'UTF8' || converted === 'JSON') return 'string';
  if (logical === 'DECIMAL' || converted === 'DECIMAL' || logical === 'FLOAT16') return 'number';
  switch (el.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
    case 'INT64':
      return 'integer';
    case 'INT96':
      return 'date';
    case 'FLOAT':
    case 'DOUBLE':
      return 'number';
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      return 'string';
    default:
      return undefined;
  }
}

function corrupt(file: string, err: unknown): MlshipError {
  const reason = err instanceof Error ? err.message : String(err);
  return new MlshipError(
    'INVALID_DATA',
    `${file}: not a readable Parquet file (${reason}). Check that the file is complete (it must end with the 'PAR1' footer) and was written as Parquet; re-export it if it was truncated.`,
    { file },
    { cause: err },
  );
}

/** A decoded Parquet value of a numeric column as a float64 (NaN for null). */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  return NaN;
}

/**
 * Reads a Parquet file (or bytes) into a Table. Top-level flat columns only; a nested column
 * (list, map, struct) is an INVALID_DATA error unless `columns` leaves it out.
 */
export async function readParquetTable(file: string, opts: Resolved, onProgress: ProgressCallback | undefined, bytes?: Uint8Array): Promise<Table> {
  let data: Uint8Array;
  if (bytes === undefined) {
    await fileSize(file);
    try {
      data = await readFile(file);
    } catch (err) {
      throw fsError(file, err);
    }
  } else data = bytes;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  const buffer = (whole ? data.buffer : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) as ArrayBuffer;
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(buffer);
  } catch (err) {
    throw corrupt(file, err);
  }
  const schema = metadata.schema;
  // Top-level fields: walk the flattened schema tree, skipping each field's children.
  const top: SchemaElement[] = [];
  const flat = new Set<string>();
  for (let i = 1; i < schema.length; ) {
    const el = schema[i]!;
    top.push(el);
    if (!el.num_children && el.repetition_type !== 'REPEATED') flat.add(el.name);
    let skip = 1;
    let pending = el.num_children ?? 0;
    while (pending > 0) {
      const child = schema[i + skip]!;
      skip++;
      pending += (child.num_children ?? 0) - 1;
    }
    i += skip;
  }
  const names = top.map((e) => e.name);
  checkNames(file, names, opts, 'the Parquet schema');
  const keep = opts.columns ?? names;
  const nested = keep.filter((n) => !flat.has(n));
  if (nested.length > 0) {
    throw new MlshipError(
      'INVALID_DATA',
      `${file}: column${nested.length > 1 ? 's' : ''} ${nested.map((n) => `'${n}'`).join(', ')} ${nested.length > 1 ? 'are' : 'is'} nested (list, map or struct); a table holds flat columns only. Leave ${nested.length > 1 ? 'them' : 'it'} out with { columns: [...] }.`,
      { file, field: nested[0] },
    );
  }
  const total = Number(metadata.num_rows);
  const rowEnd = Math.min(total, opts.maxRows);
  const tracker = new ProgressTracker(onProgress, data.byteLength, rowEnd);
  tracker.addBytes(data.byteLength);
  const byName = new Map(top.map((e) => [e.name, e]));
  // Numeric Parquet columns read as numbers go straight into a Float64Array (NaN = missing);
  // the others are collected as values and converted by buildColumn.
  const direct = new Map<string, { values: Float64Array; kind: NumericKind }>();
  const arrays = new Map<string, unknown[]>();
  for (const name of keep) {
    const stored = parquetKind(byName.get(name)!);
    const wanted = opts.kinds[name] ?? stored;
    if (stored !== undefined && isNumericKind(stored) && wanted !== undefined && (wanted === stored || (wanted === 'number' && stored === 'integer'))) {
      direct.set(name, { values: new Float64Array(rowEnd).fill(NaN), kind: wanted as NumericKind });
    } else arrays.set(name, new Array<unknown>(rowEnd).fill(null));
  }
  if (rowEnd > 0 && keep.length > 0) {
    try {
      await parquetRead({
        file: buffer,
        metadata,
        columns: keep,
        rowStart: 0,
        rowEnd,
        onChunk: (chunk) => {
          const src = chunk.columnData;
          const end = Math.min(chunk.rowEnd, rowEnd);
          const num = direct.get(chunk.columnName);
          if (num) {
            const out = num.values;
            for (let r = chunk.rowStart; r < end; r++) out[r] = toNumber(src[r - chunk.rowStart]);
          } else {
            const out = arrays.get(chunk.columnName);
            if (!out) return;
            for (let r = chunk.rowStart; r < end; r++) out[r] = src[r - chunk.rowStart] ?? null;
          }
          if (chunk.columnName === keep[0]) {
            tracker.rows = end;
            tracker.tick();
          }
        },
      });
    } catch (err) {
      if (isMlshipError(err)) throw err;
      throw corrupt(file, err);
    }
  }
  tracker.rows = rowEnd;
  tracker.done();
  const problems = new ProblemList();
  const kinds: Record<string, ColumnKind> = {};
  const cols: Column[] = [];
  const rowNumbers = arrays.size > 0 ? Int32Array.from({ length: rowEnd }, (_, i) => i + 1) : undefined;
  for (const name of keep) {
    const num = direct.get(name);
    if (num) {
      kinds[name] = num.kind;
      cols.push(new NumericColumn(name, num.values, num.kind));
      continue;
    }
    const values = arrays.get(name)!;
    const kind = opts.kinds[name] ?? parquetKind(byName.get(name)!) ?? inferValueKind(values);
    kinds[name] = kind;
    cols.push(buildColumn(name, values, kind, problems, rowNumbers, opts.categories[name]));
  }
  problems.throwIfAny(file, kinds, 'row');
  return new Table(cols, rowEnd);
}
