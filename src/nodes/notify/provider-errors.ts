import { HookflowError, PermanentFailure } from '../../shared/errors.js';

/**
 * DingTalk and WeCom robots answer HTTP 200 even when they refuse a message,
 * with `{ errcode, errmsg }`; `errcode` 0 is success. A few codes mean
 * "slow down" and may pass on retry; the rest (bad token, bad signature,
 * keyword filter, malformed message) will not.
 */
const TRANSIENT: Record<'dingtalk' | 'wecom', ReadonlySet<number>> = {
  // 130101: more than 20 messages a minute to one robot.
  dingtalk: new Set([130101]),
  // -1: system busy; 45009: API call frequency over the limit.
  wecom: new Set([-1, 45009]),
};

/** Throws when a robot's reply reports an error; a reply without `errcode` passes. */
export function checkRobotReply(channel: 'dingtalk' | 'wecom', target: string, reply: unknown): void {
  if (typeof reply !== 'object' || reply === null) return;
  const { errcode, errmsg } = reply as { errcode?: unknown; errmsg?: unknown };
  if (errcode === undefined || errcode === 0 || errcode === '0') return;
  const code = Number(errcode);
  const message = `${target} refused the message: errcode ${String(errcode)}${typeof errmsg === 'string' ? `, ${errmsg}` : ''}`;
  const details = { errcode, errmsg };
  throw TRANSIENT[channel].has(code) ? new HookflowError('node_failed', message, { details }) : new PermanentFailure('node_failed', message, { details });
}
