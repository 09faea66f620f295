import type { Clock } from '../shared/clock.js';
import { HookflowError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { getCollection, type CollectionRecord } from '../store/collections.js';
import type { Store } from '../store/database.js';
import type { RecordValues } from '../store/record-columns.js';
import { afterSql, andSql, whereSql, type RecordFilter, type SortKey } from '../store/record-where.js';
import * as rows from '../store/records.js';
import { uniqueViolationColumn } from '../store/unique-violation.js';
import { parseFilter, pinnedValues } from './filter.js';
import { collectionNameProblem } from './names.js';
import { decodeCursor, encodeCursor, parseSort } from './sort.js';
import { checkRecordValues } from './values.js';

export interface RecordQuery {
  /** A filter object (see `filter.ts`); absent or `{}`: every record. */
  filter?: unknown;
  /** `"-createdAt,name"` or a list of keys; default: creation order. */
  sort?: string | readonly string[];
  limit?: number;
  offset?: number;
}

export interface RecordPage {
  items: RecordValues[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/**
 * Records of a collection, for the API and for the record nodes (this object
 * is the engine's `records` port). Values are checked against the field
 * types; a broken unique field is a 409 `conflict` naming the field.
 */
export interface RecordService {
  list(collection: string, query: RecordQuery & { cursor?: string }): Promise<RecordPage>;
  get(collection: string, id: string): Promise<RecordValues>;
  create(collection: string, values: unknown): Promise<RecordValues>;
  update(collection: string, id: string, values: unknown): Promise<RecordValues>;
  remove(collection: string, id: string): Promise<void>;
  query(collection: string, query: RecordQuery): Promise<RecordValues[]>;
  /** Changes the one record `filter` matches; 404 when none does, 409 when several do. */
  updateOne(collection: string, filter: unknown, values: unknown): Promise<RecordValues>;
  /** Changes the record `filter` matches, or creates one from the filter's `field: value` pairs and `values`. */
  upsert(collection: string, filter: unknown, values: unknown): Promise<RecordValues>;
  /** Deletes every record `filter` matches; the count. */
  deleteMany(collection: string, filter: unknown): Promise<number>;
}

/** Ids are ours (UUIDs); anything else is not looked up (PostgreSQL would reject a NUL in it with a 500). */
function plausibleId(id: string): boolean {
  return id.length <= 64 && !id.includes('\u0000');
}

function noRecord(collection: CollectionRecord, id: string): HookflowError {
  return new HookflowError('not_found', `no record ${JSON.stringify(id).slice(1, -1)} in collection "${collection.name}"`);
}

const BY_ID: readonly SortKey[] = [{ field: 'id', type: 'text', desc: false }];

export function createRecordService(deps: { store: Pick<Store, 'db' | 'dialect'>; clock: Clock }): RecordService {
  const { db, dialect } = deps.store;
  const now = () => deps.clock.now().toISOString();

  async function collectionOf(name: string): Promise<CollectionRecord> {
    // A name no collection can have is not looked up (PostgreSQL would reject a NUL in it with a 500).
    const found = collectionNameProblem(name) === undefined ? await getCollection(db, name) : undefined;
    if (!found) throw new HookflowError('not_found', `no collection "${String(name)}"`);
    return found;
  }

  /** Runs a write, turning a unique violation into 409 `conflict` naming the field. */
  async function guardUnique<T>(collection: CollectionRecord, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      const field = uniqueViolationColumn(err);
      if (field === undefined) throw err;
      throw new HookflowError('conflict', `value of "${field}" already exists in collection "${collection.name}"; it must be unique`, {
        details: [{ path: field, message: 'already exists' }],
        cause: err,
      });
    }
  }

  const insert = (collection: CollectionRecord, values: RecordValues) =>
    guardUnique(collection, () => rows.insertRecord(db, dialect, { table: collection, id: newId(), values, now: now() }));

  async function updateById(collection: CollectionRecord, id: string, values: RecordValues): Promise<RecordValues> {
    const updated =
      Object.keys(values).length === 0
        ? await rows.selectRecordById(db, collection, id)
        : await guardUnique(collection, () => rows.updateRecordById(db, dialect, { table: collection, id, values, now: now() }));
    if (!updated) throw noRecord(collection, id);
    return updated;
  }

  /** At most two matches: enough to tell "one" from "several". */
  const firstTwo = (collection: CollectionRecord, filter: RecordFilter) =>
    rows.selectRecords(db, { table: collection, where: whereSql(filter, dialect), orderBy: BY_ID, limit: 2 });

  const severalMatch = (collection: CollectionRecord) =>
    new HookflowError('conflict', `the filter matches more than one record in collection "${collection.name}"; filter on a unique field (or id)`);

  async function select(collection: CollectionRecord, query: RecordQuery, page: { limit: number; cursor?: string }): Promise<{ items: RecordValues[]; keys: SortKey[] }> {
    const filter = parseFilter(collection, query.filter);
    const keys = parseSort(collection, query.sort);
    let where = whereSql(filter, dialect);
    if (page.cursor !== undefined) {
      if (query.offset !== undefined) {
        throw new HookflowError('bad_request', 'use either cursor or offset, not both', { details: [{ path: 'offset', message: 'cannot be combined with cursor' }] });
      }
      where = andSql(where, afterSql(keys, decodeCursor(keys, page.cursor), dialect));
    }
    const items = await rows.selectRecords(db, { table: collection, where, orderBy: keys, limit: page.limit, offset: query.offset });
    return { items, keys };
  }

  return {
    async list(name, query) {
      const collection = await collectionOf(name);
      const limit = query.limit ?? 50;
      // One row more than asked tells whether there is a next page.
      const { items, keys } = await select(collection, query, { limit: limit + 1, cursor: query.cursor });
      const more = items.length > limit;
      if (more) items.length = limit;
      return { items, nextCursor: more ? encodeCursor(keys, items[items.length - 1]!) : null };
    },

    async get(name, id) {
      const collection = await collectionOf(name);
      const found = plausibleId(id) ? await rows.selectRecordById(db, collection, id) : undefined;
      if (!found) throw noRecord(collection, id);
      return found;
    },

    async create(name, values) {
      const collection = await collectionOf(name);
      return insert(collection, checkRecordValues(collection, values, 'create'));
    },

    async update(name, id, values) {
      const collection = await collectionOf(name);
      const checked = checkRecordValues(collection, values, 'update');
      if (!plausibleId(id)) throw noRecord(collection, id);
      return updateById(collection, id, checked);
    },

    async remove(name, id) {
      const collection = await collectionOf(name);
      const byId = whereSql({ kind: 'compare', field: 'id', type: 'text', op: '$eq', value: id }, dialect);
      if (!plausibleId(id) || (await rows.deleteRecords(db, collection, byId)) === 0) throw noRecord(collection, id);
    },

    async query(name, query) {
      const collection = await collectionOf(name);
      return (await select(collection, query, { limit: query.limit ?? 100 })).items;
    },

    async updateOne(name, filterInput, valuesInput) {
      const collection = await collectionOf(name);
      const filter = parseFilter(collection, filterInput);
      const values = checkRecordValues(collection, valuesInput, 'update');
      const matches = await firstTwo(collection, filter);
      if (matches.length === 0) throw new HookflowError('not_found', `no record in collection "${name}" matches the filter`);
      if (matches.length > 1) throw severalMatch(collection);
      return updateById(collection, matches[0]!.id as string, values);
    },

    async upsert(name, filterInput, valuesInput) {
      const collection = await collectionOf(name);
      const filter = parseFilter(collection, filterInput);
      const changes = checkRecordValues(collection, valuesInput, 'update');
      // A concurrent upsert may create the record between our look-up and our
      // insert; when a unique field catches that, look again and update instead.
      for (let attempt = 1; ; attempt++) {
        const matches = await firstTwo(collection, filter);
        if (matches.length > 1) throw severalMatch(collection);
        if (matches.length === 1) return updateById(collection, matches[0]!.id as string, changes);
        const values = checkRecordValues(collection, { ...pinnedValues(filter), ...changes }, 'create');
        try {
          return await insert(collection, values);
        } catch (err) {
          if (attempt >= 2 || !(err instanceof HookflowError && err.code === 'conflict')) throw err;
        }
      }
    },

    async deleteMany(name, filterInput) {
      const collection = await collectionOf(name);
      return rows.deleteRecords(db, collection, whereSql(parseFilter(collection, filterInput), dialect));
    },
  };
}
