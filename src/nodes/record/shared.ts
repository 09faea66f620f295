import { Type } from '@sinclair/typebox';
import { filterShapeProblems } from '../../collections/filter.js';
import { containsTemplate } from '../../engine/expressions/index.js';
import type { Problem } from '../../engine/node-type.js';
import { HookflowError, PermanentFailure } from '../../shared/errors.js';

/** The shape `collections/names.ts` requires; a template is checked once evaluated. */
export const CollectionName = Type.String({
  pattern: '^[a-z][a-z0-9]*(_[a-z0-9]+)*$',
  maxLength: 28,
  hint: 'must be the name of a collection, such as "customers"',
});

export const RecordFilter = Type.Record(Type.String(), Type.Unknown(), {
  hint: 'must be an object such as { email: "a@b.example" } or { age: { $gte: 18 } }',
});

export const RecordValuesField = Type.Record(Type.String(), Type.Unknown(), { hint: 'must be an object of field names to values' });

const isTemplate = (value: unknown) => typeof value === 'string' && containsTemplate(value);

/**
 * Save-time checks of a written filter: operators, lists, and (for writes) at
 * least one condition. Fields and value types are checked at run time,
 * against the collection as it is then.
 */
export function filterProblems(filter: unknown, options: { required: boolean }): Problem[] {
  if (filter === undefined || isTemplate(filter)) return [];
  const problems = filterShapeProblems(filter, 'filter', isTemplate);
  if (options.required && problems.length === 0 && isEmptyObject(filter)) problems.push({ path: 'filter', message: emptyFilterMessage });
  return problems;
}

const emptyFilterMessage = 'must name at least one condition (to match every record, write { id: { $exists: true } })';

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/** The same rule at run time, where a template may have produced `{}`. */
export function refuseEmptyFilter(filter: unknown): void {
  if (isEmptyObject(filter)) throw new PermanentFailure('node_failed', `filter ${emptyFilterMessage}`);
}

/**
 * Calls the records port. A client-fault error (unknown collection or field,
 * wrong value type, unique violation) will fail the same way every time, so
 * it becomes a `PermanentFailure`: `conflict` and `not_found` keep their
 * codes, the rest are `node_failed`. Store outages stay retryable.
 */
export async function callRecords<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof HookflowError) || err.fault !== 'client' || err instanceof PermanentFailure) throw err;
    const code = err.code === 'conflict' || err.code === 'not_found' ? err.code : 'node_failed';
    throw new PermanentFailure(code, err.message, { details: err.details, cause: err });
  }
}
