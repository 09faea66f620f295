import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import busboy from 'busboy';
import { HookflowError } from '../shared/errors.js';
import type { FileInfo } from '../engine/run.js';
import { addFormField, type FormObject } from './form-fields.js';
import { lineAndColumn, locateJsonError } from './json-error.js';

export type { FileInfo };

export interface ParsedBody {
  /** `$context.data`. */
  data: unknown;
  /** `$context.files`; empty unless the body is multipart with file parts. */
  files: FileInfo[];
  /** `$context.rawBody`: the bytes decoded as UTF-8, whatever the content type says. */
  rawText: string;
}

export interface UploadedFile {
  field: string;
  name: string;
  type: string;
  data: Buffer;
}

export type SaveFile = (file: UploadedFile) => Promise<string>;

/**
 * Counts, not sizes: the caller has already capped the whole body at the
 * workflow's `maxBodyBytes`, so no field or file can be larger than that and
 * none is ever silently truncated. Going over a count is a 413.
 */
export interface BodyLimits {
  /** Non-file fields, urlencoded or multipart. */
  fields?: number;
  /** Multipart file parts. */
  files?: number;
}

export const defaultBodyLimits: Required<BodyLimits> = { fields: 1000, files: 20 };

/** `$context.data` for a body Hookflow does not parse (images, protobuf, …). */
export interface BinaryBody {
  contentType: string | null;
  size: number;
  base64: string;
}

export interface ParseBodyInput {
  raw: Buffer;
  /** The request's `Content-Type` header, as sent. */
  contentType: string | undefined;
  saveFile: SaveFile;
  limits?: BodyLimits;
}

/**
 * Parses a webhook body by its content type, from the raw bytes already
 * read (not @fastify/formbody or @fastify/multipart, which consume the
 * request stream: signatures must be checked over those bytes first, and
 * the parsers run only after that). Never merges parsed data into
 * an existing object, so keys like `__proto__` stay plain data.
 *
 * | content type | `data` |
 * |---|---|
 * | empty body (any type) | `{}` |
 * | `application/json`, any `+json` type | the parsed value; malformed or nested deeper than {@link MAX_JSON_DEPTH} → 400 `malformed_body` with line and column |
 * | `application/x-www-form-urlencoded` | an object, see `form-fields.ts` for repeated and bracketed names |
 * | `multipart/form-data` | fields as for urlencoded; file parts go to `saveFile` and `files` |
 * | `text/…`, `application/xml`, any `+xml` type | the text, decoded with `charset=` (default UTF-8) |
 * | none | JSON if it starts with `{` or `[` and parses (within {@link MAX_JSON_DEPTH}), else the text if it is UTF-8, else as below |
 * | anything else | {@link BinaryBody} |
 *
 * @example
 * await parseBody({ raw: Buffer.from('a=1&a=2'), contentType: 'application/x-www-form-urlencoded', saveFile })
 * // → { data: { a: ['1', '2'] }, files: [], rawText: 'a=1&a=2' }
 */
export async function parseBody(input: ParseBodyInput): Promise<ParsedBody> {
  const { raw, contentType } = input;
  if (raw.length === 0) return { data: {}, files: [], rawText: '' };
  const limits = { ...defaultBodyLimits, ...input.limits };
  const type = mediaTypeOf(contentType);
  const charset = charsetOf(contentType);

  if (type === 'application/json' || type.endsWith('+json')) {
    const { text, rawText } = decode(raw, charset);
    return { data: parseJson(text), files: [], rawText };
  }
  if (type === 'application/x-www-form-urlencoded') {
    const rawText = raw.toString('utf8');
    return { data: parseUrlencoded(rawText, limits), files: [], rawText };
  }
  if (type === 'multipart/form-data') {
    // `contentType` is defined here: `type` came from it.
    const { data, files } = await parseMultipart({ raw, contentType: contentType as string, saveFile: input.saveFile, limits });
    return { data, files, rawText: raw.toString('utf8') };
  }
  if (type.startsWith('text/') || type === 'application/xml' || type.endsWith('+xml')) {
    const { text, rawText } = decode(raw, charset);
    return { data: text, files: [], rawText };
  }
  if (type === '') return sniff(raw);
  return { data: binary(raw, contentType ?? null), files: [], rawText: raw.toString('utf8') };
}

/**
 * The lower-cased `type/subtype` of a Content-Type header, or `''` when the
 * header is missing or is not `type/subtype`.
 */
export function mediaTypeOf(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  const slash = type.indexOf('/');
  return slash > 0 && slash < type.length - 1 ? type : '';
}

export function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  return /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();
}

/**
 * Deepest JSON nesting a body may have. V8 parses any depth, but a value
 * nested some 4,000 levels overflows the stack of every later
 * `JSON.stringify` (storing the run, answering with it): measured on Node 20,
 * 3,000 levels went through and 10,000 answered 500. Real webhooks nest
 * fewer than 20 levels; expressions walk data to 1,000 levels too.
 */
export const MAX_JSON_DEPTH = 1000;

function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    const deep = tooDeepAt(text, value);
    if (deep !== -1) {
      const { line, column } = lineAndColumn(text, deep);
      throw new HookflowError('malformed_body', `invalid JSON at line ${line} column ${column}: nested more than ${MAX_JSON_DEPTH} levels deep`, {
        details: { line, column, offset: deep },
      });
    }
    return value;
  } catch (cause) {
    if (cause instanceof HookflowError) throw cause;
    // Whitespace only is "no body", like zero bytes; checked here to keep it off the happy path.
    if (text.trim() === '') return {};
    const where = locateJsonError(text);
    if (where === undefined) {
      // The checker and V8 disagree: a bug in the checker. Still answer 400, with V8's words.
      throw new HookflowError('malformed_body', `invalid JSON: ${(cause as Error).message}`, { cause });
    }
    throw new HookflowError('malformed_body', `invalid JSON at line ${where.line} column ${where.column}: ${where.reason}`, {
      cause,
      details: { line: where.line, column: where.column, offset: where.offset },
    });
  }
}

function parseUrlencoded(text: string, limits: Required<BodyLimits>): FormObject {
  const data: FormObject = {};
  let count = 0;
  // WHATWG parsing: `+` is a space, bad %-escapes stay literal, bytes decode as UTF-8.
  for (const [name, value] of new URLSearchParams(text)) {
    if (++count > limits.fields) throw tooManyFields(limits.fields);
    addFormField(data, name, value);
  }
  return data;
}

async function parseMultipart(input: {
  raw: Buffer;
  contentType: string;
  saveFile: SaveFile;
  limits: Required<BodyLimits>;
}): Promise<{ data: FormObject; files: FileInfo[] }> {
  const { raw, limits } = input;
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': input.contentType },
      // Browsers and `FormData` send UTF-8 file names; busboy's default, latin1, garbles them.
      defParamCharset: 'utf8',
      limits: { fields: limits.fields, files: limits.files, fieldSize: raw.length, fieldNameSize: raw.length },
    });
  } catch (cause) {
    const reason = /boundary/i.test((cause as Error).message) ? 'the Content-Type has no boundary parameter' : (cause as Error).message;
    throw malformedMultipart(reason, cause);
  }

  const data: FormObject = {};
  const uploads: Array<Promise<UploadedFile | Error>> = [];
  let overLimit: HookflowError | undefined;

  await new Promise<void>((resolve, reject) => {
    // busboy gives `undefined`, despite its types, for a part whose `name` is empty or missing: kept under "".
    parser.on('field', (name, value) => addFormField(data, name ?? '', value));
    parser.on('file', (field = '', stream, info) => {
      uploads.push(
        new Promise((done) => {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => done({ field, name: info.filename ?? '', type: info.mimeType, data: Buffer.concat(chunks) }));
          // A truncated part errors here and on the parser; the parser's error is the one reported.
          stream.on('error', (err) => done(err));
        }),
      );
    });
    parser.on('fieldsLimit', () => (overLimit ??= tooManyFields(limits.fields)));
    parser.on('filesLimit', () => (overLimit ??= new HookflowError('payload_too_large', `the body has more than ${limits.files} files`)));
    parser.on('error', (cause) => reject(malformedMultipart(lowerFirst((cause as Error).message), cause)));
    parser.on('close', () => resolve());
    parser.end(raw);
  });
  if (overLimit !== undefined) throw overLimit;

  const parts = await Promise.all(uploads);
  for (const part of parts) if (part instanceof Error) throw malformedMultipart(lowerFirst(part.message), part);
  // Saved only once the whole body parsed, so a truncated upload leaves no orphan files behind.
  const files = await Promise.all(
    (parts as UploadedFile[]).map(async (file) => ({
      field: file.field,
      name: file.name,
      type: file.type,
      size: file.data.length,
      id: await input.saveFile(file),
    })),
  );
  return { data, files };
}

/** No Content-Type: senders that omit it are usually scripts and devices posting JSON or text. */
function sniff(raw: Buffer): ParsedBody {
  if (!isUtf8(raw)) return { data: binary(raw, null), files: [], rawText: raw.toString('utf8') };
  const text = raw.toString('utf8');
  const first = /\S/.exec(text)?.[0];
  if (first === '{' || first === '[') {
    try {
      const data: unknown = JSON.parse(text);
      if (tooDeepAt(text, data) === -1) return { data, files: [], rawText: text };
    } catch {
      // Not JSON after all: without a declared type that is no error, it is text.
    }
  }
  return { data: text, files: [], rawText: text };
}

/**
 * Offset of the bracket that opens level `MAX_JSON_DEPTH + 1` in a text
 * `JSON.parse` accepted as `value`, or -1. Each level takes two brackets, so
 * short texts (nearly every webhook) are not looked at; longer ones are
 * checked on the parsed value, which costs a fraction of the parse (measured
 * on Node 20: about 1 ms for an 800 kB body JSON.parse takes 7 ms over), and
 * the text is scanned for the offset only when it is too deep.
 */
function tooDeepAt(text: string, value: unknown): number {
  if (text.length <= 2 * MAX_JSON_DEPTH || !isTooDeep(value)) return -1;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Valid JSON: the string ends at the next quote not escaped by an odd run of backslashes.
      let end = text.indexOf('"', i + 1);
      for (let slashes = countSlashesBefore(text, end); slashes % 2 === 1; slashes = countSlashesBefore(text, end)) end = text.indexOf('"', end + 1);
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

function countSlashesBefore(text: string, at: number): number {
  let n = 0;
  while (text.charCodeAt(at - 1 - n) === 0x5c) n++;
  return n;
}

/** Iterative, so the check itself cannot overflow the stack; no allocation per node, so it stays cheap. */
function isTooDeep(value: unknown): boolean {
  const nodes: object[] = [];
  const depths: number[] = [];
  const visit = (child: unknown, depth: number) => {
    if (typeof child === 'object' && child !== null) {
      nodes.push(child);
      depths.push(depth);
    }
  };
  visit(value, 0);
  while (nodes.length > 0) {
    const node = nodes.pop() as Record<string, unknown> | unknown[];
    const depth = depths.pop() as number;
    if (depth === MAX_JSON_DEPTH) return true;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) visit(node[i], depth + 1);
    } else {
      // JSON.parse makes own, enumerable data properties only (`__proto__` included), and nothing else is enumerable.
      for (const key in node) visit(node[key], depth + 1);
    }
  }
  return false;
}

function binary(raw: Buffer, contentType: string | null): BinaryBody {
  return { contentType, size: raw.length, base64: raw.toString('base64') };
}

const decoders = new Map<string, TextDecoder>();

/**
 * Decodes with the declared charset when Node knows it (full ICU: latin1,
 * windows-1252, gbk, shift_jis, utf-16le, …), else as UTF-8. A leading BOM is
 * dropped from `text` (JSON.parse rejects it) but kept in `rawText`.
 */
function decode(raw: Buffer, charset: string | undefined): { text: string; rawText: string } {
  const rawText = raw.toString('utf8');
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') {
    return { text: rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText, rawText };
  }
  let decoder = decoders.get(charset);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(charset);
    } catch {
      return decode(raw, undefined); // unknown charset label: UTF-8, as if none was given
    }
    decoders.set(charset, decoder); // only valid labels get here, so the map stays small
  }
  return { text: decoder.decode(raw), rawText };
}

function tooManyFields(max: number): HookflowError {
  return new HookflowError('payload_too_large', `the body has more than ${max} form fields`);
}

function malformedMultipart(reason: string, cause: unknown): HookflowError {
  return new HookflowError('malformed_body', `invalid multipart/form-data body: ${reason}`, { cause });
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
