import type { SlotCounts } from '../occupancy/camera-slots.ts';
import type { StreamStatus } from './stream-health.ts';

/** What a camera summary says apart from times and fps; a summary is published when this changes. */
export function summaryKey(
  health: { status: StreamStatus },
  counts: SlotCounts,
  sourceDetail: string | undefined,
  calibrationVersion: number,
): string {
  // Details carry live numbers (luma, seconds); keying on them would publish a summary per frame.
  const sourceSide = health.status === 'down' || health.status === 'stalled' ? (sourceDetail ?? '') : '';
  const c = counts;
  return `${c.free}/${c.occupied}/${c.unknown}/${c.total}|${health.status}|${sourceSide}|${calibrationVersion}`;
}
