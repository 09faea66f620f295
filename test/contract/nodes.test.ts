/**
 * One suite every registered node type passes. A new node type adds a
 * fixture here; the first test fails until it does.
 */
import { describe, expect, it } from 'vitest';
import type { HttpPort } from '../../src/engine/ports.js';
import { validateDefinition } from '../../src/engine/validate.js';
import { errorCatalog } from '../../src/shared/errors.js';
import { createDefaultRegistry } from '../../src/nodes/index.js';
import { definition, fakePorts, runNodes, untilAborted } from '../engine/harness.js';
import { hangingRecords } from '../helpers/memory-records.js';
import { hangingSandbox } from '../helpers/test-sandbox.js';

interface Fixture {
  /** Fields that validate and run (with the ports below). */
  valid: Record<string, unknown>;
  /** Fields that do not validate, and the path (relative to the node) of one problem. */
  invalid: { fields: Record<string, unknown>; path: string };
  /** Fields that validate but make the node fail when run (none for a type with no fields to get wrong). */
  failing?: Record<string, unknown>;
}

const fixtures: Record<string, Fixture> = {
  condition: {
    valid: { if: '{{ $context.data.ok }}', then: [], else: [] },
    invalid: { fields: { if: 'plain text' }, path: 'if' },
    failing: { if: '{{ $context.data.n.toUpperCase() }}' },
  },
  respond: {
    valid: { status: 201, headers: { 'x-a': 'b' }, body: { id: '{{ $system.executionId }}' } },
    invalid: { fields: { status: 99 }, path: 'status' },
    failing: { status: '{{ $context.data.text }}' },
  },
  set: {
    valid: { values: { a: '{{ $context.data.n }}' } },
    invalid: { fields: { values: [] }, path: 'values' },
    failing: { values: '{{ $context.data.n }}' },
  },
  end: {
    valid: { status: 'succeeded' },
    invalid: { fields: { status: 'done' }, path: 'status' },
    failing: { message: '{{ $context.data.n }}' },
  },
  delay: {
    valid: { ms: 5 },
    invalid: { fields: { ms: 1.5 }, path: 'ms' },
    failing: { ms: '{{ $context.data.text }}' },
  },
  parallel: {
    valid: { branches: [[], []] },
    invalid: { fields: { branches: [{}] }, path: 'branches[0]' },
  },
  loop: {
    valid: { over: '{{ [1, 2] }}', do: [] },
    invalid: { fields: { over: 'abc', do: [] }, path: 'over' },
    failing: { over: '{{ $context.data.n }}', do: [] },
  },
  http: {
    valid: { method: 'POST', url: 'https://api.example/{{ $context.data.n }}', body: { n: 1 } },
    invalid: { fields: { url: 'https://x.example', method: 'FETCH' }, path: 'method' },
    failing: { url: 'https://api.example/fails' },
  },
  email: {
    valid: { to: ['{{ $context.data.text }}@example.com'], cc: 'cc@example.com', subject: 'n = {{ $context.data.n }}', text: 'hello' },
    invalid: { fields: { to: [], subject: 'x' }, path: 'to' },
    failing: { to: '{{ $context.data.n }}', subject: 'x' },
  },
  notify: {
    valid: { channel: 'dingtalk', url: 'https://robot.example/send?access_token=t', text: 'n = {{ $context.data.n }}', secret: 's' },
    invalid: { fields: { channel: 'slack', text: 'hi' }, path: 'url' },
    failing: { channel: 'slack', url: 'https://robot.example/fails', text: 'hi' },
  },
  // Run against an in-memory records port (test/helpers/memory-records.ts); the real one in test/nodes/record.test.ts.
  'record.query': {
    valid: { collection: 'customers', filter: { n: '{{ $context.data.n }}', age: { $gte: 18 } }, sort: '-createdAt,name', limit: 10 },
    invalid: { fields: { collection: 'customers', filter: { age: { $like: 1 } } }, path: 'filter.age.$like' },
    failing: { collection: '{{ $context.data.n }}' },
  },
  'record.create': {
    valid: { collection: 'customers', values: { name: '{{ $context.data.text }}', n: '{{ $context.data.n }}' } },
    invalid: { fields: { collection: 'Customers', values: {} }, path: 'collection' },
    failing: { collection: 'customers', values: '{{ $context.data.n }}' },
  },
  'record.update': {
    valid: { collection: 'customers', filter: { id: 'rec-1' }, values: { n: '{{ $context.data.n }}' } },
    invalid: { fields: { collection: 'customers', filter: {}, values: {} }, path: 'filter' },
    failing: { collection: 'customers', filter: '{{ {} }}', values: {} },
  },
  'record.upsert': {
    valid: { collection: 'customers', filter: { externalId: '{{ $context.data.text }}' }, values: { n: 1 } },
    invalid: { fields: { collection: 'customers', filter: { $or: [] }, values: {} }, path: 'filter.$or' },
    failing: { collection: 'customers', filter: { externalId: 'x' }, values: '{{ [1] }}' },
  },
  'record.delete': {
    valid: { collection: 'customers', filter: { n: { $in: [1, 2, 3] } } },
    invalid: { fields: { collection: 'customers', filter: { n: { $in: 3 } } }, path: 'filter.n.$in' },
    failing: { collection: 'customers', filter: '{{ $context.data.text }}' },
  },
  // Runs in the real QuickJS pool (test/helpers/test-sandbox.ts).
  code: {
    valid: { source: 'console.log("n is", $context.data.n);\nreturn { doubled: $context.data.n * 2, id: uuid().length }', timeLimitMs: 2000 },
    invalid: { fields: { source: 'return 1', memoryLimitMb: 8 }, path: 'memoryLimitMb' },
    failing: { source: 'return $context.data.text.nope.deeper' },
  },
};

const context = { data: { ok: true, n: 3, text: 'abc' } };

/** Answers 200 `{}`, except `/fails` (500). */
const okHttp: HttpPort = {
  request: async (req) => ({
    status: req.url.endsWith('/fails') ? 500 : 200,
    headers: { 'content-type': 'application/json' },
    body: new TextEncoder().encode('{}'),
  }),
};

const registry = createDefaultRegistry();

describe.each(registry.list().map((t) => [t.type, t] as const))('node type %s', (type, nodeType) => {
  const fixture = fixtures[type] as Fixture;

  it('has a contract fixture and describes itself', () => {
    expect(fixture, `add a fixture for "${type}" to test/contract/nodes.test.ts`).toBeDefined();
    expect(nodeType.description.length).toBeGreaterThan(10);
    expect(nodeType.config.type).toBe('object');
  });

  it('validates its valid fixture', () => {
    expect(validateDefinition(definition([{ key: 'n', type, ...fixture.valid }]), registry)).toMatchObject({ ok: true });
  });

  it('reports invalid config and unknown fields with paths', () => {
    const result = validateDefinition(definition([{ key: 'n', type, ...fixture.invalid.fields, bogus: 1 }]), registry);
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.problems.map((p) => p.path);
    expect(paths).toContain(`nodes[0].${fixture.invalid.path}`);
    expect(paths).toContain('nodes[0].bogus');
    for (const problem of result.ok ? [] : result.problems) expect(problem.message).toMatch(/^[a-z"]/);
  });

  it('runs, and its output is JSON-serialisable', async () => {
    const { outcome, job } = await runNodes([{ key: 'n', type, ...fixture.valid }], { context, ports: fakePorts({ http: okHttp }) });
    expect(outcome).toEqual({ status: 'succeeded' });
    const { output, input } = job('n');
    expect(JSON.parse(JSON.stringify(output)) as unknown).toEqual(output);
    expect(JSON.parse(JSON.stringify(input)) as unknown).toEqual(input);
  });

  it('resumes from its own job record without running again', async () => {
    const first = await runNodes([{ key: 'n', type, ...fixture.valid }], { context, ports: fakePorts({ http: okHttp }) });
    const resumed = await runNodes([{ key: 'n', type, ...fixture.valid }], { context, completedJobs: JSON.parse(JSON.stringify(first.jobs)) });
    expect(resumed.jobs).toEqual([]);
    expect(resumed.outcome).toEqual(first.outcome);
  });

  it.runIf(fixture.failing !== undefined)('fails with a HookflowError-shaped, JSON-safe record naming the node', async () => {
    const { outcome, job } = await runNodes([{ key: 'n', type, ...fixture.failing }], { context, ports: fakePorts({ http: okHttp }) });
    expect(outcome.status).toBe('failed');
    const error = job('n').error;
    expect(error).toMatchObject({ code: expect.any(String), message: expect.any(String), nodeKey: 'n' });
    expect(Object.keys(errorCatalog)).toContain(error?.code);
    expect(JSON.parse(JSON.stringify(error)) as unknown).toEqual(error);
  });

  it('honours timeoutMs when its ports hang', async () => {
    const aborted: boolean[] = [];
    const hanging = fakePorts({
      http: { request: (req) => untilAborted(req.signal as AbortSignal).finally(() => aborted.push(true)) },
      mail: { send: (_message, options) => untilAborted(options.signal as AbortSignal).finally(() => aborted.push(true)) },
      records: hangingRecords(() => aborted.push(true)),
      sandbox: hangingSandbox(() => aborted.push(true)),
    });
    hanging.sleep = (_ms, signal) => untilAborted(signal as AbortSignal).finally(() => aborted.push(true));
    const started = Date.now();
    const { outcome } = await runNodes([{ key: 'n', type, ...fixture.valid, timeoutMs: 30 }], { context, ports: hanging });
    expect(Date.now() - started).toBeLessThan(2000);
    if (outcome.status === 'failed') {
      expect(outcome.error).toMatchObject({ code: 'node_timeout', nodeKey: 'n' });
      expect(aborted).toEqual([true]);
    } else {
      expect(outcome).toEqual({ status: 'succeeded' });
    }
  });
});
