// What a call throws, for assertions on coded errors: "CODE: message" for an MlshipError,
// 'no error' when it returns; any other exception is rethrown so the test fails loudly. Also the
// error itself, checked for its code (thrownError).
import { expect } from 'vitest';
import { MlshipError, type ErrorCode } from '../../src/core/index.js';

/** `"CODE: message"` of the MlshipError `fn` throws, or `'no error'`. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof MlshipError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

/** `"CODE: message"` of the MlshipError `promise` rejects with, or `'no error'`; any other rejection is rethrown. */
export async function codeOfAsync(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof MlshipError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

/** The MlshipError `fn` throws, checked to carry `code`; fails the test if `fn` returns or throws anything else. */
export function thrownError(fn: () => unknown, code: ErrorCode): MlshipError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MlshipError);
    expect((err as MlshipError).code).toBe(code);
    return err as MlshipError;
  }
  throw new Error(`expected an MlshipError ${code}, but the call returned`);
}
