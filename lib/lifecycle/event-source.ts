/**
 * Looks up the partner event source Genesys creates in the customer's AWS account.
 *
 * The source is looked up by its full name: a prefix look-up is ambiguous as soon as an account
 * holds two Genesys integrations.
 */
// eslint-disable-next-line import/no-extraneous-dependencies -- provided by the Lambda runtime
import { DescribeEventSourceCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** Where a partner event source stands, as far as the lifecycle is concerned. */
export type PartnerSourceState =
  /** PENDING (no event bus yet) or ACTIVE (associated with a bus): the source exists. */
  | {
    readonly exists: true;
    readonly state: 'PENDING' | 'ACTIVE';
    readonly arn?: string;
    readonly expiresAt?: string;
  }
  /** Not created yet (ResourceNotFoundException). */
  | { readonly exists: false; readonly state: 'NOT_FOUND' }
  /** Deleted by the partner; the name may come back when Genesys creates the source again. */
  | { readonly exists: false; readonly state: 'DELETED' };

const clients = new Map<string, EventBridgeClient>();

/**
 * An EventBridge client for a region. Default configuration otherwise, so the standard
 * environment applies (AWS_ENDPOINT_URL, credentials variables, AWS_REGION when none is given).
 */
export function eventBridgeClient(region?: string): EventBridgeClient {
  const key = region ?? '';
  let client = clients.get(key);
  if (!client) {
    client = new EventBridgeClient(region ? { region } : {});
    clients.set(key, client);
  }
  return client;
}

/** DescribeEventSource by full name, mapped to the three states the lifecycle distinguishes. */
export async function describePartnerSource(client: EventBridgeClient,
  name: string): Promise<PartnerSourceState> {
  try {
    const source = await client.send(new DescribeEventSourceCommand({ Name: name }));
    if (source.State === 'DELETED') return { exists: false, state: 'DELETED' };
    return {
      exists: true,
      state: source.State === 'ACTIVE' ? 'ACTIVE' : 'PENDING',
      arn: source.Arn,
      expiresAt: source.ExpirationTime?.toISOString(),
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      return { exists: false, state: 'NOT_FOUND' };
    }
    throw error;
  }
}
