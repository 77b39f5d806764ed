import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { StaffRole } from '../core/access.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';

/** A live session joined with its (current) account. */
export interface SessionInfo {
  userId: number;
  username: string;
  role: StaffRole;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  /** When it ends unless used again (the earlier of idle and absolute expiry). */
  expiresAt: number;
}

interface Row {
  user_id: number;
  username: string;
  role: StaffRole;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  disabled_at: number | null;
}

/** 256 random bits, base64url: what the cookie carries. Only its SHA-256 is stored. */
function newId(): string {
  return randomBytes(32).toString('base64url');
}

const hashId = (id: string) => createHash('sha256').update(id).digest();

/**
 * Staff login sessions in the database. The cookie's id is never stored, only its hash: someone who
 * reads the database (or a backup) cannot ride a session. Sessions end after `idleMs` without use
 * and `absoluteMs` after login, whichever comes first (OWASP session management cheat sheet).
 * Every check reads the database and nothing is cached: a logout or a disabling on one server
 * instance ends the session on all of them at once.
 */
export class Sessions {
  /** Renew last_seen at most this often: idle expiry needs no millisecond precision, and GETs stay read-only. */
  private readonly touchEveryMs: number;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
    private readonly opts: { idleMs: number; absoluteMs: number },
  ) {
    this.touchEveryMs = Math.min(60_000, opts.idleMs / 10);
  }

  /** Starts a session; the id goes into the cookie and nowhere else. Expired sessions are purged here. */
  async create(userId: number, ip: string | undefined): Promise<{ id: string; csrfToken: string }> {
    const now = this.clock.now();
    await this.sql.run('DELETE FROM staff_sessions WHERE last_seen_at < $1 OR created_at < $2', [
      now - this.opts.idleMs,
      now - this.opts.absoluteMs,
    ]);
    const id = newId();
    const csrfToken = randomBytes(32).toString('base64url');
    await this.sql.run(
      `INSERT INTO staff_sessions (session_hash, user_id, csrf_token, created_at, last_seen_at, ip)
       VALUES ($1, $2, $3, $4, $4, $5)`,
      [hashId(id), userId, csrfToken, now, ip ?? null],
    );
    return { id, csrfToken };
  }

  /** The live session for a cookie value, renewing its idle timer; undefined when unknown, expired or disabled. */
  async resolve(id: string): Promise<SessionInfo | undefined> {
    if (id.length !== 43) return undefined;
    const key = hashId(id);
    const r = await this.sql.one<Row>(
      `SELECT s.user_id, u.username, u.role, u.disabled_at, s.csrf_token, s.created_at, s.last_seen_at
       FROM staff_sessions s JOIN staff_users u ON u.user_id = s.user_id WHERE s.session_hash = $1`,
      [key],
    );
    if (r === undefined) return undefined;
    const now = this.clock.now();
    const idleEnd = r.last_seen_at + this.opts.idleMs;
    const absoluteEnd = r.created_at + this.opts.absoluteMs;
    if (now >= idleEnd || now >= absoluteEnd || r.disabled_at !== null) {
      await this.sql.run('DELETE FROM staff_sessions WHERE session_hash = $1', [key]);
      return undefined;
    }
    let lastSeenAt = r.last_seen_at;
    if (now - lastSeenAt >= this.touchEveryMs) {
      // Never backwards: another instance may have touched it with a later time meanwhile.
      await this.sql.run('UPDATE staff_sessions SET last_seen_at = $1 WHERE session_hash = $2 AND last_seen_at < $1', [
        now,
        key,
      ]);
      lastSeenAt = now;
    }
    return {
      userId: r.user_id,
      username: r.username,
      role: r.role,
      csrfToken: r.csrf_token,
      createdAt: r.created_at,
      lastSeenAt,
      expiresAt: Math.min(lastSeenAt + this.opts.idleMs, absoluteEnd),
    };
  }

  /** Ends one session (logout, or the old one at a new login). */
  async destroy(id: string): Promise<void> {
    await this.sql.run('DELETE FROM staff_sessions WHERE session_hash = $1', [hashId(id)]);
  }
}
