// Collecting the events a core channel publishes during one test.
import { afterEach } from 'vitest';

/**
 * Registers the unsubscribe for the calling test file and returns `listen()`: each call subscribes
 * with `subscribe` and returns the array the events are pushed into, until the test ends.
 */
export function useEvents<E>(subscribe: (fn: (event: E) => void) => () => void): () => E[] {
  let stop: (() => void) | undefined;
  afterEach(() => {
    stop?.();
    stop = undefined;
  });
  return () => {
    const events: E[] = [];
    stop = subscribe((e) => {
      events.push(e);
    });
    return events;
  };
}
