import { createHash } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../core/clock.ts';
import { STAFF_ROLES, type StaffRole } from '../core/access.ts';
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
  private readonly q: Record<'link' | 'user' | 'insertUser' | 'insertLink' | 'update' | 'nameTaken', Statement>;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    this.q = {
      link: db.prepare('SELECT user_id FROM staff_sso_links WHERE issuer = ? AND subject = ?'),
      user: db.prepare('SELECT user_id, username, role, disabled_at FROM staff_users WHERE user_id = ?'),
      insertUser: db.prepare(`INSERT INTO staff_users (username, role, password_hash, created_at, updated_at,
        password_changed_at, last_login_at) VALUES (?, ?, '${NO_PASSWORD}', ?, ?, ?, ?)`),
      insertLink: db.prepare('INSERT INTO staff_sso_links (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)'),
      update: db.prepare('UPDATE staff_users SET role = ?, updated_at = ?, last_login_at = ? WHERE user_id = ?'),
      nameTaken: db.prepare('SELECT 1 FROM staff_users WHERE username = ?'),
    };
  }

  /**
   * The account for a verified (issuer, subject) with its role set to `role`, created on the first
   * sign-in; undefined when that account was disabled by an admin.
   */
  signIn(
    issuer: string,
    subject: string,
    wantedName: unknown,
    role: StaffRole,
  ): { userId: number; username: string; role: StaffRole; created: boolean } | undefined {
    const now = this.clock.now();
    return this.db
      .transaction(() => {
        const linked = this.q.link.pluck().get(issuer, subject) as number | undefined;
        if (linked !== undefined) {
          const u = this.q.user.get(linked) as { username: string; disabled_at: number | null } | undefined;
          if (u === undefined || u.disabled_at !== null) return undefined;
          this.q.update.run(role, now, now, linked);
          return { userId: linked, username: u.username, role, created: false };
        }
        const username = this.freeName(issuer, subject, wantedName);
        const id = Number(this.q.insertUser.run(username, role, now, now, now, now).lastInsertRowid);
        this.q.insertLink.run(issuer, subject, id, now);
        return { userId: id, username, role, created: true };
      })
      .immediate();
  }

  /** The provider's name when it is a valid, free username; else `sso-` and a hash of the subject. */
  private freeName(issuer: string, subject: string, wanted: unknown): string {
    if (typeof wanted === 'string') {
      const name = normaliseUsername(wanted);
      if (USERNAME.test(name) && !RESERVED.has(name) && this.q.nameTaken.get(name) === undefined) return name;
    }
    const h = createHash('sha256').update(`${issuer}\n${subject}`).digest('hex');
    for (let n = 10; n <= 64; n += 6) {
      const name = `sso-${h.slice(0, n)}`;
      if (this.q.nameTaken.get(name) === undefined) return name;
    }
    throw new Error('no free username for an SSO account');
  }
}
