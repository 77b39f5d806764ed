import type { Language } from '../core/config/schema.ts';

/** Every text of the reservation pages and e-mails, in Czech and English. */
export const R = {
  cs: {
    title: 'Rezervace parkovacího místa',
    intro: 'Vyberte parkoviště, den a čas. Ukážeme, zda je místo volné, a pak ho můžete rezervovat.',
    lot: 'Parkoviště',
    date: 'Den',
    start: 'Od',
    end: 'Do',
    check: 'Zjistit volná místa',
    available: { one: '{n} místo lze rezervovat', few: '{n} místa lze rezervovat', other: '{n} míst lze rezervovat' },
    none: 'Pro tento čas už není žádné místo k dispozici.',
    opening: 'Otevřeno: {ranges}',
    bookHeading: 'Vaše údaje',
    name: 'Jméno a příjmení',
    email: 'E-mail',
    plate: 'SPZ (nepovinné)',
    consent:
      'Souhlasím se zpracováním jména, e-mailu a SPZ pro tuto rezervaci. Údaje smažeme {days} dní po jejím skončení.',
    book: 'Rezervovat',
    confirmed: 'Rezervace potvrzena',
    yourBooking: 'Vaše rezervace',
    code: 'Kód rezervace',
    when: 'Kdy',
    where: 'Kde',
    space: 'Místo',
    status: 'Stav',
    statuses: {
      confirmed: 'potvrzeno',
      checked_in: 'přijel(a) jste',
      no_show: 'nepřijel(a) jste',
      cancelled: 'zrušeno',
    },
    manageLink: 'Odkaz pro správu rezervace (uschovejte si ho, nikomu ho nedávejte):',
    qr: 'QR kód s odkazem pro správu rezervace',
    ics: 'Stáhnout do kalendáře (.ics)',
    cancel: 'Zrušit rezervaci',
    cancelled: 'Rezervace je zrušena.',
    modify: 'Změnit čas',
    save: 'Uložit změnu',
    cutoff: 'Rezervaci lze změnit nebo zrušit do {time}.',
    tooLate: 'Rezervaci už nelze měnit ani rušit.',
    grace: 'Pokud místo nebude obsazeno do {time}, rezervace propadne a místo uvolníme.',
    error: 'Rezervaci nelze provést',
    notFound: 'Rezervace nenalezena',
    back: 'Zpět na výběr',
    noLots: 'Žádné parkoviště zatím rezervace nenabízí.',
    skip: 'Přeskočit na obsah',
    languageNav: 'Jazyk',
    required: '(povinné)',
    mailSubject: 'Rezervace parkování {code}',
    reminderSubject: 'Připomínka: parkování {code}',
    cancelSubject: 'Zrušená rezervace parkování {code}',
    mailManage: 'Rezervaci změníte nebo zrušíte zde: {url}',
    mailReminderManage: 'Odkaz pro správu najdete v potvrzovacím e-mailu.',
  },
  en: {
    title: 'Reserve a parking space',
    intro: 'Choose a car park, a day and a time. We show whether a space is free, then you can reserve it.',
    lot: 'Car park',
    date: 'Day',
    start: 'From',
    end: 'Until',
    check: 'Check free spaces',
    available: { one: '{n} space can be reserved', other: '{n} spaces can be reserved' },
    none: 'No space is left for this time.',
    opening: 'Open: {ranges}',
    bookHeading: 'Your details',
    name: 'Full name',
    email: 'E-mail',
    plate: 'Licence plate (optional)',
    consent:
      'I agree that my name, e-mail and plate are processed for this booking. They are erased {days} days after it ends.',
    book: 'Reserve',
    confirmed: 'Booking confirmed',
    yourBooking: 'Your booking',
    code: 'Booking code',
    when: 'When',
    where: 'Where',
    space: 'Space',
    status: 'Status',
    statuses: { confirmed: 'confirmed', checked_in: 'arrived', no_show: 'did not arrive', cancelled: 'cancelled' },
    manageLink: 'Link to manage your booking (keep it, do not share it):',
    qr: 'QR code with the link to manage the booking',
    ics: 'Add to calendar (.ics)',
    cancel: 'Cancel booking',
    cancelled: 'The booking is cancelled.',
    modify: 'Change the time',
    save: 'Save the change',
    cutoff: 'You can change or cancel the booking until {time}.',
    tooLate: 'The booking can no longer be changed or cancelled.',
    grace: 'If the space is still empty at {time}, the booking lapses and the space is released.',
    error: 'The booking could not be made',
    notFound: 'Booking not found',
    back: 'Back to the search',
    noLots: 'No car park offers bookings yet.',
    skip: 'Skip to content',
    languageNav: 'Language',
    required: '(required)',
    mailSubject: 'Parking booking {code}',
    reminderSubject: 'Reminder: parking {code}',
    cancelSubject: 'Cancelled parking booking {code}',
    mailManage: 'Change or cancel the booking here: {url}',
    mailReminderManage: 'The link to manage it is in the confirmation e-mail.',
  },
} as const;
export type RStrings = (typeof R)[Language];

export const fill = (t: string, v: Record<string, string | number>) =>
  t.replace(/\{(\w+)\}/g, (m, k: string) => (k in v ? String(v[k]) : m));

export function plural(lang: Language, p: { one: string; few?: string; other: string }, n: number): string {
  const cat = new Intl.PluralRules(lang).select(n);
  const t = cat === 'one' ? p.one : cat === 'few' && p.few !== undefined ? p.few : p.other;
  return fill(t, { n });
}

/** "út 1. 12. 2026 9:00–11:00" / "Tue 1 Dec 2026, 09:00–11:00" in the server's zone. */
export function formatWindow(lang: Language, startAt: number, endAt: number, tz: string): string {
  const loc = lang === 'cs' ? 'cs-CZ' : 'en-GB';
  const day = new Intl.DateTimeFormat(loc, {
    timeZone: tz,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  }).format(startAt);
  const t = new Intl.DateTimeFormat(loc, { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${day}, ${t.format(startAt)}–${t.format(endAt)}`;
}

export function formatTime(lang: Language, at: number, tz: string): string {
  return new Intl.DateTimeFormat(lang === 'cs' ? 'cs-CZ' : 'en-GB', {
    timeZone: tz,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(at);
}
