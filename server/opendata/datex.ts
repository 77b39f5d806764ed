import type { AvailabilityReader, SlotView } from '../core/availability/reader.ts';
import type { SlotType } from '../core/config/schema.ts';
import type { Datex } from './datex-schema.ts';

/** DATEX II user/fuel assignment for each slot type (standard spaces carry none). */
type Assignment = { typeOfAssignment: string; user?: string; fuelType?: string };

const ASSIGNMENT: Record<SlotType, Assignment | null> = {
  standard: null,
  disabled: { typeOfAssignment: 'onlyFor', user: 'disabled' },
  ev: { typeOfAssignment: 'onlyFor', fuelType: 'battery' },
  visitor: { typeOfAssignment: 'onlyFor', user: 'visitors' },
  staff: { typeOfAssignment: 'onlyFor', user: 'employees' },
};

const AVAILABILITY: Record<SlotView['state'], 'available' | 'occupied' | 'unknown'> = {
  free: 'available',
  occupied: 'occupied',
  unknown: 'unknown',
};

export interface DatexOptions {
  site: string;
  name: string;
  lang: string;
  now: number;
}

/**
 * A DATEX II v3 "Parking Publication Light"-shaped document: one `parkingSite` per lot with its
 * free count and one `parkingSpace` per slot with `available | occupied | closed | unknown`.
 * Field names follow the Light profile as national access points publish it in JSON (`_id`,
 * `lastUpdate`, `locationAndDimension.coordinatesForDisplay`); it is not validated against the
 * official schema. Stale or never-reported slots are `unknown`, never `available`.
 */
export function datexPublication(availability: AvailabilityReader, o: DatexOptions): Datex {
  const lots = availability.lots();
  const parkingSite: Datex['parkingPublicationLight']['parkingSite'] = [];
  const parkingSpace: Datex['parkingPublicationLight']['parkingSpace'] = [];
  for (const lot of lots) {
    const a = availability.lotAvailability(lot.lot_id)!;
    const s = availability.lotSlots(lot.lot_id)!;
    const siteId = `${o.site}:${lot.lot_id}`;
    const location =
      lot.latitude !== null && lot.longitude !== null
        ? {
            locationAndDimension: {
              coordinatesForDisplay: { latitude: lot.latitude, longitude: lot.longitude },
              ...(lot.address !== null ? { locationDescriptor: lot.address } : {}),
            },
          }
        : {};
    const assignedFor = (Object.keys(ASSIGNMENT) as SlotType[])
      .filter((t) => ASSIGNMENT[t] !== null && a.by_type[t].total > 0)
      .map((t) => ({ ...ASSIGNMENT[t]!, availableSpaces: a.by_type[t].free }));
    parkingSite.push({
      _id: siteId,
      name: lot.name,
      type: 'offStreetParkingGround',
      numberOfSpaces: a.total,
      availableSpaces: a.free,
      ...(a.updated_at !== null ? { lastUpdate: a.updated_at } : {}),
      ...(assignedFor.length > 0 ? { assignedFor } : {}),
      ...(a.reserved > 0 ? { reservedSpaces: a.reserved } : {}),
      ...location,
    });
    for (const slot of s.slots) {
      const assignment = ASSIGNMENT[slot.type];
      parkingSpace.push({
        _id: `${o.site}:${slot.camera_id}:${slot.slot_id}`,
        externalIdentifier: slot.label,
        parkingSiteReference: { _id: siteId },
        // A space kept for a booking is not there for the public, whatever the camera sees.
        availability: slot.reserved ? 'occupied' : AVAILABILITY[slot.state],
        ...(slot.reserved ? { reserved: true } : {}),
        ...(slot.observed_at !== null ? { lastUpdate: slot.observed_at } : {}),
        ...(assignment !== null ? { assignedFor: [assignment] } : {}),
        ...(slot.type === 'disabled' ? { accessibility: 'handicappedMarked' } : {}),
      });
    }
  }
  return {
    _modelBaseVersion: '3',
    _profileName: 'ParkingPublicationLight',
    parkingPublicationLight: {
      lang: o.lang,
      name: o.name,
      publicationTime: new Date(o.now).toISOString(),
      parkingSite,
      parkingSpace,
    },
  };
}
