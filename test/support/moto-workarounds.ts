/**
 * Every correction this project applies to moto 5.2.1, in one place.
 *
 * EventBridgeCorrections is an HTTP proxy on 127.0.0.1 in front of moto. AWS SDK clients, the
 * deployed handler bundle included, point AWS_ENDPOINT_URL at it; it forwards every request to moto
 * untouched, except the EventBridge calls below, where moto departs from EventBridge's documented
 * behaviour for partner event sources. Each correction names the moto behaviour it corrects, and
 * is counted in `applied` so that a test can show which ones it relied on.
 *
 * What stays uncorrected, on purpose:
 * - events that moto delivers to targets carry no `account` key;
 * - moto cannot invoke Lambda targets: PutEvents fails with HTTP 500 (NotImplementedError) as soon
 *   as an event matches a rule with one, so suites and the sandbox use SQS or log group targets,
 *   or a witness queue in the function's place;
 * - TestEventPattern answers nothing (not implemented);
 * - partner events reach only moto's own account (123456789012): a source created for another
 *   account is recorded, and its events are dropped.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';

/** The corrections, by name; `applied` counts each one. */
export type CorrectionName =
  /** moto answers HTTP 500 (an HTML page) for DescribeEventSource of an unknown name. */
  | 'unknown-source-is-not-found'
  /** moto has every partner source ACTIVE at once; EventBridge keeps it PENDING until a bus is
   * associated, and PENDING again when the bus is deleted. */
  | 'pending-until-bus'
  /** moto keeps a deleted name DELETED forever, even when the partner creates it again. */
  | 'recreated-source-is-live'
  /** moto writes the ARN as `event-source/aws.partner/aws.partner/...` (prefix doubled). */
  | 'source-arn'
  /** moto has no ListEventSources (HTTP 500). */
  | 'list-event-sources'
  /** moto accepts a partner bus whose name differs from its EventSourceName. */
  | 'bus-name-is-source-name'
  /** moto cuts bus names at their last '/' in PutRule, PutTargets, ListRules, PutEvents and the
   * other bus-scoped calls, so no rule can exist on a partner bus. */
  | 'partner-bus-alias'
  /** moto delivers PutPartnerEvents to the default bus, whatever bus the source is associated
   * with, and delivers events of PENDING and DELETED sources too. */
  | 'partner-events-reach-associated-bus';

/** What became of one entry of a PutPartnerEvents call. */
export interface PartnerEventFate {
  readonly source: string;
  readonly detailType: string;
  readonly region: string;
  readonly account: string;
  /**
   * `delivered` to the bus associated with the source; dropped because of the source state, for
   * an unknown source, or because the source is shared with an account other than moto's, which
   * the proxy cannot deliver to.
   */
  readonly outcome: 'delivered' | 'dropped-pending' | 'dropped-deleted' | 'dropped-unknown-source'
  | 'dropped-other-account';
  readonly at: number;
}

/** Options of {@link EventBridgeCorrections.start}. */
export interface CorrectionsOptions {
  /** moto's endpoint, e.g. `http://127.0.0.1:5000`. */
  readonly motoEndpoint: string;
  /** The account moto answers for. */
  readonly accountId: string;
  /**
   * Days after creation when a PENDING source expires, shown as its ExpirationTime. AWS documents
   * 7 days in one place and two weeks in another.
   * @default 14
   */
  readonly pendingExpiryDays?: number;
}

interface SourceRecord {
  readonly name: string;
  readonly region: string;
  readonly accounts: Set<string>;
  createdAt: number;
  deleted: boolean;
}

interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

type Json = Record<string, any>;

const JSON_TYPE = 'application/x-amz-json-1.1';
const BUS_SCOPED = new Set([
  'PutRule', 'DeleteRule', 'DescribeRule', 'EnableRule', 'DisableRule', 'ListRules',
  'PutTargets', 'RemoveTargets', 'ListTargetsByRule', 'ListRuleNamesByTarget',
  'PutPermission', 'RemovePermission',
]);
const ALIAS_PREFIX = 'moto-partner-bus.';

/** The bus name in an EventBusName parameter, which may also be the bus ARN. */
function busNameOf(value: string): string {
  const marker = value.indexOf(':event-bus/');
  if (!value.startsWith('arn:') || marker < 0) return value;
  return value.slice(marker + ':event-bus/'.length);
}

/** The name moto can handle for a partner bus: no '/' in it. */
export function partnerBusAlias(busName: string): string {
  return ALIAS_PREFIX + busName.replace(/\//g, '.');
}

function regionOf(request: http.IncomingMessage): string {
  const authorization = String(request.headers.authorization ?? '');
  const match = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(authorization);
  return match?.[1] ?? process.env.AWS_REGION ?? 'us-east-1';
}

/** The EventBridge corrections proxy in front of moto (see the module comment). */
export class EventBridgeCorrections {
  /** Starts the proxy on a free port of 127.0.0.1. */
  static async start(options: CorrectionsOptions): Promise<EventBridgeCorrections> {
    const corrections = new EventBridgeCorrections(options);
    await new Promise<void>((resolve, reject) => {
      corrections.server.once('error', reject);
      corrections.server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (corrections.server.address() as net.AddressInfo).port;
    corrections.url = `http://127.0.0.1:${port}`;
    return corrections;
  }

  private static json(status: number, value: Json): Upstream {
    return {
      status,
      headers: { 'content-type': JSON_TYPE, 'x-amzn-requestid': randomUUID() },
      body: Buffer.from(JSON.stringify(value)),
    };
  }

  private static error(type: string, message: string): Upstream {
    return EventBridgeCorrections.json(400, { __type: type, message });
  }

  /** The endpoint AWS SDK clients use. */
  url = '';
  /** How many times each correction changed an answer. */
  readonly applied = new Map<CorrectionName, number>();
  /** Every PutPartnerEvents entry and what became of it, in order. */
  readonly partnerEvents: PartnerEventFate[] = [];

  private readonly sources = new Map<string, SourceRecord>();
  private readonly clients = new Map<string, EventBridgeClient>();
  private readonly server: http.Server;
  private readonly moto: URL;

  private constructor(private readonly options: CorrectionsOptions) {
    this.moto = new URL(options.motoEndpoint);
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error) => {
        response.writeHead(500, { 'content-type': JSON_TYPE });
        response.end(JSON.stringify({
          __type: 'InternalFailure',
          message: `moto corrections proxy: ${error instanceof Error ? error.message : error}`,
        }));
      });
    });
  }

  /** Forgets the partner sources and events it recorded (after moto's own reset). */
  reset(): void {
    this.sources.clear();
    this.partnerEvents.length = 0;
    this.applied.clear();
  }

  /** Stops the proxy. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const client of this.clients.values()) client.destroy();
  }

  /** The partner sources created through the proxy, with whether the partner deleted them. */
  partnerSources(): Array<{ name: string; region: string; deleted: boolean }> {
    return [...this.sources.values()]
      .map((s) => ({ name: s.name, region: s.region, deleted: s.deleted }));
  }

  /** The state EventBridge would report for a partner source, or undefined when unknown. */
  async sourceState(region: string, name: string):
  Promise<'PENDING' | 'ACTIVE' | 'DELETED' | undefined> {
    const record = this.sources.get(`${region}\n${name}`);
    if (!record) return undefined;
    if (record.deleted) return 'DELETED';
    return (await this.busExists(region, name)) ? 'ACTIVE' : 'PENDING';
  }

  private count(name: CorrectionName): void {
    this.applied.set(name, (this.applied.get(name) ?? 0) + 1);
  }

  private client(region: string): EventBridgeClient {
    let client = this.clients.get(region);
    if (!client) {
      client = new EventBridgeClient({
        endpoint: this.options.motoEndpoint,
        region,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
      this.clients.set(region, client);
    }
    return client;
  }

  private async busExists(region: string, name: string): Promise<boolean> {
    try {
      await this.client(region).send(new DescribeEventBusCommand({ Name: name }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return false;
      throw error;
    }
  }

  private async handle(request: http.IncomingMessage,
    response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);

    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : undefined;
    const answer = action === undefined
      ? await this.forward(request, body)
      : await this.events(action, request, body);

    const headers = { ...answer.headers };
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    delete headers.connection;
    response.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
    response.end(answer.body);
  }

  private forward(request: http.IncomingMessage, body: Buffer | string): Promise<Upstream> {
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    // The Host header stays the proxy's: moto builds URLs it hands out (SQS queue URLs) from it,
    // and routes by the signature's service name, not by host, on 127.0.0.1.
    const headers: http.OutgoingHttpHeaders = { ...request.headers };
    delete headers['transfer-encoding'];
    headers['content-length'] = String(payload.length);
    return new Promise((resolve, reject) => {
      const upstream = http.request({
        host: this.moto.hostname,
        port: this.moto.port,
        method: request.method,
        path: request.url,
        headers,
      }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({
          status: res.statusCode ?? 500,
          headers: res.headers,
          body: Buffer.concat(parts),
        }));
        res.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end(payload);
    });
  }

  private async events(action: string, request: http.IncomingMessage,
    body: Buffer): Promise<Upstream> {
    const region = regionOf(request);
    const input: Json = body.length > 0 ? JSON.parse(body.toString()) : {};

    switch (action) {
      case 'CreatePartnerEventSource':
        return this.createPartnerSource(request, body, region, input);
      case 'DeletePartnerEventSource':
        return this.deletePartnerSource(request, body, region, input);
      case 'DescribeEventSource': return this.describeSource(request, body, region, input);
      case 'ListEventSources': return this.listSources(region, input);
      case 'CreateEventBus': return this.createBus(request, body, region, input);
      case 'DeleteEventBus': return this.deleteBus(request, body, region, input);
      case 'ListEventBuses': return this.listBuses(request, body);
      case 'PutEvents': return this.putEvents(request, body, input);
      case 'PutPartnerEvents': return this.putPartnerEvents(region, input);
      default:
        if (BUS_SCOPED.has(action)) return this.busScoped(request, body, input);
        return this.forward(request, body);
    }
  }

  private async createPartnerSource(
    request: http.IncomingMessage, body: Buffer, region: string, input: Json,
  ): Promise<Upstream> {
    const answer = await this.forward(request, body);
    if (answer.status !== 200) return answer;

    const key = `${region}\n${input.Name}`;
    const record = this.sources.get(key);
    if (record && record.deleted) {
      // Correction 'recreated-source-is-live': moto keeps the old DELETED state for the name.
      this.count('recreated-source-is-live');
      record.deleted = false;
      record.createdAt = Date.now();
      record.accounts.clear();
    }
    const live = record ?? {
      name: input.Name,
      region,
      accounts: new Set<string>(),
      createdAt: Date.now(),
      deleted: false,
    };
    live.accounts.add(String(input.Account));
    this.sources.set(key, live);
    return answer;
  }

  /**
   * Correction 'unknown-source-is-not-found': moto fails with 500 (a KeyError) on a source name
   * it never saw, where EventBridge answers ResourceNotFoundException. A 500 on a name that was
   * created through this proxy is a real failure of moto and passes through unchanged, so that
   * the handler never mistakes it for a source still to come.
   */
  private sourceNotFoundFor500(answer: Upstream, region: string, input: Json): Upstream {
    if (answer.status < 500 || this.sources.has(`${region}\n${input.Name}`)) return answer;
    this.count('unknown-source-is-not-found');
    return EventBridgeCorrections.error('ResourceNotFoundException',
      `Event source ${input.Name} does not exist.`);
  }

  private async deletePartnerSource(
    request: http.IncomingMessage, body: Buffer, region: string, input: Json,
  ): Promise<Upstream> {
    const answer = this.sourceNotFoundFor500(await this.forward(request, body), region, input);
    const record = this.sources.get(`${region}\n${input.Name}`);
    if (record && answer.status === 200) record.deleted = true;
    return answer;
  }

  private async describeSource(
    request: http.IncomingMessage, body: Buffer, region: string, input: Json,
  ): Promise<Upstream> {
    const answer = this.sourceNotFoundFor500(await this.forward(request, body), region, input);
    if (answer.status !== 200) return answer;

    const record = this.sources.get(`${region}\n${input.Name}`);
    const moto = JSON.parse(answer.body.toString()) as Json;
    const described = await this.describeRecord(region, input.Name, moto, record);
    return EventBridgeCorrections.json(200, described);
  }

  private async describeRecord(region: string, name: string, moto: Json,
    record?: SourceRecord): Promise<Json> {
    const createdAt = record?.createdAt ?? Math.round(Number(moto.CreatedOn ?? 0) * 1000);
    let state: string;
    if (record ? record.deleted : moto.State === 'DELETED') state = 'DELETED';
    else state = (await this.busExists(region, name)) ? 'ACTIVE' : 'PENDING';
    if (moto.State !== undefined && moto.State !== state) {
      // Correction 'pending-until-bus', or 'recreated-source-is-live' when moto still reports the
      // DELETED state of an earlier source of the same name.
      this.count(moto.State === 'DELETED' ? 'recreated-source-is-live' : 'pending-until-bus');
    }

    // Correction 'source-arn': moto doubles the aws.partner/ prefix in the ARN.
    const arn = `arn:aws:events:${region}::event-source/${name}`;
    if (moto.Arn !== undefined && moto.Arn !== arn) this.count('source-arn');

    const expiry = createdAt + (this.options.pendingExpiryDays ?? 14) * 86_400_000;
    return {
      Arn: arn,
      CreatedBy: moto.CreatedBy,
      CreationTime: createdAt / 1000,
      ...(state === 'PENDING' ? { ExpirationTime: expiry / 1000 } : {}),
      Name: name,
      State: state,
    };
  }

  private async listSources(region: string, input: Json): Promise<Upstream> {
    // Correction 'list-event-sources': moto has no ListEventSources; answer it from the sources
    // created through this proxy for moto's account.
    this.count('list-event-sources');
    const prefix = String(input.NamePrefix ?? '');
    const matching = [...this.sources.values()]
      .filter((s) => s.region === region && s.accounts.has(this.options.accountId))
      .filter((s) => s.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const limit = Number(input.Limit ?? 100);
    const page = matching.slice(start, start + limit);
    const EventSources = [];
    for (const record of page) {
      EventSources.push(await this.describeRecord(region, record.name, {}, record));
    }
    const next = start + limit < matching.length ? String(start + limit) : undefined;
    return EventBridgeCorrections.json(200, { EventSources, ...(next ? { NextToken: next } : {}) });
  }

  private async createBus(
    request: http.IncomingMessage, body: Buffer, region: string, input: Json,
  ): Promise<Upstream> {
    if (input.EventSourceName !== undefined && input.EventSourceName !== input.Name) {
      // Correction 'bus-name-is-source-name': EventBridge requires a partner bus to carry the
      // name of its partner event source.
      this.count('bus-name-is-source-name');
      return EventBridgeCorrections.error('ValidationException',
        `Event bus name ${input.Name} must match the event source name ${input.EventSourceName}.`);
    }
    const answer = await this.forward(request, body);
    if (answer.status === 200 && String(input.Name).includes('/')) {
      // Correction 'partner-bus-alias': the rules of the partner bus live on a bus moto can name.
      this.count('partner-bus-alias');
      const alias = partnerBusAlias(input.Name);
      await this.client(region).send(new CreateEventBusCommand({ Name: alias }));
    }
    return answer;
  }

  private async deleteBus(
    request: http.IncomingMessage, body: Buffer, region: string, input: Json,
  ): Promise<Upstream> {
    const answer = await this.forward(request, body);
    if (answer.status === 200 && String(input.Name).includes('/')) {
      this.count('partner-bus-alias');
      const alias = partnerBusAlias(input.Name);
      await this.client(region).send(new DeleteEventBusCommand({ Name: alias }));
    }
    return answer;
  }

  private async listBuses(request: http.IncomingMessage, body: Buffer): Promise<Upstream> {
    const answer = await this.forward(request, body);
    if (answer.status !== 200) return answer;
    const output = JSON.parse(answer.body.toString()) as Json;
    const buses = (output.EventBuses ?? []) as Json[];
    const visible = buses.filter((bus) => !String(bus.Name).startsWith(ALIAS_PREFIX));
    if (visible.length === buses.length) return answer;
    this.count('partner-bus-alias');
    return EventBridgeCorrections.json(200, { ...output, EventBuses: visible });
  }

  /** Rewrites a partner bus name to its alias in the request and back in the answer. */
  private async busScoped(request: http.IncomingMessage, body: Buffer,
    input: Json): Promise<Upstream> {
    const bus = typeof input.EventBusName === 'string' ? busNameOf(input.EventBusName) : undefined;
    if (!bus || !bus.includes('/')) return this.forward(request, body);

    // Correction 'partner-bus-alias': moto would cut the name at its last '/'.
    this.count('partner-bus-alias');
    const alias = partnerBusAlias(bus);
    const answer = await this.forward(request, JSON.stringify({ ...input, EventBusName: alias }));
    return { ...answer, body: Buffer.from(answer.body.toString().split(alias).join(bus)) };
  }

  private async putEvents(request: http.IncomingMessage, body: Buffer,
    input: Json): Promise<Upstream> {
    const entries = (input.Entries ?? []) as Json[];
    let rewritten = false;
    const corrected = entries.map((entry) => {
      const named = entry.EventBusName;
      const bus = typeof named === 'string' ? busNameOf(named) : undefined;
      if (!bus || !bus.includes('/')) return entry;
      rewritten = true;
      return { ...entry, EventBusName: partnerBusAlias(bus) };
    });
    if (!rewritten) return this.forward(request, body);
    this.count('partner-bus-alias');
    return this.forward(request, JSON.stringify({ ...input, Entries: corrected }));
  }

  private async putPartnerEvents(region: string, input: Json): Promise<Upstream> {
    // Correction 'partner-events-reach-associated-bus': moto would put every entry on the default
    // bus. EventBridge delivers it to the bus associated with the source, and drops it while the
    // source is PENDING or DELETED.
    this.count('partner-events-reach-associated-bus');
    const results: Json[] = [];
    let failed = 0;
    for (const entry of (input.Entries ?? []) as Json[]) {
      const record = this.sources.get(`${region}\n${entry.Source}`);
      const fate = { source: String(entry.Source), detailType: String(entry.DetailType), region };
      if (!record) {
        const outcome = 'dropped-unknown-source';
        this.partnerEvents.push({ ...fate, account: '', outcome, at: Date.now() });
        failed++;
        results.push({
          ErrorCode: 'InvalidArgument',
          ErrorMessage: `Event source ${entry.Source} does not exist.`,
        });
        continue;
      }

      let eventId: string = randomUUID();
      for (const account of record.accounts) {
        const state = await this.sourceState(region, record.name);
        if (state !== 'ACTIVE' || account !== this.options.accountId) {
          let outcome: PartnerEventFate['outcome'] = 'dropped-pending';
          if (state === 'DELETED') outcome = 'dropped-deleted';
          else if (account !== this.options.accountId) outcome = 'dropped-other-account';
          this.partnerEvents.push({ ...fate, account, outcome, at: Date.now() });
          continue;
        }
        const put = await this.client(region).send(new PutEventsCommand({
          Entries: [{
            Source: entry.Source,
            DetailType: entry.DetailType,
            Detail: entry.Detail,
            Resources: entry.Resources,
            Time: entry.Time !== undefined ? new Date(Number(entry.Time) * 1000) : undefined,
            EventBusName: partnerBusAlias(record.name),
          }],
        }));
        eventId = put.Entries?.[0]?.EventId ?? eventId;
        this.partnerEvents.push({ ...fate, account, outcome: 'delivered', at: Date.now() });
      }
      results.push({ EventId: eventId });
    }
    return EventBridgeCorrections.json(200, { FailedEntryCount: failed, Entries: results });
  }
}
