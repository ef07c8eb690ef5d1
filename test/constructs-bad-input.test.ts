/**
 * Bad input, numbered: each case fails synthesis (or construction) with a message that names the
 * property, the rule, the value received and the construct path.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import {
  GenesysEventBridge,
  GenesysEventBridgeIntegration,
  GenesysEventBridgeIntegrationProps,
  GenesysRegion,
  GenesysTopic,
} from '../lib';
import { importSecret, newStack, synthError } from './constructs-fixtures';

let secrets = 0;

/** Props of a valid integration; each call imports the same secret under a new id. */
function integrationProps(
  stack: Stack,
  props: Partial<GenesysEventBridgeIntegrationProps> = {},
): GenesysEventBridgeIntegrationProps {
  return {
    credentials: props.credentials ?? importSecret(stack, `Credentials${++secrets}`),
    genesysRegion: GenesysRegion.EU_CENTRAL_1,
    topics: [GenesysTopic.USER_PRESENCE],
    ...props,
  };
}

function newUnit(stack: Stack, id = 'Genesys', extraTopics?: GenesysTopic[]): GenesysEventBridge {
  return new GenesysEventBridge(stack, id, {
    credentials: importSecret(stack, `${id}Credentials`),
    genesysRegion: GenesysRegion.EU_CENTRAL_1,
    eventSourceSuffix: `suffix-of-${id}`,
    extraTopics,
  });
}

describe('bad input', () => {
  test('1. an account id that is not 12 digits', () => {
    const { stack } = newStack();
    expect(() => new GenesysEventBridgeIntegration(stack, 'Integration',
      integrationProps(stack, { awsAccountId: '12345678901' }))).toThrow(
      'TestStack/Integration: awsAccountId must be exactly 12 digits (an AWS account id), ' +
      'got "12345678901"');
  });

  test('2. a region where EventBridge does not exist', () => {
    const { stack } = newStack();
    expect(() => new GenesysEventBridgeIntegration(stack, 'Integration',
      integrationProps(stack, { awsRegion: 'us-central-9' }))).toThrow(
      'TestStack/Integration: awsRegion must be an AWS region where EventBridge exists ' +
      '(such as "us-east-1"), got "us-central-9"');
  });

  test('3. an empty event source suffix', () => {
    const { stack } = newStack();
    expect(() => new GenesysEventBridgeIntegration(stack, 'Integration',
      integrationProps(stack, { eventSourceSuffix: '' }))).toThrow(
      'TestStack/Integration: eventSourceSuffix must not be empty, got ""');
  });

  test('4. an event source suffix longer than 64 characters', () => {
    const { stack } = newStack();
    const suffix = 'x'.repeat(65);
    expect(() => new GenesysEventBridgeIntegration(stack, 'Integration',
      integrationProps(stack, { eventSourceSuffix: suffix }))).toThrow(
      'TestStack/Integration: eventSourceSuffix must be at most 64 characters long, ' +
      `got 65 characters: "${suffix}"`);
  });

  test('5. an event source suffix with characters outside A-Z a-z 0-9 . - _', () => {
    const { stack } = newStack();
    expect(() => new GenesysEventBridgeIntegration(stack, 'Integration',
      integrationProps(stack, { eventSourceSuffix: 'contact center/prod' }))).toThrow(
      'TestStack/Integration: eventSourceSuffix may only contain the characters ' +
      'A-Z a-z 0-9 . - _, got "contact center/prod"');
  });

  test('6. a malformed topic', () => {
    expect(() => GenesysTopic.of('v2.users.{userId}.presence')).toThrow(
      /^GenesysTopic.of\(name\) must be a Genesys notification topic .*got "v2.users.{userId}.pre/);
  });

  test('7. two integrations of one app with one suffix, one secret and one Genesys region', () => {
    const { app, stack } = newStack('First');
    const second = new Stack(app, 'Second', {
      env: { account: '111111111111', region: 'eu-west-1' },
    });
    new GenesysEventBridgeIntegration(stack, 'Integration',
      integrationProps(stack, { eventSourceSuffix: 'shared' }));
    new GenesysEventBridgeIntegration(second, 'Integration',
      integrationProps(second, { eventSourceSuffix: 'shared' }));

    const message = synthError(second);
    expect(message).toContain('Second/Integration: eventSourceSuffix must be unique among the ' +
      'EventBridge integrations of a Genesys Cloud organization, got "shared", which ' +
      'First/Integration also uses with the same credentials and Genesys region eu-central-1');
  });

  test('7b. (compliant) one suffix with other credentials or another Genesys region', () => {
    const { stack } = newStack();
    new GenesysEventBridgeIntegration(stack, 'A', integrationProps(stack, {
      eventSourceSuffix: 'shared',
    }));
    new GenesysEventBridgeIntegration(stack, 'B', integrationProps(stack, {
      eventSourceSuffix: 'shared',
      credentials: importSecret(stack, 'Other',
        'arn:aws:secretsmanager:eu-central-1:111111111111:secret:other-org-AbCdEf'),
    }));
    new GenesysEventBridgeIntegration(stack, 'C', integrationProps(stack, {
      eventSourceSuffix: 'shared',
      genesysRegion: GenesysRegion.EU_WEST_1,
    }));
    expect(() => synthError(stack)).toThrow('synthesis succeeded');
  });

  test('8. more than 10 integrations for the same credentials in one app', () => {
    const { stack } = newStack();
    for (let i = 1; i <= 11; i++) {
      new GenesysEventBridgeIntegration(stack, `Integration${i}`, integrationProps(stack, {
        eventSourceSuffix: `suffix-${i}`,
      }));
    }
    const message = synthError(stack);
    expect(message).toContain('TestStack/Integration11: a Genesys Cloud organization holds at ' +
      'most 10 EventBridge integrations, got 11 in this app for the credentials ' +
      'arn:aws:secretsmanager:eu-central-1:111111111111:secret:genesys/eventbridge-AbCdEf ' +
      '(this is number 11)');
    expect(message).not.toContain('TestStack/Integration10:');
  });

  test('9. a rule whose detail-type names a topic the integration does not subscribe to', () => {
    const { stack } = newStack();
    const unit = newUnit(stack, 'Genesys', [GenesysTopic.AUDITS]);
    unit.addRule('Offline', {
      eventPattern: { detailType: [GenesysTopic.USER_PRESENCE.name] },
    });
    expect(synthError(stack)).toContain('TestStack/Genesys/Offline: eventPattern.detailType[0] ' +
      'must name a topic the integration subscribes to (one routed with onTopic() or listed in ' +
      'extraTopics), got "v2.users.{id}.presence"; subscribed: ' +
      '["v2.audits.entitytype.{id}.entityid.{id}"]');
  });

  test('10. a rule whose detail-type is not a valid topic', () => {
    const { stack } = newStack();
    const unit = newUnit(stack);
    expect(() => unit.addRule('Typo', { eventPattern: { detailType: ['v2.users.presence!'] } }))
      .toThrow('TestStack/Genesys: addRule("Typo") eventPattern.detailType[0] must be a Genesys ' +
        'notification topic such as "v2.users.{id}.presence" (segments of letters, digits, _ ' +
        'or -, or {id} placeholders, starting with v2), got "v2.users.presence!"');
  });

  test('11. a rule whose detail-type prefix matches no subscribed topic', () => {
    const { stack } = newStack();
    const unit = newUnit(stack, 'Genesys', [GenesysTopic.AUDITS]);
    unit.addRule('Detail', { eventPattern: { detailType: events.Match.prefix('v2.detail.') } });
    expect(synthError(stack)).toContain('TestStack/Genesys/Detail: eventPattern.detailType[0] ' +
      'must match at least one topic the integration subscribes to, got the prefix "v2.detail."');
  });

  test('12. an integration with an empty topic filter', () => {
    const { stack } = newStack();
    new GenesysEventBridgeIntegration(stack, 'Integration',
      integrationProps(stack, { topics: [] }));
    expect(synthError(stack)).toContain('TestStack/Integration: topics must name at least one ' +
      'topic: an integration with an empty topic filter receives no events, got []');
  });

  test('13. a unit with no rule and no extra topic', () => {
    const { stack } = newStack();
    newUnit(stack);
    expect(synthError(stack)).toContain('TestStack/Genesys/Integration: topics (those of ' +
      'onTopic() and extraTopics) must name at least one topic');
  });

  test('14. onTopic() with no topic', () => {
    const { stack } = newStack();
    const unit = newUnit(stack);
    expect(() => unit.onTopic('Nothing', [])).toThrow(
      'TestStack/Genesys: onTopic("Nothing") topics must name at least one topic, got []');
  });

  test('15. addRule() with a source other than the partner event source', () => {
    const { stack } = newStack();
    const unit = newUnit(stack, 'Genesys', [GenesysTopic.AUDITS]);
    expect(() => unit.addRule('Foreign', { eventPattern: { source: ['aws.ec2'] } })).toThrow(
      'TestStack/Genesys: addRule("Foreign") eventPattern.source must be left out: a rule of ' +
      'this unit always matches the unit\'s partner event source, got ["aws.ec2"]');
  });

  test('16. a unit whose target account is not its stack\'s', () => {
    const { stack } = newStack();
    expect(() => new GenesysEventBridge(stack, 'Genesys', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      awsAccountId: '222222222222',
    })).toThrow('TestStack/Genesys: awsAccountId must be the stack\'s own (111111111111), since ' +
      'the unit creates the partner event bus in its stack; got "222222222222"');
  });

  test('17. a removal policy other than DESTROY or RETAIN', () => {
    const { stack } = newStack();
    expect(() => new GenesysEventBridgeIntegration(stack, 'Integration',
      integrationProps(stack, { removalPolicy: RemovalPolicy.SNAPSHOT }))).toThrow(
      'TestStack/Integration: removalPolicy must be RemovalPolicy.DESTROY or ' +
      'RemovalPolicy.RETAIN for a Genesys integration, got snapshot');
  });

  test('18. a total timeout longer than one hour', () => {
    const { stack } = newStack();
    expect(() => new GenesysEventBridgeIntegration(stack, 'Integration',
      integrationProps(stack, { totalTimeout: Duration.minutes(90) }))).toThrow(
      'TestStack/Integration: totalTimeout must be at most 1 hour (the limit of the ' +
      'CloudFormation provider framework), got 1 hour 30 minutes');
  });

  test('19. a query interval longer than the total timeout', () => {
    const { stack } = newStack();
    expect(() => new GenesysEventBridgeIntegration(stack, 'Integration', integrationProps(stack, {
      totalTimeout: Duration.minutes(10), queryInterval: Duration.minutes(11),
    }))).toThrow('TestStack/Integration: queryInterval must be at least 1 second and at most ' +
      'totalTimeout (10 minutes), got 11 minutes');
  });

  test('20. two integrations of one stack asking for different total timeouts', () => {
    const { stack } = newStack();
    new GenesysEventBridgeIntegration(stack, 'First', integrationProps(stack, {
      eventSourceSuffix: 'first', totalTimeout: Duration.minutes(20),
    }));
    expect(() => new GenesysEventBridgeIntegration(stack, 'Second', integrationProps(stack, {
      eventSourceSuffix: 'second', totalTimeout: Duration.minutes(40),
    }))).toThrow('TestStack/Second: totalTimeout must be the same for every Genesys integration ' +
      'of stack TestStack, which share one provider: the provider was created with totalTimeout ' +
      '20 minutes (by TestStack/First), got 40 minutes');
  });

  test('21. an unknown Genesys region code', () => {
    expect(() => GenesysRegion.of('eu-north-1')).toThrow(
      /GenesysRegion.of\(code\) must be a Genesys Cloud region .*got "eu-north-1"/);
  });

  test('22. a blank integration name', () => {
    const { stack } = newStack();
    expect(() => new GenesysEventBridgeIntegration(stack, 'Integration',
      integrationProps(stack, { integrationName: '  ' }))).toThrow(
      'TestStack/Integration: integrationName must be a non-empty string, got "  "');
  });

  test('23. a stack in a region without EventBridge, named as the stack\'s region', () => {
    const { stack } = newStack('TestStack', {
      env: { account: '111111111111', region: 'us-central-9' },
    });
    expect(() => new GenesysEventBridgeIntegration(stack, 'Integration', integrationProps(stack)))
      .toThrow('TestStack/Integration: awsRegion (the stack\'s region) must be an AWS region ' +
        'where EventBridge exists (such as "us-east-1"), got "us-central-9"');
  });

  test('24. a rule whose detail-type suffix or wildcard matches no subscribed topic', () => {
    const { stack } = newStack();
    const unit = newUnit(stack, 'Genesys', [GenesysTopic.AUDITS]);
    unit.addRule('Ends', { eventPattern: { detailType: events.Match.suffix('.end') } });
    unit.addRule('Users', { eventPattern: { detailType: events.Match.wildcard('v2.users.*') } });
    unit.addRule('Audits', { eventPattern: { detailType: events.Match.wildcard('v2.audits.*') } });
    const message = synthError(stack);
    expect(message).toContain('TestStack/Genesys/Ends: eventPattern.detailType[0] must match at ' +
      'least one topic the integration subscribes to, got the suffix ".end"');
    expect(message).toContain('TestStack/Genesys/Users: eventPattern.detailType[0] must match at ' +
      'least one topic the integration subscribes to, got the wildcard "v2.users.*"');
    expect(message).not.toContain('TestStack/Genesys/Audits');
  });

  test('25. a rule whose event pattern is longer than EventBridge allows', () => {
    const { stack } = newStack();
    const unit = newUnit(stack);
    const many = Array.from({ length: 100 }, (_, i) => GenesysTopic.of(`v2.custom.topic${i}.{id}`));
    unit.onTopic('Everything', many);
    expect(synthError(stack)).toMatch(new RegExp('TestStack/Genesys/Everything: eventPattern ' +
      'must be at most 2048 characters long \\(an EventBridge limit\\), got \\d{4} with the ' +
      'partner event source name at its longest'));
  });

  test('25b. (compliant) a rule of many topics within the limit', () => {
    const { stack } = newStack();
    const unit = newUnit(stack);
    unit.onTopic('Several', Array.from({ length: 20 },
      (_, i) => GenesysTopic.of(`v2.custom.topic${i}.{id}`)));
    expect(() => synthError(stack)).toThrow('synthesis succeeded');
  });
});
