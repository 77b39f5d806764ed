// The versions store on both engines: numbering, conflicts, publish marks and acks. On PostgreSQL the
// concurrent saves run on separate pool connections, so they really race for the next number.
import { describe, expect, it } from 'vitest';
import { emptyCalibration } from '../../../calibration/index.ts';
import { retryOnUnique } from '../../../server/calibration/retry-unique.ts';
import { VersionsStore } from '../../../server/calibration/versions-store.ts';
import { useEngines } from '../../support/engines.ts';
import { slot } from './support.ts';

const CAMERA = 'north-1';
const doc = (n: number) => ({ ...emptyCalibration(1280, 720, CAMERA), slots: [slot(`s${n}`, 0.1, 0.1)] });
const meta = (at: number) => ({ author: 'olga', note: '', at });

describe.each(useEngines())('the calibration versions store on $engine', ({ available, open }) => {
  async function store() {
    const sql = await open();
    return { sql, versions: new VersionsStore(sql) };
  }

  it.skipIf(!available)('numbers versions from 1, newest first, with their documents', async () => {
    const { versions } = await store();
    expect(await versions.latestVersion(CAMERA)).toBeNull();
    expect(await versions.add(CAMERA, doc(1), meta(1))).toEqual({ version: 1 });
    expect(await versions.add(CAMERA, doc(2), meta(2))).toEqual({ version: 2 });
    expect((await versions.list(CAMERA)).map((v) => [v.version, v.baseVersion, v.slotCount])).toEqual([
      [2, 1, 1],
      [1, null, 1],
    ]);
    expect((await versions.get(CAMERA, 2))?.document.slots[0]?.id).toBe('s2');
    expect((await versions.latestDocument(CAMERA))?.slots[0]?.id).toBe('s2');
    expect(await versions.get(CAMERA, 3)).toBeUndefined();
  });

  it.skipIf(!available)('refuses a save whose base is no longer the latest, and writes nothing', async () => {
    const { versions } = await store();
    await versions.add(CAMERA, doc(1), meta(1));
    expect(await versions.add(CAMERA, doc(2), { ...meta(2), expectBase: 1 })).toEqual({ version: 2 });
    expect(await versions.add(CAMERA, doc(3), { ...meta(3), expectBase: 1 })).toEqual({ conflict: 2 });
    expect(await versions.add('south-1', doc(1), { ...meta(3), expectBase: null })).toEqual({ version: 1 });
    expect(await versions.latestVersion(CAMERA)).toBe(2);
  });

  it.skipIf(!available)('gives concurrent saves distinct numbers without gaps', async () => {
    const { versions } = await store();
    // Each round of the race has one winner, so n saves at once need at most n tries: 5, the store's
    // limit, always succeed (with one try each, PostgreSQL fails this test).
    const saved = await Promise.all(Array.from({ length: 5 }, (_, i) => versions.add(CAMERA, doc(i), meta(i))));
    const numbers = saved.map((s) => ('version' in s ? s.version : -1)).sort((a, b) => a - b);
    expect(numbers).toEqual([1, 2, 3, 4, 5]);
  });

  it.skipIf(!available)('gives up after every try lost the key, and leaves the transaction usable', async () => {
    const { sql, versions } = await store();
    await versions.add(CAMERA, doc(1), meta(1));
    let tries = 0;
    const out = await sql.transaction(async (tx) => {
      const lost = await retryOnUnique(tx, async (sp) => {
        tries++;
        await sp.run(
          `INSERT INTO calibration_versions (camera_id, version, document, author, created_at, slot_count)
           VALUES ($1, 1, '{}', 'x', 0, 0)`,
          [CAMERA],
        );
      });
      // A savepoint per try: the outer transaction still takes statements on PostgreSQL.
      return { lost, after: await versions.latestVersion(CAMERA, tx) };
    });
    expect(out).toEqual({ lost: undefined, after: 1 });
    expect(tries).toBe(5);
  });

  it.skipIf(!available)('marks a version published and restores it only while the mark is its own', async () => {
    const { versions } = await store();
    await versions.add(CAMERA, doc(1), meta(1));
    const mark = { at: 10, by: 'olga', sha256: 'a'.repeat(64) };
    const before = await versions.markPublished(CAMERA, 1, mark.by, mark.at, mark.sha256);
    expect(before).toEqual({ at: null, by: null, sha256: null });
    expect(await versions.publishedSha256(CAMERA, 1)).toBe(mark.sha256);
    expect(await versions.latestStaffPublished(CAMERA)).toBe(1);
    // Another instance published it again meanwhile: its mark stays.
    await versions.markPublished(CAMERA, 1, 'petr', 11, 'b'.repeat(64));
    await versions.restorePublished(CAMERA, 1, mark, before);
    expect(await versions.publishedSha256(CAMERA, 1)).toBe('b'.repeat(64));
    await versions.restorePublished(CAMERA, 1, { at: 11, by: 'petr', sha256: 'b'.repeat(64) }, before);
    expect(await versions.publishedSha256(CAMERA, 1)).toBeUndefined();
    expect(await versions.latestStaffPublished(CAMERA)).toBeNull();
  });

  it.skipIf(!available)('records acks of published versions only, never an older over a newer', async () => {
    const { versions } = await store();
    await versions.add(CAMERA, doc(1), meta(1));
    await versions.add(CAMERA, doc(2), meta(2));
    const applied = (at: number) => ({ result: 'applied' as const, reason: null, at });
    expect(await versions.recordAck(CAMERA, 1, applied(5))).toBe(false);
    await versions.markPublished(CAMERA, 1, 'olga', 3, 'a'.repeat(64));
    await versions.markPublished(CAMERA, 2, 'olga', 4, 'b'.repeat(64));
    expect(await versions.recordAck(CAMERA, 1, applied(7))).toBe(true);
    expect(await versions.recordAck(CAMERA, 1, { result: 'rejected', reason: 'old', at: 6 })).toBe(false);
    expect(await versions.recordAck(CAMERA, 2, applied(6))).toBe(true);
    // Version 1 was applied last (by the ack's time): staff published an older version again.
    expect(await versions.latestApplied()).toEqual([{ cameraId: CAMERA, version: 1 }]);
    expect((await versions.get(CAMERA, 1))?.ack).toEqual({ result: 'applied', reason: null, at: 7 });
    expect(await versions.summaries()).toEqual(new Map([[CAMERA, { published: 2, latest: 2 }]]));
  });

  it.skipIf(!available)('keeps one set of masks per camera', async () => {
    const { versions } = await store();
    expect(await versions.masks(CAMERA)).toBeUndefined();
    const mask = { id: 'm1', polygon: slot('x', 0, 0).polygon };
    await versions.putMasks(CAMERA, [mask], 'olga', 1);
    await versions.putMasks(CAMERA, [mask, { ...mask, id: 'm2' }], 'petr', 2);
    expect(await versions.masks(CAMERA)).toEqual({
      masks: [mask, { ...mask, id: 'm2' }],
      updatedAt: 2,
      updatedBy: 'petr',
    });
  });

  it.skipIf(!available)('records an agent file as an applied version inside the caller’s transaction', async () => {
    const { sql, versions } = await store();
    await versions.add(CAMERA, doc(1), meta(1));
    const added = await sql.transaction((tx) =>
      versions.addFromAgentFile(CAMERA, doc(2), { ...meta(2), sha256: 'c'.repeat(64), ackAt: 9 }, tx),
    );
    expect(added).toEqual({ version: 2 });
    expect(await versions.latestFromAgentFile(CAMERA)).toEqual({ version: 2, sha256: 'c'.repeat(64) });
    expect(await versions.get(CAMERA, 2)).toMatchObject({ origin: 'agent_file', ack: { result: 'applied', at: 9 } });
    expect(await versions.latestApplied()).toEqual([{ cameraId: CAMERA, version: 2 }]);
  });
});
