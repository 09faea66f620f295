import { randomBytes } from 'node:crypto';
import { uuidv7 } from 'uuidv7';

/** Time-ordered ids (UUIDv7): rows sort by creation, which keyset cursors rely on. */
export function newId(): string {
  return uuidv7();
}

/** A webhook key: URL-safe, 192 random bits (the contract asks for at least 128). */
export function newWebhookKey(): string {
  return randomBytes(24).toString('base64url');
}

/** An API token: 256 random bits with a recognisable prefix. */
export function newApiToken(): string {
  return `hf_${randomBytes(32).toString('base64url')}`;
}
