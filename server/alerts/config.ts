import { Type, type Static } from 'typebox';
import { int, seconds, section } from '../core/config/parts.ts';

/**
 * The `alerts` section: which problems are raised, how long they must last (hysteresis) and who
 * hears of them by e-mail. Mail goes through the top-level `smtp` section; without it the alerts
 * page and the metrics still work.
 */
export const AlertsConfigSchema = section(
  {
    enabled: Type.Boolean({
      default: true,
      title: 'Enabled',
      description: 'Evaluate alert rules; off leaves the alerts page empty and sends no mail.',
    }),
    recipients: Type.Array(Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' }), {
      default: [],
      maxItems: 50,
      uniqueItems: true,
      title: 'Recipients',
      description: 'Staff e-mail addresses that get the alert digest; empty sends no mail.',
    }),
    language: Type.Enum(['cs', 'en'] as const, {
      default: 'cs',
      title: 'Digest language',
      description: 'Language of the digest e-mail.',
    }),
    evaluate_interval_s: seconds('Evaluation interval', 'How often the alert rules look at the stores.', 10, 0.1),
    raise_after_s: seconds(
      'Raise after',
      'A condition must hold this long before its alert is raised (storage errors are raised at once).',
      60,
    ),
    clear_after_s: seconds(
      'Clear after',
      'A condition must stay away this long before its alert is resolved, so a flapping camera stays one alert.',
      120,
    ),
    unknown_after_min: int(
      'Unknown after',
      'A slot that stays `unknown` this many minutes raises “unknown too long” (one alert per camera).',
      15,
      1,
      10_080,
    ),
    digest_interval_min: int(
      'Digest interval',
      'At most one digest e-mail per this many minutes; news waiting at the end of the interval goes out together.',
      60,
      1,
      10_080,
    ),
    keep_resolved_days: int(
      'Keep resolved',
      'Resolved alerts are listed and kept this many days, then deleted.',
      30,
      1,
      3650,
    ),
    public_url: Type.Optional(
      Type.String({
        pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
        maxLength: 200,
        title: 'Public URL',
        description: 'Base URL of this server for the link to the alerts page in the digest.',
      }),
    ),
  },
  'Alerts',
  'Staff alerts: camera down or moved, agent offline, storage errors, a car in a held space, unknown too long.',
);
export type AlertsConfig = Static<typeof AlertsConfigSchema>;
