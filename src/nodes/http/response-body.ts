import type { HttpPortResponse } from '../../engine/ports.js';
import { HookflowError } from '../../shared/errors.js';

/** A body that is neither JSON nor text, as it appears in a node's output. */
export interface BinaryBody {
  base64: string;
  /** Bytes, before base64. */
  size: number;
}

const JSON_TYPE = /^[^;]*[/+]json\s*(;|$)/i;
const TEXT_TYPE = /^\s*(text\/|[^;]*[/+]xml\s*(;|$)|application\/(javascript|ecmascript|x-www-form-urlencoded|x-ndjson|yaml|x-yaml|graphql)\s*(;|$))/i;

/**
 * By `content-type`: JSON (`application/json`, `…+json`) parsed; text
 * (`text/*`, XML, JavaScript, form-encoded, YAML) decoded by its charset
 * (UTF-8 when unnamed or unknown); no content type: text when the bytes are
 * valid UTF-8; anything else `{ base64, size }`. Empty: null.
 */
export function decodeBody(res: HttpPortResponse, target: string): unknown {
  const bytes = res.body;
  if (bytes.length === 0) return null;
  const type = res.headers['content-type'] ?? '';
  if (JSON_TYPE.test(type)) {
    try {
      return JSON.parse(decodeText(bytes, 'utf-8')) as unknown;
    } catch {
      throw new HookflowError('node_failed', `${target} answered ${res.status} with a body that says JSON but does not parse`);
    }
  }
  if (TEXT_TYPE.test(type)) return decodeText(bytes, charsetOf(type));
  if (type.trim() === '') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // Not UTF-8: binary.
    }
  }
  return binary(bytes);
}

export function binary(bytes: Uint8Array): BinaryBody {
  return { base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), size: bytes.byteLength };
}

function charsetOf(contentType: string): string {
  return /;\s*charset="?([^";\s]+)/i.exec(contentType)?.[1] ?? 'utf-8';
}

function decodeText(bytes: Uint8Array, charset: string): string {
  try {
    // Node's full ICU knows the WHATWG encodings (gbk, gb18030, shift_jis, iso-8859-x…).
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}
