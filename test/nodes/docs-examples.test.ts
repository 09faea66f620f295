import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { validateDefinition } from '../../src/engine/validate.js';
import { createDefaultRegistry } from '../../src/nodes/index.js';

const registry = createDefaultRegistry();

function yamlBlocks(file: string): string[] {
  const text = readFileSync(new URL(`../../docs/${file}`, import.meta.url), 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('documentation examples validate', () => {
  it.each(yamlBlocks('nodes.md').map((block, i) => [i, block] as const))('docs/nodes.md example %i', (_i, block) => {
    const nodes = YAML.parse(block) as unknown[];
    const result = validateDefinition({ title: 'example', trigger: { type: 'webhook' }, nodes }, registry);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('docs/workflows.md opening example', () => {
    const [block] = yamlBlocks('workflows.md');
    const result = validateDefinition(YAML.parse(block as string), registry);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });
});
