import { Type, type Static } from 'typebox';

const int = (title: string, description: string, def: number, minimum: number, maximum: number) =>
  Type.Integer({ minimum, maximum, default: def, title, description });

/** The `auth` section of the server configuration: staff sessions, login limits, password hashing. */
export const AuthConfigSchema = Type.Object(
  {
    session_idle_s: int(
      'Session idle timeout',
      'A staff session unused this long ends; every request renews it.',
      1800,
      60,
      7 * 86_400,
    ),
    session_absolute_s: int(
      'Session lifetime',
      'A staff session ends this long after login however active it is.',
      12 * 3600,
      300,
      30 * 86_400,
    ),
    cookie_secure: Type.Boolean({
      default: false,
      title: 'Secure cookie',
      description:
        'Always mark the session cookie Secure. It is marked anyway when the request came over HTTPS (set http.trust_proxy behind a TLS proxy).',
    }),
    login_window_s: int('Login window', 'Failed logins are counted over this sliding window.', 900, 10, 86_400),
    login_max_per_user: int(
      'Failed logins per user and address',
      'Failed logins for one username from one client address within the window before that address’s further tries for it are refused (429). Other addresses, and existing sessions, are not affected.',
      5,
      1,
      1000,
    ),
    login_max_per_ip: int(
      'Failed logins per address',
      'Failed logins from one client address within the window before further tries are refused (429).',
      20,
      1,
      10_000,
    ),
    scrypt_log2_n: int(
      'Password hash cost',
      'log2 of scrypt’s N (r=8, p=1). 17 is OWASP’s minimum: 128 MiB and about a second of one core per login. Existing hashes are upgraded at their next login.',
      17,
      14,
      20,
    ),
  },
  {
    additionalProperties: false,
    default: {},
    title: 'Staff accounts',
    description: 'Staff login sessions, login rate limits and password hashing.',
  },
);
/** The `auth` section, as the file has it (snake_case); also the runtime type. */
export type AuthConfig = Static<typeof AuthConfigSchema>;
