import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

const TOKEN = 'a-long-enough-staff-token-for-tests';
const URL_PATH = '/api/v1/staff/cameras/north-1/calibrations/validate';
/** The attack of issue 13, finding 5: ~4 MB of nested arrays, under the route's 4 MiB body limit. */
const DEPTH = 2_000_000;
const NESTED = '['.repeat(DEPTH) + ']'.repeat(DEPTH);

let s: TestServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await s?.stop();
  s = undefined;
});

/** Sends the headers and only the first `sendBytes` of a body announced as `NESTED.length` bytes. */
function partialPost(url: string, sendBytes: number, headers: Record<string, string> = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer while the body was still unsent: the server is waiting to read the body first'));
    }, 5000);
    socket.on('error', reject);
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      if (answer.includes('\r\n\r\n')) {
        clearTimeout(deadline);
        socket.destroy();
        resolve(answer);
      }
    });
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.write(
      `POST ${URL_PATH} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${NESTED.length}\r\n${extra.join('')}\r\n`,
    );
    socket.write(NESTED.slice(0, sendBytes));
  });
}

describe('staff credentials are checked before the body is read', () => {
  it('answers an anonymous 4 MB body with 401 while most of the body has not even been sent', async () => {
    s = await startTestServer({ http: { staff_token: TOKEN } });
    const answer = await partialPost(s.httpUrl, 64 * 1024);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    // A credentialed request goes on to read its body (so the early check did not break the route).
    await expect(partialPost(s.httpUrl, 64 * 1024, { authorization: `Bearer ${TOKEN}` })).rejects.toThrow(
      /waiting to read the body/,
    );
  });

  it('never parses an anonymous deeply nested body, and the event loop keeps turning', async () => {
    s = await startTestServer({ http: { staff_token: TOKEN } });
    const parse = vi.spyOn(JSON, 'parse');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const r = await fetch(`${s.httpUrl}${URL_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: NESTED,
    });
    delay.disable();
    expect(r.status).toBe(401);
    expect(((await r.json()) as { code: string }).code).toBe('VOLNO_UNAUTHORIZED');
    const bigParses = parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length > 1_000_000);
    expect(bigParses).toHaveLength(0);
    // Reported, not asserted (a shared CI machine's scheduler is not ours): the figure for docs/security.md.
    console.log(`event loop delay during the anonymous 4 MB request: max ${(delay.max / 1e6).toFixed(1)} ms`);
  });
});
