// The staff "Label" flow over the real embedded broker and real SQLite, answered by an MQTT client that
// speaks the protocol like an agent whose model has features: what each slot's features say is known,
// so which head wins is known too.
import type { MqttClient } from 'mqtt';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTopic,
  calibrationContent,
  decodeMessage,
  encodeFeatures,
  encodeMessage,
  parseTopic,
  topicFilter,
  type CalibrationPayload,
} from '../../../protocol/index.ts';
import { calibrationDigest } from '../../../protocol/calibration-digest.ts';
import { waitFor } from '../../fixtures/process.ts';
import { PREFIX, SITE } from '../support/messages.ts';
import { publisher, startTestServer, type TestServer } from '../support/server.ts';
import { API, call, doc, logInStaff, slot, type Staff } from './support.ts';

const SLOTS = 12;
const DIM = 3;
let s: TestServer;
let staff: Staff;
let agent: MqttClient;
let seq = 0;
let shot = 0;
/** The generic head the fake model ships: it reads feature 1, which is noise; the truth is in feature 0. */
let generic = { weights: [0, 2, 0], bias: 0 };
const published: CalibrationPayload[] = [];
/** False: the agent's model has no features (SlotNet), so its replies carry none. */
let withFeatures = true;
/** The version the tuned head shipped with. */
let tuned: number;

/** Deterministic per snapshot and slot: feature 0 carries the truth, feature 1 a pattern the generic head misreads. */
const truth = (n: number, i: number) => (i + n) % 3 !== 0;
const features = (n: number, i: number) =>
  Float32Array.from([truth(n, i) ? 1.5 : -1.5, ((i * 7 + n * 5) % 11) / 5 - 1, 1]);
const genericSays = (n: number, i: number) => {
  const f = features(n, i);
  return generic.weights[0]! * f[0]! + generic.weights[1]! * f[1]! + generic.weights[2]! * f[2]! + generic.bias >= 0;
};

beforeAll(async () => {
  s = await startTestServer({ calibration: { snapshot_timeout_ms: 2000 } }, { listen: false });
  staff = await logInStaff(s.app);
  const jpeg = (
    await sharp({ create: { width: 320, height: 180, channels: 3, background: '#556677' } })
      .jpeg()
      .toBuffer()
  ).toString('base64');
  agent = await publisher(s.mqttUrl);
  await agent.subscribeAsync(topicFilter('snapshot_request', { site: SITE }, PREFIX), { qos: 1 });
  await agent.subscribeAsync(topicFilter('calibration', { site: SITE }, PREFIX), { qos: 1 });
  agent.on('message', (topic, payload) => {
    const parsed = parseTopic(topic, PREFIX);
    if (parsed?.kind === 'calibration') {
      const cal = decodeMessage('calibration', payload);
      if (cal.ok) published.push(cal.value);
      return;
    }
    const req = decodeMessage('snapshot_request', payload);
    if (parsed?.kind !== 'snapshot_request' || !req.ok) return;
    const n = shot++;
    const reply = {
      agent_id: 'agent-1',
      session_id: 'session-aaaaaaaa',
      seq: seq++,
      sent_at: new Date().toISOString(),
      camera_id: req.value.camera_id,
      request_id: req.value.request_id,
      result: 'ok' as const,
      captured_at: new Date().toISOString(),
      width: 320,
      height: 180,
      jpeg_base64: jpeg,
      classified: withFeatures
        ? {
            model_id: 'feature-v1',
            calibration_version: 1,
            dim: DIM,
            generic_head: generic,
            slots: Array.from({ length: SLOTS }, (_, i) => ({
              slot_id: `s${i}`,
              p_occupied: genericSays(n, i) ? 0.9 : 0.1,
              features_base64: encodeFeatures(features(n, i)),
            })),
          }
        : undefined,
    };
    const out = buildTopic(
      'snapshot_reply',
      { site: SITE, camera: req.value.camera_id, request: req.value.request_id },
      PREFIX,
    );
    void agent.publishAsync(out, encodeMessage('snapshot_reply', reply), { qos: 1 });
  });
  const slots = Array.from({ length: SLOTS }, (_, i) => slot(`s${i}`, (i % 6) * 0.15 + 0.02, i < 6 ? 0.1 : 0.5));
  const saved = await call(s.app, staff.operator, {
    method: 'POST',
    url: `${API}/cameras/north-1/calibrations`,
    payload: { document: doc(slots), note: 'drawn' },
  });
  expect(saved.json()).toMatchObject({ version: 1 });
});
afterAll(async () => {
  await agent?.endAsync();
  await s.stop();
});

const labelSnapshot = () =>
  call(s.app, staff.operator, { method: 'POST', url: `${API}/cameras/north-1/labels/snapshot` });
const saveLabels = (payload: unknown, who = staff.operator) =>
  call(s.app, who, { method: 'POST', url: `${API}/cameras/north-1/labels`, payload: payload as object });

/** Takes a snapshot, corrects every slot to the truth, saves. */
async function labelOnce() {
  const n = shot;
  const snap = await labelSnapshot();
  expect(snap.statusCode).toBe(201);
  const body = snap.json();
  const labels = (body.slots as { slot_id: string }[]).map((x) => ({
    slot_id: x.slot_id,
    occupied: truth(n, Number(x.slot_id.slice(1))),
  }));
  return { n, snap: body, saved: await saveLabels({ snapshot_id: body.snapshot_id, labels }) };
}

/** The first calibration the agent receives after `before` messages that satisfies `ok`. */
const receivedAfter = (before: number, what: string, ok: (p: CalibrationPayload) => boolean = () => true) =>
  waitFor(() => published.slice(before).find(ok), { timeoutMs: 5000, what });

/** What snapshot `n` sent for each slot, as exemplars: the staff label (the truth) and its feature row. */
const exemplarsOf = (n: number, slots: number[]) =>
  slots.map((i) => ({ slot_id: `s${i}`, occupied: truth(n, i), features_base64: encodeFeatures(features(n, i)) }));
const bySlot = (e: { slot_id: string }[]) => [...e].sort((a, b) => a.slot_id.localeCompare(b.slot_id));

const save = (document: unknown, note = 'x') =>
  call(s.app, staff.operator, {
    method: 'POST',
    url: `${API}/cameras/north-1/calibrations`,
    payload: { document, note },
  });
const publish = (v: number) =>
  call(s.app, staff.operator, { method: 'POST', url: `${API}/cameras/north-1/calibrations/${v}/publish` });
const deleteLabels = () => call(s.app, staff.operator, { method: 'DELETE', url: `${API}/cameras/north-1/labels` });

describe('labelling a camera and tuning its head', () => {
  it('pre-fills every slot with the model’s state and polygon', async () => {
    const n = shot;
    const r = (await labelSnapshot()).json();
    expect(r.tuning).toEqual({ available: true });
    expect(r).toMatchObject({ model_id: 'feature-v1', calibration_version: 1, width: 320, height: 180 });
    expect(r.slots).toHaveLength(SLOTS);
    expect(r.slots.map((x: { occupied: boolean }) => x.occupied)).toEqual(
      Array.from({ length: SLOTS }, (_, i) => genericSays(n, i)),
    );
    expect(r.slots[0].polygon[0]).toEqual([0.02, 0.1]);
  });

  it('says tuning is unavailable when the camera’s model has no features, and refuses labels for such a snapshot', async () => {
    withFeatures = false;
    try {
      const r = (await labelSnapshot()).json();
      expect(r.tuning.available).toBe(false);
      expect(r.tuning.reason).toMatch(/no features to tune on/);
      expect(r.slots).toEqual([]);
      const saved = await saveLabels({ snapshot_id: r.snapshot_id, labels: [{ slot_id: 's1', occupied: true }] });
      expect(saved.statusCode).toBe(409);
    } finally {
      withFeatures = true;
    }
  });

  it('refuses labels of unknown slots, twice-labelled slots and wrong shapes, stores nothing, and counts them', async () => {
    const snap = (await labelSnapshot()).json();
    const bad = await saveLabels({
      snapshot_id: snap.snapshot_id,
      labels: [
        { slot_id: 's1', occupied: true },
        { slot_id: 'nope', occupied: true },
        { slot_id: 's1', occupied: false },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([
      '/labels/1/slot_id: no slot "nope" in this snapshot',
      '/labels/2/slot_id: "s1" is labelled twice',
    ]);
    const shape = await saveLabels({ snapshot_id: snap.snapshot_id, labels: [{ slot_id: 's1', occupied: 'yes' }] });
    expect(shape.statusCode).toBe(400);
    const expired = await saveLabels({ snapshot_id: 'gone-gone-gone', labels: [{ slot_id: 's1', occupied: true }] });
    expect(expired.statusCode).toBe(404);
    const summary = (await call(s.app, staff.viewer, { method: 'GET', url: `${API}/cameras/north-1/labels` })).json();
    expect(summary).toMatchObject({ label_sets: 0, labels: 0, refused_total: 1, accuracy: null });
  });

  it('is for operators with a CSRF token; viewers may read the accuracy', async () => {
    const snap = (await labelSnapshot()).json();
    const payload = { snapshot_id: snap.snapshot_id, labels: [{ slot_id: 's1', occupied: true }] };
    expect((await saveLabels(payload, staff.viewer)).statusCode).toBe(403);
    expect((await s.app.inject({ method: 'POST', url: `${API}/cameras/north-1/labels`, payload })).statusCode).toBe(
      401,
    );
    const noCsrf = await s.app.inject({
      method: 'POST',
      url: `${API}/cameras/north-1/labels`,
      headers: { cookie: staff.operator.cookie },
      payload,
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(
      (await call(s.app, staff.viewer, { method: 'POST', url: `${API}/cameras/north-1/labels/snapshot` })).statusCode,
    ).toBe(403);
  });

  it('sends the slots of one labelled snapshot to the agent as exemplars, though one snapshot ships no head', async () => {
    const before = published.length;
    const { n, saved } = await labelOnce();
    expect(saved.statusCode).toBe(201);
    const r = saved.json();
    expect(r.published_version).toBeNull();
    expect(r.message).toMatch(/one snapshot; .*version 1 was published with the labelled slots as exemplars/);
    const cal = await receivedAfter(before, 'version 1 with exemplars', (p) => p.slot_exemplars !== undefined);
    expect(cal.version).toBe(1);
    expect(cal.tuned_head).toBeUndefined();
    const e = cal.slot_exemplars!;
    expect(e).toMatchObject({ model_id: 'feature-v1', dim: DIM, max_distance: 0.4 });
    const all = Array.from({ length: SLOTS }, (_, i) => i);
    expect(bySlot(e.exemplars)).toEqual(bySlot(exemplarsOf(n, all)));
    // The hash the agent will report leaves the exemplars out, so it is the one the server recorded.
    const row = await s.app.volno.sql.one<{ content_sha256: string }>(
      "SELECT content_sha256 FROM calibration_versions WHERE camera_id = 'north-1' AND version = 1",
    );
    expect(calibrationDigest(calibrationContent(cal))).toBe(row!.content_sha256);
    expect((await deleteLabels()).json().deleted_sets).toBe(1); // the next test starts from no labels
  });

  it('fits a head on all stored labels, publishes a new version with it when it wins, and shows generic against tuned', async () => {
    const first = await labelOnce();
    expect(first.saved.statusCode).toBe(201);
    expect(first.saved.json().labels).toBe(SLOTS);
    const second = await labelOnce();
    const r = second.saved.json();
    expect(r.labels).toBe(2 * SLOTS);
    // The first snapshot's twelve labels may already have won; either way the newest version has the head.
    tuned = r.published_version;
    expect(tuned).toBe(first.saved.json().published_version === null ? 2 : 3);
    expect(r.accuracy.accuracy_tuned).toBeGreaterThan(r.accuracy.accuracy_generic);
    expect(r.message).toMatch(new RegExp(`beats the generic one .* on 24 labels; version ${tuned} was published`));

    const head = await waitFor(() => published.find((p) => p.version === tuned)?.tuned_head, {
      timeoutMs: 5000,
      what: 'the tuned version on the calibration topic',
    });
    expect(head).toMatchObject({ model_id: 'feature-v1', dim: DIM, labels: 24 });
    expect(head.weights[0]).toBeGreaterThan(0.5); // it learnt where the truth is (the generic head has 0 there)
    const versions = (
      await call(s.app, staff.viewer, { method: 'GET', url: `${API}/cameras/north-1/calibrations` })
    ).json();
    expect(versions[0]).toMatchObject({ version: tuned, note: 'tuned on 24 labels' });

    const cams = (await call(s.app, staff.viewer, { method: 'GET', url: `${API}/cameras` })).json();
    expect(cams.find((c: { camera_id: string }) => c.camera_id === 'north-1').accuracy).toMatchObject({
      labels: 24,
      tuned_version: tuned,
      accuracy_generic: r.accuracy.accuracy_generic,
    });
    const audit = await s.app.volno.sql.all<{ action: string }>('SELECT action FROM staff_audit');
    expect(audit.map((a) => a.action)).toContain('calibration.labels');
  });

  it('carries the head into a version whose outlines did not change, and drops it with the labels when the camera moved', async () => {
    const v2 = (
      await call(s.app, staff.viewer, { method: 'GET', url: `${API}/cameras/north-1/calibrations/${tuned}` })
    ).json();
    // Saved again as is (a note, a mask, a delay): the outlines, and so the features, did not change.
    const v3 = (await save(v2.document)).json().version;
    expect((await publish(v3)).statusCode).toBe(202);
    const third = await waitFor(() => published.find((p) => p.version === v3), { timeoutMs: 5000, what: 'version 3' });
    expect(third.tuned_head?.labels).toBe(24);
    // Two labelled snapshots of twelve slots: both looks of every slot travel.
    expect(third.slot_exemplars?.exemplars).toHaveLength(24);

    await s.app.volno.sql.run("UPDATE cameras SET stream_status = 'camera_moved' WHERE camera_id = 'north-1'");
    const v4 = (await save(v2.document)).json().version;
    expect((await publish(v4)).statusCode).toBe(202);
    const fourth = await waitFor(() => published.find((p) => p.version === v4), { timeoutMs: 5000, what: 'version 4' });
    expect(fourth.tuned_head).toBeUndefined();
    expect(fourth.slot_exemplars).toBeUndefined();
    const summary = (await call(s.app, staff.viewer, { method: 'GET', url: `${API}/cameras/north-1/labels` })).json();
    expect(summary).toMatchObject({ label_sets: 0, labels: 0 });
    await s.app.volno.sql.run("UPDATE cameras SET stream_status = 'ok' WHERE camera_id = 'north-1'");
    // The heads fitted on the old view went with its labels: the next version with the same outlines carries none.
    const v5 = (await save(v2.document)).json().version;
    expect((await publish(v5)).statusCode).toBe(202);
    const fifth = await waitFor(() => published.find((p) => p.version === v5), { timeoutMs: 5000, what: 'version 5' });
    expect(fifth.tuned_head).toBeUndefined();
  });

  it('drops the exemplars of a slot whose outline changed and keeps the others', async () => {
    const before = published.length;
    const { n } = await labelOnce();
    await receivedAfter(before, 'the exemplars of one snapshot', (p) => p.slot_exemplars?.exemplars.length === SLOTS);
    const last = (
      await call(s.app, staff.viewer, { method: 'GET', url: `${API}/cameras/north-1/calibrations` })
    ).json();
    const current = (
      await call(s.app, staff.viewer, { method: 'GET', url: `${API}/cameras/north-1/calibrations/${last[0].version}` })
    ).json().document as { slots: { id: string; polygon: number[][] }[] };
    const moved = {
      ...current,
      slots: current.slots.map((x) =>
        x.id === 's0' ? { ...x, polygon: x.polygon.map(([px, py]) => [px! + 0.01, py!]) } : x,
      ),
    };
    const v = (await save(moved, 's0 re-drawn')).json().version;
    const after = published.length;
    expect((await publish(v)).statusCode).toBe(202);
    const cal = await receivedAfter(after, `version ${v}`, (p) => p.version === v);
    const rest = Array.from({ length: SLOTS - 1 }, (_, i) => i + 1);
    expect(bySlot(cal.slot_exemplars!.exemplars)).toEqual(bySlot(exemplarsOf(n, rest)));
    expect((await deleteLabels()).json().deleted_sets).toBe(1); // the next test starts from no labels
  });

  it('says so and publishes the labels as exemplars, with no new version, when the tuned head does not beat the generic one', async () => {
    generic = { weights: [3, 0, 0], bias: 0 }; // the generic head is already right on every slot
    const versions = (
      await call(s.app, staff.viewer, { method: 'GET', url: `${API}/cameras/north-1/calibrations` })
    ).json() as { version: number }[];
    const versionsBefore = versions.length;
    // The fake agent's snapshots say version 1, but earlier tests published newer versions since:
    // the exemplars go out with the newest published one, never rolling the agent back to version 1.
    const inForce = versions[0]!.version;
    expect(inForce).toBeGreaterThan(1);
    const before = published.length;
    const first = (await labelOnce()).saved.json();
    expect(first.published_version).toBeNull();
    expect(first.message).toMatch(
      new RegExp(
        `one snapshot; a tuned head needs labels from 2 snapshots .*version ${inForce} was published with the labelled slots as exemplars`,
      ),
    );
    // s0 was re-drawn by the test before, so its label, cut with version 1's outline, stays behind.
    const once = await receivedAfter(
      before,
      'one snapshot’s exemplars',
      (p) => p.slot_exemplars?.exemplars.length === SLOTS - 1,
    );
    expect(once.version).toBe(inForce);
    expect(published.slice(before).some((p) => p.version === 1)).toBe(false);
    const middle = published.length;
    const r = (await labelOnce()).saved.json();
    expect(r.published_version).toBeNull();
    expect(r.accuracy.accuracy_generic).toBe(1);
    expect(r.message).toMatch(
      new RegExp(
        `does not beat the generic one .*version ${inForce} was published with the labelled slots as exemplars`,
      ),
    );
    const cal = await receivedAfter(
      middle,
      'two snapshots’ exemplars',
      (p) => p.slot_exemplars?.exemplars.length === 2 * (SLOTS - 1),
    );
    // No head beats the generic one, and none from before the move comes back.
    expect(cal.tuned_head).toBeUndefined();
    expect(
      (await call(s.app, staff.viewer, { method: 'GET', url: `${API}/cameras/north-1/calibrations` })).json(),
    ).toHaveLength(versionsBefore);
  });

  it('deletes a camera’s labelled snapshots with the camera, and on request', async () => {
    await labelOnce();
    const del = await call(s.app, staff.operator, { method: 'DELETE', url: `${API}/cameras/north-1/labels` });
    expect(del.json().deleted_sets).toBeGreaterThan(0);
    await labelOnce();
    const sql = s.app.volno.sql;
    const count = async (table: string) => (await sql.one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n;
    expect(await count('calibration_label_sets')).toBeGreaterThan(0);
    await sql.run("DELETE FROM cameras WHERE camera_id = 'north-1'");
    expect(await count('calibration_label_sets')).toBe(0);
    expect(await count('calibration_labels')).toBe(0);
  });
});
