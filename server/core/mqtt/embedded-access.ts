import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from 'pino';
import type { Counter } from '../metrics/registry.ts';
import {
  agentCameras,
  agentRules,
  agentUsername,
  anyAgentRules,
  filterCovers,
  homeAssistantReadTopics,
  serverRules,
  topicMatches,
  type RulesInput,
  type TopicRules,
} from './broker-rules.ts';
import type { EmbeddedBrokerConfig } from './embedded-config.ts';
import type { PasswordFile } from './password-file.ts';

/** Why the embedded broker refused something: label values of `volno_broker_refused_total`. */
export type RefusalReason =
  | 'bad_credentials'
  | 'anonymous'
  | 'client_id_reserved'
  | 'client_id_mismatch'
  | 'publish_denied'
  | 'subscribe_denied'
  | 'tls_handshake';

/** Who a connected client is, decided once at CONNECT. */
interface Account {
  /** Username, or `anonymous`. */
  name: string;
  role: 'server' | 'agent' | 'any_agent' | 'reader';
  rules: TopicRules;
}

/** The server's own account on the embedded broker: a fresh secret per process, never in any file. */
export const SERVER_USERNAME = 'volno-server';
/** Client ids only the server may use (its generated ids start so; docs/security.md). */
const SERVER_ID_PREFIX = 'volno-server';

const sameSecret = (a: string, b: Buffer | undefined) => {
  if (b === undefined) return false;
  const x = Buffer.from(a);
  return x.length === b.length && timingSafeEqual(x, b);
};

const refusal = (message: string, returnCode: 2 | 4 | 5): AuthenticateError => {
  const err = new Error(message) as AuthenticateError;
  err.returnCode = returnCode as AuthenticateError['returnCode'];
  return err;
};

export interface AccessOptions {
  config: EmbeddedBrokerConfig;
  rules: RulesInput;
  /** The client id the server connects with; nobody else may take it. */
  serverClientId: string;
  passwords: PasswordFile | undefined;
  refused: Counter | undefined;
  log: Logger;
}

/**
 * Accounts and topic rules of the embedded broker (issue 13, findings 3 and 4), enforced in aedes'
 * authenticate / authorizePublish / authorizeSubscribe hooks with the same rules Mosquitto gets
 * (broker-rules.ts). Three ways in besides the server's own account:
 * - `password_file`: one account per agent; its client id must be its username, so one agent's
 *   credentials can neither take another's session nor the server's; other accounts in the file
 *   (Home Assistant) may only read the Home Assistant topics;
 * - `username`/`password`: one account shared by all agents (any agent's topics, never the server's);
 * - neither: anonymous clients, on loopback only (config refuses more), with the shared account's rules.
 * Whatever the way, only the server publishes calibrations and snapshot requests.
 */
export class BrokerAccess {
  readonly server = { username: SERVER_USERNAME, password: randomBytes(24).toString('base64url') };
  private readonly accounts = new WeakMap<Client, Account>();
  private readonly agents = new Map<string, TopicRules>();
  private window = { start: 0, logged: 0, suppressed: 0 };
  /** Anonymous and shared-account clients: any agent's topics, plus reading Home Assistant's. */
  private readonly someAgent: TopicRules;

  constructor(private readonly o: AccessOptions) {
    const any = anyAgentRules(o.rules);
    this.someAgent = { write: any.write, read: [...any.read, ...homeAssistantReadTopics(o.rules)] };
    if (o.passwords !== undefined) {
      const { site } = o.rules;
      for (const [agent, cameras] of agentCameras(o.rules))
        this.agents.set(agentUsername(site, agent), agentRules(site, o.rules.mqtt.topic_prefix, agent, cameras));
    }
  }

  /** Who may connect without a username: nobody once accounts or a shared secret are configured. */
  private get anonymousAllowed(): boolean {
    return this.o.passwords === undefined && this.o.config.username === undefined;
  }

  authenticate = (
    client: Client,
    username: Readonly<string> | undefined,
    password: Readonly<Buffer> | undefined,
    done: (err: AuthenticateError | null, success: boolean | null) => void,
  ): void => {
    void this.identify(username, password).then(
      (result) => {
        if (typeof result === 'string') return this.refuse(client, result, username, done);
        const idProblem = this.clientIdProblem(client.id, result);
        if (idProblem !== undefined) return this.refuse(client, idProblem, username, done);
        this.accounts.set(client, result);
        done(null, true);
      },
      () => this.refuse(client, 'bad_credentials', username, done),
    );
  };

  private async identify(username: string | undefined, password: Buffer | undefined): Promise<Account | RefusalReason> {
    const { config, passwords, rules } = this.o;
    if (username === undefined || username === '')
      return this.anonymousAllowed ? { name: 'anonymous', role: 'any_agent', rules: this.someAgent } : 'anonymous';
    if (username === this.server.username)
      return sameSecret(this.server.password, password)
        ? { name: username, role: 'server', rules: serverRules(rules) }
        : 'bad_credentials';
    if (passwords !== undefined && (await passwords.verify(username, password))) {
      const agent = this.agents.get(username);
      return agent !== undefined
        ? { name: username, role: 'agent', rules: agent }
        : { name: username, role: 'reader', rules: { read: homeAssistantReadTopics(rules), write: [] } };
    }
    if (config.username !== undefined && config.password !== undefined && username === config.username)
      return sameSecret(config.password, password)
        ? { name: username, role: 'any_agent', rules: this.someAgent }
        : 'bad_credentials';
    return 'bad_credentials';
  }

  /**
   * Aedes, like every broker, throws the older of two clients with one id off: the server's id is
   * reserved for the server's account, and an agent account must use its username as client id
   * (what `use_username_as_clientid` does on Mosquitto).
   */
  private clientIdProblem(id: string, a: Account): RefusalReason | undefined {
    if (a.role === 'server') return undefined;
    if (id === this.o.serverClientId || id.startsWith(SERVER_ID_PREFIX)) return 'client_id_reserved';
    if (a.role === 'agent') return id === a.name ? undefined : 'client_id_mismatch';
    if (this.agents.has(id)) return 'client_id_reserved';
    return undefined;
  }

  private refuse(
    client: Client,
    reason: RefusalReason,
    username: string | undefined,
    done: (err: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    this.record(reason, { client_id: client.id, username: username ?? null });
    const message =
      reason === 'client_id_reserved' || reason === 'client_id_mismatch'
        ? 'client id not allowed for this account'
        : reason === 'anonymous'
          ? 'not authorized'
          : 'bad username or password';
    // 2: identifier rejected, 4: bad username or password, 5: not authorized (MQTT 3.1.1, 3.2.2.3).
    done(refusal(message, reason === 'bad_credentials' ? 4 : reason === 'anonymous' ? 5 : 2), false);
  }

  authorizePublish = (client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void => {
    const account = client === null ? undefined : this.accounts.get(client);
    if (account !== undefined && account.rules.write.some((f) => topicMatches(f, packet.topic))) return done(null);
    this.record('publish_denied', {
      client_id: client?.id ?? null,
      username: account?.name ?? null,
      topic: packet.topic.slice(0, 300),
      retain: packet.retain,
    });
    // MQTT 3.1.1 has no way to say "not authorised" to a PUBLISH: aedes closes the connection
    // (Mosquitto acks and drops instead). Either way nobody receives it, and it is never retained.
    done(new Error(`not authorized to publish on ${packet.topic.slice(0, 300)}`));
  };

  authorizeSubscribe = (
    client: Client | null,
    sub: Subscription,
    done: (err: Error | null, subscription?: Subscription | null) => void,
  ): void => {
    const account = client === null ? undefined : this.accounts.get(client);
    if (account !== undefined && account.rules.read.some((r) => filterCovers(r, sub.topic))) return done(null, sub);
    this.record('subscribe_denied', {
      client_id: client?.id ?? null,
      username: account?.name ?? null,
      topic: sub.topic.slice(0, 300),
    });
    done(null, null); // SUBACK 0x80 for this filter; the client stays connected
  };

  /**
   * Counts every refusal and logs at most 20 a minute: a hostile client reconnecting in a loop must
   * not flood the log (the counter still sees everything).
   */
  record(reason: RefusalReason, fields: Record<string, unknown>): void {
    this.o.refused?.inc({ reason });
    const now = Date.now();
    if (now - this.window.start >= 60_000) {
      if (this.window.suppressed > 0)
        this.o.log.warn({ suppressed: this.window.suppressed }, 'more MQTT refusals; their log lines were left out');
      this.window = { start: now, logged: 0, suppressed: 0 };
    }
    if (this.window.logged >= 20) {
      this.window.suppressed++;
      return;
    }
    this.window.logged++;
    this.o.log.warn({ reason, ...fields }, 'embedded MQTT broker refused a client');
  }
}
