import { createHash, randomBytes, randomInt } from 'node:crypto';

/** 256 random bits, base64url: 43 characters. Only its SHA-256 is stored. */
export function newManageToken(): string {
  return randomBytes(32).toString('base64url');
}

export const MANAGE_TOKEN_PATTERN = '^[A-Za-z0-9_-]{43}$';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

// Crockford's base32 without I, L, O, U: readable over the phone, no look-alikes.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A short booking code for people (`K7Q-4MZP`): 40 random bits. It identifies a booking to staff;
 * it grants nothing, so it need not be unguessable — the manage token is the secret.
 */
export function newBookingCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** Lower-cased, trimmed e-mail: the key per-person limits count by. */
export const emailKey = (email: string) => email.trim().toLowerCase();

/** Licence plate without spaces and dashes, upper-cased: `1AB 2345` and `1ab-2345` are one car. */
export const plateKey = (plate: string) => plate.replace(/[\s-]/g, '').toUpperCase();
