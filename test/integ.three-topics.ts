/**
 * Integration test: one Genesys unit routing three topics, each by its own rule, to SQS queues.
 *
 * Deploying it needs a Genesys Cloud organization: pass the complete ARN of a secret that holds
 * its OAuth client with `-c genesysSecretArn=…` (and `-c genesysRegion=…`). Without them the
 * app synthesizes with placeholders, which is all the committed snapshot needs.
 */
import { App, Stack, cx_api as cxapi } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { GenesysEventBridge, GenesysRegion, GenesysTopic } from '../lib';
import { declareIntegTest } from './integ-manifest';

// No construct stack traces in the snapshot: they hold absolute paths of this machine.
const app = new App({
  stackTraces: false,
  context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true },
});
const stack = new Stack(app, 'GenesysThreeTopics');

const credentials = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Credentials',
  app.node.tryGetContext('genesysSecretArn') ??
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:integ/genesys-AbCdEf');

const genesys = new GenesysEventBridge(stack, 'Genesys', {
  credentials,
  genesysRegion: GenesysRegion.of(app.node.tryGetContext('genesysRegion') ?? 'us-east-1'),
  eventSourceSuffix: 'integ-three-topics',
});

const routed: Array<[string, GenesysTopic]> = [
  ['Presence', GenesysTopic.USER_PRESENCE],
  ['RoutingStatus', GenesysTopic.USER_ROUTING_STATUS],
  ['CustomerEnd', GenesysTopic.CONVERSATION_CUSTOMER_END],
];
for (const [id, topic] of routed) {
  const queue = new sqs.Queue(stack, `${id}Queue`, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  genesys.onTopic(id, [topic], { target: new targets.SqsQueue(queue) });
}

declareIntegTest(app, 'three-topics', [stack]);
app.synth();
