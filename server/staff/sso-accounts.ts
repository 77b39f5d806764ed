import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { STAFF_ROLES, type StaffRole } from '../core/access.ts';
import { sqlErrorKind, type SqlExecutor } from '../core/storage/sql/port.ts';
import { USERNAME_PATTERN, normaliseUsername } from './accounts.ts';

/** Never a valid scrypt hash: an SSO account has no password until an admin sets one. */
const NO_PASSWORD = '!sso';
const USERNAME = new RegExp(USERNAME_PATTERN);
/** Principals without an account (accounts.ts): an SSO name must not pose as one of them. */
const RESERVED = new Set(['token', 'localhost', 'cli', 'system']);

/**
 * The strongest staff role whose configured values appear in the claim (a string or a list of
 * strings); undefined when none does, and the user is refused.
 */
export function mapRole(claim: unknown, roles: Record<StaffRole, string[]>): StaffRole | undefined {
  const values = new Set((Array.isArray(claim) ? claim : [claim]).filter((v): v is string => typeof v === 'string'));
  for (const role of [...STAFF_ROLES].reverse()) if (roles[role].some((v) => values.has(v))) return role;
  return undefined;
}

/**
 * Staff accounts behind single sign-on (staff_sso_links). An SSO user gets a staff_users row, so
 * sessions, roles, disabling and the audit log work as for local accounts; its role follows the
 * provider's claim at every sign-in. A local account of the same name is never taken over.
 */
export class SsoAccounts {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
  ) {}

  /**
   * The account for a verified (issuer, subject) with its role set to `role`, created on the first
   * sign-in; undefined when that account was disabled by an admin. Two first sign-ins of one person
   * racing (two tabs, two instances): the link's primary key lets one create, the other retries and
   * finds the link.
   */
  async signIn(
    issuer: string,
    subject: string,
    wantedName: unknown,
    role: StaffRole,
  ): Promise<{ userId: number; username: string; role: StaffRole; created: boolean } | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sql.transaction((tx) => this.signInOnce(tx, issuer, subject, wantedName, role));
      } catch (err) {
        if (attempt < 2 && sqlErrorKind(err) === 'unique') continue;
        throw err;
      }
    }
  }

  private async signInOnce(
    tx: SqlExecutor,
    issuer: string,
    subject: string,
    wantedName: unknown,
    role: StaffRole,
  ): Promise<{ userId: number; username: string; role: StaffRole; created: boolean } | undefined> {
    const now = this.clock.now();
    const linked = await tx.one<{ user_id: number; username: string; disabled_at: number | null }>(
      `SELECT u.user_id, u.username, u.disabled_at FROM staff_sso_links l
       JOIN staff_users u ON u.user_id = l.user_id WHERE l.issuer = $1 AND l.subject = $2`,
      [issuer, subject],
    );
    if (linked !== undefined) {
      if (linked.disabled_at !== null) return undefined;
      await tx.run('UPDATE staff_users SET role = $1, updated_at = $2, last_login_at = $2 WHERE user_id = $3', [
        role,
        now,
        linked.user_id,
      ]);
      return { userId: linked.user_id, username: linked.username, role, created: false };
    }
    const username = await this.freeName(tx, issuer, subject, wantedName);
    const { user_id: id } = (await tx.one<{ user_id: number }>(
      `INSERT INTO staff_users (username, role, password_hash, created_at, updated_at, password_changed_at,
        last_login_at) VALUES ($1, $2, '${NO_PASSWORD}', $3, $3, $3, $3) RETURNING user_id`,
      [username, role, now],
    ))!;
    await tx.run('INSERT INTO staff_sso_links (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)', [
      issuer,
      subject,
      id,
      now,
    ]);
    return { userId: id, username, role, created: true };
  }

  /** The provider's name when it is a valid, free username; else `sso-` and a hash of the subject. */
  private async freeName(tx: SqlExecutor, issuer: string, subject: string, wanted: unknown): Promise<string> {
    const taken = async (name: string) =>
      (await tx.one('SELECT 1 AS taken FROM staff_users WHERE username = $1', [name])) !== undefined;
    if (typeof wanted === 'string') {
      const name = normaliseUsername(wanted);
      if (USERNAME.test(name) && !RESERVED.has(name) && !(await taken(name))) return name;
    }
    const h = createHash('sha256').update(`${issuer}\n${subject}`).digest('hex');
    for (let n = 10; n <= 64; n += 6) {
      const name = `sso-${h.slice(0, n)}`;
      if (!(await taken(name))) return name;
    }
    throw new Error('no free username for an SSO account');
  }
}
