import type { RateLimitSpec } from '../engine/definition.js';

export interface RateLimiter {
  /** Counts one request; returns the seconds to wait when the workflow is over its limit. */
  take(workflowId: string, limit: RateLimitSpec, now: number): { ok: true } | { ok: false; retryAfterSec: number };
}

/**
 * `trigger.rateLimit`: at most `max` requests per fixed `windowSec` window,
 * per workflow and per process (several processes behind a balancer each
 * allow `max`; docs/security.md). Windows are aligned to the epoch so
 * `Retry-After` is exact.
 *
 * Not @fastify/rate-limit: its limits are per route and keyed by client, set
 * when routes are registered, while these come from each workflow's
 * definition, change with its versions, and must be decided after the route
 * lookup and recorded in the request log like every other refusal.
 */
export function createRateLimiter(): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(workflowId, limit, now) {
      const size = limit.windowSec * 1000;
      const start = Math.floor(now / size) * size;
      let window = windows.get(workflowId);
      if (!window || window.start !== start) {
        if (windows.size > 10_000) windows.clear(); // bounded: stale windows of removed workflows
        window = { start, count: 0 };
        windows.set(workflowId, window);
      }
      if (window.count >= limit.max) return { ok: false, retryAfterSec: Math.max(1, Math.ceil((start + size - now) / 1000)) };
      window.count += 1;
      return { ok: true };
    },
  };
}
