import type { Clock } from '../core/clock.ts';
import { ApiError } from '../core/http/errors.ts';
import { sqlErrorKind, type SqlExecutor } from '../core/storage/sql/port.ts';
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

const USER_COLUMNS =
  'user_id, username, role, password_hash, created_at, updated_at, password_changed_at, last_login_at, disabled_at';

/**
 * Staff accounts in the database (SQLite or PostgreSQL): creation with password rules, scrypt
 * hashes with stored parameters, login checks that take the same time whether or not the user
 * exists, and the guard that the last active admin can be neither demoted nor disabled.
 */
export class Accounts {
  private params: ScryptParams;
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
    opts: { scryptLog2N: number },
  ) {
    this.params = scryptParams(opts.scryptLog2N);
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
  async count(): Promise<number> {
    return (await this.sql.one<{ n: number }>('SELECT count(*) AS n FROM staff_users'))!.n;
  }

  async list(): Promise<StaffUser[]> {
    return (await this.sql.all<UserRow>(`SELECT ${USER_COLUMNS} FROM staff_users ORDER BY username`)).map(toUser);
  }

  async get(userId: number, sql: SqlExecutor = this.sql): Promise<StaffUser | undefined> {
    const r = await sql.one<UserRow>(`SELECT ${USER_COLUMNS} FROM staff_users WHERE user_id = $1`, [userId]);
    return r === undefined ? undefined : toUser(r);
  }

  async byUsername(username: string): Promise<StaffUser | undefined> {
    const r = await this.row(username);
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
    if ((await this.row(username)) !== undefined)
      throw new ApiError(409, 'VOLNO_CONFLICT', `user ${username} already exists`);
    const hash = await hashPassword(o.password, this.params);
    const now = this.clock.now();
    try {
      const r = await this.sql.one<UserRow>(
        `INSERT INTO staff_users (username, role, password_hash, created_at, updated_at, password_changed_at)
         VALUES ($1, $2, $3, $4, $4, $4) RETURNING ${USER_COLUMNS}`,
        [username, o.role, hash, now],
      );
      return toUser(r!);
    } catch (err) {
      // Two creations racing past the check above (on this instance or another).
      if (sqlErrorKind(err) === 'unique') throw new ApiError(409, 'VOLNO_CONFLICT', `user ${username} already exists`);
      throw err;
    }
  }

  /** Sets a new password and ends every session of the account. */
  async setPassword(userId: number, password: string): Promise<void> {
    const user = await this.mustGet(userId);
    this.checkPassword(password, user.username);
    const hash = await hashPassword(password, this.params);
    const now = this.clock.now();
    await this.sql.transaction(async (tx) => {
      await tx.run(
        'UPDATE staff_users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE user_id = $3',
        [hash, now, userId],
      );
      await tx.run('DELETE FROM staff_sessions WHERE user_id = $1', [userId]);
    });
  }

  async setRole(userId: number, role: StaffRole): Promise<StaffUser> {
    if (!STAFF_ROLES.includes(role))
      throw new ApiError(400, 'VOLNO_BAD_REQUEST', `role must be one of ${STAFF_ROLES.join(', ')}`);
    return this.sql.transaction(async (tx) => {
      const user = await this.mustGet(userId, tx);
      if (user.role === 'admin' && !roleAtLeast(role, 'admin')) await this.keepOneAdmin(user, tx);
      await tx.run('UPDATE staff_users SET role = $1, updated_at = $2 WHERE user_id = $3', [
        role,
        this.clock.now(),
        userId,
      ]);
      return (await this.get(userId, tx))!;
    });
  }

  /** Disables (ending its sessions) or re-enables an account. */
  async setDisabled(userId: number, disabled: boolean): Promise<StaffUser> {
    return this.sql.transaction(async (tx) => {
      const user = await this.mustGet(userId, tx);
      if (disabled && user.disabledAt !== null) return user;
      if (disabled && user.role === 'admin') await this.keepOneAdmin(user, tx);
      const now = this.clock.now();
      await tx.run('UPDATE staff_users SET disabled_at = $1, updated_at = $2 WHERE user_id = $3', [
        disabled ? now : null,
        now,
        userId,
      ]);
      if (disabled) await tx.run('DELETE FROM staff_sessions WHERE user_id = $1', [userId]);
      return (await this.get(userId, tx))!;
    });
  }

  /**
   * The account for a correct username and password, or undefined. Unknown and disabled users cost
   * a hash too, so response times do not tell which usernames exist. A hash made with weaker
   * parameters than configured is replaced while the password is at hand.
   */
  async authenticate(username: string, password: string): Promise<StaffUser | undefined> {
    const row = await this.row(username);
    if (row === undefined || password.length > PASSWORD_MAX_BYTES) {
      await verifyPassword(password.slice(0, PASSWORD_MAX_BYTES), await this.dummy());
      return undefined;
    }
    const ok = await verifyPassword(password, row.password_hash);
    if (!ok || row.disabled_at !== null) return undefined;
    const now = this.clock.now();
    if (needsRehash(row.password_hash, this.params)) {
      // Only if the hash is still the one checked: a password changed meanwhile is not overwritten.
      await this.sql.run(
        'UPDATE staff_users SET password_hash = $1, updated_at = $2 WHERE user_id = $3 AND password_hash = $4',
        [await hashPassword(password, this.params), now, row.user_id, row.password_hash],
      );
    }
    await this.sql.run('UPDATE staff_users SET last_login_at = $1 WHERE user_id = $2', [now, row.user_id]);
    return this.get(row.user_id);
  }

  private row(username: string): Promise<UserRow | undefined> {
    return this.sql.one<UserRow>(`SELECT ${USER_COLUMNS} FROM staff_users WHERE username = $1`, [
      normaliseUsername(username),
    ]);
  }

  private checkPassword(password: string, username: string): void {
    const problem = passwordProblem(password, username);
    if (problem !== undefined) throw new ApiError(400, 'VOLNO_BAD_REQUEST', problem);
  }

  private async mustGet(userId: number, sql: SqlExecutor = this.sql): Promise<StaffUser> {
    const user = await this.get(userId, sql);
    if (user === undefined) throw new ApiError(404, 'VOLNO_NOT_FOUND', `no staff user ${userId}`);
    return user;
  }

  /**
   * Inside the caller's transaction. On PostgreSQL two admins demoting each other at once could
   * each still count the other: locking every active admin row, always in the same order, makes the
   * second wait for the first to commit and then count again (a re-checked row that is no longer an
   * active admin drops out). SQLite's BEGIN IMMEDIATE already runs them one after the other.
   */
  private async keepOneAdmin(user: StaffUser, tx: SqlExecutor): Promise<void> {
    if (user.disabledAt !== null) return;
    const admins = await tx.all<{ user_id: number }>(
      `SELECT user_id FROM staff_users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY user_id${
        tx.engine === 'postgres' ? ' FOR UPDATE' : ''
      }`,
    );
    if (!admins.some((a) => a.user_id !== user.userId))
      throw new ApiError(409, 'VOLNO_CONFLICT', 'the last active admin cannot be demoted or disabled');
  }

  private dummy(): Promise<string> {
    return (this.dummyHash ??= hashPassword('not a real password, only a timing decoy', this.params));
  }
}

/** Longer inputs are refused before hashing: no password of ours is this long (4 bytes × 128 characters). */
const PASSWORD_MAX_BYTES = 512;
