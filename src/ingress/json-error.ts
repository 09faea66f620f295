/**
 * Where and why a JSON text is invalid, for the 400 a webhook sender sees.
 *
 * V8's own messages are not enough: on Node 20, `JSON.parse('{"a": }')` says
 * `Unexpected token '}', "{"a": }" is not valid JSON` — no position, and it
 * echoes the body back. So after `JSON.parse` has failed (never on the happy
 * path) we scan the text once more with this small RFC 8259 checker, which
 * reports the first offending offset as a line and column.
 */
export interface JsonSyntaxError {
  /** Offset into the text, in UTF-16 code units. */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  reason: string;
}

/**
 * Returns the first syntax error in `text`, or `undefined` when it is valid JSON.
 * Iterative, so deeply nested input cannot overflow the stack.
 *
 * @example
 * locateJsonError('{\n  "a": }')
 * // → { offset: 9, line: 2, column: 8, reason: "unexpected '}'" }
 */
export function locateJsonError(text: string): JsonSyntaxError | undefined {
  const found = scan(text);
  return found === undefined ? undefined : { ...found, ...lineAndColumn(text, found.offset) };
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

interface Failure {
  offset: number;
  reason: string;
}

function scan(text: string): Failure | undefined {
  const end = text.length;
  const stack: Array<'{' | '['> = [];
  let i = 0;

  const skipWhitespace = () => {
    for (let c = text.charCodeAt(i); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; c = text.charCodeAt(++i));
  };
  const unexpected = (at: number): Failure => ({
    offset: at,
    reason: at >= end ? 'unexpected end of input' : `unexpected ${describe(text, at)}`,
  });
  const expectKey = (): Failure | undefined => {
    skipWhitespace();
    if (text[i] !== '"') {
      return i >= end ? unexpected(i) : { offset: i, reason: `expected '"' to start a property name, found ${describe(text, i)}` };
    }
    const bad = scanString();
    if (bad !== undefined) return bad;
    skipWhitespace();
    if (text[i] !== ':') {
      return i >= end ? unexpected(i) : { offset: i, reason: `expected ':' after the property name, found ${describe(text, i)}` };
    }
    i++;
    return undefined;
  };
  const scanString = (): Failure | undefined => {
    i++; // opening quote
    for (;;) {
      if (i >= end) return { offset: i, reason: 'unterminated string' };
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return { offset: i, reason: `unescaped control character ${describe(text, i)} in string` };
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { offset: i, reason: 'bad \\u escape in string' };
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          return { offset: i, reason: 'bad escape in string' };
        }
      } else {
        i++;
      }
    }
  };
  const scanNumber = (): Failure | undefined => {
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = i;
    const m = match.exec(text);
    const next = m === null ? i : i + m[0].length;
    // A number must not run straight into more number-ish characters ("01", "1.", "-").
    if (m === null || m[0] === '-' || /[0-9.eE+-]/.test(text[next] ?? '')) return { offset: i, reason: 'bad number' };
    i = next;
    return undefined;
  };

  for (;;) {
    // Expect a value.
    skipWhitespace();
    const c = text[i];
    let bad: Failure | undefined;
    if (c === '{' || c === '[') {
      i++;
      skipWhitespace();
      if (text[i] === (c === '{' ? '}' : ']')) {
        i++;
      } else {
        stack.push(c);
        if (c === '{' && (bad = expectKey()) !== undefined) return bad;
        continue;
      }
    } else if (c === '"') {
      if ((bad = scanString()) !== undefined) return bad;
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      if ((bad = scanNumber()) !== undefined) return bad;
    } else if (text.startsWith('true', i)) {
      i += 4;
    } else if (text.startsWith('false', i)) {
      i += 5;
    } else if (text.startsWith('null', i)) {
      i += 4;
    } else {
      return unexpected(i);
    }

    // After a value: close containers, or move on to the next element.
    for (;;) {
      skipWhitespace();
      const top = stack[stack.length - 1];
      if (top === undefined) return i < end ? { offset: i, reason: `unexpected ${describe(text, i)} after the end of the JSON value` } : undefined;
      const close = top === '{' ? '}' : ']';
      if (text[i] === close) {
        stack.pop();
        i++;
        continue;
      }
      if (text[i] === ',') {
        i++;
        if (top === '{' && (bad = expectKey()) !== undefined) return bad;
        break;
      }
      if (i >= end) return unexpected(i);
      const what = top === '{' ? 'property value' : 'array element';
      return { offset: i, reason: `expected ',' or '${close}' after ${what}, found ${describe(text, i)}` };
    }
  }
}

function describe(text: string, at: number): string {
  const code = text.codePointAt(at);
  if (code === undefined) return 'end of input';
  if (code < 0x20 || code === 0x7f) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${String.fromCodePoint(code)}'`;
}
