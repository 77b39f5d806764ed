import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createStaffUser, loginStaff, type StaffSession } from '../support/staff.ts';

let s: TestServer;
let admin: StaffSession;
const PASSWORD = 'another-good-password';

const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, who: StaffSession = admin) =>
  s.app.inject({ method, url: `/api/v1/staff${url}`, headers: who.headers, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  s = await startTestServer({}, { listen: false });
  await createStaffUser(s.app, { username: 'alice', role: 'admin' });
  admin = await loginStaff(s.app, 'alice');
});
afterAll(() => s.stop());

describe('account management by an admin', () => {
  it('creates an account that can log in, and lists it without any password material', async () => {
    const r = await api('POST', '/users', { username: 'bob', role: 'operator', password: PASSWORD });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ username: 'bob', role: 'operator', disabled: false, last_login_at: null });
    await loginStaff(s.app, 'bob', PASSWORD);
    const list = await api('GET', '/users');
    expect(list.json().users.map((u: { username: string }) => u.username)).toEqual(['alice', 'bob']);
    expect(list.body).not.toMatch(/scrypt|hash|password"/);
    expect(list.json().users[1].last_login_at).toEqual(expect.any(String));
  });

  it('refuses a weak password, a bad name and a taken name with clear messages', async () => {
    const weak = await api('POST', '/users', { username: 'carol', role: 'viewer', password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().message).toContain('at least 12 characters');
    const named = await api('POST', '/users', { username: 'carol', role: 'viewer', password: 'carol-is-my-password' });
    expect(named.json().message).toContain('must not contain the username');
    const bad = await api('POST', '/users', { username: 'Carol Smith', role: 'viewer', password: PASSWORD });
    expect(bad.statusCode).toBe(400);
    const taken = await api('POST', '/users', { username: 'bob', role: 'viewer', password: PASSWORD });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('VOLNO_CONFLICT');
  });

  it('changes a role with immediate effect on the account’s open sessions', async () => {
    const bob = await loginStaff(s.app, 'bob', PASSWORD);
    expect((await api('GET', '/me', undefined, bob)).json().role).toBe('operator');
    const id = (await s.app.volno.auth.accounts.byUsername('bob'))!.userId;
    const r = await api('PATCH', `/users/${id}`, { role: 'viewer' });
    expect(r.json()).toMatchObject({ role: 'viewer' });
    expect((await api('GET', '/me', undefined, bob)).json().role).toBe('viewer');
  });

  it('disables an account, ending its sessions and its logins, and enables it again', async () => {
    const bob = await loginStaff(s.app, 'bob', PASSWORD);
    const id = (await s.app.volno.auth.accounts.byUsername('bob'))!.userId;
    expect((await api('PATCH', `/users/${id}`, { disabled: true })).json().disabled).toBe(true);
    expect((await api('GET', '/me', undefined, bob)).statusCode).toBe(401);
    await expect(loginStaff(s.app, 'bob', PASSWORD)).rejects.toThrow(/401/);
    expect((await api('PATCH', `/users/${id}`, { disabled: false })).json().disabled).toBe(false);
    await loginStaff(s.app, 'bob', PASSWORD);
  });

  it('resets a password, ending the account’s sessions', async () => {
    const bob = await loginStaff(s.app, 'bob', PASSWORD);
    const id = (await s.app.volno.auth.accounts.byUsername('bob'))!.userId;
    const r = await api('POST', `/users/${id}/password`, { password: 'a-brand-new-password' });
    expect(r.statusCode).toBe(204);
    expect((await api('GET', '/me', undefined, bob)).statusCode).toBe(401);
    await expect(loginStaff(s.app, 'bob', PASSWORD)).rejects.toThrow(/401/);
    await loginStaff(s.app, 'bob', 'a-brand-new-password');
    expect((await api('POST', '/users/999/password', { password: 'a-brand-new-password' })).statusCode).toBe(404);
  });

  it('never demotes or disables the last active admin', async () => {
    const id = (await s.app.volno.auth.accounts.byUsername('alice'))!.userId;
    for (const body of [{ role: 'operator' }, { disabled: true }]) {
      const r = await api('PATCH', `/users/${id}`, body);
      expect(r.statusCode).toBe(409);
      expect(r.json().code).toBe('VOLNO_CONFLICT');
    }
  });

  it('keeps an audit log of every change, newest first, with who, role, target, detail and address', async () => {
    const r = await api('GET', '/audit?limit=50');
    const entries = r.json().entries as { action: string; username: string; role: string; via: string }[];
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['user.create', 'user.role', 'user.disable', 'user.enable', 'user.password', 'login']),
    );
    expect(entries.find((e) => e.action === 'user.role')).toMatchObject({
      username: 'alice',
      role: 'admin',
      via: 'session',
      target: expect.stringMatching(/^user:\d+$/),
      detail: { from: 'operator', to: 'viewer' },
      ip: '127.0.0.1',
      at: expect.any(String),
    });
    const [newest, older] = entries as unknown as { audit_id: number }[];
    expect(newest!.audit_id).toBeGreaterThan(older!.audit_id);
    const page = (await api('GET', `/audit?limit=1&before_id=${newest!.audit_id}`)).json().entries;
    expect(page).toEqual([entries[1]]);
  });
});
