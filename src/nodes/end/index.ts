import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../engine/definition.js';
import { defineNode } from '../../engine/node-type.js';

export const EndConfig = Type.Object({
  /** Default `succeeded`. */
  status: Type.Optional(StringEnum(['succeeded', 'failed'] as const)),
  /** With `failed`: the run's error message. */
  message: Type.Optional(Type.String({ maxLength: 1000 })),
});

type EndStatus = 'succeeded' | 'failed';

/** Stops the run here. Output: `{ status, message? }`. */
export const end = defineNode({
  type: 'end',
  description: 'Stops the run, as succeeded (default) or failed.',
  config: EndConfig,
  run({ config }) {
    const status: EndStatus = config.status ?? 'succeeded';
    const output = config.message === undefined ? { status } : { status, message: config.message };
    return { output, end: status };
  },
  replay: (job) => ({ end: (job.output as { status: EndStatus }).status }),
});
