import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERIFY_PRESETS, verifyFailures } from '../../src/verify/index.js';

const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');

describe('docs/security.md stays in step with src/verify', () => {
  it('lists every refusal reason with its fault', () => {
    for (const [reason, spec] of Object.entries(verifyFailures)) {
      expect(doc, `${reason} missing from docs/security.md`).toContain(`| \`${reason}\` | ${spec.fault} |`);
    }
  });

  it('lists no reason the code does not have', () => {
    const listed = [...doc.matchAll(/^\| `([a-z_]+)` \| (?:client|operational) \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.keys(verifyFailures).sort());
  });

  it('mentions every preset', () => {
    for (const preset of VERIFY_PRESETS) expect(doc, preset).toContain(`\`${preset}\``);
  });
});
