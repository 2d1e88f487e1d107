/**
 * A counting semaphore for concurrency limits (per flow run, per tag). FIFO; a waiter can leave
 * the queue when its run is cancelled. Internal to src/flow.
 */

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  done: boolean;
}

/** @internal */
export class Semaphore {
  readonly limit: number;
  inFlight = 0;
  /** The most slots ever held at once (tests and diagnostics). */
  maxObserved = 0;
  private queue: Waiter[] = [];
  private head = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Takes a slot now when one is free (returns true); else the caller must `wait()`. */
  tryAcquire(): boolean {
    if (this.inFlight < this.limit && this.head === this.queue.length) {
      this.take();
      return true;
    }
    return false;
  }

  /** Waits for a slot. The returned `cancel` rejects the wait with `reason` (no slot is held then). */
  wait(): { promise: Promise<void>; cancel: (reason: unknown) => void } {
    let waiter!: Waiter;
    const promise = new Promise<void>((resolve, reject) => {
      waiter = { resolve, reject, done: false };
    });
    this.queue.push(waiter);
    return {
      promise,
      cancel: (reason) => {
        if (waiter.done) return;
        waiter.done = true;
        waiter.reject(reason);
      },
    };
  }

  release(): void {
    this.inFlight--;
    while (this.head < this.queue.length && this.inFlight < this.limit) {
      const w = this.queue[this.head++]!;
      if (w.done) continue;
      w.done = true;
      this.take();
      w.resolve();
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private take(): void {
    this.inFlight++;
    if (this.inFlight > this.maxObserved) this.maxObserved = this.inFlight;
  }
}
