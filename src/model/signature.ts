import { CategoryColumn, MlshipError, Table, type Column, type ColumnKind, type Label } from '../core/index.js';

/** The value type of one field of a model's input or output. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean';

/**
 * One named field of a {@link ModelSignature}. `shape` is absent for a scalar; for an array it
 * lists the dimensions, `null` standing for "any length" (MLflow's `-1`).
 */
export interface FieldSpec {
  /** Field name, as it appears in a request or response body (`'text'`, `'label'`). */
  name: string;
  /** Value type of the field (of each element when `shape` is set). */
  type: FieldType;
  /** Dimensions for array fields; `null` for a free dimension. @default undefined (a scalar) */
  shape?: (number | null)[];
  /** True when a request may leave the field out. @default false */
  optional?: boolean;
  /** Allowed values (for a label output: the classes, in order). @default undefined (any value) */
  values?: Label[];
  /** Free text shown in `mlship model info` and API docs. @default undefined */
  description?: string;
}

/**
 * What a model takes and returns, field by field. A server validates request bodies against
 * `inputs` before calling the model.
 *
 * @example
 * ```ts
 * const sig: ModelSignature = {
 *   inputs: [{ name: 'text', type: 'string' }],
 *   outputs: [{ name: 'label', type: 'string', values: ['ham', 'spam'] },
 *             { name: 'probabilities', type: 'number', shape: [2] }],
 * };
 * ```
 */
export interface ModelSignature {
  inputs: FieldSpec[];
  outputs: FieldSpec[];
}

const FIELD_TYPES: readonly FieldType[] = ['string', 'number', 'integer', 'boolean'];

/**
 * The signature of a text classifier: one string input (`text` by default), a label output
 * restricted to `classes` and a probability vector with one entry per class.
 *
 * @example
 * ```ts
 * textClassifierSignature(['ham', 'spam']);
 * // { inputs: [{ name: 'text', type: 'string' }], outputs: [{ name: 'label', ... }, { name: 'probabilities', ... }] }
 * ```
 */
export function textClassifierSignature(classes: readonly Label[], inputName = 'text'): ModelSignature {
  const labelType: FieldType = classes.every((c) => typeof c === 'number') && classes.length > 0 ? (classes.every((c) => Number.isInteger(c)) ? 'integer' : 'number') : 'string';
  return {
    inputs: [{ name: inputName, type: 'string', description: 'the raw document text' }],
    outputs: [
      { name: 'label', type: labelType, values: [...classes], description: 'the predicted class' },
      { name: 'probabilities', type: 'number', shape: [classes.length], description: 'one probability per class, in the order of `label.values`' },
    ],
  };
}

/** What a tabular model predicts: a number per row, or one of `classes`. */
export type TabularTask = { task: 'regression' } | { task: 'classification'; classes: readonly Label[] };

/**
 * The signature of a model trained on a Table: one input field per column (`number`, `integer`,
 * `boolean`, or `string` for text, categories (with their allowed values) and ISO-8601 dates),
 * optional when the column had missing values; and a `prediction` number for a regressor or a
 * label and probabilities for a classifier.
 *
 * @example
 * ```ts
 * const X = Table.fromArrays({ rm: [6.5, 6.4], chas: [0, 1] });
 * tableSignature(X, { task: 'regression' });
 * // { inputs: [{ name: 'rm', type: 'number' }, { name: 'chas', type: 'integer' }],
 * //   outputs: [{ name: 'prediction', type: 'number' }] }
 * ```
 */
export function tableSignature(X: Table, output: TabularTask): ModelSignature {
  const inputs: FieldSpec[] = X.columns.map((c) => {
    const f: FieldSpec = { name: c.name, type: FIELD_OF_KIND[c.kind] };
    if (c instanceof CategoryColumn) f.values = [...c.categories];
    if (c.kind === 'date') f.description = 'an ISO-8601 date or timestamp';
    if (c.nullCount > 0) f.optional = true;
    return f;
  });
  const outputs = output.task === 'regression' ? [{ name: 'prediction', type: 'number' as const, description: 'the predicted value' }] : textClassifierSignature(output.classes).outputs;
  return { inputs, outputs };
}

const FIELD_OF_KIND: Record<ColumnKind, FieldType> = { number: 'number', integer: 'integer', boolean: 'boolean', date: 'string', string: 'string', category: 'string' };
const KIND_OF_FIELD: Record<FieldType, ColumnKind> = { number: 'number', integer: 'integer', boolean: 'boolean', string: 'string' };

/**
 * Turns request records into the Table a tabular model expects: each record is checked with
 * {@link checkInput}, and each column gets the kind the signature declares (categories keep the
 * training order of their values; a field described as a date is parsed as one).
 *
 * @example
 * ```ts
 * const X = recordsToTable(model.metadata.signature, [{ rm: 6.5, chas: 0 }]);
 * model.estimator.predict(X);
 * ```
 */
export function recordsToTable(sig: ModelSignature, records: readonly unknown[], where = 'input'): Table {
  records.forEach((r, i) => checkInput(sig, r, `${where}[${i}]`));
  const rows = records as readonly Record<string, unknown>[];
  const cols: Column[] = sig.inputs.map((f) => {
    const values = rows.map((r) => r[f.name] ?? null);
    if (f.values && f.type === 'string') return CategoryColumn.from(f.name, values as (string | null)[], f.values as string[]);
    const kind: ColumnKind = f.description === 'an ISO-8601 date or timestamp' ? 'date' : KIND_OF_FIELD[f.type];
    return Table.fromArrays({ [f.name]: values }, { kinds: { [f.name]: kind } }).column(f.name);
  });
  return new Table(cols, rows.length);
}

/**
 * Checks that `sig` is a well-formed signature (as read from JSON or passed by a caller) and
 * returns it. Fails with INVALID_ARGUMENT naming the offending field.
 *
 * @example
 * ```ts
 * validateSignature({ inputs: [{ name: 'text', type: 'string' }], outputs: [] });
 * ```
 */
export function validateSignature(sig: unknown, where = 'signature'): ModelSignature {
  if (!isPlainObject(sig)) throw new MlshipError('INVALID_ARGUMENT', `${where} must be an object { inputs: FieldSpec[], outputs: FieldSpec[] }`, { field: where });
  for (const part of ['inputs', 'outputs'] as const) {
    const list = sig[part];
    if (!Array.isArray(list)) {
      throw new MlshipError('INVALID_ARGUMENT', `${where}.${part} must be an array of { name, type } fields`, { field: `${where}.${part}` });
    }
    const seen = new Set<string>();
    list.forEach((f, i) => {
      const at = `${where}.${part}[${i}]`;
      if (!isPlainObject(f)) throw new MlshipError('INVALID_ARGUMENT', `${at} must be an object { name, type }`, { field: at });
      if (typeof f.name !== 'string' || f.name === '') throw new MlshipError('INVALID_ARGUMENT', `${at}.name must be a non-empty string`, { field: at, value: f.name });
      if (seen.has(f.name)) throw new MlshipError('INVALID_ARGUMENT', `${at}: duplicate field name '${f.name}'`, { field: at, value: f.name });
      seen.add(f.name);
      if (!FIELD_TYPES.includes(f.type as FieldType)) {
        throw new MlshipError('INVALID_ARGUMENT', `${at}.type is ${JSON.stringify(f.type)}; use one of ${FIELD_TYPES.join(', ')}`, { field: `${at}.type`, value: f.type });
      }
      if (f.shape !== undefined && (!Array.isArray(f.shape) || !f.shape.every((d) => d === null || (Number.isInteger(d) && (d as number) >= 0)))) {
        throw new MlshipError('INVALID_ARGUMENT', `${at}.shape must be an array of non-negative integers or null`, { field: `${at}.shape`, value: f.shape });
      }
      if (f.optional !== undefined && typeof f.optional !== 'boolean') {
        throw new MlshipError('INVALID_ARGUMENT', `${at}.optional must be a boolean`, { field: `${at}.optional`, value: f.optional });
      }
      if (f.values !== undefined && (!Array.isArray(f.values) || !f.values.every((v) => typeof v === 'string' || typeof v === 'number'))) {
        throw new MlshipError('INVALID_ARGUMENT', `${at}.values must be an array of strings or numbers`, { field: `${at}.values`, value: f.values });
      }
      if (f.description !== undefined && typeof f.description !== 'string') {
        throw new MlshipError('INVALID_ARGUMENT', `${at}.description must be a string`, { field: `${at}.description` });
      }
    });
  }
  return sig as unknown as ModelSignature;
}

/**
 * Validates one request record against the signature's inputs: every required field is present,
 * each value has the declared type (and shape), and no unknown field is given. Throws
 * SCHEMA_MISMATCH naming the field and the expected type.
 *
 * @example
 * ```ts
 * checkInput(sig, { text: 'win a prize now' }); // ok
 * checkInput(sig, { text: 42 });                // SCHEMA_MISMATCH: field 'text' must be a string
 * ```
 */
export function checkInput(sig: ModelSignature, record: unknown, where = 'input'): void {
  if (!isPlainObject(record)) {
    throw new MlshipError('SCHEMA_MISMATCH', `${where} must be an object with fields ${sig.inputs.map((f) => `'${f.name}'`).join(', ')}`, { field: where });
  }
  const known = new Set(sig.inputs.map((f) => f.name));
  for (const key of Object.keys(record)) {
    if (!known.has(key)) {
      throw new MlshipError('SCHEMA_MISMATCH', `${where}: unknown field '${key}'; the model takes ${[...known].map((k) => `'${k}'`).join(', ')}`, { field: key });
    }
  }
  for (const f of sig.inputs) {
    const v = record[f.name];
    if (v === undefined || v === null) {
      if (f.optional) continue;
      throw new MlshipError('SCHEMA_MISMATCH', `${where}: missing required field '${f.name}' (${describeField(f)})`, { field: f.name });
    }
    checkValue(f, v, f.shape ?? [], `${where}.${f.name}`);
  }
}

function checkValue(f: FieldSpec, v: unknown, shape: (number | null)[], at: string): void {
  if (shape.length > 0) {
    if (!Array.isArray(v)) throw new MlshipError('SCHEMA_MISMATCH', `${at} must be an array (${describeField(f)})`, { field: at, value: v });
    const [dim, ...rest] = shape;
    if (dim !== null && dim !== undefined && v.length !== dim) {
      throw new MlshipError('SCHEMA_MISMATCH', `${at} has ${v.length} elements, expected ${dim}`, { field: at });
    }
    v.forEach((x, i) => checkValue(f, x, rest, `${at}[${i}]`));
    return;
  }
  const ok =
    f.type === 'string' ? typeof v === 'string'
    : f.type === 'boolean' ? typeof v === 'boolean'
    : f.type === 'integer' ? typeof v === 'number' && Number.isInteger(v)
    : typeof v === 'number' && Number.isFinite(v);
  if (!ok) {
    throw new MlshipError('SCHEMA_MISMATCH', `${at} must be ${f.type === 'integer' ? 'an integer' : `a ${f.type}`}, got ${JSON.stringify(v)?.slice(0, 60) ?? typeof v}`, { field: at });
  }
  if (f.values && !f.values.includes(v as Label)) {
    throw new MlshipError('SCHEMA_MISMATCH', `${at} is ${JSON.stringify(v)}; allowed values: ${f.values.join(', ')}`, { field: at });
  }
}

function describeField(f: FieldSpec): string {
  return f.shape ? `${f.type}[${f.shape.map((d) => d ?? '*').join(',')}]` : f.type;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}
