import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Accounts } from '../../../server/staff/accounts.ts';
import { AuditLog } from '../../../server/staff/audit-log.ts';
import { loadStaffConfig } from '../../../server/main/cli.ts';
import { registerUserCommands } from '../../../server/staff/cli.ts';
import { systemClock } from '../../../server/core/clock.ts';
import { openSqlDatabase } from '../../../server/core/storage/sql/open.ts';
import { storageTarget } from '../../../server/core/storage/config.ts';
import { loadConfig } from '../../../server/main/config/load.ts';
import { LOTS, tempDir, testStorage } from '../support/config.ts';
import { SITE } from '../support/messages.ts';
import { startTestServer } from '../support/server.ts';
import { loginStaff } from '../support/staff.ts';
import { runVolno } from '../support/volno-cli.ts';

const ADMIN_PASSWORD = 'sunrise-over-brno-2026';
let tmp: ReturnType<typeof tempDir>;
let config: string;
let data: string;

/** `volno user …` in this process (one child process per command is slow on a shared 2-core machine). */
async function user(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerUserCommands(program, loadStaffConfig);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await program.parseAsync(['user', ...args, '-c', config, '-d', data], { from: 'user' });
    return { code: Number(process.exitCode), out: log.mock.calls.join('\n'), err: error.mock.calls.join('\n') };
  } finally {
    process.exitCode = before;
    log.mockRestore();
    error.mockRestore();
  }
}

beforeAll(() => {
  tmp = tempDir('volno-user-cli-');
  config = join(tmp.dir, 'volno.json');
  data = join(tmp.dir, 'data');
  // The lowest allowed cost keeps the test quick; production hashes default to 2^17.
  // The engine of the run: `volno user` must write where the test server will read.
  const storage = testStorage(data);
  writeFileSync(
    config,
    JSON.stringify({
      site: SITE,
      lots: LOTS,
      log_level: 'silent',
      auth: { scrypt_log2_n: 14 },
      ...(storage && { storage }),
    }),
  );
});
afterAll(() => tmp.cleanup());

describe('volno user', () => {
  it('creates the first admin in the SQLite file from piped stdin, who then logs in to the server over HTTP', async () => {
    const add = await runVolno(
      ['user', 'add', 'Admin', '--role', 'admin', '-c', config, '-d', data],
      `${ADMIN_PASSWORD}\n`,
    );
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    expect(add.stdout).toMatch(/created admin \(admin\)/);

    const s = await startTestServer({ auth: { scrypt_log2_n: 14 } }, { dataDir: data });
    try {
      // The account exists, so this machine is no longer a bootstrap admin.
      expect((await fetch(`${s.httpUrl}/api/v1/staff/me`)).status).toBe(401);
      const admin = await loginStaff(s.httpUrl, 'admin', ADMIN_PASSWORD);
      const me = await fetch(`${s.httpUrl}/api/v1/staff/me`, { headers: admin.headers });
      expect(await me.json()).toMatchObject({ username: 'admin', role: 'admin', via: 'session' });
    } finally {
      await s.stop();
    }
  });

  it('adds from a password file, lists, disables, changes roles and passwords, and audits each as the CLI', async () => {
    const file = join(tmp.dir, 'pw.txt');
    writeFileSync(file, 'viewer-password-here\nsecond line ignored\n', { mode: 0o600 });
    expect(await user(['add', 'vera', '--password-file', file])).toMatchObject({ code: 0 });
    const list = await user(['list', '--json']);
    expect(JSON.parse(list.out)).toEqual([
      expect.objectContaining({ username: 'admin', role: 'admin', disabled: false }),
      expect.objectContaining({ username: 'vera', role: 'viewer', disabled: false }),
    ]);
    expect(await user(['role', 'vera', 'operator'])).toMatchObject({ code: 0, out: 'vera is now operator' });
    writeFileSync(file, 'another-secret-phrase-42\n');
    expect(await user(['passwd', 'vera', '--password-file', file])).toMatchObject({ code: 0 });
    expect(await user(['disable', 'vera'])).toMatchObject({ code: 0, out: 'vera disabled' });

    const db = await openSqlDatabase(storageTarget(loadConfig({ file: config, overrides: { dataDir: data } })));
    try {
      const accounts = new Accounts(db, systemClock, { scryptLog2N: 14 });
      expect(await accounts.authenticate('vera', 'another-secret-phrase-42')).toBeUndefined(); // disabled
      expect(await user(['enable', 'vera'])).toMatchObject({ code: 0 });
      expect(await accounts.authenticate('vera', 'viewer-password-here')).toBeUndefined();
      expect(await accounts.authenticate('vera', 'another-secret-phrase-42')).toMatchObject({ role: 'operator' });
      // The server's own entries (the login above) are there too; the CLI's name the OS user.
      const audit = (await new AuditLog(db, systemClock).list({ limit: 20 })).filter((e) => e.via === 'cli');
      expect(audit.every((e) => e.username !== null && e.role === null)).toBe(true);
      expect(audit.map((e) => e.action)).toEqual([
        'user.enable',
        'user.disable',
        'user.password',
        'user.role',
        'user.create',
        'user.create',
      ]);
      expect(audit.at(-1)?.detail).toEqual({ username: 'admin', role: 'admin' });
    } finally {
      await db.close();
    }
  });

  it('refuses a weak password and the last admin’s disabling with the error code and exit status 1', async () => {
    const file = join(tmp.dir, 'weak.txt');
    writeFileSync(file, 'short\n');
    const weak = await user(['add', 'walt', '--password-file', file]);
    expect(weak).toMatchObject({ code: 1, err: 'VOLNO_BAD_REQUEST: the password must have at least 12 characters' });
    const last = await user(['disable', 'admin']);
    expect(last.code).toBe(1);
    expect(last.err).toMatch(/^VOLNO_CONFLICT: the last active admin/);
    expect((await user(['passwd', 'nobody', '--password-file', file])).err).toMatch(/VOLNO_NOT_FOUND/);
  });

  it('has no option that takes a password on the command line, where shell history and ps would keep it', async () => {
    await expect(user(['add', 'x', '--password', 'in-shell-history'])).rejects.toBeInstanceOf(CommanderError);
  });
});
