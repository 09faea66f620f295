import { hmacConfigProblem } from '../verify/hmac.js';
import { isCidr } from '../verify/ip-allow.js';
import { compileValue, containsTemplate, ExpressionSyntaxError } from './expressions/index.js';
import type { Problem } from './node-type.js';

// Kept in step with the ingress route table (src/ingress/route-table.ts) and docs/webhooks.md.
const PARAM_SEGMENT = /^:([A-Za-z_][A-Za-z0-9_]*)$/;
const FORBIDDEN = /[?#\s]/;

/**
 * Trigger checks beyond its schema: the path template's shape, CIDRs, and
 * templates that do not compile. Runs beside the schema check (so every
 * problem is reported at once): it looks only at fields of the right type.
 */
export function checkTrigger(trigger: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const { path, allowIps, dedup, verify } = trigger as { path?: unknown; allowIps?: unknown; dedup?: { key?: unknown }; verify?: { preset?: unknown; header?: unknown } };
  if (typeof path === 'string' && path !== '') problems.push(...checkPathTemplate(path));
  if (Array.isArray(allowIps)) allowIps.forEach((cidr: unknown, i) => {
    if (typeof cidr === 'string' && cidr !== '' && !isCidr(cidr)) {
      problems.push({ path: `trigger.allowIps[${i}]`, message: `"${cidr}" is not an IP address or CIDR range such as 192.30.252.0/22 or 2606:50c0::/32` });
    }
  });
  const dedupKey = isObject(dedup) ? dedup.key : undefined;
  if (typeof dedupKey === 'string' && dedupKey !== '' && !containsTemplate(dedupKey)) {
    problems.push({
      path: 'trigger.dedup.key',
      message: 'must be a template such as "{{ $context.headers[\'x-github-delivery\'] }}"; a fixed text would make every request a duplicate',
    });
  }
  if (isObject(verify) && verify.preset === 'hmac') {
    const problem = hmacConfigProblem(verify as Parameters<typeof hmacConfigProblem>[0]);
    if (problem) problems.push({ path: verify.header === undefined ? 'trigger.verify.header' : 'trigger.verify', message: problem });
  }
  problems.push(...compileProblems(trigger.handshake, 'trigger.handshake'));
  problems.push(...compileProblems(trigger.response, 'trigger.response'));
  if (typeof dedupKey === 'string') problems.push(...compileProblems(dedupKey, 'trigger.dedup.key'));
  problems.push(...compileProblems(verify, 'trigger.verify'));
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `forms/:formId`: literal segments and `:name` parameters. Leading and
 * trailing slashes do not matter (the ingress trims them).
 */
export function checkPathTemplate(path: string): Problem[] {
  const at = 'trigger.path';
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [{ path: at, message: 'must have at least one segment, e.g. forms/:formId' }];
  if (FORBIDDEN.test(trimmed)) return [{ path: at, message: 'must not contain "?", "#" or spaces' }];
  const problems: Problem[] = [];
  const params = new Set<string>();
  for (const segment of trimmed.split('/')) {
    if (segment === '') {
      problems.push({ path: at, message: 'has an empty segment ("//")' });
    } else if (segment.startsWith(':')) {
      const param = PARAM_SEGMENT.exec(segment);
      const name = param?.[1];
      if (name === undefined) {
        problems.push({ path: at, message: `"${segment}" is not a valid parameter: ":" then letters, digits and "_", not starting with a digit` });
      } else if (params.has(name)) {
        problems.push({ path: at, message: `names the parameter ":${name}" twice` });
      } else {
        params.add(name);
      }
    } else if (!decodes(segment)) {
      problems.push({ path: at, message: `segment "${segment}" has a "%" that is not a valid escape such as %20` });
    }
  }
  return problems;
}

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** Problems from compiling the templates in `value` (nothing when it is absent or compiles). */
export function compileProblems(value: unknown, path: string): Problem[] {
  if (value === undefined) return [];
  try {
    compileValue(value, path);
    return [];
  } catch (err) {
    if (!(err instanceof ExpressionSyntaxError)) throw err;
    const at = err.path || path;
    // The error's message starts with its path; a problem carries the path on its own.
    const message = err.message.startsWith(`${at}: `) ? err.message.slice(at.length + 2) : err.message;
    return [{ path: at, message }];
  }
}
