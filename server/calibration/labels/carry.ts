import type { Logger } from 'pino';
import type { CalibrationDocument } from '../../../calibration/index.ts';
import type { TunedHead } from '../../../protocol/index.ts';
import type { VersionsStore } from '../versions-store.ts';
import type { LabelStore } from './label-store.ts';

const polygonKey = (doc: CalibrationDocument, slotId: string): string | undefined => {
  const s = doc.slots.find((x) => x.id === slotId);
  return s ? JSON.stringify(s.polygon) : undefined;
};

/** A slot whose outline (or the frame it is drawn on) differs between two versions. */
function changedSlots(from: CalibrationDocument, to: CalibrationDocument, slotIds: readonly string[]): string[] {
  if (from.frame_width !== to.frame_width || from.frame_height !== to.frame_height) return [...slotIds];
  return slotIds.filter((id) => {
    const a = polygonKey(from, id);
    return a === undefined || a !== polygonKey(to, id);
  });
}

/**
 * Decides the tuned head a version ships with, just before it is published, and retires labels the
 * version makes meaningless (issue 12: "dropped when the view moves").
 *
 * - The version's own head (fitted for it) ships, unless the camera now reports `camera_moved`.
 * - Otherwise the newest earlier head is carried when every slot it knew keeps its outline: a change
 *   of delays or masks does not change what the model sees, so the labels still describe the view.
 * - A moved camera (the re-projection flow, or any publish while the agent says `camera_moved`)
 *   drops the head and deletes every stored label and head of the camera: they show the old view.
 * - Labels of slots whose outline changed are deleted: their feature rows were cut from other pixels.
 */
export async function headForPublish(
  d: { labels: LabelStore; versions: VersionsStore; log: Logger },
  cameraId: string,
  version: number,
  doc: CalibrationDocument,
  cameraMoved: boolean,
): Promise<TunedHead | null> {
  if (cameraMoved) {
    const gone = await d.labels.deleteCamera(cameraId);
    // The heads too: left stored, the next publish with the same outlines would carry one back in.
    const heads = await d.labels.deleteHeads(cameraId);
    d.log.info(
      { camera: cameraId, version, label_sets: gone, heads },
      'camera moved: tuned head dropped, labels discarded',
    );
    return null;
  }
  for (const set of await d.labels.setsOf(cameraId)) {
    const old = (await d.versions.get(cameraId, set.version))?.document;
    const stale = old ? changedSlots(old, doc, set.slots) : set.slots;
    if (stale.length > 0) {
      await d.labels.dropLabels(set.id, stale);
      d.log.info(
        { camera: cameraId, version, label_set: set.id, slots: stale.length },
        'labels of changed slots discarded',
      );
    }
  }
  const own = await d.labels.head(cameraId, version);
  if (own) return own;
  const earlier = await d.labels.headBefore(cameraId, version);
  if (!earlier) return null;
  const from = (await d.versions.get(cameraId, earlier.version))?.document;
  if (
    !from ||
    changedSlots(
      from,
      doc,
      from.slots.map((s) => s.id),
    ).length > 0
  ) {
    d.log.info({ camera: cameraId, version, from: earlier.version }, 'slot outlines changed: tuned head not carried');
    return null;
  }
  await d.labels.putHead(cameraId, version, earlier.head);
  return earlier.head;
}
