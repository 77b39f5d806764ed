import type { AvailabilityReader } from '../core/availability/reader.ts';
import type { ParkApi } from './parkapi-schema.ts';

export interface ParkApiOptions {
  site: string;
  /** When the lots were loaded (ms): ParkAPI's `static_data_updated_at`. */
  staticSince: number;
}

/**
 * Every lot as a ParkAPI v3 parking site with its real-time free capacity. Lots without
 * coordinates are left out: ParkAPI requires `lat`/`lon` and aggregators place sites on a map.
 * `realtime_free_capacity` is the availability service's `free`, so slots that are unknown, stale
 * or kept for a booking are never offered as free. A lot no camera has reported yet carries no
 * realtime fields and `has_realtime_data: false` (the spec requires `realtime_data_updated_at`
 * whenever `has_realtime_data` is true). `realtime_opening_status` is not sent: a camera cannot
 * tell whether the gate is open.
 */
export async function parkApiSites(availability: AvailabilityReader, o: ParkApiOptions): Promise<ParkApi> {
  const items: ParkApi['items'] = [];
  const placed = (await availability.lots()).filter((l) => l.latitude !== null && l.longitude !== null);
  const read = await Promise.all(placed.map((l) => availability.lotAvailability(l.lot_id)));
  for (const [i, lot] of placed.entries()) {
    const a = read[i];
    if (lot.latitude === null || lot.longitude === null || a === undefined) continue;
    items.push({
      uid: `${o.site}:${lot.lot_id}`,
      name: lot.name,
      purpose: 'CAR',
      type: 'OFF_STREET_PARKING_GROUND',
      ...(lot.address !== null ? { address: lot.address } : {}),
      lat: lot.latitude,
      lon: lot.longitude,
      has_realtime_data: a.updated_at !== null,
      static_data_updated_at: new Date(o.staticSince).toISOString(),
      capacity: a.total,
      capacity_disabled: a.by_type.disabled.total,
      capacity_charging: a.by_type.ev.total,
      ...(a.updated_at !== null
        ? {
            realtime_data_updated_at: a.updated_at,
            realtime_free_capacity: a.free,
            realtime_free_capacity_disabled: a.by_type.disabled.free,
            realtime_free_capacity_charging: a.by_type.ev.free,
          }
        : {}),
    });
  }
  return { items };
}
