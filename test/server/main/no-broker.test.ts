import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/main/app.ts';
import { tempDir, testConfig } from '../support/config.ts';

// The composition root takes MQTT as one optional part: route and storage tests need no broker.
describe('the app with MQTT off', () => {
  it('starts no broker and no connection, answers HTTP from storage, and closes', async () => {
    const tmp = tempDir();
    const app = await buildApp(testConfig(tmp.dir), { mqtt: false });
    try {
      expect(app.volno.broker).toBeUndefined();
      expect(app.volno.mqttUrl).toBe('');
      expect(app.volno.mqtt.connected).toBe(false);

      const live = await app.inject({ method: 'GET', url: '/healthz' });
      expect(live.json()).toEqual({ status: 'ok', mqtt_connected: false });
      const lots = await app.inject({ method: 'GET', url: '/api/v1/lots' });
      expect(lots.statusCode).toBe(200);
      expect((lots.json() as { lots: { lot_id: string }[] }).lots.map((l) => l.lot_id)).toEqual(['north', 'south']);
      const north = await app.inject({ method: 'GET', url: '/api/v1/lots/north/availability' });
      expect(north.json()).toMatchObject({ lot_id: 'north', total: 3, unknown: 3, free: 0 });
    } finally {
      await app.close();
      tmp.cleanup();
    }
  });
});
