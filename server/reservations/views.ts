import type { FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { Static } from 'typebox';
import type { BookingSchema } from './schemas.ts';
import type { ReservationService } from './service.ts';
import type { Booking } from './store.ts';
import { MINUTE_MS } from './time.ts';

export const manageBase = (token: string) => `/reserve/manage/${token}`;
export const apiBase = (token: string) => `/api/v1/reservations/manage/${token}`;

/** Absolute origin for links: the configured public URL, else the request's own. */
export function origin(req: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${req.protocol}://${req.host}`;
}

/** A booking as its owner sees it (only through the manage token). */
export function bookingView(b: Booking, token: string, svc: ReservationService): Static<typeof BookingSchema> {
  const r = svc.rulesOf(b.lotId);
  const slot = svc.reservableSlots(b.lotId).find((s) => s.cameraId === b.cameraId && s.slotId === b.slotId);
  return {
    code: b.code,
    status: b.status,
    lot_id: b.lotId,
    slot_label: slot?.label ?? b.slotId,
    start_at: new Date(b.startAt).toISOString(),
    end_at: new Date(b.endAt).toISOString(),
    name: b.name,
    email: b.email,
    plate: b.plate,
    changeable_until: new Date(b.startAt - r.cancel_cutoff_min * MINUTE_MS).toISOString(),
    no_show_at: new Date(b.startAt + r.grace_min * MINUTE_MS).toISOString(),
    ics_url: `${apiBase(token)}/booking.ics`,
    qr_url: `${apiBase(token)}/qr.svg`,
  };
}

/** The manage link as an SVG QR code, served from this origin (no third-party QR service). */
export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
