import type { Logger } from 'pino';
import type { StaffRole } from '../core/access.ts';
import type { Clock } from '../core/clock.ts';
import type { Registry } from '../core/metrics/registry.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import { AccountAccess } from './account-access.ts';
import { Accounts } from './accounts.ts';
import { AuditLog } from './audit-log.ts';
import type { AuthConfig } from './config.ts';
import { LoginLimiter } from './login-limiter.ts';
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
  /** Login attempts per (username, client address) and per client address, shared by every instance. */
  limits: LoginLimiter;
  access: AccountAccess;
  /** Every route registered after registerStaffAuth, with the staff role it requires. */
  routes: RouteRecord[];
  /** Label of the single sign-on button on the login page; absent without identity.staff. */
  ssoLabel?: string;
}

export function createStaffAuth(
  sql: SqlExecutor,
  clock: Clock,
  config: AuthConfig,
  token: string | undefined,
  log: Logger,
  o: { ssoLabel?: string | undefined; registry?: Registry | undefined } = {},
): StaffAuth {
  const accounts = new Accounts(sql, clock, { scryptLog2N: config.scrypt_log2_n });
  const sessions = new Sessions(sql, clock, {
    idleMs: config.session_idle_s * 1000,
    absoluteMs: config.session_absolute_s * 1000,
  });
  const auditLog = new AuditLog(sql, clock);
  return {
    config,
    accounts,
    sessions,
    auditLog,
    limits: new LoginLimiter(sql, clock, config.login_window_s * 1000),
    access: new AccountAccess({ accounts, sessions, auditLog, token, log, registry: o.registry }),
    routes: [],
    ...(o.ssoLabel !== undefined ? { ssoLabel: o.ssoLabel } : {}),
  };
}
