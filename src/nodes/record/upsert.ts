import { Type } from '@sinclair/typebox';
import { defineNode } from '../../engine/node-type.js';
import { callRecords, CollectionName, filterProblems, RecordFilter, RecordValuesField, refuseEmptyFilter } from './shared.js';

export const RecordUpsertConfig = Type.Object({
  collection: CollectionName,
  filter: RecordFilter,
  values: RecordValuesField,
});

/**
 * Updates the record `filter` matches, or creates it: the way to make a
 * workflow idempotent on a provider's own id (`filter: { githubId: … }`). A
 * new record gets the filter's `field: value` pairs plus `values`. With the
 * filter's field `unique`, concurrent deliveries still make one record.
 * Output: the record.
 */
export const recordUpsert = defineNode({
  type: 'record.upsert',
  description: 'Updates the record that "filter" matches with "values", or creates it when none does; outputs the record.',
  config: RecordUpsertConfig,
  check: (fields) => filterProblems(fields.filter, { required: true }),
  async run({ config, ports, signal }) {
    refuseEmptyFilter(config.filter);
    const output = await callRecords(() => ports.records.upsert({ ...config, signal }));
    return { output };
  },
});
