import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GenesysExampleStack } from '../examples/stack';

const SECRET_ARN =
  'arn:aws:secretsmanager:eu-central-1:111111111111:secret:genesys/eventbridge-AbCdEf';

function exampleTemplate(): { template: Template; integrationId: string } {
  const stack = new GenesysExampleStack(new App(), 'GenesysEventBridgeExample', {
    env: { account: '111111111111', region: 'eu-central-1' },
    credentialsSecretArn: SECRET_ARN,
    genesysRegion: 'eu-central-1',
  });
  const template = Template.fromStack(stack);
  const integrations = template.findResources('Custom::GenesysEventBridgeIntegration');
  expect(Object.keys(integrations)).toHaveLength(1);
  return { template, integrationId: Object.keys(integrations)[0] };
}

/** A rule on the partner bus whose pattern is the partner source and exactly these topics. */
function routes(integrationId: string, topics: string[], targetArn: object): object {
  return {
    EventBusName: { Ref: Match.stringLikeRegexp('^GenesysEventBus') },
    EventPattern: {
      'source': [{ 'Fn::GetAtt': [integrationId, 'EventSourceName'] }],
      'detail-type': topics,
    },
    Targets: [Match.objectLike({ Arn: targetArn })],
  };
}

describe('the example app', () => {
  test('deploys the integration with the secret\'s ARN and the routed topics only', () => {
    const { template } = exampleTemplate();
    template.hasResourceProperties('Custom::GenesysEventBridgeIntegration', {
      SecretArn: SECRET_ARN,
      GenesysRegion: 'eu-central-1',
      AwsAccountId: '111111111111',
      AwsRegion: 'eu-central-1',
      EventSourceSuffix: 'cdk-example',
      Topics: [
        'v2.audits.entitytype.{id}.entityid.{id}',
        'v2.detail.events.conversation.{id}.acd.end',
        'v2.detail.events.conversation.{id}.customer.end',
        'v2.detail.events.conversation.{id}.user.end',
        'v2.users.{id}.presence',
      ],
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/clientSecret|SecretString/);
  });

  test('associates a partner bus named after the integration\'s event source attribute', () => {
    const { template, integrationId } = exampleTemplate();
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', {
      Name: { 'Fn::GetAtt': [integrationId, 'EventSourceName'] },
      EventSourceName: { 'Fn::GetAtt': [integrationId, 'EventSourceName'] },
    });
  });

  test('routes presence to SQS, conversation ends to Lambda and audits to CloudWatch Logs', () => {
    const { template, integrationId } = exampleTemplate();
    template.resourceCountIs('AWS::Events::Rule', 3);
    template.hasResourceProperties('AWS::Events::Rule', routes(integrationId,
      ['v2.users.{id}.presence'],
      { 'Fn::GetAtt': [Match.stringLikeRegexp('^Presence'), 'Arn'] }));
    template.hasResourceProperties('AWS::Events::Rule', routes(integrationId, [
      'v2.detail.events.conversation.{id}.acd.end',
      'v2.detail.events.conversation.{id}.customer.end',
      'v2.detail.events.conversation.{id}.user.end',
    ], { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConversationEnd'), 'Arn'] }));
    template.hasResourceProperties('AWS::Events::Rule', routes(integrationId,
      ['v2.audits.entitytype.{id}.entityid.{id}'],
      Match.objectLike({ 'Fn::Join': Match.anyValue() })));
  });

  test('archives the bus for 30 days and sends undeliverable events to a queue', () => {
    const { template } = exampleTemplate();
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30 });
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    for (const rule of rules) {
      expect(rule.Properties.Targets[0].DeadLetterConfig.Arn['Fn::GetAtt'][0])
        .toMatch(/^Undeliverable/);
    }
  });
});
