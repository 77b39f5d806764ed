import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { StaffSignIn } from '../core/staff-sign-in.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import type { IdentityConfig } from './config.ts';
import { RelyingParty } from './relying-party.ts';
import { CitizenSessions, FlowStore, type CitizenSession } from './store.ts';

/** The citizen session cookie (SameSite=Lax: the sign-in comes back from the provider's site). */
export const CITIZEN_COOKIE = 'volno_citizen';
export const CITIZEN_CALLBACK = '/reserve/oidc/callback';
export const STAFF_CALLBACK = '/staff/sso/callback';

/**
 * OpenID Connect sign-in as one component: the relying parties for citizens (identity gateway) and
 * staff (single sign-on), sign-ins in flight, and citizen sessions. Nothing talks to a provider
 * until the first sign-in, so start-up never waits for one.
 */
export class Identity {
  readonly flows: FlowStore;
  readonly citizens: CitizenSessions | undefined;
  readonly citizenRp: RelyingParty | undefined;
  readonly staffRp: RelyingParty | undefined;

  constructor(
    sql: SqlExecutor,
    clock: Clock,
    readonly config: IdentityConfig,
    log: Logger,
  ) {
    this.flows = new FlowStore(sql, clock);
    const base = (config.public_url ?? '').replace(/\/+$/, '');
    const insecure = config.allow_insecure_requests;
    if (insecure) log.warn('identity.allow_insecure_requests is on: OpenID providers over plain http (tests only)');
    const c = config.citizen;
    if (c !== undefined) {
      this.citizens = new CitizenSessions(sql, clock, c.session_idle_s * 1000);
      this.citizenRp = new RelyingParty(
        {
          issuer: c.issuer,
          clientId: c.client_id,
          ...(c.client_secret !== undefined ? { clientSecret: c.client_secret } : {}),
          scopes: c.scopes,
          redirectUri: base + CITIZEN_CALLBACK,
          allowInsecure: insecure,
        },
        log.child({ rp: 'citizen' }),
      );
    }
    const s = config.staff;
    if (s !== undefined)
      this.staffRp = new RelyingParty(
        {
          issuer: s.issuer,
          clientId: s.client_id,
          ...(s.client_secret !== undefined ? { clientSecret: s.client_secret } : {}),
          scopes: s.scopes,
          redirectUri: base + STAFF_CALLBACK,
          allowInsecure: insecure,
        },
        log.child({ rp: 'staff' }),
      );
  }

  /** The signed-in citizen of a request, if any (the reservation routes' CitizenLookup). */
  readonly citizenOf = async (req: FastifyRequest): Promise<CitizenSession | undefined> =>
    this.citizens?.resolve(req.cookies?.[CITIZEN_COOKIE]);

  /** Absolute callback URL as the provider redirected to it (the registered URI plus the query). */
  callbackUrl(path: string, reqUrl: string): URL {
    const u = new URL((this.config.public_url ?? '').replace(/\/+$/, '') + path);
    u.search = new URL(reqUrl, 'http://localhost').search;
    return u;
  }

  /** Whether cookies must be Secure: the public URL is https. */
  get secureCookies(): boolean {
    return (this.config.public_url ?? '').startsWith('https://');
  }

  /** Staff single sign-on for the staff feature, where `identity.staff` is configured. */
  staffSignIn(): StaffSignIn | undefined {
    const rp = this.staffRp;
    const cfg = this.config.staff;
    if (rp === undefined || cfg === undefined) return undefined;
    return {
      callbackPath: STAFF_CALLBACK,
      secureCookies: this.secureCookies,
      roleClaim: cfg.role_claim,
      usernameClaim: cfg.username_claim,
      roles: cfg.roles,
      begin: async (returnTo) => {
        const { url, secrets } = await rp.begin();
        return { url, flowId: await this.flows.create('staff', secrets, returnTo) };
      },
      finish: async (flowId, reqUrl) => {
        const flow = await this.flows.take(flowId, 'staff');
        if (flow === undefined) return undefined;
        return { claims: await rp.finish(this.callbackUrl(STAFF_CALLBACK, reqUrl), flow), returnTo: flow.returnTo };
      },
    };
  }
}
