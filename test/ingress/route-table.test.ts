import { describe, expect, it } from 'vitest';
import { checkPathTemplate, createRouteTable, type RouteEntry } from '../../src/ingress/route-table.js';

function entry(workflowId: string, fields: Partial<RouteEntry<string>> = {}): RouteEntry<string> {
  return { workflowId, key: `key-${workflowId}`, methods: ['POST'], value: workflowId, ...fields };
}

describe('key URLs', () => {
  const table = createRouteTable([entry('w1'), entry('w2', { methods: ['GET', 'POST'] }), entry('any', { methods: [] })]);

  it('finds the workflow by its key, with no params', () => {
    expect(table.match('POST', 'key-w1')).toEqual({ kind: 'found', entry: expect.objectContaining({ value: 'w1' }), params: {}, via: 'key' });
  });

  it('tolerates a trailing slash and ignores a query string', () => {
    expect(table.match('POST', 'key-w1/')).toMatchObject({ kind: 'found', entry: { value: 'w1' } });
    expect(table.match('POST', 'key-w1?x=1')).toMatchObject({ kind: 'found', entry: { value: 'w1' } });
  });

  it('answers 405 with the allowed methods', () => {
    expect(table.match('GET', 'key-w1')).toEqual({ kind: 'method_not_allowed', allow: ['POST'] });
    expect(table.match('DELETE', 'key-w2')).toEqual({ kind: 'method_not_allowed', allow: ['GET', 'HEAD', 'POST'] });
  });

  it('lets GET routes answer HEAD, and empty methods mean any', () => {
    expect(table.match('HEAD', 'key-w2')).toMatchObject({ kind: 'found' });
    expect(table.match('PATCH', 'key-any')).toMatchObject({ kind: 'found' });
    expect(table.match('post', 'key-w1')).toMatchObject({ kind: 'found' });
  });

  it('does not know other keys', () => {
    expect(table.match('POST', 'key-w3')).toEqual({ kind: 'not_found' });
    expect(table.match('POST', '')).toEqual({ kind: 'not_found' });
    expect(table.match('POST', 'key-w1/extra')).toEqual({ kind: 'not_found' });
  });
});

describe('path templates', () => {
  const table = createRouteTable([
    entry('form', { path: 'forms/:formId' }),
    entry('contact', { path: '/forms/contact/' }),
    entry('repo', { path: 'github/:owner/:repo', methods: ['POST', 'PUT'] }),
    entry('deep', { path: 'a/b/c' }),
    entry('fallback', { path: 'a/:x/d' }),
    entry('getter', { path: 'items/:id', methods: ['GET'] }),
    entry('creator', { path: 'items/new', methods: ['POST'] }),
    entry('unicode', { path: 'café/:id' }),
  ]);

  it('captures named segments, URL-decoded', () => {
    expect(table.match('POST', 'forms/contact%20us')).toEqual({
      kind: 'found',
      entry: expect.objectContaining({ value: 'form' }),
      params: { formId: 'contact us' },
      via: 'path',
    });
    expect(table.match('POST', 'github/ada/engine%2Fv2/')).toMatchObject({ params: { owner: 'ada', repo: 'engine/v2' } });
    expect(table.match('POST', 'forms/%E2%9C%93')).toMatchObject({ params: { formId: '✓' } });
  });

  it('keeps a broken %-escape verbatim', () => {
    expect(table.match('POST', 'forms/100%')).toMatchObject({ kind: 'found', params: { formId: '100%' } });
  });

  it('matches static segments written or sent encoded', () => {
    expect(table.match('POST', 'caf%C3%A9/1')).toMatchObject({ entry: { value: 'unicode' }, params: { id: '1' } });
  });

  it('prefers a static segment over a parameter', () => {
    expect(table.match('POST', 'forms/contact')).toMatchObject({ entry: { value: 'contact' }, params: {} });
    expect(table.match('POST', 'forms/other')).toMatchObject({ entry: { value: 'form' } });
  });

  it('falls back to a parameter when the static branch leads nowhere', () => {
    expect(table.match('POST', 'a/b/c')).toMatchObject({ entry: { value: 'deep' } });
    expect(table.match('POST', 'a/b/d')).toMatchObject({ entry: { value: 'fallback' }, params: { x: 'b' } });
  });

  it('falls back when the static route does not take the method', () => {
    expect(table.match('GET', 'items/new')).toMatchObject({ entry: { value: 'getter' }, params: { id: 'new' } });
    expect(table.match('POST', 'items/new')).toMatchObject({ entry: { value: 'creator' } });
  });

  it('answers 405 with every method some matching route takes', () => {
    expect(table.match('DELETE', 'items/new')).toEqual({ kind: 'method_not_allowed', allow: ['GET', 'HEAD', 'POST'] });
    expect(table.match('GET', 'github/a/b')).toEqual({ kind: 'method_not_allowed', allow: ['POST', 'PUT'] });
  });

  it('does not match other shapes or empty segments', () => {
    expect(table.match('POST', 'forms')).toEqual({ kind: 'not_found' });
    expect(table.match('POST', 'forms/a/b')).toEqual({ kind: 'not_found' });
    expect(table.match('POST', 'github//b')).toEqual({ kind: 'not_found' });
    expect(table.match('POST', 'Forms/x')).toEqual({ kind: 'not_found' });
  });

  it('still serves a workflow at its key', () => {
    expect(table.match('POST', 'key-form')).toMatchObject({ kind: 'found', via: 'key', params: {} });
  });

  it('returns a parameter called __proto__ as plain data', () => {
    const odd = createRouteTable([entry('w', { path: 'x/:__proto__' })]);
    const found = odd.match('POST', 'x/polluted');
    expect(found).toMatchObject({ kind: 'found' });
    if (found.kind !== 'found') return;
    expect(Object.hasOwn(found.params, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('conflicts', () => {
  const table = createRouteTable([entry('w1', { path: 'forms/:formId' }), entry('w2', { path: 'github/:owner/:repo' })]);

  it('finds the holder of an equivalent template, whatever its params are called', () => {
    expect(table.findConflict('forms/:id')?.workflowId).toBe('w1');
    expect(table.findConflict('/forms/:other/')?.workflowId).toBe('w1');
    expect(table.findConflict('github/:a/:b')?.workflowId).toBe('w2');
  });

  it('sees no conflict for other shapes or for the workflow itself', () => {
    expect(table.findConflict('forms/contact')).toBeUndefined();
    expect(table.findConflict('forms/:id/extra')).toBeUndefined();
    expect(table.findConflict(':a/:b')).toBeUndefined();
    expect(table.findConflict('forms/:id', { exceptWorkflowId: 'w1' })).toBeUndefined();
  });

  it('serves the first of two equivalent templates and reports the other', () => {
    const doubled = createRouteTable([entry('first', { path: 'x/:a' }), entry('second', { path: 'x/:b' })]);
    expect(doubled.match('POST', 'x/1')).toMatchObject({ entry: { value: 'first' }, params: { a: '1' } });
    expect(doubled.rejected).toEqual([
      { entry: expect.objectContaining({ value: 'second' }), problem: 'path "x/:b" is already served by workflow first' },
    ]);
    expect(doubled.match('POST', 'key-second')).toMatchObject({ kind: 'found', entry: { value: 'second' } });
  });

  it('serves the first of two entries with the same key and reports the other', () => {
    const doubled = createRouteTable([entry('first', { key: 'k' }), entry('second', { key: 'k', path: 'p' })]);
    expect(doubled.match('POST', 'k')).toMatchObject({ entry: { value: 'first' } });
    expect(doubled.match('POST', 'p')).toMatchObject({ entry: { value: 'second' } });
    expect(doubled.rejected.map((r) => r.problem)).toEqual(['key is already served by workflow first']);
  });
});

describe('template checks', () => {
  it.each([
    ['forms/:formId', undefined],
    ['/github/:owner/:repo/', undefined],
    ['', 'path "" must have at least one segment, e.g. forms/:formId'],
    ['/', 'path "/" must have at least one segment, e.g. forms/:formId'],
    ['a//b', 'path "a//b" has an empty segment ("//")'],
    ['a/:', 'path "a/:" ":" is not a valid parameter: ":" then letters, digits and "_", not starting with a digit'],
    ['a/:1x', 'path "a/:1x" ":1x" is not a valid parameter: ":" then letters, digits and "_", not starting with a digit'],
    ['a/:id/:id', 'path "a/:id/:id" names the parameter ":id" twice'],
    ['a?b=1', 'path "a?b=1" must not contain "?", "#" or spaces'],
  ])('%j → %s', (path, problem) => {
    expect(checkPathTemplate(path)).toBe(problem);
  });

  it('reports an invalid template and still serves the key', () => {
    const table = createRouteTable([entry('w', { path: 'a//b' })]);
    expect(table.rejected.map((r) => r.problem)).toEqual(['path "a//b" has an empty segment ("//")']);
    expect(table.match('POST', 'key-w')).toMatchObject({ kind: 'found' });
  });
});
