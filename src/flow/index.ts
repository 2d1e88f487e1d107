/**
 * mlship/flow: tasks and flows over plain async functions (Prefect's model), run on the event
 * loop or, for CPU-bound tasks, on worker threads: dependencies from the values passed between tasks, concurrency limits, retries with
 * backoff, timeouts, cancellation, states and hooks, run loggers, subflows, result caching, every flow run
 * and task run recorded in the tracking store (visible while running, marked Crashed when their
 * process died), and schedules (cron and interval) served by `serve()` / `mlship flow serve`.
 *
 * @packageDocumentation
 */
export { task, flow, taskContext, flowContext, runLogger, LOGS_ARTIFACT, SOURCE_FLOW_RUN_TAG, SOURCE_TASK_RUN_TAG, TaskRun, TaskFuture, FlowRun } from './engine.js';
export { LOG_LEVELS, MAX_LOG_LINES, parseLogLines, formatLogLines } from './logger.js';
export type { LogLevel, LogLine, RunLogger } from './logger.js';
export { setThreadPoolSize } from './threads.js';
export type { Task, Flow, TaskOptions, FlowOptions, TaskContext, TaskHook, FlowHook, Input, Inputs } from './engine.js';
export { exponentialBackoff } from './retry.js';
export type { RetryDelay, RetryDelayFn, ExponentialBackoffOptions } from './retry.js';
export { RUN_STATES, isFinalState, isFailureState } from './state.js';
export type { RunState } from './state.js';
export { DEFAULT_CACHE_DIR } from './cache.js';
export { parseCron, nextCronTime, cronTimes } from './cron.js';
export type { CronExpression, CronOptions, CronTimezone } from './cron.js';
export { interval, cron, serve } from './schedule.js';
export type { Schedule, IntervalOptions, CronScheduleOptions, Deployment, ServeOptions, ServeHandle, ServeRunEvent, ServeSkipEvent, ServeErrorEvent, StopOptions } from './schedule.js';
export { markCrashedRuns, HEARTBEAT_INTERVAL_MS, DEFAULT_STALE_MS } from './crash.js';
export type { MarkCrashedOptions, CrashedRuns } from './crash.js';
export { loadPipeline, selectStages, pipelineText, pipelineDot, paramValue, PIPELINE_FILE, PARAMS_FILE, LOCK_FILE } from './pipeline-file.js';
export type { Pipeline, PipelineStage } from './pipeline-file.js';
export { runPipeline } from './pipeline.js';
export type { RunPipelineOptions, StageResult, PipelineRunResult } from './pipeline.js';
