import { AccuracyJson } from './labels/accuracy-json.ts';
import { Type } from 'typebox';
import { ID_PATTERN } from '../../protocol/index.ts';
import { LANGS } from './issues.ts';

const Id = (title: string) => Type.String({ pattern: ID_PATTERN, minLength: 1, maxLength: 64, title });
export const CameraParams = Type.Object({ camera_id: Id('Camera id') }, { additionalProperties: false });
export const VersionParams = Type.Object(
  { camera_id: Id('Camera id'), version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) },
  { additionalProperties: false },
);
export const SnapshotParams = Type.Object(
  { camera_id: Id('Camera id'), snapshot_id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }) },
  { additionalProperties: false },
);
export const LANG_SCHEMA = Type.Optional(
  Type.Enum(LANGS, { description: 'Language of validation messages (default en; cs = Czech).' }),
);
export const LangQuery = Type.Object({ lang: LANG_SCHEMA }, { additionalProperties: false });

const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/**
 * A calibration document. Checked by the calibration core (`checkCalibrationDocument`), not by
 * Fastify's Ajv: Ajv here coerces types and drops unknown keys, and the core's `path: message`
 * lines are what staff should see. See calibration/document/schema.ts for the shape.
 */
export const DocumentBody = Type.Unknown({
  title: 'Calibration document',
  description: 'format "volno-calibration", format_version 1, frame_width, frame_height, slots[], privacy_masks[].',
});

export const Issue = Type.Object(
  {
    code: Type.String({ description: 'Stable rule code, e.g. overlap, self_intersection.' }),
    severity: Type.Enum(['error', 'warning'] as const, { description: 'Errors block a save; warnings do not.' }),
    message: Type.String({ description: 'A sentence for staff.' }),
    slot_id: Type.Optional(Type.String()),
    path: Type.Optional(Type.String({ description: 'JSON pointer into the document.' })),
    slot_ids: Type.Array(Type.String()),
    slot_indexes: Type.Array(Type.Integer()),
    mask_ids: Type.Array(Type.String()),
    mask_indexes: Type.Array(Type.Integer()),
    points: Type.Optional(Type.Array(Type.Integer())),
    params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
  },
  { additionalProperties: false, title: 'Validation issue' },
);
export const Issues = Type.Array(Issue);

export const IssuesError = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    status: Type.Integer(),
    issues: Issues,
  },
  { additionalProperties: false, title: 'Calibration has errors' },
);

export const Ack = Type.Object(
  {
    result: Type.Enum(['applied', 'rejected'] as const),
    reason: Nullable(Type.String()),
    at: Time,
  },
  { additionalProperties: false },
);

export const VERSION_STATUSES = ['draft', 'pending', 'applied', 'rejected'] as const;

export const VersionSummary = Type.Object(
  {
    version: Type.Integer(),
    author: Type.String(),
    created_at: Time,
    note: Type.String(),
    slot_count: Type.Integer(),
    base_version: Nullable(Type.Integer()),
    published_at: Nullable(Time),
    ack: Nullable(Ack),
    status: Type.Enum(VERSION_STATUSES, {
      description: '`draft` never published; `pending` published, no answer yet; else the agent’s answer.',
    }),
    origin: Type.Enum(['staff', 'agent_file'] as const, {
      description: '`agent_file`: recorded from the calibration file the agent runs (docs/calibration-editor.md).',
    }),
    content_sha256: Nullable(
      Type.String({
        description:
          'For `agent_file`: the hash the agent reported. Once published: the hash of the content last published, which the agent reports while it runs this version.',
      }),
    ),
  },
  { additionalProperties: false, title: 'Calibration version' },
);

export const CameraEntry = Type.Object(
  {
    camera_id: Type.String(),
    lot_id: Nullable(Type.String()),
    name: Nullable(Type.String()),
    agent_status: Nullable(Type.String()),
    frame: Nullable(Type.Object({ width: Type.Integer(), height: Type.Integer() })),
    published_version: Nullable(Type.Integer()),
    applied_version: Nullable(Type.Integer()),
    latest_version: Nullable(Type.Integer()),
    last_ack: Nullable(
      Type.Object({
        version: Type.Integer(),
        result: Type.String(),
        reason: Nullable(Type.String()),
        at: Time,
      }),
    ),
    camera_moved: Type.Boolean({ description: 'The agent reports the view no longer matches the reference.' }),
    stream_status: Nullable(Type.String()),
    stream_detail: Nullable(Type.String()),
    accuracy: Nullable(AccuracyJson),
    running: Nullable(
      Type.Object(
        {
          origin: Type.Enum(['file', 'published', 'cache'] as const),
          agent_version: Type.Integer(),
          sha256: Type.String(),
          server_version: Nullable(Type.Integer()),
          reported_at: Time,
        },
        { description: 'What the agent last reported it runs (MQTT `calibration_running`).' },
      ),
    ),
  },
  { additionalProperties: false, title: 'Camera (staff)' },
);

const PointJson = Type.Array(Type.Number(), { minItems: 2, maxItems: 2 });
export const MaskJson = Type.Object(
  {
    id: Type.String(),
    label: Type.Optional(Type.String()),
    polygon: Type.Array(PointJson),
  },
  { additionalProperties: false },
);

export const MasksReply = Type.Object(
  {
    masks: Type.Array(MaskJson),
    source: Type.Enum(['camera', 'calibration', 'none'] as const),
    updated_at: Nullable(Time),
    updated_by: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

/** Reference points of a camera move: 0–1 of each frame, a little outside allowed for dragging. */
const RefPoint = Type.Array(Type.Number({ minimum: -1, maximum: 2 }), { minItems: 2, maxItems: 2 });
export const ReprojectBody = Type.Object(
  {
    reference_points: Type.Array(RefPoint, { minItems: 4, maxItems: 4 }),
    current_points: Type.Array(RefPoint, { minItems: 4, maxItems: 4 }),
    document: Type.Optional(DocumentBody),
    out_of_frame: Type.Optional(Type.Enum(['clamp', 'keep'] as const)),
  },
  { additionalProperties: false },
);

export const FORMATS = ['pklot', 'labelled', 'volno'] as const;
export const FormatQuery = Type.Object({ format: Type.Enum(FORMATS) }, { additionalProperties: false });

/** Any JSON value; for documents and diffs, whose shapes calibration/ defines. */
export const AnyJson = Type.Unknown();
