/**
 * Integration test: two Genesys integrations in one stack, for two organizations, sharing the
 * stack's one provider. The first is a whole unit with its partner bus; the second is an
 * integration alone whose partner event source is left for another stack to associate.
 *
 * Deploying it needs two Genesys Cloud organizations: pass the complete ARNs of their secrets
 * with `-c firstSecretArn=…` and `-c secondSecretArn=…`. Without them the app synthesizes with
 * placeholders, which is all the committed snapshot needs.
 */
import { App, Stack, cx_api as cxapi } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  GenesysEventBridge,
  GenesysEventBridgeIntegration,
  GenesysRegion,
  GenesysTopic,
} from '../lib';
import { declareIntegTest } from './integ-manifest';

// No construct stack traces in the snapshot: they hold absolute paths of this machine.
const app = new App({
  stackTraces: false,
  context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true },
});
const stack = new Stack(app, 'GenesysTwoIntegrations');

function secret(id: string, contextKey: string, name: string): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretCompleteArn(stack, id,
    app.node.tryGetContext(contextKey) ??
      `arn:aws:secretsmanager:us-east-1:123456789012:secret:integ/${name}-AbCdEf`);
}

const first = new GenesysEventBridge(stack, 'First', {
  credentials: secret('FirstCredentials', 'firstSecretArn', 'genesys-first'),
  genesysRegion: GenesysRegion.US_EAST_1,
  eventSourceSuffix: 'integ-first',
});
const audits = new sqs.Queue(stack, 'Audits', {
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
});
first.onTopic('Audits', [GenesysTopic.AUDITS], { target: new targets.SqsQueue(audits) });

new GenesysEventBridgeIntegration(stack, 'Second', {
  credentials: secret('SecondCredentials', 'secondSecretArn', 'genesys-second'),
  genesysRegion: GenesysRegion.US_EAST_1,
  eventSourceSuffix: 'integ-second',
  topics: [GenesysTopic.ROUTING_QUEUE_USERS],
  enabled: false,
});

declareIntegTest(app, 'two-integrations', [stack]);
app.synth();
