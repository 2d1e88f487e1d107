/**
 * The three request formats a model server speaks, turned into validated items for
 * `ServedModel.predict`, and their responses written as JSON text:
 * - the plain API: `{"text"}`, `{"texts": [...]}`, `{"instances": [{...}]}`;
 * - the Open Inference Protocol V2 (KServe): tensors `{name, shape, datatype, data}`;
 * - MLflow's scoring server: `dataframe_split`, `dataframe_records`, `instances`, `inputs`.
 * Every malformed body is an `MlshipError` (SCHEMA_MISMATCH, INVALID_ARGUMENT or
 * PAYLOAD_TOO_LARGE) naming the field, never an exception of another kind.
 */
import { MlshipError } from '../../core/index.js';
import { parseTable } from '../../data/index.js';
import { checkInput, type FieldSpec } from '../../model/index.js';
import type { Outputs, ServedModel } from './predictor.js';

/** Items of one request, ready for `predict`, and whether it was a single `{"text"}`. */
export interface ParsedItems {
  items: unknown[];
  single: boolean;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function bad(message: string, field: string): MlshipError {
  return new MlshipError('SCHEMA_MISMATCH', message, { field });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40) ?? ''}`.trim();
}

/** PAYLOAD_TOO_LARGE when a batch has more than `maxBatch` items; INVALID_ARGUMENT when it is empty. */
export function checkBatch(n: number, maxBatch: number, field: string): void {
  if (n === 0) throw new MlshipError('INVALID_ARGUMENT', `${field} is empty; send at least one item`, { field });
  if (n > maxBatch) {
    throw new MlshipError('PAYLOAD_TOO_LARGE', `${field} has ${n} items; this server takes at most ${maxBatch} per request (mlship serve --max-batch); split the batch`, { field, value: n });
  }
}

/** One text item: a string, or (from `instances`) an object `{<text field>: string}`. */
function textItem(m: ServedModel, v: unknown, at: string): string {
  if (typeof v === 'string') return v;
  if (isObject(v)) {
    checkInput(m.signature, v, at);
    return v[m.textField] as string;
  }
  throw bad(`${at} must be a string (the document text) or an object {"${m.textField}": "..."}, got ${describe(v)}`, at);
}

function tabularOnly(m: ServedModel, field: string): MlshipError {
  const example = m.signature.inputs.slice(0, 2).map((f) => `"${f.name}": …`).join(', ');
  return new MlshipError('INVALID_ARGUMENT', `model '${m.name}' is a tabular model (inputs ${m.signature.inputs.map((f) => f.name).join(', ')}); send {"instances": [{${example}}]} instead of "${field}"`, { field });
}

/**
 * Items of a plain-API body: `{"text": "..."}`, `{"texts": ["...", ...]}` or `{"instances": [...]}`
 * (records for a tabular model; records or strings for a text model).
 *
 * @example
 * ```ts
 * plainItems(model, { texts: ['a', 'b'] }, 10_000); // { items: ['a', 'b'], single: false }
 * ```
 */
export function plainItems(m: ServedModel, body: unknown, maxBatch: number): ParsedItems {
  if (!isObject(body)) throw new MlshipError('INVALID_ARGUMENT', `the request body must be a JSON object such as ${m.kind === 'text' ? `{"text": "..."} or {"texts": ["...", ...]}` : '{"instances": [{...}]}'}, got ${describe(body)}`, { field: 'body' });
  const keys = Object.keys(body);
  if (keys.length !== 1) {
    const accepted = m.kind === 'text' ? '"text", "texts" or "instances"' : '"instances"';
    throw new MlshipError('INVALID_ARGUMENT', keys.length === 0 ? `the request body is empty; give ${accepted}` : `the request body has fields ${keys.map((k) => `"${k}"`).join(', ')}; give exactly one of ${accepted}`, { field: keys[1] ?? 'body' });
  }
  const key = keys[0]!;
  const v = body[key];
  if (key === 'text') {
    if (m.kind !== 'text') throw tabularOnly(m, 'text');
    if (typeof v !== 'string') throw bad(`text must be a string (the document), got ${describe(v)}`, 'text');
    return { items: [v], single: true };
  }
  if (key === 'texts') {
    if (m.kind !== 'text') throw tabularOnly(m, 'texts');
    if (!Array.isArray(v)) throw bad(`texts must be an array of strings, got ${describe(v)}`, 'texts');
    checkBatch(v.length, maxBatch, 'texts');
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') throw bad(`texts[${i}] must be a string, got ${describe(v[i])}`, `texts[${i}]`);
    return { items: v, single: false };
  }
  if (key === 'instances') {
    if (!Array.isArray(v)) throw bad(`instances must be an array of objects, got ${describe(v)}`, 'instances');
    checkBatch(v.length, maxBatch, 'instances');
    return { items: instanceItems(m, v, 'instances'), single: false };
  }
  throw new MlshipError('INVALID_ARGUMENT', `unknown field "${key}"; give ${m.kind === 'text' ? '"text", "texts" or "instances"' : '"instances"'}`, { field: key });
}

/** Validated items from a list of instances (records, or strings for a text model). */
function instanceItems(m: ServedModel, list: readonly unknown[], field: string): unknown[] {
  if (m.kind === 'text') return list.map((v, i) => textItem(m, v, `${field}[${i}]`));
  // Tabular rows are checked one by one (naming the field) by recordsToTable inside predict; check the shape here.
  list.forEach((r, i) => checkInput(m.signature, r, `${field}[${i}]`));
  return list as unknown[];
}

// ------------------------------------------------------------------ responses of the plain API

function num(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

function probabilities(m: ServedModel, proba: Float64Array, i: number): string {
  const keys = m.json.classKeys;
  const k = keys.length;
  let s = '{';
  for (let j = 0; j < k; j++) s += (j === 0 ? '' : ',') + keys[j] + num(proba[i * k + j]!);
  return s + '}';
}

function labelJson(m: ServedModel, out: Outputs, i: number): string {
  return out.labelIndex ? m.json.labels[out.labelIndex[i]!]! : JSON.stringify(out.labels![i]);
}

/** One prediction as JSON: `{"label","probabilities"}` or `{"<value field>": v}`. */
function predictionJson(m: ServedModel, out: Outputs, i: number): string {
  if (out.values) return `{${JSON.stringify(m.valueField)}:${num(out.values[i]!)}}`;
  return out.proba ? `{"label":${labelJson(m, out, i)},"probabilities":${probabilities(m, out.proba, i)}}` : `{"label":${labelJson(m, out, i)}}`;
}

/**
 * The plain API's response body: `{"request_id","model_name","model_version","label","probabilities"}`
 * for a single text, else `{..., "predictions": [...]}`.
 */
export function plainResponse(m: ServedModel, requestIdJson: string, out: Outputs, single: boolean): string {
  const head = `{"request_id":${requestIdJson},${m.json.head},`;
  if (single) {
    const p = predictionJson(m, out, 0);
    return head + p.slice(1);
  }
  let s = head + '"predictions":[';
  for (let i = 0; i < out.n; i++) s += (i === 0 ? '' : ',') + predictionJson(m, out, i);
  return s + ']}';
}

/** The predictions as plain JSON values (for the prediction log). */
export function outputsAsJson(m: ServedModel, out: Outputs, i: number): unknown {
  if (out.values) return { [m.valueField]: out.values[i]! };
  const label = out.labels![i]!;
  if (!out.proba) return { label };
  const k = m.classes!.length;
  const probabilities: Record<string, number> = {};
  for (let j = 0; j < k; j++) probabilities[String(m.classes![j])] = out.proba[i * k + j]!;
  return { label, probabilities };
}

// ------------------------------------------------------------------ MLflow scoring server

const MLFLOW_FORMATS = '"dataframe_split", "dataframe_records", "instances" or "inputs"';

/**
 * Items of an MLflow `/invocations` body: `{"dataframe_split": {"columns", "data"}}`,
 * `{"dataframe_records": [{...}]}`, `{"instances": [...]}` or `{"inputs": [...] | {col: [...]}}`
 * (`params` is accepted and ignored).
 *
 * @example
 * ```ts
 * mlflowItems(model, { dataframe_split: { columns: ['text'], data: [['hi']] } }, 10_000); // ['hi']
 * ```
 */
export function mlflowItems(m: ServedModel, body: unknown, maxBatch: number): unknown[] {
  if (!isObject(body)) throw new MlshipError('INVALID_ARGUMENT', `the request body must be a JSON object with one of ${MLFLOW_FORMATS}, got ${describe(body)}`, { field: 'body' });
  const keys = Object.keys(body).filter((k) => k !== 'params');
  if (keys.length !== 1) {
    throw new MlshipError('INVALID_ARGUMENT', keys.length === 0 ? `the request body names no input; give one of ${MLFLOW_FORMATS}` : `the request body has ${keys.map((k) => `"${k}"`).join(', ')}; give exactly one of ${MLFLOW_FORMATS}`, { field: keys[1] ?? 'body' });
  }
  const key = keys[0]!;
  const v = body[key];
  switch (key) {
    case 'dataframe_split': {
      if (!isObject(v)) throw bad(`dataframe_split must be an object {"columns": [...], "data": [[...], ...]}, got ${describe(v)}`, 'dataframe_split');
      const { columns, data } = v;
      if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) throw bad('dataframe_split.columns must be an array of column names (strings)', 'dataframe_split.columns');
      if (!Array.isArray(data)) throw bad(`dataframe_split.data must be an array of rows (arrays), got ${describe(data)}`, 'dataframe_split.data');
      checkBatch(data.length, maxBatch, 'dataframe_split.data');
      const records = data.map((row, i) => {
        if (!Array.isArray(row) || row.length !== columns.length) {
          throw bad(`dataframe_split.data[${i}] must be an array of ${columns.length} values (one per column), got ${Array.isArray(row) ? `${row.length} values` : describe(row)}`, `dataframe_split.data[${i}]`);
        }
        const r: Record<string, unknown> = {};
        columns.forEach((c, j) => (r[c as string] = row[j]));
        return r;
      });
      return instanceItems(m, records, 'dataframe_split.data');
    }
    case 'dataframe_records':
    case 'instances': {
      if (!Array.isArray(v)) throw bad(`${key} must be an array of ${m.kind === 'text' ? 'strings or ' : ''}records, got ${describe(v)}`, key);
      checkBatch(v.length, maxBatch, key);
      if (key === 'dataframe_records') v.forEach((r, i) => isObject(r) || (() => { throw bad(`dataframe_records[${i}] must be an object (a record), got ${describe(r)}`, `dataframe_records[${i}]`); })());
      return instanceItems(m, v, key);
    }
    case 'inputs': {
      if (Array.isArray(v)) {
        checkBatch(v.length, maxBatch, 'inputs');
        return instanceItems(m, v, 'inputs');
      }
      if (!isObject(v)) throw bad(`inputs must be an array of records or an object of columns {"<column>": [...]}, got ${describe(v)}`, 'inputs');
      const cols = Object.keys(v);
      if (cols.length === 0) throw bad('inputs has no columns', 'inputs');
      let n = -1;
      for (const c of cols) {
        const col = v[c];
        if (!Array.isArray(col)) throw bad(`inputs.${c} must be an array of values (one per row), got ${describe(col)}`, `inputs.${c}`);
        if (n >= 0 && col.length !== n) throw bad(`inputs.${c} has ${col.length} values but inputs.${cols[0]} has ${n}; every column needs one value per row`, `inputs.${c}`);
        n = col.length;
      }
      checkBatch(n, maxBatch, 'inputs');
      const records = Array.from({ length: n }, (_, i) => {
        const r: Record<string, unknown> = {};
        for (const c of cols) r[c] = (v[c] as unknown[])[i];
        return r;
      });
      return instanceItems(m, records, 'inputs');
    }
    default:
      throw new MlshipError('INVALID_ARGUMENT', `unknown field "${key}"; give one of ${MLFLOW_FORMATS}`, { field: key });
  }
}

/**
 * Items of a CSV body (MLflow's `text/csv` scoring input): a header row naming the input columns,
 * then one row per record. Values are typed as the signature declares (a text column of digits
 * stays text; a date becomes ISO-8601 text).
 *
 * @example
 * ```ts
 * await csvItems(model, 'text\n"win a prize"\nhello\n', 10_000); // ['win a prize', 'hello']
 * ```
 */
export async function csvItems(m: ServedModel, csv: string, maxBatch: number): Promise<unknown[]> {
  if (csv.trim() === '') throw new MlshipError('INVALID_ARGUMENT', `the CSV body is empty; send a header row (${m.signature.inputs.map((f) => f.name).join(',')}) and one row per record`, { field: 'body' });
  const table = await parseTable(csv, { format: 'csv', name: 'the CSV body' });
  checkBatch(table.numRows, maxBatch, 'body rows');
  const fields = new Map(m.signature.inputs.map((f) => [f.name, f]));
  const records = table.toRecords().map((r) => {
    for (const [k, v] of Object.entries(r)) {
      const f = fields.get(k);
      if (f?.type === 'string' && typeof v === 'number') r[k] = f.description === 'an ISO-8601 date or timestamp' && table.column(k).kind === 'date' ? new Date(v).toISOString() : String(v);
      else if (f?.type === 'string' && typeof v === 'boolean') r[k] = String(v);
    }
    return r;
  });
  return instanceItems(m, records, 'body rows');
}

/** MLflow's response: `{"predictions": [...]}` with labels (classifiers) or values (regressors). */
export function mlflowResponse(m: ServedModel, out: Outputs): string {
  let s = '{"predictions":[';
  for (let i = 0; i < out.n; i++) s += (i === 0 ? '' : ',') + (out.values ? num(out.values[i]!) : labelJson(m, out, i));
  return s + ']}';
}

// ------------------------------------------------------------------ Open Inference Protocol V2

/** The V2 datatypes this server reads and writes. */
export type V2Datatype = 'BYTES' | 'FP64' | 'FP32' | 'INT64' | 'INT32' | 'BOOL';

/** A V2 tensor's metadata (`GET /v2/models/{name}`). */
export interface V2TensorMetadata {
  name: string;
  datatype: V2Datatype;
  shape: number[];
}

function datatypeOf(f: FieldSpec): V2Datatype {
  return f.type === 'string' ? 'BYTES' : f.type === 'boolean' ? 'BOOL' : f.type === 'integer' ? 'INT64' : 'FP64';
}

function labelDatatype(m: ServedModel): V2Datatype {
  const cs = m.classes ?? [];
  if (cs.length > 0 && cs.every((c) => typeof c === 'number')) return cs.every((c) => Number.isInteger(c)) ? 'INT64' : 'FP64';
  return 'BYTES';
}

/** The V2 input and output tensors of a served model. */
export function v2Tensors(m: ServedModel): { inputs: V2TensorMetadata[]; outputs: V2TensorMetadata[] } {
  const inputs = m.signature.inputs.map((f) => ({ name: f.name, datatype: datatypeOf(f), shape: [-1] }));
  const outputs: V2TensorMetadata[] =
    m.task === 'regression'
      ? [{ name: m.valueField, datatype: 'FP64', shape: [-1] }]
      : [
          { name: 'label', datatype: labelDatatype(m), shape: [-1] },
          ...(m.json.classKeys.length > 0 && hasProba(m) ? [{ name: 'probabilities', datatype: 'FP64' as const, shape: [-1, m.json.classKeys.length] }] : []),
        ];
  return { inputs, outputs };
}

function hasProba(m: ServedModel): boolean {
  const e = m.estimator as unknown as { predictProba?: unknown; canCall?: (x: string) => boolean };
  return typeof e.predictProba === 'function' && (typeof e.canCall !== 'function' || e.canCall('predictProba'));
}

const DATATYPES = new Set<string>(['BYTES', 'FP64', 'FP32', 'FP16', 'INT64', 'INT32', 'INT16', 'INT8', 'UINT64', 'UINT32', 'UINT16', 'UINT8', 'BOOL']);

interface V2Input {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
  at: string;
}

/** Flattens nested data (row-major) into `out`; V2 allows both flat and nested arrays. */
function flatten(data: unknown, out: unknown[], at: string, depth = 0): void {
  if (!Array.isArray(data)) {
    out.push(data);
    return;
  }
  if (depth > 8) throw bad(`${at} is nested too deeply`, at);
  for (const x of data) flatten(x, out, at, depth + 1);
}

function v2Input(t: unknown, i: number, maxBatch: number): V2Input {
  const at = `inputs[${i}]`;
  if (!isObject(t)) throw bad(`${at} must be a tensor {"name", "shape", "datatype", "data"}, got ${describe(t)}`, at);
  const { name, datatype, shape, data } = t;
  if (typeof name !== 'string' || name === '') throw bad(`${at}.name must be a non-empty string`, `${at}.name`);
  if (typeof datatype !== 'string' || !DATATYPES.has(datatype)) throw bad(`${at}.datatype must be one of BYTES, FP64, FP32, INT64, INT32, BOOL, got ${describe(datatype)}`, `${at}.datatype`);
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > 2 || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw bad(`${at}.shape must be [n] or [n, d] with non-negative integers, got ${JSON.stringify(shape)?.slice(0, 60)}`, `${at}.shape`);
  }
  if (!Array.isArray(data)) throw bad(`${at}.data must be an array (flat or nested, row-major), got ${describe(data)}`, `${at}.data`);
  checkBatch(shape[0] as number, maxBatch, `${at}.shape[0]`);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (size > maxBatch * 4096) throw new MlshipError('PAYLOAD_TOO_LARGE', `${at} has ${size} elements; too many for one request`, { field: `${at}.shape` });
  const flat: unknown[] = [];
  flatten(data, flat, `${at}.data`);
  if (flat.length !== size) throw bad(`${at}.data has ${flat.length} elements but shape ${JSON.stringify(shape)} needs ${size}`, `${at}.data`);
  for (let k = 0; k < flat.length; k++) {
    const v = flat[k];
    const ok =
      datatype === 'BYTES' ? typeof v === 'string'
      : datatype === 'BOOL' ? typeof v === 'boolean'
      : datatype.startsWith('FP') ? typeof v === 'number'
      : typeof v === 'number' && Number.isInteger(v);
    if (!ok && v !== null) throw bad(`${at}.data[${k}] is ${describe(v)}, not a ${datatype} value`, `${at}.data[${k}]`);
  }
  return { name, datatype, shape: shape as number[], data: flat, at };
}

/** The datatypes accepted for a signature field. */
function accepts(f: FieldSpec, datatype: string): boolean {
  if (f.type === 'string') return datatype === 'BYTES';
  if (f.type === 'boolean') return datatype === 'BOOL';
  if (f.type === 'integer') return datatype.startsWith('INT') || datatype.startsWith('UINT') || datatype.startsWith('FP');
  return datatype.startsWith('FP') || datatype.startsWith('INT') || datatype.startsWith('UINT');
}

/**
 * Items of a V2 inference request. A text model takes one BYTES tensor of shape `[n]` (or
 * `[n, 1]`); a tabular model one tensor per input column (shape `[n]` or `[n, 1]`), or one 2-D
 * FP64/FP32 tensor `[n, d]` whose columns are the inputs in signature order.
 *
 * @example
 * ```ts
 * v2Items(model, { inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: ['hi'] }] }, 10_000); // ['hi']
 * ```
 */
export function v2Items(m: ServedModel, body: unknown, maxBatch: number): { items: unknown[]; id: string | undefined; outputs: string[] | undefined } {
  if (!isObject(body)) throw new MlshipError('INVALID_ARGUMENT', `the request body must be a JSON object {"inputs": [...]}, got ${describe(body)}`, { field: 'body' });
  const { id, inputs, outputs, parameters } = body;
  for (const k of Object.keys(body)) if (k !== 'id' && k !== 'inputs' && k !== 'outputs' && k !== 'parameters') throw new MlshipError('INVALID_ARGUMENT', `unknown field "${k}" in the inference request; the fields are id, parameters, inputs, outputs`, { field: k });
  if (id !== undefined && typeof id !== 'string') throw bad(`id must be a string, got ${describe(id)}`, 'id');
  if (parameters !== undefined && !isObject(parameters)) throw bad('parameters must be an object', 'parameters');
  let wanted: string[] | undefined;
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) throw bad('outputs must be an array of {"name"}', 'outputs');
    const names = new Set(v2Tensors(m).outputs.map((t) => t.name));
    wanted = outputs.map((o, i) => {
      if (!isObject(o) || typeof o.name !== 'string') throw bad(`outputs[${i}] must be an object {"name": "..."}`, `outputs[${i}]`);
      if (!names.has(o.name)) throw bad(`outputs[${i}].name '${o.name}' is not an output of model '${m.name}'; its outputs are ${[...names].join(', ')}`, `outputs[${i}].name`);
      return o.name;
    });
  }
  if (!Array.isArray(inputs) || inputs.length === 0) throw bad('inputs must be a non-empty array of tensors {"name", "shape", "datatype", "data"}', 'inputs');
  const tensors = inputs.map((t, i) => v2Input(t, i, maxBatch));
  const rows = (t: V2Input): number => {
    if (t.shape.length === 2 && t.shape[1] !== 1) throw bad(`${t.at}.shape must be [n] or [n, 1] for input '${t.name}', got ${JSON.stringify(t.shape)}`, `${t.at}.shape`);
    return t.shape[0]!;
  };
  if (m.kind === 'text') {
    if (tensors.length !== 1) throw bad(`model '${m.name}' takes one BYTES tensor '${m.textField}', got ${tensors.length} tensors`, 'inputs');
    const t = tensors[0]!;
    if (t.datatype !== 'BYTES') throw bad(`${t.at}.datatype must be BYTES for the text input '${m.textField}', got ${t.datatype}`, `${t.at}.datatype`);
    rows(t);
    t.data.forEach((v, k) => {
      if (typeof v !== 'string') throw bad(`${t.at}.data[${k}] must be a string, got ${describe(v)}`, `${t.at}.data[${k}]`);
    });
    return { items: t.data, id: id as string | undefined, outputs: wanted };
  }
  const sig = m.signature.inputs;
  // One 2-D numeric tensor holding every column in signature order.
  const first = tensors[0]!;
  if (tensors.length === 1 && ((first.shape.length === 2 && first.shape[1] !== 1) || !sig.some((f) => f.name === first.name))) {
    const t = tensors[0]!;
    if (t.datatype !== 'FP64' && t.datatype !== 'FP32') throw bad(`${t.at}: a single tensor for a tabular model must be FP64 or FP32 of shape [n, ${sig.length}], got ${t.datatype}`, `${t.at}.datatype`);
    if (t.shape.length !== 2 || t.shape[1] !== sig.length) throw bad(`${t.at}.shape must be [n, ${sig.length}] (columns ${sig.map((f) => f.name).join(', ')}), got ${JSON.stringify(t.shape)}`, `${t.at}.shape`);
    const n = t.shape[0]!;
    const d = sig.length;
    const records = Array.from({ length: n }, (_, i) => {
      const r: Record<string, unknown> = {};
      sig.forEach((f, j) => (r[f.name] = t.data[i * d + j]));
      return r;
    });
    records.forEach((r, i) => checkInput(m.signature, r, `${t.at}.data row ${i}`));
    return { items: records, id: id as string | undefined, outputs: wanted };
  }
  const byName = new Map<string, V2Input>();
  for (const t of tensors) {
    if (byName.has(t.name)) throw bad(`${t.at}: input '${t.name}' is given twice`, `${t.at}.name`);
    const f = sig.find((s) => s.name === t.name);
    if (!f) throw bad(`${t.at}.name '${t.name}' is not an input of model '${m.name}'; its inputs are ${sig.map((s) => s.name).join(', ')}`, `${t.at}.name`);
    if (!accepts(f, t.datatype)) throw bad(`${t.at}.datatype ${t.datatype} does not fit input '${f.name}' (${f.type}); use ${datatypeOf(f)}`, `${t.at}.datatype`);
    byName.set(t.name, t);
  }
  const n = rows(tensors[0]!);
  for (const t of tensors) if (rows(t) !== n) throw bad(`${t.at}.shape[0] is ${t.shape[0]} but ${tensors[0]!.at}.shape[0] is ${n}; every input needs one value per row`, `${t.at}.shape`);
  for (const f of sig) if (!f.optional && !byName.has(f.name)) throw bad(`missing input tensor '${f.name}' (${datatypeOf(f)}, shape [n])`, f.name);
  const records = Array.from({ length: n }, (_, i) => {
    const r: Record<string, unknown> = {};
    for (const [name, t] of byName) r[name] = t.data[i] ?? null;
    return r;
  });
  records.forEach((r, i) => checkInput(m.signature, r, `row ${i}`));
  return { items: records, id: id as string | undefined, outputs: wanted };
}

/** The V2 inference response body. */
export function v2Response(m: ServedModel, id: string, out: Outputs, wanted: string[] | undefined): string {
  const tensors: string[] = [];
  const want = (name: string): boolean => wanted === undefined || wanted.includes(name);
  if (out.values) {
    if (want(m.valueField)) tensors.push(`{"name":${JSON.stringify(m.valueField)},"shape":[${out.n}],"datatype":"FP64","data":[${Array.from(out.values, num).join(',')}]}`);
  } else {
    if (want('label')) {
      const labels: string[] = [];
      for (let i = 0; i < out.n; i++) labels.push(labelJson(m, out, i));
      tensors.push(`{"name":"label","shape":[${out.n}],"datatype":"${labelDatatype(m)}","data":[${labels.join(',')}]}`);
    }
    if (out.proba && want('probabilities')) {
      const k = m.json.classKeys.length;
      tensors.push(`{"name":"probabilities","shape":[${out.n},${k}],"datatype":"FP64","data":[${Array.from(out.proba.subarray(0, out.n * k), num).join(',')}]}`);
    }
  }
  return `{${m.json.head},"id":${JSON.stringify(id)},"outputs":[${tensors.join(',')}]}`;
}
