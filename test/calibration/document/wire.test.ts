import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../protocol/codec.ts';
import { EXAMPLES } from '../../../protocol/examples.ts';
import { fromCalibrationPayload, toCalibrationPayload } from '../../../calibration/document/wire.ts';
import { CalibrationError } from '../../../calibration/errors.ts';
import { documentWith, slot, square } from '../helpers.ts';

const doc = documentWith(
  [
    slot('A01', square(0.1, 0.5), { label: 'A1', type: 'ev', reservable: true, enter_delay_s: 5, exit_delay_s: 60 }),
    slot('A02', square(0.2, 0.5), { type: 'disabled', closed: true }),
    slot('A03', square(0.3, 0.5), { type: 'visitor' }),
  ],
  { privacy_masks: [{ id: 'window', label: 'office window', polygon: square(0.8, 0, 0.2) }] },
);
const publish = { version: 4, issuedAt: new Date('2026-11-30T08:00:00.000Z') };

describe('toCalibrationPayload', () => {
  it('builds a payload the agent accepts, leaving out closed slots and server-only fields', () => {
    const payload = toCalibrationPayload(doc, publish);
    const onWire = decodeMessage('calibration', encodeMessage('calibration', payload));
    expect(onWire.ok).toBe(true);
    expect(payload).toEqual({
      camera_id: 'north-1',
      version: 4,
      issued_at: '2026-11-30T08:00:00.000Z',
      frame_width: 1280,
      frame_height: 720,
      slots: [
        { slot_id: 'A01', polygon: square(0.1, 0.5), enter_delay_s: 5, exit_delay_s: 60 },
        { slot_id: 'A03', polygon: square(0.3, 0.5) },
      ],
      privacy_masks: [square(0.8, 0, 0.2)],
    });
  });

  it('sends a bay for drivers with a disability permit like any other slot: type is not the closed flag', () => {
    const bays = documentWith([slot('D01', square(0.1, 0.5), { type: 'disabled' })]);
    expect(toCalibrationPayload(bays, publish).slots.map((s) => s.slot_id)).toEqual(['D01']);
  });

  it('refuses a calibration with validation errors and says which, as path: message lines', () => {
    const broken = documentWith([slot('A01', square(0.95, 0.5))]);
    try {
      toCalibrationPayload(broken, publish);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CalibrationError);
      expect((e as CalibrationError).code).toBe('VOLNO_CALIBRATION_HAS_ERRORS');
      expect((e as CalibrationError).issues).toEqual([
        '/slots/0/polygon: Slot A01 has 2 point(s) outside the picture (points 2, 3). Drag them back inside the picture.',
      ]);
    }
  });

  it('needs a camera id from the document or the caller', () => {
    const { camera_id: _omit, ...anonymous } = doc;
    expect(() => toCalibrationPayload(anonymous, publish)).toThrow(/camera id/);
    expect(toCalibrationPayload(anonymous, { ...publish, cameraId: 'south-2' }).camera_id).toBe('south-2');
  });

  it('carries the reference image when given', () => {
    const payload = toCalibrationPayload(doc, { ...publish, referenceJpegBase64: 'AAEC' });
    expect(payload.reference_jpeg_base64).toBe('AAEC');
  });
});

describe('fromCalibrationPayload', () => {
  it('gives back the document, minus its closed slots, when the previous version supplies labels and types', () => {
    const back = fromCalibrationPayload(toCalibrationPayload(doc, publish), { previous: doc });
    expect(back).toStrictEqual({ ...doc, slots: doc.slots.filter((s) => s.closed !== true) });
  });

  it('uses plain defaults without a previous version, and round-trips the protocol example', () => {
    const example = EXAMPLES.calibration.payload;
    const back = fromCalibrationPayload(example);
    expect(back.slots[0]).toEqual({
      id: 'A07',
      label: 'A07',
      type: 'standard',
      reservable: false,
      polygon: example.slots[0]!.polygon,
      exit_delay_s: 60,
    });
    expect(back.privacy_masks).toEqual([{ id: 'mask-1', polygon: example.privacy_masks[0] }]);
    const again = toCalibrationPayload(back, { version: example.version, issuedAt: example.issued_at });
    expect(again).toEqual(example);
  });

  it('names new masks with ids that do not clash with masks kept from the previous version', () => {
    const previous = documentWith([], { privacy_masks: [{ id: 'mask-1', label: 'kept', polygon: square(0, 0) }] });
    const payload = { ...toCalibrationPayload(doc, publish), privacy_masks: [square(0.5, 0.5), square(0, 0)] };
    const back = fromCalibrationPayload(payload, { previous });
    expect(back.privacy_masks.map((m) => [m.id, m.label])).toEqual([
      ['mask-2', undefined],
      ['mask-1', 'kept'],
    ]);
  });
});
