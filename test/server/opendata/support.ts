import { expect } from 'vitest';
import { booking, lots, T0, type AgentEnv } from '../reservations/support.ts';
import { LOTS } from '../support/config.ts';

export const MIN = 60_000;

/**
 * The lots both feeds are tested with: the office lot gains a disabled (D1) and an EV (E1) space and
 * coordinates; the south lot has none, so the feeds must leave it out.
 */
export function feedLots(): Record<string, unknown>[] {
  const office = lots(2)[0]!;
  const camera = (office.cameras as { slots: Record<string, unknown>[] }[])[0]!;
  camera.slots.push({ slot_id: 'D1', type: 'disabled' }, { slot_id: 'E1', type: 'ev' });
  return [{ ...office, latitude: 50.08, longitude: 14.42 }, LOTS[1]!];
}

/**
 * The mixed state both feeds are checked against at 08:20Z: one booking in its hold, R1, R2 and D1 seen
 * free, P1 occupied and E1 never reported. The booking carries the visitor's details the feeds must not show.
 */
export async function bookAndReport(env: AgentEnv): Promise<void> {
  const b = await env.app.inject({
    method: 'POST',
    url: '/api/v1/reservations',
    payload: booking({ date: '2026-12-01', start: '09:30', end: '11:00', email: 'p@example.cz', plate: '3P' }),
  });
  expect(b.statusCode).toBe(201);
  env.clock.set(T0 + 20 * MIN); // 08:20Z: inside the booking's hold
  for (const [slot, state] of [
    ['R1', 'free'],
    ['R2', 'free'],
    ['P1', 'occupied'],
    ['D1', 'free'],
  ] as const)
    await env.send(env.agent.slotState('gate-1', slot, state));
}
