/** The pure rules behind collections: datetimes, schema changes, driver errors. No database. */
import { describe, expect, it } from 'vitest';
import { planTableChange } from '../../src/collections/schema-change.js';
import { normalizeDatetime } from '../../src/collections/values.js';
import type { CollectionField } from '../../src/store/collections.js';
import { uniqueViolationColumn } from '../../src/store/unique-violation.js';

describe('normalizeDatetime', () => {
  it.each([
    ['2025-01-31', '2025-01-31T00:00:00.000Z'],
    ['2025-01-31T09:30Z', '2025-01-31T09:30:00.000Z'],
    ['2025-01-31T09:30:15.123456789Z', '2025-01-31T09:30:15.123Z'],
    ['2025-01-31 09:30:00+01:00', '2025-01-31T08:30:00.000Z'],
    ['2025-01-01T00:30:00+0100', '2024-12-31T23:30:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['0099-06-01', '0099-06-01T00:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeDatetime(input)).toBe(expected);
  });

  it.each(['2025-02-29', '1900-02-29', '2025-13-01', '2025-04-31', '2025-01-01T24:00:00Z', '2025-01-01T10:00:00', '2025-01-01T10:00+25:00', '9999-12-31T23:00:00-02:00', 'tomorrow', '2025-1-1', ''])(
    'refuses %j',
    (input) => {
      expect(normalizeDatetime(input)).toBeUndefined();
    },
  );
});

const f = (name: string, extra: Partial<CollectionField> = {}): CollectionField => ({ name, type: 'string', required: false, unique: false, ...extra });

describe('planTableChange', () => {
  it('lists what changes, field by field', () => {
    const change = planTableChange(
      [f('a'), f('b', { required: true }), f('c', { unique: true }), f('gone')],
      [f('a', { required: true, unique: true }), f('b'), f('c', { type: 'text' }), f('new', { type: 'integer', unique: true })],
    );
    expect(change).toEqual({
      add: [f('new', { type: 'integer', unique: true })],
      drop: [f('gone')],
      setRequired: ['a'],
      dropRequired: ['b'],
      addUnique: ['a'],
      dropUnique: ['c'],
    });
  });

  it('refuses type changes that would reinterpret data', () => {
    expect(() => planTableChange([f('n', { type: 'integer' })], [f('n', { type: 'number' })])).toThrow(/cannot change the type of "n" from integer to number/);
    expect(() => planTableChange([f('t', { type: 'text' })], [f('t')])).toThrow(/from text to string/);
  });
});

describe('uniqueViolationColumn', () => {
  it('reads SQLite and PostgreSQL errors', () => {
    expect(uniqueViolationColumn({ code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: rec_customers.email' })).toBe('email');
    expect(uniqueViolationColumn({ code: '23505', constraint: 'uq_customers__externalId' })).toBe('externalId');
    expect(uniqueViolationColumn({ code: '23505', constraint: 'rec_customers_pkey' })).toBe('id');
    expect(uniqueViolationColumn({ code: '23505', detail: 'Key ("firstName")=(x) is duplicated.' })).toBe('firstName');
    expect(uniqueViolationColumn({ code: '23502', message: 'not null' })).toBeUndefined();
    expect(uniqueViolationColumn(new Error('other'))).toBeUndefined();
  });
});
