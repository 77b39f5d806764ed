import { describe, expect, it } from 'vitest';
import { AlertStore } from '../../../server/alerts/store.ts';
import type { Condition } from '../../../server/alerts/types.ts';
import { useEngines } from '../../support/engines.ts';

const engines = useEngines();
const MIN = 60_000;
const down = (camera: string): Condition => ({
  key: `camera_down:${camera}`,
  kind: 'camera_down',
  subject: camera,
  detail: 'down',
});

describe.each(engines)('the alert store on $engine', ({ available, open }) => {
  it.skipIf(!available)('keeps one open alert per key, resolves it once and lists open ones first', async () => {
    const store = new AlertStore(await open());
    expect(await store.raise(down('cam-1'), 1_000)).toBe(true);
    expect(await store.raise(down('cam-1'), 2_000)).toBe(false); // another instance raised it already
    expect(await store.raise(down('cam-2'), 3_000)).toBe(true);
    expect(await store.resolve('camera_down:cam-1', 4_000)).toBe(true);
    expect(await store.resolve('camera_down:cam-1', 5_000)).toBe(false);
    // Resolved, the key may open again.
    expect(await store.raise(down('cam-1'), 6_000)).toBe(true);
    expect((await store.open()).map((a) => [a.key, a.raisedAt])).toEqual([
      ['camera_down:cam-2', 3_000],
      ['camera_down:cam-1', 6_000],
    ]);
    const listed = await store.listed(0);
    expect(listed.map((a) => [a.subject, a.resolvedAt])).toEqual([
      ['cam-1', null],
      ['cam-2', null],
      ['cam-1', 4_000],
    ]);
    expect(await store.listed(4_001)).toHaveLength(2);
    expect(await store.purge(4_001)).toBe(1);
  });

  it.skipIf(!available)(
    'lets one of two racing instances claim a digest, and a released claim go out again',
    async () => {
      const db = await open();
      // Pooled connections opened beforehand, so the claims really run side by side on PostgreSQL.
      await Promise.all([1, 2, 3, 4].map(() => db.one('SELECT 1 AS one')));
      const [a, b] = [new AlertStore(db), new AlertStore(db)];
      await a.raise(down('cam-1'), 1_000);
      await a.raise(down('cam-2'), 1_000);
      await a.resolve('camera_down:cam-2', 2_000);
      const claims = await Promise.all([a.claimDigest(10_000, 1, 10 * MIN), b.claimDigest(10_001, 1, 10 * MIN)]);
      const won = claims.filter((c) => c !== undefined);
      expect(won).toHaveLength(1);
      expect(won[0]!.news.map((n) => n.subject).sort()).toEqual(['cam-1', 'cam-2']);
      expect(won[0]!.openCount).toBe(1);
      expect(await a.unmailed()).toEqual([]);
      expect(await a.lastDigestAt()).toBe(won[0]!.at);
      // Within the interval nothing more is claimed, even with news.
      await a.raise(down('cam-3'), 20_000);
      expect(await b.claimDigest(30_000, 1, 10 * MIN)).toBeUndefined();
      // The mail failed: its news counts as unsent again and the interval as unused.
      await a.releaseDigest(won[0]!);
      expect(await a.lastDigestAt()).toBeNull();
      const again = await b.claimDigest(40_000, 1, 10 * MIN);
      expect(again!.news.map((n) => n.subject).sort()).toEqual(['cam-1', 'cam-2', 'cam-3']);
      const rows = await db.all<{ raised: number; resolved: number }>(
        'SELECT raised, resolved FROM alert_digests ORDER BY digest_id',
      );
      expect(rows).toEqual([{ raised: 3, resolved: 1 }]);
    },
  );
});
