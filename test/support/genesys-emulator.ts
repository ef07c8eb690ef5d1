/**
 * An emulator of the Genesys Cloud services the lifecycle handler calls: the OAuth token
 * endpoint and the Platform API of the "Amazon EventBridge Source" integration, with its
 * activation state machine, its partner event sources and injectable faults.
 *
 * One node:http server on 127.0.0.1 answers both, so `emulator.url` serves as the API endpoint
 * and the login endpoint at once. Answers follow the shapes of the Genesys model schema.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeFault, FaultBook } from './genesys-emulator/faults';
import type { FaultRule } from './genesys-emulator/faults';
import {
  errorAnswer,
  HttpError,
  intParam,
  methodNotAllowed,
  notFound,
  ok,
  parseJson,
  readBody,
  recordedBody,
  STATUS_CODES,
} from './genesys-emulator/http';
import type { Answer } from './genesys-emulator/http';
import { InMemoryPartnerSide, sameSource } from './genesys-emulator/partner-side';
import type {
  PartnerEventEntry,
  PartnerSide,
  PartnerSource,
} from './genesys-emulator/partner-side';
import { defaultTopics } from './genesys-emulator/topics';
import type {
  AvailableTopic,
  Integration,
  IntegrationConfiguration,
  IntegrationStatusInfo,
  ReportedStateCode,
} from '../../lib/lifecycle/genesys-models';
import {
  EVENTBRIDGE_REGIONS,
  INTEGRATION_TYPE_ID,
  MAX_INTEGRATIONS_PER_ORG,
} from '../../lib/rules';

export { FaultBook, describeFault } from './genesys-emulator/faults';
export type { Fault, FaultMatch, FaultRule, TransportFault } from './genesys-emulator/faults';
export { InMemoryPartnerSide, sameSource } from './genesys-emulator/partner-side';
export type {
  PartnerEventEntry,
  PartnerOperation,
  PartnerSide,
  PartnerSource,
} from './genesys-emulator/partner-side';
export {
  defaultTopics,
  EVENTBRIDGE_TOPICS,
  WEBSOCKET_ONLY_TOPICS,
} from './genesys-emulator/topics';

/** Options of `GenesysEmulator.start()`. */
export interface EmulatorOptions {
  /** The organization id that names the partner event sources. @default DEFAULT_ORGANIZATION_ID */
  organizationId?: string;
  /** OAuth client id → secret. @default { 'emulator-client': 'emulator-secret' } */
  clients?: Record<string, string>;
  /** `expires_in` of issued tokens, in seconds. @default 86400 */
  tokenLifetimeSeconds?: number;
  /** How long an enabled integration stays ACTIVATING before ACTIVE or ERROR. @default 20 */
  activationDelayMs?: number;
  /** How long after ACTIVE the partner event source appears. @default 20 */
  propagationDelayMs?: number;
  /** How long a disabled integration stays DEACTIVATING; 0 goes straight to INACTIVE. @default 0 */
  deactivationDelayMs?: number;
  /** EventBridge integrations allowed per organization. @default 10 */
  maxIntegrations?: number;
  /** The notification topic catalog. @default - defaultTopics() */
  topics?: AvailableTopic[];
  /** Where partner event sources are created and deleted. @default new InMemoryPartnerSide() */
  partnerSide?: PartnerSide;
  /** AWS regions an activation accepts. @default EVENTBRIDGE_REGIONS of lib/rules */
  regions?: readonly string[];
  /**
   * How a stale config version is refused: 409, or 400 with a "does not match" message.
   * @default 409
   */
  staleVersionStatus?: 409 | 400;
  /** Integrations of other types that exist from the start (they never activate). @default [] */
  otherIntegrations?: Array<{ name: string; typeId: string }>;
}

/** One call the emulator received. */
export interface RecordedRequest {
  /** HTTP method. */
  method: string;
  /** Path without the query. */
  path: string;
  /** Query parameters. */
  query: Record<string, string>;
  /** Parsed JSON or form body (secrets redacted); undefined without a body. */
  body: unknown;
  /** Status answered; 0 when the socket was reset or the emulator stopped first. */
  status: number;
  /** The JSON body answered; undefined without an answer or a body, and for the token endpoint. */
  response?: unknown;
  /** `Date.now()` when the request arrived. */
  startedAt: number;
  /** Time until the answer was sent. */
  durationMs: number;
  /** The injected fault that shaped the answer, e.g. "status 429" or "reset". */
  fault?: string;
}

/** The organization id the emulator uses unless told otherwise. */
export const DEFAULT_ORGANIZATION_ID = '5f0c3a3e-8a51-4c1e-9d3b-0e6f5a7b2c91';

/** The OAuth client the emulator accepts unless told otherwise. */
export const DEFAULT_CLIENTS: Readonly<Record<string, string>> = {
  'emulator-client': 'emulator-secret',
};

/**
 * The activation errors of the emulator, as `detail.message` of an ERROR reportedState. The real
 * wording is unknown, so code must pass these through rather than match on them.
 */
export const ACTIVATION_ERRORS = {
  invalidAccountId: (value: unknown) =>
    `Invalid AWS account id ${JSON.stringify(value)}: it must be a 12-digit AWS account id.`,
  invalidRegion: (value: unknown) =>
    `Invalid AWS region ${JSON.stringify(value)}: Amazon EventBridge is not available there.`,
  invalidSuffix: (value: unknown) =>
    `Invalid event source suffix ${JSON.stringify(value)}: use 1-64 characters of ` +
    'A-Z a-z 0-9 . - _.',
  suffixNotUnique: (value: unknown) =>
    `The event source suffix ${JSON.stringify(value)} must be unique: another active ` +
    'Amazon EventBridge integration of the organization uses it.',
} as const;

const INTEGRATION_TYPE_NAME = 'Amazon EventBridge Source';
const INTEGRATIONS_PATH = '/api/v2/integrations';
const TOKEN_PATH = '/oauth/token';

/** An integration as the emulator stores it. */
interface StoredIntegration {
  id: string;
  name: string;
  notes: string;
  typeId: string;
  intendedState: 'ENABLED' | 'DISABLED';
  reported: IntegrationStatusInfo;
  config: IntegrationConfiguration;
  /** The partner event source Genesys created for it and still owns. */
  source?: PartnerSource;
  /** Bumped by every transition, so that timers of an older transition do nothing. */
  generation: number;
  deleted: boolean;
}

interface IssuedToken {
  clientId: string;
  expiresAt: number;
  revoked: boolean;
}

/** The Genesys Cloud emulator. Start it with `GenesysEmulator.start()`, end it with `stop()`. */
export class GenesysEmulator {
  /** Starts an emulator on a free port of 127.0.0.1. */
  static async start(options: EmulatorOptions = {}): Promise<GenesysEmulator> {
    const emulator = new GenesysEmulator(options);
    await emulator.listen();
    return emulator;
  }

  /** The organization id of `GET /api/v2/organizations/me` and of the partner source names. */
  readonly organizationId: string;
  /** Every call, in order of arrival (token calls included, bodies redacted of secrets). */
  readonly requests: RecordedRequest[] = [];
  /** Where partner event sources go. */
  readonly partnerSide: PartnerSide;
  /** Errors the partner side raised while creating or deleting sources, in order. */
  readonly partnerErrors: Error[] = [];

  private readonly options: Required<Omit<EmulatorOptions, 'partnerSide' | 'organizationId'>>;
  private readonly server: http.Server;
  private readonly faults = new FaultBook(() => Date.now());
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly store = new Map<string, StoredIntegration>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters: Array<() => void> = [];
  private inFlight = 0;
  private stopped = false;
  private baseUrl = '';

  private constructor(options: EmulatorOptions) {
    this.organizationId = options.organizationId ?? DEFAULT_ORGANIZATION_ID;
    this.partnerSide = options.partnerSide ?? new InMemoryPartnerSide();
    this.options = {
      clients: options.clients ?? { ...DEFAULT_CLIENTS },
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 86400,
      activationDelayMs: options.activationDelayMs ?? 20,
      propagationDelayMs: options.propagationDelayMs ?? 20,
      deactivationDelayMs: options.deactivationDelayMs ?? 0,
      maxIntegrations: options.maxIntegrations ?? MAX_INTEGRATIONS_PER_ORG,
      topics: options.topics ?? defaultTopics(),
      regions: options.regions ?? EVENTBRIDGE_REGIONS,
      staleVersionStatus: options.staleVersionStatus ?? 409,
      otherIntegrations: options.otherIntegrations ?? [],
    };
    for (const other of this.options.otherIntegrations) {
      this.addIntegration(other.name, other.typeId);
    }
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        if (!res.headersSent && !res.destroyed) {
          this.send(res, errorAnswer(500, 'internal.server.error', String(err)));
        }
      });
    });
  }

  /** Base URL of both the API and the login endpoint, e.g. `http://127.0.0.1:34567`. */
  get url(): string {
    return this.baseUrl;
  }

  /** The in-memory partner side, when the emulator uses one (the default). */
  get memoryPartnerSide(): InMemoryPartnerSide | undefined {
    return this.partnerSide instanceof InMemoryPartnerSide ? this.partnerSide : undefined;
  }

  /** Requests without the token endpoint. */
  apiCalls(): RecordedRequest[] {
    return this.requests.filter((r) => r.path !== TOKEN_PATH);
  }

  /** Arms a fault (see `FaultRule`). */
  inject(rule: FaultRule): void {
    this.faults.add(rule);
  }

  /** Disarms every fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Every token issued so far answers 401 from now on; new tokens work. */
  expireTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  /** Every access token issued so far, so that tests can assert none of them leaks into logs. */
  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  /** Deep copies of the current integrations, `config.current` expanded (deleted ones excluded). */
  integrations(): Integration[] {
    return [...this.store.values()].map((it) => this.render(it, true));
  }

  /** A deep copy of one integration, or undefined when it does not exist. */
  integration(id: string): Integration | undefined {
    const it = this.store.get(id);
    return it ? this.render(it, true) : undefined;
  }

  /** The partner event source name of a suffix in this organization. */
  partnerSourceName(suffix: string): string {
    return `aws.partner/genesys.com/cloud/${this.organizationId}/${suffix}`;
  }

  /** The partner event source an integration owns now, if it created one. */
  partnerSourceOf(integrationId: string): PartnerSource | undefined {
    const source = this.store.get(integrationId)?.source;
    return source ? { ...source } : undefined;
  }

  /**
   * Sends one event of a topic through an ACTIVE integration, the way Genesys does: the envelope
   * carries the topic with its placeholders as detail-type and a concrete topicName. A topic
   * outside the integration's filter is not sent (the call resolves and nothing happens).
   */
  async publish(integrationId: string, topic: string, eventBody: object): Promise<void> {
    const it = this.store.get(integrationId);
    if (!it) throw new Error(`integration ${integrationId} does not exist`);
    if (it.reported.code !== 'ACTIVE' || !it.source) {
      throw new Error(`integration ${integrationId} has no active partner event source ` +
        `(reportedState ${it.reported.code})`);
    }
    const filter = (it.config.properties as { eventFilter?: unknown }).eventFilter;
    if (!Array.isArray(filter) || !filter.includes(topic)) return;
    if (!this.partnerSide.publish) throw new Error('the partner side cannot publish events');
    const entry: PartnerEventEntry = {
      detailType: topic,
      detail: {
        topicName: topic.replace(/\{id\}/g, () => randomUUID()),
        version: '2',
        eventBody,
        metadata: { CorrelationId: randomUUID() },
        timestamp: new Date().toISOString(),
      },
    };
    await this.partnerSide.publish({ ...it.source }, entry);
  }

  /**
   * Sends one event of a topic the way an organization produces it: through every integration
   * that is ACTIVE with a partner source and has the topic in its filter, each with its own
   * envelope, as Genesys fans a notification out to every subscribed integration. Returns the ids
   * of the integrations it went through (none when no integration sends the topic now).
   */
  async publishToOrganization(topic: string, eventBody: object): Promise<string[]> {
    const through: string[] = [];
    for (const it of [...this.store.values()]) {
      // Checked just before each send: an integration may go away while an earlier one sends.
      const filter = (it.config.properties as { eventFilter?: unknown }).eventFilter;
      const sends = !it.deleted && it.intendedState === 'ENABLED' && it.reported.code === 'ACTIVE'
        && it.source !== undefined && Array.isArray(filter) && filter.includes(topic);
      if (!sends) continue;
      await this.publish(it.id, topic, eventBody);
      through.push(it.id);
    }
    return through;
  }

  /** Resolves once no state transition or partner operation is pending. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Polls the state until the predicate holds (checked after each transition and every 5 ms).
   * Rejects after `timeoutMs` with the last state in the message.
   */
  async waitFor(predicate: (integrations: Integration[]) => boolean, timeoutMs = 5000):
  Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.integrations())) {
      if (Date.now() > deadline) {
        throw new Error(`the emulator state did not reach the condition within ${timeoutMs} ms: ` +
          JSON.stringify(this.integrations()
            .map((i) => [i.id, i.intendedState, i.reportedState?.code])));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Stops the server, cancels every pending timer and drops open connections. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.releaseIdleWaiters();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP plumbing ---------------------------------------------------------------------------

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: recordedBody(raw, req.headers['content-type']),
      status: 0,
      startedAt,
      durationMs: 0,
    };
    this.requests.push(record);
    const finish = (answer: Answer | undefined) => {
      record.durationMs = Date.now() - startedAt;
      if (!answer) return;
      record.status = this.send(res, answer);
      // The token endpoint's answer is a credential: the log keeps that it answered, not what.
      if (record.status !== 0 && url.pathname !== TOKEN_PATH) record.response = answer.body;
    };

    const fault = this.faults.takeTransport(method, url.pathname);
    if (fault) record.fault = describeFault(fault);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      finish(undefined);
      return;
    }
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) {
        headers['retry-after'] = String(fault.retryAfterSeconds);
      }
      const message = fault.message ?? `Emulated failure with status ${fault.status}.`;
      const code = STATUS_CODES[fault.status] ?? 'error';
      finish({ ...errorAnswer(fault.status, code, message), headers });
      return;
    }
    if (fault?.kind === 'delay') {
      await new Promise<void>((resolve) => this.schedule(fault.ms, async () => resolve()));
    }

    let answer: Answer;
    try {
      answer = await this.route(method, url, raw, req.headers, record);
    } catch (err) {
      answer = err instanceof HttpError
        ? errorAnswer(err.status, err.code, err.message, err.extra)
        : errorAnswer(500, 'internal.server.error', `The emulator failed: ${String(err)}`);
    }
    finish(answer);
  }

  /** Writes an answer unless the client is gone; returns the status written (0 when gone). */
  private send(res: http.ServerResponse, answer: Answer): number {
    if (res.destroyed || res.writableEnded || this.stopped) return 0;
    const body = answer.body as { contextId?: string } | undefined;
    const contextId = body?.contextId ?? randomUUID();
    const headers: Record<string, string> = { 'inin-correlation-id': contextId, ...answer.headers };
    if (answer.body === undefined) {
      res.writeHead(answer.status, headers).end();
    } else {
      headers['content-type'] = 'application/json';
      res.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
    }
    return answer.status;
  }

  private async route(method: string, url: URL, raw: string, headers: http.IncomingHttpHeaders,
    record: RecordedRequest): Promise<Answer> {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === TOKEN_PATH) {
      if (method !== 'POST') throw new HttpError(405, 'method.not.allowed', 'Use POST for tokens.');
      return this.issueToken(raw, headers);
    }
    if (!path.startsWith('/api/v2/')) throw notFound(`No route for ${method} ${path}.`);
    this.authenticate(headers);

    const expand = (url.searchParams.get('expand') ?? '').split(',');
    if (method === 'GET' && path === '/api/v2/organizations/me') {
      return ok({
        id: this.organizationId,
        name: 'Emulated organization',
        state: 'active',
        selfUri: `/api/v2/organizations/${this.organizationId}`,
      });
    }
    if (method === 'GET' && path === '/api/v2/notifications/availabletopics') {
      const withTransports = expand.includes('transports');
      return ok({
        entities: this.options.topics.map((t) => {
          const topic: AvailableTopic = copy(t);
          if (!withTransports) delete topic.transports;
          return topic;
        }),
      });
    }
    if (path === `${INTEGRATIONS_PATH}/types/${INTEGRATION_TYPE_ID}/configschemas/properties` &&
      method === 'GET') {
      return ok(propertiesSchema());
    }
    if (path === INTEGRATIONS_PATH) {
      if (method === 'GET') return ok(this.listing(url, expand.includes('config.current')));
      if (method === 'POST') return ok(this.create(parseJson(raw)));
      throw methodNotAllowed(method, path);
    }

    const match = /^\/api\/v2\/integrations\/([^/]+)(\/config\/current)?$/.exec(path);
    if (!match) throw notFound(`No route for ${method} ${path}.`);
    const id = decodeURIComponent(match[1]);
    const it = this.store.get(id);
    if (!it) throw notFound(`Integration ${id} was not found.`, id);

    if (match[2]) {
      if (method === 'GET') return ok(copy(it.config));
      if (method === 'PUT') return ok(this.putConfig(it, parseJson(raw), method, path, record));
      throw methodNotAllowed(method, path);
    }
    if (method === 'GET') return ok(this.render(it, expand.includes('config.current')));
    if (method === 'PATCH') return ok(this.patch(it, parseJson(raw), method, path));
    if (method === 'DELETE') return ok(this.remove(it));
    throw methodNotAllowed(method, path);
  }

  // ---- OAuth -----------------------------------------------------------------------------------

  private issueToken(raw: string, headers: http.IncomingHttpHeaders): Answer {
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== 'client_credentials') {
      throw new HttpError(400, 'bad.request', 'Only grant_type=client_credentials is supported.',
        { error: 'unsupported_grant_type' });
    }
    const auth = headers.authorization ?? '';
    const basic = /^Basic\s+(.+)$/i.exec(auth);
    const decoded = basic ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const clientId = colon >= 0 ? decoded.slice(0, colon) : '';
    const secret = colon >= 0 ? decoded.slice(colon + 1) : '';
    const known = Object.prototype.hasOwnProperty.call(this.options.clients, clientId);
    if (!basic || !known || this.options.clients[clientId] !== secret) {
      throw new HttpError(401, 'bad.credentials', 'Invalid client credentials.',
        { error: 'invalid_client', error_description: 'client not found or secret mismatch' });
    }
    const token = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
    const lifetime = this.options.tokenLifetimeSeconds;
    this.tokens.set(token, { clientId, expiresAt: Date.now() + lifetime * 1000, revoked: false });
    return ok({ access_token: token, token_type: 'bearer', expires_in: lifetime });
  }

  private authenticate(headers: http.IncomingHttpHeaders): void {
    const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
    const token = bearer ? this.tokens.get(bearer[1]) : undefined;
    if (!token || token.revoked || token.expiresAt <= Date.now()) {
      throw new HttpError(401, 'bad.credentials', 'Invalid login credentials.');
    }
  }

  // ---- integrations ----------------------------------------------------------------------------

  private listing(url: URL, expandConfig: boolean): object {
    const pageSize = intParam(url, 'pageSize', 25);
    const pageNumber = intParam(url, 'pageNumber', 1);
    if (pageSize < 1 || pageSize > 500) {
      throw new HttpError(400, 'bad.request',
        `pageSize must be between 1 and 500, got ${pageSize}.`);
    }
    if (pageNumber < 1) {
      throw new HttpError(400, 'bad.request', `pageNumber must be at least 1, got ${pageNumber}.`);
    }
    const all = [...this.store.values()];
    const pageCount = Math.ceil(all.length / pageSize);
    const entities = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize)
      .map((it) => this.render(it, expandConfig));
    const uri = (n: number) => {
      const q = new URLSearchParams({ pageSize: String(pageSize), pageNumber: String(n) });
      if (expandConfig) q.set('expand', 'config.current');
      return `${INTEGRATIONS_PATH}?${q}`;
    };
    return {
      entities,
      pageSize,
      pageNumber,
      total: all.length,
      pageCount,
      firstUri: uri(1),
      lastUri: uri(Math.max(pageCount, 1)),
      selfUri: uri(pageNumber),
      ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
      ...(pageNumber > 1 ? { previousUri: uri(pageNumber - 1) } : {}),
    };
  }

  private create(body: unknown): Integration {
    const request = body as { name?: unknown; integrationType?: { id?: unknown } } | undefined;
    const typeId = request?.integrationType?.id;
    if (typeof request?.name !== 'string' || request.name.length === 0) {
      throw new HttpError(400, 'bad.request', 'The integration needs a name.');
    }
    if (typeId !== INTEGRATION_TYPE_ID) {
      throw new HttpError(400, 'bad.request',
        `integrationType.id must be ${INTEGRATION_TYPE_ID}, got ${JSON.stringify(typeId)}.`);
    }
    const count = [...this.store.values()].filter((i) => i.typeId === INTEGRATION_TYPE_ID).length;
    const max = this.options.maxIntegrations;
    if (count >= max) {
      throw new HttpError(400, 'integration.type.max.instances',
        `The organization already has the maximum number of ${INTEGRATION_TYPE_NAME} ` +
        `integrations (${max}).`,
        { limit: { key: 'max.instances', namespace: 'integrations', value: max } });
    }
    return this.render(this.addIntegration(request.name, INTEGRATION_TYPE_ID), false);
  }

  private addIntegration(name: string, typeId: string): StoredIntegration {
    const id = randomUUID();
    const it: StoredIntegration = {
      id,
      name,
      notes: '',
      typeId,
      intendedState: 'DISABLED',
      reported: status('INACTIVE'),
      config: {
        id,
        name,
        version: 1,
        properties: {},
        advanced: {},
        notes: '',
        credentials: {},
        selfUri: `${INTEGRATIONS_PATH}/${id}/config/current`,
      },
      generation: 0,
      deleted: false,
    };
    this.store.set(id, it);
    return it;
  }

  private putConfig(it: StoredIntegration, body: unknown, method: string, path: string,
    record: RecordedRequest): IntegrationConfiguration {
    const config = body as Partial<IntegrationConfiguration> | undefined;
    if (!config || typeof config !== 'object') {
      throw new HttpError(400, 'bad.request', 'The body must be an IntegrationConfiguration.');
    }
    for (const key of ['name', 'notes'] as const) {
      if (typeof config[key] !== 'string') {
        throw new HttpError(400, 'bad.request', `${key} is required and must be a string.`);
      }
    }
    for (const key of ['properties', 'advanced', 'credentials'] as const) {
      const value = config[key];
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new HttpError(400, 'bad.request', `${key} is required and must be an object.`);
      }
    }
    if (typeof config.version !== 'number') {
      throw new HttpError(400, 'bad.request', 'version is required and must be a number.');
    }
    const forced = this.faults.takeKind('versionConflict', method, path);
    if (forced) record.fault = describeFault(forced);
    if (forced || config.version !== it.config.version) {
      const message = `The version ${config.version} of the configuration does not match the ` +
        `current version ${it.config.version}.`;
      const stale = this.options.staleVersionStatus;
      throw new HttpError(stale, stale === 409 ? 'conflict' : 'bad.request', message,
        { entityId: it.id });
    }

    const before = it.config.properties as Record<string, unknown>;
    const after = config.properties as Record<string, unknown>;
    it.config = {
      id: it.id,
      name: config.name as string,
      version: it.config.version + 1,
      properties: copy(after),
      advanced: copy(config.advanced as Record<string, unknown>),
      notes: config.notes as string,
      credentials: copy(config.credentials as Record<string, unknown>),
      selfUri: `${INTEGRATIONS_PATH}/${it.id}/config/current`,
    };
    const moved = ['awsAccountId', 'awsAccountRegion', 'eventSourceSuffix']
      .some((key) => before[key] !== after[key]);
    if (moved && it.intendedState === 'ENABLED') {
      // Genesys deactivates an integration whose destination changes; it must be re-activated.
      it.intendedState = 'DISABLED';
      it.generation += 1;
      it.reported = status('INACTIVE');
    }
    return copy(it.config);
  }

  private patch(it: StoredIntegration, body: unknown, method: string, path: string): Integration {
    const state = (body as { intendedState?: unknown } | undefined)?.intendedState;
    if (state === 'ENABLED') {this.enable(it, method, path);} else if (state === 'DISABLED') {this.disable(it);} else {
      throw new HttpError(400, 'bad.request',
        `intendedState must be ENABLED or DISABLED, got ${JSON.stringify(state)}.`);
    }
    return this.render(it, false);
  }

  private enable(it: StoredIntegration, method: string, path: string): void {
    if (it.intendedState === 'ENABLED') return;
    if (it.typeId !== INTEGRATION_TYPE_ID) {
      throw new HttpError(400, 'bad.request',
        'The emulator only activates EventBridge integrations.');
    }
    it.intendedState = 'ENABLED';
    it.generation += 1;
    it.reported = status('ACTIVATING');
    const generation = it.generation;
    const injectedError = this.faults.takeKind('activationError', method, path);
    const withoutSource = this.faults.takeKind('noPartnerSource', method, path);

    this.schedule(this.options.activationDelayMs, async () => {
      if (it.deleted || it.generation !== generation) return;
      const problem = injectedError?.message ?? this.activationProblem(it);
      if (problem) {
        it.reported = status('ERROR', problem);
        return;
      }
      it.reported = status('ACTIVE');
      const props = it.config.properties as Record<string, string>;
      const wanted: PartnerSource = {
        name: this.partnerSourceName(props.eventSourceSuffix),
        accountId: props.awsAccountId,
        region: props.awsAccountRegion,
      };
      this.schedule(this.options.propagationDelayMs, async () => {
        if (it.deleted || it.generation !== generation) return;
        if (it.source && sameSource(it.source, wanted)) return;
        if (it.source) {
          // Re-activation after a change of destination: the old source goes first.
          const old = it.source;
          it.source = undefined;
          await this.partner(() => this.partnerSide.deleteSource({ ...old }));
        }
        if (withoutSource) return;
        if (!await this.partner(() => this.partnerSide.createSource({ ...wanted }))) return;
        const superseded = it.source !== undefined && !sameSource(it.source, wanted);
        if (it.deleted || superseded) {
          // Deleted, or re-activated elsewhere, while this source was being created: the delete
          // or the newer activation found no source to remove, so this one goes now, as Genesys
          // removes the source of a deleted integration and the old source of a re-activation.
          await this.partner(() => this.partnerSide.deleteSource({ ...wanted }));
          return;
        }
        // A disable meanwhile keeps the source, and an activation elsewhere that has not run yet
        // replaces it when it does.
        it.source = wanted;
      });
    });
  }

  private activationProblem(it: StoredIntegration): string | undefined {
    const props = it.config.properties as Record<string, unknown>;
    const account = props.awsAccountId;
    if (typeof account !== 'string' || !/^\d{12}$/.test(account)) {
      return ACTIVATION_ERRORS.invalidAccountId(account);
    }
    const region = props.awsAccountRegion;
    if (typeof region !== 'string' || !this.options.regions.includes(region)) {
      return ACTIVATION_ERRORS.invalidRegion(region);
    }
    const suffix = props.eventSourceSuffix;
    if (typeof suffix !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(suffix)) {
      return ACTIVATION_ERRORS.invalidSuffix(suffix);
    }
    const taken = [...this.store.values()].some((other) => other !== it &&
      other.typeId === INTEGRATION_TYPE_ID &&
      other.intendedState === 'ENABLED' && other.reported.code === 'ACTIVE' &&
      (other.config.properties as Record<string, unknown>).eventSourceSuffix === suffix);
    return taken ? ACTIVATION_ERRORS.suffixNotUnique(suffix) : undefined;
  }

  private disable(it: StoredIntegration): void {
    if (it.intendedState === 'DISABLED') return;
    it.intendedState = 'DISABLED';
    it.generation += 1;
    // Disabling stops events but leaves the partner event source in place.
    if (this.options.deactivationDelayMs <= 0) {
      it.reported = status('INACTIVE');
      return;
    }
    it.reported = status('DEACTIVATING');
    const generation = it.generation;
    this.schedule(this.options.deactivationDelayMs, async () => {
      if (!it.deleted && it.generation === generation) it.reported = status('INACTIVE');
    });
  }

  private remove(it: StoredIntegration): Integration {
    const rendered = { ...this.render(it, false), intendedState: 'DELETED' as const };
    it.deleted = true;
    it.generation += 1;
    this.store.delete(it.id);
    const source = it.source;
    it.source = undefined;
    if (source) {
      this.schedule(this.options.propagationDelayMs, async () => {
        await this.partner(() => this.partnerSide.deleteSource({ ...source }));
      });
    }
    return rendered;
  }

  private render(it: StoredIntegration, withConfig: boolean): Integration {
    const integration: Integration = {
      id: it.id,
      name: it.name,
      integrationType: {
        id: it.typeId,
        name: it.typeId === INTEGRATION_TYPE_ID ? INTEGRATION_TYPE_NAME : it.typeId,
      },
      notes: it.notes,
      intendedState: it.intendedState,
      reportedState: copy(it.reported),
      attributes: {},
      selfUri: `${INTEGRATIONS_PATH}/${it.id}`,
    };
    if (withConfig) integration.config = { current: copy(it.config) };
    return integration;
  }

  // ---- timers and partner operations ------------------------------------------------------------

  /** Runs `task` after `ms`, tracked so that stop() cancels it and idle() waits for it. */
  private schedule(ms: number, task: () => Promise<void>): void {
    if (this.stopped) return;
    this.inFlight += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task().catch((err) => this.partnerErrors.push(asError(err))).finally(() => {
        this.inFlight -= 1;
        if (this.isIdle()) this.releaseIdleWaiters();
      });
    }, ms);
    this.timers.add(timer);
  }

  /** Runs one partner operation; returns false (and records the error) when it fails. */
  private async partner(operation: () => Promise<void>): Promise<boolean> {
    try {
      await operation();
      return true;
    } catch (err) {
      this.partnerErrors.push(asError(err));
      return false;
    }
  }

  private isIdle(): boolean {
    return this.stopped || this.inFlight === 0;
  }

  private releaseIdleWaiters(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

// ---- helpers -----------------------------------------------------------------------------------

/** A reportedState of a code, with the reason when it is an error. */
function status(code: ReportedStateCode, errorMessage?: string): IntegrationStatusInfo {
  const info: IntegrationStatusInfo = {
    code,
    effective: code.charAt(0) + code.slice(1).toLowerCase(),
    lastUpdated: new Date().toISOString(),
  };
  if (errorMessage !== undefined) {
    info.detail = {
      localizableMessageCode: 'ACTIVATION_FAILED',
      message: errorMessage,
      messageWithParams: errorMessage,
      messageParams: {},
    };
  }
  return info;
}

/** A deep copy, so that callers never share the emulator's state. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** A minimal properties schema of the integration type, as the configschemas call returns it. */
function propertiesSchema(): object {
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    required: ['awsAccountId', 'awsAccountRegion', 'eventSourceSuffix'],
    properties: {
      awsAccountId: { type: 'string', pattern: '^[0-9]{12}$' },
      awsAccountRegion: { type: 'string' },
      eventSourceSuffix: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
      eventFilter: { type: 'array', items: { type: 'string' } },
    },
  };
}
