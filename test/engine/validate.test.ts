import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/engine/validate.js';
import { createDefaultRegistry } from '../../src/nodes/index.js';

const registry = createDefaultRegistry();

function problemsOf(input: unknown): Record<string, string> {
  const result = validateDefinition(input, registry);
  if (result.ok) return {};
  return Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
}

const valid = {
  title: 'GitHub push to main',
  enabled: true,
  trigger: {
    type: 'webhook',
    path: 'github/:repo',
    methods: ['POST'],
    mode: 'sync',
    timeoutMs: 10000,
    response: { status: 200, headers: {}, body: { ok: true } },
    verify: { preset: 'github', secret: '{{ $secrets.GITHUB_WEBHOOK_SECRET }}' },
    allowIps: ['192.30.252.0/22', '2606:50c0::/32'],
    dedup: { key: "{{ $context.headers['x-github-delivery'] }}", window: '7d' },
    maxBodyBytes: 1048576,
    rateLimit: { max: 10, windowSec: 60 },
  },
  nodes: [
    { key: 'branch', type: 'set', values: { name: "{{ $context.data.ref.replace('refs/heads/', '') }}" } },
    {
      key: 'isMain',
      type: 'condition',
      if: "{{ $nodes.branch.name === 'main' }}",
      then: [{ key: 'deploy', type: 'http', method: 'POST', url: 'https://ci.example/deploy', retry: { max: 2, backoffMs: 100 }, timeoutMs: 5000 }],
      else: [],
    },
    { key: 'reply', type: 'respond', status: 202, body: { branch: '{{ $nodes.branch.name }}' } },
  ],
};

describe('validateDefinition', () => {
  it('accepts the DESIGN example and returns it', () => {
    const result = validateDefinition(valid, registry);
    expect(result).toEqual({ ok: true, definition: valid });
  });

  it('reports every problem at once, each with its path', () => {
    const problems = problemsOf({
      title: '',
      trigger: { type: 'webhook', mode: 'later', methods: ['POST', 'FETCH'], dedup: { key: '{{ $context.data.id }}', window: '7 days' } },
      nodes: [
        { key: 'a', type: 'set', values: {} },
        { key: 'a', type: 'set', values: {} },
        { key: 'b', type: 'condition', if: '{{ true }}', then: [{ key: 'c', type: 'http', url: 'ftp://x', urll: 'typo' }] },
        { key: 'd', type: 'teleport' },
        { key: 'bad key', type: 'end' },
      ],
    });
    expect(problems).toEqual({
      title: 'must not be empty',
      'trigger.mode': 'must be one of: sync, async',
      'trigger.methods[1]': 'must be one of: GET, POST, PUT, DELETE, PATCH, HEAD',
      'trigger.dedup.window': 'must be a duration such as 3600s, 10m, 12h or 7d',
      'nodes[1].key': '"a" is already the key of nodes[0]; keys must be unique in the workflow',
      'nodes[2].then[0].urll': expect.stringMatching(/^is not a known field; known fields: key, type, title, .*url/),
      'nodes[2].then[0].url': '"ftp://x" is not an absolute http:// or https:// URL',
      'nodes[3].type': expect.stringMatching(/^unknown node type "teleport"; known types: condition, respond, set, end, delay, parallel, loop, http/),
      'nodes[4].key': expect.stringContaining('must start with a letter or "_"'),
    });
  });

  it('runs node-specific checks once the schema passes', () => {
    const problems = problemsOf({
      title: 't',
      trigger: { type: 'webhook' },
      nodes: [
        { key: 'c', type: 'http', url: 'ftp://x' },
        { key: 'g', type: 'http', url: 'https://x.example', body: { a: 1 } },
        { key: 'cond', type: 'condition', if: '$nodes.c.ok' },
        { key: 'p', type: 'parallel' },
        { key: 'l', type: 'loop', over: [1] },
      ],
    });
    expect(problems).toEqual({
      'nodes[0].url': '"ftp://x" is not an absolute http:// or https:// URL',
      'nodes[1].body': 'a GET request has no body; use POST, PUT or PATCH',
      'nodes[2].if': 'must be an expression in {{ }}, e.g. "{{ $nodes.c.ok }}", or true/false',
      'nodes[3].branches': 'is required: a list of node lists, e.g. [[nodeA], [nodeB]]',
      'nodes[4].do': 'is required: the nodes to run for each item',
    });
  });

  it('defers type checks of template values to run time but checks static ones', () => {
    expect(problemsOf({
      title: 't',
      trigger: { type: 'webhook', response: { status: '{{ $nodes.x.code }}' } },
      nodes: [
        { key: 'r', type: 'respond', status: '{{ $context.data.code }}', headers: { 'x-id': '{{ $system.executionId }}' } },
        { key: 'r2', type: 'respond', status: 'two hundred' },
        { key: 'w', type: 'delay', ms: '{{ $context.data.wait }}', timeoutMs: '{{ 5 }}' },
      ],
    })).toEqual({
      'nodes[1].status': 'must be an integer',
      'nodes[2].timeoutMs': 'must be an integer',
    });
  });

  it('reports templates that do not compile, with their path', () => {
    const problems = problemsOf({
      title: 't',
      trigger: { type: 'webhook', response: { body: { id: '{{ $nodes.x.id ' } } },
      nodes: [{ key: 's', type: 'set', values: { deep: ['ok', { v: '{{ 1 + }}' }] } }],
    });
    expect(Object.keys(problems)).toEqual(['trigger.response.body.id', 'nodes[0].values.deep[1].v']);
    expect(problems['trigger.response.body.id']).toContain('never closed');
  });

  it('checks the trigger: path template, CIDRs, dedup key, hmac header, unknown fields', () => {
    const problems = problemsOf({
      title: 't',
      trigger: {
        type: 'webhook',
        path: '/forms/:id/:1x/',
        allowIps: ['10.0.0.0/8', '10.0.0.0/33', 'example.com', '::1'],
        dedup: { key: 'constant', window: '10m' },
        verify: { preset: 'hmac', secret: 's' },
        retries: 3,
      },
      nodes: [],
    });
    expect(problems).toEqual({
      'trigger.retries': expect.stringContaining('is not a known field; known fields: type, path, methods'),
      'trigger.path': '":1x" is not a valid parameter: ":" then letters, digits and "_", not starting with a digit',
      'trigger.allowIps[1]': '"10.0.0.0/33" is not an IP address or CIDR range such as 192.30.252.0/22 or 2606:50c0::/32',
      'trigger.allowIps[2]': '"example.com" is not an IP address or CIDR range such as 192.30.252.0/22 or 2606:50c0::/32',
      'trigger.dedup.key': expect.stringContaining('must be a template'),
      'trigger.verify.header': 'the hmac preset needs `header`, the header carrying the signature',
    });
    expect(problemsOf({ ...valid, trigger: { type: 'webhook', path: 'forms/:id/x y' } })).toEqual({
      'trigger.path': 'must not contain "?", "#" or spaces',
    });
    expect(problemsOf({ ...valid, trigger: { type: 'webhook', path: '/forms/%zz/' } })).toEqual({
      'trigger.path': 'segment "%zz" has a "%" that is not a valid escape such as %20',
    });
    expect(problemsOf({ ...valid, trigger: { type: 'webhook', path: '/forms/contact us%20/' } })['trigger.path']).toBeDefined();
    expect(validateDefinition({ ...valid, trigger: { type: 'webhook', path: '/hooks/@acme/:id/' } }, registry).ok).toBe(true);
    expect(Object.values(problemsOf({ ...valid, trigger: { type: 'webhook', path: 'a/:id/:id' } }))).toEqual([
      'names the parameter ":id" twice',
    ]);
  });

  it('checks common node fields and reserved keys', () => {
    expect(problemsOf({
      title: 't',
      trigger: { type: 'webhook' },
      nodes: [
        { key: 'constructor', type: 'end' },
        { type: 'end' },
        { key: 'x', type: 'end', onError: 'ignore', retry: { max: 11 }, timeoutMs: 0 },
        'not a node',
        { key: 'y' },
      ],
    })).toEqual({
      'nodes[0].key': '"constructor" is reserved; choose another key',
      'nodes[1].key': 'is required',
      'nodes[2].onError': 'must be one of: stop, continue',
      'nodes[2].retry.max': 'must be at most 10',
      'nodes[2].timeoutMs': 'must be at least 1',
      'nodes[3]': 'must be a node: an object with at least "key" and "type"',
      'nodes[4].type': 'is required',
    });
  });

  it('walks every child list: then, else, do, branches', () => {
    const problems = problemsOf({
      title: 't',
      trigger: { type: 'webhook' },
      nodes: [{
        key: 'p', type: 'parallel', branches: [
          [{ key: 'l', type: 'loop', over: '{{ $context.data.items }}', do: [{ key: 'd', type: 'delay', ms: -1 }] }],
          [{ key: 'c', type: 'condition', if: true, else: [{ key: 'e', type: 'end', status: 'maybe' }] }],
          'oops',
        ],
      }],
    });
    expect(problems).toEqual({
      'nodes[0].branches[2]': 'must be a list of nodes',
      'nodes[0].branches[0][0].do[0].ms': 'must be at least 0',
      'nodes[0].branches[1][0].else[0].status': 'must be one of: succeeded, failed',
    });
  });

  it('rejects what is not a workflow at all', () => {
    expect(problemsOf('nope')).toEqual({ '': 'must be an object' });
    expect(problemsOf({})).toEqual({ title: 'is required', trigger: 'is required', nodes: 'is required' });
    expect(problemsOf({ title: 't', trigger: { type: 'cron' }, nodes: {} })).toEqual({
      'trigger.type': 'must be one of: webhook',
      nodes: 'must be a list',
    });
  });
});
