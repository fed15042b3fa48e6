import { OpsbotError } from "../lib/errors.js";

/** Runs at most `max` tasks at once; the rest wait in order. Urgent tasks (a person waiting) go first. */
export interface Limiter {
  run<T>(task: () => Promise<T>, options?: { urgent?: boolean }): Promise<T>;
  readonly active: number;
  readonly waiting: number;
  /** Rejects every task that has not started yet. */
  clear(reason: string): void;
}

interface Waiter {
  start(): void;
  cancel(err: Error): void;
}

export function createLimiter(max: number): Limiter {
  let active = 0;
  const queue: Waiter[] = [];

  const next = () => {
    while (active < max && queue.length > 0) queue.shift()!.start();
  };

  return {
    run<T>(task: () => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const waiter: Waiter = {
          start() {
            active++;
            // A task that throws synchronously must still release its slot.
            Promise.resolve()
              .then(task)
              .then(resolve, reject)
              .finally(() => {
                active--;
                next();
              });
          },
          cancel: reject,
        };
        if (options.urgent) queue.unshift(waiter);
        else queue.push(waiter);
        next();
      });
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    clear(reason) {
      for (const w of queue.splice(0)) w.cancel(new OpsbotError("UNAVAILABLE", reason));
    },
  };
}
