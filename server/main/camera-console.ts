import type { CalibrationService } from '../calibration/service.ts';
import type { CameraCalibrationView, OpenAlertsView } from '../core/camera-console.ts';
import type { AlertMonitor } from '../alerts/monitor.ts';
import type { Catalog } from '../core/storage/catalog.ts';
import type { ReservedSource } from '../core/availability/reader.ts';

/** The camera wall's view of calibration: outlines of the version in force, accuracy, snapshots. */
export function cameraCalibrationView(service: CalibrationService): CameraCalibrationView {
  return {
    outlines(cameraId) {
      const v = service.versions.summaries().get(cameraId);
      const version = v?.published ?? v?.latest;
      const doc = version === undefined ? undefined : service.versions.get(cameraId, version)?.document;
      if (doc === undefined || version === undefined) return null;
      return {
        version,
        frameWidth: doc.frame_width,
        frameHeight: doc.frame_height,
        // Closed slots are not sent to the agent, so they have no live state to show.
        slots: doc.slots.filter((s) => s.closed !== true).map((s) => ({ slotId: s.id, polygon: s.polygon })),
      };
    },
    accuracy(cameraId) {
      const a = service.labels.accuracy(cameraId);
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

/** Open alerts by subject, for the wall's badges. */
export function openAlertsView(alerts: AlertMonitor): OpenAlertsView {
  return {
    openAbout: (subject) =>
      alerts.store
        .open()
        .filter((a) => a.subject === subject)
        .map((a) => ({ kind: a.kind, detail: a.detail })),
  };
}

/** Every slot held for a booking right now, as `camera/slot`, across the configured lots. */
export function heldSlots(catalog: Catalog, reserved: ReservedSource, now: number): Set<string> {
  const out = new Set<string>();
  for (const lot of catalog.lots()) for (const k of reserved.held(lot.lotId, now).keys) out.add(k);
  return out;
}
