import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VERIFY_PRESETS, verifyRequest, type VerifyConfig, type VerifyPreset } from '../../src/verify/index.js';
import { hex } from './sign.js';

// CI clones the repository with `shared/` beside it, so from the repo root the
// vectors are at ../shared/vectors/signatures.json.
const VECTORS = fileURLToPath(new URL('../../../shared/vectors/signatures.json', import.meta.url));

interface Vector {
  scheme: string;
  origin: string;
  secret: string;
  body: string;
  headers: Record<string, string>;
  now?: number;
  config?: Omit<VerifyConfig, 'preset' | 'secrets'>;
  valid: boolean;
}

function loadVectors(): Vector[] {
  // Fail loudly: a missing file must not turn into a suite that passes by checking nothing.
  if (!existsSync(VECTORS)) throw new Error(`signature vectors not found at ${VECTORS}: clone shared/ beside the repository`);
  const { vectors } = JSON.parse(readFileSync(VECTORS, 'utf8')) as { vectors: Vector[] };
  if (!Array.isArray(vectors) || vectors.length === 0) throw new Error(`${VECTORS} holds no vectors`);
  return vectors;
}

const vectors = loadVectors();

const configOf = (v: Vector): VerifyConfig => {
  expect(VERIFY_PRESETS).toContain(v.scheme);
  return { preset: v.scheme as VerifyPreset, secrets: [v.secret], ...v.config };
};
// Schemes without a timestamp ignore the clock; give them one anyway.
const clockOf = (v: Vector) => new Date((v.now ?? 1_700_000_000) * 1000);

describe('public signature vectors', () => {
  it('covers every scheme that has vectors', () => {
    expect(new Set(vectors.map((v) => v.scheme))).toEqual(new Set(['github', 'slack', 'standard-webhooks', 'stripe', 'shopify', 'hmac']));
  });

  it.each(vectors.map((v) => [`${v.scheme} — ${v.origin}`, v] as const))('%s', (_name, v) => {
    const verdict = verifyRequest(configOf(v), { raw: Buffer.from(v.body, 'utf8'), headers: v.headers, now: clockOf(v) });
    expect(verdict.ok).toBe(v.valid);
    if (!v.valid) expect(verdict).toMatchObject({ ok: false, reason: 'no_matching_signature' });
  });

  it.each(vectors.filter((v) => v.valid).map((v) => [v.scheme, v] as const))('%s: the same vector with one body byte changed fails', (_name, v) => {
    const raw = Buffer.from(v.body, 'utf8');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 0x01;
    const verdict = verifyRequest(configOf(v), { raw, headers: v.headers, now: clockOf(v) });
    expect(verdict).toMatchObject({ ok: false, reason: 'no_matching_signature' });
  });

  it.each(vectors.filter((v) => v.valid && v.now !== undefined).map((v) => [v.scheme, v] as const))(
    '%s: the same vector replayed 301 s later, or 301 s early, is refused',
    (_name, v) => {
      const input = { raw: Buffer.from(v.body, 'utf8'), headers: v.headers };
      const later = verifyRequest(configOf(v), { ...input, now: new Date((v.now! + 301) * 1000) });
      const earlier = verifyRequest(configOf(v), { ...input, now: new Date((v.now! - 301) * 1000) });
      expect(later).toMatchObject({ ok: false, reason: 'stale_timestamp' });
      expect(earlier).toMatchObject({ ok: false, reason: 'future_timestamp' });
      expect(verifyRequest(configOf(v), { ...input, now: new Date((v.now! + 300) * 1000) }).ok).toBe(true);
    },
  );

  it('refuses a signature made over re-serialized JSON, and it really is one', () => {
    const bad = vectors.find((v) => v.scheme === 'hmac' && !v.valid);
    expect(bad).toBeDefined();
    const reserialized = JSON.stringify(JSON.parse(bad!.body));
    expect(reserialized).not.toBe(bad!.body);
    expect(bad!.headers['x-signature']).toBe(hex(bad!.secret, reserialized));
    // The same signature does verify the bytes it was made over: only the body differs.
    expect(verifyRequest(configOf(bad!), { raw: Buffer.from(reserialized), headers: bad!.headers, now: clockOf(bad!) }).ok).toBe(true);
  });
});
