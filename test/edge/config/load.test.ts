import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../edge/config/load.ts';

const example = readFileSync(new URL('../../../edge/edge.example.yaml', import.meta.url), 'utf8');
const exampleEnv = {
  VOLNO_MQTT_USERNAME: 'edge',
  VOLNO_MQTT_PASSWORD: 'broker-secret',
  CAM_NORTH_USER: 'viewer',
  CAM_NORTH_PASSWORD: 'p@ss:word',
};

const minimal = (cameras: string, extra = '') => `
version: 1
site_id: site-1
agent_id: agent-1
mqtt: { url: "mqtt://127.0.0.1:1883" }
${extra}
cameras:
${cameras}
`;

describe('the edge config', () => {
  it('accepts the shipped example once its environment variables are set', () => {
    const r = parseConfig(example, '/etc/volno', exampleEnv);
    if (!r.ok) throw new Error(r.issues.join('\n'));
    const cam = r.value.config.cameras[0]!;
    expect(cam.source.url).toBe('rtsp://viewer:p@ss:word@10.20.0.11:554/Streaming/Channels/101');
    expect(r.value.config.mqtt.password).toBe('broker-secret');
    expect(r.value.config.models_dir).toBe('/etc/models');
    expect(r.value.config.cameras[1]!.calibration.file).toBe('/etc/volno/lobby-demo.calibration.json');
  });

  it('names every unset environment variable with the path that uses it', () => {
    const r = parseConfig(example, '/etc/volno', {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toContain('/mqtt/password: environment variable VOLNO_MQTT_PASSWORD is not set');
    expect(r.issues).toContain('/cameras/0/source/url: environment variable CAM_NORTH_USER is not set');
  });

  it("takes the server's placeholder rules: a fallback after :-, and $${…} for a literal", () => {
    const r = parseConfig(
      minimal(
        '  - { id: cam-a, source: { type: rtsp, url: "rtsp://${CAM_USER:-viewer}:p$${x}@h/s" }, model: m }',
        'log_level: ${LOG_LEVEL:-warn}',
      ),
      '/srv',
      { CAM_USER: '' },
    );
    if (!r.ok) throw new Error(r.issues.join('\n'));
    expect(r.value.config.log_level).toBe('warn');
    expect(r.value.config.cameras[0]!.source.url).toBe('rtsp://viewer:p${x}@h/s');
  });

  it('fills defaults from the schema', () => {
    const r = parseConfig(minimal('  - { id: cam-a, source: { type: rtsp, url: "rtsp://h/s" }, model: m }'), '/srv');
    if (!r.ok) throw new Error(r.issues.join('\n'));
    const { config } = r.value;
    expect(config.topic_prefix).toBe('volno/v1');
    expect(config.mqtt.protocol_version).toBe(4);
    expect(config.cameras[0]!.delays).toEqual({ enter_s: 10, exit_s: 30 });
    expect(config.cameras[0]!.source.keyframes_only).toBe(false);
    expect(config.state_dir).toBe('/srv/state');
  });

  it('reports unknown keys, bad values and missing fields as path: message lines', () => {
    const r = parseConfig(
      minimal(
        '  - { id: "bad id", source: { type: rtsp, url: "rtsp://h/s", widht: 3 }, model: m, delays: { exit_s: -1 } }',
      ),
      '/srv',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(
      expect.arrayContaining([
        '/cameras/0/source: unknown property "widht"',
        '/cameras/0/delays/exit_s: must be >= 0',
        expect.stringMatching(/^\/cameras\/0\/id: /),
      ]),
    );
  });

  it('rejects rules that span fields: duplicate ids, a missing url, half a frame size', () => {
    const r = parseConfig(
      minimal(`  - { id: a, source: { type: rtsp }, model: m }
  - { id: a, source: { type: file, path: x.mp4, width: 640 }, model: m }`),
      '/srv',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      '/cameras/0/source/url: is required when type is rtsp',
      '/cameras/1/id: duplicates /cameras/0/id "a"',
      '/cameras/1/source/height: is required with width/height; give both or neither',
    ]);
  });

  it('refuses a config written for a newer agent instead of guessing', () => {
    const r = parseConfig(
      minimal('  - { id: a, source: { type: rtsp, url: "rtsp://h/s" }, model: m }').replace('version: 1', 'version: 7'),
      '/srv',
    );
    expect(r).toEqual({ ok: false, issues: ['/version: 7 is newer than this agent understands (1)'] });
  });

  it('explains YAML syntax errors with their line', () => {
    const r = parseConfig('version: 1\ncameras: [\n', '/srv');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]).toMatch(/^\/: YAML line \d+: /);
  });
});
