import { SMTPServer } from 'smtp-server';
import { freePort } from '../fixtures/process.ts';

export interface ReceivedMail {
  /** The envelope recipients. */
  to: string[];
  /** The message as it came over the wire, headers included. */
  raw: string;
}

export interface SmtpReceiver {
  port: number;
  /** Every message received, in order; tests may empty it between cases. */
  inbox: ReceivedMail[];
  stop(): Promise<void>;
}

/**
 * A real SMTP receiver on a free port of 127.0.0.1: plain SMTP without STARTTLS or AUTH, like a local relay.
 * Messages go into `inbox` (a new array unless one is given).
 */
export async function startSmtpReceiver(inbox: ReceivedMail[] = []): Promise<SmtpReceiver> {
  const port = await freePort();
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  return { port, inbox, stop: () => new Promise<void>((resolve) => smtp.close(() => resolve())) };
}

/** Quoted-printable soft breaks and escapes undone, so links, codes and text can be searched for. */
export const decodedMail = (raw: string): string =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
