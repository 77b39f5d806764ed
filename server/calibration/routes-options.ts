import type { StaffAccess } from '../core/access.ts';
import type { Clock } from '../core/clock.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import type { CalibrationService } from './service.ts';

/** What every calibration route file gets; its own file, so routes.ts and the route files do not import each other. */
export interface CalibrationRoutesOptions {
  service: CalibrationService;
  access: StaffAccess;
  sql: SqlExecutor;
  clock: Clock;
  /** Body limit of routes that take a document (the app's default is 64 KiB). */
  bodyLimit: number;
  /** Largest import file, bytes. */
  importLimit: number;
}
