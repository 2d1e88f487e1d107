/**
 * The work of one chunk of a batch prediction, as a worker thread (or the main thread, with
 * `workers: 0`) does it: parse the rows, check them against the model's signature, predict the
 * good ones in one call, and format the output lines and the reject records. Pure: no I/O, no
 * threads. The main thread only splits the input and writes what comes back, in order.
 */
import { isUtf8 } from 'node:buffer';
import { MlshipError, type Label, type Matrix, type Table } from '../../core/index.js';
import { checkInput, recordsToTable, type FieldSpec, type LoadedModel, type ModelSignature } from '../../model/index.js';

/**
 * Input file formats of a batch prediction, chosen by extension (`.jsonl`/`.ndjson`, `.csv`,
 * `.parquet`, `.txt`).
 *
 * @example
 * ```ts
 * const format: BatchInputFormat = 'jsonl';
 * ```
 */
export type BatchInputFormat = 'jsonl' | 'csv' | 'parquet' | 'txt';
/**
 * Output file formats of a batch prediction, chosen by extension (`.csv`, `.jsonl`/`.ndjson`).
 *
 * @example
 * ```ts
 * const format: BatchOutputFormat = 'csv'; // row,label,proba_ham,proba_spam
 * ```
 */
export type BatchOutputFormat = 'jsonl' | 'csv';

/**
 * How the model is called: documents (a text classifier: one string input) or table rows (a
 * tabular classifier or a regressor); `PredictFileResult.modelKind` reports it.
 *
 * @example
 * ```ts
 * const r = await predictFile({ model: 'housing.mlship', input: 'houses.csv', output: 'prices.csv' });
 * r.modelKind; // 'regressor'
 * ```
 */
export type BatchModelKind = 'text' | 'tabular-classifier' | 'regressor';

/** What every chunk of one run shares; sent to each worker once, with the model bytes. */
export interface ChunkSettings {
  kind: BatchModelKind;
  input: BatchInputFormat;
  output: BatchOutputFormat;
  /** The field (JSONL, Parquet) or column (CSV) holding the text of a text model. */
  textField: string;
  /** The id field/column copied to the output, or null to number the rows instead. */
  idColumn: string | null;
  /** The CSV header (CSV input only). */
  header: string[] | null;
  /** CSV cells read as missing values (`DEFAULT_NULL_VALUES` of mlship/data). */
  nullValues: string[];
  /** Where the model came from, for messages. */
  modelSource: string;
}

/** One chunk of input rows, as the main thread cuts it. */
export type ChunkInput =
  | {
      /** JSONL or TXT: whole lines as UTF-8 bytes, blank lines included (they are skipped). */
      type: 'lines';
      index: number;
      bytes: Uint8Array;
      /** 1-based line number of the first line in `bytes`. */
      firstLine: number;
      /** 1-based row number (non-blank lines) of the first row. */
      firstRow: number;
    }
  | {
      /** CSV (arrays of fields, in header order) or Parquet (objects) records. */
      type: 'records';
      index: number;
      records: unknown[];
      /** The 1-based line (CSV) or row (Parquet) each record starts on. */
      lines: number[];
      firstRow: number;
    };

/** What a chunk gives back. */
export interface ChunkResult {
  index: number;
  /** Output lines (UTF-8), in input order. */
  output: Uint8Array;
  /** Reject records as JSON lines (UTF-8); empty when every row was good. */
  rejects: Uint8Array;
  rows: number;
  written: number;
  rejected: number;
  /** The buffer of a `lines` chunk, handed back for reuse once the chunk is done. */
  returned?: ArrayBuffer;
}

const ENCODER = new TextEncoder();
/** Rows predicted per call within a chunk. */
const SUB_BATCH = 1024;

/** A row the model cannot take, and why. */
class Reject {
  constructor(readonly reason: string) {}
}

/** The model of a run, ready to predict a chunk: classes and the output line formatter. */
export class ChunkPredictor {
  private readonly sig: ModelSignature | null;
  private readonly classes: Label[];
  private readonly fields: FieldSpec[];
  private readonly csvIndex: Map<string, number>;
  private readonly nulls: Set<string>;
  /** Per class: its label as JSON, as a CSV cell, and the JSON key (`,"ham":`) of its probability. */
  private readonly classLabelJson: string[];
  private readonly classLabelCsv: string[];
  private readonly probaKeys: string[];

  constructor(
    private readonly model: LoadedModel,
    private readonly settings: ChunkSettings,
  ) {
    this.sig = model.metadata.signature;
    const est = model.estimator as unknown as { classes_?: Label[] };
    this.classes = settings.kind === 'regressor' ? [] : [...(est.classes_ ?? model.metadata.classes ?? [])];
    if (settings.kind !== 'regressor' && this.classes.length === 0) {
      throw new MlshipError('INVALID_ARGUMENT', `${settings.modelSource} is a classifier without classes; re-save the fitted model`, { file: settings.modelSource });
    }
    this.fields = settings.kind === 'text' ? [] : (this.sig?.inputs ?? []);
    this.csvIndex = new Map((settings.header ?? []).map((h, i) => [h, i]));
    this.nulls = new Set(settings.nullValues);
    this.classLabelJson = this.classes.map((c) => JSON.stringify(c));
    this.classLabelCsv = this.classes.map((c) => csvCell(String(c)));
    this.probaKeys = this.classes.map((c, j) => `${j === 0 ? '' : ','}${JSON.stringify(String(c))}:`);
  }

  /** Predicts one chunk. Bad rows become rejects; anything else that fails throws. */
  run(chunk: ChunkInput): ChunkResult {
    const ids: unknown[] = [];
    const rowNos: number[] = [];
    const good: unknown[] = [];
    let rejects = '';
    let rows = 0;
    let rejected = 0;
    const reject = (line: number, row: number, raw: unknown, reason: string): void => {
      rejected++;
      rejects += jsonLine({ line, row, reason, raw });
    };
    // Good rows are predicted in batches of SUB_BATCH, so that few of them are alive at a time (the
    // young generation of the heap holds them, and the garbage collector copies what is alive).
    const out: string[] = [];
    let written = 0;
    const flush = (): void => {
      if (good.length === 0) return;
      written += good.length;
      if (this.settings.kind === 'regressor') {
        const X = this.toTable(good);
        const pred = (this.model.estimator as unknown as { predict(x: Table): ArrayLike<number> }).predict(X);
        out.push(this.formatValues(rowNos, ids, pred));
      } else {
        const X = this.settings.kind === 'text' ? good : this.toTable(good);
        const proba = (this.model.estimator as unknown as { predictProba(x: unknown): Matrix }).predictProba(X);
        out.push(this.formatProba(rowNos, ids, proba));
      }
      good.length = 0;
      ids.length = 0;
      rowNos.length = 0;
    };
    const accept = (row: number, value: unknown, id: unknown): void => {
      rowNos.push(row);
      good.push(value);
      ids.push(id);
      if (good.length === SUB_BATCH) flush();
    };

    if (chunk.type === 'lines') {
      // Lines are decoded one by one: a line of ASCII stays a one-byte string (faster to parse and
      // tokenize than a slice of one two-byte string of the whole chunk).
      const buf = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.length);
      const valid = isUtf8(buf);
      const txt = this.settings.input === 'txt';
      let row = chunk.firstRow;
      let lineNo = chunk.firstLine;
      for (let i = 0; i < buf.length; lineNo++) {
        const j = buf.indexOf(0x0a, i);
        const next = j < 0 ? buf.length : j + 1;
        let end = j < 0 ? buf.length : j;
        if (end > i && buf[end - 1] === 0x0d) end--;
        let k = i;
        while (k < end && (buf[k] === 0x20 || buf[k] === 0x09 || buf[k] === 0x0d)) k++;
        if (k === end) {
          i = next;
          continue;
        }
        rows++;
        const r = row++;
        const s = buf.toString('utf8', i, end);
        const from = i;
        i = next;
        if (!valid && !isUtf8(buf.subarray(from, end))) {
          reject(lineNo, r, s, 'invalid UTF-8 in this line');
          continue;
        }
        const got = txt ? this.fromText(s) : this.fromJsonLine(s);
        if (got instanceof Reject) reject(lineNo, r, s, got.reason);
        else accept(r, got.value, got.id);
      }
    } else {
      for (let k = 0; k < chunk.records.length; k++) {
        const rec = chunk.records[k];
        const r = chunk.firstRow + k;
        rows++;
        const got = this.settings.input === 'csv' ? this.fromCsv(rec as string[]) : this.fromObject(rec);
        if (got instanceof Reject) reject(chunk.lines[k]!, r, this.settings.input === 'csv' ? this.csvRaw(rec as string[]) : rec, got.reason);
        else accept(r, got.value, got.id);
      }
    }

    flush();
    return { index: chunk.index, output: ENCODER.encode(out.join('')), rejects: ENCODER.encode(rejects), rows, written, rejected };
  }

  /** The CSV header line of the output (empty for JSONL). */
  headerLine(): string {
    return outputHeader(this.settings, this.classes);
  }

  // ------------------------------------------------------------ parsing rows

  private fromText(s: string): { value: unknown; id: unknown } | Reject {
    if (this.settings.kind !== 'text') return new Reject('a .txt input holds documents; this is a tabular model');
    return { value: s, id: undefined };
  }

  private fromJsonLine(s: string): { value: unknown; id: unknown } | Reject {
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (err) {
      return new Reject(`unparsable line: invalid JSON (${(err as Error).message})`);
    }
    if (typeof v === 'string' && this.settings.kind === 'text') return checkText(v, this.settings.textField, true);
    return this.fromObject(v);
  }

  private fromObject(v: unknown): { value: unknown; id: unknown } | Reject {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      const want = this.settings.kind === 'text' ? `a JSON object with a string field '${this.settings.textField}' (or a JSON string)` : `a JSON object with the model's input fields`;
      return new Reject(`wrong type: expected ${want}, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
    }
    const o = v as Record<string, unknown>;
    const id = this.settings.idColumn === null ? undefined : plainId(o[this.settings.idColumn]);
    if (this.settings.kind === 'text') {
      const got = checkText(o[this.settings.textField], this.settings.textField, false);
      return got instanceof Reject ? got : { value: got.value, id };
    }
    const rec: Record<string, unknown> = {};
    for (const f of this.fields) {
      let x = o[f.name];
      if (typeof x === 'bigint') x = Number(x);
      else if (x instanceof Date) x = f.type === 'string' ? x.toISOString() : x.getTime();
      if (x !== undefined) rec[f.name] = x;
    }
    return this.checked(rec, id);
  }

  private fromCsv(fields: string[]): { value: unknown; id: unknown } | Reject {
    const header = this.settings.header!;
    if (fields.length !== header.length) return new Reject(`wrong number of fields: expected ${header.length} (the header's), got ${fields.length}`);
    const id = this.settings.idColumn === null ? undefined : fields[this.csvIndex.get(this.settings.idColumn)!];
    if (this.settings.kind === 'text') {
      const got = checkText(fields[this.csvIndex.get(this.settings.textField)!], this.settings.textField, false);
      return got instanceof Reject ? got : { value: got.value, id };
    }
    const rec: Record<string, unknown> = {};
    for (const f of this.fields) {
      const i = this.csvIndex.get(f.name);
      if (i === undefined) continue;
      const s = fields[i]!;
      if (this.nulls.has(s)) continue;
      const x = coerceCell(f, s);
      if (x instanceof Reject) return x;
      rec[f.name] = x;
    }
    return this.checked(rec, id);
  }

  private checked(rec: Record<string, unknown>, id: unknown): { value: unknown; id: unknown } | Reject {
    try {
      checkInput(this.sig!, rec, 'row');
    } catch (err) {
      return new Reject(rejectReason(err));
    }
    return { value: rec, id };
  }

  private csvRaw(fields: string[]): unknown {
    const header = this.settings.header!;
    if (fields.length !== header.length) return fields;
    const o: Record<string, string> = {};
    header.forEach((h, i) => (o[h] = fields[i]!));
    return o;
  }

  private toTable(records: unknown[]): Table {
    return recordsToTable(this.sig!, records, 'row');
  }

  // ------------------------------------------------------------ output lines

  private firstCell(rowNo: number, id: unknown): string {
    if (this.settings.output === 'csv') return this.settings.idColumn === null ? String(rowNo) : id === undefined || id === null ? '' : csvCell(String(id));
    return this.settings.idColumn === null ? `{"row":${rowNo}` : `{${JSON.stringify(this.settings.idColumn)}:${id === undefined ? 'null' : JSON.stringify(id)}`;
  }

  private formatProba(rowNos: number[], ids: unknown[], proba: Matrix): string {
    const k = this.classes.length;
    const data = proba.data;
    const csv = this.settings.output === 'csv';
    const parts: string[] = new Array<string>(rowNos.length);
    for (let i = 0; i < rowNos.length; i++) {
      const off = i * k;
      let best = 0;
      for (let j = 1; j < k; j++) if (data[off + j]! > data[off + best]!) best = j;
      let s = this.firstCell(rowNos[i]!, ids[i]);
      if (csv) {
        s += ',' + this.classLabelCsv[best]!;
        for (let j = 0; j < k; j++) s += ',' + String(data[off + j]!);
        s += '\n';
      } else {
        s += ',"label":' + this.classLabelJson[best]! + ',"probabilities":{';
        for (let j = 0; j < k; j++) s += this.probaKeys[j]! + String(data[off + j]!);
        s += '}}\n';
      }
      parts[i] = s;
    }
    return parts.join('');
  }

  private formatValues(rowNos: number[], ids: unknown[], pred: ArrayLike<number>): string {
    const csv = this.settings.output === 'csv';
    const parts: string[] = new Array<string>(rowNos.length);
    for (let i = 0; i < rowNos.length; i++) {
      const v = pred[i]!;
      const shown = Number.isFinite(v) ? String(v) : csv ? String(v) : 'null';
      parts[i] = csv ? `${this.firstCell(rowNos[i]!, ids[i])},${shown}\n` : `${this.firstCell(rowNos[i]!, ids[i])},"prediction":${shown}}\n`;
    }
    return parts.join('');
  }
}

/** The CSV header line of the output: the id (or `row`) column, then `prediction` or `label` and `proba_<class>` columns; empty for JSONL. */
export function outputHeader(settings: ChunkSettings, classes: readonly Label[]): string {
  if (settings.output !== 'csv') return '';
  const first = csvCell(settings.idColumn ?? 'row');
  if (settings.kind === 'regressor') return `${first},prediction\n`;
  return `${first},label,${classes.map((c) => csvCell(`proba_${String(c)}`)).join(',')}\n`;
}

/** The text of a document, or why it cannot be one. */
function checkText(v: unknown, field: string, bare: boolean): { value: string; id: unknown } | Reject {
  if (v === undefined || v === null) return new Reject(`missing text: no field '${field}'${v === null ? ' (it is null)' : ''}`);
  if (typeof v !== 'string') return new Reject(`wrong type: field '${field}' must be a string, got ${typeof v}`);
  if (isBlank(v)) return new Reject(bare ? 'missing text: the document is empty' : `missing text: field '${field}' is empty`);
  return { value: v, id: undefined };
}

/** A CSV cell as the signature's type, or why it is not one. */
function coerceCell(f: FieldSpec, s: string): unknown {
  switch (f.type) {
    case 'string':
      return s;
    case 'boolean': {
      const t = s.trim().toLowerCase();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      return new Reject(`wrong type: column '${f.name}' must be a boolean (true/false), got ${JSON.stringify(s.slice(0, 60))}`);
    }
    default: {
      const x = s.trim() === '' ? NaN : Number(s);
      if (!Number.isFinite(x)) return new Reject(`wrong type: column '${f.name}' must be a number, got ${JSON.stringify(s.slice(0, 60))}`);
      return x;
    }
  }
}

/** An id value as it is written out (bigint as a number when exact, else text; Date as ISO-8601). */
function plainId(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  return v;
}

function rejectReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const why = msg.replace(/^row:?\.?/, '').trim();
  return /unknown field|allowed values/.test(why) ? `value outside the signature: ${why}` : /^missing required field /.test(why) ? `missing value: ${why.replace(/^missing required field /, 'field ')} is required` : `wrong type: ${why}`;
}

function isBlank(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

/** A field for a CSV line (quoted when it holds a comma, a quote or a line break). */
export function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One JSON line, with bigints written as numbers when exact, else as text. */
function jsonLine(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? (Number.isSafeInteger(Number(x)) ? Number(x) : x.toString()) : x instanceof Date ? x.toISOString() : x)) + '\n';
}
