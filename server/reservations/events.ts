import type { SqlExecutor } from '../core/storage/sql/port.ts';

export interface EventView {
  id: number;
  at: string;
  kind: string;
  lot_id: string;
  camera_id: string;
  slot_id: string;
  booking_id: number | null;
  detail: string | null;
  resolved_at: string | null;
}

/** Alert kinds: what staff must look at (check-ins and no-shows are informational). */
export const ALERT_KINDS = ['occupied_without_booking'] as const;

/** Reads the camera loop's events for staff; alerts can be marked resolved. */
export class EventsStore {
  constructor(private readonly sql: SqlExecutor) {}

  async list(o: { alertsOnly: boolean; limit: number; openOnly?: boolean }): Promise<EventView[]> {
    const where = [
      ...(o.alertsOnly ? [`kind IN ('occupied_without_booking')`] : []),
      ...(o.openOnly ? ['resolved_at IS NULL'] : []),
    ];
    const rows = await this.sql.all<Omit<EventView, 'at' | 'resolved_at'> & { at: number; resolved_at: number | null }>(
      `SELECT id, at, kind, lot_id, camera_id, slot_id, booking_id, detail, resolved_at FROM reservation_events
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT $1`,
      [o.limit],
    );
    return rows.map((r) => ({
      ...r,
      at: new Date(r.at).toISOString(),
      resolved_at: r.resolved_at === null ? null : new Date(r.resolved_at).toISOString(),
    }));
  }

  async resolve(id: number, now: number): Promise<boolean> {
    const r = await this.sql.run(
      `UPDATE reservation_events SET resolved_at = $1
       WHERE id = $2 AND resolved_at IS NULL AND kind IN ('occupied_without_booking')`,
      [now, id],
    );
    return r.changes === 1;
  }
}
