import { randomBytes, randomFillSync } from 'node:crypto';

/**
 * Time-ordered ids (UUIDv7, RFC 9562): rows sort by creation, which keyset
 * cursors and retention rely on. Four are made per webhook call, so the
 * text is assembled from parts made once: the timestamp prefix once per
 * millisecond, the counter from a table, the random bits from a pooled
 * buffer (one getRandomValues call per id cost ~4% of a call's CPU).
 */
export function newId(): string {
  const now = Date.now();
  const random = takeRandom();
  // RFC 9562 §6.2 method 1: rand_a is a counter within the millisecond, so
  // ids made in one process are strictly increasing.
  if (now > lastMs) {
    startMillisecond(now);
    counter = parseInt(random.slice(0, 2), 16); // a random start leaves 3840+ ids of room
  } else {
    counter += 1;
    if (counter > 0xfff) {
      startMillisecond(lastMs + 1);
      counter = 0;
    }
  }
  return `${prefix}${COUNTER_HEX[counter]}-${VARIANT_HEX[parseInt(random[3]!, 16) & 0x3]}${random.slice(4, 7)}-${random.slice(7, 19)}`;
}

let lastMs = 0;
let counter = 0;
/** `tttttttt-tttt-7` for `lastMs`. */
let prefix = '';

function startMillisecond(ms: number): void {
  lastMs = ms;
  const hex = ms.toString(16).padStart(12, '0');
  prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
}

const COUNTER_HEX = Array.from({ length: 0x1000 }, (_, n) => n.toString(16).padStart(3, '0'));
/** The variant's two bits, `10`, then one random bit pair. */
const VARIANT_HEX = ['8', '9', 'a', 'b'];

const POOL_IDS = 256;
const HEX_PER_ID = 19;
let pool = '';
let offset = 0;

function takeRandom(): string {
  if (offset + HEX_PER_ID > pool.length) {
    pool = randomFillSync(Buffer.alloc((POOL_IDS * HEX_PER_ID) / 2 + 1)).toString('hex');
    offset = 0;
  }
  const part = pool.slice(offset, offset + HEX_PER_ID);
  offset += HEX_PER_ID;
  return part;
}

/** The smallest id that could have been made at `time`: ids below it are older. */
export function idFloor(time: Date): string {
  const hex = time.getTime().toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

/** A webhook key: URL-safe, 192 random bits (the contract asks for at least 128). */
export function newWebhookKey(): string {
  return randomBytes(24).toString('base64url');
}

/** An API token: 256 random bits with a recognisable prefix. */
export function newApiToken(): string {
  return `hf_${randomBytes(32).toString('base64url')}`;
}
