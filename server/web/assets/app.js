// Volno public page: live counts over Server-Sent Events, no framework, no build step.
/* global document, window, CSS, EventSource, setInterval -- this file runs in the browser */
// The server renders the first state, so the page is useful before (and without) this script.

const data = JSON.parse(document.getElementById('volno-data')?.textContent ?? '{}');
const S = data.strings;
const lang = data.lang;
const pluralRules = new Intl.PluralRules(lang);

/** Server time minus this browser's time, from `clock` events: ages must not trust the visitor's clock. */
let skewMs = 0;

const fill = (t, v) => t.replace(/\{(\w+)\}/g, (m, k) => (k in v ? String(v[k]) : m));
const plural = (p, n) => {
  const c = pluralRules.select(n);
  return c === 'one' ? p.one : c === 'few' && p.few ? p.few : p.other;
};
const formatAge = (sec) => {
  const n = Math.max(0, Math.floor(sec));
  if (n < 60) return fill(S.age.s, { n });
  if (n < 3600) return fill(S.age.min, { n: Math.floor(n / 60) });
  return fill(S.age.h, { n: Math.floor(n / 3600) });
};

function section(lotId) {
  return document.querySelector(`section.lot[data-lot="${CSS.escape(lotId)}"]`);
}

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

function refreshAge(sec) {
  const el = sec.querySelector('[data-updated]');
  if (!el) return;
  const at = el.dataset.updatedAt;
  if (!at) return setText(el, S.noData);
  const age = (Date.now() + skewMs - Date.parse(at)) / 1000;
  const text = fill(S.updated, { age: formatAge(age) });
  setText(el, age > data.stale_after_s ? `${text} ${S.outdated}` : text);
}

function onAvailability(a) {
  const sec = section(a.lot_id);
  if (!sec) return;
  const countEl = sec.querySelector('[data-free]');
  const before = countEl?.textContent;
  setText(countEl, String(a.free));
  setText(sec.querySelector('[data-free-label]'), plural(S.free, a.free));
  setText(sec.querySelector('[data-total]'), fill(S.total, { n: a.total }));
  for (const k of ['occupied', 'unknown', 'reserved']) setText(sec.querySelector(`[data-${k}]`), String(a[k]));
  const note = sec.querySelector('[data-unknown-note]');
  if (note) {
    note.hidden = a.unknown === 0;
    setText(note, fill(plural(S.unknownNote, a.unknown), { n: a.unknown }));
  }
  const updated = sec.querySelector('[data-updated]');
  if (updated) updated.dataset.updatedAt = a.updated_at ?? '';
  refreshAge(sec);
  if (before !== undefined && before !== String(a.free)) {
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

const ICON = { free: '✓', occupied: '✕', unknown: '?', reserved: 'R' };

function onSlots(s) {
  const sec = section(s.lot_id);
  if (!sec) return;
  for (const v of s.slots) {
    const li = sec.querySelector(`[data-slot="${CSS.escape(`${v.camera_id}/${v.slot_id}`)}"]`);
    // A space held for a booking is not free to anyone else (same rule as the server's render).
    const state = v.reserved ? 'reserved' : v.state;
    if (!li || li.classList.contains(`s-${state}`)) continue;
    li.classList.remove('s-free', 's-occupied', 's-unknown', 's-reserved');
    li.classList.add(`s-${state}`);
    setText(li.querySelector('.slot-icon'), ICON[state]);
    setText(li.querySelector('[data-state-text]'), S.state[state]);
  }
}

function connect() {
  const live = document.querySelector('[data-live]');
  if (!('EventSource' in window) || data.lots.length === 0) return;
  const url = `/api/v1/live?lot=${encodeURIComponent(data.lots.join(','))}&slots=${data.embed ? 'false' : 'true'}`;
  const es = new EventSource(url);
  es.addEventListener('open', () => setText(live, S.live.live));
  es.addEventListener('error', () => setText(live, S.live.lost));
  es.addEventListener('clock', (e) => {
    skewMs = Date.parse(JSON.parse(e.data).server_time) - Date.now();
  });
  es.addEventListener('availability', (e) => onAvailability(JSON.parse(e.data)));
  es.addEventListener('slots', (e) => onSlots(JSON.parse(e.data)));
}

connect();
setInterval(() => document.querySelectorAll('section.lot').forEach(refreshAge), 1000);
