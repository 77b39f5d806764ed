import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { tempDir, testConfig } from '../support/config.ts';

const TOKEN = 'a-long-enough-staff-token-for-tests';
let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const createAdmin = (remoteAddress: string, headers: Record<string, string>) =>
  s!.app.inject({
    method: 'POST',
    url: '/api/v1/staff/users',
    remoteAddress,
    headers,
    payload: { username: 'mallory', role: 'admin', password: 'a-good-long-password' },
  });

describe('http.trust_proxy', () => {
  it('refuses true at config load with a path: message line, and checks each address or range', () => {
    const tmp = tempDir();
    try {
      const issues = (raw: unknown) => {
        try {
          testConfig(tmp.dir, { http: { trust_proxy: raw } });
          return [];
        } catch (err) {
          return [...((err as { issues?: string[] }).issues ?? [String(err)])];
        }
      };
      const refused = issues(true);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatch(/^\/http\/trust_proxy: true trusts X-Forwarded-For from anyone/);
      expect(issues(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback'])).toEqual([]);
      expect(issues(2)).toEqual([]);
      expect(issues(false)).toEqual([]);
      expect(issues(['127.0.0.1', 'nginx.local', '10.0.0.0/33'])).toEqual([
        '/http/trust_proxy/1: "nginx.local" is not an IP address or CIDR range',
        '/http/trust_proxy/2: "10.0.0.0/33" is not an IP address or CIDR range',
      ]);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('the loopback bootstrap (no account yet)', () => {
  it('is refused to a remote client that forges X-Forwarded-For: 127.0.0.1 through a trusted nginx', async () => {
    // nginx on this machine: the socket is loopback, and nginx appends the real client to what it was sent.
    s = await startTestServer({ http: { trust_proxy: ['127.0.0.1'] } }, { listen: false });
    const r = await createAdmin('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' });
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('VOLNO_FORBIDDEN');
    const chained = await createAdmin('127.0.0.1', { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' });
    expect(chained.statusCode).toBe(403);
    expect(await s.app.volno.auth.accounts.count()).toBe(0);
  });

  it('is refused to a remote client that sends X-Forwarded-For: 127.0.0.1 to a server trusting one hop', async () => {
    s = await startTestServer({ http: { trust_proxy: 1 } }, { listen: false });
    const r = await createAdmin('203.0.113.7', { 'x-forwarded-for': '127.0.0.1' });
    expect(r.statusCode).toBe(403);
    expect(await s.app.volno.auth.accounts.count()).toBe(0);
  });

  it('is refused behind a same-machine proxy without trust_proxy, whatever forwarding header the proxy sets', async () => {
    s = await startTestServer({}, { listen: false });
    for (const headers of [
      { 'x-forwarded-for': '203.0.113.9' },
      { forwarded: 'for=203.0.113.9' },
      { 'x-real-ip': '203.0.113.9' },
      { 'x-forwarded-proto': 'https' },
    ] as Record<string, string>[]) {
      const r = await createAdmin('127.0.0.1', headers);
      expect(r.statusCode, JSON.stringify(headers)).toBe(403);
    }
    expect(await s.app.volno.auth.accounts.count()).toBe(0);
    // A direct local request (the operator on the machine) still bootstraps.
    expect((await createAdmin('127.0.0.1', {})).statusCode).toBe(201);
  });

  it('uses the socket address over real HTTP: a direct local connection is admin, the same one with a header is not', async () => {
    s = await startTestServer({ http: { trust_proxy: ['127.0.0.1'] } });
    const me = (headers: Record<string, string> = {}) => fetch(`${s!.httpUrl}/api/v1/staff/me`, { headers });
    expect(((await (await me()).json()) as { via: string }).via).toBe('loopback');
    expect((await me({ 'x-forwarded-for': '127.0.0.1' })).status).toBe(403);
  });
});

describe('the audit log', () => {
  it('keeps the socket address and the forwarding header next to the believed client address', async () => {
    s = await startTestServer({ http: { trust_proxy: ['127.0.0.1'], staff_token: TOKEN } }, { listen: false });
    const bearer = { authorization: `Bearer ${TOKEN}` };
    const create = (remoteAddress: string, headers: Record<string, string>, username: string) =>
      s!.app.inject({
        method: 'POST',
        url: '/api/v1/staff/users',
        remoteAddress,
        headers: { ...bearer, ...headers },
        payload: { username, role: 'viewer', password: 'a-good-long-password' },
      });
    // Through nginx: the client is who nginx says.
    expect((await create('127.0.0.1', { 'x-forwarded-for': '198.51.100.4' }, 'via-proxy')).statusCode).toBe(201);
    // Straight from outside with a forged header: the header is not believed, but it is kept.
    expect((await create('203.0.113.7', { 'x-forwarded-for': '127.0.0.1' }, 'forged')).statusCode).toBe(201);
    const r = await s.app.inject({ url: '/api/v1/staff/audit?limit=2', headers: bearer });
    expect(r.statusCode).toBe(200);
    expect(r.json().entries).toMatchObject([
      { action: 'user.create', ip: '203.0.113.7', socket_ip: '203.0.113.7', forwarded_for: '127.0.0.1' },
      { action: 'user.create', ip: '198.51.100.4', socket_ip: '127.0.0.1', forwarded_for: '198.51.100.4' },
    ]);
  });
});
