import { VolnoError } from '../../kit/errors.ts';

/** Stable error codes of the server; callers and operators switch on `code`, never on the message. */
export type ServerErrorCode =
  | 'VOLNO_CONFIG_NOT_FOUND'
  | 'VOLNO_CONFIG_PARSE'
  | 'VOLNO_CONFIG_INVALID'
  | 'VOLNO_DB_OPEN'
  | 'VOLNO_DB_MIGRATION'
  | 'VOLNO_BACKUP_FAILED'
  | 'VOLNO_BACKUP_UNSUPPORTED'
  | 'VOLNO_CATALOG_NOT_LOADED'
  | 'VOLNO_BROKER_LISTEN'
  | 'VOLNO_HTTP_LISTEN'
  | 'VOLNO_MQTT_CONNECT';

export class ServerError extends VolnoError<ServerErrorCode> {
  override readonly name = 'ServerError';
}
