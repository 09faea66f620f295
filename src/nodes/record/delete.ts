import { Type } from '@sinclair/typebox';
import { defineNode } from '../../engine/node-type.js';
import { callRecords, CollectionName, filterProblems, RecordFilter, refuseEmptyFilter } from './shared.js';

export const RecordDeleteConfig = Type.Object({
  collection: CollectionName,
  filter: RecordFilter,
});

/** Deletes every record `filter` matches. Output: `{ count }`, the number deleted (0 is not a failure). */
export const recordDelete = defineNode({
  type: 'record.delete',
  description: 'Deletes the records of a collection that "filter" matches; outputs { count }.',
  config: RecordDeleteConfig,
  check: (fields) => filterProblems(fields.filter, { required: true }),
  async run({ config, ports, signal }) {
    refuseEmptyFilter(config.filter);
    const count = await callRecords(() => ports.records.deleteMany({ ...config, signal }));
    return { output: { count } };
  },
});
