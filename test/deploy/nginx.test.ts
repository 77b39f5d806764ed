// (5) deploy/nginx/volno.conf with Debian's nginx in front of a real server: the shipped file with only
// its ports and paths rewritten. What it must do (docs/security.md): overwrite X-Forwarded-For, cap live
// streams per client, and keep booking manage tokens out of the access log.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/core/clock.ts';
import { freePort, stopChild, track, waitFor } from '../fixtures/process.ts';
import { startTestServer, type TestServer } from '../server/support/server.ts';
import { booking, lots, T0 } from '../server/reservations/support.ts';
import { certs, replaceOnce, repoFile } from './support/install.ts';
import { tempDir } from '../server/support/config.ts';

const NGINX = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).stdout.trim();
const SKIP = NGINX === '' ? ' (skipped: nginx is not installed on this machine)' : '';

const tmp = tempDir('volno-nginx-');
const dir = tmp.dir;
const tlsDir = join(dir, 'tls');
let server: TestServer;
let nginx: ChildProcess | undefined;
let port = 0;
let ca: Buffer;
const open: IncomingMessage[] = [];

/** The shipped file inside a minimal nginx.conf: ports, certificate and log paths pointed at the temp dir. */
function render(upstreamPort: number, httpsPort: number, httpPort: number): string {
  let site = readFileSync(repoFile('deploy/nginx/volno.conf'), 'utf8');
  site = replaceOnce(site, 'server 127.0.0.1:8080;', `server 127.0.0.1:${upstreamPort};`);
  site = replaceOnce(site, 'listen 80;\n    listen [::]:80;', `listen 127.0.0.1:${httpPort};`);
  site = replaceOnce(
    site,
    'listen 443 ssl http2;\n    listen [::]:443 ssl http2;',
    `listen 127.0.0.1:${httpsPort} ssl http2;`,
  );
  site = site.split('/etc/volno/tls/').join(`${tlsDir}/`).split('/var/log/nginx/').join(`${dir}/`);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `    ${t}_temp_path ${dir}/temp/${t};`)
    .join('\n');
  return (
    `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\n` +
    (process.getuid?.() === 0 ? 'user root;\n' : '') +
    `events { worker_connections 256; }\nhttp {\n${temp}\n${site}\n}\n`
  );
}

const nginxArgs = () => ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];

/** A request through nginx over HTTPS (trusting only the test CA); resolves on the status line. */
function through(path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const opts: RequestOptions = {
      host: '127.0.0.1',
      port,
      path,
      method: o.method ?? 'GET',
      headers: { host: 'parkovani.example.cz', ...o.headers },
      ca,
      servername: 'localhost',
    };
    const req = request(opts, resolve);
    req.on('error', reject);
    req.end(o.body);
  });
}
const text = (res: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let t = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (t += d));
    res.on('end', () => resolve(t));
  });

beforeAll(async () => {
  if (SKIP) return;
  certs(tlsDir, 'ca');
  certs(tlsDir, 'server', 'server', '127.0.0.1', 'localhost');
  ca = readFileSync(join(tlsDir, 'ca.pem'));
  server = await startTestServer(
    {
      lots: lots(2),
      http: { trust_proxy: ['127.0.0.1'] },
      // The server's own caps above nginx's, so a refusal below is nginx's.
      limits: { sse_per_address: 1000, bookings_per_address: 1000, bookings_per_subnet: 1000 },
    },
    { clock: new ManualClock(T0) },
  );
  port = await freePort();
  mkdirSync(join(dir, 'temp'), { recursive: true });
  writeFileSync(join(dir, 'nginx.conf'), render(Number(new URL(server.httpUrl).port), port, await freePort()));
  const check = spawnSync(NGINX, [...nginxArgs(), '-t'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t refused the shipped file:\n${check.stderr}`);
  nginx = spawn(NGINX, [...nginxArgs(), '-g', 'daemon off; master_process off;'], { stdio: 'ignore' });
  track(nginx);
  await waitFor(
    async () => {
      try {
        return (await through('/healthz')).statusCode !== undefined;
      } catch {
        return false;
      }
    },
    { timeoutMs: 10_000, what: 'nginx to answer' },
  );
});

afterAll(async () => {
  for (const r of open.splice(0)) r.destroy();
  if (nginx !== undefined) await stopChild(nginx);
  await server?.stop();
  tmp.cleanup();
});

describe.skipIf(SKIP !== '')(`deploy/nginx/volno.conf in front of the server${SKIP}`, () => {
  it('passes nginx -t and proxies the public API', async () => {
    const r = await through('/api/v1/lots');
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(await text(r))).toHaveProperty('lots');
  });

  it('replaces a forged X-Forwarded-For and never lets a proxied request be the bootstrap admin', async () => {
    const me = await through('/api/v1/staff/me', { headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(me.statusCode).toBe(403);
    // What the server believed: the address nginx saw, not the header the client sent.
    const login = await through('/staff/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.99' },
      body: JSON.stringify({ username: 'nobody', password: 'wrong-password-here' }),
    });
    expect(login.statusCode).toBe(401);
    const [entry] = await server.app.volno.auth.auditLog.list({ limit: 1, action: 'login.failed' });
    expect(entry).toMatchObject({ ip: '127.0.0.1', socketIp: '127.0.0.1', forwardedFor: '127.0.0.1' });
  });

  it('keeps booking manage tokens out of the access log', async () => {
    const made = await through('/api/v1/reservations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(booking()),
    });
    expect(made.statusCode).toBe(201);
    const token = (JSON.parse(await text(made)) as { manage_token: string }).manage_token;
    for (const path of [`/reserve/manage/${token}?lang=cs`, `/api/v1/reservations/manage/${token}/booking.ics`]) {
      const r = await through(path);
      expect(r.statusCode, path).toBe(200);
      await text(r);
    }
    const log = await waitFor(
      () => {
        const t = readFileSync(join(dir, 'volno.access.log'), 'utf8');
        return t.includes('booking.ics') ? t : undefined;
      },
      { timeoutMs: 5000, what: 'the access log lines' },
    );
    expect(log).not.toContain(token);
    expect(log).toContain('"GET /reserve/manage/***?lang=cs HTTP/1.1" 200');
    expect(log).toContain('"GET /api/v1/reservations/manage/***/booking.ics HTTP/1.1" 200');
  });

  it('caps live streams per client address with 429 (limit_conn)', async () => {
    const streams = await Promise.all(
      Array.from({ length: 20 }, () => through('/api/v1/live', { headers: { accept: 'text/event-stream' } })),
    );
    open.push(...streams);
    expect(streams.map((r) => r.statusCode)).toEqual(Array<number>(20).fill(200));
    const refused = await through('/api/v1/live', { headers: { accept: 'text/event-stream' } });
    expect(refused.statusCode).toBe(429);
    await text(refused);
    expect(server.app.volno.sse.size).toBe(20);
  });
});
