/**
 * TypeScript types of the events Genesys Cloud puts on the partner bus, for Lambda targets
 * written in TypeScript:
 *
 * ```ts
 * import type { GenesysEvent } from 'cdk-genesys-eventbridge';
 *
 * type Presence = { presenceDefinition: { systemPresence: string } };
 *
 * export async function handler(event: GenesysEvent<Presence>) {
 *   console.log(event.detail.eventBody.presenceDefinition.systemPresence);
 * }
 * ```
 *
 * jsii cannot express generic types or property names with a hyphen, so these types are marked
 * `@jsii ignore`: the package index re-exports them for TypeScript, and other languages read the
 * envelope as plain JSON.
 */

/**
 * Free-form data that Genesys attaches to a notification, such as a correlation id.
 * TypeScript only: an index signature has no equivalent in other languages.
 *
 * @jsii ignore
 */
export interface GenesysEventMetadata {
  /** Correlates the notification with the Genesys request that caused it. */
  readonly CorrelationId?: string;
  readonly [key: string]: unknown;
}

/**
 * The `detail` of a Genesys event: one notification of one topic.
 * TypeScript only: it is generic over the shape of the event body.
 *
 * @jsii ignore
 */
export interface GenesysEventDetail<TBody = Record<string, unknown>> {
  /** The concrete topic, with ids, such as `v2.users.4b2c….presence`. */
  readonly topicName: string;
  /** Version of the notification's schema. */
  readonly version: string;
  /** The notification itself; its shape depends on the topic. */
  readonly eventBody: TBody;
  /** Data about the notification rather than about the entity. */
  readonly metadata: GenesysEventMetadata;
  /** When Genesys produced the notification, ISO 8601. */
  readonly timestamp: string;
}

/**
 * The EventBridge envelope of a Genesys event, as a Lambda target receives it.
 * TypeScript only: it is generic, and `detail-type` is no valid name in other languages.
 *
 * @jsii ignore
 */
export interface GenesysEvent<TBody = Record<string, unknown>> {
  /** Version of the EventBridge envelope, `"0"`. */
  readonly 'version': string;
  /** EventBridge's id of the event. */
  readonly 'id'?: string;
  /** The topic with its `{id}` placeholders, such as `v2.users.{id}.presence`. */
  readonly 'detail-type': string;
  /** The partner event source: `aws.partner/genesys.com/cloud/{organizationId}/{suffix}`. */
  readonly 'source': string;
  /** The AWS account the event was delivered to. */
  readonly 'account': string;
  /** When EventBridge received the event, ISO 8601. */
  readonly 'time': string;
  /** The AWS region the event was delivered to. */
  readonly 'region': string;
  /** Always empty for Genesys events. */
  readonly 'resources': string[];
  /** The notification. */
  readonly 'detail': GenesysEventDetail<TBody>;
}
