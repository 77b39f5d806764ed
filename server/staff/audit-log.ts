import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../core/clock.ts';

/** One audit entry as written. */
export interface AuditRecord {
  userId: number | null;
  username: string | null;
  role: string | null;
  /** `session`, `token`, `loopback`, `cli`, or `anonymous` for failed logins. */
  via: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
  /** The client address as believed (`req.ip`, from a trusted proxy's X-Forwarded-For). */
  ip?: string;
  /** The TCP peer's address (the proxy's, behind one). */
  socketIp?: string;
  /** The forwarding header as it arrived, when there was one. */
  forwardedFor?: string;
}

export interface AuditEntry extends Omit<AuditRecord, 'detail' | 'ip' | 'socketIp' | 'forwardedFor'> {
  auditId: number;
  at: number;
  detail: Record<string, unknown> | null;
  ip: string | null;
  socketIp: string | null;
  forwardedFor: string | null;
}

interface Row {
  audit_id: number;
  at: number;
  user_id: number | null;
  username: string | null;
  role: string | null;
  via: string;
  action: string;
  target: string;
  detail: string | null;
  ip: string | null;
  socket_ip: string | null;
  forwarded_for: string | null;
}

/** Keys that never reach the audit log, whatever a caller passes in `detail`. */
const SECRET_KEY = /password|secret|token|cookie|session_id|authorization/i;

function scrub(detail: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(detail).map(([k, v]) => [
      k,
      SECRET_KEY.test(k)
        ? '***'
        : v !== null && typeof v === 'object' && !Array.isArray(v)
          ? scrub(v as Record<string, unknown>)
          : v,
    ]),
  );
}

/** The append-only audit log of staff actions (table staff_audit). */
export class AuditLog {
  private readonly insert: Statement;
  private readonly db: Database;

  constructor(
    db: Database,
    private readonly clock: Clock,
  ) {
    this.db = db;
    this.insert = db.prepare(
      `INSERT INTO staff_audit (at, user_id, username, role, via, action, target, detail, ip, socket_ip, forwarded_for)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  record(r: AuditRecord): void {
    let detail = r.detail === undefined ? null : JSON.stringify(scrub(r.detail));
    // Bounded, and still valid JSON when cut.
    if (detail !== null && detail.length > 8000) detail = JSON.stringify({ truncated: true, length: detail.length });
    const at = this.clock.now();
    const { userId, username, role, via, action, target } = r;
    const addresses = [r.ip ?? null, r.socketIp ?? null, r.forwardedFor ?? null];
    this.insert.run(at, userId, username, role, via, action, target, detail, ...addresses);
  }

  /** Newest first; `beforeId` pages back. */
  list(q: { limit: number; beforeId?: number; action?: string; username?: string }): AuditEntry[] {
    const filters: [string, unknown][] = [];
    if (q.beforeId !== undefined) filters.push(['audit_id < ?', q.beforeId]);
    if (q.action !== undefined) filters.push(['action = ?', q.action]);
    if (q.username !== undefined) filters.push(['username = ?', q.username]);
    const where = filters.map(([sql]) => sql);
    const args = filters.map(([, v]) => v);
    const sql =
      `SELECT * FROM staff_audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ` +
      'ORDER BY audit_id DESC LIMIT ?';
    return (this.db.prepare(sql).all(...args, q.limit) as Row[]).map((r) => ({
      auditId: r.audit_id,
      at: r.at,
      userId: r.user_id,
      username: r.username,
      role: r.role,
      via: r.via,
      action: r.action,
      target: r.target,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
      ip: r.ip,
      socketIp: r.socket_ip,
      forwardedFor: r.forwarded_for,
    }));
  }
}
