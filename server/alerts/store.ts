import type { Database, Statement } from 'better-sqlite3';
import type { AlertKind, Condition } from './types.ts';

/** One alert as stored (migration 0011). Times are epoch milliseconds. */
export interface AlertRow {
  alertId: number;
  key: string;
  kind: AlertKind;
  subject: string;
  detail: string | null;
  raisedAt: number;
  resolvedAt: number | null;
  raisedMailedAt: number | null;
  resolvedMailedAt: number | null;
}

interface DbRow {
  alert_id: number;
  alert_key: string;
  kind: AlertKind;
  subject: string;
  detail: string | null;
  raised_at: number;
  resolved_at: number | null;
  raised_mailed_at: number | null;
  resolved_mailed_at: number | null;
}

const fromDb = (r: DbRow): AlertRow => ({
  alertId: r.alert_id,
  key: r.alert_key,
  kind: r.kind,
  subject: r.subject,
  detail: r.detail,
  raisedAt: r.raised_at,
  resolvedAt: r.resolved_at,
  raisedMailedAt: r.raised_mailed_at,
  resolvedMailedAt: r.resolved_mailed_at,
});

/** Alerts and the digests that told staff about them. */
export class AlertStore {
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      open: p('SELECT * FROM alerts WHERE resolved_at IS NULL ORDER BY raised_at, alert_id'),
      listed: p(
        'SELECT * FROM alerts WHERE resolved_at IS NULL OR resolved_at >= ? ORDER BY resolved_at IS NOT NULL, raised_at DESC, alert_id DESC LIMIT ?',
      ),
      raise: p(
        `INSERT INTO alerts (alert_key, kind, subject, detail, raised_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (alert_key) WHERE resolved_at IS NULL DO NOTHING`,
      ),
      resolve: p('UPDATE alerts SET resolved_at = ? WHERE alert_key = ? AND resolved_at IS NULL'),
      unmailed: p(
        `SELECT * FROM alerts WHERE raised_mailed_at IS NULL OR (resolved_at IS NOT NULL AND resolved_mailed_at IS NULL)
         ORDER BY raised_at, alert_id`,
      ),
      mailRaised: p('UPDATE alerts SET raised_mailed_at = ? WHERE alert_id = ? AND raised_mailed_at IS NULL'),
      mailResolved: p(
        'UPDATE alerts SET resolved_mailed_at = ? WHERE alert_id = ? AND resolved_at IS NOT NULL AND resolved_mailed_at IS NULL',
      ),
      lastDigest: p('SELECT max(sent_at) AS at FROM alert_digests'),
      digest: p('INSERT INTO alert_digests (sent_at, recipients, raised, resolved) VALUES (?, ?, ?, ?)'),
      purge: p('DELETE FROM alerts WHERE resolved_at IS NOT NULL AND resolved_at < ?'),
      purgeDigests: p('DELETE FROM alert_digests WHERE sent_at < ?'),
    };
  }

  open(): AlertRow[] {
    return (this.s['open']!.all() as DbRow[]).map(fromDb);
  }

  /** Open alerts first, then those resolved since `resolvedSince`, newest first. */
  listed(resolvedSince: number, limit = 500): AlertRow[] {
    return (this.s['listed']!.all(resolvedSince, limit) as DbRow[]).map(fromDb);
  }

  raise(c: Condition, at: number): void {
    this.s['raise']!.run(c.key, c.kind, c.subject, c.detail, at);
  }

  resolve(key: string, at: number): void {
    this.s['resolve']!.run(at, key);
  }

  /** Raises and resolutions no digest has told staff about yet. */
  unmailed(): AlertRow[] {
    return (this.s['unmailed']!.all() as DbRow[]).map(fromDb);
  }

  /** Marks what a sent digest said, and records the digest, in one transaction. */
  recordDigest(sent: readonly AlertRow[], at: number, recipients: number): void {
    this.db.transaction(() => {
      let raised = 0;
      let resolved = 0;
      for (const a of sent) {
        if (a.raisedMailedAt === null) raised += this.s['mailRaised']!.run(at, a.alertId).changes;
        if (a.resolvedAt !== null && a.resolvedMailedAt === null)
          resolved += this.s['mailResolved']!.run(at, a.alertId).changes;
      }
      this.s['digest']!.run(at, recipients, raised, resolved);
    })();
  }

  lastDigestAt(): number | null {
    return (this.s['lastDigest']!.get() as { at: number | null }).at;
  }

  /** Deletes alerts resolved, and digests sent, before `before`. */
  purge(before: number): number {
    this.s['purgeDigests']!.run(before);
    return this.s['purge']!.run(before).changes;
  }
}
