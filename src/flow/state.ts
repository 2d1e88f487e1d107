/**
 * The states of flow runs and task runs (Prefect's model).
 */

/**
 * The state of a flow run or task run.
 *
 * - `Pending`: created, waiting for its inputs, `waitFor` or a concurrency slot.
 * - `Running`: its function is running.
 * - `Retrying`: an attempt failed and the next one waits for its retry delay.
 * - `Completed`: finished with a result. `Cached`: the result came from the task cache.
 * - `Failed`: its function threw (after the last retry), or an upstream task failed so it never ran.
 * - `TimedOut`: its `timeoutMs` passed (for a task, on the last attempt).
 * - `Cancelled`: `flowRun.cancel()` was called, or the flow timed out while it was pending or running.
 * - `Crashed`: mlship's own machinery failed around the user's function (a bug to report), or, in
 *   the tracking store, the process running it died mid-run (marked by `markCrashedRuns`, which
 *   the next recorded flow run on the store calls).
 *
 * @example
 * ```ts
 * import { flow } from 'mlship/flow';
 * import type { RunState } from 'mlship/flow';
 * const run = flow(async () => 1).start();
 * await run.wait();
 * const state: RunState = run.state; // 'Completed'
 * ```
 */
export type RunState = 'Pending' | 'Running' | 'Completed' | 'Cached' | 'Failed' | 'Retrying' | 'TimedOut' | 'Cancelled' | 'Crashed';

/**
 * Every {@link RunState}, in life-cycle order.
 *
 * @example
 * ```ts
 * import { RUN_STATES } from 'mlship/flow';
 * RUN_STATES.includes('Cached'); // true
 * ```
 */
export const RUN_STATES: readonly RunState[] = ['Pending', 'Running', 'Retrying', 'Completed', 'Cached', 'Failed', 'TimedOut', 'Cancelled', 'Crashed'];

/**
 * Whether a state is final.
 *
 * @example
 * ```ts
 * import { isFinalState } from 'mlship/flow';
 * isFinalState('Cached');   // true
 * isFinalState('Retrying'); // false
 * ```
 */
export function isFinalState(state: RunState): boolean {
  return state !== 'Pending' && state !== 'Running' && state !== 'Retrying';
}

/**
 * Whether a state is a failure (`Failed`, `TimedOut` or `Crashed`): the states that run `onFailure` hooks.
 *
 * @example
 * ```ts
 * import { isFailureState } from 'mlship/flow';
 * isFailureState('TimedOut');  // true
 * isFailureState('Cancelled'); // false
 * ```
 */
export function isFailureState(state: RunState): boolean {
  return state === 'Failed' || state === 'TimedOut' || state === 'Crashed';
}
