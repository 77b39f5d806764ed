import type { AlertKind } from './types.ts';

type Lang = 'cs' | 'en';

/** Texts of the alerts page and the digest, in Czech and English. */
export const ALERT_TEXTS = {
  cs: {
    title: 'Upozornění',
    open: 'Otevřená upozornění',
    resolved: 'Nedávno vyřešená',
    none: 'Žádné otevřené upozornění.',
    noneResolved: 'Za posledních {days} dní nic nevyřešeno.',
    kind: 'Druh',
    subject: 'Čeho se týká',
    detail: 'Podrobnosti',
    raisedAt: 'Od',
    resolvedAt: 'Vyřešeno',
    mailed: 'V souhrnu',
    yes: 'ano',
    pending: 'čeká na příští souhrn',
    digestSubject: 'Volno: {raised} nových, {resolved} vyřešených upozornění',
    digestRaised: 'Nová upozornění:',
    digestResolved: 'Vyřešeno:',
    digestOpen: 'Stále otevřeno: {n}',
    digestLink: 'Přehled: {url}',
    since: 'od {t}',
    resolvedLine: 'vyřešeno {t} (od {from})',
    kinds: {
      camera_down: 'Kamera nedává obraz',
      camera_moved: 'Kamera se pohnula',
      agent_offline: 'Agent je offline',
      storage_errors: 'Chyby zápisu do databáze',
      held_space_taken: 'Auto na drženém místě',
      unknown_too_long: 'Stav místa dlouho neznámý',
    } satisfies Record<AlertKind, string>,
  },
  en: {
    title: 'Alerts',
    open: 'Open alerts',
    resolved: 'Recently resolved',
    none: 'No open alerts.',
    noneResolved: 'Nothing resolved in the last {days} days.',
    kind: 'Kind',
    subject: 'About',
    detail: 'Detail',
    raisedAt: 'Since',
    resolvedAt: 'Resolved',
    mailed: 'In a digest',
    yes: 'yes',
    pending: 'waits for the next digest',
    digestSubject: 'Volno: {raised} new, {resolved} resolved alerts',
    digestRaised: 'New alerts:',
    digestResolved: 'Resolved:',
    digestOpen: 'Still open: {n}',
    digestLink: 'Overview: {url}',
    since: 'since {t}',
    resolvedLine: 'resolved {t} (since {from})',
    kinds: {
      camera_down: 'Camera down',
      camera_moved: 'Camera moved',
      agent_offline: 'Agent offline',
      storage_errors: 'Storage errors',
      held_space_taken: 'A car in a held space',
      unknown_too_long: 'Unknown for too long',
    } satisfies Record<AlertKind, string>,
  },
} as const;

export type AlertTexts = (typeof ALERT_TEXTS)[Lang];

/** "2026-12-04 21:40" in the server's time zone. */
export function localTime(ms: number, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
