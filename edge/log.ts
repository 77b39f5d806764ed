import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Query parameters that cameras use for credentials (Hikvision, Dahua and Axis all accept some of these). */
const SECRET_PARAMS = /^(user(name)?|pass(word)?|pwd|token|auth|key|secret|signature)$/i;

/**
 * Hides credentials in a URL: user info and credential-like query values become `***`.
 * Anything that does not parse as a URL is returned unchanged, so it is safe on any argv element.
 */
export function redactUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Unparseable but URL-shaped: drop everything between the scheme and the last '@'.
    return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, '$1***@');
  }
  if (url.username) url.username = '***';
  if (url.password) url.password = '***';
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAMS.test(name)) url.searchParams.set(name, '***');
  }
  // URL percent-encodes '*' nowhere, but serialises an empty password as 'user@'; keep it readable.
  return url.toString().replace(/%2A/g, '*');
}

/**
 * Redacts every URL inside free text, such as ffmpeg's stderr, which echoes its input URL with the
 * credentials in it (`Input #0, rtsp, from 'rtsp://admin:secret@…'`).
 */
export function redactText(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, (url) => redactUrl(url));
}

/** ffmpeg's argv with every URL redacted, for logs. */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map(redactUrl);
}

/** Config and payload keys pino must never print, at any depth we use. */
const REDACT_PATHS = ['password', '*.password', '*.*.password', 'username', '*.username', '*.*.username'];

export interface LoggerOptions {
  level?: string;
  /** Pretty, coloured lines; default: when stdout is a terminal. */
  pretty?: boolean;
}

/**
 * The agent's root logger. Children per camera add `camera`. Pretty output only on a terminal, since
 * journald and log shippers want one JSON object per line; pino-pretty is a dev dependency, so a
 * production install without it falls back to JSON instead of failing.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const base = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '***' },
  };
  if (opts.pretty ?? process.stdout.isTTY) {
    try {
      return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
    } catch {
      // pino-pretty missing: fall through to JSON lines.
    }
  }
  return pino(base);
}

/** A logger that drops everything, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
