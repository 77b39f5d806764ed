import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Language, SlotType } from '../config/schema.ts';

type Plural = { one: string; few?: string; other: string };

/** Every text of the public page, in Czech and English. `{name}` marks a value filled in later. */
export interface Strings {
  skip: string;
  languageNav: string;
  free: Plural;
  total: string;
  occupied: string;
  unknown: string;
  reserved: string;
  /** Link to the booking page, shown when the lot has reservable spaces. */
  reserve: string;
  updated: string;
  noData: string;
  outdated: string;
  unknownNote: Plural;
  map: string;
  mapHint: string;
  mapRegion: string;
  legend: string;
  state: Record<'free' | 'occupied' | 'unknown' | 'reserved', string>;
  type: Record<SlotType, string>;
  live: { connecting: string; live: string; lost: string };
  announce: string;
  age: { s: string; min: string; h: string };
  openData: string;
  apiDocs: string;
  noLots: string;
  allLots: string;
  details: string;
  notFound: string;
}

export const STRINGS: Record<Language, Strings> = {
  cs: {
    skip: 'Přeskočit na obsah',
    languageNav: 'Jazyk',
    free: { one: 'volné místo', few: 'volná místa', other: 'volných míst' },
    total: 'celkem {n}',
    occupied: 'Obsazeno',
    unknown: 'Stav neznámý',
    reserved: 'Rezervováno',
    reserve: 'Rezervovat místo',
    updated: 'Aktualizováno před {age}',
    noData: 'Zatím žádné údaje',
    outdated: 'Údaje mohou být zastaralé.',
    unknownNote: {
      one: 'Stav {n} místa teď neznáme, proto ho nepočítáme mezi volná.',
      other: 'Stav {n} míst teď neznáme, proto je nepočítáme mezi volná.',
    },
    map: 'Plánek parkoviště',
    mapHint: 'Místa jsou rozložena tak, jak leží na parkovišti.',
    mapRegion: 'Plánek parkoviště {lot}',
    legend: 'Vysvětlivky',
    state: { free: 'volné', occupied: 'obsazené', unknown: 'stav neznámý', reserved: 'rezervované' },
    type: {
      standard: '',
      disabled: 'pro vozíčkáře',
      ev: 's nabíjením',
      visitor: 'pro návštěvy',
      staff: 'pro zaměstnance',
    },
    live: {
      connecting: 'Připojuji živé údaje…',
      live: 'Údaje se aktualizují samy.',
      lost: 'Spojení se přerušilo, zkouším to znovu…',
    },
    announce: '{lot}: {n} {free}',
    age: { s: '{n} s', min: '{n} min', h: '{n} h' },
    openData: 'Otevřená data (DATEX II)',
    apiDocs: 'Dokumentace API',
    noLots: 'Zatím není nastavené žádné parkoviště.',
    allLots: 'Všechna parkoviště',
    details: 'Plánek a podrobnosti',
    notFound: 'Takové parkoviště neznáme.',
  },
  en: {
    skip: 'Skip to content',
    languageNav: 'Language',
    free: { one: 'free space', other: 'free spaces' },
    total: '{n} in total',
    occupied: 'Occupied',
    unknown: 'Unknown',
    reserved: 'Reserved',
    reserve: 'Reserve a space',
    updated: 'Updated {age} ago',
    noData: 'No data yet',
    outdated: 'The data may be out of date.',
    unknownNote: {
      one: 'We cannot tell the state of {n} space right now, so it is not counted as free.',
      other: 'We cannot tell the state of {n} spaces right now, so they are not counted as free.',
    },
    map: 'Map of the car park',
    mapHint: 'Spaces are laid out as they are in the car park.',
    mapRegion: 'Map of {lot}',
    legend: 'Legend',
    state: { free: 'free', occupied: 'occupied', unknown: 'unknown', reserved: 'reserved' },
    type: { standard: '', disabled: 'disabled parking', ev: 'EV charging', visitor: 'visitors', staff: 'staff' },
    live: {
      connecting: 'Connecting to live data…',
      live: 'The data updates by itself.',
      lost: 'Connection lost, trying again…',
    },
    announce: '{lot}: {n} {free}',
    age: { s: '{n} s', min: '{n} min', h: '{n} h' },
    openData: 'Open data (DATEX II)',
    apiDocs: 'API documentation',
    noLots: 'No car park is set up yet.',
    allLots: 'All car parks',
    details: 'Map and details',
    notFound: 'We do not know this car park.',
  },
};

/** Fills `{name}` marks of a text; a mark without a value stays as it is. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

/** A 0–1 fraction as a percentage with one decimal: `0.935` → `93.5 %` (staff pages). */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

/** Czech has one / few (2–4) / other; English one / other. */
export function plural(lang: Language, p: Plural, n: number): string {
  const cat = new Intl.PluralRules(lang).select(n);
  return cat === 'one' ? p.one : cat === 'few' && p.few !== undefined ? p.few : p.other;
}

/** "12 s", "3 min", "2 h". */
export function formatAge(s: Strings, seconds: number): string {
  const n = Math.max(0, Math.floor(seconds));
  if (n < 60) return fill(s.age.s, { n });
  if (n < 3600) return fill(s.age.min, { n: Math.floor(n / 60) });
  return fill(s.age.h, { n: Math.floor(n / 3600) });
}

/**
 * The language of a public page (see {@link negotiate}); an explicit `?lang=` is remembered in the
 * `volno_lang` cookie for a year, so every page, the booking pages included, keeps the choice.
 */
export function pageLanguage(
  req: { query: { lang?: Language }; headers: FastifyRequest['headers'] },
  reply: FastifyReply,
  fallback: Language,
): Language {
  const lang = negotiate(req.query.lang, req.headers.cookie, req.headers['accept-language'], fallback);
  if (req.query.lang !== undefined)
    void reply.header('set-cookie', `volno_lang=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`);
  return lang;
}

/**
 * The page language: `?lang=` wins, then the `volno_lang` cookie, then Accept-Language (by q
 * value; Slovak readers get Czech), then the configured default.
 */
export function negotiate(
  query: string | undefined,
  cookie: string | undefined,
  acceptLanguage: string | undefined,
  fallback: Language,
): Language {
  const pick = (v: string | undefined): Language | undefined => (v === 'cs' || v === 'en' ? v : undefined);
  const chosen = pick(query) ?? pick(/(?:^|;\s*)volno_lang=(cs|en)(?:;|$)/.exec(cookie ?? '')?.[1]);
  if (chosen !== undefined) return chosen;
  const ranked = (acceptLanguage ?? '')
    .slice(0, 500)
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { base: tag.split('-')[0], q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { base } of ranked) {
    if (base === 'cs' || base === 'sk') return 'cs';
    if (base === 'en') return 'en';
  }
  return fallback;
}
