import type { Clock } from '../shared/clock.js';
import { HookflowError } from '../shared/errors.js';
import * as store from '../store/collections.js';
import type { CollectionRecord } from '../store/collections.js';
import type { Store } from '../store/database.js';
import { alterRecordTable, createRecordTable, dropRecordTable } from '../store/record-tables.js';
import { whereSql } from '../store/record-where.js';
import { countRecords } from '../store/records.js';
import { uniqueViolationColumn } from '../store/unique-violation.js';
import { changesTable, planTableChange } from './schema-change.js';
import { collectionNameProblem } from './names.js';
import { checkCollectionName, parseFields } from './spec.js';

export interface CollectionService {
  list(): Promise<CollectionRecord[]>;
  /** 404 `not_found` when there is no such collection. */
  get(name: string): Promise<CollectionRecord>;
  /** `{ name, fields }`; creates the table. 400 on a bad definition, 409 when the name is taken. */
  create(input: unknown): Promise<CollectionRecord>;
  /** `{ fields }` (and optionally the same `name`): migrates the table; 409 when the data does not allow it. */
  update(name: string, input: unknown): Promise<CollectionRecord>;
  /** Drops the table and every record in it. */
  remove(name: string): Promise<void>;
}

export interface CollectionServiceDeps {
  store: Pick<Store, 'db' | 'dialect'>;
  clock: Clock;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuseUnknownKeys(input: Record<string, unknown>): void {
  const unknown = Object.keys(input).filter((k) => k !== 'name' && k !== 'fields');
  if (unknown.length > 0) {
    const details = unknown.map((path) => ({ path, message: 'is not a known field; known fields: name, fields' }));
    throw new HookflowError('bad_request', `${unknown[0]} is not a known field of a collection; known fields: name, fields`, { details });
  }
}

/**
 * Collections: each one a definition row plus a real table, changed together
 * in one transaction so the two never disagree.
 */
export function createCollectionService(deps: CollectionServiceDeps): CollectionService {
  const { db, dialect } = deps.store;
  const now = () => deps.clock.now().toISOString();

  async function get(name: string): Promise<CollectionRecord> {
    // A name no collection can have is not looked up (PostgreSQL would reject a NUL in it with a 500).
    const found = collectionNameProblem(name) === undefined ? await store.getCollection(db, name) : undefined;
    if (!found) throw new HookflowError('not_found', `no collection "${name}"`);
    return found;
  }

  return {
    list: () => store.listCollections(db),
    get,

    async create(input) {
      if (!isObject(input)) throw new HookflowError('bad_request', 'a collection must be an object: { name, fields }');
      refuseUnknownKeys(input);
      const name = checkCollectionName(input.name);
      const fields = parseFields(input.fields ?? []);
      const taken = () => new HookflowError('conflict', `collection "${name}" already exists`, { details: [{ path: 'name', message: 'is taken' }] });
      if (await store.getCollection(db, name)) throw taken();
      try {
        await db.transaction().execute(async (trx) => {
          await store.insertCollection(trx, { name, fields, now: now() });
          await createRecordTable(trx, dialect, { name, fields });
        });
      } catch (err) {
        // Two requests creating the same collection at once: the loser hits the primary key.
        if (uniqueViolationColumn(err) !== undefined) throw taken();
        throw err;
      }
      return get(name);
    },

    async update(name, input) {
      if (!isObject(input)) throw new HookflowError('bad_request', 'a collection change must be an object: { fields }');
      refuseUnknownKeys(input);
      if (input.name !== undefined && input.name !== name) {
        throw new HookflowError('bad_request', `renaming a collection is not supported ("${name}" → ${JSON.stringify(input.name)}); create a new one and copy the records`, {
          details: [{ path: 'name', message: `must be "${name}" or left out` }],
        });
      }
      const fields = parseFields(input.fields);
      await get(name);
      await db.transaction().execute(async (trx) => {
        const current = await store.getCollection(trx, name);
        if (!current) throw new HookflowError('not_found', `no collection "${name}"`);
        const change = planTableChange(current.fields, fields);
        const table = current;
        if (change.add.some((f) => f.required)) {
          const count = await countRecords(trx, table, whereSql({ kind: 'and', items: [] }, dialect));
          const field = change.add.find((f) => f.required)!;
          if (count > 0) {
            throw new HookflowError('conflict', `cannot add required field "${field.name}": the collection's ${count} record(s) would have no value for it; add it as optional, fill it in, then make it required`, {
              details: [{ path: `fields.${field.name}.required`, message: `${count} record(s) would have no value` }],
            });
          }
        }
        for (const field of change.setRequired) {
          const empty = await countRecords(trx, table, whereSql({ kind: 'null', field, negate: false }, dialect));
          if (empty > 0) {
            throw new HookflowError('conflict', `cannot make "${field}" required: ${empty} record(s) have no value for it; fill them in first`, {
              details: [{ path: `fields.${field}.required`, message: `${empty} record(s) have no value` }],
            });
          }
        }
        if (changesTable(change)) {
          try {
            await alterRecordTable(trx, dialect, { collection: name, from: current.fields, to: fields, change });
          } catch (err) {
            const column = uniqueViolationColumn(err);
            if (column === undefined) throw err;
            throw new HookflowError('conflict', `cannot make "${column}" unique: some records share a value; make them distinct first`, {
              details: [{ path: `fields.${column}.unique`, message: 'records share a value' }],
              cause: err,
            });
          }
        }
        await store.updateCollectionFields(trx, { name, fields, now: now() });
      });
      return get(name);
    },

    async remove(name) {
      await get(name);
      await db.transaction().execute(async (trx) => {
        if (!(await store.deleteCollectionRow(trx, name))) throw new HookflowError('not_found', `no collection "${name}"`);
        await dropRecordTable(trx, name);
      });
    },
  };
}
