import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../engine/definition.js';
import { PermanentFailure } from '../../shared/errors.js';

/** How `body` is sent. Default: `text` for a string, `json` for anything else. */
export const BodyType = StringEnum(['json', 'form', 'text'] as const);
export type BodyType = Static<typeof BodyType>;

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
/** A `form` body, and the `query` field: names to scalars or lists of them (a list repeats the name). */
export const Params = Type.Record(Type.String(), Type.Union([Scalar, Type.Array(Scalar)]), {
  hint: 'must map names to text, numbers, true/false, or lists of them',
});
export type Params = Static<typeof Params>;

export interface EncodedBody {
  body: string | undefined;
  contentType: string | undefined;
}

/**
 * Encodes `body` as its `bodyType` says. Absent or null: no body. The
 * `content-type` it returns is a default; a header the user set wins.
 */
export function encodeBody(body: unknown, bodyType: BodyType | undefined): EncodedBody {
  if (body === undefined || body === null) return { body: undefined, contentType: undefined };
  const type = bodyType ?? (typeof body === 'string' ? 'text' : 'json');
  switch (type) {
    case 'json':
      return { body: JSON.stringify(body), contentType: 'application/json' };
    case 'text':
      return { body: typeof body === 'string' ? body : JSON.stringify(body), contentType: 'text/plain; charset=utf-8' };
    case 'form': {
      const problem = formProblem(body);
      if (problem !== undefined) throw new PermanentFailure('node_failed', `body ${problem}`);
      return { body: toSearchParams(body as Params).toString(), contentType: 'application/x-www-form-urlencoded' };
    }
  }
}

/** Why `body` cannot be sent as a form, or undefined when it can. */
export function formProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'must be an object to be sent as a form';
  for (const value of Object.values(body)) {
    const items: unknown[] = Array.isArray(value) ? value : [value];
    if (!items.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
      return 'sent as a form must map names to text, numbers, true/false, or lists of them';
    }
  }
  return undefined;
}

/** A list value repeats the name: `{ tag: ['a', 'b'] }` → `tag=a&tag=b`. */
export function toSearchParams(params: Params, into = new URLSearchParams()): URLSearchParams {
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) into.append(name, String(item));
  }
  return into;
}
