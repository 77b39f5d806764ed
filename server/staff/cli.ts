import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { systemClock } from '../core/clock.ts';
import { ServerError } from '../core/errors.ts';
import { ApiError } from '../core/http/errors.ts';
import { storageTarget, type StorageConfig } from '../core/storage/config.ts';
import { openSqlDatabase } from '../core/storage/sql/open.ts';
import { STAFF_ROLES, type StaffRole } from '../core/access.ts';
import { Accounts, type StaffUser } from './accounts.ts';
import type { AuthConfig } from './config.ts';
import { AuditLog } from './audit-log.ts';
import { readPassword } from './cli-password.ts';

interface DbFlags {
  config?: string;
  data?: string;
}

/**
 * Reads the server config as `volno server` would (server/main passes its loader in, so this feature
 * does not import the composition root): a config file and a data directory that overrides data_dir.
 */
export type LoadStaffConfig = (
  file: string | undefined,
  dataDir: string | undefined,
) => {
  data_dir: string;
  storage: StorageConfig;
  auth: AuthConfig;
};

/** Opens the server's database (as `volno server` would find it) and runs `fn` with accounts and audit. */
async function withAccounts(
  load: LoadStaffConfig,
  flags: DbFlags,
  fn: (
    a: Accounts,
    audit: (action: string, user: StaffUser, detail?: Record<string, unknown>) => Promise<void>,
  ) => Promise<void>,
): Promise<void> {
  try {
    const config = load(flags.config, flags.data);
    // Where `volno server` keeps its data (storage.engine). The server may be running: on SQLite,
    // WAL and busy_timeout (database.ts) let both write the file.
    const sql = await openSqlDatabase(storageTarget(config));
    try {
      const accounts = new Accounts(sql, systemClock, { scryptLog2N: config.auth.scrypt_log2_n });
      const log = new AuditLog(sql, systemClock);
      const osUser = safeOsUser();
      await fn(accounts, (action, user, detail) =>
        log.record({
          userId: null,
          username: osUser,
          role: null,
          via: 'cli',
          action,
          target: `user:${user.userId}`,
          ...(detail !== undefined ? { detail } : {}),
        }),
      );
    } finally {
      await sql.close();
    }
  } catch (err) {
    if (err instanceof ServerError) {
      console.error(`${err.code}: ${err.message.split('\n')[0]}`);
      for (const line of err.issues) console.error(`  ${line}`);
      process.exitCode = err.code.startsWith('VOLNO_CONFIG') ? 2 : 1;
    } else if (err instanceof ApiError) {
      console.error(`${err.code}: ${err.message}`);
      process.exitCode = 1;
    } else {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    }
  }
}

function safeOsUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function mustFind(accounts: Accounts, username: string): Promise<StaffUser> {
  const user = await accounts.byUsername(username);
  if (user === undefined) throw new ApiError(404, 'VOLNO_NOT_FOUND', `no staff user ${username}`);
  return user;
}

function role(v: string): StaffRole {
  if (!(STAFF_ROLES as readonly string[]).includes(v)) throw new Error(`role must be one of ${STAFF_ROLES.join(', ')}`);
  return v as StaffRole;
}

const dbOptions = (cmd: Command) =>
  cmd
    .option('-c, --config <file>', 'server config file, to find data_dir')
    .option('-d, --data <dir>', 'data directory (overrides data_dir; holds the database with storage engine sqlite)');

/** Registers `volno user add|list|passwd|disable|enable|role`: staff accounts, straight on the server's database. */
export function registerUserCommands(program: Command, load: LoadStaffConfig): void {
  const user = program
    .command('user')
    .description('manage staff accounts in the server database (the first admin is created here)');

  dbOptions(
    user
      .command('add')
      .description('create an account; the password comes from --password-file, piped stdin, or a prompt')
      .argument('<username>', 'lower-case; 2–64 of a-z 0-9 . _ -')
      .option('-r, --role <role>', `one of ${STAFF_ROLES.join(', ')}`, role, 'viewer' as StaffRole)
      .option('--password-file <file>', 'read the password from the first line of this file (- for stdin)'),
  ).action(async (username: string, flags: DbFlags & { role: StaffRole; passwordFile?: string }) =>
    withAccounts(load, flags, async (accounts, audit) => {
      const password = await readPassword({ file: flags.passwordFile, confirm: true });
      const created = await accounts.create({ username, role: flags.role, password });
      await audit('user.create', created, { username: created.username, role: created.role });
      console.log(`created ${created.username} (${created.role}), id ${created.userId}`);
    }),
  );

  dbOptions(user.command('list').description('list accounts').option('--json', 'print JSON')).action(
    async (flags: DbFlags & { json?: boolean }) =>
      withAccounts(load, flags, async (accounts) => {
        const users = await accounts.list();
        if (flags.json === true) {
          console.log(
            JSON.stringify(
              users.map((u) => ({
                user_id: u.userId,
                username: u.username,
                role: u.role,
                disabled: u.disabledAt !== null,
                last_login_at: u.lastLoginAt === null ? null : new Date(u.lastLoginAt).toISOString(),
              })),
            ),
          );
          return;
        }
        for (const u of users)
          console.log(
            `${u.username}\t${u.role}\t${u.disabledAt === null ? 'active' : 'disabled'}\t` +
              `last login ${u.lastLoginAt === null ? 'never' : new Date(u.lastLoginAt).toISOString()}`,
          );
        if (users.length === 0)
          console.log('no staff accounts yet: create one with volno user add <name> --role admin');
      }),
  );

  dbOptions(
    user
      .command('passwd')
      .description('set a new password (ends the account’s sessions)')
      .argument('<username>')
      .option('--password-file <file>', 'read the password from the first line of this file (- for stdin)'),
  ).action(async (username: string, flags: DbFlags & { passwordFile?: string }) =>
    withAccounts(load, flags, async (accounts, audit) => {
      const u = await mustFind(accounts, username);
      await accounts.setPassword(u.userId, await readPassword({ file: flags.passwordFile, confirm: true }));
      await audit('user.password', u);
      console.log(`password of ${u.username} changed; its sessions have ended`);
    }),
  );

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    dbOptions(
      user
        .command(name)
        .description(disabled ? 'disable an account (ends its sessions)' : 'enable a disabled account')
        .argument('<username>'),
    ).action(async (username: string, flags: DbFlags) =>
      withAccounts(load, flags, async (accounts, audit) => {
        const u = await accounts.setDisabled((await mustFind(accounts, username)).userId, disabled);
        await audit(disabled ? 'user.disable' : 'user.enable', u);
        console.log(`${u.username} ${disabled ? 'disabled' : 'enabled'}`);
      }),
    );
  }

  dbOptions(
    user.command('role').description('change an account’s role').argument('<username>').argument('<role>', '', role),
  ).action(async (username: string, newRole: StaffRole, flags: DbFlags) =>
    withAccounts(load, flags, async (accounts, audit) => {
      const before = await mustFind(accounts, username);
      const u = await accounts.setRole(before.userId, newRole);
      await audit('user.role', u, { from: before.role, to: u.role });
      console.log(`${u.username} is now ${u.role}`);
    }),
  );
}
