import { randomBytes, randomFillSync } from 'node:crypto';

/**
 * Time-ordered ids (UUIDv7, RFC 9562): rows sort by creation, which keyset
 * cursors and retention rely on. Random bits come from a pooled buffer: one
 * getRandomValues call per id cost ~4% of a webhook call's CPU.
 */
export function newId(): string {
  let now = Date.now();
  const random = takeRandom();
  // RFC 9562 §6.2 method 1: rand_a is a counter within the millisecond, so
  // ids made in one process are strictly increasing.
  if (now > lastMs) {
    lastMs = now;
    counter = parseInt(random.slice(0, 2), 16); // a random start leaves 3840+ ids of room
  } else {
    now = lastMs;
    counter += 1;
    if (counter > 0xfff) {
      lastMs = now = lastMs + 1;
      counter = 0;
    }
  }
  const hex = now.toString(16).padStart(12, '0');
  return (
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${counter.toString(16).padStart(3, '0')}-` +
    `${((parseInt(random[3]!, 16) & 0x3) | 0x8).toString(16)}${random.slice(4, 7)}-${random.slice(7, 19)}`
  );
}

let lastMs = 0;
let counter = 0;

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
