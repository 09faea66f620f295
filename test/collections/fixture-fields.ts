/** A collection with one field of every type, shared by the records suites. */
export const FIELDS = [
  { name: 'name', type: 'string', required: true },
  { name: 'qty', type: 'integer' },
  { name: 'price', type: 'number' },
  { name: 'active', type: 'boolean' },
  { name: 'due', type: 'datetime' },
  { name: 'note', type: 'text' },
  { name: 'sku', type: 'string', unique: true },
  { name: 'tags', type: 'json' },
];
