import { describe, expect, it } from 'vitest';
import { prepareCalibration } from '../../../edge/calibration/prepare.ts';
import { imageFrame, jpegOf } from '../support/frames.ts';
import { labelledFrames, ufpr05Calibration } from '../support/ufpr05.ts';

const HD = { width: 1280, height: 720 };

describe('calibration checks', () => {
  it('accept the UFPR05 polygons with their reference view and decode the image', async (ctx) => {
    const ref = await jpegOf(await imageFrame(labelledFrames(ctx)[0]!.path));
    const cal = ufpr05Calibration(ctx, { cameraId: 'cam-a', referenceJpeg: ref });
    const r = await prepareCalibration(JSON.stringify(cal), 'cam-a', HD);
    expect(r.ok && r.value.reference).toMatchObject({ width: 1280, height: 720 });
  });

  it('reject a self-intersecting polygon with its path, and answer the version it carried', async (ctx) => {
    const cal = ufpr05Calibration(ctx, { cameraId: 'cam-a', version: 4 });
    cal.slots[2]!.polygon = [
      [0.1, 0.1],
      [0.2, 0.2],
      [0.2, 0.1],
      [0.1, 0.2],
    ];
    const r = await prepareCalibration(JSON.stringify(cal), 'cam-a', HD);
    expect(r).toEqual({
      ok: false,
      version: 4,
      reason: '/slots/2/polygon: edges 0 and 2 cross; the outline must not intersect itself',
    });
  });

  it('reject a payload that is not JSON, or is for another camera, or another picture shape', async (ctx) => {
    expect(await prepareCalibration('{"version": 9,', 'cam-a', HD)).toMatchObject({
      ok: false,
      version: 0,
      reason: expect.stringMatching(/^\/: payload is not JSON/),
    });
    const cal = ufpr05Calibration(ctx, { cameraId: 'cam-b' });
    expect(await prepareCalibration(JSON.stringify(cal), 'cam-a', HD)).toMatchObject({
      ok: false,
      reason: '/camera_id: is "cam-b" but this topic is camera "cam-a"',
    });
    const mine = ufpr05Calibration(ctx, { cameraId: 'cam-a' });
    expect(await prepareCalibration(JSON.stringify(mine), 'cam-a', { width: 640, height: 480 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('/frame_width: the calibration is 1280x720 but the stream is 640x480'),
    });
  });

  it('reject a reference image that does not decode', async (ctx) => {
    const cal = ufpr05Calibration(ctx, { cameraId: 'cam-a', referenceJpeg: Buffer.from('definitely not a jpeg') });
    const r = await prepareCalibration(JSON.stringify(cal), 'cam-a', HD);
    expect(r).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^\/reference_jpeg_base64: not a decodable image/),
    });
  });
});
