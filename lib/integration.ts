import { createHash } from 'node:crypto';
import { CustomResource, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import type * as contract from './lifecycle/properties';
import { GenesysEventBridgeProvider, GenesysEventBridgeProviderOptions } from './provider';
import { GenesysRegion } from './region';
import {
  MAX_INTEGRATIONS_PER_ORG,
  MAX_SUFFIX_LENGTH,
  checkAccountId,
  checkIntegrationName,
  checkRegion,
  checkSuffix,
  checkTopic,
  checkTopicFilter,
  normalizeTopics,
} from './rules';
import { GenesysTopic } from './topic';

// The lifecycle code is bundled apart and not published as a module, so the constructs keep their
// own copy of the contract's constants; the types make the compiler check that both agree.
const RESOURCE_TYPE: typeof contract.RESOURCE_TYPE = 'Custom::GenesysEventBridgeIntegration';
const ATTRIBUTES: typeof contract.ATTRIBUTES = {
  integrationId: 'IntegrationId',
  organizationId: 'OrganizationId',
  eventSourceName: 'EventSourceName',
  eventSourceArn: 'EventSourceArn',
};

const INTEGRATION_SYMBOL = Symbol.for('cdk-genesys-eventbridge.GenesysEventBridgeIntegration');

/**
 * Every integration of an app (keyed by the app's root construct), in the order of construction.
 * The app-wide checks compare integrations with each other; keeping them here spares each one a
 * walk over the whole construct tree, which would make synthesis quadratic in the app's size.
 */
const INTEGRATIONS_OF_APP = new WeakMap<IConstruct, GenesysEventBridgeIntegration[]>();

/**
 * What every Genesys Cloud EventBridge integration is configured with, whether it stands alone
 * (`GenesysEventBridgeIntegration`) or is part of a unit (`GenesysEventBridge`).
 */
export interface GenesysIntegrationOptions extends GenesysEventBridgeProviderOptions {
  /**
   * The Secrets Manager secret that holds the Genesys Cloud OAuth client, as JSON:
   * `{"clientId": "…", "clientSecret": "…"}`.
   *
   * The client uses the client-credentials grant and needs the permissions
   * `integrations:integration:add`, `:view`, `:edit` and `:delete`. Only the secret's ARN
   * reaches the template; the lifecycle functions read the value at deploy time.
   */
  readonly credentials: secretsmanager.ISecret;

  /**
   * The Genesys Cloud region of the organization, or a custom endpoint.
   */
  readonly genesysRegion: GenesysRegion;

  /**
   * The event source suffix: the last part of the partner event source name
   * `aws.partner/genesys.com/cloud/{organizationId}/{suffix}`.
   *
   * 1 to 64 characters of `A-Z a-z 0-9 . - _`, unique among the organization's active
   * EventBridge integrations. Changing it re-activates the integration: Genesys deletes the old
   * partner event source and creates a new one.
   *
   * @default - derived from the stack name and the construct path, with a short hash; stable as
   * long as neither changes
   */
  readonly eventSourceSuffix?: string;

  /**
   * The name of the integration in Genesys Cloud.
   *
   * @default - "EventBridge " followed by the event source suffix
   */
  readonly integrationName?: string;

  /**
   * Notes shown on the integration in Genesys Cloud.
   *
   * @default - no notes
   */
  readonly notes?: string;

  /**
   * Whether the integration is active and sends events. A disabled integration keeps its
   * configuration and its partner event source, and sends nothing.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * What deleting this resource does to the Genesys integration: `RemovalPolicy.DESTROY`
   * deletes it, and Genesys then deletes the partner event source; `RemovalPolicy.RETAIN`
   * leaves it in Genesys, still sending events to the partner event source.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The AWS account that receives the partner event source: 12 digits.
   *
   * @default - the account of the stack
   */
  readonly awsAccountId?: string;

  /**
   * The AWS region that receives the partner event source: a region where EventBridge exists.
   *
   * @default - the region of the stack
   */
  readonly awsRegion?: string;
}

/**
 * Properties of a `GenesysEventBridgeIntegration`.
 */
export interface GenesysEventBridgeIntegrationProps extends GenesysIntegrationOptions {
  /**
   * The topic filter: the notification topics Genesys sends. Each topic covers the whole
   * organization and adds traffic, so choose few. More topics can be added with `addTopics()`;
   * at least one is required by synthesis time.
   *
   * @default - none yet
   */
  readonly topics?: GenesysTopic[];
}

/**
 * A Genesys Cloud "Amazon EventBridge Source" integration, deployed as a custom resource.
 *
 * On create it adds the integration, configures it, activates it and waits until Genesys
 * reports it active and the partner event source exists in the target account and region. It
 * creates no event bus: associate the partner source with a bus yourself, or use
 * `GenesysEventBridge`, which does both.
 */
export class GenesysEventBridgeIntegration extends Construct {
  /**
   * Whether a construct is a `GenesysEventBridgeIntegration`, even from another copy of this
   * library.
   */
  public static isGenesysEventBridgeIntegration(x: any): x is GenesysEventBridgeIntegration {
    return x !== null && typeof x === 'object' && INTEGRATION_SYMBOL in x;
  }

  /** The id Genesys Cloud gave the integration. */
  public readonly integrationId: string;

  /** The id of the Genesys Cloud organization. */
  public readonly organizationId: string;

  /**
   * The name of the partner event source:
   * `aws.partner/genesys.com/cloud/{organizationId}/{suffix}`.
   */
  public readonly eventSourceName: string;

  /** The ARN of the partner event source. */
  public readonly eventSourceArn: string;

  /** The event source suffix. */
  public readonly eventSourceSuffix: string;

  /** The secret that holds the OAuth client. */
  public readonly credentials: secretsmanager.ISecret;

  /** The Genesys Cloud region or custom endpoint. */
  public readonly genesysRegion: GenesysRegion;

  /** The provider that runs the integration's lifecycle, shared by the stack. */
  public readonly provider: GenesysEventBridgeProvider;

  /**
   * How validation messages name the origin of the topic filter.
   *
   * @internal
   */
  public _topicsProperty = 'topics';

  /** The custom resource. */
  private readonly resource: CustomResource;
  private _organizationKey?: string;
  private readonly topicNames: string[] = [];

  /**
   * @param scope the scope, in the stack whose provider runs the integration's lifecycle
   * @param id the construct id, part of the derived event source suffix
   * @param props the Genesys credentials and region, and the integration's settings
   */
  constructor(scope: Construct, id: string, props: GenesysEventBridgeIntegrationProps) {
    super(scope, id);
    Object.defineProperty(this, INTEGRATION_SYMBOL, { value: true });
    const stack = Stack.of(this);

    const awsAccountId = props.awsAccountId ?? stack.account;
    const awsRegion = props.awsRegion ?? stack.region;
    const removal = removalPolicyProperty(this, props.removalPolicy);
    const suffix = props.eventSourceSuffix ?? defaultSuffix(this);
    // A defaulted value is the stack's: the message says so, since the user never wrote it.
    this.check(checkAccountId, awsAccountId,
      props.awsAccountId === undefined ? 'awsAccountId (the stack\'s account)' : 'awsAccountId');
    this.check(checkRegion, awsRegion,
      props.awsRegion === undefined ? 'awsRegion (the stack\'s region)' : 'awsRegion');
    this.check(checkSuffix, suffix, 'eventSourceSuffix');
    if (props.integrationName !== undefined) {
      this.check(checkIntegrationName, props.integrationName, 'integrationName');
    }

    this.credentials = props.credentials;
    this.genesysRegion = props.genesysRegion;
    this.eventSourceSuffix = suffix;
    this.addTopics(...(props.topics ?? []));

    this.provider = GenesysEventBridgeProvider.getOrCreate(this, {
      totalTimeout: props.totalTimeout,
      queryInterval: props.queryInterval,
      logRetention: props.logRetention,
    });
    this.provider.grantSecretRead(props.credentials);
    this.provider._allowDescribeSource(awsRegion, suffix);

    const properties: contract.IntegrationResourceProperties = {
      SecretArn: props.credentials.secretArn,
      ...props.genesysRegion._toProperties(),
      AwsAccountId: awsAccountId,
      AwsRegion: awsRegion,
      EventSourceSuffix: suffix,
      Topics: Lazy.list({ produce: () => normalizeTopics(this.topicNames) }),
      IntegrationName: props.integrationName ?? `EventBridge ${suffix}`,
      Notes: props.notes,
      Enabled: String(props.enabled ?? true),
      RemovalPolicy: removal,
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: RESOURCE_TYPE,
      properties: { ...properties },
    });

    this.integrationId = this.resource.getAttString(ATTRIBUTES.integrationId);
    this.organizationId = this.resource.getAttString(ATTRIBUTES.organizationId);
    this.eventSourceName = this.resource.getAttString(ATTRIBUTES.eventSourceName);
    this.eventSourceArn = this.resource.getAttString(ATTRIBUTES.eventSourceArn);

    this.node.addValidation({ validate: () => this.validateTopics() });
    this.node.addValidation({ validate: () => this.validateAcrossApp() });
    const ofApp = INTEGRATIONS_OF_APP.get(this.node.root) ?? [];
    ofApp.push(this);
    INTEGRATIONS_OF_APP.set(this.node.root, ofApp);
  }

  /**
   * The topic filter as it stands: sorted, each topic once.
   */
  public get topicFilter(): string[] {
    return normalizeTopics(this.topicNames);
  }

  /**
   * Adds topics to the topic filter. A topic already in the filter is not added twice.
   *
   * Adding a topic to a deployed integration changes its filter in place: Genesys starts
   * sending it within about a minute, without re-activation.
   */
  public addTopics(...topics: GenesysTopic[]): void {
    for (const topic of topics) this.topicNames.push(topic.name);
  }

  /**
   * `organizationKey` of the credentials, computed once: every integration of the app compares
   * itself with every other during validation, which construction has finished by then.
   */
  private organizationKey(): string {
    this._organizationKey ??= organizationKey(this.credentials);
    return this._organizationKey;
  }

  private check(
    rule: (value: unknown, property: string) => string | undefined,
    value: string,
    property: string,
  ): void {
    if (Token.isUnresolved(value)) return;
    const problem = rule(value, property);
    if (problem) throw new Error(`${this.node.path}: ${problem}`);
  }

  private validateTopics(): string[] {
    const topics = this.topicFilter.filter((topic) => !Token.isUnresolved(topic));
    const problem = this.topicNames.length === 0
      ? checkTopicFilter([], this._topicsProperty)
      : topics.map((topic) => checkTopic(topic, this._topicsProperty)).find((p) => p !== undefined);
    return problem ? [`${this.node.path}: ${problem}`] : [];
  }

  /**
   * Genesys refuses a second active integration with the same suffix in one organization, and
   * more than ten integrations in all. The credentials identify the organization, so every
   * integration of the app that uses the same secret is compared.
   */
  private validateAcrossApp(): string[] {
    const organization = this.organizationKey();
    const siblings = (INTEGRATIONS_OF_APP.get(this.node.root) ?? [])
      .filter((other) => other.organizationKey() === organization);

    const errors: string[] = [];
    const position = siblings.indexOf(this);
    if (position >= MAX_INTEGRATIONS_PER_ORG) {
      errors.push(`${this.node.path}: a Genesys Cloud organization holds at most ` +
        `${MAX_INTEGRATIONS_PER_ORG} EventBridge integrations, got ${siblings.length} in this ` +
        `app for the credentials ${shownSecret(this.credentials)} (this is number ` +
        `${position + 1})`);
    }

    if (!Token.isUnresolved(this.eventSourceSuffix)) {
      const region = this.genesysRegion.toString();
      const twin = siblings.find((other) => other !== this &&
        other.eventSourceSuffix === this.eventSourceSuffix &&
        other.genesysRegion.toString() === region);
      if (twin) {
        errors.push(`${this.node.path}: eventSourceSuffix must be unique among the EventBridge ` +
          'integrations of a Genesys Cloud organization, got ' +
          `${JSON.stringify(this.eventSourceSuffix)}, which ${twin.node.path} also uses with the ` +
          `same credentials and Genesys region ${region}`);
      }
    }
    return errors;
  }
}

function removalPolicyProperty(scope: IConstruct, policy: RemovalPolicy | undefined): string {
  switch (policy ?? RemovalPolicy.DESTROY) {
    case RemovalPolicy.DESTROY: return 'delete';
    case RemovalPolicy.RETAIN: return 'retain';
    default:
      throw new Error(`${scope.node.path}: removalPolicy must be RemovalPolicy.DESTROY or ` +
        `RemovalPolicy.RETAIN for a Genesys integration, got ${policy}`);
  }
}

/**
 * The default suffix: readable (stack name and construct path) and unique (a hash of both), so
 * that two stacks or two constructs never pick the same one.
 */
function defaultSuffix(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const stackName = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const hash = createHash('sha256').update(`${stackName}/${scope.node.path}`).digest('hex')
    .slice(0, 8);
  const inStack = scope.node.scopes.slice(scope.node.scopes.indexOf(stack) + 1)
    .map((c) => c.node.id);
  // The integration of a unit is its child "Integration": the unit's path reads better alone.
  if (inStack.length > 1 && inStack[inStack.length - 1] === 'Integration') inStack.pop();
  const readable = [stackName, ...inStack].join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  const room = MAX_SUFFIX_LENGTH - hash.length - 1;
  return `${readable.slice(0, room).replace(/[-.]+$/, '')}-${hash}`;
}

/**
 * What identifies the Genesys organization of a secret across the app: its ARN as resolved in
 * its stack. A reference to a resource or to the account or region is only comparable within
 * that stack; the partition and URL suffix are the same everywhere.
 */
function organizationKey(secret: secretsmanager.ISecret): string {
  const stack = Stack.of(secret);
  const resolved = JSON.stringify(stack.resolve(secret.secretArn));
  const portable = resolved
    .split(JSON.stringify({ Ref: 'AWS::Partition' })).join('')
    .split(JSON.stringify({ Ref: 'AWS::URLSuffix' })).join('');
  return /"(Ref|Fn::GetAtt|Fn::ImportValue)"/.test(portable)
    ? `${stack.node.path}|${resolved}`
    : portable;
}

function shownSecret(secret: secretsmanager.ISecret): string {
  return Token.isUnresolved(secret.secretArn) ? secret.node.path : secret.secretArn;
}
