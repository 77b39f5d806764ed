import { Type, type Static } from 'typebox';

const int = (title: string, description: string, def: number, minimum: number, maximum: number) =>
  Type.Integer({ minimum, maximum, default: def, title, description });

/**
 * The `limits` section: what one client address (and its subnet) may do. Booking limits are kept
 * in the database, so they survive restarts and are shared by instances on one database file.
 */
export const LimitsConfigSchema = Type.Object(
  {
    booking_window_s: int(
      'Booking window',
      'Booking attempts are counted over this sliding window (seconds).',
      3600,
      60,
      7 * 86_400,
    ),
    bookings_per_address: int(
      'Bookings per address',
      'Booking attempts one client address may make within the window; more get 429 VOLNO_RATE_LIMITED. Refused bookings (full, invalid) are not counted.',
      10,
      1,
      100_000,
    ),
    bookings_per_subnet: int(
      'Bookings per subnet',
      'Booking attempts one /24 (IPv4) or /64 (IPv6) may make within the window, so rotating addresses does not multiply the budget.',
      30,
      1,
      100_000,
    ),
    sse_per_address: int(
      'Live streams per address',
      'Open live-update streams (GET /api/v1/live) one client address may hold; more get 429. Offices behind one NAT may need more.',
      20,
      1,
      100_000,
    ),
  },
  {
    additionalProperties: false,
    default: {},
    title: 'Per-client limits',
    description: 'Rate and connection limits per client address (behind a proxy, set http.trust_proxy).',
  },
);
export type LimitsConfig = Static<typeof LimitsConfigSchema>;
