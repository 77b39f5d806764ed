import type { Clock } from '../core/clock.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';

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
  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
  ) {}

  async record(r: AuditRecord): Promise<void> {
    let detail = r.detail === undefined ? null : JSON.stringify(scrub(r.detail));
    // Bounded, and still valid JSON when cut.
    if (detail !== null && detail.length > 8000) detail = JSON.stringify({ truncated: true, length: detail.length });
    await this.sql.run(
      `INSERT INTO staff_audit (at, user_id, username, role, via, action, target, detail, ip, socket_ip, forwarded_for)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        this.clock.now(),
        r.userId,
        r.username,
        r.role,
        r.via,
        r.action,
        r.target,
        detail,
        r.ip ?? null,
        r.socketIp ?? null,
        r.forwardedFor ?? null,
      ],
    );
  }

  /** Newest first; `beforeId` pages back. */
  async list(q: { limit: number; beforeId?: number; action?: string; username?: string }): Promise<AuditEntry[]> {
    const filters = { before: 'audit_id < :before', action: 'action = :action', username: 'username = :username' };
    const values = { before: q.beforeId, action: q.action, username: q.username };
    const given = (Object.keys(filters) as (keyof typeof filters)[]).filter((k) => values[k] !== undefined);
    const where = given.map((k) => filters[k]);
    const args = Object.fromEntries([['limit', q.limit], ...given.map((k) => [k, values[k]])]) as Record<
      string,
      unknown
    >;
    const sql =
      `SELECT * FROM staff_audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ` +
      'ORDER BY audit_id DESC LIMIT :limit';
    return (await this.sql.all<Row>(sql, args)).map((r) => ({
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
