// Volno overview: re-sorts the server-rendered list of lots by distance when the visitor asks and
// the browser shares its location. Without this script the list stays sorted by free spaces.
// Served as /assets/overview.js; the server strips the types at start (server/web/assets.ts).

/** The overview's JSON block (`#volno-overview`), written by overviewBody() in server/web/overview.ts. */
interface OverviewTexts {
  sorted_by_distance: string;
  sorted_by_free: string;
  denied: string;
  /** With a `{km}` placeholder. */
  distance: string;
}

const button = document.querySelector<HTMLElement>('[data-sort-distance]');
const list = document.querySelector<HTMLElement>('[data-overview]');
const status = document.querySelector<HTMLElement>('[data-sort-status]');
const texts = JSON.parse(document.getElementById('volno-overview')?.textContent ?? '{}') as OverviewTexts;

/** Great-circle distance in km (haversine); plenty for "which car park is nearest". */
function km(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(a));
}

function sortByDistance(position: GeolocationPosition, list: HTMLElement, status: HTMLElement): void {
  const { latitude, longitude } = position.coords;
  const items = [...list.querySelectorAll<HTMLElement>('[data-lot-item]')].map((li, i) => {
    const lat = Number(li.dataset.lat);
    const lon = Number(li.dataset.lon);
    const d = li.dataset.lat === undefined ? null : km(latitude, longitude, lat, lon);
    return { li, i, d };
  });
  // Lots without coordinates keep their free-space order, after those with one.
  items.sort((a, b) => (a.d ?? Infinity) - (b.d ?? Infinity) || a.i - b.i);
  const lang = document.documentElement.lang;
  for (const { li, d } of items) {
    const p = li.querySelector<HTMLElement>('[data-distance]');
    if (p && d !== null) {
      p.textContent = texts.distance.replace('{km}', d.toLocaleString(lang, { maximumFractionDigits: 1 }));
      p.hidden = false;
    }
    list.append(li);
  }
  status.textContent = texts.sorted_by_distance;
}

if (button && list && status && 'geolocation' in navigator) {
  button.hidden = false;
  button.addEventListener('click', () => {
    navigator.geolocation.getCurrentPosition(
      (position) => sortByDistance(position, list, status),
      () => (status.textContent = texts.denied),
      { maximumAge: 300_000, timeout: 10_000 },
    );
  });
}
