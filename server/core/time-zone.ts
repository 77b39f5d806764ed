/**
 * A zone's wall clock with nothing but Intl: the local fields of an instant and the zone's offset
 * from UTC. One formatter per zone, kept, because building one costs far more than using it.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Local year, month (1–12), day, hour, minute and second of `ms` in `tz`. */
export function zoneFields(
  ms: number,
  tz: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const out: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(ms)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { y: out['year']!, mo: out['month']!, d: out['day']!, h: out['hour']!, mi: out['minute']!, s: out['second']! };
}

/** The zone's offset from UTC at `ms`, in milliseconds (Prague: +1 h in winter, +2 h in summer). */
export function offsetAt(ms: number, tz: string): number {
  const f = zoneFields(ms, tz);
  const wall = Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}
