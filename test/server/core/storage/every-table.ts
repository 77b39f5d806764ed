// Rows in every table of the server's SQLite schema, with the awkward values a copy could get
// wrong: NULLs, non-ASCII text, fractions, epoch milliseconds, bytes with zeros, 0/1 flags.
import type { Database } from 'better-sqlite3';

const T = 1_765_095_600_123; // 2025-12-07T08:20:00.123Z
const bytes = (...b: number[]) => Buffer.from(b);

/** Statements filling every table, in an order that satisfies the foreign keys. */
const ROWS: Array<[table: string, sql: string, ...params: unknown[]]> = [
  [
    'lots',
    `INSERT INTO lots VALUES ('north', 'Severní parkoviště', 'North car park', 'Náměstí 1', 50.0755, 14.4378, 0, 1)`,
  ],
  ['lots', `INSERT INTO lots (lot_id, name) VALUES ('south', 'Jižní')`],
  [
    'cameras',
    `INSERT INTO cameras (camera_id, lot_id, name, configured, first_seen_at, agent_id, stream_status, fps, health_at,
       summary_free, summary_total, stats_json, calibration_ack_result) VALUES (?, 'north', 'Vjezd', 1, ?, 'agent-1',
       'ok', 4.999, ?, 2, 3, '{"frames":12}', 'applied')`,
    'north-1',
    T,
    T + 1,
  ],
  ['cameras', `INSERT INTO cameras (camera_id, configured) VALUES ('stray-9', 0)`],
  [
    'slots',
    `INSERT INTO slots VALUES ('north-1', 'A1', 'north', 'A1', 'standard', 0, 1, 1, 0, 1, NULL),
       ('north-1', 'A3', 'north', 'A3 ⚡', 'ev', 1, 1, 3, 2, 1, NULL), ('stray-9', 'X', NULL, 'X', 'staff', 0, NULL, NULL, 0, 0, ?)`,
    T,
  ],
  [
    'slot_state',
    `INSERT INTO slot_state VALUES ('north-1', 'A1', 'occupied', NULL, 0.9731, ?, ?, ?, 'agent-1', 's-1', 9007199254740991,
       'mobilenet-v3', 4, 'agent'), ('north-1', 'A3', 'unknown', 'agent_offline', 0, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, 'server')`,
    T,
    T - 5,
    T,
    T,
    T,
    T,
  ],
  [
    'transitions',
    `INSERT INTO transitions (id, camera_id, slot_id, lot_id, from_state, to_state, at, recorded_at, source)
     VALUES (7, 'north-1', 'A1', 'north', NULL, 'free', ?, ?, 'agent'), (42, 'north-1', 'A1', 'north', 'free', 'occupied', ?, ?, 'agent')`,
    T,
    T,
    T + 1,
    T + 2,
  ],
  [
    'agents',
    `INSERT INTO agents (agent_id, session_id, status, status_at, heartbeat_interval_s, uptime_s, restarts, first_seen_at,
       process_cpu_percent, process_rss_bytes) VALUES ('agent-1', 's-1', 'online', ?, 15, 3600.25, 2, ?, 12.5, 123456789)`,
    T,
    T - 86_400_000,
  ],
  ['lot_hourly', `INSERT INTO lot_hourly VALUES ('north', ?, 60, 100, 80, 0, 20, 1, 3)`, T - (T % 3_600_000)],
  ['lot_daily', `INSERT INTO lot_daily VALUES ('north', '2025-12-07', 1440, 2000, 1000, 10, 300, 0, 3)`],
  [
    'staff_users',
    `INSERT INTO staff_users (user_id, username, role, password_hash, created_at, updated_at, password_changed_at)
       VALUES (3, 'správce', 'admin', 'scrypt$17$8$1$c2FsdA$aGFzaA', ?, ?, ?), (5, 'viewer', 'viewer', 'x', ?, ?, ?)`,
    T,
    T,
    T,
    T,
    T,
    T,
  ],
  [
    'staff_sessions',
    `INSERT INTO staff_sessions VALUES (?, 3, 'csrf', ?, ?, '203.0.113.7')`,
    bytes(0, 1, 2, 0, 255),
    T,
    T,
  ],
  [
    'staff_audit',
    `INSERT INTO staff_audit (audit_id, at, user_id, username, role, via, action, target, detail, ip, socket_ip, forwarded_for)
       VALUES (11, ?, 3, 'správce', 'admin', 'web', 'user.create', 'user:viewer', '{"role":"viewer"}', '203.0.113.7', '10.0.0.2', '203.0.113.7')`,
    T,
  ],
  [
    'bookings',
    `INSERT INTO bookings (id, code, token_hash, lot_id, camera_id, slot_id, start_at, end_at, status, name, email, plate,
       email_key, plate_key, lang, created_by, created_at, updated_at, subject_key, pending_until)
       VALUES (21, 'K7Q2', ?, 'north', 'north-1', 'A3', ?, ?, 'confirmed', 'Jiří Novák', 'jiri@example.cz', '1AB 2345',
       'jiri@example.cz', '1AB2345', 'cs', 'public', ?, ?, 'ab12', ?),
       (22, 'P9X4', ?, 'north', 'north-1', 'A3', ?, ?, 'cancelled', NULL, NULL, NULL, NULL, NULL, 'en', 'staff:správce', ?, ?, NULL, NULL)`,
    bytes(1, 2, 3),
    T + 3_600_000,
    T + 7_200_000,
    T,
    T,
    T + 600_000,
    bytes(4, 5, 6),
    T + 3_600_000,
    T + 7_200_000,
    T,
    T,
  ],
  [
    'reservation_blocks',
    `INSERT INTO reservation_blocks (id, lot_id, camera_id, slot_id, start_at, end_at, reason, created_by, created_at)
       VALUES (2, 'north', NULL, NULL, ?, ?, 'Úklid sněhu', 'správce', ?)`,
    T,
    T + 1,
    T,
  ],
  [
    'reservation_events',
    `INSERT INTO reservation_events (id, at, kind, lot_id, camera_id, slot_id, booking_id, detail, dedupe_key)
       VALUES (4, ?, 'check_in', 'north', 'north-1', 'A3', 21, NULL, 'check_in:21')`,
    T,
  ],
  [
    'reservation_mail',
    `INSERT INTO reservation_mail (id, booking_id, kind, send_at, sent_at, attempts, claimed_until, link_token, last_error)
       VALUES (8, 21, 'confirmation', ?, NULL, 1, ?, 'tok', 'smtp 451'), (9, 22, 'cancellation', ?, ?, 0, NULL, NULL, NULL)`,
    T,
    T + 60_000,
    T,
    T + 1,
  ],
  [
    'calibration_versions',
    `INSERT INTO calibration_versions VALUES ('north-1', 1, '{"slots":[]}', 'správce', ?, '', 3, NULL, ?, 'správce', 'applied', NULL, ?,
       'agent_file', 'e3b0c44298fc1c149afbf4c8996fb924')`,
    T,
    T,
    T,
  ],
  [
    'calibration_running',
    `INSERT INTO calibration_running VALUES ('north-1', 'agent-1', 'file', 3, 'e3b0c44298fc1c149afbf4c8996fb924', NULL, ?)`,
    T,
  ],
  ['calibration_masks', `INSERT INTO calibration_masks VALUES ('north-1', '[]', ?, 'správce')`, T],
  [
    'calibration_label_sets',
    `INSERT INTO calibration_label_sets VALUES (6, 'north-1', 1, 'mobilenet-v3', 4, '{"weights":[0.1],"bias":-0.5}', ?, 1920, 1080, ?, ?, 'správce')`,
    bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10),
    T,
    T,
  ],
  [
    'calibration_labels',
    `INSERT INTO calibration_labels VALUES (6, 'A1', 1, 0, ?)`,
    Buffer.from(new Float32Array([0.5, -1.25]).buffer),
  ],
  ['calibration_heads', `INSERT INTO calibration_heads VALUES ('north-1', 1, '{"weights":[0.2],"bias":0}')`],
  [
    'calibration_accuracy',
    `INSERT INTO calibration_accuracy VALUES ('north-1', 'mobilenet-v3', 40, 0.875, 0.95, 1, ?)`,
    T,
  ],
  [
    'rate_limit_hits',
    `INSERT INTO rate_limit_hits VALUES ('booking', 'ip:203.0.113.7', ?), ('booking', 'ip:203.0.113.7', ?)`,
    T,
    T,
  ],
  ['email_verifications', `INSERT INTO email_verifications VALUES (?, ?, NULL)`, bytes(9, 9, 9), T],
  [
    'oidc_flows',
    `INSERT INTO oidc_flows VALUES (?, 'citizen', 'st', 'nonce', 'verifier', '/rezervace', ?)`,
    bytes(7),
    T,
  ],
  ['citizen_sessions', `INSERT INTO citizen_sessions VALUES (?, 'ab12', NULL, 'csrf', ?, ?)`, bytes(8, 0), T, T],
  ['staff_sso_links', `INSERT INTO staff_sso_links VALUES ('https://sso.example.cz', 'sub-1', 5, ?)`, T],
  [
    'alerts',
    `INSERT INTO alerts VALUES (1, 'camera_stalled:north-1', 'camera_stalled', 'north-1', 'žádné snímky 120 s', ?, ?, ?, NULL),
       (2, 'camera_stalled:north-1', 'camera_stalled', 'north-1', NULL, ?, NULL, NULL, NULL)`,
    T,
    T + 1,
    T,
    T + 2,
  ],
  ['alert_digests', `INSERT INTO alert_digests VALUES (4, ?, 2, 1, 0)`, T],
];

/** Fills every table; returns the tables it wrote, so a test can check none was forgotten. */
export function fillEveryTable(db: Database): Set<string> {
  db.transaction(() => {
    for (const [, sql, ...params] of ROWS) db.prepare(sql).run(...params);
  })();
  return new Set(ROWS.map(([table]) => table));
}
