import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MESSAGE_KINDS, MESSAGES } from '../../protocol/index.ts';
import { renderMqttDocs } from '../../scripts/mqtt-docs.ts';

const committed = readFileSync(new URL('../../docs/mqtt.md', import.meta.url), 'utf8');

describe('docs/mqtt.md', () => {
  it('is exactly what protocol/ generates (run `npm run docs:mqtt` after changing a schema)', () => {
    expect(committed === renderMqttDocs(), 'docs/mqtt.md drifted from protocol/; run `npm run docs:mqtt`').toBe(true);
  });

  it.each(MESSAGE_KINDS)('lists the %s topic with its retain flag and QoS', (kind) => {
    const m = MESSAGES[kind];
    expect(committed).toContain(
      `| [\`{prefix}/{site}/${m.template}\`](#${kind}) | ${m.direction} | ${m.retain ? 'yes' : 'no'} | ${m.qos} |`,
    );
  });
});
