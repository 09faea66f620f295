import type { RecordsPort, RecordValues } from '../../src/nodes/record/port.js';

/**
 * An in-memory `records` port for engine tests that do not need a database:
 * filters match on top-level equality only. The real one is tested over both
 * stores in test/collections and test/nodes/record.test.ts.
 */
export function memoryRecords(): RecordsPort & { collections: Map<string, RecordValues[]> } {
  const collections = new Map<string, RecordValues[]>();
  let next = 0;
  const table = (name: string) => {
    if (!collections.has(name)) collections.set(name, []);
    return collections.get(name)!;
  };
  const matches = (filter: unknown) => (record: RecordValues) =>
    Object.entries((filter ?? {}) as RecordValues).every(([k, v]) => record[k] === v);
  const stamp = '2025-01-02T03:04:05.000Z';
  return {
    collections,
    query: async ({ collection, filter, limit }) => table(collection).filter(matches(filter)).slice(0, limit),
    async create({ collection, values }) {
      const record = { id: `rec-${++next}`, ...(values as RecordValues), createdAt: stamp, updatedAt: stamp };
      table(collection).push(record);
      return record;
    },
    async updateOne({ collection, filter, values }) {
      const found = table(collection).find(matches(filter));
      if (!found) return { id: 'none', ...(values as RecordValues) };
      return Object.assign(found, values);
    },
    async upsert({ collection, filter, values }) {
      const found = table(collection).find(matches(filter));
      if (found) return Object.assign(found, values);
      return this.create({ collection, values: { ...(filter as RecordValues), ...(values as RecordValues) } });
    },
    async deleteMany({ collection, filter }) {
      const all = table(collection);
      const kept = all.filter((r) => !matches(filter)(r));
      collections.set(collection, kept);
      return all.length - kept.length;
    },
  };
}

/** A `records` port whose every call waits until its signal aborts, then calls `onAbort`. */
export function hangingRecords(onAbort: () => void): RecordsPort {
  const hang = ({ signal }: { signal?: AbortSignal }) =>
    new Promise<never>((_, reject) => signal?.addEventListener('abort', () => {
      onAbort();
      reject(signal.reason);
    }, { once: true }));
  return { query: hang, create: hang, updateOne: hang, upsert: hang, deleteMany: hang };
}
