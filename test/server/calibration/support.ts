// Shared setup for the calibration API tests: a server with a viewer and an operator logged in.
import type { FastifyInstance, InjectOptions } from 'fastify';
import { emptyCalibration, type CalibrationDocument, type CalibrationSlot } from '../../../calibration/index.ts';
import { buildTopic, encodeMessage } from '../../../protocol/index.ts';
import { PREFIX, SITE } from '../support/messages.ts';
import { createStaffUser, loginStaff, type StaffSession } from '../support/staff.ts';

export const API = '/api/v1/staff';

export interface Staff {
  viewer: StaffSession;
  operator: StaffSession;
}

export async function logInStaff(app: FastifyInstance): Promise<Staff> {
  await createStaffUser(app, { username: 'vera', role: 'viewer' });
  await createStaffUser(app, { username: 'otto', role: 'operator' });
  return { viewer: await loginStaff(app, 'vera'), operator: await loginStaff(app, 'otto') };
}

export function call(app: FastifyInstance, who: StaffSession | null, o: InjectOptions) {
  return app.inject({ ...o, headers: { ...(who?.headers ?? {}), ...(o.headers ?? {}) } });
}

/** A square slot (0–1 units) with its top-left corner at (x, y). */
export function slot(
  id: string,
  x: number,
  y: number,
  size = 0.1,
  extra: Partial<CalibrationSlot> = {},
): CalibrationSlot {
  return {
    id,
    label: id,
    type: 'standard',
    reservable: false,
    polygon: [
      [x, y],
      [x + size, y],
      [x + size, y + size],
      [x, y + size],
    ],
    ...extra,
  };
}

export function doc(slots: CalibrationSlot[], extra: Partial<CalibrationDocument> = {}): CalibrationDocument {
  return { ...emptyCalibration(1280, 720), slots, ...extra };
}

/**
 * agent-1's acknowledgement of calibration `version` on camera north-1, through the real ingest path
 * and committed. `seq` must grow from call to call within the agent session.
 */
export async function ackCalibration(
  app: FastifyInstance,
  o: { seq: number; version: number; result: 'applied' | 'rejected'; reason?: string },
): Promise<void> {
  const payload = encodeMessage('calibration_ack', {
    agent_id: 'agent-1',
    session_id: 'session-aaaaaaaa',
    seq: o.seq,
    sent_at: new Date().toISOString(),
    camera_id: 'north-1',
    version: o.version,
    result: o.result,
    ...(o.reason === undefined ? {} : { reason: o.reason }),
  });
  app.volno.ingestor.handle(
    buildTopic('calibration_ack', { site: SITE, camera: 'north-1' }, PREFIX),
    Buffer.from(payload),
    false,
  );
  await app.volno.writer.flush();
}
