import { Type } from '@sinclair/typebox';
import { defineNode } from '../../engine/node-type.js';
import type { HttpReply } from '../../engine/run.js';

export const RespondConfig = Type.Object({
  /** Default 200. */
  status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  /** Objects and arrays are sent as JSON, strings as text; absent: no body. */
  body: Type.Optional(Type.Unknown()),
});

/**
 * The sync caller's answer. Only the run's first respond node answers; the
 * run goes on after it. Output: the reply `{ status, headers, body }`.
 */
export const respond = defineNode({
  type: 'respond',
  description: 'Answers the webhook caller (sync mode) with a status, headers and body; the run goes on.',
  config: RespondConfig,
  run({ config }) {
    const reply: HttpReply = { status: config.status ?? 200, headers: config.headers ?? {}, body: config.body ?? null };
    return { output: reply, respond: reply };
  },
  // An earlier attempt already answered: later respond nodes must not answer again.
  replay: (job) => ({ respond: job.output as HttpReply }),
});
