import { createHash, randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../core/clock.ts';
import type { StaffRole } from '../core/access.ts';

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
 * Staff login sessions in SQLite. The cookie's id is never stored, only its hash: someone who reads
 * the database (or a backup) cannot ride a session. Sessions end after `idleMs` without use and
 * `absoluteMs` after login, whichever comes first (OWASP session management cheat sheet).
 */
export class Sessions {
  private readonly q: Record<'insert' | 'get' | 'touch' | 'delete' | 'purge', Statement>;
  /** Renew last_seen at most this often: idle expiry needs no millisecond precision, and GETs stay read-only. */
  private readonly touchEveryMs: number;

  constructor(
    db: Database,
    private readonly clock: Clock,
    private readonly opts: { idleMs: number; absoluteMs: number },
  ) {
    this.touchEveryMs = Math.min(60_000, opts.idleMs / 10);
    this.q = {
      insert: db.prepare(
        'INSERT INTO staff_sessions (session_hash, user_id, csrf_token, created_at, last_seen_at, ip) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      get: db.prepare(
        `SELECT s.user_id, u.username, u.role, u.disabled_at, s.csrf_token, s.created_at, s.last_seen_at
         FROM staff_sessions s JOIN staff_users u USING (user_id) WHERE s.session_hash = ?`,
      ),
      touch: db.prepare('UPDATE staff_sessions SET last_seen_at = ? WHERE session_hash = ?'),
      delete: db.prepare('DELETE FROM staff_sessions WHERE session_hash = ?'),
      purge: db.prepare('DELETE FROM staff_sessions WHERE last_seen_at < ? OR created_at < ?'),
    };
  }

  /** Starts a session; the id goes into the cookie and nowhere else. Expired sessions are purged here. */
  create(userId: number, ip: string | undefined): { id: string; csrfToken: string } {
    const now = this.clock.now();
    this.q.purge.run(now - this.opts.idleMs, now - this.opts.absoluteMs);
    const id = newId();
    const csrfToken = randomBytes(32).toString('base64url');
    this.q.insert.run(hashId(id), userId, csrfToken, now, now, ip ?? null);
    return { id, csrfToken };
  }

  /** The live session for a cookie value, renewing its idle timer; undefined when unknown, expired or disabled. */
  resolve(id: string): SessionInfo | undefined {
    if (id.length !== 43) return undefined;
    const key = hashId(id);
    const r = this.q.get.get(key) as Row | undefined;
    if (r === undefined) return undefined;
    const now = this.clock.now();
    const idleEnd = r.last_seen_at + this.opts.idleMs;
    const absoluteEnd = r.created_at + this.opts.absoluteMs;
    if (now >= idleEnd || now >= absoluteEnd || r.disabled_at !== null) {
      this.q.delete.run(key);
      return undefined;
    }
    let lastSeenAt = r.last_seen_at;
    if (now - lastSeenAt >= this.touchEveryMs) {
      this.q.touch.run(now, key);
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
  destroy(id: string): void {
    this.q.delete.run(hashId(id));
  }
}
