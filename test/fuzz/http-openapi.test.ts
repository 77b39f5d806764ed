import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/main/app.ts';
import { FakeAgent } from '../server/support/messages.ts';
import { tempDir, testConfig } from '../server/support/config.ts';
import { createStaffUser, loginStaff, type StaffSession } from '../server/support/staff.ts';
import { fuzz, fuzzRuns, fuzzTimeMs } from './support/fuzz.ts';
import { operations, type Operation } from './support/openapi.ts';
import { fuzzRequest, type FuzzRequest } from './support/requests.ts';

const TOKEN = 'fuzz-staff-token-0123456789abcdef';
const RUNS = fuzzRuns(40);
/**
 * The whole file gets about 40 s of fuzzing, shared by the operations (60+ and growing), so a slow
 * machine runs fewer requests per route rather than blowing the suite's time; each line of the
 * summary says how many ran. FUZZ_TIME_MS=0 lifts the limit.
 */
const BUDGET_MS = fuzzTimeMs(40_000);

// Server errors are kept (last 20), so a 5xx failure shows the server's own account of it.
const errors: string[] = [];
const logger = pino(
  { level: 'error' },
  { write: (line: string) => void errors.splice(0, Math.max(0, errors.length - 19), line.slice(0, 2000)) },
);
// The document is read from the running app at collection time, so every route added later is in it.
const { dir, cleanup } = tempDir('volno-fuzz-http-');
const app: FastifyInstance = await buildApp(
  testConfig(dir, {
    http: { staff_token: TOKEN },
    ingest: { sweep_interval_s: 3600, agent_ttl_s: 3600 },
    freshness: { stale_after_s: 86_400 },
  }),
  { logger },
);
const agent = new FakeAgent();
for (const m of [
  agent.availability('online'),
  agent.slotState('north-1', 'A1', 'free'),
  agent.slotState('north-1', 'A2', 'occupied'),
  agent.slotState('south-1', 'B1', 'free'),
])
  app.volno.ingestor.handle(m.topic, Buffer.from(m.payload), false);
await app.volno.writer.flush();
const slotStates = () => app.volno.sql.all('SELECT * FROM slot_state ORDER BY camera_id, slot_id');
const STORED = await slotStates();
const OPS: Operation[] = operations((await app.inject({ url: '/docs/json' })).json());
const TIME_LIMIT_MS = BUDGET_MS && Math.max(500, Math.round(BUDGET_MS / Math.max(1, OPS.length)));

afterAll(async () => {
  await app.close();
  cleanup();
});

/** A new admin for each operation: the fuzzer may disable, demote or log out the previous one. */
let accounts = 0;
async function newSession(): Promise<StaffSession> {
  const user = await createStaffUser(app, { username: `fuzz-admin-${++accounts}`, role: 'admin' });
  return loginStaff(app, user.username, user.password);
}

/** What the public sees and what ingest stored: no refused request may change it. */
async function probe(): Promise<unknown> {
  const { availability, sql } = app.volno;
  return {
    north: await availability.lotAvailability('north'),
    south: await availability.lotAvailability('south'),
    slot_state: await slotStates(),
    transitions: await sql.one('SELECT count(*) AS n FROM transitions'),
  };
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** Sends through inject with the body as a stream, so an endless event stream answers at its headers. */
async function send(r: FuzzRequest, session: StaffSession): Promise<Answer> {
  const headers: Record<string, string> = { ...r.headers };
  if (r.auth === 'token') headers['authorization'] = `Bearer ${TOKEN}`;
  if (r.auth === 'bad-token') headers['authorization'] = `Bearer ${TOKEN.slice(0, -1)}x`;
  if (r.auth.startsWith('session')) {
    headers['cookie'] = session.cookie;
    if (r.auth === 'session') headers['x-csrf-token'] = session.csrfToken;
  }
  const abort = new AbortController();
  let res: LightMyRequestResponse;
  let timer: NodeJS.Timeout | undefined;
  try {
    res = await Promise.race([
      app.inject({
        method: r.method as 'GET',
        url: r.url,
        headers,
        remoteAddress: r.remoteAddress,
        payloadAsStream: true,
        signal: abort.signal,
        ...(r.payload === undefined ? {} : { payload: r.payload }),
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no response headers within 15 s')), 15_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  const contentType = String(res.headers['content-type'] ?? '');
  if (contentType.startsWith('text/event-stream')) {
    abort.abort();
    return { status: res.statusCode, contentType, body: '' };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of res.stream()) chunks.push(chunk as Buffer);
  return { status: res.statusCode, contentType, body: Buffer.concat(chunks).toString('utf8') };
}

const describeRequest = (r: FuzzRequest) =>
  `${r.method} ${r.url.slice(0, 300)} auth=${r.auth} from=${r.remoteAddress} headers=${JSON.stringify(r.headers).slice(0, 300)} body=${String(r.payload ?? '').slice(0, 200)}`;

const summary: string[] = [];

describe('every operation of the OpenAPI document under fuzzed requests', () => {
  it('finds the operations in the document', () => {
    expect(OPS.length).toBeGreaterThanOrEqual(10);
    expect(OPS.map((o) => `${o.method} ${o.path}`)).toContain('GET /api/v1/lots/{lot_id}/availability');
  });

  it.each(OPS.map((op) => [`${op.method} ${op.path}`, op] as const))(
    '%s never answers 5xx, keeps the error contract, and leaves valid data untouched when it refuses',
    async (name, op) => {
      const session = await newSession();
      const statuses: Record<number, number> = {};
      const runs = await fuzz(
        `http ${name}`,
        fc.asyncProperty(fuzzRequest(op), async (r) => {
          const before = await probe();
          let a: Answer;
          try {
            a = await send(r, session);
          } catch (err) {
            // inject() itself refuses some header values (control characters) before the server sees them.
            if (err instanceof TypeError) return;
            throw err;
          }
          statuses[a.status] = (statuses[a.status] ?? 0) + 1;
          const logged = a.status >= 500 ? `\nserver log:\n${errors.slice(-3).join('')}` : '';
          const what = `${describeRequest(r)}\n→ ${a.status} ${a.body.slice(0, 300)}${logged}`;
          expect(a.status, what).toBeLessThan(500);
          if (a.status >= 400 && r.url.startsWith('/api/')) {
            expect(a.contentType, what).toMatch(/^application\/json/);
            expect((JSON.parse(a.body) as { code?: string }).code, what).toMatch(/^VOLNO_/);
          }
          // A refused request changes nothing; a GET never changes anything.
          if (a.status >= 400 || op.method === 'GET') expect(await probe(), what).toEqual(before);
        }),
        { runs: RUNS, timeLimitMs: TIME_LIMIT_MS },
      );
      summary.push(`${name}: ${runs} runs ${JSON.stringify(statuses)}`);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      // Still serving, and the valid data still there.
      const availability = await app.inject({ url: '/api/v1/lots/north/availability' });
      expect(availability.statusCode).toBe(200);
    },
  );

  it('leaves the server healthy after all of it', async () => {
    console.log(`fuzz: http, requests per operation and their statuses:\n${summary.join('\n')}`);
    expect((await app.inject({ url: '/healthz' })).json()).toMatchObject({ status: 'ok' });
    // What the cameras reported is no HTTP client's to change, whatever was accepted.
    expect(await slotStates()).toEqual(STORED);
  });
});
