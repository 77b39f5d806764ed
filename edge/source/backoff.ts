/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter",
 * 2015): the delay is uniform in [0, min(max, initial * 2^attempt)]. Jitter keeps a dozen agents that
 * lost the same NVR from reconnecting in lockstep. A floor of half the initial delay stops a lucky
 * draw of 0 from turning a dead camera into a busy loop.
 */
export function backoffDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.max(initialMs / 2, ceiling * random());
}
