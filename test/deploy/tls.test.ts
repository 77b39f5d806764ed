// (2) MQTT over TLS and (3) HTTPS, with certificates from deploy/tls/volno-certs.sh, the broker from
// deploy/mosquitto/volno.conf, the server from deploy/config/server.yaml and the edge agent's real
// MQTT link from deploy/config/edge/agent-1.yaml.
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig as loadEdgeConfig } from '../../edge/config/load.ts';
import { MqttLink } from '../../edge/mqtt/link.ts';
import { listen } from '../../server/main/server.ts';
import { waitFor } from '../fixtures/process.ts';
import { startDeployBroker, type DeployBroker } from './support/broker.ts';
import { certs, installFile, makeSite, replaceOnce, type Site } from './support/install.ts';
import { connect, slotState, startSiteServer } from './support/server.ts';

let site: Site;
let broker: DeployBroker;
let server: FastifyInstance | undefined;
let link: MqttLink | undefined;

beforeAll(async () => {
  site = makeSite();
  broker = await startDeployBroker(site.brokerDir, {
    username: 'volno-server',
    password: site.env.VOLNO_MQTT_PASSWORD,
  });
});

afterAll(async () => {
  await link?.stop(1000);
  await server?.close();
  await broker?.stop();
  site?.cleanup();
});

/** GET over HTTPS trusting only `ca`. */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS for MQTT and HTTP', () => {
  it('carries an agent’s state to the server over mqtts:// when both trust the site CA', async () => {
    // The server on the broker's TLS listener: deploy/config/server.yaml with its `tls: { ca_file }` line enabled.
    const tlsConfig = join(site.root, 'etc/volno/server-mqtts.yaml');
    writeFileSync(
      tlsConfig,
      replaceOnce(readFileSync(site.serverConfig, 'utf8'), '  # tls: { ca_file:', '  tls: { ca_file:'),
    );
    server = (await startSiteServer(site, broker.tlsUrl, { config: tlsConfig })).app;
    expect(server.volno.mqttUrl).toMatch(/^mqtts:\/\//);

    const edgeFile = installFile(site.root, 'deploy/config/edge/agent-1.yaml', 'etc/volno/edge/agent-1.yaml', (t) =>
      replaceOnce(t, 'mqtts://broker.example.internal:8883', broker.tlsUrl),
    );
    const { config } = await loadEdgeConfig(edgeFile, {
      ...site.credentials('volno-edge-krajsky-urad-agent-1'),
      CAM_USER: 'volno',
      CAM_PASSWORD: 'secret',
    });
    expect(config.mqtt.tls?.ca_file).toBe(join(site.tlsDir, 'ca.pem'));
    link = new MqttLink({
      config: config.mqtt,
      siteId: config.site_id,
      agentId: config.agent_id,
      prefix: config.topic_prefix,
      log: pino({ level: 'silent' }),
      subscriptions: [],
      onMessage: () => {},
      onConnect: () => {},
    });
    await link.start();
    await waitFor(() => link!.connected, { timeoutMs: 10_000, what: `the agent over TLS\n${broker.logs()}` });
    const now = new Date().toISOString();
    link.publish(
      'slot_state',
      { camera: 'north-2', slot: 'B01' },
      {
        camera_id: 'north-2',
        slot_id: 'B01',
        state: 'occupied',
        confidence: 0.9,
        since: now,
        observed_at: now,
        model_id: 'volno-slotnet-v1',
        calibration_version: 1,
      },
    );
    await waitFor(async () => (await slotState(server!, 'north', 'B01')) === 'occupied', {
      timeoutMs: 10_000,
      what: `the state in the API ${JSON.stringify(server!.volno.metrics.rejected.entries?.() ?? null)} ${server!.volno.metrics.received.get()}\n${broker.logs()}`,
    });
  });

  it('refuses a client that trusts another CA', async () => {
    const otherCa = join(site.root, 'other-ca');
    certs(otherCa, 'ca');
    const auth = site.credentials('volno-edge-krajsky-urad-agent-1');
    const attempt = (ca: Buffer) =>
      connect(broker.tlsUrl, {
        username: auth['VOLNO_MQTT_USERNAME']!,
        password: auth['VOLNO_MQTT_PASSWORD']!,
        clientId: 'wrong-ca',
        ca,
      });
    await expect(attempt(readFileSync(join(otherCa, 'ca.pem')))).rejects.toThrow(/certificate/i);
    // The same client with the site CA gets in: the refusal above was the CA, nothing else.
    await (await attempt(readFileSync(join(site.tlsDir, 'ca.pem')))).endAsync();
  });

  it('requires a client certificate from the site CA when the listener asks for one (mutual TLS)', async () => {
    certs(site.tlsDir, 'client', 'volno-server-client');
    const mtls = await startDeployBroker(
      site.brokerDir,
      { username: 'volno-server', password: site.env.VOLNO_MQTT_PASSWORD },
      { tlsListener: ['require_certificate true'] },
    );
    try {
      const file = join(site.root, 'etc/volno/server-mtls.yaml');
      const tls = `${site.tlsDir}/`;
      writeFileSync(
        file,
        readFileSync(site.serverConfig, 'utf8').replace(
          /^ {2}# tls: \{ ca_file: .*$/m,
          `  tls: { ca_file: ${tls}ca.pem, cert_file: ${tls}volno-server-client.pem, key_file: ${tls}volno-server-client.key }`,
        ),
      );
      const { app } = await startSiteServer(site, mtls.tlsUrl, {
        config: file,
        dataDir: join(site.root, 'var/lib/volno-mtls'),
      });
      await app.close(); // it connected: startSiteServer waits for that
      const auth = site.credentials('volno-edge-krajsky-urad-agent-1');
      await expect(
        connect(mtls.tlsUrl, {
          username: auth['VOLNO_MQTT_USERNAME']!,
          password: auth['VOLNO_MQTT_PASSWORD']!,
          clientId: 'no-client-cert',
          ca: readFileSync(join(site.tlsDir, 'ca.pem')),
        }),
      ).rejects.toThrow();
    } finally {
      await mtls.stop();
    }
  });

  it('serves the API over HTTPS with the site certificate', async () => {
    const { app, config } = await startSiteServer(site, broker.plainUrl, {
      dataDir: join(site.root, 'var/lib/volno-https'),
    });
    try {
      const { httpUrl } = await listen(app, config);
      expect(httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await httpsGet(`${httpUrl}/api/v1/lots`, readFileSync(join(site.tlsDir, 'ca.pem')));
      expect(res.status).toBe(200);
      const lots = JSON.parse(res.body) as { lots?: { lot_id: string }[] } | { lot_id: string }[];
      const ids = (Array.isArray(lots) ? lots : (lots.lots ?? [])).map((l) => l.lot_id);
      expect(ids).toEqual(['north', 'south']);
      await expect(
        httpsGet(`${httpUrl}/api/v1/lots`, readFileSync(join(site.root, 'other-ca/ca.pem'))),
      ).rejects.toThrow(/certificate/i);
      await expect(fetch(`${httpUrl.replace('https:', 'http:')}/api/v1/lots`)).rejects.toThrow();
    } finally {
      await app.close();
    }
  });
});
