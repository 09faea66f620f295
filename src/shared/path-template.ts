/**
 * `trigger.path` templates such as `forms/:formId`: literal segments and
 * `:name` parameters. One parser for the definition check (which reports the
 * problems) and the route table (which serves the segments), so a path the
 * validator accepts is a path the ingress serves. Leading and trailing
 * slashes do not matter.
 */
export type PathSegment = { kind: 'static'; text: string } | { kind: 'param'; name: string };

const PARAM_SEGMENT = /^:([A-Za-z_][A-Za-z0-9_]*)$/;
const FORBIDDEN = /[?#\s]/;

export function parsePathTemplate(path: string): { ok: true; segments: PathSegment[] } | { ok: false; problems: string[] } {
  const trimmed = trimSlashes(path.trim());
  if (trimmed === '') return { ok: false, problems: ['must have at least one segment, e.g. forms/:formId'] };
  if (FORBIDDEN.test(trimmed)) return { ok: false, problems: ['must not contain "?", "#" or spaces'] };
  const problems: string[] = [];
  const segments: PathSegment[] = [];
  const names = new Set<string>();
  for (const segment of trimmed.split('/')) {
    if (segment === '') {
      problems.push('has an empty segment ("//")');
    } else if (segment.startsWith(':')) {
      const name = PARAM_SEGMENT.exec(segment)?.[1];
      if (name === undefined) {
        problems.push(`"${segment}" is not a valid parameter: ":" then letters, digits and "_", not starting with a digit`);
      } else if (names.has(name)) {
        problems.push(`names the parameter ":${name}" twice`);
      } else {
        names.add(name);
        segments.push({ kind: 'param', name });
      }
    } else {
      const text = decodePathSegment(segment);
      if (text === undefined) problems.push(`segment "${segment}" has a "%" that is not a valid escape such as %20`);
      // Stored decoded, because request segments are decoded before comparison.
      else segments.push({ kind: 'static', text });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, segments };
}

export function trimSlashes(path: string): string {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === 0x2f) start++;
  while (end > start && path.charCodeAt(end - 1) === 0x2f) end--;
  return path.slice(start, end);
}

/** The decoded segment, or undefined when its %-escapes are broken. */
export function decodePathSegment(segment: string): string | undefined {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
