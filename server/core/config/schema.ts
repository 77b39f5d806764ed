import { Type, type Static } from 'typebox';
import { id, seconds, section } from './parts.ts';

/**
 * The kernel's pieces of the server configuration: lots, cameras and slots (every feature reads them),
 * the public page's languages, and the freshness and history settings the core stores use. The whole
 * file's schema is composed in server/main/config/schema.ts; its `Static` type is the runtime type
 * (snake_case, like the file), so there is no second declaration to keep in step.
 */

/** Slot types the office distinguishes; `ev` is an EV charging space. */
export const SLOT_TYPES = ['standard', 'disabled', 'ev', 'visitor', 'staff'] as const;
export type SlotType = (typeof SLOT_TYPES)[number];

export const LANGUAGES = ['cs', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const SlotConfig = Type.Object(
  {
    slot_id: id('Slot id', 'The id the camera agent reports for this space (unique within the camera).'),
    label: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 32,
        title: 'Label',
        description: 'Shown on the map; the slot id when absent.',
      }),
    ),
    type: Type.Enum(SLOT_TYPES, {
      default: 'standard',
      title: 'Type',
      description: '`standard`, `disabled`, `ev` (charging), `visitor` or `staff`.',
    }),
    reservable: Type.Boolean({ default: false, title: 'Reservable', description: 'Visitors may reserve it.' }),
    row: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 50, title: 'Map row', description: 'Row on the schematic map, 1–50.' }),
    ),
    col: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 50, title: 'Map column', description: 'Column on the schematic map, 1–50.' }),
    ),
  },
  { additionalProperties: false, title: 'Slot', description: 'One parking space the camera watches.' },
);

export const CameraConfig = Type.Object(
  {
    camera_id: id('Camera id', 'The camera id the agent uses in its topics (unique within the site).'),
    name: Type.Optional(Type.String({ maxLength: 100, title: 'Name', description: 'For staff pages.' })),
    agent_id: Type.Optional(
      id(
        'Agent id',
        'The edge agent that watches this camera. deploy/mosquitto/ generates broker ACLs from it so only that agent may publish the camera’s topics.',
      ),
    ),
    slots: Type.Array(SlotConfig, {
      default: [],
      maxItems: 1000,
      title: 'Slots',
      description: 'The spaces this camera watches.',
    }),
  },
  { additionalProperties: false, title: 'Camera', description: 'A camera and the slots it watches.' },
);

/** A lot as the kernel knows it; server/main/config/schema.ts adds the reservations feature's rules. */
export const LotConfig = Type.Object(
  {
    lot_id: id('Lot id', 'Used in URLs and open data.'),
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      title: 'Name',
      description: 'Name in Czech (or the only name).',
    }),
    name_en: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, title: 'English name', description: 'For the English page.' }),
    ),
    address: Type.Optional(Type.String({ maxLength: 200, title: 'Address', description: 'For open data.' })),
    latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90, title: 'Latitude', description: 'WGS 84.' })),
    longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180, title: 'Longitude', description: 'WGS 84.' })),
    cameras: Type.Array(CameraConfig, {
      default: [],
      maxItems: 256,
      title: 'Cameras',
      description: 'The cameras that watch this lot.',
    }),
  },
  { additionalProperties: false, title: 'Lot', description: 'A car park; it groups the cameras that watch it.' },
);

export type LotConfig = Static<typeof LotConfig>;
export type CameraConfig = Static<typeof CameraConfig>;
export type SlotConfig = Static<typeof SlotConfig>;

/** What the map and the pages call a slot: its label, or its id without one. */
export const slotLabel = (slot: Pick<SlotConfig, 'slot_id' | 'label'>): string => slot.label ?? slot.slot_id;

export const FreshnessConfigSchema = section(
  {
    stale_after_s: seconds(
      'Stale after',
      'A slot not confirmed for this long counts as unknown. Keep it above the agents’ full-refresh interval (edge default 300 s).',
      900,
      1,
    ),
  },
  'Freshness',
  'When a state is too old to trust.',
);
export type FreshnessConfig = Static<typeof FreshnessConfigSchema>;

export const WebConfigSchema = section(
  {
    default_language: Type.Enum(LANGUAGES, {
      default: 'cs',
      title: 'Default language',
      description: 'Language of a page when the visitor has not chosen one.',
    }),
    title: Type.String({
      default: 'Volná parkovací místa',
      maxLength: 100,
      title: 'Page title (Czech)',
      description: 'Heading of the public page.',
    }),
    title_en: Type.String({
      default: 'Free parking spaces',
      maxLength: 100,
      title: 'Page title (English)',
      description: 'Heading of the English public page.',
    }),
    map_tiles_url: Type.Optional(
      Type.String({
        maxLength: 300,
        // The host goes into the page's CSP (img-src) as it is, so no `{s}` subdomain placeholder there;
        // plain http only for a tile server on the same machine (tests, a local cache).
        pattern:
          '^(?:https://[^/?#{}]+|http://(?:127\\.0\\.0\\.1|localhost)(?::[0-9]{1,5})?)/.*\\{z\\}.*\\{x\\}.*\\{y\\}',
        title: 'Map tiles',
        description:
          'XYZ tile URL template (with {z}, {x} and {y}) for a map of the lots on the overview page: https, with one fixed host (no {s} subdomains); http only for 127.0.0.1 or localhost. Unset (the default): no map, and visitors’ browsers fetch nothing from elsewhere.',
      }),
    ),
    map_attribution: Type.Optional(
      Type.String({
        maxLength: 200,
        title: 'Map attribution',
        description: 'Credit line the tile server asks for, shown under the map.',
      }),
    ),
    live_tick_ms: Type.Integer({
      minimum: 100,
      maximum: 60_000,
      default: 1000,
      title: 'Live tick',
      description: 'How often freshness and other instances’ writes are checked for live updates.',
    }),
  },
  'Web',
  'The public page.',
);
export type WebConfig = Static<typeof WebConfigSchema>;

export const RetentionConfigSchema = section(
  {
    transitions_days: seconds('Transitions', 'Days of per-slot transitions to keep.', 90, 1),
    hourly_days: seconds('Hourly aggregates', 'Days of hourly aggregates to keep.', 400, 1),
    daily_days: seconds('Daily aggregates', 'Days of daily aggregates to keep.', 3650, 1),
    purge_interval_s: seconds('Purge interval', 'How often old rows are deleted.', 3600, 1),
  },
  'Retention',
  'How long history is kept.',
);
export type RetentionConfig = Static<typeof RetentionConfigSchema>;
