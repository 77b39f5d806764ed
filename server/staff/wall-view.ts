import { esc } from '../core/web/html.ts';
import { fill, percent } from '../core/web/i18n.ts';
import type { WallCamera } from './wall-data.ts';
import { snapshotFailureText, statusWord, WALL_TEXTS, type WallTexts } from './wall-texts.ts';

const num = (x: number | null, digits = 1) => (x === null ? '—' : x.toFixed(digits));

/**
 * The slot overlay: outlines in 0–1 coordinates over the snapshot (or an empty frame of the same
 * shape), one class per state. Decorative for screen readers: the counts beside it say the same.
 */
function overlay(c: WallCamera): string {
  const polys = c.slots
    .map(
      (s) =>
        `<polygon class="slot ${s.state}" data-slot="${esc(s.slotId)}" data-state="${s.state}" points="${s.polygon
          .map(([x, y]) => `${x.toFixed(4)},${y.toFixed(4)}`)
          .join(' ')}"></polygon>`,
    )
    .join('');
  return `<svg class="overlay" viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true" focusable="false">${polys}</svg>`;
}

function fact(label: string, value: string, attr = ''): string {
  return `<div${attr}><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`;
}

function tile(c: WallCamera, t: WallTexts, o: { csrf: string; canSnapshot: boolean; failedError?: string }): string {
  const id = `camera-${c.cameraId}`;
  const img =
    c.snapshot === null
      ? `<p class="muted placeholder">${esc(t.noSnapshot)}</p>`
      : `<img src="/api/v1/staff/cameras/${encodeURIComponent(c.cameraId)}/snapshots/${encodeURIComponent(c.snapshot.id)}" ` +
        `alt="${esc(fill(t.snapshotAlt, { camera: c.name ?? c.cameraId, t: new Date(c.snapshot.capturedAt).toISOString().slice(11, 19) }))}">`;
  const acc =
    c.accuracy === null
      ? t.noAccuracy
      : fill(t.accuracyValue, {
          generic: percent(c.accuracy.generic),
          tuned: percent(c.accuracy.tuned),
          labels: c.accuracy.labels,
        });
  const a = c.agent;
  const status = statusWord(t.streamStatus, c.streamStatus, t.unknownStatus);
  return (
    `<article class="camera" id="${esc(id)}" data-camera="${esc(c.cameraId)}" data-stream="${esc(c.streamStatus ?? 'unknown')}" aria-labelledby="${esc(id)}-h">` +
    `<h2 id="${esc(id)}-h">${esc(c.name ?? c.cameraId)}${c.name === null ? '' : ` <span class="muted">(${esc(c.cameraId)})</span>`}</h2>` +
    (c.alerts.length > 0
      ? `<p class="alert-badge" data-open-alerts="${c.alerts.length}"><a href="/staff/alerts">${esc(fill(t.alerts, { n: c.alerts.length }))}</a></p>`
      : '') +
    `<div class="frame">${img}${c.slots.length > 0 ? overlay(c) : ''}</div>` +
    (o.failedError !== undefined
      ? `<p class="error" role="alert" data-snapshot-error>${esc(snapshotFailureText(t, o.failedError))}</p>`
      : '') +
    (o.canSnapshot
      ? `<form method="post" action="/staff/cameras/${encodeURIComponent(c.cameraId)}/snapshot">` +
        `<input type="hidden" name="csrf_token" value="${esc(o.csrf)}"><button type="submit">${esc(t.take)}</button></form>`
      : '') +
    `<p class="counts" data-counts>${esc(c.slots.length === 0 ? t.noSlots : fill(t.slots, c.counts))}</p>` +
    `<dl class="facts">` +
    (c.lotId !== null ? fact(t.lot, c.lotId) : '') +
    fact(t.stream, c.streamDetail === null ? status : `${status}: ${c.streamDetail}`, ' data-fact="stream"') +
    fact(t.fps, num(c.fps)) +
    fact(t.frameAge, c.frameAgeS === null ? t.never : fill(t.ago, { n: c.frameAgeS }), ' data-fact="frame-age"') +
    fact(t.moved, c.moved ? t.yes : t.no) +
    fact(t.dark, c.dark ? t.yes : t.no) +
    fact(
      t.agent,
      a === null ? '—' : `${a.agentId} (${statusWord(t.agentStatus, a.status, t.unknownStatus)})`,
      ' data-fact="agent"',
    ) +
    fact(t.version, a?.version ?? '—') +
    fact(t.cpu, a?.processCpuPercent == null ? '—' : `${num(a.processCpuPercent)} %`) +
    fact(t.memory, a?.processRssBytes == null ? '—' : `${Math.round(a.processRssBytes / 1048576)} MiB`) +
    fact(t.accuracy, acc, ' data-fact="accuracy"') +
    (c.head !== null ? fact(t.head, c.head) : '') +
    `</dl></article>`
  );
}

export interface WallRender {
  lang: 'cs' | 'en';
  csrf: string;
  canSnapshot: boolean;
  /** A snapshot that failed: the camera and the failure code (see snapshotFailure), never free text. */
  failed?: { camera: string; error: string };
}

/** Seconds between live refreshes of the wall (ui/camera-wall/live.ts). */
export const WALL_REFRESH_S = 10;

/** The tiles: one per camera the server knows, in lot order; also GET /staff/wall, for live refresh. */
export function wallGrid(cameras: readonly WallCamera[], o: WallRender): string {
  const t = WALL_TEXTS[o.lang];
  if (cameras.length === 0)
    return `<div class="wall" id="wall" data-refresh-s="${WALL_REFRESH_S}"><p>${esc(t.none)}</p></div>`;
  return (
    `<div class="wall" id="wall" data-refresh-s="${WALL_REFRESH_S}">` +
    cameras
      .map((c) =>
        tile(c, t, {
          csrf: o.csrf,
          canSnapshot: o.canSnapshot,
          ...(o.failed?.camera === c.cameraId ? { failedError: o.failed.error } : {}),
        }),
      )
      .join('') +
    `</div>`
  );
}

/** The camera wall with its language link, the alerts link and the (script-only) pause button. */
export function wallBody(cameras: readonly WallCamera[], o: WallRender): string {
  const t = WALL_TEXTS[o.lang];
  const other = o.lang === 'cs' ? 'en' : 'cs';
  return (
    `<p class="wall-tools"><a href="?lang=${other}" lang="${other}" hreflang="${other}">${other === 'cs' ? 'Česky' : 'English'}</a> · ` +
    `<a href="/staff/alerts">${esc(t.allAlerts)}</a> ` +
    `<button type="button" id="wall-live" aria-pressed="false" hidden>${esc(t.pause)}</button></p>` +
    wallGrid(cameras, o)
  );
}
