import { Type, type Static } from 'typebox';
import type { FreshnessConfig, LotConfig, WebConfig } from '../core/config/schema.ts';
import { IDENTITY_MODES } from './identity.ts';

const RANGE = '^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
const DATE = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const minutes = (title: string, description: string, def: number, minimum = 0, maximum = 10_080) =>
  Type.Integer({ minimum, maximum, default: def, title, description });
const day = (title: string, def: string[]) =>
  Type.Array(Type.String({ pattern: RANGE }), {
    default: def,
    maxItems: 8,
    title,
    description: 'Opening ranges `HH:MM-HH:MM` (local time); an empty list means closed.',
  });

/** Per-lot booking rules (`lots[].reservations`); all times are in the server's `timezone`. */
export const ReservationRulesSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, title: 'Enabled', description: 'Visitors may book this lot.' }),
    identity: Type.Enum(IDENTITY_MODES, {
      default: 'email',
      title: 'Identity',
      description:
        '`oidc`: citizens sign in through the identity gateway (identity.citizen); limits count verified persons. `email`: a booking holds its space as pending until the link mailed to the address is confirmed (needs smtp). `none`: anyone books at once with any address — only for a demo.',
    }),
    pending_min: minutes(
      'Pending hold',
      'With identity `email`: how long an unconfirmed booking holds its space before it lapses.',
      15,
      2,
      120,
    ),
    granularity_min: minutes('Granularity', 'Start and end must fall on multiples of this many minutes.', 15, 5, 240),
    min_duration_min: minutes('Minimum duration', 'Shortest booking in minutes.', 30, 5),
    max_duration_min: minutes('Maximum duration', 'Longest booking in minutes (elapsed time).', 480, 5),
    horizon_days: Type.Integer({
      minimum: 1,
      maximum: 366,
      default: 30,
      title: 'Horizon',
      description: 'A booking may start at most this many days ahead.',
    }),
    lead_time_min: minutes('Lead time', 'A booking must start at least this many minutes from now.', 60),
    hold_before_min: minutes(
      'Hold before',
      'The space is kept free for the visitor (shown as reserved) this long before the start.',
      15,
      0,
      240,
    ),
    early_checkin_min: minutes(
      'Early check-in',
      'A car arriving this long before the start still checks the booking in.',
      15,
      0,
      240,
    ),
    grace_min: minutes(
      'Grace period',
      'Still free this long after the start: the booking is a no-show and the space returns to the public.',
      15,
      1,
      240,
    ),
    cancel_cutoff_min: minutes(
      'Cancellation cut-off',
      'Visitors may cancel or change a booking until this many minutes before its start.',
      60,
    ),
    opening_hours: Type.Object(
      {
        mon: day('Monday', ['07:00-18:00']),
        tue: day('Tuesday', ['07:00-18:00']),
        wed: day('Wednesday', ['07:00-18:00']),
        thu: day('Thursday', ['07:00-18:00']),
        fri: day('Friday', ['07:00-18:00']),
        sat: day('Saturday', []),
        sun: day('Sunday', []),
      },
      {
        additionalProperties: false,
        default: {},
        title: 'Opening hours',
        description: 'Per weekday; a booking must lie within one range.',
      },
    ),
    czech_public_holidays: Type.Boolean({
      default: true,
      title: 'Czech public holidays',
      description: 'Closed on the Czech public holidays (law 245/2000 Sb., Easter computed).',
    }),
    holidays: Type.Array(Type.String({ pattern: `${DATE}|^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$` }), {
      default: [],
      maxItems: 200,
      title: 'Extra holidays',
      description: '`YYYY-MM-DD` once, or `MM-DD` every year: closed all day.',
    }),
    closures: Type.Array(
      Type.Object(
        {
          from: Type.String({ pattern: DATE, title: 'First day', description: '`YYYY-MM-DD`.' }),
          to: Type.Optional(
            Type.String({ pattern: DATE, title: 'Last day', description: 'Same as from when absent.' }),
          ),
          reason: Type.Optional(
            Type.String({ maxLength: 200, title: 'Reason', description: 'Shown to visitors who pick that day.' }),
          ),
        },
        { additionalProperties: false },
      ),
      { default: [], maxItems: 200, title: 'Closures', description: 'Days the lot takes no bookings.' },
    ),
    limits: Type.Object(
      {
        max_active_per_email: Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 2,
          title: 'Active per e-mail',
          description: 'Bookings one e-mail address may hold at once.',
        }),
        max_active_per_plate: Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 2,
          title: 'Active per plate',
          description: 'Bookings one licence plate may hold at once.',
        }),
        max_per_day_per_person: Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 1,
          title: 'Per day per person',
          description: 'Bookings one e-mail or plate may hold on one calendar day.',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        title: 'Per-person limits',
        description: 'Counted over confirmed and checked-in bookings that have not ended.',
      },
    ),
  },
  {
    additionalProperties: false,
    title: 'Reservations',
    description: 'Booking rules of this lot; only slots marked `reservable` can be booked.',
  },
);
/** One lot's booking rules, as the file has them (snake_case); also the runtime type. */
export type ReservationRules = Static<typeof ReservationRulesSchema>;

/** Top-level `smtp`: without it no e-mail is sent and the confirmation page and .ics still work. */
export const SmtpSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 253, title: 'SMTP host', description: 'The mail server.' }),
    port: Type.Integer({
      minimum: 1,
      maximum: 65_535,
      default: 587,
      title: 'SMTP port',
      description: '587 (submission with STARTTLS) or 465 (TLS from the start).',
    }),
    secure: Type.Boolean({ default: false, title: 'TLS from the start', description: 'true for port 465.' }),
    require_tls: Type.Boolean({
      default: false,
      title: 'Require STARTTLS',
      description: 'Refuse to send when the server does not offer STARTTLS.',
    }),
    username: Type.Optional(
      Type.String({ maxLength: 200, title: 'Username', description: 'SMTP login; with password, or neither.' }),
    ),
    password: Type.Optional(Type.String({ maxLength: 500, title: 'Password', description: 'Use an env placeholder.' })),
    from: Type.String({
      minLength: 3,
      maxLength: 200,
      title: 'From',
      description: 'e.g. `Parkování <parking@kraj.cz>`.',
    }),
    public_url: Type.String({
      pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
      maxLength: 200,
      title: 'Public URL',
      description:
        'Base URL of this server as visitors reach it, for the manage link in e-mails; a trailing slash is dropped.',
    }),
    reminder_before_min: minutes('Reminder', 'Send the reminder this many minutes before the start.', 1440, 5, 20_160),
    retry_interval_s: Type.Integer({
      minimum: 1,
      maximum: 86_400,
      default: 60,
      title: 'Outbox interval',
      description: 'Seconds between passes over the mail outbox (sending and retrying).',
    }),
  },
  { additionalProperties: false, title: 'SMTP', description: 'Booking confirmations and reminders.' },
);
export type SmtpConfig = Static<typeof SmtpSchema>;

/** Top-level `privacy`: how long personal data of bookings is kept. */
export const PrivacySchema = Type.Object(
  {
    purge_after_days: Type.Integer({
      minimum: 0,
      maximum: 3650,
      default: 30,
      title: 'Purge after',
      description: 'Name, e-mail and plate are erased this many days after a booking ends; counts stay.',
    }),
    purge_interval_s: Type.Integer({
      minimum: 1,
      maximum: 86_400,
      default: 3600,
      title: 'Purge interval',
      description: 'Seconds between passes that erase expired personal data.',
    }),
  },
  { additionalProperties: false, default: {}, title: 'Privacy', description: 'GDPR data minimisation.' },
);
export type PrivacyConfig = Static<typeof PrivacySchema>;

/** One opening range in minutes of the local day, `to` exclusive (24:00 = 1440). */
export interface OpeningRange {
  from: number;
  to: number;
}

const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function parseRange(r: string): OpeningRange {
  const [a = '', b = ''] = r.split('-');
  return { from: toMin(a), to: toMin(b) };
}

/** What JSON Schema cannot say about one lot's rules, as `path: message` issues. */
export function refineRules(r: ReservationRules, at: string): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (r.min_duration_min > r.max_duration_min)
    issues.push({ path: `${at}/min_duration_min`, message: 'is longer than max_duration_min' });
  for (const k of ['min_duration_min', 'max_duration_min'] as const)
    if (r[k] % r.granularity_min !== 0)
      issues.push({ path: `${at}/${k}`, message: `must be a multiple of granularity_min (${r.granularity_min})` });
  for (const d of WEEKDAYS) {
    const ranges = r.opening_hours[d].map(parseRange);
    ranges.forEach((x, i) => {
      const p = `${at}/opening_hours/${d}/${i}`;
      if (x.to <= x.from) issues.push({ path: p, message: 'ends before it starts' });
      if (x.from % r.granularity_min !== 0 || x.to % r.granularity_min !== 0)
        issues.push({ path: p, message: `must fall on multiples of granularity_min (${r.granularity_min})` });
      const overlap = ranges.findIndex((y, j) => j < i && x.from < y.to && y.from < x.to);
      if (overlap >= 0) issues.push({ path: p, message: `overlaps range ${overlap}` });
    });
  }
  r.closures.forEach((c, i) => {
    if (c.to !== undefined && c.to < c.from) issues.push({ path: `${at}/closures/${i}/to`, message: 'is before from' });
  });
  for (const [i, h] of r.holidays.entries())
    if (!validDate(h.length === 5 ? `2024-${h}` : h))
      issues.push({ path: `${at}/holidays/${i}`, message: `"${h}" is not a calendar date` });
  return issues;
}

function validDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The opening ranges of one weekday, in minutes of the local day. */
export const openingRanges = (rules: ReservationRules, day: Weekday): OpeningRange[] =>
  rules.opening_hours[day].map(parseRange);

/** The last day of a closure: `to`, or `from` for a one-day closure. */
export const closureEnd = (c: ReservationRules['closures'][number]): string => c.to ?? c.from;

/** The reservations part of the config refinement: every lot's rules, and SMTP credentials. */
export function refineReservations(c: {
  lots: { reservations?: ReservationRules; cameras: { slots: { reservable: boolean }[] }[] }[];
  smtp?: SmtpConfig;
}): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  c.lots.forEach((lot, i) => {
    if (lot.reservations === undefined) return;
    issues.push(...refineRules(lot.reservations, `/lots/${i}/reservations`));
    if (lot.reservations.enabled && !lot.cameras.some((cam) => cam.slots.some((s) => s.reservable)))
      issues.push({ path: `/lots/${i}/reservations`, message: 'no slot of this lot is marked reservable' });
  });
  if (c.smtp !== undefined && (c.smtp.username === undefined) !== (c.smtp.password === undefined))
    issues.push({ path: '/smtp', message: 'set both username and password, or neither' });
  return issues;
}

/**
 * The parts of the server config this feature reads: its own sections and the kernel's. main passes
 * the whole config, which fits; the feature never sees the composed type (server/main/config/).
 */
export interface ReservationsConfig {
  timezone: string;
  lots: (LotConfig & { reservations?: ReservationRules })[];
  smtp?: SmtpConfig;
  privacy: PrivacyConfig;
  freshness: FreshnessConfig;
  web: WebConfig;
}
