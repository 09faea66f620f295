export { recordCreate } from './create.js';
export { recordDelete } from './delete.js';
export type { RecordsPort, RecordValues } from './port.js';
export { recordQuery } from './query.js';
export { recordUpdate } from './update.js';
export { recordUpsert } from './upsert.js';
