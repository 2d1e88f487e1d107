/**
 * Error codes used across mlship. One code per kind of failure; the HTTP layer maps each code to
 * one status.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  | 'PERMISSION_DENIED'
  | 'NOT_FITTED'
  | 'SCHEMA_MISMATCH'
  | 'SHAPE_MISMATCH'
  | 'INVALID_DATA'
  | 'PARSE_ERROR'
  | 'CORRUPT_ARTIFACT'
  | 'UNSUPPORTED_VERSION'
  | 'NOT_CONVERGED'
  | 'IO_ERROR'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'COMMAND_FAILED'
  | 'UNAVAILABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL';

/** Extra context attached to an error: the file, line, field or value it concerns. */
export interface ErrorDetails {
  file?: string;
  line?: number;
  field?: string;
  value?: unknown;
  hint?: string;
  [key: string]: unknown;
}

/**
 * The one error type mlship throws on purpose. `code` says what kind of failure it is;
 * the message names the argument, file, line or value and what to do about it.
 *
 * @example
 * ```ts
 * import { MlshipError } from 'mlship/core';
 * try {
 *   model.predict(docs);
 * } catch (err) {
 *   if (err instanceof MlshipError && err.code === 'NOT_FITTED') console.error(err.message);
 * }
 * ```
 */
export class MlshipError extends Error {
  override readonly name = 'MlshipError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /** A plain JSON form, for logs, the CLI's `--json` output and HTTP error bodies. */
  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is an {@link MlshipError}, optionally with the given code. */
export function isMlshipError(err: unknown, code?: ErrorCode): err is MlshipError {
  return err instanceof MlshipError && (code === undefined || err.code === code);
}

/** Throws INVALID_ARGUMENT with `message` unless `condition` holds. */
export function ensure(condition: unknown, message: string, details?: ErrorDetails): asserts condition {
  if (!condition) throw new MlshipError('INVALID_ARGUMENT', message, details);
}
