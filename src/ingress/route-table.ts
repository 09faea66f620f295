import { decodePathSegment, parsePathTemplate, trimSlashes, type PathSegment } from '../shared/path-template.js';

/**
 * Which workflow a webhook request is for. Built once from the enabled
 * workflows and never changed: when workflows change, build a new table and
 * swap the reference, so a request in flight always sees one consistent table.
 */
export interface RouteEntry<T> {
  workflowId: string;
  /** Served at `/api/webhooks/<key>`. */
  key: string;
  /** Optional template also served under `/api/webhooks/`, e.g. `github/:owner/:repo`. */
  path?: string;
  /** Upper-case. Empty means every method. `GET` also admits `HEAD` (RFC 9110 §9.3.2). */
  methods: string[];
  value: T;
}

export type RouteMatch<T> =
  | { kind: 'found'; entry: RouteEntry<T>; params: Record<string, string>; via: 'key' | 'path' }
  | { kind: 'not_found' }
  | { kind: 'method_not_allowed'; allow: string[] };

export interface RouteTable<T> {
  /**
   * `subpath` is the raw (still %-encoded) part of the URL path after
   * `/api/webhooks/`; a query string, if left on, is ignored.
   *
   * @example
   * const table = createRouteTable([{ workflowId: 'w1', key: 'k1', path: 'forms/:formId', methods: ['POST'], value: 1 }]);
   * table.match('POST', 'forms/contact%20us/') // → { kind: 'found', params: { formId: 'contact us' }, via: 'path', … }
   * table.match('GET', 'k1')                   // → { kind: 'method_not_allowed', allow: ['POST'] }
   */
  match(method: string, subpath: string): RouteMatch<T>;
  /**
   * The entry already serving a template equivalent to `path` (same static
   * segments, params in the same places, whatever they are called), if any.
   */
  findConflict(path: string, options?: { exceptWorkflowId?: string }): RouteEntry<T> | undefined;
  /**
   * Entries not fully served, with why: an invalid or taken `path` (the key
   * still works) or a taken key (the path, if any, still works). Worth a log line.
   */
  readonly rejected: ReadonlyArray<{ entry: RouteEntry<T>; problem: string }>;
}

type Segment = PathSegment;

interface PathRoute<T> {
  entry: RouteEntry<T>;
  paramNames: string[];
}

interface TrieNode<T> {
  statics: Map<string, TrieNode<T>>;
  param: TrieNode<T> | undefined;
  route: PathRoute<T> | undefined;
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Checks a `trigger.path` template; returns what is wrong with it, or undefined.
 * Leading and trailing slashes are allowed and ignored.
 */
export function checkPathTemplate(path: string): string | undefined {
  const parsed = parseTemplate(path);
  return typeof parsed === 'string' ? parsed : undefined;
}

/**
 * Earlier entries win: for a key or template served twice, the first entry in
 * `entries` gets the requests and the others land in `rejected`.
 */
export function createRouteTable<T>(entries: ReadonlyArray<RouteEntry<T>>): RouteTable<T> {
  const byKey = new Map<string, RouteEntry<T>>();
  const byShape = new Map<string, RouteEntry<T>>();
  const root = newNode<T>();
  const rejected: Array<{ entry: RouteEntry<T>; problem: string }> = [];

  for (const given of entries) {
    const entry = { ...given, methods: given.methods.map((m) => m.toUpperCase()) };
    const keyHolder = byKey.get(entry.key);
    if (keyHolder === undefined) byKey.set(entry.key, entry);
    else rejected.push({ entry, problem: `key is already served by workflow ${keyHolder.workflowId}` });
    if (entry.path === undefined) continue;
    const segments = parseTemplate(entry.path);
    if (typeof segments === 'string') {
      rejected.push({ entry, problem: segments });
      continue;
    }
    const shape = shapeOf(segments);
    const holder = byShape.get(shape);
    if (holder !== undefined) {
      rejected.push({ entry, problem: `path "${entry.path}" is already served by workflow ${holder.workflowId}` });
      continue;
    }
    byShape.set(shape, entry);
    insert(root, segments, entry);
  }

  return {
    rejected,
    match(method, subpath) {
      const path = trimSlashes(stripQuery(subpath));
      const verb = method.toUpperCase();
      const keyed = byKey.get(path);
      if (keyed !== undefined) {
        return allows(keyed.methods, verb)
          ? { kind: 'found', entry: keyed, params: {}, via: 'key' }
          : { kind: 'method_not_allowed', allow: allowList([keyed.methods]) };
      }
      const segments = path === '' ? [] : path.split('/').map(decodeSegment);
      const refused: Array<RouteEntry<T>> = [];
      const values: string[] = [];
      const route = find(root, 0, { segments, values, method: verb, refused });
      if (route !== undefined) return { kind: 'found', entry: route.entry, params: paramsOf(route.paramNames, values), via: 'path' };
      if (refused.length === 0) return { kind: 'not_found' };
      return { kind: 'method_not_allowed', allow: allowList(refused.map((entry) => entry.methods)) };
    },
    findConflict(path, options = {}) {
      const segments = parseTemplate(path);
      if (typeof segments === 'string') return undefined;
      const holder = byShape.get(shapeOf(segments));
      return holder === undefined || holder.workflowId === options.exceptWorkflowId ? undefined : holder;
    },
  };
}

function parseTemplate(path: string): Segment[] | string {
  const parsed = parsePathTemplate(path);
  return parsed.ok ? parsed.segments : `path "${path}" ${parsed.problems[0]}`;
}

/** `forms/:formId` and `forms/:id` have the same shape, `forms/:`. Static text is %-encoded so `:` stays unambiguous. */
function shapeOf(segments: Segment[]): string {
  return segments.map((s) => (s.kind === 'param' ? ':' : encodeURIComponent(s.text))).join('/');
}

function newNode<T>(): TrieNode<T> {
  return { statics: new Map(), param: undefined, route: undefined };
}

function insert<T>(root: TrieNode<T>, segments: Segment[], entry: RouteEntry<T>): void {
  let node = root;
  const paramNames: string[] = [];
  for (const segment of segments) {
    if (segment.kind === 'param') {
      paramNames.push(segment.name);
      node = node.param ??= newNode();
    } else {
      let next = node.statics.get(segment.text);
      if (next === undefined) node.statics.set(segment.text, (next = newNode()));
      node = next;
    }
  }
  node.route = { entry, paramNames };
}

interface Search<T> {
  segments: string[];
  /** Parameter values along the current branch; left holding the winner's on success. */
  values: string[];
  method: string;
  /** Routes that matched the path but not the method, for the 405's `Allow`. */
  refused: Array<RouteEntry<T>>;
}

/**
 * The best template for `segments` that takes `method`: at each level a
 * static segment beats a parameter, and a branch that leads nowhere (or only
 * to routes refusing the method) falls back to the parameter branch, so
 * `a/b/c` and `a/:x/d` both work for `a/b/d`.
 */
function find<T>(node: TrieNode<T>, depth: number, search: Search<T>): PathRoute<T> | undefined {
  const { segments, values } = search;
  if (depth === segments.length) {
    if (node.route === undefined) return undefined;
    if (allows(node.route.entry.methods, search.method)) return node.route;
    search.refused.push(node.route.entry);
    return undefined;
  }
  const segment = segments[depth] as string;
  const next = node.statics.get(segment);
  const found = next === undefined ? undefined : find(next, depth + 1, search);
  if (found !== undefined || node.param === undefined || segment === '') return found;
  values.push(segment);
  const viaParam = find(node.param, depth + 1, search);
  if (viaParam === undefined) values.pop();
  return viaParam;
}

function paramsOf(names: string[], values: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    // Plain assignment to `__proto__` would set the prototype instead of storing the value.
    if (name === '__proto__') Object.defineProperty(params, name, { value: values[i], writable: true, enumerable: true, configurable: true });
    else params[name] = values[i] as string;
  }
  return params;
}

function allows(methods: string[], method: string): boolean {
  return methods.length === 0 || methods.includes(method) || (method === 'HEAD' && methods.includes('GET'));
}

function allowList(methodLists: string[][]): string[] {
  const all = new Set<string>();
  for (const methods of methodLists) {
    for (const m of methods) all.add(m);
    if (methods.includes('GET')) all.add('HEAD');
  }
  const rank = (m: string) => (METHOD_ORDER.includes(m) ? METHOD_ORDER.indexOf(m) : METHOD_ORDER.length);
  return [...all].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function stripQuery(subpath: string): string {
  const q = subpath.indexOf('?');
  return q === -1 ? subpath : subpath.slice(0, q);
}

function decodeSegment(segment: string): string {
  // A broken %-escape cannot match a static segment by accident; as a param value it stays verbatim.
  return decodePathSegment(segment) ?? segment;
}
