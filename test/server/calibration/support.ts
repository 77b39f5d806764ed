// Shared setup for the calibration API tests: a server with a viewer and an operator logged in.
import type { FastifyInstance, InjectOptions } from 'fastify';
import { emptyCalibration, type CalibrationDocument, type CalibrationSlot } from '../../../calibration/index.ts';
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
