import type { CompiledTrigger } from '../engine/compile.js';
import type { HandshakeSpec, VerifySpec } from '../engine/definition.js';
import type { Scope } from '../engine/expressions/index.js';
import { HookflowError } from '../shared/errors.js';
import { handshakeFor, type HandshakeReply, type HandshakeStage } from '../verify/handshakes.js';
import { secretList, verifyRequest } from '../verify/index.js';
import { isAllowed } from '../verify/ip-allow.js';

/** The caller learns only that it was refused; the request log gets the reason. */
const REFUSED = 'the webhook signature or credentials are not valid';

/** `trigger.allowIps`: 403 for any other client address. */
export function checkClientAddress(trigger: CompiledTrigger, ip: string): void {
  if (trigger.allowIps && !isAllowed(ip, trigger.allowIps)) {
    throw new HookflowError('forbidden', 'this address may not call this webhook', { reason: `address ${ip} is not in allowIps` });
  }
}

/**
 * `trigger.verify` over the raw bytes, before anything is parsed. The secret
 * templates are evaluated with `$secrets` only: nothing the caller sent can
 * choose the key.
 */
export function checkSender(
  trigger: CompiledTrigger,
  input: { raw: Buffer; headers: Record<string, string>; secrets: Readonly<Record<string, string>>; now: Date },
): void {
  if (!trigger.verify) return;
  const spec = trigger.verify.evaluate(secretScope(input.secrets)) as VerifySpec;
  const verdict = verifyRequest(
    {
      preset: spec.preset,
      secrets: secretList(spec.secret),
      toleranceSec: spec.toleranceSec,
      header: spec.header,
      algorithm: spec.algorithm,
      encoding: spec.encoding,
      prefix: spec.prefix,
      timestampHeader: spec.timestampHeader,
      payload: spec.payload,
    },
    { raw: input.raw, headers: input.headers, now: input.now },
  );
  if (!verdict.ok) {
    const reason = verdict.detail ? `${verdict.reason}: ${verdict.detail}` : verdict.reason;
    throw new HookflowError('unauthorized', REFUSED, {
      reason: `${spec.preset} verification failed (${reason})`,
    });
  }
}

/**
 * Provider handshakes answered without a run: Meta's GET challenge before
 * verification (it carries no signature), Slack's and Zoom's after it (so
 * only the real sender gets an answer computed with our secret).
 */
export function handshake(
  trigger: CompiledTrigger,
  input: { stage: HandshakeStage; method: string; query: Record<string, unknown>; body: unknown; secrets: Readonly<Record<string, string>> },
): HandshakeReply | undefined {
  if (!trigger.handshake) return undefined;
  const spec = trigger.handshake.evaluate(secretScope(input.secrets)) as HandshakeSpec;
  return handshakeFor({
    stage: input.stage,
    method: input.method,
    query: input.query,
    body: input.body,
    config: {
      slack: spec.slack,
      metaVerifyTokens: spec.metaVerifyToken === undefined ? undefined : secretList(spec.metaVerifyToken),
      zoomSecret: spec.zoomSecret,
    },
  });
}

function secretScope(secrets: Readonly<Record<string, string>>): Scope {
  return { $secrets: secrets };
}
