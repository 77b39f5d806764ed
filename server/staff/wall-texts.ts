import type { STREAM_STATUSES } from '../../protocol/index.ts';
import type { AgentStatus } from '../core/storage/agents-store.ts';

type StreamStatus = (typeof STREAM_STATUSES)[number];

/** Texts of the camera wall, in Czech and English. */
export const WALL_TEXTS = {
  cs: {
    title: 'Kamery',
    none: 'Server zatím nezná žádnou kameru.',
    lot: 'Parkoviště',
    stream: 'Stav streamu',
    fps: 'Snímků za sekundu',
    frameAge: 'Poslední snímek',
    ago: 'před {n} s',
    never: 'nikdy',
    moved: 'Kamera pohnutá',
    dark: 'Tma',
    yes: 'ano',
    no: 'ne',
    agent: 'Agent',
    version: 'Verze agenta',
    cpu: 'CPU',
    memory: 'Paměť',
    accuracy: 'Přesnost na štítcích',
    accuracyValue: 'obecná {generic}, vyladěná {tuned} ({labels} štítků)',
    noAccuracy: 'zatím bez štítků',
    head: 'Používá hlavu',
    slots: 'Místa: {free} volných, {occupied} obsazených, {unknown} neznámých',
    noSlots: 'Kamera nemá kalibraci s místy.',
    snapshot: 'Náhled',
    take: 'Pořídit náhled',
    noSnapshot: 'Náhled se pořizuje na vyžádání; masky soukromí se použijí.',
    snapshotAlt: 'Náhled kamery {camera} s maskami soukromí, pořízený {t}',
    snapshotFailed: {
      unavailable: 'Náhled se nepodařilo pořídit: server teď nemá spojení s agenty (MQTT). Zkuste to za chvíli.',
      timeout: 'Náhled se nepodařilo pořídit: agent kamery neodpověděl včas. Je online?',
      failed: 'Náhled se nepodařilo pořídit: agent vrátil chybu nebo nečitelný obrázek.',
      other: 'Náhled se nepodařilo pořídit.',
    },
    alerts: 'Otevřená upozornění: {n}',
    allAlerts: 'Všechna upozornění',
    pause: 'Pozastavit průběžnou obnovu',
    tools: 'Nástroje',
    unknownStatus: 'neznámý',
    streamStatus: {
      starting: 'spouští se',
      ok: 'v pořádku',
      stalled: 'zamrzlý',
      down: 'bez obrazu',
      unusable: 'nepoužitelný',
      camera_moved: 'kamera pohnutá',
    } satisfies Record<StreamStatus, string>,
    agentStatus: {
      unknown: 'neznámý',
      online: 'online',
      stopped: 'zastavený',
      offline: 'offline',
      silent: 'mlčí',
    } satisfies Record<AgentStatus, string>,
  },
  en: {
    title: 'Cameras',
    none: 'The server does not know any camera yet.',
    lot: 'Car park',
    stream: 'Stream health',
    fps: 'Frames per second',
    frameAge: 'Last frame',
    ago: '{n} s ago',
    never: 'never',
    moved: 'Camera moved',
    dark: 'Too dark',
    yes: 'yes',
    no: 'no',
    agent: 'Agent',
    version: 'Agent version',
    cpu: 'CPU',
    memory: 'Memory',
    accuracy: 'Accuracy on labels',
    accuracyValue: 'generic {generic}, tuned {tuned} ({labels} labels)',
    noAccuracy: 'no labels yet',
    head: 'Head in use',
    slots: 'Slots: {free} free, {occupied} occupied, {unknown} unknown',
    noSlots: 'The camera has no calibration with slots.',
    snapshot: 'Snapshot',
    take: 'Take snapshot',
    noSnapshot: 'Snapshots are taken on demand; privacy masks are applied.',
    snapshotAlt: 'Snapshot of camera {camera} with privacy masks, taken {t}',
    snapshotFailed: {
      unavailable:
        'The snapshot could not be taken: the server has no connection to the agents (MQTT). Try again shortly.',
      timeout: 'The snapshot could not be taken: the camera’s agent did not answer in time. Is it online?',
      failed: 'The snapshot could not be taken: the agent answered with an error or an unreadable image.',
      other: 'The snapshot could not be taken.',
    },
    alerts: 'Open alerts: {n}',
    allAlerts: 'All alerts',
    pause: 'Pause live updates',
    tools: 'Tools',
    unknownStatus: 'unknown',
    // The codes themselves read as English; staff match them with the API and the logs.
    streamStatus: {
      starting: 'starting',
      ok: 'ok',
      stalled: 'stalled',
      down: 'down',
      unusable: 'unusable',
      camera_moved: 'camera moved',
    } satisfies Record<StreamStatus, string>,
    agentStatus: {
      unknown: 'unknown',
      online: 'online',
      stopped: 'stopped',
      offline: 'offline',
      silent: 'silent',
    } satisfies Record<AgentStatus, string>,
  },
} as const;

export type WallTexts = (typeof WALL_TEXTS)['en' | 'cs'];

/** Why a wall snapshot failed, as a code for the redirect back to /staff; the page words it. */
export type SnapshotFailure = keyof WallTexts['snapshotFailed'];

const FAILURES: Record<string, SnapshotFailure> = {
  VOLNO_UNAVAILABLE: 'unavailable',
  VOLNO_SNAPSHOT_TIMEOUT: 'timeout',
  VOLNO_SNAPSHOT_FAILED: 'failed',
};

/** The failure code for an API error's code; anything else is `other`. */
export const snapshotFailure = (apiCode: string): SnapshotFailure => FAILURES[apiCode] ?? 'other';

/** A status code in words; a code this table does not know (a newer agent's) is shown as it is. */
export function statusWord(words: Readonly<Record<string, string>>, code: string | null, unknown: string): string {
  if (code === null) return unknown;
  return Object.hasOwn(words, code) ? words[code]! : code;
}

/** The wording for a code from the query string: unknown codes get the generic one. */
export function snapshotFailureText(t: WallTexts, code: string): string {
  return Object.hasOwn(t.snapshotFailed, code) ? t.snapshotFailed[code as SnapshotFailure] : t.snapshotFailed.other;
}
