import { describe, expect, it } from 'vitest';
import { isoFormatter } from '../../src/shared/clock.js';

describe('isoFormatter', () => {
  it('formats like toISOString, for dates and epoch milliseconds, as the time moves', () => {
    const iso = isoFormatter();
    const times = [0, 1, 1, 1_795_372_800_000, 1_795_372_800_000, 1_795_372_800_001, -1, 1_795_372_800_000];
    for (const ms of times) {
      expect(iso(ms)).toBe(new Date(ms).toISOString());
      expect(iso(new Date(ms))).toBe(new Date(ms).toISOString());
    }
  });

  it('refuses an invalid time, like toISOString', () => {
    const iso = isoFormatter();
    expect(() => iso(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => iso(Number.NaN)).toThrow(RangeError);
  });
});
