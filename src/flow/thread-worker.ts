/**
 * The entry of a flow worker thread: imports the module that defines a thread task, finds the task
 * by name and runs it with a task context whose logger reports back to the flow.
 */
import { parentPort } from 'node:worker_threads';
import { MlshipError } from '../core/index.js';
import { callInThread } from './engine.js';
import { format } from 'node:util';
import { logTime, type LogLevel } from './logger.js';
import { findThreadTask, serializeError, type ThreadJob, type ThreadMessage } from './threads.js';

const port = parentPort!;

async function run(job: ThreadJob): Promise<ThreadMessage> {
  try {
    await import(job.module);
    const fn = findThreadTask(job.task, job.module);
    if (!fn) {
      throw new MlshipError(
        'NOT_FOUND',
        `thread task '${job.task}' was not found after importing ${job.module}: a task with thread: true must be defined at the top level of its module (not inside a function), or name its defining module with the 'module' option`,
        { task: job.task, file: job.module },
      );
    }
    const log = (level: LogLevel) => (...args: unknown[]) => port.postMessage({ type: 'log', level, message: format(...args), time: logTime() } satisfies ThreadMessage);
    const logger = { debug: log('debug'), info: log('info'), warning: log('warning'), error: log('error') };
    const value = await callInThread(fn, { ...job.ctx, logger }, job.args);
    return { type: 'done', ok: true, value };
  } catch (err) {
    return { type: 'done', ok: false, error: serializeError(err) };
  }
}

port.on('message', (job: ThreadJob) => {
  void run(job).then((msg) => {
    try {
      port.postMessage(msg);
    } catch (err) {
      port.postMessage({
        type: 'done',
        ok: false,
        error: serializeError(new MlshipError('INVALID_ARGUMENT', `the result of thread task '${job.task}' cannot be sent back from its worker thread (${(err as Error).message}): return plain data, typed arrays, Maps, Sets or Dates`, { task: job.task })),
      } satisfies ThreadMessage);
    }
  });
});
