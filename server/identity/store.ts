import { createHash, randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../core/clock.ts';
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
  private readonly q: Record<'insert' | 'take' | 'purge', Statement>;

  constructor(
    db: Database,
    private readonly clock: Clock,
  ) {
    this.q = {
      insert:
        db.prepare(`INSERT INTO oidc_flows (flow_hash, purpose, state, nonce, code_verifier, return_to, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)`),
      take: db.prepare(`DELETE FROM oidc_flows WHERE flow_hash = ? AND purpose = ? AND created_at > ?
        RETURNING state, nonce, code_verifier, return_to`),
      purge: db.prepare('DELETE FROM oidc_flows WHERE created_at <= ?'),
    };
  }

  /** Stores a flow; returns the id for the cookie. */
  create(purpose: FlowPurpose, secrets: FlowSecrets, returnTo: string): string {
    const now = this.clock.now();
    this.q.purge.run(now - FLOW_TTL_MS);
    const id = newSecret();
    this.q.insert.run(hash(id), purpose, secrets.state, secrets.nonce, secrets.codeVerifier, returnTo, now);
    return id;
  }

  /** The flow for a cookie, removed at once (a replayed callback finds nothing). */
  take(id: string, purpose: FlowPurpose): (FlowSecrets & { returnTo: string }) | undefined {
    if (id.length !== 43) return undefined;
    const r = this.q.take.get(hash(id), purpose, this.clock.now() - FLOW_TTL_MS) as
      { state: string; nonce: string; code_verifier: string; return_to: string } | undefined;
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

/** Citizen sessions (citizen_sessions), server-side like staff sessions: the cookie holds a random id. */
export class CitizenSessions {
  private readonly q: Record<'insert' | 'get' | 'touch' | 'delete' | 'purge', Statement>;

  constructor(
    db: Database,
    private readonly clock: Clock,
    private readonly idleMs: number,
  ) {
    this.q = {
      insert: db.prepare(`INSERT INTO citizen_sessions (session_hash, subject_key, email, csrf_token, created_at,
        last_seen_at) VALUES (?, ?, ?, ?, ?, ?)`),
      get: db.prepare(`SELECT subject_key, email, csrf_token, created_at, last_seen_at FROM citizen_sessions
        WHERE session_hash = ?`),
      touch: db.prepare('UPDATE citizen_sessions SET last_seen_at = ? WHERE session_hash = ?'),
      delete: db.prepare('DELETE FROM citizen_sessions WHERE session_hash = ?'),
      purge: db.prepare('DELETE FROM citizen_sessions WHERE last_seen_at < ? OR created_at < ?'),
    };
  }

  create(subject: string, email: string | undefined): string {
    const now = this.clock.now();
    this.q.purge.run(now - this.idleMs, now - CITIZEN_ABSOLUTE_MS);
    const id = newSecret();
    this.q.insert.run(hash(id), subject, email ?? null, newSecret(), now, now);
    return id;
  }

  resolve(id: string | undefined): CitizenSession | undefined {
    if (id === undefined || id.length !== 43) return undefined;
    const key = hash(id);
    const r = this.q.get.get(key) as
      | { subject_key: string; email: string | null; csrf_token: string; created_at: number; last_seen_at: number }
      | undefined;
    if (r === undefined) return undefined;
    const now = this.clock.now();
    if (now >= r.last_seen_at + this.idleMs || now >= r.created_at + CITIZEN_ABSOLUTE_MS) {
      this.q.delete.run(key);
      return undefined;
    }
    if (now - r.last_seen_at >= 60_000) this.q.touch.run(now, key);
    return { subjectKey: r.subject_key, email: r.email ?? undefined, csrfToken: r.csrf_token };
  }

  destroy(id: string | undefined): void {
    if (id !== undefined) this.q.delete.run(hash(id));
  }
}
