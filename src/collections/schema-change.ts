import { HookflowError } from '../shared/errors.js';
import type { CollectionField, FieldType } from '../store/collections.js';
import type { TableChange } from '../store/record-tables.js';

/**
 * Type changes that keep every stored value valid and need no new column:
 * a string is a short text. Anything else (text → string could be too long,
 * integer → string changes the column) is refused.
 */
const SAFE_TYPE_CHANGES: ReadonlySet<string> = new Set(['string→text']);

/**
 * The table change that takes a collection's fields from `from` to `to`,
 * matched by name. Throws 409 `conflict` for a type change that cannot be
 * done without losing or reinterpreting data. Whether the records allow it
 * (no empty values for a new `required`) is checked against the data later.
 */
export function planTableChange(from: readonly CollectionField[], to: readonly CollectionField[]): TableChange {
  const before = new Map(from.map((f) => [f.name, f]));
  const after = new Map(to.map((f) => [f.name, f]));
  const change = { add: [] as CollectionField[], drop: [] as CollectionField[], setRequired: [] as string[], dropRequired: [] as string[], addUnique: [] as string[], dropUnique: [] as string[] };
  for (const field of from) if (!after.has(field.name)) change.drop.push(field);
  for (const field of to) {
    const old = before.get(field.name);
    if (old === undefined) {
      change.add.push(field);
      continue;
    }
    if (old.type !== field.type && !SAFE_TYPE_CHANGES.has(`${old.type}→${field.type}`)) throw typeChangeRefused(field.name, old.type, field.type);
    if (!old.required && field.required) change.setRequired.push(field.name);
    if (old.required && !field.required) change.dropRequired.push(field.name);
    if (!old.unique && field.unique) change.addUnique.push(field.name);
    if (old.unique && !field.unique) change.dropUnique.push(field.name);
  }
  return change;
}

/** Whether the table itself changes (else only the stored definition: order, string → text). */
export function changesTable(change: TableChange): boolean {
  return Object.values(change).some((list: readonly unknown[]) => list.length > 0);
}

function typeChangeRefused(name: string, from: FieldType, to: FieldType): HookflowError {
  const message = `cannot change the type of "${name}" from ${from} to ${to}: stored values would be lost or reinterpreted; add a new field, copy the values over, then remove "${name}"`;
  return new HookflowError('conflict', message, { details: [{ path: `fields.${name}.type`, message: `cannot change from ${from} to ${to}` }] });
}
