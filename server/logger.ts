import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

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
export function createLogger(level: string, opts: { pretty?: boolean } = {}): Logger {
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && prettyAvailable());
  return pino({
    level,
    base: { service: 'volno-server' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
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
  });
}
