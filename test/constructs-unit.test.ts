import { CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { GenesysEventBridge, GenesysEventBridgeProps, GenesysRegion, GenesysTopic } from '../lib';
import { importSecret, integrationResource, newStack } from './constructs-fixtures';

function newUnit(
  props: Partial<GenesysEventBridgeProps> = {},
): { stack: Stack; unit: GenesysEventBridge; integrationId: string; template: () => Template } {
  const { stack } = newStack();
  const unit = new GenesysEventBridge(stack, 'Genesys', {
    credentials: importSecret(stack),
    genesysRegion: GenesysRegion.EU_CENTRAL_1,
    eventSourceSuffix: 'contact-center',
    ...props,
  });
  const resource = unit.integration.node.findChild('Resource').node.defaultChild as CfnResource;
  const integrationId = stack.getLogicalId(resource);
  return { stack, unit, integrationId, template: () => Template.fromStack(stack) };
}

/** `Fn::GetAtt` of the integration's partner event source name. */
function sourceName(integrationId: string): unknown {
  return { 'Fn::GetAtt': [integrationId, 'EventSourceName'] };
}

describe('GenesysEventBridge', () => {
  test('names the bus after the partner event source and associates it with the source', () => {
    const { unit, integrationId, template } = newUnit();
    unit.onTopic('Presence', [GenesysTopic.USER_PRESENCE]);

    template().hasResourceProperties('AWS::Events::EventBus', {
      Name: sourceName(integrationId),
      EventSourceName: sourceName(integrationId),
    });
    expect(integrationId).toMatch(/^GenesysIntegration/);
  });

  test('exposes the integration\'s attributes and the bus', () => {
    const { stack, unit, integrationId } = newUnit();
    expect(stack.resolve(unit.eventSourceName)).toEqual(sourceName(integrationId));
    expect(stack.resolve(unit.eventSourceArn))
      .toEqual({ 'Fn::GetAtt': [integrationId, 'EventSourceArn'] });
    expect(stack.resolve(unit.integrationId))
      .toEqual({ 'Fn::GetAtt': [integrationId, 'IntegrationId'] });
    expect(stack.resolve(unit.organizationId))
      .toEqual({ 'Fn::GetAtt': [integrationId, 'OrganizationId'] });
    expect(stack.resolve(unit.eventBus.eventBusName))
      .toEqual({ Ref: expect.stringMatching(/^GenesysEventBus/) });
    expect(unit.integration.eventSourceSuffix).toBe('contact-center');
  });

  test('onTopic() adds a rule on the bus matching the source and exactly the topics', () => {
    const { unit, integrationId, template } = newUnit();
    const rule = unit.onTopic('ConversationEnds', [
      GenesysTopic.CONVERSATION_USER_END, GenesysTopic.CONVERSATION_CUSTOMER_END,
    ]);

    expect(rule).toBeInstanceOf(events.Rule);
    template().hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^GenesysEventBus') },
      EventPattern: {
        'source': [sourceName(integrationId)],
        'detail-type': [
          'v2.detail.events.conversation.{id}.customer.end',
          'v2.detail.events.conversation.{id}.user.end',
        ],
      },
      State: 'ENABLED',
      Description: 'Routes the Genesys Cloud topics ' +
        'v2.detail.events.conversation.{id}.customer.end, ' +
        'v2.detail.events.conversation.{id}.user.end',
    });
  });

  test('subscribes to the union of the rules\' topics and extraTopics, each once', () => {
    const { unit, template } = newUnit({
      extraTopics: [GenesysTopic.AUDITS, GenesysTopic.USER_PRESENCE],
    });
    unit.onTopic('Presence', [GenesysTopic.USER_PRESENCE]);
    unit.onTopic('Routing', [GenesysTopic.USER_ROUTING_STATUS, GenesysTopic.USER_PRESENCE]);

    expect(integrationResource(template()).properties.Topics).toEqual([
      'v2.audits.entitytype.{id}.entityid.{id}',
      'v2.users.{id}.presence',
      'v2.users.{id}.routingStatus',
    ]);
    expect(unit.topicFilter).toHaveLength(3);
  });

  test('onTopic() wires target and targets and sets the rule\'s name, description, state', () => {
    const { stack, unit, template } = newUnit();
    const first = new sqs.Queue(stack, 'First');
    const second = new sqs.Queue(stack, 'Second');
    unit.onTopic('Presence', [GenesysTopic.USER_PRESENCE], {
      target: new targets.SqsQueue(first),
      targets: [new targets.SqsQueue(second)],
      ruleName: 'genesys-presence',
      description: 'Presence to the queues',
      enabled: false,
    });

    template().hasResourceProperties('AWS::Events::Rule', {
      Name: 'genesys-presence',
      Description: 'Presence to the queues',
      State: 'DISABLED',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^First'), 'Arn'] } }),
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Second'), 'Arn'] } }),
      ],
    });
  });

  test('archives the events of its source when asked', () => {
    const { unit, integrationId, template } = newUnit({
      archive: { retention: Duration.days(30), archiveName: 'genesys-events' },
    });
    unit.onTopic('Presence', [GenesysTopic.USER_PRESENCE]);

    expect(unit.archive).toBeDefined();
    template().hasResourceProperties('AWS::Events::Archive', {
      ArchiveName: 'genesys-events',
      RetentionDays: 30,
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GenesysEventBus'), 'Arn'] },
      EventPattern: { source: [sourceName(integrationId)] },
    });
  });

  test('describes its archive by the partner event source and keeps it forever by default', () => {
    const { unit, integrationId, template } = newUnit({ archive: {} });
    unit.onTopic('Presence', [GenesysTopic.USER_PRESENCE]);
    template().hasResourceProperties('AWS::Events::Archive', {
      Description: {
        'Fn::Join': ['', ['Genesys Cloud events of ', sourceName(integrationId)]],
      },
      // 0 keeps the events forever, the documented default.
      RetentionDays: 0,
    });
  });

  test('creates no archive unless asked', () => {
    const { unit, template } = newUnit();
    unit.onTopic('Presence', [GenesysTopic.USER_PRESENCE]);
    expect(unit.archive).toBeUndefined();
    template().resourceCountIs('AWS::Events::Archive', 0);
  });

  test('gives its dead-letter queue to each target without one; its rules may send to it', () => {
    const { stack, unit, template } = newUnit();
    const dlq = new sqs.Queue(stack, 'Undeliverable');
    const own = new sqs.Queue(stack, 'OwnDeadLetters');
    const withDlq = newUnitWithDlq(stack, dlq);
    withDlq.onTopic('Presence', [GenesysTopic.USER_PRESENCE], {
      target: new targets.SqsQueue(new sqs.Queue(stack, 'Presence')),
      targets: [new targets.SqsQueue(new sqs.Queue(stack, 'Kept'), { deadLetterQueue: own })],
    });
    withDlq.addRule('Offline', {
      eventPattern: { detailType: [GenesysTopic.USER_PRESENCE.name] },
      targets: [new targets.SqsQueue(new sqs.Queue(stack, 'Offline'))],
    });
    unit.onTopic('Unrelated', [GenesysTopic.AUDITS]);

    expect(withDlq.deadLetterQueue).toBe(dlq);
    const dlqArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Undeliverable'), 'Arn'] };
    const ownArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^OwnDeadLetters'), 'Arn'] };
    const t = template();
    t.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({ DeadLetterConfig: { Arn: dlqArn } }),
        Match.objectLike({ DeadLetterConfig: { Arn: ownArn } }),
      ],
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['v2.users.{id}.presence'] }),
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: dlqArn } })],
    });
    const policy = Object.values(t.findResources('AWS::SQS::QueuePolicy', {
      Properties: { Queues: [{ Ref: Match.stringLikeRegexp('^Undeliverable') }] },
    }))[0];
    const senders = (policy.Properties.PolicyDocument.Statement as any[])
      .filter((s) => s.Action === 'sqs:SendMessage' &&
        s.Principal.Service === 'events.amazonaws.com')
      .map((s) => s.Condition.ArnEquals['aws:SourceArn']['Fn::GetAtt'][0]);
    expect(senders).toHaveLength(2);
    expect(senders.every((id: string) => id.startsWith('Unit2'))).toBe(true);
    // The unit without a dead-letter queue leaves its targets alone.
    expect(JSON.stringify(t.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { 'detail-type': ['v2.audits.entitytype.{id}.entityid.{id}'] } },
    }))).not.toContain('DeadLetterConfig');
  });

  test('addRule() keeps a custom pattern and sets its source to the partner event source', () => {
    const { unit, integrationId, template } = newUnit();
    unit.onTopic('Presence', [GenesysTopic.USER_PRESENCE]);
    unit.addRule('Offline', {
      eventPattern: {
        detailType: [GenesysTopic.USER_PRESENCE.name],
        detail: { eventBody: { presenceDefinition: { systemPresence: ['Offline'] } } },
      },
      ruleName: 'genesys-offline',
      description: 'Agents going offline',
    });

    template().hasResourceProperties('AWS::Events::Rule', {
      Name: 'genesys-offline',
      Description: 'Agents going offline',
      EventBusName: { Ref: Match.stringLikeRegexp('^GenesysEventBus') },
      EventPattern: {
        'source': [sourceName(integrationId)],
        'detail-type': ['v2.users.{id}.presence'],
        'detail': { eventBody: { presenceDefinition: { systemPresence: ['Offline'] } } },
      },
    });
  });

  test('addRule() accepts the unit\'s own source and a prefix matching a subscribed topic', () => {
    const { unit, template } = newUnit({ extraTopics: [GenesysTopic.CONVERSATION_ACD_END] });
    unit.addRule('AllDetailEvents', {
      eventPattern: {
        source: [unit.eventSourceName],
        detailType: events.Match.prefix('v2.detail.events.'),
      },
      enabled: false,
    });
    template().hasResourceProperties('AWS::Events::Rule', {
      State: 'DISABLED',
      EventPattern: Match.objectLike({ 'detail-type': [{ prefix: 'v2.detail.events.' }] }),
    });
  });

  test('refuses at deploy time an account or region not its environment-agnostic stack\'s', () => {
    const stack = new Stack(undefined, 'Agnostic');
    const unit = new GenesysEventBridge(stack, 'Genesys', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      eventSourceSuffix: 'contact-center',
      awsAccountId: '111111111111',
      awsRegion: 'eu-west-1',
    });
    unit.onTopic('Presence', [GenesysTopic.USER_PRESENCE]);

    const { CheckBootstrapVersion: _bootstrap, ...rules } =
      Template.fromStack(stack).toJSON().Rules;
    expect(rules).toEqual({
      GenesysSameEnvironmentECC5721C: {
        Assertions: [
          {
            Assert: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '111111111111'] },
            AssertDescription: 'Agnostic/Genesys: awsAccountId must be the stack\'s own, since ' +
              'the unit creates the partner event bus in its stack; got "111111111111"',
          },
          {
            Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
            AssertDescription: 'Agnostic/Genesys: awsRegion must be the stack\'s own, since ' +
              'the unit creates the partner event bus in its stack; got "eu-west-1"',
          },
        ],
      },
    });
  });

  test('adds no template rule when the environment is known or defaulted', () => {
    const { unit, template } = newUnit();
    unit.onTopic('Presence', [GenesysTopic.USER_PRESENCE]);
    expect(Object.keys(template().toJSON().Rules)).toEqual(['CheckBootstrapVersion']);
  });

  test('addRule() does not subscribe to topics by itself', () => {
    const { unit, template } = newUnit({ extraTopics: [GenesysTopic.AUDITS] });
    unit.addRule('Everything', { eventPattern: { account: ['111111111111'] } });
    expect(integrationResource(template()).properties.Topics)
      .toEqual(['v2.audits.entitytype.{id}.entityid.{id}']);
  });
});

function newUnitWithDlq(stack: Stack, dlq: sqs.IQueue): GenesysEventBridge {
  return new GenesysEventBridge(stack, 'Unit2', {
    credentials: importSecret(stack, 'Credentials2'),
    genesysRegion: GenesysRegion.EU_CENTRAL_1,
    eventSourceSuffix: 'with-dead-letters',
    deadLetterQueue: dlq,
  });
}
