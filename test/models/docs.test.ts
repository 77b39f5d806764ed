import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ModelManifestSchema } from '../../edge/vision/index.ts';
import { REPO } from '../vision/helpers.ts';

/** Every property path of an object schema, `input.width` style. */
function paths(schema: TSchema, prefix = ''): string[] {
  const props = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  return Object.entries(props).flatMap(([key, sub]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const nested = (sub as { properties?: unknown }).properties ? paths(sub, path) : [];
    return nested.length > 0 ? nested : [path];
  });
}

describe('docs/models.md', () => {
  it('documents every field of the model manifest', async () => {
    const doc = await readFile(join(REPO, 'docs/models.md'), 'utf8');
    const missing = paths(ModelManifestSchema).filter((p) => !doc.includes(`\`${p}\``));
    expect(missing).toEqual([]);
  });
});
