/**
 * Collection and field names become SQL identifiers (`rec_<collection>`, one
 * column per field) and JavaScript property names (`$nodes.q[0].email`), so
 * they are held to a strict shape. Checked here, where the user hears why;
 * `store/record-columns.ts` checks the shape again before any SQL.
 */

/** Lower case, so the table name reads the same on SQLite (case-insensitive) and PostgreSQL. No `__`: index names use it as a separator. */
const COLLECTION_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
/** Letters, digits and single `_` between them; camelCase welcome. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$/;

/**
 * `uq_<collection>__<field>` must fit PostgreSQL's 63-byte identifiers
 * (longer ones are silently truncated, and two could collide): 3 + 28 + 2 + 30.
 */
export const MAX_COLLECTION_NAME = 28;
export const MAX_FIELD_NAME = 30;

/**
 * Words SQL reserves (PostgreSQL's reserved key words and SQLite's common
 * ones). Identifiers are always quoted, so these would work; refusing them
 * keeps the tables pleasant to query by hand and the names unsurprising.
 */
const SQL_RESERVED = new Set(
  `all analyse analyze and any array as asc asymmetric between both by case cast check collate column constraint create cross
  current_catalog current_date current_role current_time current_timestamp current_user default deferrable delete desc distinct
  do drop else end except exists false fetch for foreign from full grant group having in index initially inner insert intersect
  into is join lateral leading left like limit localtime localtimestamp natural not null offset on only or order outer placing
  primary references returning right select session_user set some symmetric table then to trailing true union unique update user
  using values variadic when where window with`.split(/\s+/),
);

/** Built-in record fields, and names that would shadow Object.prototype in expressions. */
const FIELD_RESERVED = new Set(['id', 'createdat', 'updatedat', 'created_at', 'updated_at', 'constructor', 'prototype', 'hasownproperty', 'tostring', 'valueof']);

/** Why `name` cannot name a collection, or undefined when it can. */
export function collectionNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_COLLECTION_NAME) return `must be at most ${MAX_COLLECTION_NAME} characters long`;
  if (!COLLECTION_NAME.test(name)) {
    return 'must start with a lower-case letter and hold only lower-case letters, digits and single "_" between them (e.g. "customers", "order_items")';
  }
  if (SQL_RESERVED.has(name)) return `"${name}" is a reserved word; choose another name`;
  return undefined;
}

/** Why `name` cannot name a field, or undefined when it can. */
export function fieldNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_FIELD_NAME) return `must be at most ${MAX_FIELD_NAME} characters long`;
  if (!FIELD_NAME.test(name)) {
    return 'must start with a letter and hold only letters, digits and single "_" between them (e.g. "email", "firstName", "zip_code")';
  }
  const lower = name.toLowerCase();
  if (FIELD_RESERVED.has(lower)) return `"${name}" is reserved (every record has id, createdAt and updatedAt); choose another name`;
  if (SQL_RESERVED.has(lower)) return `"${name}" is a reserved word; choose another name`;
  return undefined;
}
