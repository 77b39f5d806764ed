import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigDocs, undocumentedKeys } from '../../scripts/config-docs.ts';

const committed = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');

describe('docs/config.md', () => {
  it('is exactly what the config schemas generate (run `npm run docs:config` after changing one)', () => {
    expect(committed === renderConfigDocs(), 'docs/config.md drifted from the schemas; run `npm run docs:config`').toBe(
      true,
    );
  });

  it('has a title and a description for every key of both configs, and no object accepts unknown keys', () => {
    expect(undocumentedKeys()).toEqual([]);
  });

  it('lists nested keys with their defaults, e.g. the embedded broker port and a camera’s exit delay', () => {
    expect(committed).toContain('| `port` | integer, 0–65535 | `1883` | **MQTT port.** 0 picks a free port. |');
    expect(committed).toContain('### <a id="edge-cameras-delays"></a>`cameras[].delays`: Delays');
    expect(committed).toMatch(/\| `exit_s` \| number, 0–3600 \| `30` \| \*\*Exit delay\.\*\*/);
  });
});
