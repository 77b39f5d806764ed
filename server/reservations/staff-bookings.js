// Staff bookings page: buttons and forms call the staff API with the session's CSRF token.
/* global document, fetch, setTimeout, location, FormData -- this file runs in the browser */
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
const base = '/api/v1/staff/reservations';
const status = document.querySelector('[data-message]');

async function call(method, url, body) {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { 'x-csrf-token': csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) {
    const err = await res.json().catch(() => ({ message: res.statusText }));
    throw new Error(err.message + (err.details ? `: ${err.details.join('; ')}` : ''));
  }
  return res.status === 204 ? null : res.json();
}

const done = (msg, reload = true) => {
  status.textContent = msg;
  if (reload) setTimeout(() => location.reload(), 600);
};
const fail = (e) => (status.textContent = `Failed: ${e.message}`);

document.addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-action]');
  if (!b) return;
  const id = b.dataset.id;
  const act = {
    cancel: () => call('POST', `${base}/bookings/${id}/cancel`),
    resolve: () => call('POST', `${base}/events/${id}/resolve`),
    unblock: () => call('DELETE', `${base}/blocks/${id}`),
  }[b.dataset.action];
  act?.().then(() => done('Done.'), fail);
});

for (const form of document.querySelectorAll('form[data-form]')) {
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ''));
    if (data.slot) {
      const [camera_id, slot_id] = data.slot.split('/');
      Object.assign(data, { camera_id, slot_id });
    }
    delete data.slot;
    const url = form.dataset.form === 'book' ? `${base}/bookings` : `${base}/blocks`;
    call('POST', url, data).then(
      (r) =>
        form.dataset.form === 'book'
          ? done(`Booked ${r.booking.code}. Give the visitor this manage link: ${r.manage_url}`, false)
          : done('Blocked.'),
      fail,
    );
  });
}
