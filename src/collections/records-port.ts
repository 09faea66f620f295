import type { RecordsPort } from '../nodes/record/port.js';
import type { RecordService } from './records.js';

/**
 * The engine's `records` port over the record service. A store statement
 * cannot be cut short once sent, so the signal is honoured where it can be:
 * an aborted node (timeout, shutdown) starts no new statement.
 */
export function createRecordsPort(records: RecordService): RecordsPort {
  return {
    async query({ collection, signal, ...query }) {
      signal?.throwIfAborted();
      return records.query(collection, query);
    },
    async create({ collection, values, signal }) {
      signal?.throwIfAborted();
      return records.create(collection, values);
    },
    async updateOne({ collection, filter, values, signal }) {
      signal?.throwIfAborted();
      return records.updateOne(collection, filter, values);
    },
    async upsert({ collection, filter, values, signal }) {
      signal?.throwIfAborted();
      return records.upsert(collection, filter, values);
    },
    async deleteMany({ collection, filter, signal }) {
      signal?.throwIfAborted();
      return records.deleteMany(collection, filter);
    },
  };
}
