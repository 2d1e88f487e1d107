/**
 * Errors over HTTP: one table from mlship's error codes to HTTP statuses, the JSON error body
 * `{ error_code, message }`, and the MLflow flavour of both for the `/api/2.0/mlflow` routes.
 * Unknown errors become a 500 with a generic message; their stack stays in the server log.
 */
import { isMlshipError, type ErrorCode } from '../core/index.js';

/**
 * The HTTP status of each mlship error code. Complete by construction: adding an `ErrorCode`
 * without a status here fails the type check.
 *
 * @example
 * ```ts
 * HTTP_STATUS.NOT_FOUND; // 404
 * ```
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  PERMISSION_DENIED: 403,
  NOT_FITTED: 409,
  SCHEMA_MISMATCH: 400,
  SHAPE_MISMATCH: 400,
  INVALID_DATA: 400,
  PARSE_ERROR: 400,
  UNSUPPORTED_VERSION: 400,
  NOT_CONVERGED: 422,
  CORRUPT_ARTIFACT: 500,
  IO_ERROR: 503,
  TIMEOUT: 504,
  CANCELLED: 409,
  COMMAND_FAILED: 500,
  UNAVAILABLE: 503,
  PAYLOAD_TOO_LARGE: 413,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
};

/** The JSON body of every error response. */
export interface ErrorBody {
  error_code: string;
  message: string;
}

/** An error ready to send: status and body. */
export interface HttpError {
  status: number;
  body: ErrorBody;
}

/**
 * The message sent for errors that are not `MlshipError`s (bugs): no stack, no internals.
 *
 * @example
 * ```ts
 * toHttpError(new TypeError('x')).body.message === INTERNAL_MESSAGE; // true
 * ```
 */
export const INTERNAL_MESSAGE = 'internal server error: the server log has the details; please report it with the request you sent';

/** The JSON schema of {@link ErrorBody}, used in every route's response schemas and the OpenAPI document. */
export const ERROR_BODY_SCHEMA = {
  type: 'object',
  required: ['error_code', 'message'],
  properties: { error_code: { type: 'string' }, message: { type: 'string' } },
} as const;

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  validation?: { instancePath?: string; keyword?: string; message?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
}

/**
 * Maps any thrown value to a status and an mlship error body. `MlshipError` → its code and the
 * status from {@link HTTP_STATUS}; Fastify request errors (validation, bad JSON, body too large,
 * unsupported media type) → `INVALID_ARGUMENT` with their 4xx status and a message naming the
 * field; anything else → 500 `INTERNAL` with {@link INTERNAL_MESSAGE} and `internal: true` so the
 * caller logs it.
 *
 * @example
 * ```ts
 * toHttpError(new MlshipError('NOT_FOUND', "no run with id 'x'"));
 * // { status: 404, body: { error_code: 'NOT_FOUND', message: "no run with id 'x'" }, internal: false }
 * ```
 */
export function toHttpError(err: unknown): HttpError & { internal: boolean } {
  if (isMlshipError(err)) {
    return { status: HTTP_STATUS[err.code] ?? 500, body: { error_code: err.code, message: err.message }, internal: false };
  }
  const e = (err ?? {}) as FastifyLikeError;
  if (Array.isArray(e.validation)) {
    return { status: 400, body: { error_code: 'INVALID_ARGUMENT', message: validationMessage(e) }, internal: false };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.code === 'string' && e.code.startsWith('FST_')) {
    return { status: e.statusCode, body: { error_code: e.statusCode === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT', message: e.message ?? 'bad request' }, internal: false };
  }
  return { status: 500, body: { error_code: 'INTERNAL', message: INTERNAL_MESSAGE }, internal: true };
}

/**
 * One sentence naming the offending field, from an Ajv validation error: `body.name must be
 * string`, `body.metrics[3].value is required`, `querystring.maxResults must be >= 1`.
 */
function validationMessage(e: FastifyLikeError): string {
  const where = e.validationContext ?? 'request';
  const first = e.validation?.[0];
  if (!first) return `invalid ${where}: ${e.message ?? ''}`.trim();
  const path = (first.instancePath ?? '')
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('');
  const field = `${where}${path}`;
  const params = first.params ?? {};
  if (first.keyword === 'required') return `${field}.${String(params.missingProperty)} is required`;
  if (first.keyword === 'additionalProperties') return `${field}.${String(params.additionalProperty)} is not a known field; remove it (see /api/v1/openapi.json)`;
  if (first.keyword === 'enum' && Array.isArray(params.allowedValues)) return `${field} must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${field} ${first.message ?? 'is invalid'}`;
}

/** MLflow's error codes, as its REST API sends them. */
export type MlflowErrorCode =
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'RESOURCE_CONFLICT'
  | 'PERMISSION_DENIED'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'ENDPOINT_NOT_FOUND'
  | 'INTERNAL_ERROR';

/**
 * HTTP status of each MLflow error code (MLflow's own table: RESOURCE_ALREADY_EXISTS is 400 there).
 *
 * @example
 * ```ts
 * MLFLOW_HTTP_STATUS.RESOURCE_DOES_NOT_EXIST; // 404
 * ```
 */
export const MLFLOW_HTTP_STATUS: Readonly<Record<MlflowErrorCode, number>> = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_CONFLICT: 409,
  PERMISSION_DENIED: 403,
  TEMPORARILY_UNAVAILABLE: 503,
  REQUEST_LIMIT_EXCEEDED: 429,
  ENDPOINT_NOT_FOUND: 404,
  INTERNAL_ERROR: 500,
};

const MLFLOW_CODE: Partial<Record<string, MlflowErrorCode>> = {
  NOT_FOUND: 'RESOURCE_DOES_NOT_EXIST',
  ALREADY_EXISTS: 'RESOURCE_ALREADY_EXISTS',
  CONFLICT: 'RESOURCE_CONFLICT',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  IO_ERROR: 'TEMPORARILY_UNAVAILABLE',
  UNAVAILABLE: 'TEMPORARILY_UNAVAILABLE',
  RESOURCE_EXHAUSTED: 'REQUEST_LIMIT_EXCEEDED',
};

/**
 * The MLflow flavour of {@link toHttpError}: `NOT_FOUND` → `RESOURCE_DOES_NOT_EXIST` (404),
 * `ALREADY_EXISTS` → `RESOURCE_ALREADY_EXISTS` (400), `INVALID_ARGUMENT` and the other client
 * errors → `INVALID_PARAMETER_VALUE` (400), `CONFLICT` → `RESOURCE_CONFLICT` (409), server errors
 * → `INTERNAL_ERROR` (500).
 *
 * @example
 * ```ts
 * toMlflowHttpError(new MlshipError('NOT_FOUND', "no run with id 'x'")).body.error_code; // 'RESOURCE_DOES_NOT_EXIST'
 * ```
 */
export function toMlflowHttpError(err: unknown): HttpError & { internal: boolean } {
  const own = toHttpError(err);
  const code: MlflowErrorCode =
    MLFLOW_CODE[own.body.error_code] ?? (own.status === 404 ? 'ENDPOINT_NOT_FOUND' : own.status < 500 ? 'INVALID_PARAMETER_VALUE' : 'INTERNAL_ERROR');
  return { status: MLFLOW_HTTP_STATUS[code], body: { error_code: code, message: own.body.message }, internal: own.internal };
}
