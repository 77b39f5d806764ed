import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/main/app.ts';
import { createLogger } from '../../../server/core/logger.ts';
import { DB_FILE_NAME } from '../../../server/core/storage/database.ts';
import { sqliteConnection } from '../../../server/core/storage/sql/open.ts';
import { tempDir, testConfig } from '../support/config.ts';
import { createStaffUser, loginStaff, type StaffSession } from '../support/staff.ts';

/** Every log line the server writes, as text. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const ADMIN_PASSWORD = 'Pa55word-of-the-admin';
const API_PASSWORD = 'Created-over-the-API-9';
const RESET_PASSWORD = 'Reset-by-the-admin-77';
const WRONG_PASSWORD = 'Typed-wrongly-by-bob-3';

let tmp: ReturnType<typeof tempDir>;
let app: FastifyInstance;
const log = new Capture();
const sessions: StaffSession[] = [];

beforeAll(async () => {
  tmp = tempDir('volno-auth-secrets-');
  app = await buildApp(testConfig(tmp.dir, { auth: { login_max_per_user: 2 } }), {
    logger: createLogger('trace', { destination: log }),
  });
  await createStaffUser(app, { username: 'alice', role: 'admin', password: ADMIN_PASSWORD });
  const admin = await loginStaff(app, 'alice', ADMIN_PASSWORD);
  sessions.push(admin);
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/staff/users',
    headers: admin.headers,
    payload: { username: 'bob', role: 'viewer', password: API_PASSWORD },
  });
  expect(created.statusCode).toBe(201);
  sessions.push(await loginStaff(app, 'bob', API_PASSWORD));
  const reset = await app.inject({
    method: 'POST',
    url: `/api/v1/staff/users/${created.json().user_id}/password`,
    headers: admin.headers,
    payload: { password: RESET_PASSWORD },
  });
  expect(reset.statusCode).toBe(204);
  // Failures, a throttled try, a form login, and a malformed body all take their own paths.
  for (let i = 0; i < 3; i++)
    await app.inject({ method: 'POST', url: '/staff/login', payload: { username: 'bob', password: WRONG_PASSWORD } });
  await app.inject({
    method: 'POST',
    url: '/staff/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ username: 'alice', password: ADMIN_PASSWORD }).toString(),
  });
  await app.inject({
    method: 'POST',
    url: '/staff/login',
    headers: { 'content-type': 'application/json' },
    payload: `{"username":"alice","password":"${ADMIN_PASSWORD}"`,
  });
  await app.inject({ url: '/api/v1/staff/users', headers: admin.headers });
});
afterAll(async () => {
  await app.close();
  tmp.cleanup();
});

const secrets = () => [
  ADMIN_PASSWORD,
  API_PASSWORD,
  RESET_PASSWORD,
  WRONG_PASSWORD,
  ...sessions.flatMap((s) => [s.value, s.csrfToken]),
];

describe('passwords and session ids at rest', () => {
  it('are stored only as salted scrypt hashes and SHA-256 digests: no clear text anywhere in the SQLite files', async () => {
    // The files are SQLite's (PostgreSQL's are the database server's); the rows below are read the
    // same way on either engine.
    const lite = sqliteConnection(app.volno.sql);
    if (lite !== undefined) {
      lite.pragma('wal_checkpoint(TRUNCATE)');
      const files = [DB_FILE_NAME, `${DB_FILE_NAME}-wal`].map((f) => join(tmp.dir, f));
      const bytes = Buffer.concat(files.map((f) => (f.endsWith('-wal') ? readOrEmpty(f) : readFileSync(f))));
      for (const secret of [ADMIN_PASSWORD, API_PASSWORD, RESET_PASSWORD, WRONG_PASSWORD])
        expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
      for (const { value } of sessions) {
        expect(bytes.includes(Buffer.from(value)), value).toBe(false);
        expect(bytes.includes(Buffer.from(value, 'base64url')), `${value} as bytes`).toBe(false);
      }
    } else {
      // PostgreSQL: every row of every table as text (bytea shows as hex).
      const tables = await app.volno.sql.all<{ name: string }>(
        `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`,
      );
      let text = '';
      for (const { name } of tables)
        for (const r of await app.volno.sql.all<{ row: string }>(`SELECT t::text AS row FROM ${name} t`)) text += r.row;
      expect(text.length).toBeGreaterThan(0);
      for (const secret of [ADMIN_PASSWORD, API_PASSWORD, RESET_PASSWORD, WRONG_PASSWORD])
        expect(text.includes(secret), secret).toBe(false);
      for (const { value } of sessions) {
        expect(text.includes(value), value).toBe(false);
        expect(text.includes(Buffer.from(value, 'base64url').toString('hex')), `${value} as bytes`).toBe(false);
      }
    }
    const sql = app.volno.sql;
    const hashes = (await sql.all<{ h: string }>('SELECT password_hash AS h FROM staff_users')).map((r) => r.h);
    expect(hashes).toHaveLength(2);
    for (const h of hashes) expect(h).toMatch(/^scrypt\$\d+\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    // Per-user salts: two hashes never share one.
    expect(new Set(hashes.map((h) => h.split('$')[4])).size).toBe(2);
    const ids = (await sql.all<{ id: Buffer }>('SELECT session_hash AS id FROM staff_sessions')).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toHaveLength(32);
  });
});

describe('the log', () => {
  it('holds the staff actions but no password, session id or CSRF token', () => {
    expect(log.text).toContain('"staff action"');
    expect(log.text).toContain('too many failed attempts');
    for (const secret of secrets()) expect(log.text.includes(secret), secret).toBe(false);
  });

  it('redacts passwords, cookies and authorization headers wherever the server’s logger meets them', () => {
    const out = new Capture();
    const logger = createLogger('info', { destination: out });
    logger.info(
      {
        password: 'p1-secret',
        user: { password: 'p2-secret', password_hash: 'scrypt$hash-secret' },
        req: {
          headers: { cookie: 'volno_staff=c1-secret', authorization: 'Bearer t1-secret' },
          body: { password: 'p3-secret' },
        },
        res: { headers: { 'set-cookie': 'volno_staff=c2-secret' } },
        headers: { cookie: 'volno_staff=c3-secret' },
        body: { password: 'p4-secret', csrf_token: 'x1-secret' },
        csrf_token: 'x2-secret',
      },
      'with secrets',
    );
    expect(out.text).toContain('with secrets');
    expect(out.text).toContain('***');
    expect(out.text).not.toContain('-secret');
  });
});

function readOrEmpty(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}
