import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../../server/main/config/load.ts';
import { slotLabel } from '../../../../server/core/config/schema.ts';
import { ServerError } from '../../../../server/core/errors.ts';
import { tempDir } from '../../support/config.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir('volno-config-')));
afterEach(() => tmp.cleanup());

const issuesOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ServerError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a config error');
};

describe('server configuration', () => {
  it('starts from defaults when there is no file', () => {
    const c = loadConfig({ cwd: tmp.dir, env: {} });
    expect(c).toMatchObject({
      site: 'default',
      data_dir: join(tmp.dir, 'volno-data'),
      http: { host: '127.0.0.1', port: 8080, trust_proxy: false },
      mqtt: { topic_prefix: 'volno/v1', embedded: { host: '127.0.0.1', port: 1883 } },
      home_assistant: { enabled: true, discovery_prefix: 'homeassistant' },
      lots: [],
    });
    expect(c.mqtt.broker_url).toBeUndefined();
  });

  it('reads YAML, resolves data_dir against the file, fills secrets from the environment, and lets flags win', () => {
    const file = join(tmp.dir, 'volno.yaml');
    writeFileSync(
      file,
      [
        'site: krajsky-urad',
        'data_dir: ./data',
        'http: { port: 9000, staff_token: "${STAFF_TOKEN}" }',
        'mqtt: { broker_url: "mqtt://broker:1883", username: volno, password: "${MQTT_PASSWORD:-fallback}" }',
        'lots:',
        '  - lot_id: north',
        '    name: Sever',
        '    cameras: [{ camera_id: cam-1, slots: [{ slot_id: "1", type: ev, reservable: true }] }]',
      ].join('\n'),
    );
    const c = loadConfig({
      file,
      cwd: '/',
      env: { STAFF_TOKEN: 'sixteen-chars-at-least' },
      overrides: { port: 0, mqttPort: 1884, brokerUrl: 'mqtt://other:1883' },
    });
    expect(c.data_dir).toBe(join(tmp.dir, 'data'));
    expect(c.http).toMatchObject({ port: 0, staff_token: 'sixteen-chars-at-least' });
    expect(c.mqtt).toMatchObject({ broker_url: 'mqtt://other:1883', password: 'fallback', embedded: { port: 1884 } });
    const slot = c.lots[0]!.cameras[0]!.slots[0]!;
    expect(slot).toEqual({ slot_id: '1', type: 'ev', reservable: true });
    expect(slotLabel(slot)).toBe('1');
  });

  it('reports every problem at once as path: message lines, unknown keys included', () => {
    const issues = issuesOf(() =>
      parseConfig(
        {
          sight: 'typo',
          http: { port: 70000 },
          mqtt: { share_group: 'g' },
          lots: [
            {
              lot_id: 'a',
              name: 'A',
              cameras: [{ camera_id: 'c', slots: [{ slot_id: 's', type: 'vip' }, { slot_id: 's' }] }],
            },
            { lot_id: 'a', name: 'B', latitude: 50 },
          ],
        },
        { baseDir: tmp.dir, env: {} },
      ),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        '/: unknown property "sight"',
        '/http/port: must be <= 65535',
        '/lots/0/cameras/0/slots/0/type: must be one of "standard", "disabled", "ev", "visitor", "staff"',
      ]),
    );
  });

  it('refuses combinations that cannot work: duplicate ids, a share group on the embedded broker', () => {
    const issues = issuesOf(() =>
      parseConfig(
        {
          timezone: 'Mars/Olympus',
          mqtt: { share_group: 'g' },
          lots: [
            {
              lot_id: 'a',
              name: 'A',
              cameras: [
                {
                  camera_id: 'c',
                  slots: [
                    { slot_id: 's', row: 1, col: 1 },
                    { slot_id: 's', row: 1, col: 1 },
                  ],
                },
              ],
            },
            { lot_id: 'a', name: 'B', latitude: 50, cameras: [{ camera_id: 'c' }] },
          ],
        },
        { baseDir: tmp.dir, env: {} },
      ),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        '/timezone: "Mars/Olympus" is not an IANA time zone',
        expect.stringMatching(/^\/mqtt\/share_group: needs mqtt.broker_url/),
        '/lots/1/lot_id: duplicates /lots/0/lot_id',
        '/lots/1: set both latitude and longitude, or neither',
        '/lots/1/cameras/0/camera_id: duplicates /lots/0/cameras/0/camera_id',
        '/lots/0/cameras/0/slots/1/slot_id: "s" appears twice on this camera',
        '/lots/0/cameras/0/slots/1: row 1 col 1 is taken by c/s',
      ]),
    );
  });

  it('names a missing environment variable instead of using an empty secret', () => {
    expect(issuesOf(() => parseConfig({ mqtt: { password: '${NOPE}' } }, { baseDir: tmp.dir, env: {} }))).toEqual([
      '/mqtt/password: environment variable NOPE is not set',
    ]);
  });

  it("reports a missing variable together with the file's other problems, once per key", () => {
    const issues = issuesOf(() =>
      parseConfig({ http: { port: 70000, staff_token: '${NOPE}' } }, { baseDir: tmp.dir, env: {} }),
    );
    expect(issues).toEqual(['/http/staff_token: environment variable NOPE is not set', '/http/port: must be <= 65535']);
  });

  it("takes the edge agent's placeholder rules: a fallback for an empty variable, and $${…} for a literal", () => {
    const c = parseConfig(
      { http: { staff_token: '$${NOT_A_VARIABLE}-sixteen' }, mqtt: { password: '${MQTT_PASSWORD:-fallback}' } },
      { baseDir: tmp.dir, env: { MQTT_PASSWORD: '' } },
    );
    expect(c.http.staff_token).toBe('${NOT_A_VARIABLE}-sixteen');
    expect(c.mqtt.password).toBe('fallback');
    expect(
      issuesOf(() => parseConfig({ mqtt: { password: '${EMPTY}' } }, { baseDir: tmp.dir, env: { EMPTY: '' } })),
    ).toEqual(['/mqtt/password: environment variable EMPTY is empty']);
  });

  it('takes a map tile template only over https (http only on this machine), with a host the CSP can name', () => {
    const tiles = (url: string) =>
      issuesOf(() => parseConfig({ web: { map_tiles_url: url } }, { baseDir: tmp.dir, env: {} }));
    const ok = (url: string) => parseConfig({ web: { map_tiles_url: url } }, { baseDir: tmp.dir, env: {} });
    // A `{s}` subdomain would end up in the page's img-src as it is: not a valid CSP source.
    expect(tiles('https://{s}.tile.example/{z}/{x}/{y}.png')).toEqual([
      expect.stringMatching(/^\/web\/map_tiles_url: /),
    ]);
    // Plain http would make the public page mixed content and let anyone on the way swap the map.
    expect(tiles('http://tile.example/{z}/{x}/{y}.png')).toEqual([expect.stringMatching(/^\/web\/map_tiles_url: /)]);
    expect(ok('https://tile.example/{z}/{x}/{y}.png').web.map_tiles_url).toBe('https://tile.example/{z}/{x}/{y}.png');
    expect(ok('http://127.0.0.1:9/t/{z}/{x}/{y}.png').web.map_tiles_url).toBe('http://127.0.0.1:9/t/{z}/{x}/{y}.png');
    expect(ok('http://localhost/{z}/{x}/{y}.png').web.map_tiles_url).toBe('http://localhost/{z}/{x}/{y}.png');
  });

  it('makes every file path absolute against the config file, and drops a trailing slash from the public URL', () => {
    for (const f of ['cert.pem', 'key.pem', 'ca.pem', 'passwd']) writeFileSync(join(tmp.dir, f), '');
    const c = parseConfig(
      {
        http: { tls: { cert_file: 'cert.pem', key_file: join(tmp.dir, 'key.pem') } },
        mqtt: { broker_url: 'mqtts://b:8883', tls: { ca_file: 'ca.pem' }, embedded: { password_file: 'passwd' } },
        smtp: { host: 'mail', from: 'a@b.cz', public_url: 'https://parking.example.cz/' },
      },
      { baseDir: tmp.dir, env: {} },
    );
    expect(c.http.tls).toEqual({ cert_file: join(tmp.dir, 'cert.pem'), key_file: join(tmp.dir, 'key.pem') });
    expect(c.mqtt.tls).toEqual({ ca_file: join(tmp.dir, 'ca.pem'), reject_unauthorized: true });
    expect(c.mqtt.embedded.password_file).toBe(join(tmp.dir, 'passwd'));
    expect(c.smtp?.public_url).toBe('https://parking.example.cz');
  });

  it('reports YAML syntax errors with the line, and a missing file by name', () => {
    const file = join(tmp.dir, 'bad.yaml');
    writeFileSync(file, 'site: a\nhttp: {port: 1\nlots: [');
    expect(() => loadConfig({ file, env: {} })).toThrow(expect.objectContaining({ code: 'VOLNO_CONFIG_PARSE' }));
    expect(() => loadConfig({ file: join(tmp.dir, 'none.yaml'), env: {} })).toThrow(
      expect.objectContaining({ code: 'VOLNO_CONFIG_NOT_FOUND' }),
    );
  });
});
