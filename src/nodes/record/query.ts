import { Type } from '@sinclair/typebox';
import { defineNode } from '../../engine/node-type.js';
import { callRecords, CollectionName, filterProblems, RecordFilter } from './shared.js';

export const RecordQueryConfig = Type.Object({
  collection: CollectionName,
  filter: Type.Optional(RecordFilter),
  /** `"-createdAt,name"` or `["-createdAt", "name"]`. */
  sort: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { hint: 'must be text such as "-createdAt,name" or a list of such keys' })),
  /** Default 100. */
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
});

/** Finds records. Output: a list of records (empty when none match). */
export const recordQuery = defineNode({
  type: 'record.query',
  description: 'Finds the records of a collection that match a filter; outputs them as a list.',
  config: RecordQueryConfig,
  check: (fields) => filterProblems(fields.filter, { required: false }),
  async run({ config, ports, signal }) {
    const { collection, filter, sort, limit, offset } = config;
    const output = await callRecords(() => ports.records.query({ collection, filter, sort, limit: limit ?? 100, offset, signal }));
    return { output };
  },
});
