// Volno overview: re-sorts the server-rendered list of lots by distance when the visitor asks and
// the browser shares its location. Without this script the list stays sorted by free spaces.
/* global document, navigator -- this file runs in the browser */

const button = document.querySelector('[data-sort-distance]');
const list = document.querySelector('[data-overview]');
const status = document.querySelector('[data-sort-status]');
const texts = JSON.parse(document.getElementById('volno-overview')?.textContent ?? '{}');

/** Great-circle distance in km (haversine); plenty for "which car park is nearest". */
function km(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(a));
}

function sortByDistance(position) {
  const { latitude, longitude } = position.coords;
  const items = [...list.querySelectorAll('[data-lot-item]')].map((li, i) => {
    const lat = Number(li.dataset.lat);
    const lon = Number(li.dataset.lon);
    const d = li.dataset.lat === undefined ? null : km(latitude, longitude, lat, lon);
    return { li, i, d };
  });
  // Lots without coordinates keep their free-space order, after those with one.
  items.sort((a, b) => (a.d ?? Infinity) - (b.d ?? Infinity) || a.i - b.i);
  const lang = document.documentElement.lang;
  for (const { li, d } of items) {
    const p = li.querySelector('[data-distance]');
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
    navigator.geolocation.getCurrentPosition(sortByDistance, () => (status.textContent = texts.denied), {
      maximumAge: 300_000,
      timeout: 10_000,
    });
  });
}
