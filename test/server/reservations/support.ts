import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../../server/core/clock.ts';
import { FakeAgent } from '../support/messages.ts';
import { publishAndIngest, publisher, startTestServer, type TestServer } from '../support/server.ts';

/** 2026-12-01 is a Tuesday; 08:00 UTC is 09:00 in Prague. */
export const T0 = Date.parse('2026-12-01T08:00:00Z');
export const STAFF_TOKEN = 'test-staff-token-0123456789';

/** Rules with everything open, so each test narrows only what it is about. */
export function rules(o: Record<string, unknown> = {}): Record<string, unknown> {
  const all = ['00:00-24:00'];
  return {
    // The old behaviour (book at once, any address): identity has its own tests (test/server/identity/).
    identity: 'none',
    granularity_min: 15,
    min_duration_min: 15,
    max_duration_min: 480,
    horizon_days: 30,
    lead_time_min: 0,
    hold_before_min: 15,
    early_checkin_min: 15,
    grace_min: 15,
    cancel_cutoff_min: 60,
    czech_public_holidays: false,
    opening_hours: { mon: all, tue: all, wed: all, thu: all, fri: all, sat: all, sun: all },
    ...o,
  };
}

/** One lot with `reservable` reservable slots (R1…) and one public slot (P1) on camera `gate-1`. */
export function lots(reservable = 2, r: Record<string, unknown> = rules()): Record<string, unknown>[] {
  return [
    {
      lot_id: 'office',
      name: 'Parkoviště úřadu',
      name_en: 'Office car park',
      address: 'Náměstí 1, Praha',
      cameras: [
        {
          camera_id: 'gate-1',
          slots: [
            ...Array.from({ length: reservable }, (_, i) => ({
              slot_id: `R${i + 1}`,
              type: 'visitor',
              reservable: true,
            })),
            { slot_id: 'P1' },
          ],
        },
      ],
      reservations: r,
    },
  ];
}

export interface Env {
  s: TestServer;
  app: FastifyInstance;
  clock: ManualClock;
}

/** A test server with the office lot, a manual clock at T0 and a staff token. */
export async function startEnv(
  o: { reservable?: number; rules?: Record<string, unknown>; raw?: Record<string, unknown>; listen?: boolean } = {},
): Promise<Env> {
  const clock = new ManualClock(T0);
  const s = await startTestServer(
    {
      lots: lots(o.reservable ?? 2, o.rules ?? rules()),
      http: { staff_token: STAFF_TOKEN },
      // Every test books from 127.0.0.1; the per-address limits have their own test (flood.test.ts).
      limits: { bookings_per_address: 100_000, bookings_per_subnet: 100_000 },
      ...o.raw,
    },
    { clock, listen: o.listen ?? false },
  );
  return { s, app: s.app, clock };
}

export interface AgentEnv extends Env {
  /** agent-1, stamping its messages with the server's manual clock as a real agent would with real time. */
  agent: FakeAgent;
  /** Publishes over real MQTT and waits until the message is ingested and committed. */
  send(m: { topic: string; payload: string }): Promise<void>;
  stop(): Promise<void>;
}

/** `startEnv` with agent-1 connected over MQTT and announced online, for tests that feed camera states. */
export async function startAgentEnv(o: Parameters<typeof startEnv>[0] = {}): Promise<AgentEnv> {
  const env = await startEnv(o);
  const pub = await publisher(env.s.mqttUrl).catch(async (err: unknown) => {
    await env.s.stop();
    throw err;
  });
  const agent = new FakeAgent('agent-1', 'session-aaaaaaaa', () => env.clock.now());
  const send = (m: { topic: string; payload: string }) => publishAndIngest(env.app, pub, m);
  const stop = async () => {
    await pub.endAsync();
    await env.s.stop();
  };
  await send(agent.availability('online')).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { ...env, agent, send, stop };
}

export const staffHeaders = { authorization: `Bearer ${STAFF_TOKEN}` };

export const booking = (o: Record<string, unknown> = {}) => ({
  lot_id: 'office',
  date: '2026-12-02',
  start: '10:00',
  end: '12:00',
  name: 'Jana Nováková',
  email: 'jana@example.cz',
  plate: '1AB 2345',
  consent: true,
  ...o,
});
