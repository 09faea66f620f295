import { Type } from '@sinclair/typebox';
import { defineNode } from '../../engine/node-type.js';
import { callRecords, CollectionName, RecordValuesField } from './shared.js';

export const RecordCreateConfig = Type.Object({
  collection: CollectionName,
  values: RecordValuesField,
});

/** Creates a record. Output: the record, with its `id`, `createdAt` and `updatedAt`. */
export const recordCreate = defineNode({
  type: 'record.create',
  description: 'Creates a record in a collection from "values"; outputs the new record with its id.',
  config: RecordCreateConfig,
  async run({ config, ports, signal }) {
    const output = await callRecords(() => ports.records.create({ ...config, signal }));
    return { output };
  },
});
