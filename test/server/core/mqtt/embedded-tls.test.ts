// The embedded broker's mqtts:// listener (issue 13, finding 3: "no TLS"), with certificates from
// deploy/tls/volno-certs.sh, an agent account and the real server ingesting what arrives over it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../fixtures/process.ts';
import { certs } from '../../../deploy/support/install.ts';
import { tempDir } from '../../support/config.ts';
import { FakeAgent } from '../../support/messages.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { LOTS_WITH_AGENTS, loginAgent, refusals, writePasswordFile } from './support.ts';

describe('embedded broker over TLS', () => {
  const tmp = tempDir('volno-embedded-tls-');
  let s: TestServer;
  let tlsUrl: string;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    const dir = join(tmp.dir, 'tls');
    certs(dir, 'ca');
    certs(dir, 'server', 'broker', '127.0.0.1', 'localhost');
    s = await startTestServer({
      lots: LOTS_WITH_AGENTS,
      mqtt: {
        embedded: {
          password_file: writePasswordFile(tmp.dir),
          tls: { cert_file: join(dir, 'broker.pem'), key_file: join(dir, 'broker.key'), host: '127.0.0.1', port: 0 },
        },
      },
    });
    tlsUrl = s.app.volno.broker!.tlsUrl!;
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.endAsync(true)));
    await s?.stop();
    tmp.cleanup();
  });

  it('takes an agent’s states over mqtts:// with the site CA, and the server ingests them', async () => {
    expect(tlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(join(tmp.dir, 'tls/ca.pem'));
    const a = await loginAgent(tlsUrl, 'agent-1', { ca });
    clients.push(a);
    const m = new FakeAgent('agent-1', 'session-tls').slotState('north-1', 'A3', 'occupied');
    await a.publishAsync(m.topic, m.payload, { qos: 1, retain: true });
    await waitFor(
      async () =>
        (
          (await s.app.inject({ url: '/api/v1/lots/north/slots' })).json() as {
            slots: { slot_id: string; state: string }[];
          }
        ).slots.find((x) => x.slot_id === 'A3')?.state === 'occupied',
      { timeoutMs: 5000, what: 'the state sent over TLS' },
    );
  });

  it('fails a client that does not trust the certificate, and counts plain MQTT sent to the TLS port', async () => {
    await expect(loginAgent(tlsUrl, 'agent-1')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    const before = refusals(s, 'tls_handshake');
    await expect(loginAgent(tlsUrl.replace('mqtts:', 'mqtt:'), 'agent-1', { connectTimeout: 2000 })).rejects.toThrow();
    await waitFor(() => refusals(s, 'tls_handshake') > before, { timeoutMs: 5000, what: 'the handshake refusal' });
    expect(s.app.volno.mqtt.connected).toBe(true);
  });
});
