import type { StaffPrincipal } from '../core/access.ts';
import { roleAtLeast } from '../core/access.ts';
import { staffPage } from '../core/web/staff-layout.ts';
import { esc } from '../core/web/html.ts';
import type { BlockRow, Booking } from './store.ts';
import type { EventView } from './events.ts';
import { BOOKING_STATUSES } from './store.ts';

export interface StaffBookingsView {
  principal: StaffPrincipal;
  bookings: Booking[];
  alerts: EventView[];
  blocks: BlockRow[];
  lots: { lotId: string; name: string; slots: { cameraId: string; slotId: string; label: string }[] }[];
  query: { q?: string; lot_id?: string; status?: string; date?: string };
  tz: string;
  scriptUrl: string;
}

const fmt = (tz: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: tz, dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' });

/** /staff/bookings: search, the list, open alerts, blocks and the forms that change them. */
export function staffBookingsPage(v: StaffBookingsView): string {
  const f = fmt(v.tz);
  const when = (a: number, b: number) => `${f.format(a)}–${f.format(b).split(', ')[1] ?? ''}`;
  const operator = roleAtLeast(v.principal.role, 'operator');
  const qs = new URLSearchParams(
    Object.entries(v.query).filter(([, x]) => x !== undefined && x !== '') as [string, string][],
  );
  const lotOpts = (sel?: string, any = true) =>
    (any ? '<option value="">Any</option>' : '') +
    v.lots
      .map((l) => `<option value="${esc(l.lotId)}"${l.lotId === sel ? ' selected' : ''}>${esc(l.name)}</option>`)
      .join('');
  const search =
    `<form method="get" action="/staff/bookings" class="filters" aria-label="Search bookings">` +
    `<label>Search <input name="q" value="${esc(v.query.q ?? '')}" maxlength="100"></label>` +
    `<label>Lot <select name="lot_id">${lotOpts(v.query.lot_id)}</select></label>` +
    `<label>Status <select name="status"><option value="">Any</option>${BOOKING_STATUSES.map((s) => `<option${s === v.query.status ? ' selected' : ''}>${s}</option>`).join('')}</select></label>` +
    `<label>Day <input type="date" name="date" value="${esc(v.query.date ?? '')}"></label>` +
    `<button type="submit">Search</button>` +
    // The export holds every visitor's personal data: admins only (routes-staff.ts).
    (roleAtLeast(v.principal.role, 'admin')
      ? ` <a href="/api/v1/staff/reservations/bookings.csv?${esc(qs.toString())}" download>Export CSV</a>`
      : '') +
    `</form>`;
  const rows = v.bookings
    .map(
      (b) =>
        `<tr data-booking="${b.id}"><td>${esc(b.code)}</td><td>${esc(b.lotId)}</td><td>${esc(b.slotId)}</td>` +
        `<td>${esc(when(b.startAt, b.endAt))}</td><td data-status>${esc(b.status)}</td>` +
        `<td>${esc(b.name ?? '—')}</td><td>${esc(b.email ?? '—')}</td><td>${esc(b.plate ?? '')}</td><td>${esc(b.createdBy)}</td>` +
        `<td>${operator && (b.status === 'confirmed' || b.status === 'checked_in') ? `<button type="button" data-action="cancel" data-id="${b.id}">Cancel ${esc(b.code)}</button>` : ''}</td></tr>`,
    )
    .join('');
  const table =
    `<table><caption>Bookings (${v.bookings.length})</caption><thead><tr><th scope="col">Code</th><th scope="col">Lot</th><th scope="col">Slot</th>` +
    `<th scope="col">When</th><th scope="col">Status</th><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Plate</th>` +
    `<th scope="col">By</th><th scope="col">Actions</th></tr></thead><tbody>${rows}</tbody></table>`;
  const alerts =
    `<section aria-labelledby="alerts-h"><h2 id="alerts-h">Alerts</h2>` +
    (v.alerts.length === 0
      ? '<p>No open alerts.</p>'
      : `<ul class="alerts">${v.alerts
          .map(
            (a) =>
              `<li data-alert="${a.id}"><strong>${esc(a.kind.replace(/_/g, ' '))}</strong>: ${esc(a.lot_id)} ${esc(a.camera_id)}/${esc(a.slot_id)}, ` +
              `booking #${a.booking_id ?? '—'}, ${esc(f.format(Date.parse(a.at)))}${a.detail ? ` (${esc(a.detail)})` : ''}` +
              (operator ? ` <button type="button" data-action="resolve" data-id="${a.id}">Resolve</button>` : '') +
              '</li>',
          )
          .join('')}</ul>`) +
    '</section>';
  const blocks =
    `<section aria-labelledby="blocks-h"><h2 id="blocks-h">Blocks</h2>` +
    (v.blocks.length === 0
      ? '<p>No blocks.</p>'
      : `<ul>${v.blocks
          .map(
            (b) =>
              `<li>${esc(b.lot_id)} ${b.slot_id ? esc(`${b.camera_id}/${b.slot_id}`) : '(whole lot)'}: ${esc(when(b.start_at, b.end_at))} ${esc(b.reason ?? '')}` +
              (operator ? ` <button type="button" data-action="unblock" data-id="${b.id}">Remove block</button>` : '') +
              '</li>',
          )
          .join('')}</ul>`) +
    '</section>';
  const slotOpts =
    '<option value="">Any / whole lot</option>' +
    v.lots
      .flatMap((l) =>
        l.slots.map(
          (s) => `<option value="${esc(`${s.cameraId}/${s.slotId}`)}">${esc(`${l.name}: ${s.label}`)}</option>`,
        ),
      )
      .join('');
  const forms = operator
    ? `<section aria-labelledby="book-h"><h2 id="book-h">Book on someone’s behalf</h2>` +
      `<form data-form="book" class="grid"><label>Lot <select name="lot_id" required>${lotOpts(undefined, false)}</select></label>` +
      `<label>Slot <select name="slot">${slotOpts}</select></label><label>Day <input type="date" name="date" required></label>` +
      `<label>From <input type="time" name="start" required></label><label>Until <input type="time" name="end" required></label>` +
      `<label>Name <input name="name" required maxlength="100"></label><label>E-mail <input type="email" name="email" required></label>` +
      `<label>Plate <input name="plate" maxlength="12"></label><button type="submit">Book</button></form></section>` +
      `<section aria-labelledby="block-h"><h2 id="block-h">Block slots or days</h2>` +
      `<form data-form="block" class="grid"><label>Lot <select name="lot_id" required>${lotOpts(undefined, false)}</select></label>` +
      `<label>Slot <select name="slot">${slotOpts}</select></label><label>First day <input type="date" name="date" required></label>` +
      `<label>Last day <input type="date" name="to_date"></label><label>From (optional) <input type="time" name="start"></label>` +
      `<label>Until (optional) <input type="time" name="end"></label><label>Reason <input name="reason" maxlength="200"></label>` +
      `<button type="submit">Block</button></form></section>`
    : '';
  const body = `<p role="status" data-message></p>${search}${alerts}<section aria-labelledby="list-h"><h2 id="list-h">List</h2>${table}</section>${blocks}${forms}`;
  return staffPage({ title: 'Bookings', lang: 'en', principal: v.principal, body, scripts: [v.scriptUrl] });
}
