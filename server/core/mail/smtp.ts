import nodemailer, { type Transporter } from 'nodemailer';

/** The SMTP fields a sender needs; the top-level `smtp` config section has them (snake_case, as in the file). */
export interface SmtpTransportOptions {
  host: string;
  port: number;
  secure: boolean;
  require_tls: boolean;
  username?: string | undefined;
  password?: string | undefined;
  from: string;
}

export interface MailMessage {
  to: readonly string[];
  subject: string;
  text: string;
}

/** Sends one e-mail; a feature that mails gets this from server/main instead of building a transport. */
export interface MailSender {
  send(m: MailMessage): Promise<void>;
  close(): void;
}

/**
 * A nodemailer SMTP transport behind {@link MailSender}, created on the first send (so a server
 * whose features never mail opens no connection) and closed by `close()`.
 */
export function smtpSender(o: SmtpTransportOptions): MailSender {
  let transport: Transporter | undefined;
  return {
    async send(m) {
      transport ??= nodemailer.createTransport({
        host: o.host,
        port: o.port,
        secure: o.secure,
        requireTLS: o.require_tls,
        ...(o.username !== undefined ? { auth: { user: o.username, pass: o.password ?? '' } } : {}),
      });
      await transport.sendMail({ from: o.from, to: [...m.to], subject: m.subject, text: m.text });
    },
    close() {
      transport?.close();
      transport = undefined;
    },
  };
}
