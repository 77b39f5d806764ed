import type { Language } from '../core/config/schema.ts';
import { esc } from '../core/web/html.ts';
import { fill, plural } from '../core/web/i18n.ts';
import { expectedFree, type UsualGrid } from '../core/storage/usual-free.ts';
import { govMessage } from '../core/web/gov-markup.ts';
import { isDate, parseHhmm, weekdayOf } from './time.ts';

/** Reads a lot's "usually free" grid (server/history/usually.ts). */
export interface UsuallySource {
  grid(lotId: string): Promise<UsualGrid> | UsualGrid;
}

const T = {
  cs: {
    heading: 'Odhad podle historie',
    estimate:
      'V {day} mezi {start} a {end} tu bývá obvykle {n} {spaces} na celém parkovišti. Je to odhad, skutečnost se může lišit.',
    basis: 'Vychází z údajů za {weeks} {weeksWord}.',
    none: 'Pro tento den a čas zatím nemáme historii, ze které bychom odhadli, kolik tu bývá volno.',
    spaces: { one: 'volné místo', few: 'volná místa', other: 'volných míst' },
    weeks: { one: 'týden', few: 'týdny', other: 'týdnů' },
    days: ['pondělí', 'úterý', 'středu', 'čtvrtek', 'pátek', 'sobotu', 'neděli'],
  },
  en: {
    heading: 'Estimate from history',
    estimate:
      'On {day} between {start} and {end} there are usually {n} {spaces} in the whole car park. This is an estimate; the real number may differ.',
    basis: 'Based on {weeks} {weeksWord} of data.',
    none: 'There is no history yet for this day and time, so we cannot estimate how many spaces are usually free.',
    spaces: { one: 'free space', other: 'free spaces' },
    weeks: { one: 'week', other: 'weeks' },
    days: ['a Monday', 'a Tuesday', 'a Wednesday', 'a Thursday', 'a Friday', 'a Saturday', 'a Sunday'],
  },
} as const;

/**
 * The booking page's estimate for the chosen window: the typical free count at that weekday and
 * time (the lowest of the hours the window touches), labelled as an estimate with the number of
 * weeks it rests on, or a plain statement that there is no history yet.
 */
export async function expectedBox(
  lang: Language,
  source: UsuallySource,
  q: { lotId: string; date: string; start: string; end: string },
): Promise<string> {
  const t = T[lang];
  const start = parseHhmm(q.start);
  const end = parseHhmm(q.end);
  if (start === undefined || end === undefined || !isDate(q.date)) return '';
  const weekday = weekdayOf(q.date);
  const e = expectedFree(await source.grid(q.lotId), weekday, start, end > start ? end : 24 * 60);
  const text =
    e === null
      ? `<p data-expected-none>${esc(t.none)}</p>`
      : `<p data-expected="${e.free}">${esc(
          fill(t.estimate, {
            day: t.days[weekday]!,
            start: q.start,
            end: q.end,
            n: e.free,
            spaces: plural(lang, t.spaces, e.free),
          }),
        )}</p><p data-expected-weeks="${e.weeks}">${esc(fill(t.basis, { weeks: e.weeks, weeksWord: plural(lang, t.weeks, e.weeks) }))}</p>`;
  return `<section class="expected" aria-labelledby="expected-h">${govMessage('primary', `<h2 id="expected-h">${esc(t.heading)}</h2>${text}`)}</section>`;
}
