import { describe, expect, it } from 'vitest';
import { CalibrationError } from '../../calibration/errors.ts';
import { EdgeError } from '../../edge/errors.ts';
import { VisionError } from '../../edge/vision/errors.ts';
import { errorMessage, VolnoError } from '../../kit/errors.ts';
import { ProtocolError } from '../../protocol/errors.ts';
import { ServerError } from '../../server/core/errors.ts';

describe('VolnoError', () => {
  it('keeps the stable code, lists the issues under the message and carries the cause', () => {
    const cause = new Error('ENOENT');
    const e = new VolnoError('VOLNO_X', 'config is not valid', ['/a: bad', '/b: worse'], { cause });
    expect(e.code).toBe('VOLNO_X');
    expect(e.message).toBe('config is not valid\n  /a: bad\n  /b: worse');
    expect(e.issues).toEqual(['/a: bad', '/b: worse']);
    expect(e.cause).toBe(cause);
    expect(new VolnoError('VOLNO_X', 'plain').message).toBe('plain');
  });

  it.each([
    ['ServerError', new ServerError('VOLNO_DB_OPEN', 'm')],
    ['EdgeError', new EdgeError('VOLNO_CAMERA_DOWN', 'm')],
    ['ProtocolError', new ProtocolError('VOLNO_PAYLOAD_INVALID', 'm')],
    ['CalibrationError', new CalibrationError('VOLNO_ROW_INVALID', 'm')],
    ['VisionError', new VisionError('VOLNO_MODEL_CLOSED', 'm')],
  ])('%s is a VolnoError that keeps its own name and class', (name, e) => {
    expect(e).toBeInstanceOf(VolnoError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    expect(String(e)).toBe(`${name}: m`);
  });

  it('errorMessage reads anything thrown', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('text')).toBe('text');
  });
});
