import type { PatchSampler } from '../sampler.ts';
import type { RgbFrame } from '../types.ts';
import { fillInto, type PixelMap, type TensorTarget } from '../warp.ts';

/** How input pixels map back to frame pixels: frame = (input − pad) / scale. */
export interface InputGeometry {
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
}

/**
 * Puts the whole frame into the detector input. `letterbox` keeps the aspect ratio, places the image
 * top-left and pads the rest with `padValue`, as YOLOX's own `preproc` does (pad 114); `stretch`
 * resizes to the full input, which is how NanoDet-m was trained (`keep_ratio: False`). The resize
 * is the same anti-aliased warp the classifier uses, so no second resampler exists.
 */
export function letterboxInto(
  sampler: PatchSampler,
  frame: RgbFrame,
  target: TensorTarget,
  map: PixelMap,
  mode: 'letterbox' | 'stretch',
  padValue: number,
): InputGeometry {
  let w = target.width;
  let h = target.height;
  if (mode === 'letterbox') {
    const r = Math.min(target.width / frame.width, target.height / frame.height);
    w = Math.min(target.width, Math.round(frame.width * r));
    h = Math.min(target.height, Math.round(frame.height * r));
    if (w < target.width || h < target.height) fillInto(target, map, [padValue, padValue, padValue]);
  }
  sampler.begin(frame);
  const fw = frame.width;
  const fh = frame.height;
  sampler.sample(
    [
      [0, 0],
      [fw, 0],
      [fw, fh],
      [0, fh],
    ],
    target,
    map,
    { x: 0, y: 0, width: w, height: h },
  );
  return { scaleX: w / fw, scaleY: h / fh, padX: 0, padY: 0 };
}
