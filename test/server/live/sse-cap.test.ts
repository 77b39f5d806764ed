import { get, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../fixtures/process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const TOKEN = 'a-long-enough-staff-token-for-tests';
let s: TestServer | undefined;
const open: IncomingMessage[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) r.destroy();
  await s?.stop();
  s = undefined;
});

/** Opens GET /api/v1/live as `client` (through the trusted "proxy" on 127.0.0.1); resolves on the status line. */
function stream(client: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = get(
      `${s!.httpUrl}/api/v1/live`,
      { headers: { accept: 'text/event-stream', 'x-forwarded-for': client } },
      (res) => {
        open.push(res);
        resolve(res);
      },
    );
    req.on('error', reject);
  });
}

const body = (res: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    res.on('end', () => resolve(text));
  });

describe('live streams per client address', () => {
  it('refuses streams past the cap with 429, counts them, leaves other clients alone, and frees a slot on close', async () => {
    s = await startTestServer({
      http: { staff_token: TOKEN, trust_proxy: ['127.0.0.1'] },
      limits: { sse_per_address: 3 },
    });
    const mine = await Promise.all([1, 2, 3].map(() => stream('198.51.100.7')));
    expect(mine.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const refused = await stream('198.51.100.7');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(JSON.parse(await body(refused))).toMatchObject({ code: 'VOLNO_RATE_LIMITED' });
    expect((await stream('203.0.113.20')).statusCode).toBe(200);
    expect(s.app.volno.sse.size).toBe(4);

    mine[0]!.destroy();
    await waitFor(() => s!.app.volno.sse.size === 3, { timeoutMs: 5000, what: 'the closed stream to be dropped' });
    expect((await stream('198.51.100.7')).statusCode).toBe(200);

    const metrics = await (
      await fetch(`${s.httpUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    expect(metrics).toMatch(/^volno_rate_limited_total\{limit="sse"\} 1$/m);
  });
});
