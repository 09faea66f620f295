import { defineNode } from '../../engine/node-type.js';
import { PermanentFailure } from '../../shared/errors.js';
import { callHttp } from '../http/call-http.js';
import { channelRequest } from './channel-request.js';
import { checkNotify, NotifyConfig } from './notify-config.js';
import { checkRobotReply } from './provider-errors.js';

/**
 * Sends a chat message or SMS through `ports.http` (and so under the
 * outbound address policy). Output: `{ status, body }`, the provider's reply.
 */
export const notify = defineNode({
  type: 'notify',
  description: 'Sends a message to Slack, DingTalk, WeCom, an SMS gateway or any webhook.',
  config: NotifyConfig,
  check: checkNotify,
  async run({ config, ports, signal }) {
    // `channel` may have been a template: the written-definition check could not judge the rest.
    const [problem] = checkNotify(config);
    if (problem !== undefined) throw new PermanentFailure('node_failed', `${problem.path}: ${problem.message}`);
    const request = channelRequest(config, ports.clock.now());
    const reply = await callHttp({ ports, signal }, request);
    if (config.channel === 'dingtalk' || config.channel === 'wecom') checkRobotReply(config.channel, request.target, reply.body);
    return { output: { status: reply.status, body: reply.body } };
  },
});
