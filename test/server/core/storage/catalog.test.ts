import { describe, expect, it } from 'vitest';
import type { LotConfig } from '../../../../server/core/config/schema.ts';
import { Catalog } from '../../../../server/core/storage/catalog.ts';
import { useEngines } from '../../../support/engines.ts';

const engines = useEngines();

const slot = (slot_id: string, extra: Partial<LotConfig['cameras'][number]['slots'][number]> = {}) => ({
  slot_id,
  type: 'standard' as const,
  reservable: false,
  ...extra,
});

const LOTS: LotConfig[] = [
  {
    lot_id: 'north',
    name: 'Sever',
    name_en: 'North',
    latitude: 50.1,
    longitude: 14.4,
    cameras: [{ camera_id: 'cam-n', slots: [slot('B2', { reservable: true, row: 1, col: 2 }), slot('A1')] }],
  },
  { lot_id: 'east', name: 'Východ', cameras: [{ camera_id: 'cam-e', slots: [slot('E1', { label: 'E-1' })] }] },
];

describe.each(engines)('the catalog on $engine', ({ available, open }) => {
  it.skipIf(!available)('loads the configured lots and slots in config order', async () => {
    const catalog = new Catalog(await open());
    await catalog.applyConfig(LOTS);
    expect(catalog.lots().map((l) => l.lotId)).toEqual(['north', 'east']);
    expect(catalog.lot('north')).toEqual({
      lotId: 'north',
      name: 'Sever',
      nameEn: 'North',
      address: null,
      latitude: 50.1,
      longitude: 14.4,
    });
    expect(catalog.slotsOf('north').map((s) => [s.slotId, s.reservable, s.row, s.col, s.configured])).toEqual([
      ['B2', true, 1, 2, true],
      ['A1', false, null, null, true],
    ]);
    expect(catalog.slotsOf('east')[0]!.label).toBe('E-1');
    expect(catalog.lotOf('cam-e', 'E1')).toBe('east');
  });

  it.skipIf(!available)('records a slot first seen over MQTT once, unassigned, and joins a transaction', async () => {
    const sql = await open();
    const catalog = new Catalog(sql);
    await catalog.applyConfig(LOTS);
    const before = catalog.version;
    const first = await sql.transaction((tx) => catalog.ensureSlot('cam-x', 'Z9', 1_000, tx));
    expect(first).toBe(true);
    expect(await catalog.ensureSlot('cam-x', 'Z9', 2_000)).toBe(false);
    expect(catalog.version).toBeGreaterThan(before);
    expect(catalog.slotsOf(null).map((s) => [s.cameraId, s.slotId, s.configured])).toEqual([['cam-x', 'Z9', false]]);
    expect(catalog.lotOf('cam-x', 'Z9')).toBeNull();
    expect(await sql.all('SELECT camera_id, first_seen_at FROM cameras WHERE configured = 0')).toEqual([
      { camera_id: 'cam-x', first_seen_at: 1_000 },
    ]);
    // What memory holds is what a fresh load from the database gives.
    const fresh = new Catalog(sql);
    await fresh.refresh();
    expect(fresh.slotsOf(null)).toEqual(catalog.slotsOf(null));
  });

  it.skipIf(!available)('keeps removed lots and slots in the database but out of the configured view', async () => {
    const sql = await open();
    const catalog = new Catalog(sql);
    await catalog.applyConfig(LOTS);
    await catalog.applyConfig([LOTS[1]!]);
    expect(catalog.lots().map((l) => l.lotId)).toEqual(['east']);
    expect(catalog.slotsOf('north')).toEqual([]);
    expect(catalog.slotsOf(null).map((s) => s.slotId)).toEqual(['B2', 'A1']);
    expect(await sql.one('SELECT count(*) AS n FROM lots')).toEqual({ n: 2 });
  });

  it.skipIf(!available)('sees what another instance wrote after refresh()', async () => {
    const sql = await open();
    const mine = new Catalog(sql);
    await mine.applyConfig(LOTS);
    const theirs = new Catalog(sql);
    await theirs.refresh();
    await theirs.ensureSlot('cam-n', 'C3', 5);
    expect(mine.lotOf('cam-n', 'C3')).toBeNull();
    expect(mine.slotsOf(null)).toEqual([]);
    await mine.refresh();
    expect(mine.slotsOf(null).map((s) => s.slotId)).toEqual(['C3']);
    expect(await mine.ensureSlot('cam-n', 'C3', 6)).toBe(false);
  });

  it.skipIf(!available)('changes its version on refresh() only when the catalog changed', async () => {
    const sql = await open();
    const catalog = new Catalog(sql);
    await catalog.applyConfig(LOTS);
    const loaded = catalog.version;
    await catalog.refresh();
    expect(catalog.version).toBe(loaded);
    // A slot recorded in a transaction that then rolls back: the next refresh forgets it.
    await sql
      .transaction(async (tx) => {
        await catalog.ensureSlot('cam-x', 'Z9', 1, tx);
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    expect(catalog.slotsOf(null)).toHaveLength(1);
    await catalog.refresh();
    expect(catalog.slotsOf(null)).toEqual([]);
    expect(await catalog.ensureSlot('cam-x', 'Z9', 2)).toBe(true);
  });

  it.skipIf(!available)('refuses a read before its first load instead of answering "no lots"', async () => {
    const catalog = new Catalog(await open());
    expect(() => catalog.lots()).toThrow(expect.objectContaining({ code: 'VOLNO_CATALOG_NOT_LOADED' }));
  });
});
