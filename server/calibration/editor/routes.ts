import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { ID_PATTERN } from '../../../protocol/ids.ts';
import type { ValidationOptions } from '../../../calibration/index.ts';
import type { StaffAccess } from '../../core/access.ts';
import type { LotConfig } from '../../core/config/schema.ts';
import { esc } from '../../core/web/html.ts';
import { percent } from '../../core/web/i18n.ts';
import { editorAssets, type EditorAsset } from './bundle.ts';
import { STAFF_CSP, staffPage } from '../../core/web/staff-layout.ts';
import { sendAsset } from '../../../kit/static-assets.ts';

/** What the camera list shows of each camera (a subset of GET /api/v1/staff/cameras). */
export interface CameraRow {
  camera_id: string;
  lot_id: string | null;
  name: string | null;
  agent_status: string | null;
  stream_status: string | null;
  latest_version: number | null;
  published_version: number | null;
  applied_version: number | null;
  camera_moved: boolean;
  /** Measured on the camera's staff labels (issue 12); null before the first labels. */
  accuracy?: { labels: number; accuracy_generic: number; accuracy_tuned: number; tuned_version: number | null } | null;
}

/** "generic 83.3 % · tuned 95.8 % (24 labels)", or why there is no tuned head. */
function accuracyCell(a: CameraRow['accuracy']): string {
  if (!a) return '<td class="muted">no labels yet</td>';
  const tuned =
    a.tuned_version === null
      ? `tuned ${percent(a.accuracy_tuned)}, not better: generic in use`
      : `tuned ${percent(a.accuracy_tuned)}, in use since version ${a.tuned_version}`;
  return `<td data-accuracy-labels="${a.labels}">generic ${percent(a.accuracy_generic)} · ${esc(tuned)} (${a.labels} labels)</td>`;
}

export interface EditorRoutesOptions {
  access: StaffAccess;
  lots: LotConfig[];
  /** Every camera the server knows, configured or seen over MQTT (server/calibration/cameras.ts). */
  cameras: () => Promise<CameraRow[]>;
  /** The server's validation settings, so the editor's live check says what saving will say. */
  validation: Pick<ValidationOptions, 'overlap' | 'model'>;
}

const CameraParams = Type.Object(
  { camera_id: Type.String({ pattern: ID_PATTERN, maxLength: 64, description: 'Camera id' }) },
  { additionalProperties: false },
);
const AssetParams = Type.Object(
  { file: Type.String({ pattern: '^editor-[0-9a-f]{16}\\.(js|css)$' }) },
  { additionalProperties: false },
);

const html = (reply: FastifyReply, body: string) =>
  reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', STAFF_CSP)
    .header('cache-control', 'no-store')
    .send(body);

/**
 * The calibration pages: `/staff/calibration` lists the configured cameras, and
 * `/staff/calibration/:camera_id` is the editor (ui/calibration-editor/, bundled in the background at
 * start, so the server answers at once; the first editor request waits for it if needed). Viewers may
 * look; the API refuses their changes (operator and up). The editor script and stylesheet are
 * staff-only too: they are served under the page's path with the same access check.
 */
export const editorRoutes: FastifyPluginAsyncTypebox<EditorRoutesOptions> = async (
  app,
  { access, lots, cameras, validation },
) => {
  // Under load the build took up to 12 s (test/system saw it delay every server start): start it now,
  // wait for it only where it is needed.
  void editorAssets().catch(() => undefined);
  const assetByName = async (name: string): Promise<EditorAsset | undefined> => {
    const assets = await editorAssets();
    return [assets.js, assets.css].find((a) => a.url.slice(a.url.lastIndexOf('/') + 1) === name);
  };
  const cameraLot = new Map(lots.flatMap((l) => l.cameras.map((c) => [c.camera_id, { lot: l, camera: c }] as const)));
  const staff = { preHandler: access.require('viewer') };
  const schema = (summary: string) => ({
    tags: ['staff'],
    summary,
    security: access.security,
    produces: ['text/html'],
  });

  app.get('/staff/calibration', { ...staff, schema: schema('Calibration: the cameras (HTML)') }, async (req, reply) => {
    const lotName = new Map(lots.map((l) => [l.lot_id, l.name]));
    const cell = (v: string | number | null) => `<td>${v === null ? '—' : esc(String(v))}</td>`;
    const rows = (await cameras()).map(
      (c) =>
        `<tr><th scope="row"><a href="/staff/calibration/${esc(encodeURIComponent(c.camera_id))}">` +
        `${esc(c.name ?? c.camera_id)}</a>${c.name ? ` <span class="muted">(${esc(c.camera_id)})</span>` : ''}</th>` +
        cell(c.lot_id === null ? null : (lotName.get(c.lot_id) ?? c.lot_id)) +
        cell(c.agent_status) +
        `<td>${c.camera_moved ? '<strong class="error">camera moved: recalibrate</strong>' : esc(c.stream_status ?? '—')}</td>` +
        cell(c.latest_version) +
        cell(c.published_version) +
        cell(c.applied_version) +
        accuracyCell(c.accuracy) +
        `</tr>`,
    );
    const body =
      rows.length === 0
        ? '<p>No cameras yet. Add them under <code>lots[].cameras</code> in the server config, or start their agent.</p>'
        : `<p>Choose a camera to draw and publish its parking slots.</p><table class="cameras"><thead><tr>` +
          `<th scope="col">Camera</th><th scope="col">Lot</th><th scope="col">Agent</th><th scope="col">Stream</th>` +
          `<th scope="col">Latest version</th><th scope="col">Published</th><th scope="col">Applied by the agent</th>` +
          `<th scope="col">Accuracy on staff labels</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
    return html(reply, staffPage({ title: 'Calibration', lang: 'en', principal: req.staff!, body }));
  });

  app.get(
    '/staff/calibration/:camera_id',
    { ...staff, schema: { ...schema('Calibration editor for one camera (HTML)'), params: CameraParams } },
    async (req, reply) => {
      const id = req.params.camera_id;
      const found = cameraLot.get(id);
      const known = found ? undefined : (await cameras()).find((c) => c.camera_id === id);
      const title = `Calibration: ${found?.camera.name ?? known?.name ?? id}`;
      const assets = await editorAssets();
      return html(
        reply,
        staffPage({
          title,
          lang: 'en',
          principal: req.staff!,
          body: editorBody(id, found?.lot.lot_id ?? known?.lot_id ?? '', validation),
          scripts: [assets.js.url],
          styles: [assets.css.url],
        }),
      );
    },
  );

  app.get(
    '/staff/calibration/assets/:file',
    { ...staff, schema: { hide: true, params: AssetParams } },
    async (req, reply) => {
      const a = await assetByName(req.params.file);
      if (a === undefined) return reply.callNotFound();
      // Private: staff-only code, but immutable under its hashed name.
      return sendAsset(req, reply, a, 'private, max-age=31536000, immutable');
    },
  );
};

/** The page skeleton; ui/calibration-editor/main.ts fills every panel. */
function editorBody(cameraId: string, lotId: string, validation: EditorRoutesOptions['validation']): string {
  const section = (id: string, title: string, attrs = '') =>
    `<section ${attrs} aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2><div id="${id}"></div></section>`;
  return (
    `<div id="editor" data-camera="${esc(cameraId)}" data-lot="${esc(lotId)}" ` +
    `data-validation-options="${esc(JSON.stringify(validation))}">` +
    `<p><a href="/staff/calibration">All cameras</a></p>` +
    `<div id="toolbar" class="toolbar" role="toolbar" aria-label="Editor tools"></div>` +
    `<p id="status" class="status" role="status" aria-live="polite">Loading the editor…</p>` +
    `<div class="workspace"><div class="stage">` +
    `<svg id="canvas" tabindex="0" role="application" aria-roledescription="drawing area" ` +
    `aria-label="Snapshot of camera ${esc(cameraId)} with its slots; keyboard shortcuts are listed under Shortcuts" ` +
    `preserveAspectRatio="xMidYMid meet"></svg></div>` +
    `<aside class="side">` +
    section('props', 'Selected') +
    `<section id="row-section" hidden aria-labelledby="row-h"><h2 id="row-h">Row tool</h2><div id="row"></div></section>` +
    section('issues', 'Validation') +
    section('versions', 'Versions') +
    section('io', 'Import and export') +
    `<section id="help" hidden aria-labelledby="help-h"><h2 id="help-h">Keyboard shortcuts</h2></section>` +
    `</aside></div>` +
    `<section id="moved" class="moved" hidden aria-label="Camera moved"></section>` +
    `<section id="label" class="label-mode" hidden aria-label="Label slots"></section>` +
    `</div>`
  );
}
