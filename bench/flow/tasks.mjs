// The thread task of the flow benchmark: defined at the top level of its own module, which the
// worker threads import.
import { task } from '../../dist/flow/index.js';

/** A no-op on a worker thread: the cost of the round trip (post, run, post back). */
export const threadNoop = task((i) => i, { name: 'thread-noop', thread: true });
