import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import type { FlowSecrets } from './relying-party.ts';

/** 256 random bits, base64url: what a cookie carries. Only its SHA-256 is stored. */
export const newSecret = () => randomBytes(32).toString('base64url');
const hash = (id: string) => createHash('sha256').update(id).digest();

/** A sign-in has this long between leaving for the provider and coming back. */
export const FLOW_TTL_MS = 10 * 60_000;
/** A citizen session ends this long after sign-in however active it is. */
const CITIZEN_ABSOLUTE_MS = 8 * 3600_000;

/**
 * The verified person as a booking stores it: SHA-256 of issuer and subject, hex. Hashing keeps
 * the provider's identifier (for NIA a pseudonym per service, but not necessarily elsewhere) out
 * of the database while one person still maps to one key.
 */
export function subjectKey(issuer: string, sub: string): string {
  return createHash('sha256').update(`${issuer}\n${sub}`).digest('hex');
}

export type FlowPurpose = 'citizen' | 'staff';

/** Sign-ins in flight (oidc_flows): single use, expire after FLOW_TTL_MS. */
export class FlowStore {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
  ) {}

  /** Stores a flow; returns the id for the cookie. */
  async create(purpose: FlowPurpose, secrets: FlowSecrets, returnTo: string): Promise<string> {
    const now = this.clock.now();
    await this.sql.run('DELETE FROM oidc_flows WHERE created_at <= $1', [now - FLOW_TTL_MS]);
    const id = newSecret();
    await this.sql.run(
      `INSERT INTO oidc_flows (flow_hash, purpose, state, nonce, code_verifier, return_to, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [hash(id), purpose, secrets.state, secrets.nonce, secrets.codeVerifier, returnTo, now],
    );
    return id;
  }

  /**
   * The flow for a cookie, removed at once (a replayed callback finds nothing). One DELETE …
   * RETURNING: of two callbacks racing, on one instance or two, only one gets the row.
   */
  async take(id: string, purpose: FlowPurpose): Promise<(FlowSecrets & { returnTo: string }) | undefined> {
    if (id.length !== 43) return undefined;
    const r = await this.sql.one<{ state: string; nonce: string; code_verifier: string; return_to: string }>(
      `DELETE FROM oidc_flows WHERE flow_hash = $1 AND purpose = $2 AND created_at > $3
       RETURNING state, nonce, code_verifier, return_to`,
      [hash(id), purpose, this.clock.now() - FLOW_TTL_MS],
    );
    if (r === undefined) return undefined;
    return { state: r.state, nonce: r.nonce, codeVerifier: r.code_verifier, returnTo: r.return_to };
  }
}

/** A signed-in citizen. */
export interface CitizenSession {
  subjectKey: string;
  /** Only when the provider vouched for it (`email` scope, `email_verified`). */
  email: string | undefined;
  csrfToken: string;
}

/**
 * Citizen sessions (citizen_sessions), server-side like staff sessions: the cookie holds a random
 * id. Read from the database on every request (no cache), so every instance honours a sign-out.
 */
export class CitizenSessions {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
    private readonly idleMs: number,
  ) {}

  async create(subject: string, email: string | undefined): Promise<string> {
    const now = this.clock.now();
    await this.sql.run('DELETE FROM citizen_sessions WHERE last_seen_at < $1 OR created_at < $2', [
      now - this.idleMs,
      now - CITIZEN_ABSOLUTE_MS,
    ]);
    const id = newSecret();
    await this.sql.run(
      `INSERT INTO citizen_sessions (session_hash, subject_key, email, csrf_token, created_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $5)`,
      [hash(id), subject, email ?? null, newSecret(), now],
    );
    return id;
  }

  async resolve(id: string | undefined): Promise<CitizenSession | undefined> {
    if (id === undefined || id.length !== 43) return undefined;
    const key = hash(id);
    const r = await this.sql.one<{
      subject_key: string;
      email: string | null;
      csrf_token: string;
      created_at: number;
      last_seen_at: number;
    }>(
      `SELECT subject_key, email, csrf_token, created_at, last_seen_at FROM citizen_sessions
       WHERE session_hash = $1`,
      [key],
    );
    if (r === undefined) return undefined;
    const now = this.clock.now();
    if (now >= r.last_seen_at + this.idleMs || now >= r.created_at + CITIZEN_ABSOLUTE_MS) {
      await this.sql.run('DELETE FROM citizen_sessions WHERE session_hash = $1', [key]);
      return undefined;
    }
    if (now - r.last_seen_at >= 60_000)
      // Never backwards: another instance may have touched it with a later time meanwhile.
      await this.sql.run(
        'UPDATE citizen_sessions SET last_seen_at = $1 WHERE session_hash = $2 AND last_seen_at < $1',
        [now, key],
      );
    return { subjectKey: r.subject_key, email: r.email ?? undefined, csrfToken: r.csrf_token };
  }

  async destroy(id: string | undefined): Promise<void> {
    if (id !== undefined) await this.sql.run('DELETE FROM citizen_sessions WHERE session_hash = $1', [hash(id)]);
  }
}
