import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { topicFilter } from '../../protocol/index.ts';
import { CameraPipeline } from '../camera/camera-pipeline.ts';
import type { CameraConfig, EdgeConfig } from '../config/schema.ts';
import { EdgeError, errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import { MqttLink } from '../mqtt/link.ts';
import { StateStore, type CameraState } from '../occupancy/state-store.ts';
import { createSource } from '../source/create-source.ts';
import type { FrameSource, SourceListener } from '../source/types.ts';
import { loadOccupancyModel, readGenericHead, readManifest, type LinearHead } from '../vision/index.ts';
import type { OccupancyModel } from '../vision/types.ts';
import { CalibrationReporter } from './calibration-report.ts';
import { Inbound } from './inbound.ts';
import { Publisher } from './publisher.ts';

export interface AgentDeps {
  log: Logger;
  version: string;
  /** Loads `models_dir/<id>`; default: the vision core's loader. */
  loadModel?: (modelDir: string, threads: number) => Promise<OccupancyModel>;
  createSource?: (camera: CameraConfig, listener: SourceListener, log: Logger) => FrameSource;
  now?: () => number;
}

/**
 * The edge agent: loads models, runs one pipeline per camera, and talks MQTT. Components start in
 * order and stop in reverse, each stop in its own try/catch (Zigbee2MQTT's controller pattern).
 * Signals are not handled here; the entry file (edge/cli.ts) owns them.
 */
export class Agent {
  readonly cameras = new Map<string, CameraPipeline>();
  private readonly models = new Map<string, OccupancyModel>();
  /** Generic linear heads of models with features, by model id (null: no features, no tuning). */
  private readonly heads = new Map<string, LinearHead | null>();
  private link: MqttLink | undefined;
  private publisher: Publisher | undefined;
  private inbound: Inbound | undefined;
  private reporter: CalibrationReporter | undefined;
  private readonly store: StateStore;
  private stopping: Promise<void> | undefined;
  private started = false;
  /** MQTT connections so far (the first one is not a reconnection). */
  private connections = 0;

  constructor(
    private readonly config: EdgeConfig,
    private readonly deps: AgentDeps,
  ) {
    this.store = new StateStore(join(config.state_dir, 'state.json'));
  }

  get mqtt(): MqttLink | undefined {
    return this.link;
  }

  get sessionId(): string | undefined {
    return this.link?.sessionId;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { config, deps } = this;
    const log = deps.log;
    const restored = await this.loadState();
    for (const cam of config.cameras) await this.model(cam.model);

    // Every camera follows the retained calibration topic, also one with a file: what staff publish
    // wins over the file (docs/calibration-editor.md, "Which calibration is in force").
    const fromTopic = new Set(config.cameras.map((c) => c.id));
    const subscriptions = config.cameras.flatMap((c) => [
      topicFilter('calibration', { site: config.site_id, camera: c.id }, config.topic_prefix),
      topicFilter('snapshot_request', { site: config.site_id, camera: c.id }, config.topic_prefix),
    ]);
    this.link = new MqttLink({
      config: config.mqtt,
      siteId: config.site_id,
      agentId: config.agent_id,
      prefix: config.topic_prefix,
      log: log.child({ part: 'mqtt' }),
      subscriptions,
      onMessage: (topic, payload) => this.inbound?.handle(topic, payload),
      // The broker lost our session (restart without persistence, or first contact): its retained
      // copies of our states may be gone too, so republish everything. So too after any reconnection:
      // the old connection ended without DISCONNECT, so the broker published our `offline` will and
      // the server turned our slots unknown; Mosquitto 2.0 even publishes every will when it shuts
      // down (test/system/agent-broker-faults.test.ts saw slots unknown until the next refresh_s).
      onConnect: (sessionPresent) => {
        const reconnected = this.connections++ > 0;
        if (!sessionPresent || reconnected) {
          this.publisher?.refreshAll();
          this.reporter?.republish();
        }
      },
      now: deps.now,
    });
    this.publisher = new Publisher(this.link, config, this.cameras, deps.version, deps.now);
    const reporter = new CalibrationReporter(this.link, log.child({ part: 'calibration' }));
    this.reporter = reporter;
    for (const cam of config.cameras) this.cameras.set(cam.id, this.pipeline(cam, restored.get(cam.id)));
    this.inbound = new Inbound(
      this.link,
      this.cameras,
      fromTopic,
      config.topic_prefix,
      log.child({ part: 'inbound' }),
      deps.now,
      (cameraId, raw) => reporter.applied(cameraId, raw, 'published'),
    );

    for (const cam of config.cameras) await this.initialCalibration(cam);
    await this.link.start();
    for (const pipeline of this.cameras.values()) await pipeline.start();
    this.publisher.start(() => this.saveState());
    log.info({ cameras: config.cameras.length, sessionId: this.link.sessionId }, 'edge agent started');
  }

  /** Publishes `stopped`, stops ffmpeg, saves the state file, disconnects. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const log = this.deps.log;
    const step = async (what: string, fn: () => Promise<void> | void) => {
      try {
        await fn();
      } catch (err) {
        log.error({ err }, `stopping: ${what} failed`);
      }
    };
    await step('timers', () => this.publisher?.stop());
    await step('calibrations', () => this.inbound?.settled());
    await step('mqtt', () => this.link?.stop());
    await Promise.all([...this.cameras.values()].map((c) => step(`camera ${c.id}`, () => c.stop())));
    await step('state file', () => this.saveState());
    await Promise.all([...this.models.values()].map((m) => step('model', () => m.close())));
    log.info('edge agent stopped');
  }

  private async model(id: string): Promise<OccupancyModel> {
    const cached = this.models.get(id);
    if (cached) return cached;
    const dir = join(this.config.models_dir, id);
    const threads = this.config.inference_threads;
    try {
      const model = await (this.deps.loadModel ?? ((d, t) => loadOccupancyModel(d, { intraOpNumThreads: t })))(
        dir,
        threads,
      );
      this.models.set(id, model);
      this.heads.set(id, await this.genericHead(dir, model));
      return model;
    } catch (cause) {
      throw new EdgeError('VOLNO_MODEL_FAILED', `cannot load model "${id}" from ${dir}: ${errorMessage(cause)}`, [], {
        cause,
      });
    }
  }

  /** The head a per-camera head starts from; a model without one just cannot be tuned (logged, not fatal). */
  private async genericHead(dir: string, model: OccupancyModel): Promise<LinearHead | null> {
    if (!('classifyDetailed' in model)) return null;
    try {
      return await readGenericHead(dir, await readManifest(dir));
    } catch (err) {
      this.deps.log.warn({ err: errorMessage(err), model: model.id }, 'no generic head; per-camera tuning is off');
      return null;
    }
  }

  private pipeline(cam: CameraConfig, restored: CameraState | undefined): CameraPipeline {
    const log = this.deps.log.child({ camera: cam.id });
    return new CameraPipeline({
      camera: cam,
      model: this.models.get(cam.model)!,
      genericHead: this.heads.get(cam.model) ?? null,
      continuityMs: this.config.continuity_max_gap_s * 1000,
      stateDir: this.config.state_dir,
      log,
      restored,
      now: this.deps.now,
      createSource: (listener) => (this.deps.createSource ?? createSource)(cam, listener, log),
      events: {
        slotsChanged: (camera, ids) => this.publisher?.slots(camera, ids),
        summaryChanged: (camera) => this.publisher?.summary(camera),
      },
    });
  }

  /**
   * What a camera runs before the broker answers: the last calibration the server published (cached in
   * state_dir, so a broker outage at boot costs nothing), else the camera's own file. A published
   * version wins over the file; the file only starts a camera no staff member has published for.
   */
  private async initialCalibration(cam: CameraConfig): Promise<void> {
    const pipeline = this.cameras.get(cam.id)!;
    const log = this.deps.log.child({ camera: cam.id });
    const cached = await pipeline.files.loadCalibration();
    if (cached !== null) {
      const outcome = await pipeline.applyCalibration(cached, 'cache');
      if (outcome.result === 'applied') {
        this.reporter?.applied(cam.id, cached, 'cache');
        if (cam.calibration.file !== undefined)
          log.info({ version: outcome.version }, 'running the last published calibration, not the calibration file');
        return;
      }
    }
    if (cam.calibration.file === undefined) return;
    let text: string;
    try {
      text = await readFile(cam.calibration.file, 'utf8');
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'cannot read the calibration file; the camera runs without slots');
      return;
    }
    const outcome = await pipeline.applyCalibration(text, 'file');
    if (outcome.result === 'applied') this.reporter?.applied(cam.id, text, 'file');
  }

  private async loadState(): Promise<Map<string, CameraState>> {
    try {
      return (await this.store.load()) ?? new Map();
    } catch (err) {
      this.deps.log.warn(
        { err: errorMessage(err), file: this.store.file },
        'ignoring an unreadable state file; slots start without continuity',
      );
      return new Map();
    }
  }

  private async saveState(): Promise<void> {
    const cameras = new Map<string, CameraState>();
    for (const c of this.cameras.values()) {
      cameras.set(c.id, { calibrationVersion: c.calibrationVersion, spells: c.slots.spells() });
    }
    try {
      await this.store.save(cameras, this.deps.now?.());
    } catch (err) {
      this.deps.log.warn({ err: errorMessage(err), file: this.store.file }, 'could not write the state file');
    }
  }
}
