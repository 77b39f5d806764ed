import { Type, type Static } from 'typebox';
import { id, seconds, section, strict } from './schema-parts.ts';

export const SOURCE_TYPES = ['rtsp', 'file', 'images', 'simulated'] as const;

export const SourceConfig = Type.Object(
  {
    type: Type.Enum(SOURCE_TYPES, {
      title: 'Source type',
      description:
        '`rtsp` a camera stream; `file` a video file (demos, tests); `images` a folder of images (replay); `simulated` a rendered car park with cars coming and going (demo, load tests).',
    }),
    url: Type.Optional(
      Type.String({
        pattern: '^rtsps?://',
        title: 'RTSP URL',
        description:
          'rtsp://user:pass@host:554/path. Put credentials in ${ENV} placeholders; the URL is redacted in logs.',
      }),
    ),
    path: Type.Optional(
      Type.String({
        minLength: 1,
        title: 'Path',
        description: '`file`: a video file; `images`: a folder of .jpg/.png.',
      }),
    ),
    simulation: Type.Optional(
      Type.Object(
        {
          slots: Type.Integer({
            minimum: 1,
            maximum: 500,
            default: 40,
            title: 'Slots',
            description: 'Parking slots in the simulated lot.',
          }),
          per_row: Type.Integer({
            minimum: 1,
            maximum: 50,
            default: 10,
            title: 'Slots per row',
            description: 'Slots drawn side by side in one row.',
          }),
          seed: Type.Integer({
            minimum: 0,
            default: 1,
            title: 'Seed',
            description: 'Same seed, same day of arrivals and departures.',
          }),
          mean_stay_s: Type.Number({
            exclusiveMinimum: 0,
            default: 90,
            title: 'Mean stay',
            description: 'Average seconds a car stays.',
          }),
          mean_gap_s: Type.Number({
            exclusiveMinimum: 0,
            default: 45,
            title: 'Mean gap',
            description: 'Average seconds a slot stays empty.',
          }),
        },
        { ...strict, title: 'Simulation', description: '`simulated`: the lot to render.' },
      ),
    ),
    loop: Type.Boolean({ default: true, title: 'Loop', description: '`file`/`images`: start again at the end.' }),
    keyframes_only: Type.Boolean({
      default: false,
      title: 'Keyframes only',
      description:
        'Decode only keyframes (ffmpeg -skip_frame nokey): ~4x less ffmpeg CPU at 1080p, but at most one frame per GOP.',
    }),
    timeout_s: seconds('I/O timeout', 'RTSP connect/read timeout given to ffmpeg.', 10, 1, 300),
    width: Type.Optional(
      Type.Integer({
        minimum: 16,
        maximum: 8192,
        title: 'Width',
        description: 'Scale frames to this width (with height).',
      }),
    ),
    height: Type.Optional(
      Type.Integer({
        minimum: 16,
        maximum: 8192,
        title: 'Height',
        description: 'Scale frames to this height (with width).',
      }),
    ),
  },
  { ...strict, title: 'Frame source', description: 'Where frames come from.' },
);

export const CameraConfig = Type.Object(
  {
    id: id('Camera id', 'Unique within the site; becomes an MQTT topic level.'),
    source: SourceConfig,
    sample_rate_fps: Type.Number({
      exclusiveMinimum: 0,
      maximum: 30,
      default: 1,
      title: 'Sample rate',
      description: 'Frames per second analysed. Parking changes slowly; 1 is plenty.',
    }),
    model: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$',
      title: 'Model',
      description: 'Model id: the folder models_dir/<model>/ holding model.json and the .onnx file.',
    }),
    calibration: section(
      {
        file: Type.Optional(
          Type.String({
            minLength: 1,
            title: 'Calibration file',
            description:
              'A calibration JSON (the MQTT calibration payload), for a cold start. The retained calibration topic always wins: once staff publish a version, the agent runs it and keeps it in state_dir, also across restarts.',
          }),
        ),
      },
      'Calibration',
      'Where the slot polygons come from.',
    ),
    delays: section(
      {
        enter_s: seconds(
          'Enter delay',
          'Seconds a slot must look occupied before it is reported occupied.',
          10,
          0,
          3600,
        ),
        exit_s: seconds(
          'Exit delay',
          'Seconds a slot must look free before it is reported free. Longer than enter: a parked car must not "leave" for a frame (Frigate #10739).',
          30,
          0,
          3600,
        ),
      },
      'Delays',
      'Asymmetric hysteresis; the calibration can override both per slot.',
    ),
    frame_ttl_s: seconds('Frame TTL', 'Slots go unknown when no usable frame arrived for this long.', 15, 0.5, 3600),
    stall_timeout_s: seconds(
      'Stall watchdog',
      'Restart ffmpeg when no frame arrived for this long (and it is still running).',
      20,
      1,
      3600,
    ),
    reconnect: section(
      {
        initial_s: seconds('First retry', 'Delay before the first reconnect.', 1, 0.05, 3600),
        max_s: seconds('Longest retry', 'Exponential backoff stops growing here.', 60, 0.05, 3600),
      },
      'Reconnect',
      'Exponential backoff with full jitter between source restarts.',
    ),
    quality: section(
      {
        dark_luma: Type.Number({
          minimum: 0,
          maximum: 255,
          default: 18,
          title: 'Too dark',
          description: 'Mean luma (0-255) below which a frame is too dark to judge.',
        }),
        covered_stddev: Type.Number({
          minimum: 0,
          maximum: 128,
          default: 6,
          title: 'Covered',
          description: 'Luma standard deviation below which a frame is one flat colour (lens covered, grey screen).',
        }),
        blur_ratio: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.3,
          title: 'Blurred',
          description: 'Blurred when edge energy falls below this share of the reference image (or of blur_min_edge).',
        }),
        blur_min_edge: Type.Number({
          minimum: 0,
          maximum: 255,
          default: 4,
          title: 'Edge energy floor',
          description: 'Edge energy used as the reference when the calibration has no image.',
        }),
        frozen_s: seconds('Frozen', 'Unusable when the picture has not changed at all for this long.', 60, 1, 86_400),
        confirm_frames: Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 2,
          title: 'Confirm',
          description: 'Consecutive frames needed to declare the picture unusable, and to declare it usable again.',
        }),
      },
      'Frame quality',
      'Cheap checks on a downsampled luma image.',
    ),
    shift: section(
      {
        enabled: Type.Boolean({
          default: true,
          title: 'Detect shifts',
          description: 'Compare frames to the reference.',
        }),
        tolerance: Type.Number({
          minimum: 0,
          maximum: 0.5,
          default: 0.02,
          title: 'Tolerance',
          description: 'Largest shift, as a share of the frame width/height, still treated as not moved.',
        }),
        min_correlation: Type.Number({
          minimum: -1,
          maximum: 1,
          default: 0.15,
          title: 'Minimum match',
          description:
            'Below this edge correlation at the best shift, the view no longer matches the reference (rotated, zoomed, replaced). Unmoved UFPR05 frames under harsh shadows still score 0.27.',
        }),
        interval_s: seconds('Check interval', 'Seconds between shift checks.', 5, 0, 3600),
        confirm_checks: Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 3,
          title: 'Confirm',
          description: 'Consecutive checks needed to declare the camera moved, and to clear it.',
        }),
      },
      'Camera shift',
      'Compares edges against the calibration reference image.',
    ),
  },
  { ...strict, title: 'Camera' },
);

export type CameraConfig = Static<typeof CameraConfig>;
export type SourceConfig = Static<typeof SourceConfig>;
