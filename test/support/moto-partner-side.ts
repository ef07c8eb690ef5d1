/**
 * The partner side of the Genesys emulator on moto: what Genesys Cloud does in AWS. It creates and
 * deletes partner event sources in the customer's account (CreatePartnerEventSource and
 * DeletePartnerEventSource with Account) and publishes events with Genesys's envelope
 * (PutPartnerEvents), through the same endpoint as every other client, so that the corrections of
 * moto-workarounds.ts apply.
 */
import {
  CreatePartnerEventSourceCommand,
  DeletePartnerEventSourceCommand,
  EventBridgeClient,
  PutPartnerEventsCommand,
} from '@aws-sdk/client-eventbridge';
import type { PartnerSide, PartnerSource } from './genesys-emulator';
import { MOTO_CREDENTIALS } from './moto';

/** One call the partner side made, for assertions and the sandbox's timeline. */
export interface PartnerCall {
  readonly action: 'createSource' | 'deleteSource' | 'publish';
  readonly source: string;
  readonly detailType?: string;
  readonly at: number;
}

/** The `detail` of an event Genesys Cloud sends to EventBridge. */
export interface GenesysEventDetail {
  /** The concrete topic, ids filled in, e.g. `v2.users.4b2c….presence`. */
  readonly topicName: string;
  readonly version: string;
  readonly eventBody: object;
  readonly metadata: { readonly CorrelationId: string };
  /** ISO 8601 time of the event. */
  readonly timestamp: string;
}

/** Options of {@link MotoPartnerSide}. */
export interface MotoPartnerSideOptions {
  /** The endpoint of moto (through its corrections). */
  readonly endpoint: string;
  /**
   * Called when a call fails, instead of only throwing it to the emulator.
   * @default - failures are only thrown
   */
  readonly onError?: (call: PartnerCall, error: Error) => void;
}

/**
 * Checks that `detail` has Genesys's envelope and that its concrete topic fills the placeholders
 * of `detailType`; returns a problem, or undefined.
 */
export function envelopeProblem(detailType: string, detail: unknown): string | undefined {
  if (typeof detail !== 'object' || detail === null) {
    return `detail must be an object, got ${JSON.stringify(detail)}`;
  }
  const d = detail as Record<string, any>;
  for (const key of ['topicName', 'version', 'eventBody', 'metadata', 'timestamp']) {
    if (d[key] === undefined) return `detail.${key} is missing from the Genesys envelope`;
  }
  if (typeof d.metadata?.CorrelationId !== 'string') {
    return 'detail.metadata.CorrelationId must be a string';
  }
  if (Number.isNaN(Date.parse(d.timestamp))) {
    return `detail.timestamp must be an ISO 8601 time, got ${JSON.stringify(d.timestamp)}`;
  }
  const topicName = JSON.stringify(d.topicName);
  const type = JSON.stringify(detailType);
  const concrete = new RegExp('^' + detailType.split('{id}').map((part) =>
    part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^.{}]+') + '$');
  if (!detailType.includes('{id}') && d.topicName !== detailType) {
    return `detail.topicName ${topicName} must equal the detail-type ${type}`;
  }
  if (!concrete.test(d.topicName)) {
    return `detail.topicName ${topicName} must be the detail-type ${type} with concrete ids`;
  }
  return undefined;
}

/** Genesys Cloud's side of the partner event sources, played against moto. */
export class MotoPartnerSide implements PartnerSide {
  /** Every call, in order. */
  readonly calls: PartnerCall[] = [];
  private readonly clients = new Map<string, EventBridgeClient>();

  constructor(private readonly options: MotoPartnerSideOptions) {}

  /** CreatePartnerEventSource in the source's region, for its account. */
  async createSource(source: PartnerSource): Promise<void> {
    const call: PartnerCall = { action: 'createSource', source: source.name, at: Date.now() };
    this.calls.push(call);
    const command = new CreatePartnerEventSourceCommand({
      Name: source.name,
      Account: source.accountId,
    });
    await this.guard(call, () => this.client(source.region).send(command));
  }

  /**
   * DeletePartnerEventSource in the source's region. A source that is already gone counts as
   * deleted: the partner's delete is idempotent, like every delete of the product.
   */
  async deleteSource(source: PartnerSource): Promise<void> {
    const call: PartnerCall = { action: 'deleteSource', source: source.name, at: Date.now() };
    this.calls.push(call);
    await this.guard(call, async () => {
      try {
        await this.client(source.region).send(new DeletePartnerEventSourceCommand({
          Name: source.name,
          Account: source.accountId,
        }));
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      }
    });
  }

  /**
   * PutPartnerEvents with Genesys's envelope: Source is the partner source name, DetailType the
   * topic with its `{id}` placeholders, Detail `{ topicName, version, eventBody, metadata,
   * timestamp }`. Refuses a detail that does not have that shape.
   */
  async publish(source: PartnerSource,
    entry: { detailType: string; detail: object }): Promise<void> {
    const call: PartnerCall = {
      action: 'publish', source: source.name, detailType: entry.detailType, at: Date.now(),
    };
    this.calls.push(call);
    await this.guard(call, async () => {
      const problem = envelopeProblem(entry.detailType, entry.detail);
      if (problem) throw new Error(`partner event for ${source.name}: ${problem}`);
      const timestamp = (entry.detail as GenesysEventDetail).timestamp;
      const answer = await this.client(source.region).send(new PutPartnerEventsCommand({
        Entries: [{
          Source: source.name,
          DetailType: entry.detailType,
          Detail: JSON.stringify(entry.detail),
          Resources: [],
          Time: new Date(timestamp),
        }],
      }));
      if (answer.FailedEntryCount) {
        const failure = answer.Entries?.[0];
        throw new Error(`PutPartnerEvents refused the event for ${source.name}: ` +
          `${failure?.ErrorCode} ${failure?.ErrorMessage}`);
      }
    });
  }

  /** Releases the clients. */
  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
  }

  private async guard(call: PartnerCall, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.options.onError?.(call, error as Error);
      throw error;
    }
  }

  private client(region: string): EventBridgeClient {
    let client = this.clients.get(region);
    if (!client) {
      client = new EventBridgeClient({
        endpoint: this.options.endpoint,
        region,
        credentials: MOTO_CREDENTIALS,
      });
      this.clients.set(region, client);
    }
    return client;
  }
}
