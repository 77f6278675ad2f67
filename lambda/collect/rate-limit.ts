/**
 * A paced queue: calls through one limiter start at least `1000 / requestsPerSecond` ms apart, so
 * no more than `requestsPerSecond` of them start in any one-second window. Used where an API's
 * documented rate is low enough that bursting and leaning on retries would waste most of a run in
 * backoff (CloudTrail LookupEvents: 2 requests per second per account and region).
 *
 * The clock is injectable so tests check the pacing without waiting for it.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateLimiter {
  /** Waits for the next free slot, then runs `task`. Slots are handed out in call order. */
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createRateLimiter(options: { requestsPerSecond: number; clock?: Clock }): RateLimiter {
  if (!(options.requestsPerSecond > 0)) throw new Error("requestsPerSecond must be positive");
  const clock = options.clock ?? systemClock;
  const intervalMs = 1000 / options.requestsPerSecond;
  let nextSlot = Number.NEGATIVE_INFINITY;
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      // The slot is reserved synchronously, before any await, so concurrent callers never share one.
      const slot = Math.max(clock.now(), nextSlot);
      nextSlot = slot + intervalMs;
      const wait = slot - clock.now();
      if (wait > 0) await clock.sleep(wait);
      return task();
    },
  };
}
