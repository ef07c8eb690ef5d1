/**
 * The example app. It synthesizes offline: the account, region and secret ARN come from context
 * (examples/cdk.json holds placeholders) and nothing is looked up.
 *
 *   npx cdk synth --app 'npx ts-node --prefer-ts-exts examples/app.ts'
 *   npx cdk synth --app 'npx ts-node --prefer-ts-exts examples/app.ts' -c account=123456789012
 */
import { App } from 'aws-cdk-lib';
import { GenesysExampleStack } from './stack';

const app = new App();
const account: string = app.node.tryGetContext('account') ?? '111111111111';
const region: string = app.node.tryGetContext('region') ?? 'eu-central-1';

new GenesysExampleStack(app, 'GenesysEventBridgeExample', {
  env: { account, region },
  credentialsSecretArn: app.node.tryGetContext('credentialsSecretArn') ??
    `arn:aws:secretsmanager:${region}:${account}:secret:genesys/eventbridge-AbCdEf`,
  genesysRegion: app.node.tryGetContext('genesysRegion') ?? 'eu-central-1',
});
