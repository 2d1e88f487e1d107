import { readFileSync } from 'node:fs';
import { MlshipError, type Label } from '../core/index.js';
import { isEstimator, type BaseEstimator } from '../learn/index.js';
import { validateSignature, type ModelSignature } from './signature.js';

/** A JSON-friendly parameter value as recorded in {@link ModelMetadata.params}. */
export type ParamValue = null | boolean | number | string | ParamValue[] | { [key: string]: ParamValue };

/**
 * The metadata block of a model package: everything `mlship model info` shows, readable without
 * loading the arrays (see `readModelMetadata`).
 */
export interface ModelMetadata {
  /** Version of the container format the file was written with. */
  formatVersion: number;
  /** The mlship version that wrote the file (from package.json). */
  mlshipVersion: string;
  /** When the package was written, ISO 8601 (UTC). */
  createdAt: string;
  /** Registered name of the root estimator (`'Pipeline'`, `'MultinomialNB'`). */
  estimator: string;
  /**
   * The hyperparameters, flattened as `getParams(true)` returns them (`'tfidf.minDf'`); nested
   * estimators appear by their registered name.
   */
  params: Record<string, ParamValue>;
  /** The classes, in the column order of `predictProba`; null for non-classifiers. */
  classes: Label[] | null;
  /** What the model takes and returns; null when the caller gave none. */
  signature: ModelSignature | null;
  /** Fingerprint (sha256) of the training data; null when unknown. */
  dataFingerprint: string | null;
  /** Evaluation metrics by name (`accuracy`, `f1`, ...). */
  metrics: Record<string, number>;
  /** Free-form string tags (`dataset`, `git_commit`, ...). */
  tags: Record<string, string>;
  /** Number of typed arrays stored and their total size in bytes. */
  arrays: { count: number; bytes: number };
}

/** Options of `saveModel` and `encodeModel`: the parts of the metadata only the caller knows. */
export interface SaveModelOptions {
  /** Evaluation metrics to record. @default {} */
  metrics?: Record<string, number>;
  /** Training-data fingerprint (e.g. a dataset's `fingerprint`). @default null */
  dataFingerprint?: string | null;
  /** Input/output signature a server will validate requests against. @default null */
  signature?: ModelSignature | null;
  /** Free-form string tags. @default {} */
  tags?: Record<string, string>;
  /** The creation time to record. @default new Date() */
  createdAt?: Date;
}

let cachedVersion: string | undefined;

/**
 * The version field of mlship's package.json (src/model and dist/model both sit two levels below
 * it); recorded in every model package.
 *
 * @example
 * ```ts
 * mlshipVersion(); // '0.1.0'
 * ```
 */
export function mlshipVersion(): string {
  if (cachedVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      cachedVersion = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}

/** Builds the metadata block for a fitted estimator (array counts are filled in by the encoder). */
export function buildMetadata(estimator: BaseEstimator<any>, options: SaveModelOptions, formatVersion: number): ModelMetadata {
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(options.metrics ?? {})) {
    if (typeof v !== 'number') {
      throw new MlshipError('INVALID_ARGUMENT', `metrics.${k} must be a number, got ${JSON.stringify(v)}`, { field: `metrics.${k}`, value: v });
    }
    metrics[k] = v;
  }
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.tags ?? {})) {
    if (typeof v !== 'string') {
      throw new MlshipError('INVALID_ARGUMENT', `tags.${k} must be a string, got ${JSON.stringify(v)}; convert it with String()`, { field: `tags.${k}`, value: v });
    }
    tags[k] = v;
  }
  const fp = options.dataFingerprint ?? null;
  if (fp !== null && typeof fp !== 'string') {
    throw new MlshipError('INVALID_ARGUMENT', 'dataFingerprint must be a string (e.g. a sha256 hex digest) or null', { field: 'dataFingerprint', value: fp });
  }
  const createdAt = options.createdAt ?? new Date();
  if (!(createdAt instanceof Date) || Number.isNaN(createdAt.getTime())) {
    throw new MlshipError('INVALID_ARGUMENT', 'createdAt must be a valid Date', { field: 'createdAt' });
  }
  const classes = (estimator as unknown as { classes_?: unknown }).classes_;
  return {
    formatVersion,
    mlshipVersion: mlshipVersion(),
    createdAt: createdAt.toISOString(),
    estimator: estimator.estimatorName,
    params: flattenParams(estimator.getParams(true)),
    classes: Array.isArray(classes) ? (classes as Label[]).slice() : null,
    signature: options.signature ? validateSignature(options.signature) : null,
    dataFingerprint: fp,
    metrics,
    tags,
    arrays: { count: 0, bytes: 0 },
  };
}

/**
 * An estimator's deep params as JSON values: nested estimators become their names, typed arrays a
 * short description. The form the metadata, the CLI's `--json` and tracking record params in.
 *
 * @example
 * ```ts
 * flattenParams(pipeline.getParams(true)); // { steps: [['tfidf', 'TfidfVectorizer'], ...], 'tfidf.minDf': 1, ... }
 * ```
 */
export function flattenParams(params: Record<string, unknown>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined) out[k] = paramValue(v);
  }
  return out;
}

function paramValue(v: unknown): ParamValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (isEstimator(v)) return v.estimatorName;
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : paramValue(x)));
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<unknown>).length})`;
  if (v instanceof RegExp) return v.source;
  if (typeof v === 'object') {
    const out: Record<string, ParamValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = paramValue(x);
    return out;
  }
  return String(v);
}
