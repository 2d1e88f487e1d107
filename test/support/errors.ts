// What a call throws, for assertions on coded errors: "CODE: message" for an MlshipError,
// 'no error' when it returns; any other exception is rethrown so the test fails loudly.
import { MlshipError } from '../../src/core/index.js';

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
