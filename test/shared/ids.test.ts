import { describe, expect, it } from 'vitest';
import { idFloor, newId, newWebhookKey } from '../../src/shared/ids.js';

describe('ids', () => {
  it('makes RFC 9562 version-7 UUIDs that sort by creation time', async () => {
    const millisecondOf = (id: string) => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    const before = Date.now();
    const first = newId();
    await new Promise((resolve) => setTimeout(resolve, 3));
    // Enough ids that some millisecond may run out of its 4,096 counter values.
    const ids = Array.from({ length: 20_000 }, () => newId());
    const after = Date.now();
    const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(ids.filter((id) => !uuidV7.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => id > first)).toBe(true);
    expect(millisecondOf(first)).toBeGreaterThanOrEqual(before);
    expect(millisecondOf(first)).toBeLessThanOrEqual(after);
    // A millisecond that runs out of counter values borrows the next one, so ids may run ahead by that much.
    expect(millisecondOf(ids.at(-1)!)).toBeLessThanOrEqual(after + Math.ceil(ids.length / 4096));
  });

  it('gives a floor below every id made at or after a time', () => {
    const before = idFloor(new Date(Date.now() - 1));
    expect(newId() > before).toBe(true);
    expect(idFloor(new Date(Date.now() + 60_000)) > newId()).toBe(true);
  });

  it('makes webhook keys of at least 128 random bits', () => {
    const key = newWebhookKey();
    expect(Buffer.from(key, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(newWebhookKey()).not.toBe(key);
  });
});
