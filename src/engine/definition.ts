/**
 * The workflow definition model (DESIGN.md "Workflow definition"): TypeBox
 * schemas for the workflow, its webhook trigger and the fields every node
 * shares. Node-specific fields live with each node type (`src/nodes/<type>`);
 * `validate.ts` merges them with {@link NodeCommonFields}.
 *
 * A `hint` on a schema is the message a user sees when a value does not match
 * it (see `schema-check.ts`); Ajv's own wording ("must match pattern …") is for
 * developers.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { VERIFY_PRESETS } from '../verify/index.js';

/** A string union as a JSON Schema `enum`, so errors read "must be one of: a, b". */
export function StringEnum<const T extends readonly string[]>(values: T, options: object = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const RUN_MODES = ['sync', 'async'] as const;
export type RunMode = (typeof RUN_MODES)[number];

export { VERIFY_PRESETS };
export type { VerifyPreset } from '../verify/index.js';

/** `$nodes.<key>` must work in expressions, so keys are identifiers. */
export const NODE_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Keys that would shadow Object.prototype members when used as `$nodes.<key>`. */
export const RESERVED_NODE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A duration such as `90s`, `10m`, `12h` or `7d` (see `duration.ts`). */
export const Duration = Type.String({ pattern: '^[1-9][0-9]{0,6}(s|m|h|d)$', hint: 'must be a duration such as 3600s, 10m, 12h or 7d' });

const Headers = Type.Record(Type.String(), Type.String());

export const ResponseSpec = Type.Object(
  {
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    headers: Type.Optional(Headers),
    body: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type ResponseSpec = Static<typeof ResponseSpec>;

export const VerifySpec = Type.Object(
  {
    preset: StringEnum(VERIFY_PRESETS),
    /** One secret, or several while rotating: a request signed with any of them passes. */
    secret: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 10 })]),
    toleranceSec: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    header: Type.Optional(Type.String({ minLength: 1 })),
    algorithm: Type.Optional(StringEnum(['sha1', 'sha256', 'sha512'] as const)),
    encoding: Type.Optional(StringEnum(['hex', 'base64'] as const)),
    prefix: Type.Optional(Type.String()),
    /** `hmac` with a timestamp: the header carrying it, and what is signed, e.g. `{timestamp}.{body}`. */
    timestampHeader: Type.Optional(Type.String({ minLength: 1 })),
    payload: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type VerifySpec = Static<typeof VerifySpec>;

export const DedupSpec = Type.Object(
  { key: Type.String({ minLength: 1 }), window: Duration },
  { additionalProperties: false },
);
export type DedupSpec = Static<typeof DedupSpec>;

export const RateLimitSpec = Type.Object(
  {
    max: Type.Integer({ minimum: 1 }),
    windowSec: Type.Integer({ minimum: 1, maximum: 86_400 }),
  },
  { additionalProperties: false },
);
export type RateLimitSpec = Static<typeof RateLimitSpec>;

/** Provider handshakes answered without a run (docs/security.md). */
export const HandshakeSpec = Type.Object(
  {
    slack: Type.Optional(Type.Boolean()),
    metaVerifyToken: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })])),
    zoomSecret: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type HandshakeSpec = Static<typeof HandshakeSpec>;

export const TriggerSpec = Type.Object(
  {
    type: StringEnum(['webhook'] as const),
    /** A template such as `forms/:formId`; shape checked in `validate-trigger.ts`. */
    path: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Default: all of {@link HTTP_METHODS}, matching the always-on `ANY /api/webhooks/<key>`. */
    methods: Type.Optional(Type.Array(StringEnum(HTTP_METHODS), { minItems: 1, uniqueItems: true })),
    /** Default `sync`. */
    mode: Type.Optional(StringEnum(RUN_MODES)),
    /** Sync only: past this the caller gets 202 and the run goes on. Default from server config. */
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 300_000 })),
    response: Type.Optional(ResponseSpec),
    verify: Type.Optional(VerifySpec),
    allowIps: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    dedup: Type.Optional(DedupSpec),
    maxBodyBytes: Type.Optional(Type.Integer({ minimum: 1 })),
    rateLimit: Type.Optional(RateLimitSpec),
    handshake: Type.Optional(HandshakeSpec),
  },
  { additionalProperties: false },
);
export type TriggerSpec = Static<typeof TriggerSpec>;

export const RetrySpec = Type.Object(
  {
    max: Type.Integer({ minimum: 0, maximum: 10 }),
    /** Wait before retry n is `backoffMs * 2^(n-1)`. Default 1000. */
    backoffMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
  },
  { additionalProperties: false },
);
export type RetrySpec = Static<typeof RetrySpec>;

/** Fields every node has, whatever its type. Node types may not redefine them. */
export const NodeCommonFields = {
  key: Type.String({ minLength: 1, maxLength: 64 }),
  type: Type.String({ minLength: 1 }),
  title: Type.Optional(Type.String({ maxLength: 200 })),
  /** Default `stop`. */
  onError: Type.Optional(StringEnum(['stop', 'continue'] as const)),
  retry: Type.Optional(RetrySpec),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000 })),
} satisfies Record<string, TSchema>;

export type OnError = 'stop' | 'continue';

/** A node as written: the common fields plus its type's own fields and child lists. */
export interface NodeDefinition {
  key: string;
  type: string;
  title?: string;
  onError?: OnError;
  retry?: RetrySpec;
  timeoutMs?: number;
  [field: string]: unknown;
}

export const WorkflowSpec = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    /** Default true. */
    enabled: Type.Optional(Type.Boolean()),
    trigger: TriggerSpec,
    // Each node is checked against its own type's schema in validate.ts.
    nodes: Type.Array(Type.Unknown()),
  },
  { additionalProperties: false },
);

export type WorkflowDefinition = Omit<Static<typeof WorkflowSpec>, 'nodes'> & { nodes: NodeDefinition[] };
