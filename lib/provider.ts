import * as path from 'node:path';
import { Annotations, Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge, nagReference } from './nag';
import { PARTNER_SOURCE_PREFIX } from './rules';

/** The longest a deployment may wait for Genesys: the Provider framework's own limit. */
const MAX_TOTAL_TIMEOUT = Duration.hours(1);
/** Genesys creates the partner event source about five minutes after activation. */
const SHORT_TOTAL_TIMEOUT = Duration.minutes(10);
const DEFAULT_TOTAL_TIMEOUT = Duration.minutes(30);
const DEFAULT_QUERY_INTERVAL = Duration.seconds(10);
const DEFAULT_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;
/**
 * The isComplete function's timeout, in seconds: the longest one check may take. A check makes
 * up to four Genesys calls (token, integration, listing, a state change), each allowed a 20 s
 * retry budget while Genesys throttles.
 */
const LAST_CHECK_SECONDS = 120;

/** The id of the provider under its stack: one per stack. */
const PROVIDER_ID = 'GenesysEventBridgeProvider';

/**
 * How the shared provider of a stack waits for Genesys Cloud and AWS.
 *
 * Every integration of a stack shares one provider: the first call to
 * `GenesysEventBridgeProvider.getOrCreate()` in a stack fixes these values, and a later call may
 * omit them or repeat the same values. A different value is an error.
 */
export interface GenesysEventBridgeProviderOptions {
  /**
   * How long one create, update or delete of an integration may take in all, including the wait
   * for the partner event source (Genesys creates it about five minutes after activation).
   *
   * At most one hour.
   *
   * @default Duration.minutes(30)
   */
  readonly totalTimeout?: Duration;

  /**
   * Time between two checks of whether an operation is complete.
   *
   * @default Duration.seconds(10)
   */
  readonly queryInterval?: Duration;

  /**
   * How long the logs of the lifecycle functions and of the provider framework are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The custom-resource provider that runs the lifecycle of Genesys Cloud EventBridge
 * integrations: one per stack, shared by every integration in it.
 *
 * It holds two functions from the same bundle: `onEvent` starts a create, update or delete, and
 * `isComplete` is polled until Genesys reports the integration active and the partner event
 * source exists. Each integration grants its functions read access to its own secret only.
 */
export class GenesysEventBridgeProvider extends Construct {
  /**
   * The provider of the stack that holds `scope`, created on the first call.
   *
   * @param scope any construct of the stack
   * @param options how the provider waits; see `GenesysEventBridgeProviderOptions`
   */
  public static getOrCreate(
    scope: Construct,
    options: GenesysEventBridgeProviderOptions = {},
  ): GenesysEventBridgeProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing === undefined) {
      return new GenesysEventBridgeProvider(stack, PROVIDER_ID, options, scope.node.path);
    }
    if (!(existing instanceof GenesysEventBridgeProvider)) {
      throw new Error(`${stack.node.path}: the construct id "${PROVIDER_ID}" is taken by another ` +
        'construct; the Genesys EventBridge provider needs it under its stack');
    }
    existing.checkSameOptions(options, scope.node.path);
    return existing;
  }

  /** The ARN of the provider's entry point, for `CustomResource.serviceToken`. */
  public readonly serviceToken: string;

  /** The lifecycle function that starts each operation. */
  public readonly onEventHandler: lambda.IFunction;

  /** The lifecycle function that reports whether an operation is complete. */
  public readonly isCompleteHandler: lambda.IFunction;

  /** How long one operation may take in all. */
  public readonly totalTimeout: Duration;

  /** Time between two completeness checks. */
  public readonly queryInterval: Duration;

  /** How long the logs are kept. */
  public readonly logRetention: logs.RetentionDays;

  private readonly createdBy: string;
  private readonly role: iam.IRole;
  private readonly describeSources: iam.PolicyStatement;

  private constructor(
    scope: Construct,
    id: string,
    options: GenesysEventBridgeProviderOptions,
    createdBy: string,
  ) {
    super(scope, id);
    this.createdBy = createdBy;
    this.totalTimeout = options.totalTimeout ?? DEFAULT_TOTAL_TIMEOUT;
    this.queryInterval = options.queryInterval ?? DEFAULT_QUERY_INTERVAL;
    this.logRetention = options.logRetention ?? DEFAULT_LOG_RETENTION;
    this.checkDurations(createdBy);

    // One role for both lifecycle functions: they run the same code with the same needs, and
    // a role of our own avoids the broad AWS managed basic-execution policy.
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the lifecycle of Genesys Cloud EventBridge integrations',
    });
    this.role = role;
    // Filled by each integration with the one source it waits for (`_allowDescribeSource`).
    this.describeSources = new iam.PolicyStatement({
      sid: 'DescribeGenesysPartnerEventSources',
      actions: ['events:DescribeEventSource'],
    });

    const code = lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'lifecycle-handler'));
    const onEvent = this.lifecycleFunction('OnEvent', code, 'index.onEvent', Duration.minutes(5),
      'Starts creating, updating or deleting a Genesys Cloud EventBridge integration');
    const isComplete = this.lifecycleFunction('IsComplete', code, 'index.isComplete',
      Duration.seconds(LAST_CHECK_SECONDS),
      'Reports whether a Genesys Cloud EventBridge integration and its partner event source ' +
      'are ready');
    this.onEventHandler = onEvent;
    this.isCompleteHandler = isComplete;

    const frameworkLogs = new logs.LogGroup(this, 'FrameworkLogs', {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      totalTimeout: this.totalTimeout,
      queryInterval: this.queryInterval,
      logGroup: frameworkLogs,
      disableWaiterStateMachineLogging: false,
      // Execution data holds the CloudFormation event and its pre-signed ResponseURL, a
      // credential: log the state transitions only.
      waiterStateMachineLogOptions: {
        destination: frameworkLogs,
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    this.serviceToken = provider.serviceToken;

    this.acknowledgeFindings(onEvent, isComplete, provider);
  }

  /**
   * Lets both lifecycle functions read the secret that holds an integration's OAuth client.
   *
   * Called by each integration for its own secret; the functions can read no other secret.
   */
  public grantSecretRead(secret: secretsmanager.ISecret): void {
    secret.grantRead(this.role);
  }

  /**
   * Lets both lifecycle functions describe the partner event source of one integration: in its
   * region, with its suffix, for whichever Genesys organization (the organization id is known
   * only once the integration exists).
   *
   * @internal
   */
  public _allowDescribeSource(region: string, suffix: string): void {
    const arn = `arn:${Aws.PARTITION}:events:${region}::event-source/` +
      `${PARTNER_SOURCE_PREFIX}*/${suffix}`;
    if (!this.describeSources.hasResource) this.role.addToPrincipalPolicy(this.describeSources);
    this.describeSources.addResources(arn);
    acknowledge(this.role.node.findChild('DefaultPolicy'),
      `AwsSolutions-IAM5[Resource::${nagReference(this, arn)}]`,
      'A partner event source\'s name holds the Genesys organization id, known only once the ' +
      'integration exists; the resource is otherwise the one source of one integration, in its ' +
      'region and with its suffix, and the action only DescribeEventSource.');
  }

  private lifecycleFunction(
    id: string,
    code: lambda.Code,
    handler: string,
    timeout: Duration,
    description: string,
  ): lambda.Function {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logGroup.grantWrite(this.role);
    return new lambda.Function(this, id, {
      code,
      handler,
      runtime: lambda.Runtime.NODEJS_22_X,
      timeout,
      memorySize: 256,
      description,
      role: this.role,
      logGroup,
      environment: { LIFECYCLE_WAIT_TIMEOUT_SECONDS: String(this.waitTimeoutSeconds()) },
    });
  }

  /**
   * How long the handler itself waits for Genesys and the partner event source. It gives up
   * before the provider framework does, so that a failed create is cleaned up and reported with
   * its reason rather than as a bare timeout: the margin covers one last check and one interval.
   */
  private waitTimeoutSeconds(): number {
    const total = this.totalTimeout.toSeconds();
    const interval = this.queryInterval.toSeconds();
    const margin = Math.max(Math.ceil(total / 6), interval + LAST_CHECK_SECONDS);
    return Math.max(total - margin, interval);
  }

  private checkDurations(requestedBy: string): void {
    const total = this.totalTimeout;
    const interval = this.queryInterval;
    if (Token.isUnresolved(total.toString()) || Token.isUnresolved(interval.toString())) return;
    if (total.toSeconds() > MAX_TOTAL_TIMEOUT.toSeconds()) {
      throw new Error(`${requestedBy}: totalTimeout must be at most 1 hour (the limit of the ` +
        `CloudFormation provider framework), got ${total.toHumanString()}`);
    }
    if (interval.toSeconds() < 1 || interval.toSeconds() > total.toSeconds()) {
      throw new Error(`${requestedBy}: queryInterval must be at least 1 second and at most ` +
        `totalTimeout (${total.toHumanString()}), got ${interval.toHumanString()}`);
    }
    if (total.toSeconds() < SHORT_TOTAL_TIMEOUT.toSeconds()) {
      Annotations.of(this).addWarningV2('cdk-genesys-eventbridge:shortTotalTimeout',
        `totalTimeout ${total.toHumanString()} may end before Genesys creates the partner event ` +
        'source, which takes about five minutes after activation');
    }
  }

  private checkSameOptions(options: GenesysEventBridgeProviderOptions, requestedBy: string): void {
    const conflicts: Array<[string, string | undefined, string]> = [
      ['totalTimeout', options.totalTimeout?.toHumanString(), this.totalTimeout.toHumanString()],
      ['queryInterval', options.queryInterval?.toHumanString(), this.queryInterval.toHumanString()],
      ['logRetention', options.logRetention?.toString(), this.logRetention.toString()],
    ];
    for (const [property, requested, inForce] of conflicts) {
      if (requested === undefined || requested === inForce) continue;
      throw new Error(`${requestedBy}: ${property} must be the same for every Genesys ` +
        `integration of stack ${Stack.of(this).stackName}, which share one provider: the ` +
        `provider was created with ${property} ${inForce} (by ${this.createdBy}), got ` +
        `${requested}. Give every integration of the stack the same ${property}, or set it only ` +
        'on the first one.');
    }
  }

  private acknowledgeFindings(
    onEvent: lambda.Function,
    isComplete: lambda.Function,
    provider: cr.Provider,
  ): void {
    for (const fn of [onEvent, isComplete]) {
      acknowledge(fn, 'AwsSolutions-L1',
        'The lifecycle handler is bundled and tested for Node.js 22; the runtime changes with a ' +
        'release of this library, not with an upgrade of aws-cdk-lib.');
    }

    // The Provider framework's functions, roles and state machine are aws-cdk-lib's own, with
    // no option to change what these rules check.
    const frameworkReason = 'Created by the aws-cdk-lib custom-resource Provider framework, ' +
      'which offers no option to change it';
    acknowledge(provider, 'AwsSolutions-L1', `${frameworkReason}: its functions take the latest ` +
      'Node.js runtime that aws-cdk-lib knows for the region.');
    acknowledge(provider, 'AwsSolutions-SF2', `${frameworkReason}: X-Ray tracing of the waiter ` +
      'state machine cannot be enabled.');
    acknowledge(provider,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/' +
      'service-role/AWSLambdaBasicExecutionRole]',
      `${frameworkReason}: its functions write their logs with the AWS managed ` +
      'basic-execution policy.');
    const frameworkFunctions = provider.node.children
      .filter((child): child is lambda.Function => child instanceof lambda.Function);
    for (const fn of [onEvent, isComplete, ...frameworkFunctions]) {
      acknowledge(provider, `AwsSolutions-IAM5[Resource::${nagReference(this, fn.functionArn)}:*]`,
        `${frameworkReason}: it may invoke the function ${fn.node.id} and any of its versions.`);
    }
    acknowledge(provider, 'AwsSolutions-IAM5[Resource::*]',
      `${frameworkReason}: the waiter state machine delivers its logs through CloudWatch Logs ` +
      'log delivery, whose actions accept no resource other than "*".');
  }
}
