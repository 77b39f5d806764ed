import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../core/clock.ts';
import { ApiError } from '../core/http/errors.ts';
import { STAFF_ROLES, roleAtLeast, type StaffRole } from '../core/access.ts';
import {
  hashPassword,
  needsRehash,
  passwordProblem,
  scryptParams,
  verifyPassword,
  type ScryptParams,
} from './password.ts';

/** A staff account as the rest of the server sees it (never with its hash). */
export interface StaffUser {
  userId: number;
  username: string;
  role: StaffRole;
  createdAt: number;
  updatedAt: number;
  passwordChangedAt: number;
  lastLoginAt: number | null;
  disabledAt: number | null;
}

interface UserRow {
  user_id: number;
  username: string;
  role: StaffRole;
  password_hash: string;
  created_at: number;
  updated_at: number;
  password_changed_at: number;
  last_login_at: number | null;
  disabled_at: number | null;
}

/** Lower-case letters, digits, `.`, `_`, `-`; 2–64 characters, starting with a letter or digit. */
export const USERNAME_PATTERN = '^[a-z0-9][a-z0-9._-]{1,63}$';
const USERNAME = new RegExp(USERNAME_PATTERN);
/** Names the server itself uses for principals without an account (see access.ts). */
const RESERVED = new Set(['token', 'localhost', 'cli', 'system']);

export function normaliseUsername(name: string): string {
  return name.trim().toLowerCase();
}

function toUser(r: UserRow): StaffUser {
  return {
    userId: r.user_id,
    username: r.username,
    role: r.role,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    passwordChangedAt: r.password_changed_at,
    lastLoginAt: r.last_login_at,
    disabledAt: r.disabled_at,
  };
}

/**
 * Staff accounts in SQLite: creation with password rules, scrypt hashes with stored parameters,
 * login checks that take the same time whether or not the user exists, and the guard that the
 * last active admin can be neither demoted nor disabled.
 */
export class Accounts {
  private params: ScryptParams;
  private dummyHash: Promise<string> | undefined;
  private readonly q: Record<
    'count' | 'byName' | 'byId' | 'list' | 'insert' | 'role' | 'disable' | 'password' | 'login' | 'admins' | 'kill',
    Statement
  >;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    opts: { scryptLog2N: number },
  ) {
    this.params = scryptParams(opts.scryptLog2N);
    this.q = {
      count: db.prepare('SELECT count(*) FROM staff_users').pluck(),
      byName: db.prepare('SELECT * FROM staff_users WHERE username = ?'),
      byId: db.prepare('SELECT * FROM staff_users WHERE user_id = ?'),
      list: db.prepare('SELECT * FROM staff_users ORDER BY username'),
      insert: db.prepare(
        `INSERT INTO staff_users (username, role, password_hash, created_at, updated_at, password_changed_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      role: db.prepare('UPDATE staff_users SET role = ?, updated_at = ? WHERE user_id = ?'),
      disable: db.prepare('UPDATE staff_users SET disabled_at = ?, updated_at = ? WHERE user_id = ?'),
      password: db.prepare(
        'UPDATE staff_users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE user_id = ?',
      ),
      login: db.prepare('UPDATE staff_users SET last_login_at = ? WHERE user_id = ?'),
      admins: db
        .prepare("SELECT count(*) FROM staff_users WHERE role = 'admin' AND disabled_at IS NULL AND user_id != ?")
        .pluck(),
      kill: db.prepare('DELETE FROM staff_sessions WHERE user_id = ?'),
    };
  }

  /**
   * Changes the cost of hashes made from now on. Tests lower it (test/server/support/staff.ts) so a
   * suite is not spending a second per login; production keeps the configured `auth.scrypt_log2_n`.
   */
  setHashCost(log2N: number): void {
    if (!Number.isInteger(log2N) || log2N < 10 || log2N > 20) throw new RangeError('scrypt log2 N must be 10–20');
    this.params = scryptParams(log2N);
    this.dummyHash = undefined;
  }

  /** How many accounts exist, disabled ones included (any account ends the loopback bootstrap). */
  count(): number {
    return this.q.count.get() as number;
  }

  list(): StaffUser[] {
    return (this.q.list.all() as UserRow[]).map(toUser);
  }

  get(userId: number): StaffUser | undefined {
    const r = this.q.byId.get(userId) as UserRow | undefined;
    return r === undefined ? undefined : toUser(r);
  }

  byUsername(username: string): StaffUser | undefined {
    const r = this.q.byName.get(normaliseUsername(username)) as UserRow | undefined;
    return r === undefined ? undefined : toUser(r);
  }

  /** Creates an account; 400 for a bad name, role or password, 409 when the name is taken. */
  async create(o: { username: string; role: StaffRole; password: string }): Promise<StaffUser> {
    const username = normaliseUsername(o.username);
    if (!USERNAME.test(username) || RESERVED.has(username))
      throw new ApiError(
        400,
        'VOLNO_BAD_REQUEST',
        `username must be 2–64 of a-z 0-9 . _ - (and not ${[...RESERVED].join(', ')})`,
      );
    if (!STAFF_ROLES.includes(o.role))
      throw new ApiError(400, 'VOLNO_BAD_REQUEST', `role must be one of ${STAFF_ROLES.join(', ')}`);
    this.checkPassword(o.password, username);
    if (this.byUsername(username) !== undefined)
      throw new ApiError(409, 'VOLNO_CONFLICT', `user ${username} already exists`);
    const hash = await hashPassword(o.password, this.params);
    const now = this.clock.now();
    try {
      const id = this.q.insert.run(username, o.role, hash, now, now, now).lastInsertRowid;
      return this.get(Number(id))!;
    } catch (err) {
      // Two creations racing past the check above.
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new ApiError(409, 'VOLNO_CONFLICT', `user ${username} already exists`);
      throw err;
    }
  }

  /** Sets a new password and ends every session of the account. */
  async setPassword(userId: number, password: string): Promise<void> {
    const user = this.mustGet(userId);
    this.checkPassword(password, user.username);
    const hash = await hashPassword(password, this.params);
    const now = this.clock.now();
    this.db.transaction(() => {
      this.q.password.run(hash, now, now, userId);
      this.q.kill.run(userId);
    })();
  }

  setRole(userId: number, role: StaffRole): StaffUser {
    const user = this.mustGet(userId);
    if (!STAFF_ROLES.includes(role))
      throw new ApiError(400, 'VOLNO_BAD_REQUEST', `role must be one of ${STAFF_ROLES.join(', ')}`);
    if (user.role === 'admin' && !roleAtLeast(role, 'admin')) this.keepOneAdmin(user);
    this.q.role.run(role, this.clock.now(), userId);
    return this.get(userId)!;
  }

  /** Disables (ending its sessions) or re-enables an account. */
  setDisabled(userId: number, disabled: boolean): StaffUser {
    const user = this.mustGet(userId);
    if (disabled && user.disabledAt !== null) return user;
    if (disabled && user.role === 'admin') this.keepOneAdmin(user);
    const now = this.clock.now();
    this.db.transaction(() => {
      this.q.disable.run(disabled ? now : null, now, userId);
      if (disabled) this.q.kill.run(userId);
    })();
    return this.get(userId)!;
  }

  /**
   * The account for a correct username and password, or undefined. Unknown and disabled users cost
   * a hash too, so response times do not tell which usernames exist. A hash made with weaker
   * parameters than configured is replaced while the password is at hand.
   */
  async authenticate(username: string, password: string): Promise<StaffUser | undefined> {
    const row = this.q.byName.get(normaliseUsername(username)) as UserRow | undefined;
    if (row === undefined || password.length > PASSWORD_MAX_BYTES) {
      await verifyPassword(password.slice(0, PASSWORD_MAX_BYTES), await this.dummy());
      return undefined;
    }
    const ok = await verifyPassword(password, row.password_hash);
    if (!ok || row.disabled_at !== null) return undefined;
    const now = this.clock.now();
    if (needsRehash(row.password_hash, this.params)) {
      this.q.password.run(await hashPassword(password, this.params), row.password_changed_at, now, row.user_id);
    }
    this.q.login.run(now, row.user_id);
    return this.get(row.user_id);
  }

  private checkPassword(password: string, username: string): void {
    const problem = passwordProblem(password, username);
    if (problem !== undefined) throw new ApiError(400, 'VOLNO_BAD_REQUEST', problem);
  }

  private mustGet(userId: number): StaffUser {
    const user = this.get(userId);
    if (user === undefined) throw new ApiError(404, 'VOLNO_NOT_FOUND', `no staff user ${userId}`);
    return user;
  }

  private keepOneAdmin(user: StaffUser): void {
    if (user.disabledAt === null && (this.q.admins.get(user.userId) as number) === 0)
      throw new ApiError(409, 'VOLNO_CONFLICT', 'the last active admin cannot be demoted or disabled');
  }

  private dummy(): Promise<string> {
    return (this.dummyHash ??= hashPassword('not a real password, only a timing decoy', this.params));
  }
}

/** Longer inputs are refused before hashing: no password of ours is this long (4 bytes × 128 characters). */
const PASSWORD_MAX_BYTES = 512;
