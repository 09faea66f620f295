import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.js';
import { HookflowError } from '../shared/errors.js';
import { newApiToken, newId } from '../shared/ids.js';
import type { Database } from '../store/schema.js';
import { countActiveTokens, findActiveTokenByHash, insertApiToken } from '../store/api-tokens.js';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The first start without `HOOKFLOW_ADMIN_TOKEN` and without any token in
 * the store creates one, keeps only its hash, and returns it to be printed
 * once. Returns undefined when nothing was created.
 */
export async function ensureAdminToken(db: Kysely<Database>, options: { envToken: string | undefined; clock: Clock }): Promise<string | undefined> {
  if (options.envToken) return undefined;
  if ((await countActiveTokens(db)) > 0) return undefined;
  const token = newApiToken();
  await insertApiToken(db, { id: newId(), name: 'admin', hash: hashToken(token), now: options.clock.now().toISOString() });
  return token;
}

/**
 * Bearer-token check for the management API. Tokens are compared as SHA-256
 * digests: the store holds only digests, and the configured token is
 * compared in constant time.
 */
export function createAuthenticator(db: Kysely<Database>, envToken: string | undefined) {
  const envDigest = envToken ? Buffer.from(hashToken(envToken), 'hex') : undefined;
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new HookflowError('unauthorized', 'send the API token as "Authorization: Bearer <token>"');
    const digest = hashToken(match[1]!);
    if (envDigest && timingSafeEqual(envDigest, Buffer.from(digest, 'hex'))) return;
    if (await findActiveTokenByHash(db, digest)) return;
    throw new HookflowError('unauthorized', 'the API token is not valid');
  };
}
