import type { Language } from '../core/config/schema.ts';
import { fill, formatTime } from './i18n.ts';
import type { Booking } from './store.ts';

/** Texts of sign-in and e-mail confirmation (issue 13), in Czech and English. */
export const I = {
  cs: {
    signInNeeded: 'Rezervovat na tomto parkovišti může jen přihlášený občan.',
    signIn: 'Přihlásit se přes Identitu občana',
    signedIn: 'Jste přihlášen(a) přes Identitu občana.',
    signOut: 'Odhlásit se',
    signedOut: 'Byl(a) jste odhlášen(a).',
    checkMail: 'Zkontrolujte e-mail',
    checkMailText:
      'Poslali jsme vám odkaz pro potvrzení. Místo pro vás držíme do {time}; bez potvrzení rezervace propadne.',
    pending: 'čeká na potvrzení',
    confirmText: 'Rezervace čeká na potvrzení. Potvrďte ji do {time}, jinak propadne.',
    confirm: 'Potvrdit rezervaci',
    mailSubject: 'Potvrďte rezervaci parkování {code}',
    mailText: 'Potvrďte prosím rezervaci do {time} na této adrese:',
    mailIgnore: 'Pokud jste o rezervaci nežádal(a), e-mail ignorujte; další vám nepošleme.',
  },
  en: {
    signInNeeded: 'At this car park only signed-in citizens can book.',
    signIn: 'Sign in with the citizen identity',
    signedIn: 'You are signed in with the citizen identity.',
    signOut: 'Sign out',
    signedOut: 'You are signed out.',
    checkMail: 'Check your e-mail',
    checkMailText:
      'We sent you a confirmation link. The space is held for you until {time}; unconfirmed, the booking lapses.',
    pending: 'awaiting confirmation',
    confirmText: 'The booking awaits confirmation. Confirm it by {time}, or it lapses.',
    confirm: 'Confirm the booking',
    mailSubject: 'Confirm your parking booking {code}',
    mailText: 'Please confirm the booking by {time} at this address:',
    mailIgnore: 'If you did not ask for this booking, ignore this e-mail; we will not send you another.',
  },
} satisfies Record<Language, Record<string, string>>;

/** The one mail to an unconfirmed address: the link that confirms the booking, nothing more. */
export function pendingMail(
  b: Booking,
  link: string,
  when: string,
  lot: { name: string; address: string },
  tz: string,
): { subject: string; text: string } {
  const t = I[b.lang];
  const until = formatTime(b.lang, b.pendingUntil!, tz);
  return {
    subject: fill(t.mailSubject, { code: b.code }),
    text: [
      fill(t.mailText, { time: until }),
      link,
      '',
      `${when}, ${lot.name}${lot.address ? `, ${lot.address}` : ''}`,
      '',
      t.mailIgnore,
    ].join('\n'),
  };
}
