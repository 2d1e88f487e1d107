/**
 * mlship/flow: tasks and flows over plain async functions (Prefect's model), run on the event
 * loop: dependencies from the values passed between tasks, concurrency limits, retries with
 * backoff, timeouts, cancellation, states and hooks, subflows, result caching, and every flow run
 * and task run recorded in the tracking store.
 *
 * @packageDocumentation
 */
export { task, flow, taskContext, flowContext, TaskRun, TaskFuture, FlowRun } from './engine.js';
export type { Task, Flow, TaskOptions, FlowOptions, TaskContext, TaskHook, FlowHook, Input, Inputs } from './engine.js';
export { exponentialBackoff } from './retry.js';
export type { RetryDelay, RetryDelayFn, ExponentialBackoffOptions } from './retry.js';
export { RUN_STATES, isFinalState, isFailureState } from './state.js';
export type { RunState } from './state.js';
export { DEFAULT_CACHE_DIR } from './cache.js';
