// Volno public page: live counts over Server-Sent Events, no framework. Served as /assets/app.js;
// the server strips the types at start (server/web/assets.ts).
// The server renders the first state, so the page is useful before (and without) this script.

type Plural = { one: string; few?: string; other: string };
type SlotState = 'free' | 'occupied' | 'unknown' | 'reserved';

/** The page's JSON block (`#volno-data`), written by page() in server/web/render.ts. */
interface PageData {
  lang: string;
  embed: boolean;
  stale_after_s: number;
  lots: string[];
  strings: {
    free: Plural;
    total: string;
    updated: string;
    noData: string;
    outdated: string;
    unknownNote: Plural;
    state: Record<SlotState, string>;
    live: { connecting: string; live: string; lost: string };
    announce: string;
    age: { s: string; min: string; h: string };
  };
}

/** The parts of the SSE events (GET /api/v1/live) this page reads; see server/live/routes.ts. */
interface AvailabilityEvent {
  lot_id: string;
  total: number;
  free: number;
  occupied: number;
  unknown: number;
  reserved: number;
  updated_at: string | null;
}
interface SlotsEvent {
  lot_id: string;
  slots: { camera_id: string; slot_id: string; state: Exclude<SlotState, 'reserved'>; reserved: boolean }[];
}
interface ClockEvent {
  server_time: string;
}

const data = JSON.parse(document.getElementById('volno-data')?.textContent ?? '{}') as PageData;
const S = data.strings;
const lang = data.lang;
const pluralRules = new Intl.PluralRules(lang);

/** Server time minus this browser's time, from `clock` events: ages must not trust the visitor's clock. */
let skewMs = 0;

const fill = (t: string, v: Record<string, string | number | undefined>): string =>
  t.replace(/\{(\w+)\}/g, (m: string, k: string) => (k in v ? String(v[k]) : m));
const plural = (p: Plural, n: number): string => {
  const c = pluralRules.select(n);
  return c === 'one' ? p.one : c === 'few' && p.few ? p.few : p.other;
};
const formatAge = (sec: number): string => {
  const n = Math.max(0, Math.floor(sec));
  if (n < 60) return fill(S.age.s, { n });
  if (n < 3600) return fill(S.age.min, { n: Math.floor(n / 60) });
  return fill(S.age.h, { n: Math.floor(n / 3600) });
};

function section(lotId: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`section.lot[data-lot="${CSS.escape(lotId)}"]`);
}

function setText(el: Element | null, text: string): void {
  if (el && el.textContent !== text) el.textContent = text;
}

function refreshAge(sec: HTMLElement): void {
  const el = sec.querySelector<HTMLElement>('[data-updated]');
  if (!el) return;
  const at = el.dataset.updatedAt;
  if (!at) return setText(el, S.noData);
  const age = (Date.now() + skewMs - Date.parse(at)) / 1000;
  const text = fill(S.updated, { age: formatAge(age) });
  setText(el, age > data.stale_after_s ? `${text} ${S.outdated}` : text);
}

function onAvailability(a: AvailabilityEvent): void {
  const sec = section(a.lot_id);
  if (!sec) return;
  const countEl = sec.querySelector<HTMLElement>('[data-free]');
  const before = countEl?.textContent;
  setText(countEl, String(a.free));
  setText(sec.querySelector('[data-free-label]'), plural(S.free, a.free));
  setText(sec.querySelector('[data-total]'), fill(S.total, { n: a.total }));
  for (const k of ['occupied', 'unknown', 'reserved'] as const) setText(sec.querySelector(`[data-${k}]`), String(a[k]));
  const note = sec.querySelector<HTMLElement>('[data-unknown-note]');
  if (note) {
    note.hidden = a.unknown === 0;
    setText(note, fill(plural(S.unknownNote, a.unknown), { n: a.unknown }));
  }
  const updated = sec.querySelector<HTMLElement>('[data-updated]');
  if (updated) updated.dataset.updatedAt = a.updated_at ?? '';
  refreshAge(sec);
  // `before` is set exactly when the count element exists.
  if (countEl && before !== String(a.free)) {
    // One polite announcement per change of the free count; ages are never announced.
    setText(
      sec.querySelector('[data-announce]'),
      fill(S.announce, { lot: sec.dataset.name, n: a.free, free: plural(S.free, a.free) }),
    );
    countEl.classList.remove('changed');
    void countEl.offsetWidth;
    countEl.classList.add('changed');
  }
}

const ICON: Record<SlotState, string> = { free: '✓', occupied: '✕', unknown: '?', reserved: 'R' };

function onSlots(s: SlotsEvent): void {
  const sec = section(s.lot_id);
  if (!sec) return;
  for (const v of s.slots) {
    const li = sec.querySelector(`[data-slot="${CSS.escape(`${v.camera_id}/${v.slot_id}`)}"]`);
    // A space held for a booking is not free to anyone else (same rule as the server's render).
    const state: SlotState = v.reserved ? 'reserved' : v.state;
    if (!li || li.classList.contains(`s-${state}`)) continue;
    li.classList.remove('s-free', 's-occupied', 's-unknown', 's-reserved');
    li.classList.add(`s-${state}`);
    setText(li.querySelector('.slot-icon'), ICON[state]);
    setText(li.querySelector('[data-state-text]'), S.state[state]);
  }
}

function connect(): void {
  const live = document.querySelector('[data-live]');
  if (!('EventSource' in window) || data.lots.length === 0) return;
  const url = `/api/v1/live?lot=${encodeURIComponent(data.lots.join(','))}&slots=${data.embed ? 'false' : 'true'}`;
  const es = new EventSource(url);
  es.addEventListener('open', () => setText(live, S.live.live));
  es.addEventListener('error', () => setText(live, S.live.lost));
  es.addEventListener('clock', (e: MessageEvent<string>) => {
    skewMs = Date.parse((JSON.parse(e.data) as ClockEvent).server_time) - Date.now();
  });
  es.addEventListener('availability', (e: MessageEvent<string>) =>
    onAvailability(JSON.parse(e.data) as AvailabilityEvent),
  );
  es.addEventListener('slots', (e: MessageEvent<string>) => onSlots(JSON.parse(e.data) as SlotsEvent));
}

connect();
setInterval(() => document.querySelectorAll<HTMLElement>('section.lot').forEach(refreshAge), 1000);
