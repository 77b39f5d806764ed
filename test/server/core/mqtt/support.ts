// A server on its embedded broker with one account per agent, written the way
// deploy/mosquitto/broker-accounts.ts writes them (Mosquitto's `$7$` password file).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { agentUsername } from '../../../../server/core/mqtt/broker-rules.ts';
import { hashPassword } from '../../../../server/core/mqtt/password-file.ts';
import { LOTS } from '../../support/config.ts';
import { SITE } from '../../support/messages.ts';
import type { TestServer } from '../../support/server.ts';

/** The test lots with north-1 watched by agent-1 and south-1 by agent-2. */
export const LOTS_WITH_AGENTS = LOTS.map((lot) => ({
  ...lot,
  cameras: lot.cameras.map((c) => ({ ...c, agent_id: c.camera_id === 'north-1' ? 'agent-1' : 'agent-2' })),
}));

export const ACCOUNTS = {
  'agent-1': { username: agentUsername(SITE, 'agent-1'), password: 'agent-one-password' },
  'agent-2': { username: agentUsername(SITE, 'agent-2'), password: 'agent-two-password' },
  homeassistant: { username: 'homeassistant', password: 'home-assistant-password' },
};

/** Writes the password file into `dir` and returns its path. */
export function writePasswordFile(dir: string): string {
  const file = join(dir, 'broker-passwd');
  writeFileSync(
    file,
    Object.values(ACCOUNTS)
      .map((a) => `${a.username}:${hashPassword(a.password)}`)
      .join('\n') + '\n',
  );
  return file;
}

/** A client that never retries, so a refused CONNECT rejects at once. */
export function connect(url: string, o: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 4, connectTimeout: 5000, reconnectPeriod: 0, ...o }, false);
}

/** Logs in as an agent with its username as client id (the default of edge/mqtt/link.ts). */
export function loginAgent(url: string, who: keyof typeof ACCOUNTS, o: IClientOptions = {}): Promise<MqttClient> {
  const a = ACCOUNTS[who];
  return connect(url, { username: a.username, password: a.password, clientId: a.username, ...o });
}

/** `volno_broker_refused_total{reason}` as /metrics shows it. */
export function refusals(s: TestServer, reason: string): number {
  const line = s.app.volno.registry
    .render()
    .split('\n')
    .find((l) => l.startsWith(`volno_broker_refused_total{reason="${reason}"} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

/** Resolves when the broker has closed the client's connection; fails after `timeoutMs` if it keeps it. */
export function closed(client: MqttClient, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.disconnected || !client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`the broker kept the connection for ${timeoutMs} ms`)), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
