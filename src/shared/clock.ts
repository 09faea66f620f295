/** The time source, passed in so tests can hold or move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * `toISOString()` with a one-entry memory. Under load one millisecond's
 * timestamp is formatted many times (each job's start and end, each run's
 * start, end and lease), and formatting was ~3% of a webhook call. Each hot
 * call site keeps its own, so values that alternate (now, now + lease) do not
 * evict each other.
 *
 * @example
 * const iso = isoFormatter();
 * iso(clock.now()); // '2026-11-22T18:00:00.000Z'
 */
export function isoFormatter(): (time: Date | number) => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return (time) => {
    const ms = typeof time === 'number' ? time : time.getTime();
    if (ms !== lastMs) {
      lastIso = new Date(ms).toISOString(); // throws, like toISOString, for an invalid time
      lastMs = ms;
    }
    return lastIso;
  };
}
