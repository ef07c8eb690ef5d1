/**
 * An example of the whole unit: Genesys Cloud sends presence changes, conversation ends and
 * audits to a partner event bus in this stack, and rules route them to SQS, Lambda and
 * CloudWatch Logs. The bus is archived for replay, and an SQS queue catches what a target
 * cannot receive.
 *
 * An application imports the constructs from 'cdk-genesys-eventbridge'; this example imports
 * the sources of the repository so that it always matches them.
 */
import { Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { GenesysEventBridge, GenesysRegion, GenesysTopic } from '../lib';

/** The id aws-cdk-lib gives the function of every AwsCustomResource in a stack. */
const AWS_CUSTOM_RESOURCE_FUNCTION_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * Acknowledges a cdk-nag finding on a construct. `Validations.acknowledge()` refuses finding ids
 * with more than one `::`, which findings on ARNs have, so the metadata is written directly.
 */
function acknowledgeFinding(scope: IConstruct, id: string, reason: string): void {
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}

/** Settings of the example stack. */
export interface GenesysExampleStackProps extends StackProps {
  /**
   * The complete ARN of the secret that holds the Genesys OAuth client as JSON
   * `{"clientId": "…", "clientSecret": "…"}`. The secret is created outside the stack, so that
   * its value never passes through CDK or CloudFormation.
   */
  readonly credentialsSecretArn: string;

  /** The Genesys Cloud region code of the organization, such as `eu-central-1`. */
  readonly genesysRegion: string;
}

/** The example: one Genesys unit routing three kinds of events. */
export class GenesysExampleStack extends Stack {
  /** The unit, for tests. */
  public readonly genesys: GenesysEventBridge;

  constructor(scope: Construct, id: string, props: GenesysExampleStackProps) {
    super(scope, id, props);

    const credentials = secretsmanager.Secret.fromSecretCompleteArn(this, 'GenesysCredentials',
      props.credentialsSecretArn);

    const undeliverable = new sqs.Queue(this, 'Undeliverable', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.genesys = new GenesysEventBridge(this, 'Genesys', {
      credentials,
      genesysRegion: GenesysRegion.of(props.genesysRegion),
      eventSourceSuffix: 'cdk-example',
      integrationName: 'CDK example: presence, conversation ends, audits',
      archive: { retention: Duration.days(30) },
      deadLetterQueue: undeliverable,
    });

    // Presence changes queue up for a consumer that polls.
    const presence = new sqs.Queue(this, 'Presence', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: undeliverable, maxReceiveCount: 5 },
    });
    this.genesys.onTopic('PresenceToQueue', [GenesysTopic.USER_PRESENCE], {
      target: new targets.SqsQueue(presence),
    });

    // A conversation ends for each participant: the customer, the queue (ACD) and each agent.
    const conversationEnd = new lambda.Function(this, 'ConversationEnd', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline([
        'exports.handler = async (event) => {',
        '  console.log(JSON.stringify({',
        '    message: "conversation ended",',
        '    topic: event["detail-type"],',
        '    topicName: event.detail.topicName,',
        '  }));',
        '};',
      ].join('\n')),
      timeout: Duration.seconds(10),
      logGroup: new logs.LogGroup(this, 'ConversationEndLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    this.genesys.onTopic('ConversationEndToFunction', [
      GenesysTopic.CONVERSATION_CUSTOMER_END,
      GenesysTopic.CONVERSATION_ACD_END,
      GenesysTopic.CONVERSATION_USER_END,
    ], { target: new targets.LambdaFunction(conversationEnd) });

    // Audits are kept as they arrive.
    const audits = new logs.LogGroup(this, 'Audits', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.genesys.onTopic('AuditsToLogs', [GenesysTopic.AUDITS], {
      target: new targets.CloudWatchLogGroup(audits, { installLatestAwsSdk: false }),
    });

    this.acknowledgeFindings(conversationEnd);
  }

  /** The example's own resources that cdk-nag flags, each with the reason it is acceptable. */
  private acknowledgeFindings(conversationEnd: lambda.Function): void {
    const basicExecution = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/' +
      'service-role/AWSLambdaBasicExecutionRole]';
    Validations.of(conversationEnd).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The example pins the Node.js 22 runtime that the library\'s own functions use.',
    });
    acknowledgeFinding(conversationEnd, basicExecution, 'The managed policy only lets the ' +
      'function write its own logs, which is all it does.');

    // The CloudWatch Logs target of aws-events-targets writes the log group's resource policy
    // with an AwsCustomResource: a function and a policy of aws-cdk-lib's making.
    const writer = this.node.findChild(AWS_CUSTOM_RESOURCE_FUNCTION_ID);
    const reason = 'Created by the CloudWatch Logs target of aws-events-targets to write the ' +
      'log group\'s resource policy, with no option to change it';
    acknowledgeFinding(writer, basicExecution, `${reason}: the function writes its logs with the ` +
      'AWS managed basic-execution policy.');
    acknowledgeFinding(writer, 'AwsSolutions-L1', `${reason}: the function takes the Node.js ` +
      'runtime that aws-cdk-lib chooses.');
    for (const child of this.node.children) {
      if (!child.node.id.startsWith('EventsLogGroupPolicy')) continue;
      acknowledgeFinding(child, 'AwsSolutions-IAM5[Resource::*]', `${reason}: CloudWatch Logs ` +
        'resource policies are account-wide and accept no resource other than "*".');
    }
  }
}
