import { Token } from 'aws-cdk-lib';
import { checkTopic } from './rules';

/**
 * A Genesys Cloud notification topic, written with `{id}` placeholders.
 *
 * A topic covers the whole organization: `v2.users.{id}.presence` delivers the presence changes
 * of every user. Events arrive on the partner bus with the topic, placeholders included, as their
 * `detail-type`; the concrete topic (with ids) is in `detail.topicName`.
 *
 * The constants cover the topics most integrations use; `GenesysTopic.of()` accepts any other
 * topic that Genesys offers on the EventBridge transport.
 */
export class GenesysTopic {
  /** A user's presence changed (`v2.users.{id}.presence`). */
  public static readonly USER_PRESENCE = new GenesysTopic('v2.users.{id}.presence');
  /** A user's routing status changed (`v2.users.{id}.routingStatus`). */
  public static readonly USER_ROUTING_STATUS = new GenesysTopic('v2.users.{id}.routingStatus');
  /** A user's activity changed: presence, routing status, queues (`v2.users.{id}.activity`). */
  public static readonly USER_ACTIVITY = new GenesysTopic('v2.users.{id}.activity');
  /** A user's conversation counts changed (`v2.users.{id}.conversationsummary`). */
  public static readonly USER_CONVERSATION_SUMMARY =
    new GenesysTopic('v2.users.{id}.conversationsummary');
  /** A user joined or left a queue, or changed membership (`v2.routing.queues.{id}.users`). */
  public static readonly ROUTING_QUEUE_USERS = new GenesysTopic('v2.routing.queues.{id}.users');
  /** An audited entity changed (`v2.audits.entitytype.{id}.entityid.{id}`). */
  public static readonly AUDITS = new GenesysTopic('v2.audits.entitytype.{id}.entityid.{id}');

  /** Detail event: a customer joined a conversation. */
  public static readonly CONVERSATION_CUSTOMER_START = GenesysTopic.detail('customer.start');
  /** Detail event: a customer left a conversation. */
  public static readonly CONVERSATION_CUSTOMER_END = GenesysTopic.detail('customer.end');
  /** Detail event: a conversation entered a queue (ACD). */
  public static readonly CONVERSATION_ACD_START = GenesysTopic.detail('acd.start');
  /** Detail event: a conversation left a queue (ACD), answered or abandoned. */
  public static readonly CONVERSATION_ACD_END = GenesysTopic.detail('acd.end');
  /** Detail event: an agent finished after-call work (wrap-up). */
  public static readonly CONVERSATION_ACW = GenesysTopic.detail('acw');
  /** Detail event: an agent joined a conversation. */
  public static readonly CONVERSATION_USER_START = GenesysTopic.detail('user.start');
  /** Detail event: an agent left a conversation. */
  public static readonly CONVERSATION_USER_END = GenesysTopic.detail('user.end');
  /** Detail event: an Architect flow started handling a conversation. */
  public static readonly CONVERSATION_FLOW_START = GenesysTopic.detail('flow.start');
  /** Detail event: an Architect flow stopped handling a conversation. */
  public static readonly CONVERSATION_FLOW_END = GenesysTopic.detail('flow.end');
  /** Detail event: a conversation reached voicemail. */
  public static readonly CONVERSATION_VOICEMAIL_START = GenesysTopic.detail('voicemail.start');
  /** Detail event: a voicemail ended. */
  public static readonly CONVERSATION_VOICEMAIL_END = GenesysTopic.detail('voicemail.end');
  /** Detail event: an outbound conversation was placed. */
  public static readonly CONVERSATION_OUTBOUND = GenesysTopic.detail('outbound');
  /** Detail event: the external contact of a conversation was identified. */
  public static readonly CONVERSATION_CONTACT = GenesysTopic.detail('contact');
  /** Detail event: the participant attributes of a conversation changed. */
  public static readonly CONVERSATION_ATTRIBUTES = GenesysTopic.detail('attributes');

  /** Speech transcription of a conversation (`v2.conversations.{id}.transcription`). */
  public static readonly CONVERSATION_TRANSCRIPTION =
    new GenesysTopic('v2.conversations.{id}.transcription');
  /** Analytics metrics of a conversation (`v2.analytics.conversation.{id}.metrics`). */
  public static readonly ANALYTICS_CONVERSATION_METRICS =
    new GenesysTopic('v2.analytics.conversation.{id}.metrics');
  /** Operational events of the organization (`v2.operations.events.{id}`). */
  public static readonly OPERATIONS_EVENTS = new GenesysTopic('v2.operations.events.{id}');

  /**
   * Any notification topic, written with `{id}` placeholders, such as
   * `v2.routing.queues.{id}.conversations`.
   *
   * The syntax is checked here; whether Genesys offers the topic on the EventBridge transport is
   * checked by the lifecycle handler at deploy time. A token is accepted as is and checked then.
   *
   * @param name the topic, with `{id}` placeholders instead of ids
   */
  public static of(name: string): GenesysTopic {
    if (!Token.isUnresolved(name)) {
      const problem = checkTopic(name, 'GenesysTopic.of(name)');
      if (problem) throw new Error(problem);
    }
    return new GenesysTopic(name);
  }

  private static detail(event: string): GenesysTopic {
    return new GenesysTopic(`v2.detail.events.conversation.{id}.${event}`);
  }

  /**
   * The topic with its `{id}` placeholders: the `detail-type` of its events on the bus.
   */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  /** The topic name. */
  public toString(): string {
    return this.name;
  }
}
