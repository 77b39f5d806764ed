import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import { ReservationError } from './errors.ts';
import { emailKey } from './token.ts';

/**
 * How a lot knows who books (`reservations.identity`):
 * - `oidc`: signed in through the region's identity gateway; the booking is bound to the verified
 *   subject and per-person limits count subjects;
 * - `email`: the booking holds its space as pending until the link mailed to the address is opened
 *   and confirmed; one mail only to an address that never confirmed one;
 * - `none`: anyone books with any address, at once. Only for a demo.
 */
export const IDENTITY_MODES = ['oidc', 'email', 'none'] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];

/** A citizen signed in through OpenID Connect, as the booking routes see them. */
export interface Citizen {
  /** SHA-256 of issuer and subject (hex). */
  subjectKey: string;
  /** Only when the provider vouched for it. */
  email: string | undefined;
  /** Forms of a signed-in citizen carry it (`csrf_token`); scripts send `x-csrf-token`. */
  csrfToken: string;
}

/** The signed-in citizen of a request, if any (implemented by server/identity). */
export type CitizenLookup = (req: FastifyRequest) => Promise<Citizen | undefined>;

/**
 * No second confirmation mail to an address that has not confirmed one for this long: an attacker
 * who types a victim's address gets one mail to them a day at most, not a mail per booking.
 */
export const UNVERIFIED_COOLDOWN_MS = 24 * 3600_000;
/** A confirmed address stays known this long (then it gets the one-mail rule again). */
const VERIFIED_KEEP_MS = 180 * 86_400_000;

const addressHash = (email: string) => createHash('sha256').update(emailKey(email)).digest();

/**
 * Which addresses have confirmed a booking link (email_verifications). Only hashes of addresses
 * are kept. Callers own the transaction: `on(tx)` joins it.
 */
export class EmailVerifications {
  constructor(private readonly sql: SqlExecutor) {}

  on(tx: SqlExecutor): EmailVerifications {
    return tx === this.sql ? this : new EmailVerifications(tx);
  }

  /** Throws 429 VOLNO_RESERVATION_UNVERIFIED while a link sent to this unconfirmed address cools down. */
  async mayMail(email: string, now: number): Promise<void> {
    await this.sql.run(
      'DELETE FROM email_verifications WHERE (verified_at IS NULL AND sent_at < $1) OR verified_at < $2',
      [now - UNVERIFIED_COOLDOWN_MS, now - VERIFIED_KEEP_MS],
    );
    const r = await this.sql.one<{ sent_at: number; verified_at: number | null }>(
      'SELECT sent_at, verified_at FROM email_verifications WHERE address_hash = $1',
      [addressHash(email)],
    );
    if (r === undefined || r.verified_at !== null) return;
    if (now - r.sent_at < UNVERIFIED_COOLDOWN_MS)
      throw new ReservationError(
        429,
        'VOLNO_RESERVATION_UNVERIFIED',
        'we already sent a confirmation link to this address; open it first, or try again tomorrow',
      );
  }

  async sent(email: string, now: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO email_verifications (address_hash, sent_at) VALUES ($1, $2)
       ON CONFLICT (address_hash) DO UPDATE SET sent_at = excluded.sent_at`,
      [addressHash(email), now],
    );
  }

  async verified(email: string, now: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO email_verifications (address_hash, sent_at, verified_at) VALUES ($1, $2, $2)
       ON CONFLICT (address_hash) DO UPDATE SET verified_at = excluded.verified_at`,
      [addressHash(email), now],
    );
  }
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function sameSecret(given: unknown, want: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}
