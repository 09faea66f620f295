const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Milliseconds in a duration such as `3600s`, `10m`, `12h` or `7d` (the shape
 * `definition.ts` `Duration` accepts, e.g. `trigger.dedup.window`).
 *
 * @example parseDuration('7d') // 604800000
 */
export function parseDuration(text: string): number {
  const match = /^([1-9][0-9]{0,6})(s|m|h|d)$/.exec(text);
  if (match === null) throw new Error(`not a duration: "${text}" (use e.g. 3600s, 10m, 12h or 7d)`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
