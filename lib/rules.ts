/**
 * The validation rules of a Genesys Cloud "Amazon EventBridge Source" integration.
 *
 * One module serves both sides: the constructs call it at synth time (and attach the construct
 * path), the lifecycle handler calls it at deploy time for values that were tokens at synth time.
 * Each rule returns `undefined` when the value is valid, or a message that names the property,
 * states the rule and shows the value received, so the two sides can never disagree.
 */

/** At most this many EventBridge integrations exist in one Genesys Cloud organization. */
export const MAX_INTEGRATIONS_PER_ORG = 10;

/** The longest event source suffix Genesys accepts. */
export const MAX_SUFFIX_LENGTH = 64;

/** The integration type id of the "Amazon EventBridge Source" integration. */
export const INTEGRATION_TYPE_ID = 'amazon-eventbridge-source';

/** Every partner event source Genesys Cloud creates starts with this prefix. */
export const PARTNER_SOURCE_PREFIX = 'aws.partner/genesys.com/cloud/';

/**
 * The AWS regions where Amazon EventBridge accepts partner event sources.
 */
export const EVENTBRIDGE_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1', 'ap-east-2',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5',
  'ap-southeast-6', 'ap-southeast-7',
  'ca-central-1', 'ca-west-1',
  'cn-north-1', 'cn-northwest-1',
  'eu-central-1', 'eu-central-2',
  'eu-north-1',
  'eu-south-1', 'eu-south-2',
  'eu-west-1', 'eu-west-2', 'eu-west-3',
  'eusc-de-east-1',
  'il-central-1',
  'me-central-1', 'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1', 'us-east-2',
  'us-gov-east-1', 'us-gov-west-1',
  'us-west-1', 'us-west-2',
];

const ACCOUNT_ID = /^\d{12}$/;
const SUFFIX = /^[A-Za-z0-9._-]+$/;
/**
 * A notification topic: dot-separated segments that start with `v2`, each segment either an
 * `{id}` placeholder or letters, digits, `_` and `-`.
 */
const TOPIC = /^v2(\.(\{id\}|[A-Za-z0-9_-]+))+$/;

/** Quotes a received value for an error message, whatever its type. */
export function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** `awsAccountId`: exactly 12 digits. */
export function checkAccountId(value: unknown, property = 'awsAccountId'): string | undefined {
  if (typeof value === 'string' && ACCOUNT_ID.test(value)) return undefined;
  return `${property} must be exactly 12 digits (an AWS account id), got ${shown(value)}`;
}

/** `awsRegion`: a hyphenated region code where EventBridge exists. */
export function checkRegion(value: unknown, property = 'awsRegion'): string | undefined {
  if (typeof value === 'string' && EVENTBRIDGE_REGIONS.includes(value)) return undefined;
  return `${property} must be an AWS region where EventBridge exists (such as "us-east-1"), ` +
    `got ${shown(value)}`;
}

/** `eventSourceSuffix`: 1 to 64 characters of `A-Z a-z 0-9 . - _`. */
export function checkSuffix(value: unknown, property = 'eventSourceSuffix'): string | undefined {
  if (typeof value !== 'string' || value.length === 0) {
    return `${property} must not be empty, got ${shown(value)}`;
  }
  if (value.length > MAX_SUFFIX_LENGTH) {
    return `${property} must be at most ${MAX_SUFFIX_LENGTH} characters long, ` +
      `got ${value.length} characters: ${shown(value)}`;
  }
  if (!SUFFIX.test(value)) {
    return `${property} may only contain the characters A-Z a-z 0-9 . - _, got ${shown(value)}`;
  }
  return undefined;
}

/** `integrationName`: the integration's name in Genesys Cloud, not blank. */
export function checkIntegrationName(value: unknown,
  property = 'integrationName'): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return undefined;
  return `${property} must be a non-empty string, got ${shown(value)}`;
}

/** A topic name with `{id}` placeholders, such as `v2.users.{id}.presence`. */
export function checkTopic(value: unknown, property = 'topic'): string | undefined {
  if (typeof value === 'string' && TOPIC.test(value)) return undefined;
  return `${property} must be a Genesys notification topic such as "v2.users.{id}.presence" ` +
    '(segments of letters, digits, _ or -, or {id} placeholders, starting with v2), ' +
    `got ${shown(value)}`;
}

/** The topic filter: at least one topic, since Genesys sends nothing for an empty filter. */
export function checkTopicFilter(value: unknown, property = 'topics'): string | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    return `${property} must name at least one topic: an integration with an empty topic ` +
      `filter receives no events, got ${shown(value)}`;
  }
  for (const [i, topic] of value.entries()) {
    const problem = checkTopic(topic, `${property}[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

/** The name of the partner event source Genesys creates for an organization and a suffix. */
export function partnerEventSourceName(organizationId: string, suffix: string): string {
  return `${PARTNER_SOURCE_PREFIX}${organizationId}/${suffix}`;
}

/** The ARN of a partner event source in a region. */
export function partnerEventSourceArn(
  region: string, partition: string, sourceName: string): string {
  return `arn:${partition}:events:${region}::event-source/${sourceName}`;
}

/** Sorts and de-duplicates topics, so that equal filters compare equal. */
export function normalizeTopics(topics: readonly string[]): string[] {
  return [...new Set(topics)].sort();
}
