import { emptyCalibration, type CalibrationDocument, type ValidationOptions } from '../../calibration/index.ts';
import { EditorStore } from './state/store.ts';
import { api } from './ui/api.ts';
import { Canvas } from './ui/canvas.ts';
import { byId } from './ui/elements.ts';
import { ioPanel } from './ui/io-panel.ts';
import { handleKey, helpPanel } from './ui/keys.ts';
import { MovedView } from './ui/moved-view.ts';
import { OccupancyFeed } from './ui/occupancy.ts';
import { LabelView } from './ui/label-view.ts';
import { issuesPanel, propsPanel } from './ui/props-panel.ts';
import { rowPanel } from './ui/row-panel.ts';
import { toolbar } from './ui/toolbar.ts';
import { VersionsPanel, type Session } from './ui/versions-panel.ts';

/** Grid spacing when grid snapping is on, in frame pixels. */
const GRID_PX = 10;
/** Used until the first snapshot says how big the camera's frames are. */
const FALLBACK_FRAME = { width: 1280, height: 720 };

/**
 * The calibration editor page (/staff/calibration/:camera_id): loads the camera's newest version
 * (or starts empty), wires the picture, the panels and the keyboard to one EditorStore, and
 * re-renders everything from it on each change.
 */
async function start(): Promise<void> {
  const root = byId('editor');
  const cameraId = root.dataset['camera'] ?? '';
  const lotId = root.dataset['lot'] ?? '';
  const statusEl = byId('status');
  const say = (message: string, kind: 'info' | 'error' = 'info') => {
    statusEl.textContent = message;
    statusEl.className = kind === 'error' ? 'status bad' : 'status';
  };
  const session: Session = { cameraId, baseVersion: null, say };

  const [cameras, versions] = await Promise.all([api.cameras(), api.versions(cameraId)]);
  const camera = cameras.find((c) => c.camera_id === cameraId);
  let doc: CalibrationDocument;
  const newest = versions[0];
  if (newest) {
    doc = (await api.version(cameraId, newest.version)).document;
    session.baseVersion = newest.version;
  } else {
    const f = camera?.frame ?? FALLBACK_FRAME;
    doc = emptyCalibration(f.width, f.height, cameraId);
  }
  const store = new EditorStore(doc);
  // The server's overlap thresholds and model input, so a live "no problems" means saving succeeds.
  store.validationOptions = JSON.parse(root.dataset['validationOptions'] ?? '{}') as ValidationOptions;
  const canvas = new Canvas(byId<SVGSVGElement>('canvas'), store);
  const flags = { snap: true, grid: false, overlay: false, help: false };
  let snapshotUrl: string | undefined;

  const fetchSnapshot = async () => {
    say('Asking the camera agent for a fresh picture…');
    try {
      const s = await api.snapshot(cameraId);
      snapshotUrl = api.snapshotUrl(cameraId, s.snapshot_id);
      if (s.width !== store.doc.frame_width || s.height !== store.doc.frame_height) {
        // Coordinates are relative (0–1), so a new resolution keeps every outline in place.
        const next = { ...store.doc, frame_width: s.width, frame_height: s.height };
        if (store.history.canUndo || store.doc.slots.length > 0) store.edit(next, 'use the snapshot’s size');
        else store.load(next);
      }
      canvas.setImage(snapshotUrl);
      root.dataset['snapshot'] = s.snapshot_id;
      say(`Snapshot ${s.width} × ${s.height} loaded.`);
    } catch (e) {
      say(`No snapshot: ${e instanceof Error ? e.message : String(e)}`, 'error');
    }
  };

  const occupancy = new OccupancyFeed(lotId, cameraId, (states) => {
    canvas.occupancy = states;
    canvas.render();
  });
  const help = byId('help');
  help.append(helpPanel());
  const moved = new MovedView(byId('moved'), store, cameraId, say);
  const labelling = new LabelView(byId('label'), cameraId, say);
  const toggles = {
    snap: () => {
      flags.snap = canvas.snap = !flags.snap;
      store.changed();
    },
    grid: () => {
      flags.grid = !flags.grid;
      canvas.gridPx = flags.grid ? GRID_PX : 0;
      store.changed();
    },
    overlay: () => {
      flags.overlay = !flags.overlay;
      if (flags.overlay && lotId) occupancy.start();
      else occupancy.stop();
      store.changed();
    },
    help: () => {
      flags.help = !flags.help;
      store.changed();
    },
  };
  const updateToolbar = toolbar(byId('toolbar'), store, {
    ...toggles,
    snapshot: () => void fetchSnapshot(),
    moved: () => moved.open(snapshotUrl),
    label: () => void labelling.open(),
    saveMasks: () =>
      void api
        .putMasks(cameraId, store.doc.privacy_masks)
        .then(() => say('Privacy masks saved; every snapshot is blurred there from now on.'))
        .catch((e: unknown) => say(e instanceof Error ? e.message : String(e), 'error')),
    zoomIn: () => canvas.zoom(1.25),
    zoomOut: () => canvas.zoom(0.8),
    zoomReset: () => canvas.resetView(),
  });
  const panel = new VersionsPanel(byId('versions'), store, session);
  const updaters: (() => void)[] = [
    propsPanel(byId('props'), store),
    issuesPanel(byId('issues'), store),
    rowPanel(byId('row'), store, say),
    ioPanel(byId('io'), store, cameraId, () => session.baseVersion, say),
  ];
  const render = () => {
    canvas.render();
    for (const u of updaters) u();
    panel.update();
    updateToolbar(flags);
    help.hidden = !flags.help;
    byId('row-section').hidden = store.tool !== 'row';
    root.dataset['tool'] = store.tool;
    root.dataset['dirty'] = String(store.dirty);
  };
  store.subscribe(render);
  document.addEventListener('keydown', (e) => {
    const tag = (e.target as HTMLElement | null)?.tagName;
    if (tag !== undefined && TYPING.has(tag) && e.key !== 'Escape') return;
    // Enter and Space belong to a focused button or link; Tab cycles slots only on the picture.
    if (tag !== undefined && ACTIVATING.has(tag) && (e.key === 'Enter' || e.key === ' ')) return;
    if (e.key === 'Tab' && (e.target as HTMLElement | null)?.id !== 'canvas') return;
    if (handleKey(e, store, canvas, toggles)) e.preventDefault();
  });
  render();
  await panel.refresh();
  // Usable at once (drawing, importing, versions); the picture follows when the agent answers.
  root.dataset['ready'] = 'true';
  await fetchSnapshot();
  // After the snapshot's own message, so this warning stays on screen.
  if (camera?.camera_moved)
    say('The agent reports that this camera has moved. Use “Camera moved…” to compare and re-project.', 'error');
}

const TYPING = new Set(['INPUT', 'SELECT', 'TEXTAREA']);
const ACTIVATING = new Set(['BUTTON', 'A', 'SUMMARY']);

start().catch((e: unknown) => {
  const el = document.querySelector('#status');
  if (el) el.textContent = `The editor could not start: ${e instanceof Error ? e.message : String(e)}`;
});
