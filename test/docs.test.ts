import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { options } from '../src/config/defaults.js';
import { errorCatalog } from '../src/shared/errors.js';

const read = (file: string) => readFileSync(new URL(`../docs/${file}`, import.meta.url), 'utf8');

describe('the docs stay in step with the code', () => {
  it('lists every configuration variable with its default', () => {
    const doc = read('configuration.md');
    for (const spec of Object.values(options)) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${spec.env}\` |`));
      expect(row, `${spec.env} missing from docs/configuration.md`).toBeDefined();
      if (spec.default !== undefined && !Array.isArray(spec.default)) expect(row).toContain(`\`${spec.default}\``);
    }
  });

  it('lists every error code with its status', () => {
    const doc = read('errors.md');
    for (const [code, spec] of Object.entries(errorCatalog)) {
      expect(doc, `${code} missing from docs/errors.md`).toContain(`| \`${code}\` | ${spec.status} |`);
    }
  });
});
