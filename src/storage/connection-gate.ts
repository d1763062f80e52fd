// Who gets the next PostgreSQL connection of a process's pool (docs/reliability.md, "Calls keep
// database connections of their own"). A bank request refused for want of a connection is answered
// 503 with Retry-After and retried by the bank; a Twilio webhook refused the same way ends the
// customer's call with an application error, and the `*` or the right answer pressed on it is lost.
// So work on the call path (onCallPath) may use every connection and is served first, while other
// work leaves `reserved` connections free for it: however many bank requests wait or hang, a call's
// webhook finds a connection. node-postgres's pool only queues first come, first served; the gate
// sits in front of it and never lets more than `max` connections be asked for.
import { AsyncLocalStorage } from 'node:async_hooks';

const callPath = new AsyncLocalStorage<true>();

/** Runs `work` (and everything it starts) as call-path work: a live call is waiting for its answer. */
export function onCallPath<T>(work: () => Promise<T>): Promise<T> {
  return callPath.run(true, work);
}

/** The message node-postgres gives a pool wait that timed out: what isDatabaseUnavailable recognises (503). */
export class ConnectionWaitTimeout extends Error {
  constructor(waitedMs: number) {
    super(`timeout exceeded when trying to connect (no database connection free within ${waitedMs} ms)`);
    this.name = 'ConnectionWaitTimeout';
  }
}

interface Waiter {
  grant: () => void;
}

export class ConnectionGate {
  private inUse = 0;
  private readonly callWaiters: Waiter[] = [];
  private readonly otherWaiters: Waiter[] = [];

  constructor(private readonly options: { max: number; reserved: number; waitMs: number }) {}

  /** Waits for a connection slot (the caller's kind decides which), runs `work`, frees the slot. */
  async around<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Waits for a connection slot; the function returned frees it (call it once). */
  async acquire(): Promise<() => void> {
    await this.take(callPath.getStore() === true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release();
    };
  }

  private limitFor(call: boolean): number {
    return call ? this.options.max : Math.max(1, this.options.max - this.options.reserved);
  }

  private take(call: boolean): Promise<void> {
    // Call-path work never queues behind other work; other work does not overtake waiting calls.
    const queue = call ? this.callWaiters : this.otherWaiters;
    if (this.inUse < this.limitFor(call) && (call || this.callWaiters.length === 0) && queue.length === 0) {
      this.inUse += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          this.inUse += 1;
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        reject(new ConnectionWaitTimeout(this.options.waitMs));
      }, this.options.waitMs);
      queue.push(waiter);
    });
  }

  private release(): void {
    this.inUse -= 1;
    const next = this.callWaiters.length > 0 && this.inUse < this.limitFor(true)
      ? this.callWaiters.shift()
      : this.callWaiters.length === 0 && this.otherWaiters.length > 0 && this.inUse < this.limitFor(false)
        ? this.otherWaiters.shift()
        : undefined;
    next?.grant();
  }
}
