import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** A pino logger whose output is kept in memory, with the agent's redaction settings. */
export function captureLog(level = 'debug'): {
  log: Logger;
  text: () => string;
  entries: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const log = pino({ level, redact: { paths: ['password', '*.password', '*.*.password'], censor: '***' } }, sink);
  return {
    log,
    text: () => lines.join(''),
    entries: () =>
      lines
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
