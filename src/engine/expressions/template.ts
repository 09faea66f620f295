import { ExpressionSyntaxError } from './errors.js';

/** A piece of a template string: literal text, or the source between `{{ }}`. */
export type Segment = { kind: 'text'; text: string } | { kind: 'expression'; source: string; offset: number };

const OPEN = '{{';

/** True when the string holds at least one `{{`; strings without are static. */
export function containsTemplate(text: string): boolean {
  return text.includes(OPEN);
}

/** Skips a quoted string starting at `start`; returns the index of its closing quote, or -1. */
function skipQuoted(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === quote) return i;
  }
  return -1;
}

/** Skips a backtick template literal, including its `${ … }` parts. */
function skipTemplateLiteral(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '`') return i;
    else if (c === '$' && text[i + 1] === '{') {
      i = scanExpression(text, i + 2, false);
      if (i < 0) return -1;
    }
  }
  return -1;
}

/**
 * Finds where an expression ends: at `}}` (top level, `template` true) or at
 * `}` (inside `${ }`), ignoring braces inside strings and object literals,
 * so `{{ {a: {b: 1}} }}` and `{{ '}}' }}` work. Returns the index of the
 * first closing brace, or -1.
 */
function scanExpression(text: string, from: number, template: boolean): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = skipQuoted(text, i);
    } else if (c === '`') {
      i = skipTemplateLiteral(text, i);
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      if (depth > 0) depth--;
      else if (!template || text[i + 1] === '}') return i;
    }
    if (i < 0) return -1;
  }
  return -1;
}

/** Splits a string into text and `{{ expression }}` segments. */
export function splitTemplate(text: string, path = ''): Segment[] {
  const segments: Segment[] = [];
  let textStart = 0;
  let open = text.indexOf(OPEN);
  while (open >= 0) {
    const close = scanExpression(text, open + OPEN.length, true);
    if (close < 0) {
      throw new ExpressionSyntaxError(`"{{" at character ${open} is never closed by "}}" (or a quote inside it is never closed)`, {
        path,
        source: text,
        index: open,
      });
    }
    if (open > textStart) segments.push({ kind: 'text', text: text.slice(textStart, open) });
    segments.push({ kind: 'expression', source: text.slice(open + OPEN.length, close), offset: open + OPEN.length });
    textStart = close + 2;
    open = text.indexOf(OPEN, textStart);
  }
  if (textStart < text.length) segments.push({ kind: 'text', text: text.slice(textStart) });
  return segments;
}
