// (4) The systemd units in deploy/systemd/: systemd's own checks, and their ExecStart lines run for
// real (with --validate-config) against the example configs and env files they name.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFile, makeSite, repoFile, rewritePaths, unitKey, type Site } from './support/install.ts';

const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
const analyze = which('systemd-analyze');
const SKIP = analyze === '' ? ' (skipped: systemd-analyze is not installed on this machine)' : '';

const SERVICES = [
  { file: 'volno-server.service', instance: 'volno-server.service' },
  { file: 'volno-edge@.service', instance: 'volno-edge@agent-1.service' },
];
const UNITS = [
  ...SERVICES,
  { file: 'volno-backup.service', instance: 'volno-backup.service' },
  { file: 'volno-backup.timer', instance: 'volno-backup.timer' },
];

let site: Site;
beforeAll(() => {
  site = makeSite();
  installFile(site.root, 'deploy/config/server.env.example', 'etc/volno/server.env');
  installFile(site.root, 'deploy/config/edge/agent-1.yaml', 'etc/volno/edge/agent-1.yaml');
  installFile(site.root, 'deploy/config/edge/agent-1.env.example', 'etc/volno/edge/agent-1.env');
});
afterAll(() => site?.cleanup());

const key = unitKey;

/** A unit rendered into the temp root under its instance name. */
function rendered(u: (typeof UNITS)[number]): string {
  const target = join(site.root, 'units', u.instance);
  installFile(site.root, `deploy/systemd/${u.file}`, `units/${u.instance}`);
  return target;
}

function envFile(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('systemd units (deploy/systemd)', () => {
  it.skipIf(SKIP !== '')(`pass systemd-analyze verify${SKIP}`, () => {
    // All at once: the timer is checked against the service it starts.
    const r = spawnSync(analyze, ['verify', ...UNITS.map(rendered)], { encoding: 'utf8' });
    // verify prints problems (unknown keys, missing executables) but does not always fail on them.
    expect({ status: r.status, problems: r.stderr.split('\n').filter((l) => l.includes('volno')) }).toEqual({
      status: 0,
      problems: [],
    });
  });

  it.skipIf(SKIP !== '').each(UNITS.filter((u) => u.file.endsWith('.service')))(
    `are hardened: systemd-analyze security rates $instance at most 2.0${SKIP}`,
    (u) => {
      const r = spawnSync(analyze, ['security', '--offline=yes', '--threshold=20', '--no-pager', rendered(u)], {
        encoding: 'utf8',
      });
      const level = /Overall exposure level for \S+: (\d+\.\d+)/.exec(r.stdout)?.[1];
      expect(Number(level), r.stdout.slice(-500)).toBeLessThanOrEqual(2.0);
      expect(r.status).toBe(0);
    },
  );

  it.each(SERVICES)('run a real command: ExecStart of $instance validates the example config and env file', (u) => {
    const unit = rewritePaths(readFileSync(repoFile(`deploy/systemd/${u.file}`), 'utf8'), site.root);
    const [exec] = key(unit, 'ExecStart');
    const [envPath] = key(unit, 'EnvironmentFile');
    const argv = exec!.split(' ');
    expect(argv[0]).toBe(process.execPath);
    const r = spawnSync(argv[0]!, [...argv.slice(1), '--validate-config'], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'], ...envFile(envPath!) },
      timeout: 30_000,
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/configuration is valid|valid \(2 cameras\)/);
  });

  it('point each config at the unit’s StateDirectory, the only place the unit may write', () => {
    const server = readFileSync(repoFile('deploy/systemd/volno-server.service'), 'utf8');
    const edge = readFileSync(repoFile('deploy/systemd/volno-edge@.service'), 'utf8');
    expect(key(server, 'ProtectSystem')).toEqual(['strict']);
    expect(key(edge, 'ProtectSystem')).toEqual(['strict']);
    const serverYaml = readFileSync(repoFile('deploy/config/server.yaml'), 'utf8');
    const edgeYaml = readFileSync(repoFile('deploy/config/edge/agent-1.yaml'), 'utf8');
    expect(serverYaml).toMatch(new RegExp(`^data_dir: /var/lib/${key(server, 'StateDirectory')[0]} `, 'm'));
    expect(edgeYaml).toMatch(new RegExp(`^state_dir: /var/lib/${key(edge, 'StateDirectory')[0]} `, 'm'));
    expect(key(server, 'ExecStart')[0]).toContain('--config /etc/volno/server.yaml');
    expect(key(edge, 'ExecStart')[0]).toContain('--config /etc/volno/edge/agent-1.yaml');
    // The backup unit reads the server's StateDirectory and writes its own (its commands run in backup-restore.test.ts).
    const backup = readFileSync(repoFile('deploy/systemd/volno-backup.service'), 'utf8');
    expect(key(backup, 'StateDirectory')[0]!.split(' ')).toEqual([key(server, 'StateDirectory')[0], 'volno-backups']);
    expect(key(backup, 'ExecStart')[0]).toContain('--data /var/lib/volno');
  });

  it('ship a sysusers.d line for the volno user both units run as', () => {
    const line = readFileSync(repoFile('deploy/systemd/volno.sysusers.conf'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('u '));
    expect(line?.split(/\s+/)[1]).toBe('volno');
    for (const u of [...SERVICES, UNITS[2]!])
      expect(key(readFileSync(repoFile(`deploy/systemd/${u.file}`), 'utf8'), 'User')).toEqual(['volno']);
    if (which('systemd-sysusers') !== '') {
      const copy = join(site.root, 'volno.conf');
      copyFileSync(repoFile('deploy/systemd/volno.sysusers.conf'), copy);
      // --dry-run parses the file and says what it would create, touching nothing.
      execFileSync('systemd-sysusers', ['--dry-run', copy], { stdio: 'pipe' });
    }
  });
});
