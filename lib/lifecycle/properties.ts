/**
 * The custom resource's properties: the contract between the constructs, which write them into
 * the template, and the lifecycle handler, which reads them from CloudFormation events.
 *
 * CloudFormation passes every scalar as a string, so booleans arrive as "true" / "false".
 * Secret values never appear here: only the ARN of the Secrets Manager secret that holds them.
 */

/** The CloudFormation resource type of the integration. */
export const RESOURCE_TYPE = 'Custom::GenesysEventBridgeIntegration';

/** Properties as they appear in the template (`ResourceProperties`). */
export interface IntegrationResourceProperties {
  /**
   * ARN of the Secrets Manager secret whose SecretString is JSON with the keys `clientId` and
   * `clientSecret` of a Genesys Cloud OAuth client (client-credentials grant).
   */
  readonly SecretArn: string;
  /** Genesys Cloud region code, e.g. `us-east-1` (mypurecloud.com). Omitted with a custom endpoint. */
  readonly GenesysRegion?: string;
  /** Base URL of the Platform API for a private or test environment; replaces GenesysRegion. */
  readonly GenesysApiEndpoint?: string;
  /** Base URL of the OAuth server for a custom environment; defaults to GenesysApiEndpoint. */
  readonly GenesysLoginEndpoint?: string;
  /** AWS account that receives the partner event source: 12 digits. */
  readonly AwsAccountId: string;
  /** AWS region that receives the partner event source. */
  readonly AwsRegion: string;
  /** Event source suffix: 1-64 characters of `A-Z a-z 0-9 . - _`, unique among the org's active integrations. */
  readonly EventSourceSuffix: string;
  /** The topic filter, sorted and de-duplicated; at least one topic. */
  readonly Topics: string[];
  /** Name of the integration in Genesys Cloud. */
  readonly IntegrationName: string;
  /** Notes shown on the integration in Genesys Cloud. Default: empty. */
  readonly Notes?: string;
  /** "true" (default) or "false": whether the integration sends events. */
  readonly Enabled?: string;
  /** "delete" (default) or "retain": what a Delete does to the Genesys integration. */
  readonly RemovalPolicy?: string;
}

/** The attributes the resource returns, read with `Fn::GetAtt`. */
export interface IntegrationResourceAttributes {
  readonly IntegrationId: string;
  readonly OrganizationId: string;
  readonly EventSourceName: string;
  readonly EventSourceArn: string;
}

/** Attribute names, for `Fn::GetAtt` on the construct side. */
export const ATTRIBUTES = {
  integrationId: 'IntegrationId',
  organizationId: 'OrganizationId',
  eventSourceName: 'EventSourceName',
  eventSourceArn: 'EventSourceArn',
} as const;
