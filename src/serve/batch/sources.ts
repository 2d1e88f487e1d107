/**
 * The input side of batch prediction: cuts a file into chunks of rows, reading only as far ahead
 * as the chunks in flight. JSONL and TXT are cut at line ends on raw bytes (a worker decodes and
 * parses them, so the main thread never parses a line, and an unparsable line is the worker's
 * reject rather than the end of the run); CSV goes through `streamCsv` (quoted fields may span
 * lines); Parquet is read row range by row range with hyparquet.
 */
import { open, stat } from 'node:fs/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema, type FileMetaData } from 'hyparquet';
import { MlshipError } from '../../core/index.js';
import { streamCsv } from '../../data/index.js';
import type { BatchInputFormat, ChunkInput } from './chunk.js';

/** Where reading starts: the rows already done, and for line formats the byte offset and line after them. */
export interface StartPosition {
  rowsDone: number;
  /** Byte offset of the first unread line (JSONL, TXT). */
  offset: number;
  /** 1-based number of that line (JSONL, TXT), or of the next CSV line. */
  line: number;
}

/** A chunk and where the input stands after it. */
export interface SourceChunk {
  input: ChunkInput;
  rows: number;
  /** Position after this chunk (what a checkpoint records once it is written). */
  end: StartPosition;
}

/** An input file cut into chunks. */
export interface ChunkSource {
  /** Size of the input in bytes. */
  readonly totalBytes: number;
  /** Bytes read so far (for progress and ETA). */
  bytesRead(): number;
  chunks(): AsyncGenerator<SourceChunk, void, undefined>;
}

/**
 * Chunk buffers handed back by the workers, for the reader to fill again: in a steady state no
 * buffer is allocated per chunk (each allocation counts as external memory and brings garbage
 * collections of the main thread's heap).
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  constructor(private readonly max = 16) {}

  /** A buffer of at least `size` bytes (contents undefined). */
  take(size: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const ab = this.free[i]!;
      if (ab.byteLength >= size) {
        this.free.splice(i, 1);
        return Buffer.from(ab);
      }
    }
    return Buffer.allocUnsafeSlow(size);
  }

  /** Gives a buffer back (kept unless the pool is full). */
  give(ab: ArrayBuffer | undefined): void {
    if (ab && ab.byteLength > 0 && this.free.length < this.max) this.free.push(ab);
  }
}

/** Bytes asked of the file per read. */
const READ = 1 << 20;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d;
}

/**
 * Chunks of `chunkRows` non-blank lines of a JSONL or TXT file, as raw bytes, from `start`. The
 * file is read (`readSize` bytes at a time) straight into the buffer of the chunk being cut, whose
 * capacity follows the size of the previous chunk; only the part after a cut (less than one read)
 * is copied into the next chunk's buffer. Each chunk owns its buffer, so it can be transferred to
 * a worker without a copy, and the reader allocates little else.
 */
export function lineSource(path: string, size: number, chunkRows: number, start: StartPosition, readSize = READ, buffers: BufferPool = new BufferPool()): ChunkSource {
  let read = start.offset;
  return {
    totalBytes: size,
    bytesRead: () => read,
    async *chunks() {
      const fh = await open(path, 'r');
      try {
        let index = 0;
        let pos = start.offset; // file offset of the next read
        let bufStart = start.offset; // file offset of buf[0] (the current chunk's first byte)
        let buf: Buffer = buffers.take(Math.max(readSize, 1 << 16));
        let len = 0; // bytes in buf
        let lineStart = 0; // start of the first unscanned line in buf
        let firstLine = start.line;
        let line = start.line; // number of the line at lineStart
        let firstRow = start.rowsDone + 1;
        let rows = 0; // rows in the current chunk
        const emit = (end: number): SourceChunk => {
          const sc: SourceChunk = {
            input: { type: 'lines', index: index++, bytes: buf.subarray(0, end), firstLine, firstRow },
            rows,
            end: { rowsDone: firstRow - 1 + rows, offset: bufStart + end, line },
          };
          // The next chunk's buffer: room for a chunk like this one plus a read; the bytes after
          // the cut move there.
          const next = buffers.take(Math.max(readSize, Math.ceil(end * 1.25)) + readSize);
          buf.copy(next, 0, end, len);
          bufStart += end;
          len -= end;
          lineStart -= end;
          buf = next;
          firstLine = line;
          firstRow += rows;
          rows = 0;
          return sc;
        };
        for (;;) {
          if (buf.length - len < readSize) {
            const bigger = buffers.take(2 * buf.length + readSize);
            buf.copy(bigger, 0, 0, len);
            buffers.give(buf.buffer as ArrayBuffer);
            buf = bigger;
          }
          const { bytesRead: n } = await fh.read(buf, len, readSize, pos);
          if (n === 0) break;
          pos += n;
          read = pos;
          len += n;
          let view = buf.subarray(0, len);
          for (;;) {
            const j = view.indexOf(0x0a, lineStart);
            if (j < 0) break;
            let k = lineStart;
            while (k < j && isWs(buf[k]!)) k++;
            if (k < j) rows++;
            line++;
            lineStart = j + 1;
            if (rows === chunkRows) {
              yield emit(lineStart);
              view = buf.subarray(0, len);
            }
          }
        }
        // The last line may have no line end.
        let k = lineStart;
        while (k < len && isWs(buf[k]!)) k++;
        if (k < len) {
          rows++;
          line++;
          lineStart = len;
        }
        if (rows > 0) yield emit(len);
      } finally {
        await fh.close();
      }
    },
  };
}

/** The header of a CSV file (its first record). */
export async function csvHeader(path: string): Promise<string[]> {
  for await (const row of streamCsv(path)) return row.fields;
  throw new MlshipError('INVALID_DATA', `${path} is empty: a CSV input needs a header line naming its columns`, { file: path });
}

/** Chunks of `chunkRows` CSV records (fields arrays; the header skipped), after `start.rowsDone` rows. */
export function csvSource(path: string, size: number, chunkRows: number, start: StartPosition): ChunkSource {
  let read = 0;
  return {
    totalBytes: size,
    bytesRead: () => read,
    async *chunks() {
      let index = 0;
      let row = 0; // data rows seen
      let records: string[][] = [];
      let lines: number[] = [];
      let firstRow = start.rowsDone + 1;
      let header = true;
      let lastLine = 1;
      for await (const rec of streamCsv(path, { onProgress: (p) => (read = p.bytes) })) {
        lastLine = rec.line;
        if (header) {
          header = false;
          continue;
        }
        row++;
        if (row <= start.rowsDone) continue;
        records.push(rec.fields);
        lines.push(rec.line);
        if (records.length === chunkRows) {
          yield { input: { type: 'records', index: index++, records, lines, firstRow }, rows: records.length, end: { rowsDone: row, offset: 0, line: rec.line + 1 } };
          firstRow += records.length;
          records = [];
          lines = [];
        }
      }
      if (records.length > 0) yield { input: { type: 'records', index: index++, records, lines, firstRow }, rows: records.length, end: { rowsDone: row, offset: 0, line: lastLine + 1 } };
    },
  };
}

/** The metadata and column names of a Parquet file. */
export async function parquetInfo(path: string): Promise<{ metadata: FileMetaData; columns: string[]; file: Awaited<ReturnType<typeof asyncBufferFromFile>> }> {
  const file = await asyncBufferFromFile(path);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw new MlshipError('INVALID_DATA', `${path}: not a readable Parquet file (${(err as Error).message}); check that the file is complete and was written as Parquet`, { file: path }, { cause: err });
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  return { metadata, columns, file };
}

/** Chunks of `chunkRows` Parquet rows (objects of the wanted columns), after `start.rowsDone` rows. */
export async function parquetSource(path: string, size: number, chunkRows: number, start: StartPosition, wanted: string[]): Promise<ChunkSource> {
  const { metadata, columns, file } = await parquetInfo(path);
  const total = Number(metadata.num_rows);
  const cols = wanted.filter((c) => columns.includes(c));
  let done = start.rowsDone;
  return {
    totalBytes: size,
    bytesRead: () => (total === 0 ? size : Math.round((size * done) / total)),
    async *chunks() {
      let index = 0;
      for (let from = start.rowsDone; from < total; from += chunkRows) {
        const to = Math.min(total, from + chunkRows);
        let records: Record<string, unknown>[];
        try {
          records = (await parquetReadObjects({ file, metadata, columns: cols, rowStart: from, rowEnd: to })) as Record<string, unknown>[];
        } catch (err) {
          throw new MlshipError('INVALID_DATA', `${path}: cannot read rows ${from + 1}-${to} (${(err as Error).message})`, { file: path }, { cause: err });
        }
        done = to;
        const lines = Array.from({ length: records.length }, (_, k) => from + k + 1);
        yield { input: { type: 'records', index: index++, records, lines, firstRow: from + 1 }, rows: records.length, end: { rowsDone: to, offset: 0, line: to + 1 } };
      }
    },
  };
}

/** Size and modification time of the input, for the checkpoint. */
export async function inputIdentity(path: string): Promise<{ size: number; mtimeMs: number }> {
  const s = await stat(path);
  return { size: s.size, mtimeMs: s.mtimeMs };
}

/** The format of an input file, from its extension. */
export function inputFormatOf(path: string): BatchInputFormat | undefined {
  const m = /\.([a-z]+)$/i.exec(path);
  const ext = m?.[1]?.toLowerCase();
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'csv') return 'csv';
  if (ext === 'parquet' || ext === 'pq') return 'parquet';
  if (ext === 'txt') return 'txt';
  return undefined;
}
