import { Type } from '@sinclair/typebox';
import { defineNode } from '../../engine/node-type.js';

/** One day: a run waiting longer belongs to a scheduler, not a webhook run. */
export const MAX_DELAY_MS = 86_400_000;

export const DelayConfig = Type.Object({
  ms: Type.Integer({ minimum: 0, maximum: MAX_DELAY_MS }),
});

/** Waits `ms` milliseconds (aborted by the node's timeout or shutdown). Output: `{ ms }`. */
export const delay = defineNode({
  type: 'delay',
  description: 'Waits "ms" milliseconds before the next node.',
  config: DelayConfig,
  async run({ config, ports, signal }) {
    await ports.sleep(config.ms, signal);
    return { output: { ms: config.ms } };
  },
});
