// A real Mosquitto started from deploy/mosquitto/volno.conf itself: only the listener ports and the
// /etc/mosquitto/volno/ paths are rewritten, and logging goes to stderr. If the shipped file
// changes shape, rendering fails loudly instead of testing something else.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import {
  RingBuffer,
  captureOutput,
  freePort,
  outputMatcher,
  stopChild,
  track,
  waitFor,
} from '../../fixtures/process.ts';
import { repoFile } from './install.ts';

export interface DeployBroker {
  /** mqtt://127.0.0.1:PORT, the loopback listener (the server's). */
  plainUrl: string;
  /** mqtts://127.0.0.1:PORT, the TLS listener (the agents'). */
  tlsUrl: string;
  logs(): string;
  stop(): Promise<void>;
}

/** deploy/mosquitto/volno.conf with test ports, `dir` for /etc/mosquitto/volno/, logs on stderr. */
export function renderBrokerConfig(dir: string, plainPort: number, tlsPort: number, tlsExtra: string[] = []): string {
  let text = readFileSync(repoFile('deploy/mosquitto/volno.conf'), 'utf8');
  const swap = (from: string | RegExp, to: string) => {
    const n = text.split(from).length - 1;
    if (n === 0) throw new Error(`deploy/mosquitto/volno.conf no longer contains ${String(from)}`);
    text = text.split(from).join(to);
  };
  swap('/etc/mosquitto/volno/', `${dir}/`);
  // Options of the TLS listener go right after its key file (e.g. `require_certificate true`).
  swap(`keyfile ${dir}/broker.key`, [`keyfile ${dir}/broker.key`, ...tlsExtra].join('\n'));
  swap('listener 8883 0.0.0.0', `listener ${tlsPort} 127.0.0.1`);
  swap('listener 1883 127.0.0.1', `listener ${plainPort} 127.0.0.1`);
  // What Debian's main mosquitto.conf sets, minus persistence (a test broker starts empty).
  return `${text}\npersistence false\nlog_dest stderr\nlog_type all\nconnection_messages true\n`;
}

/**
 * Starts the broker with `dir` holding passwd, acl, ca.pem, broker.pem and broker.key, and waits
 * until `probe` credentials complete a real CONNECT on the loopback listener.
 */
export async function startDeployBroker(
  dir: string,
  probe: { username: string; password: string },
  o: { tlsListener?: string[] } = {},
): Promise<DeployBroker> {
  const logs = new RingBuffer();
  const bin = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';
  for (let attempt = 1; ; attempt++) {
    const [plainPort, tlsPort] = [await freePort(), await freePort()];
    const conf = join(dir, `mosquitto-${plainPort}.conf`);
    writeFileSync(conf, renderBrokerConfig(dir, plainPort, tlsPort, o.tlsListener));
    const child: ChildProcess = spawn(bin, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    captureOutput(child, logs);
    const running = outputMatcher(child.stderr, /mosquitto version \S+ running/);
    const inUse = outputMatcher(child.stderr, /address already in use/i);
    let closed = false;
    child.once('close', () => (closed = true));
    const plainUrl = `mqtt://127.0.0.1:${plainPort}`;
    try {
      await waitFor(
        async () => {
          if (closed) throw new Error(`mosquitto exited (code ${child.exitCode})`);
          return running() && (await connects(plainUrl, probe));
        },
        { timeoutMs: 10_000, what: 'mosquitto from deploy/mosquitto/volno.conf' },
      );
    } catch (err) {
      await stopChild(child, { graceMs: 1000 });
      if (inUse() && attempt < 5) continue;
      throw new Error(`${(err as Error).message}\n--- mosquitto logs ---\n${logs.toString()}`, { cause: err });
    }
    let stopping: Promise<void> | undefined;
    return {
      plainUrl,
      tlsUrl: `mqtts://127.0.0.1:${tlsPort}`,
      logs: () => logs.toString(),
      stop: () => (stopping ??= stopChild(child)),
    };
  }
}

async function connects(url: string, auth: { username: string; password: string }): Promise<boolean> {
  try {
    const c = await mqtt.connectAsync(url, { ...auth, connectTimeout: 1000, reconnectPeriod: 0 }, false);
    await c.endAsync();
    return true;
  } catch {
    return false;
  }
}
