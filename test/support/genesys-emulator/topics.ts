/**
 * The emulator's default catalog of notification topics.
 */
import type { AvailableTopic } from '../../../lib/lifecycle/genesys-models';

/** The topics EventBridge integrations use most, as the domain reference lists them. */
export const EVENTBRIDGE_TOPICS: readonly string[] = [
  'v2.users.{id}.presence',
  'v2.users.{id}.routingStatus',
  'v2.users.{id}.activity',
  'v2.users.{id}.conversationsummary',
  'v2.routing.queues.{id}.users',
  'v2.audits.entitytype.{id}.entityid.{id}',
  ...[
    'customer.start', 'customer.end', 'acd.start', 'acd.end', 'acw', 'user.start', 'user.end',
    'flow.start', 'flow.end', 'voicemail.start', 'voicemail.end', 'outbound', 'contact',
    'attributes',
  ].map((event) => `v2.detail.events.conversation.{id}.${event}`),
  'v2.conversations.{id}.transcription',
  'v2.analytics.conversation.{id}.metrics',
  'v2.operations.events.{id}',
];

/** Topics only the notification WebSocket carries: EventBridge integrations cannot use them. */
export const WEBSOCKET_ONLY_TOPICS: readonly string[] = [
  'v2.users.{id}.conversations.calls',
  'v2.users.{id}.conversations.chats',
  'v2.users.{id}.geolocation',
];

/** The default catalog: EventBridge topics on both transports, plus WebSocket-only ones. */
export function defaultTopics(): AvailableTopic[] {
  return [
    ...EVENTBRIDGE_TOPICS.map((id): AvailableTopic => ({
      id,
      description: `Emulated notification topic ${id}`,
      transports: ['EventBridge', 'Websocket'],
    })),
    ...WEBSOCKET_ONLY_TOPICS.map((id): AvailableTopic => ({
      id,
      description: `Emulated notification topic ${id}`,
      transports: ['Websocket'],
    })),
  ];
}
