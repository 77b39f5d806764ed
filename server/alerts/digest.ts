import type { MailMessage } from '../core/mail/smtp.ts';
import { fill } from '../core/web/i18n.ts';
import { ALERT_TEXTS, localTime } from './i18n.ts';
import type { AlertRow } from './store.ts';

/**
 * One digest e-mail: what was raised and what was resolved since the last digest, and how many are
 * still open. An alert that came and went between two digests appears once, as resolved.
 */
export function composeDigest(o: {
  news: readonly AlertRow[];
  openCount: number;
  recipients: readonly string[];
  lang: 'cs' | 'en';
  tz: string;
  publicUrl: string | undefined;
}): MailMessage {
  const t = ALERT_TEXTS[o.lang];
  const raised = o.news.filter((a) => a.resolvedAt === null);
  const resolved = o.news.filter((a) => a.resolvedAt !== null);
  const line = (a: AlertRow, when: string) =>
    `- ${t.kinds[a.kind]}: ${a.subject}${a.detail === null ? '' : ` (${a.detail})`}, ${when}`;
  const lines: string[] = [];
  if (raised.length > 0) {
    lines.push(t.digestRaised);
    for (const a of raised) lines.push(line(a, fill(t.since, { t: localTime(a.raisedAt, o.tz) })));
    lines.push('');
  }
  if (resolved.length > 0) {
    lines.push(t.digestResolved);
    for (const a of resolved)
      lines.push(
        line(a, fill(t.resolvedLine, { t: localTime(a.resolvedAt!, o.tz), from: localTime(a.raisedAt, o.tz) })),
      );
    lines.push('');
  }
  lines.push(fill(t.digestOpen, { n: o.openCount }));
  if (o.publicUrl !== undefined)
    lines.push(fill(t.digestLink, { url: `${o.publicUrl.replace(/\/$/, '')}/staff/alerts?lang=${o.lang}` }));
  return {
    to: o.recipients,
    subject: fill(t.digestSubject, { raised: raised.length, resolved: resolved.length }),
    text: lines.join('\n') + '\n',
  };
}
