import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createStaffUser, loginStaff, STAFF_PASSWORD } from '../support/staff.ts';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const login = (password: string, remoteAddress: string, headers: Record<string, string> = {}, username = 'boss') =>
  s!.app.inject({ method: 'POST', url: '/staff/login', payload: { username, password }, remoteAddress, headers });

describe('login lock-out (default limits: 5 per user and address, 20 per address)', () => {
  it('locks only the address that guessed: the admin logs in from elsewhere and a running session carries on', async () => {
    s = await startTestServer({}, { listen: false });
    await createStaffUser(s.app, { username: 'boss', role: 'admin' });
    const session = await loginStaff(s.app, 'boss');
    for (let i = 0; i < 5; i++) expect((await login(`wrong-guess-${i}-xxxx`, '203.0.113.66')).statusCode).toBe(401);
    const locked = await login(STAFF_PASSWORD, '203.0.113.66');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('VOLNO_RATE_LIMITED');
    // The attacker did not lock the account for its owner.
    expect((await login(STAFF_PASSWORD, '198.51.100.1')).statusCode).toBe(200);
    const me = await s.app.inject({ url: '/api/v1/staff/me', headers: session.headers, remoteAddress: '198.51.100.1' });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'boss', role: 'admin' });
  });

  it('cannot be dodged by varying X-Forwarded-For from an address that is not a trusted proxy', async () => {
    s = await startTestServer({ http: { trust_proxy: ['127.0.0.1'] } }, { listen: false });
    await createStaffUser(s.app, { username: 'boss', role: 'admin' });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++)
      codes.push(
        (await login(`wrong-guess-${i}-xxxx`, '203.0.113.66', { 'x-forwarded-for': `10.0.0.${i}` })).statusCode,
      );
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Twenty more names from the same socket, each with a new forged address, hit the per-address limit.
    const names: number[] = [];
    for (let i = 0; i < 21; i++)
      names.push(
        (await login('wrong-guess-xxxx', '203.0.113.66', { 'x-forwarded-for': `10.1.0.${i}` }, `user-${i}`)).statusCode,
      );
    expect(names).toEqual([...Array<number>(15).fill(401), ...Array<number>(6).fill(429)]);
    // Through the trusted proxy, clients are told apart by the address the proxy vouches for.
    expect((await login(STAFF_PASSWORD, '127.0.0.1', { 'x-forwarded-for': '198.51.100.1' })).statusCode).toBe(200);
  });
});
