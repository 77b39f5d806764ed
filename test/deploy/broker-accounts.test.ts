// deploy/mosquitto/broker-accounts.ts: the ACL and password files it writes, checked line by line
// (test/deploy/mosquitto-acl.test.ts checks them on a real broker).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, renderAcl, agentCameras, writeBrokerAccounts } from '../../deploy/mosquitto/broker-accounts.ts';
import { MESSAGE_KINDS, MESSAGES } from '../../protocol/index.ts';
import { loadConfig } from '../../server/main/config/load.ts';
import { ServerError } from '../../server/core/errors.ts';
import { repoFile, replaceOnce } from './support/install.ts';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'volno-accounts-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** deploy/config/server.yaml without its TLS lines (no certificates here), optionally edited. */
function serverConfig(edit: (t: string) => string = (t) => t): string {
  const file = join(dir, 'server.yaml');
  const text = readFileSync(repoFile('deploy/config/server.yaml'), 'utf8').replace(/^ {2}tls:\n( {4}.*\n)+/m, '');
  writeFileSync(file, edit(text));
  return file;
}
const env = { VOLNO_STAFF_TOKEN: 'x'.repeat(32), VOLNO_MQTT_PASSWORD: 'server-secret' };
const passwdLines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');

describe('broker accounts from the server config', () => {
  it('hashes passwords exactly as mosquitto_passwd does', () => {
    const file = join(dir, 'pw');
    execFileSync('mosquitto_passwd', ['-b', '-c', file, 'alice', 'correct horse']);
    const [, , iterations, salt, hash] = readFileSync(file, 'utf8').trim().split(':')[1]!.split('$');
    expect(hashPassword('correct horse', Buffer.from(salt!, 'base64'), Number(iterations))).toBe(
      `$7$${iterations}$${salt}$${hash}`,
    );
  });

  it('gives each agent write access to its own agent and camera topics only, and read access to what the server sends it', () => {
    const config = loadConfig({ file: serverConfig(), env });
    const acl = renderAcl(config, agentCameras(config), 'server.yaml');
    const block = (user: string) => acl.split('\n\n').find((b) => b.includes(`user ${user}\n`))!;
    const p = 'volno/v1/krajsky-urad';
    expect(
      block('volno-edge-krajsky-urad-agent-2')
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('#')),
    ).toEqual([
      'user volno-edge-krajsky-urad-agent-2',
      `topic write ${p}/agent/agent-2/availability`,
      `topic write ${p}/agent/agent-2/heartbeat`,
      `topic write ${p}/agent/agent-2/stats`,
      `topic write ${p}/camera/south-1/slot/+/state`,
      `topic write ${p}/camera/south-1/summary`,
      `topic write ${p}/camera/south-1/calibration/ack`,
      `topic write ${p}/camera/south-1/calibration/running`,
      `topic write ${p}/camera/south-1/snapshot/reply/+`,
      `topic read ${p}/camera/south-1/calibration`,
      `topic read ${p}/camera/south-1/snapshot/request`,
    ]);
    const agent1 = block('volno-edge-krajsky-urad-agent-1');
    expect(agent1).toContain(`topic write ${p}/camera/north-2/slot/+/state`);
    expect(agent1).not.toContain('south-1');
    expect(block('volno-server')).toContain(`topic read ${p}/#`);
    expect(block('volno-server')).toContain(`topic write ${p}/camera/+/calibration`);
    // No agent line uses a wildcard for a camera or agent level, or reaches past its site.
    const agentLines = acl
      .split('\n\n')
      .filter((b) => b.includes('user volno-edge-'))
      .flatMap((b) => b.split('\n').filter((l) => l.startsWith('topic ')));
    expect(agentLines).toHaveLength(2 * 3 + 3 * 7); // 2 agents × 3 agent topics, 3 cameras × 7 camera topics
    for (const line of agentLines)
      expect(line).toMatch(new RegExp(`^topic (read|write) ${p}/(camera|agent)/[a-z0-9-]+/`));
  });

  it('refuses a camera without agent_id and names it', () => {
    const file = serverConfig((t) => replaceOnce(t, '        agent_id: agent-2\n', ''));
    const config = loadConfig({ file, env });
    expect(() => agentCameras(config)).toThrow(ServerError);
    expect(() => agentCameras(config)).toThrow(/\/lots\/1\/cameras\/0\/agent_id: camera south-1/);
  });

  it('keeps existing passwords, creates only new accounts, drops removed agents and leaves other accounts alone', () => {
    const out = join(dir, 'mosquitto');
    const credentials = join(dir, 'credentials');
    const first = writeBrokerAccounts({ configFile: serverConfig(), outDir: out, credentialsDir: credentials, env });
    // The server's password came from its env file: hashed, never written anywhere else.
    expect(first.created.map((c) => c.username)).toEqual([
      'volno-edge-krajsky-urad-agent-1',
      'volno-edge-krajsky-urad-agent-2',
    ]);
    expect(statSync(first.created[0]!.file).mode & 0o777).toBe(0o600);
    expect(statSync(first.passwdFile).mode & 0o777).toBe(0o640);
    const created = readFileSync(first.created[0]!.file, 'utf8');
    expect(created).toMatch(/^VOLNO_MQTT_USERNAME=volno-edge-krajsky-urad-agent-1\nVOLNO_MQTT_PASSWORD=[\w-]{32}\n$/);
    const before = passwdLines(first.passwdFile);
    // Another site's agent whose name starts like ours, and a hand-made account: neither is ours to remove.
    const neighbour = 'volno-edge-krajsky-urad-annex-agent-9:$7$101$abc$def';
    writeFileSync(first.passwdFile, [...before, 'homeassistant:$7$101$abc$def', neighbour].join('\n') + '\n');

    // agent-2's camera moves to a new agent-3.
    const moved = serverConfig((t) => replaceOnce(t, 'agent_id: agent-2', 'agent_id: agent-3'));
    const second = writeBrokerAccounts({ configFile: moved, outDir: out, credentialsDir: credentials, env });
    expect(second.created.map((c) => c.username)).toEqual(['volno-edge-krajsky-urad-agent-3']);
    expect(second.removed).toEqual(['volno-edge-krajsky-urad-agent-2']);
    const after = passwdLines(second.passwdFile);
    expect(after).toContain(before.find((l) => l.startsWith('volno-edge-krajsky-urad-agent-1:')));
    expect(after).toContain(before.find((l) => l.startsWith('volno-server:')));
    expect(after).toContain('homeassistant:$7$101$abc$def');
    expect(after).toContain(neighbour);
    expect(after.some((l) => l.startsWith('volno-edge-krajsky-urad-agent-2:'))).toBe(false);
    expect(readFileSync(second.aclFile, 'utf8')).not.toContain('agent-2');
  });

  it('runs as the command docs/deployment.md gives', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'deploy/mosquitto/broker-accounts.ts',
        '--config',
        serverConfig(),
        '--out',
        join(dir, 'out'),
        '--credentials',
        join(dir, 'cred'),
      ],
      { cwd: repoFile('.'), encoding: 'utf8', env: { PATH: process.env['PATH'] }, timeout: 30_000 },
    );
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    // Without VOLNO_MQTT_PASSWORD in the environment the server gets a new password too.
    expect(readFileSync(join(dir, 'cred/volno-server.env'), 'utf8')).toMatch(/^VOLNO_MQTT_PASSWORD=[\w-]{32}\n$/);
    expect(readFileSync(join(dir, 'out/acl'), 'utf8')).toContain('user volno-edge-krajsky-urad-agent-1');
  });

  it('lets the broker carry the largest payload in the contract', () => {
    const conf = readFileSync(repoFile('deploy/mosquitto/volno.conf'), 'utf8');
    const limit = Number(/^max_packet_size (\d+)$/m.exec(conf)?.[1]);
    const largest = Math.max(...MESSAGE_KINDS.map((k) => MESSAGES[k].maxBytes));
    expect(limit).toBeGreaterThan(largest + 64 * 1024); // topic and MQTT header room
  });
});
