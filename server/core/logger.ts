import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';

const require = createRequire(import.meta.url);

function prettyAvailable(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * The server's pino logger: JSON lines, pretty only on a terminal (and only when pino-pretty is
 * installed: it is a dev dependency). Credentials never reach the log.
 */
export function createLogger(
  level: string,
  opts: { pretty?: boolean; /** Tests capture the lines here. */ destination?: DestinationStream } = {},
): Logger {
  const pretty =
    opts.destination === undefined && (opts.pretty ?? (process.stdout.isTTY === true && prettyAvailable()));
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'volno-server' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        // Staff accounts (issue 7): passwords in a logged object or request body, the cookie headers
        // that carry session ids (both ways), CSRF tokens and stored hashes.
        'headers.authorization',
        'headers.cookie',
        '*.headers.authorization',
        '*.headers.cookie',
        'res.headers["set-cookie"]',
        '*.headers["set-cookie"]',
        'cookies',
        '*.cookies',
        'body.password',
        '*.body.password',
        'csrf_token',
        '*.csrf_token',
        'csrfToken',
        '*.csrfToken',
        'password_hash',
        '*.password_hash',
        'passwordHash',
        '*.passwordHash',
        'password',
        '*.password',
        'staff_token',
        '*.staff_token',
        'staffToken',
        '*.staffToken',
      ],
      censor: '***',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  };
  return opts.destination === undefined ? pino(options) : pino(options, opts.destination);
}
