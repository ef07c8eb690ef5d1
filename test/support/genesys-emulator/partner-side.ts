/**
 * The AWS side of the emulated integration: where partner event sources appear and disappear.
 * The in-memory implementation serves unit tests; end-to-end tests plug in one backed by moto.
 */

/** A partner event source Genesys Cloud owns in one AWS account and region. */
export interface PartnerSource {
  /** Full source name, `aws.partner/genesys.com/cloud/{orgId}/{suffix}`. */
  name: string;
  /** The AWS account that receives the source. */
  accountId: string;
  /** The AWS region that receives the source. */
  region: string;
}

/** One event as Genesys Cloud hands it to EventBridge (PutPartnerEvents). */
export interface PartnerEventEntry {
  /** The topic with its `{id}` placeholders, e.g. `v2.users.{id}.presence`. */
  detailType: string;
  /** `{ topicName, version, eventBody, metadata, timestamp }`. */
  detail: object;
}

/** Where the emulator creates and deletes partner event sources (the AWS side). */
export interface PartnerSide {
  /** Creates the source in its account and region, as Genesys does after an activation. */
  createSource(source: PartnerSource): Promise<void>;
  /** Deletes the source, as Genesys does on re-activation or when the integration is deleted. */
  deleteSource(source: PartnerSource): Promise<void>;
  /** Publishes one event with Genesys's envelope to the source (PutPartnerEvents). */
  publish?(source: PartnerSource, entry: PartnerEventEntry): Promise<void>;
}

/** One operation the in-memory partner side carried out, in order. */
export interface PartnerOperation {
  /** What happened to the source. */
  op: 'create' | 'delete';
  /** A copy of the source. */
  source: PartnerSource;
}

/** Whether two sources are the same name in the same account and region. */
export function sameSource(a: PartnerSource, b: PartnerSource): boolean {
  return a.name === b.name && a.accountId === b.accountId && a.region === b.region;
}

/**
 * Partner event sources kept in memory, keyed by source name.
 *
 * A name is unique per organization and suffix, and Genesys deletes the old source before it
 * creates a new one, so the name alone identifies a source here. A delete removes the entry only
 * when account and region match too, so that a stale delete never removes a newer source.
 */
export class InMemoryPartnerSide implements PartnerSide {
  /** The sources that exist now, keyed by source name. */
  readonly sources = new Map<string, PartnerSource>();
  /** Every create and delete, in order, including deletes of sources that were already gone. */
  readonly operations: PartnerOperation[] = [];
  /** Every event published, in order. */
  readonly events: Array<{ source: PartnerSource; entry: PartnerEventEntry }> = [];

  /** @inheritdoc */
  async createSource(source: PartnerSource): Promise<void> {
    this.operations.push({ op: 'create', source: { ...source } });
    this.sources.set(source.name, { ...source });
  }

  /** @inheritdoc */
  async deleteSource(source: PartnerSource): Promise<void> {
    this.operations.push({ op: 'delete', source: { ...source } });
    const existing = this.sources.get(source.name);
    if (existing && sameSource(existing, source)) this.sources.delete(source.name);
  }

  /** Stores the event; it fails when the source does not exist, as PutPartnerEvents would. */
  async publish(source: PartnerSource, entry: PartnerEventEntry): Promise<void> {
    const existing = this.sources.get(source.name);
    if (!existing || !sameSource(existing, source)) {
      throw new Error(`partner event source ${source.name} does not exist in ` +
        `${source.accountId}/${source.region}`);
    }
    this.events.push({ source: { ...source }, entry: JSON.parse(JSON.stringify(entry)) });
  }

  /** The source of a name, if it exists now. */
  find(name: string): PartnerSource | undefined {
    const found = this.sources.get(name);
    return found ? { ...found } : undefined;
  }
}
