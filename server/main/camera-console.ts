import type { CalibrationService } from '../calibration/service.ts';
import type { CalibrationInForce } from '../calibration/in-force.ts';
import type { CameraCalibrationView, CameraOutlines, OpenAlertsView } from '../core/camera-console.ts';
import type { AlertMonitor } from '../alerts/monitor.ts';
import type { Catalog } from '../core/storage/catalog.ts';
import type { ReservedSource } from '../core/availability/reader.ts';

/**
 * The camera wall's view of calibration: outlines of the version in force, accuracy, snapshots.
 * A saved version never changes, so each camera's outlines are parsed once per version in force,
 * not on every page load.
 */
export function cameraCalibrationView(service: CalibrationService, inForce: CalibrationInForce): CameraCalibrationView {
  const parsed = new Map<string, CameraOutlines>();
  return {
    async outlines() {
      const out = new Map<string, CameraOutlines>();
      for (const [cameraId, f] of await inForce.all()) {
        const known = parsed.get(cameraId);
        if (known?.version === f.version) {
          out.set(cameraId, { ...known, applied: f.applied });
          continue;
        }
        const doc = (await service.versions.get(cameraId, f.version))?.document;
        if (doc === undefined) continue;
        const o: CameraOutlines = {
          version: f.version,
          applied: f.applied,
          frameWidth: doc.frame_width,
          frameHeight: doc.frame_height,
          // Closed slots are not sent to the agent, so they have no live state to show.
          slots: doc.slots.filter((s) => s.closed !== true).map((s) => ({ slotId: s.id, polygon: s.polygon })),
        };
        parsed.set(cameraId, o);
        out.set(cameraId, o);
      }
      return out;
    },
    async accuracy(cameraId) {
      const a = await service.labels.accuracy(cameraId);
      return a === null
        ? null
        : { labels: a.labels, generic: a.accuracyGeneric, tuned: a.accuracyTuned, shippedVersion: a.shippedVersion };
    },
    latestSnapshot(cameraId) {
      const s = service.snapshots.latest(cameraId);
      return s === undefined ? null : { id: s.id, width: s.width, height: s.height, capturedAt: s.capturedAt };
    },
    async takeSnapshot(cameraId, maxWidth) {
      const s = await service.snapshot(cameraId, maxWidth);
      return { id: s.id };
    },
  };
}

/** Open alerts by subject, for the wall's badges: one query per page, grouped here. */
export function openAlertsView(alerts: AlertMonitor): OpenAlertsView {
  return {
    async openBySubject() {
      const out = new Map<string, { kind: string; detail: string | null }[]>();
      for (const a of await alerts.store.open()) {
        const list = out.get(a.subject) ?? [];
        list.push({ kind: a.kind, detail: a.detail });
        out.set(a.subject, list);
      }
      return out;
    },
  };
}

/** Every slot held for a booking right now, as `camera/slot`, across the configured lots. */
export async function heldSlots(catalog: Catalog, reserved: ReservedSource, now: number): Promise<Set<string>> {
  const out = new Set<string>();
  const held = await Promise.all(catalog.lots().map((lot) => reserved.held(lot.lotId, now)));
  for (const h of held) for (const k of h.keys) out.add(k);
  return out;
}
