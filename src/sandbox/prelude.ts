/**
 * JavaScript evaluated INSIDE QuickJS before the user's script. It is called
 * once with `host` (an object of the host helper functions, see
 * `host-helpers.ts`) and the globals as JSON text; it defines what the script
 * sees and returns `finish(fn)`, which calls the script and turns its value
 * into JSON text. `host` stays in this closure: the script never sees it.
 */
export const PRELUDE = String.raw`(function (host, globalsJson) {
  'use strict';
  // Taken before the script runs: a script that replaces JSON.stringify only changes its own calls.
  const stringify = JSON.stringify;
  const input = JSON.parse(globalsJson);
  const define = (name, value) =>
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  // The host reports a refused argument as a plain error; the script gets a real TypeError.
  const call = (name, ...args) => {
    try {
      return host[name](...args);
    } catch (error) {
      throw new TypeError(String(error && error.message));
    }
  };
  const text = (value, what) => {
    if (typeof value !== 'string') throw new TypeError(what + ' must be a string, got ' + (value === null ? 'null' : typeof value));
    return value;
  };

  define('$context', input.$context);
  define('context', input.$context);
  define('$nodes', input.$nodes);
  define('$item', input.$item);
  define('$index', input.$index);

  define('hmac', function hmac(algorithm, key, data, encoding = 'hex') {
    return call('hmac', text(algorithm, 'hmac: algorithm'), text(key, 'hmac: key'), text(data, 'hmac: data'), text(encoding, 'hmac: encoding'));
  });
  define('sha256', function sha256(data, encoding = 'hex') {
    return call('sha256', text(data, 'sha256: data'), text(encoding, 'sha256: encoding'));
  });
  define('base64', Object.freeze({
    encode(value) { return call('base64Encode', text(value, 'base64.encode: value')); },
    decode(value) { return call('base64Decode', text(value, 'base64.decode: value')); },
  }));
  define('uuid', function uuid() { return call('uuid'); });

  const show = (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return value.name + ': ' + value.message;
    if (value === undefined) return 'undefined';
    if (typeof value === 'function') return '[function ' + (value.name || 'anonymous') + ']';
    if (typeof value === 'bigint') return value + 'n';
    try {
      const json = stringify(value);
      return json === undefined ? String(value) : json;
    } catch (error) {
      return String(value);
    }
  };
  const line = (level) => function (...args) {
    let text = '';
    for (let i = 0; i < args.length; i++) text += (i === 0 ? '' : ' ') + show(args[i]);
    host.log(level, text);
  };
  define('console', Object.freeze({
    log: line('log'), info: line('info'), debug: line('debug'), warn: line('warn'), error: line('error'),
  }));

  return function finish(script) {
    if (typeof script !== 'function') throw new SyntaxError('source must be the body of a function');
    return script().then((value) => {
      if (value === undefined) return 'null';
      let json;
      try {
        json = stringify(value);
      } catch (error) {
        throw new TypeError('the return value is not JSON-serialisable: ' + error.message);
      }
      if (typeof json !== 'string') throw new TypeError('the return value is not JSON-serialisable: a ' + typeof value);
      return json;
    });
  };
})`;

/**
 * The user's source as an async function. The header shares the source's
 * first line, so a line number QuickJS reports for `code.js` is the line the
 * user wrote.
 */
export function wrapSource(source: string): string {
  return `(async function () {${source}\n})`;
}

/** The file name QuickJS gives the user's script in stack traces. */
export const SCRIPT_FILE = 'code.js';
