import type { Language } from '../core/config/schema.ts';

/** Texts of the GOV.CZ-styled parts (overview, "usually" chart), in Czech and English. */
export interface WebTexts {
  overview: string;
  overviewHint: string;
  sortByDistance: string;
  sortedByDistance: string;
  sortedByFree: string;
  locationDenied: string;
  distance: string;
  usually: string;
  usuallyIntro: string;
  usuallyNone: string;
  usuallyBasis: string;
  usuallyChart: string;
  usuallyTable: string;
  usuallyRegion: string;
  weekday: string;
  hour: string;
  noValue: string;
  legendFew: string;
  legendMany: string;
  /** Short weekday names, Monday first. */
  days: string[];
  /** Full weekday names, Monday first. */
  daysLong: string[];
  serviceOf: string;
  mapLabel: string;
}

export const WEB_TEXTS: Record<Language, WebTexts> = {
  cs: {
    overview: 'Přehled parkovišť',
    overviewHint: 'Seřazeno podle počtu volných míst.',
    sortByDistance: 'Seřadit podle vzdálenosti ode mě',
    sortedByDistance: 'Seřazeno podle vzdálenosti od vaší polohy.',
    sortedByFree: 'Seřazeno podle počtu volných míst.',
    locationDenied: 'Polohu se nepodařilo zjistit, řazení zůstává podle volných míst.',
    distance: '{km} km od vás',
    usually: 'Kolik bývá volno',
    usuallyIntro: 'Průměrný počet volných míst podle dne v týdnu a hodiny, z údajů za posledních {weeks} týdnů.',
    usuallyNone: 'Zatím nemáme dost historie, abychom mohli říct, kolik tu bývá volno.',
    usuallyBasis: 'Vychází z údajů za {n} týdnů.',
    usuallyChart: 'Graf: obvyklý počet volných míst podle dne a hodiny, {lot}',
    usuallyTable: 'Tabulka obvyklého počtu volných míst',
    usuallyRegion: 'Tabulka obvyklého počtu volných míst, {lot}',
    weekday: 'Den',
    hour: 'Hodina',
    noValue: 'bez údajů',
    legendFew: 'málo volných míst',
    legendMany: 'hodně volných míst',
    days: ['Po', 'Út', 'St', 'Čt', 'Pá', 'So', 'Ne'],
    daysLong: ['pondělí', 'úterý', 'středa', 'čtvrtek', 'pátek', 'sobota', 'neděle'],
    serviceOf: 'Parkování v reálném čase',
    mapLabel: 'Mapa parkovišť. {lots}',
  },
  en: {
    overview: 'All car parks',
    overviewHint: 'Sorted by free spaces.',
    sortByDistance: 'Sort by distance from me',
    sortedByDistance: 'Sorted by distance from your location.',
    sortedByFree: 'Sorted by free spaces.',
    locationDenied: 'Your location could not be found; the list stays sorted by free spaces.',
    distance: '{km} km from you',
    usually: 'How many spaces are usually free',
    usuallyIntro: 'Average free spaces by weekday and hour, from the last {weeks} weeks of data.',
    usuallyNone: 'There is not enough history yet to say how many spaces are usually free.',
    usuallyBasis: 'Based on {n} weeks of data.',
    usuallyChart: 'Chart: usual free spaces by weekday and hour, {lot}',
    usuallyTable: 'Table of usual free spaces',
    usuallyRegion: 'Table of usual free spaces, {lot}',
    weekday: 'Day',
    hour: 'Hour',
    noValue: 'no data',
    legendFew: 'few free spaces',
    legendMany: 'many free spaces',
    days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    daysLong: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
    serviceOf: 'Live parking',
    mapLabel: 'Map of the car parks. {lots}',
  },
};
