// What a fault test looks at: the public availability API, Prometheus metrics (staff token), and
// the SQLite file itself through a separate read-only connection.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { STAFF_TOKEN } from './configs.ts';

export interface Availability {
  total: number;
  free: number;
  occupied: number;
  unknown: number;
}

/** Counts of one lot, or null while the server does not answer. */
export async function availability(httpUrl: string, lotId: string): Promise<Availability | null> {
  try {
    const res = await fetch(`${httpUrl}/api/v1/lots/${lotId}/availability`);
    if (!res.ok) return null;
    const a = (await res.json()) as Availability;
    return { total: a.total, free: a.free, occupied: a.occupied, unknown: a.unknown };
  } catch {
    return null;
  }
}

/** Sum of a counter's samples whose labels include every `labels` pair (0 when absent). */
export async function metric(httpUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${httpUrl}/metrics`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m === null || m[1] !== name) continue;
    if (want.every((w) => (m[2] ?? '').includes(w))) sum += Number(m[3]);
  }
  return sum;
}

export interface StateRow {
  camera_id: string;
  slot_id: string;
  state: string;
  reason: string | null;
  observed_at: number;
  received_at: number;
  session_id: string | null;
  seq: number | null;
}

/** Opens the server's database read-only for one look; WAL lets it read beside the writer. */
export function withDb<T>(dataDir: string, fn: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(join(dataDir, 'volno.sqlite'), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return fn(db);
  } finally {
    db.close();
  }
}

export const slotStates = (dataDir: string): StateRow[] =>
  withDb(dataDir, (db) => db.prepare('SELECT * FROM slot_state ORDER BY camera_id, slot_id').all() as StateRow[]);

/**
 * `PRAGMA integrity_check` on the file: `['ok']` when sound. A read-write connection, so after a
 * crash it first recovers the WAL exactly as the next server start would.
 */
export function integrityCheck(dataDir: string): string[] {
  const db = new BetterSqlite3(join(dataDir, 'volno.sqlite'), { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const rows = db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check);
  } finally {
    db.close();
  }
}
