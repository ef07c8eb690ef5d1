import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GenesysExampleStack } from '../examples/stack';

function exampleStack(): GenesysExampleStack {
  const app = new App();
  return new GenesysExampleStack(app, 'GenesysEventBridgeExample', {
    env: { account: '111111111111', region: 'eu-central-1' },
    credentialsSecretArn:
      'arn:aws:secretsmanager:eu-central-1:111111111111:secret:genesys/eventbridge-AbCdEf',
    genesysRegion: 'eu-central-1',
  });
}

describe('cdk-nag AwsSolutions checks', () => {
  test('the example stack has no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(exampleStack());
    const findings = report.violations.map((v) =>
      `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });
});
