import type { AvailabilityReader, SlotView } from '../core/availability/reader.ts';
import type { SlotType } from '../core/config/schema.ts';
import type { Datex } from './datex-schema.ts';

type Publication = Datex['parkingPublicationLight'];
type Site = Publication['parkingSite'][number];
type Space = Publication['parkingSpace'][number];
type Assignment = NonNullable<Site['assignedFor']>[number];

/** Who each slot type is for (standard spaces carry none). */
const FOR: Record<SlotType, Omit<Assignment, 'typeOfAssignment' | 'availableSpaces'> | null> = {
  standard: null,
  disabled: { user: { value: 'disabled' } },
  ev: { fuelType: { value: 'battery' } },
  visitor: { user: { value: 'visitors' } },
  staff: { user: { value: 'employees' } },
};

const AVAILABILITY: Record<SlotView['state'], Space['availability']['value']> = {
  free: 'available',
  occupied: 'occupied',
  unknown: 'unknown',
};

export interface DatexOptions {
  site: string;
  name: string;
  lang: string;
  /** ISO 3166-1 alpha-2 country of the publisher (`publicationCreator`). */
  country: string;
  now: number;
}

/**
 * DATEX II v3 Parking Publication Light in DATEX II's JSON encoding: one `parkingSite` per lot with
 * its free count, one `parkingSpace` per slot with `available | occupied | unknown`. Stale or
 * never-reported slots are `unknown`, never `available`; a slot kept for a booking is `occupied`.
 *
 * The profile requires coordinates on every site and space, so lots without `latitude`/`longitude`
 * are left out, and each space carries its lot's coordinates (the server knows a slot's outline in
 * the camera picture, not on the map). Per-type free counts use `optimisedFor` (the profile allows
 * `availableSpaces` only with `optimisedFor`/`allowedFor`); a single space says `onlyFor`. Bookings
 * go into `_parkingSiteExtension`/`_parkingSpaceExtension`, the profile's extension points. What is
 * validated against the standard's schema, and what not: docs/server.md, "Open data and integrations".
 */
export async function datexPublication(availability: AvailabilityReader, o: DatexOptions): Promise<Datex> {
  const parkingSite: Site[] = [];
  const parkingSpace: Space[] = [];
  // Read everything first, then build: the document is one picture, not a loop of reads between writes.
  const placed = (await availability.lots()).filter((l) => l.latitude !== null && l.longitude !== null);
  const read = await Promise.all(
    placed.map((l) => Promise.all([availability.lotAvailability(l.lot_id), availability.lotSlots(l.lot_id)])),
  );
  for (const [i, lot] of placed.entries()) {
    const [a, s] = read[i]!;
    // A lot dropped from the catalog while this read is left out, as it will be from the next document.
    if (lot.latitude === null || lot.longitude === null || a === undefined || s === undefined) continue;
    const siteId = `${o.site}:${lot.lot_id}`;
    const coordinatesForDisplay = { latitude: lot.latitude, longitude: lot.longitude };
    const assignedFor = (Object.keys(FOR) as SlotType[])
      .filter((t) => FOR[t] !== null && a.by_type[t].total > 0)
      .map((t): Assignment => ({
        typeOfAssignment: { value: 'optimisedFor' },
        ...FOR[t]!,
        availableSpaces: a.by_type[t].free,
      }));
    parkingSite.push({
      _id: siteId,
      type: { value: 'offStreetParkingGround' },
      name: lot.name,
      numberOfSpaces: a.total,
      availableSpaces: a.free,
      ...(a.updated_at !== null ? { lastUpdate: a.updated_at } : {}),
      ...(assignedFor.length > 0 ? { assignedFor } : {}),
      locationAndDimension: {
        coordinatesForDisplay,
        ...(lot.address !== null ? { locationDescriptor: lot.address } : {}),
      },
      ...(a.reserved > 0 ? { _parkingSiteExtension: { volno: { reservedSpaces: a.reserved } } } : {}),
    });
    for (const slot of s.slots) {
      const assignment = FOR[slot.type];
      parkingSpace.push({
        _id: `${o.site}:${slot.camera_id}:${slot.slot_id}`,
        externalIdentifier: slot.label,
        parkingSiteReference: { _id: siteId, targetClass: 'ParkingSite' },
        // A space kept for a booking is not there for the public, whatever the camera sees.
        availability: { value: slot.reserved ? 'occupied' : AVAILABILITY[slot.state] },
        ...(slot.observed_at !== null ? { lastUpdate: slot.observed_at } : {}),
        ...(assignment !== null ? { assignedFor: [{ typeOfAssignment: { value: 'onlyFor' }, ...assignment }] } : {}),
        ...(slot.type === 'disabled' ? { accessibility: [{ value: 'handicappedMarked' }] } : {}),
        locationAndDimension: { coordinatesForDisplay },
        ...(slot.reserved ? { _parkingSpaceExtension: { volno: { reserved: true } } } : {}),
      });
    }
  }
  return {
    _modelBaseVersion: '3',
    _profileName: 'ParkingPublicationLight',
    parkingPublicationLight: {
      lang: o.lang,
      publicationTime: new Date(o.now).toISOString(),
      publicationCreator: { country: o.country, nationalIdentifier: o.site },
      name: o.name,
      parkingSite,
      parkingSpace,
    },
  };
}
