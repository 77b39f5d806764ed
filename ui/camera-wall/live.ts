// The camera wall (GET /staff) without reloading: every `data-refresh-s` seconds the wall's HTML is
// fetched again (GET /staff/wall) and swapped in. Staff can pause it (WCAG 2.2.2, moving content), and
// it waits while focus is inside the wall or the tab is hidden, so a keyboard user never loses their
// place. Without script the page is complete; it is just not live.

const wall = () => document.getElementById('wall');

function start(): void {
  const toggle = document.getElementById('wall-live');
  const first = wall();
  if (!(toggle instanceof HTMLButtonElement) || first === null) return;
  const everyMs = Number(first.dataset['refreshS'] ?? '10') * 1000;
  let paused = false;
  toggle.hidden = false;
  toggle.addEventListener('click', () => {
    paused = !paused;
    toggle.setAttribute('aria-pressed', String(paused));
  });
  let busy = false;
  setInterval(() => {
    const current = wall();
    if (busy || paused || document.hidden || current === null || current.contains(document.activeElement)) return;
    busy = true;
    const url = new URL('/staff/wall', location.href);
    url.search = location.search;
    fetch(url, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      .then(async (res) => {
        if (!res.ok) return;
        const html = await res.text();
        const now = wall();
        if (now !== null && !paused && !now.contains(document.activeElement)) now.outerHTML = html;
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, everyMs);
}

start();
