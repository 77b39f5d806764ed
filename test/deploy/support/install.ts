// A Debian install of Volno laid out under a temp root: the files from deploy/ with their absolute
// paths (/opt/volno, /etc/volno, /var/lib/…, /usr/bin/node) pointed at this checkout and the temp
// root, certificates from deploy/tls/volno-certs.sh, broker accounts from broker-accounts.ts.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  hashPassword,
  writeBrokerAccounts,
  type BrokerAccountsResult,
} from '../../../deploy/mosquitto/broker-accounts.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const repoFile = (rel: string) => join(repoRoot, rel);

/** Rewrites the absolute install paths the deploy files use so they point into `root` and this checkout. */
export function rewritePaths(text: string, root: string): string {
  return text
    .split('/usr/bin/node')
    .join(process.execPath)
    .split('/opt/volno')
    .join(repoRoot)
    .split('/etc/volno')
    .join(join(root, 'etc/volno'))
    .split('/var/lib/')
    .join(join(root, 'var/lib') + '/');
}

/** Copies a deploy/ file into the temp root with its paths rewritten; `edit` may change it further. */
export function installFile(root: string, rel: string, target: string, edit: (t: string) => string = (t) => t): string {
  const file = join(root, target);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, edit(rewritePaths(readFileSync(repoFile(rel), 'utf8'), root)));
  return file;
}

/** Replaces `from` once; throws when the shipped file no longer contains it. */
export function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`expected ${JSON.stringify(from)} in a deploy file`);
  return text.replace(from, to);
}

export function certs(dir: string, ...args: string[]): void {
  execFileSync('sh', [repoFile('deploy/tls/volno-certs.sh'), ...args.slice(0, 1), dir, ...args.slice(1)], {
    stdio: 'pipe',
  });
}

export interface Site {
  root: string;
  /** /etc/volno/server.yaml, rendered. */
  serverConfig: string;
  /** /etc/mosquitto/volno */
  brokerDir: string;
  /** /etc/volno/tls: ca.pem, server.pem/key (HTTPS, SAN 127.0.0.1 and localhost). */
  tlsDir: string;
  accounts: BrokerAccountsResult;
  /** Reads `<credentials>/<user>.env` into an object. */
  credentials(user: string): Record<string, string>;
  /** An extra account the test appended to the ACL (reads everything), as Home Assistant would be. */
  observer: { username: string; password: string };
  env: { VOLNO_STAFF_TOKEN: string; VOLNO_MQTT_PASSWORD: string };
  cleanup(): void;
}

/**
 * Lays out a site: CA, broker and HTTPS certificates; deploy/config/server.yaml as /etc/volno/server.yaml
 * (listening on 127.0.0.1 instead of 0.0.0.0); Mosquitto's passwd and acl written by broker-accounts.ts,
 * with an `observer` account appended by hand the way an operator adds Home Assistant.
 */
export function makeSite(): Site {
  const root = mkdtempSync(join(tmpdir(), 'volno-deploy-'));
  const brokerDir = join(root, 'etc/mosquitto/volno');
  const tlsDir = join(root, 'etc/volno/tls');
  mkdirSync(brokerDir, { recursive: true });
  certs(tlsDir, 'ca');
  certs(tlsDir, 'server', 'server', '127.0.0.1', 'localhost');
  certs(tlsDir, 'server', 'broker', '127.0.0.1', 'localhost');
  for (const f of ['ca.pem', 'broker.pem', 'broker.key'])
    writeFileSync(join(brokerDir, f), readFileSync(join(tlsDir, f)));
  const serverConfig = installFile(root, 'deploy/config/server.yaml', 'etc/volno/server.yaml', (t) =>
    replaceOnce(t, 'host: 0.0.0.0', 'host: 127.0.0.1'),
  );
  const observer = { username: 'observer', password: 'observer-password' };
  writeFileSync(join(brokerDir, 'passwd'), `${observer.username}:${hashPassword(observer.password)}\n`);
  const extra = join(root, 'observer.acl');
  writeFileSync(extra, `user ${observer.username}\ntopic read #\n`);
  const credentialsDir = join(root, 'credentials');
  const accounts = writeBrokerAccounts({
    configFile: serverConfig,
    outDir: brokerDir,
    credentialsDir,
    append: [extra],
    // A second and third server instance (share group): each its own account, as volno.conf's
    // use_username_as_clientid requires.
    serverAccounts: ['volno-server-2', 'volno-server-3'],
    env: {},
  });
  brokerCanRead(root, brokerDir);
  const credentials = (user: string) =>
    Object.fromEntries(
      readFileSync(join(credentialsDir, `${user}.env`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  const env = {
    VOLNO_STAFF_TOKEN: 'deploy-test-staff-token-0123456789',
    VOLNO_MQTT_PASSWORD: credentials('volno-server')['VOLNO_MQTT_PASSWORD']!,
  };
  return {
    root,
    serverConfig,
    brokerDir,
    tlsDir,
    accounts,
    credentials,
    observer,
    env,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Started as root, Mosquitto drops to the `mosquitto` user before it reads passwd, acl and the TLS
 * files, as on a Debian server: give them to group mosquitto, 0640, as docs/deployment.md says.
 * (Not root: Mosquitto keeps our uid and reads them anyway.)
 */
function brokerCanRead(root: string, brokerDir: string): void {
  if (process.getuid?.() !== 0) return;
  const gid = Number(execFileSync('getent', ['group', 'mosquitto'], { encoding: 'utf8' }).split(':')[2]);
  for (let dir = brokerDir; dir.startsWith(root); dir = dirname(dir)) chmodSync(dir, 0o755);
  for (const f of readdirSync(brokerDir)) {
    chownSync(join(brokerDir, f), 0, gid);
    chmodSync(join(brokerDir, f), 0o640);
  }
}

/** One key of a unit file, every occurrence, with `%i` filled in and `%%` unescaped as systemd does. */
export function unitKey(unit: string, name: string, instance = 'agent-1'): string[] {
  return [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((m) =>
    m[1]!.replaceAll('%i', instance).replaceAll('%%', '%'),
  );
}
