/**
 * The wire contract between edge agents and the server: topics, payload schemas, slot geometry.
 * This is the only code `edge/` and `server/` share.
 */
export * from './codec.ts';
export * from './errors.ts';
export * from './geometry.ts';
export * from './ids.ts';
export * from './messages.ts';
export * from './time.ts';
export * from './topics.ts';
export * from './validate.ts';
export * from './envelope.ts';
export * from './payloads/availability.ts';
export * from './payloads/calibration.ts';
export * from './payloads/calibration-running.ts';
export * from './payloads/camera-summary.ts';
export * from './payloads/heartbeat.ts';
export * from './payloads/slot-state.ts';
export * from './payloads/snapshot.ts';
export * from './payloads/stats.ts';
export * from './payloads/tuning.ts';
