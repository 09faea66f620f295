import { Type } from '@sinclair/typebox';
import { defineNode } from '../../engine/node-type.js';
import { callRecords, CollectionName, filterProblems, RecordFilter, RecordValuesField, refuseEmptyFilter } from './shared.js';

export const RecordUpdateConfig = Type.Object({
  collection: CollectionName,
  filter: RecordFilter,
  values: RecordValuesField,
});

/**
 * Changes the fields in `values` of the one record `filter` matches (usually
 * `{ id }` or a unique field). Output: the record as it is now. No match
 * fails with `not_found`, several with `conflict`.
 */
export const recordUpdate = defineNode({
  type: 'record.update',
  description: 'Changes the fields given in "values" of the one record that "filter" matches; outputs the updated record.',
  config: RecordUpdateConfig,
  check: (fields) => filterProblems(fields.filter, { required: true }),
  async run({ config, ports, signal }) {
    refuseEmptyFilter(config.filter);
    const output = await callRecords(() => ports.records.updateOne({ ...config, signal }));
    return { output };
  },
});
