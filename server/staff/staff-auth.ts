import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { StaffRole } from '../core/access.ts';
import type { Clock } from '../core/clock.ts';
import { AccountAccess } from './account-access.ts';
import { Accounts } from './accounts.ts';
import { AuditLog } from './audit-log.ts';
import type { AuthConfig } from './config.ts';
import { SlidingWindowLimiter } from './rate-limit.ts';
import { Sessions } from './sessions.ts';

/** One route as the staff route table sees it. */
export interface RouteRecord {
  method: string;
  url: string;
  /** The role its `access.require()` asks for; undefined for routes without one (public). */
  role: StaffRole | undefined;
}

/** Everything staff authentication needs, built once per server (Components.auth). */
export interface StaffAuth {
  config: AuthConfig;
  accounts: Accounts;
  sessions: Sessions;
  auditLog: AuditLog;
  /** Failed logins per (username, client address) and per client address. */
  limits: { user: SlidingWindowLimiter; ip: SlidingWindowLimiter };
  access: AccountAccess;
  /** Every route registered after registerStaffAuth, with the staff role it requires. */
  routes: RouteRecord[];
  /** Label of the single sign-on button on the login page; absent without identity.staff. */
  ssoLabel?: string;
}

export function createStaffAuth(
  db: Database,
  clock: Clock,
  config: AuthConfig,
  token: string | undefined,
  log: Logger,
  o: { ssoLabel?: string | undefined } = {},
): StaffAuth {
  const accounts = new Accounts(db, clock, { scryptLog2N: config.scrypt_log2_n });
  const sessions = new Sessions(db, clock, {
    idleMs: config.session_idle_s * 1000,
    absoluteMs: config.session_absolute_s * 1000,
  });
  const auditLog = new AuditLog(db, clock);
  const windowMs = config.login_window_s * 1000;
  return {
    config,
    accounts,
    sessions,
    auditLog,
    limits: {
      user: new SlidingWindowLimiter(clock, { windowMs, max: config.login_max_per_user }),
      ip: new SlidingWindowLimiter(clock, { windowMs, max: config.login_max_per_ip }),
    },
    access: new AccountAccess({ accounts, sessions, auditLog, token, log }),
    routes: [],
    ...(o.ssoLabel !== undefined ? { ssoLabel: o.ssoLabel } : {}),
  };
}
