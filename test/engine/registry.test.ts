import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { defineNode } from '../../src/engine/node-type.js';
import { createNodeRegistry } from '../../src/engine/registry.js';
import { validateDefinition } from '../../src/engine/validate.js';
import { coreNodeTypes, createDefaultRegistry } from '../../src/nodes/index.js';
import { definition, runNodes } from './harness.js';

const shout = defineNode({
  type: 'acme.shout',
  description: 'upper-cases text',
  config: Type.Object({ text: Type.String() }),
  run: ({ config }) => ({ output: { text: config.text.toUpperCase() } }),
});

describe('node registry', () => {
  it('holds the core types and lists them in order', () => {
    expect(createDefaultRegistry().list().map((t) => t.type)).toEqual(['condition', 'respond', 'set', 'end', 'delay', 'parallel', 'loop', 'http', 'email', 'notify', 'record.query', 'record.create', 'record.update', 'record.upsert', 'record.delete', 'code']);
    expect(createNodeRegistry(coreNodeTypes).get('http')?.description).toContain('HTTP');
  });

  it('takes third-party types, which validate and run like core ones', async () => {
    const registry = createDefaultRegistry();
    registry.register(shout);
    expect(registry.get('acme.shout')).toBe(shout);
    expect(validateDefinition(definition([{ key: 's', type: 'acme.shout', text: 5 }]), registry)).toEqual({
      ok: false, problems: [{ path: 'nodes[0].text', message: 'must be a string' }],
    });
    const { job } = await runNodes([{ key: 's', type: 'acme.shout', text: 'hi {{ $context.data.name }}' }], { registry, context: { data: { name: 'ann' } } });
    expect(job('s').output).toEqual({ text: 'HI ANN' });
  });

  it('refuses duplicates and malformed types', () => {
    const registry = createDefaultRegistry();
    expect(() => registry.register(coreNodeTypes[0]!)).toThrow('node type "condition" is already registered');
    const base = { description: 'x', run: () => ({ output: null }) };
    expect(() => registry.register(defineNode({ ...base, type: 'Bad Name', config: Type.Object({}) }))).toThrow('type must look like');
    expect(() => registry.register(defineNode({ ...base, type: 'clash', config: Type.Object({ timeoutMs: Type.Number() }) }))).toThrow('clashes with a common node field');
    expect(() => registry.register(defineNode({ ...base, type: 'clash2', config: Type.Object({ do: Type.Number() }), children: { do: 'list' } }))).toThrow('also declared in config');
    expect(() => registry.register(defineNode({ ...base, type: 'clash3', config: Type.Object({}), raw: ['source'] }))).toThrow('raw field "source" is not declared');
  });

  it('raw fields reach run as written, never evaluated', async () => {
    const registry = createDefaultRegistry();
    registry.register(defineNode({
      type: 'rawish', description: 'x', config: Type.Object({ source: Type.String(), other: Type.Optional(Type.Unknown()) }), raw: ['source'],
      run: ({ config }) => ({ output: config }),
    }));
    const { job } = await runNodes([{ key: 'r', type: 'rawish', source: 'return `{{ not a template }}`', other: '{{ 1 + 1 }}' }], { registry });
    expect(job('r').output).toEqual({ source: 'return `{{ not a template }}`', other: 2 });
  });
});
