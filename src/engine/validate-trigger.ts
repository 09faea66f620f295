import { hmacConfigProblem } from '../verify/hmac.js';
import { isCidr } from '../verify/ip-allow.js';
import { compileValue, containsTemplate, ExpressionSyntaxError } from './expressions/index.js';
import type { Problem } from './node-type.js';
import { parsePathTemplate } from '../shared/path-template.js';


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

/** `trigger.path`: every problem the shared template parser finds. */
export function checkPathTemplate(path: string): Problem[] {
  const parsed = parsePathTemplate(path);
  return parsed.ok ? [] : parsed.problems.map((message) => ({ path: 'trigger.path', message }));
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
