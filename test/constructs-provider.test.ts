import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  GenesysEventBridgeIntegration, GenesysEventBridgeProvider, GenesysRegion, GenesysTopic,
} from '../lib';
import { importSecret, newStack } from './constructs-fixtures';

function addIntegration(stack: Stack, id: string, options: {
  totalTimeout?: Duration;
  queryInterval?: Duration;
  secretArn?: string;
} = {}): GenesysEventBridgeIntegration {
  const secretArn = options.secretArn ??
    'arn:aws:secretsmanager:eu-central-1:111111111111:secret:genesys/eventbridge-AbCdEf';
  return new GenesysEventBridgeIntegration(stack, id, {
    credentials: importSecret(stack, `${id}Credentials`, secretArn),
    genesysRegion: GenesysRegion.EU_CENTRAL_1,
    topics: [GenesysTopic.USER_PRESENCE],
    totalTimeout: options.totalTimeout,
    queryInterval: options.queryInterval,
  });
}

/** The waiter's retry settings, from the state machine definition. */
function waiterRetry(template: Template): { IntervalSeconds: number; MaxAttempts: number } {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  expect(machines).toHaveLength(1);
  // The function ARNs sit inside JSON strings of the definition: join the literal parts around
  // a stand-in to read it back.
  const parts = machines[0].Properties.DefinitionString['Fn::Join'][1] as unknown[];
  const definition = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'ARN')).join(''));
  return definition.States['framework-isComplete-task'].Retry[0];
}

describe('GenesysEventBridgeProvider', () => {
  test('is created once per stack and shared by every integration in it', () => {
    const { stack } = newStack();
    const first = addIntegration(stack, 'First');
    const second = addIntegration(stack, 'Second');

    expect(first.provider).toBe(second.provider);
    expect(GenesysEventBridgeProvider.getOrCreate(stack)).toBe(first.provider);
    const template = Template.fromStack(stack);
    // Two lifecycle functions and three provider framework functions, once.
    template.resourceCountIs('AWS::Lambda::Function', 5);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const tokens = Object.values(template.findResources('Custom::GenesysEventBridgeIntegration'))
      .map((resource) => JSON.stringify(resource.Properties.ServiceToken));
    expect(new Set(tokens).size).toBe(1);
  });

  test('runs onEvent and isComplete from the lifecycle bundle on Node.js 22', () => {
    const { stack } = newStack();
    addIntegration(stack, 'Integration');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Runtime: 'nodejs22.x',
      Timeout: 300,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('OnEventLogs') } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.isComplete',
      Runtime: 'nodejs22.x',
      Timeout: 120,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('IsCompleteLogs') } },
    });
    const codes = Object.values(template.findResources('AWS::Lambda::Function', {
      Properties: { Handler: Match.stringLikeRegexp('^index\\.') },
    })).map((fn) => JSON.stringify(fn.Properties.Code));
    expect(codes).toHaveLength(2);
    expect(codes[0]).toBe(codes[1]);
  });

  test('keeps the logs for three months by default, and as long as asked', () => {
    const { stack } = newStack();
    addIntegration(stack, 'Integration');
    Template.fromStack(stack)
      .allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });

    const other = newStack('Other').stack;
    GenesysEventBridgeProvider.getOrCreate(other, { logRetention: logs.RetentionDays.ONE_WEEK });
    addIntegration(other, 'Integration');
    const template = Template.fromStack(other);
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('lets the lifecycle functions describe only their integrations\' partner sources', () => {
    const { stack } = newStack();
    new GenesysEventBridgeIntegration(stack, 'Here', {
      credentials: importSecret(stack, 'HereCredentials'),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      topics: [GenesysTopic.USER_PRESENCE],
      eventSourceSuffix: 'here',
    });
    new GenesysEventBridgeIntegration(stack, 'There', {
      credentials: importSecret(stack, 'ThereCredentials'),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      topics: [GenesysTopic.USER_PRESENCE],
      eventSourceSuffix: 'there',
      awsRegion: 'eu-west-1',
    });
    const source = (region: string, suffix: string) => ({
      'Fn::Join': ['', [
        'arn:', { Ref: 'AWS::Partition' },
        `:events:${region}::event-source/aws.partner/genesys.com/cloud/*/${suffix}`,
      ]],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'DescribeGenesysPartnerEventSources',
          Action: 'events:DescribeEventSource',
          Effect: 'Allow',
          Resource: [source('eu-central-1', 'here'), source('eu-west-1', 'there')],
        }]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('HandlerRole') }],
    });
  });

  test('grants no DescribeEventSource to a provider without integrations', () => {
    const { stack } = newStack();
    GenesysEventBridgeProvider.getOrCreate(stack);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    expect(JSON.stringify(policies)).not.toContain('events:DescribeEventSource');
  });

  test('grants each integration\'s secret to the lifecycle functions, and no other secret', () => {
    const { stack } = newStack();
    addIntegration(stack, 'First', {
      secretArn: 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:org-a-AbCdEf',
    });
    addIntegration(stack, 'Second', {
      secretArn: 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:org-b-GhIjKl',
    });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('HandlerRole') }] },
    });
    const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement as any[];
    const secretStatements = statements.filter((s) =>
      JSON.stringify(s.Action).includes('secretsmanager:'));
    expect(secretStatements.map((s) => s.Resource).sort()).toEqual([
      'arn:aws:secretsmanager:eu-central-1:111111111111:secret:org-a-AbCdEf',
      'arn:aws:secretsmanager:eu-central-1:111111111111:secret:org-b-GhIjKl',
    ]);
    const readOnly = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
    expect(secretStatements.map((s) => s.Action)).toEqual([readOnly, readOnly]);
  });

  test('waits up to 30 minutes, checking every 10 seconds, by default', () => {
    const { stack } = newStack();
    addIntegration(stack, 'Integration');
    expect(waiterRetry(Template.fromStack(stack))).toMatchObject({
      IntervalSeconds: 10,
      MaxAttempts: 180,
    });
  });

  test('waits as long as the first integration asks, and a later one may repeat it', () => {
    const { stack } = newStack();
    const first = addIntegration(stack, 'First', {
      totalTimeout: Duration.minutes(45), queryInterval: Duration.seconds(15),
    });
    addIntegration(stack, 'Second', { totalTimeout: Duration.minutes(45) });
    addIntegration(stack, 'Third');

    expect(first.provider.totalTimeout.toMinutes()).toBe(45);
    expect(waiterRetry(Template.fromStack(stack))).toMatchObject({
      IntervalSeconds: 15,
      MaxAttempts: 180,
    });
  });

  test('logs the waiter\'s transitions without execution data, which holds the ResponseURL', () => {
    const { stack } = newStack();
    addIntegration(stack, 'Integration');
    Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{
          CloudWatchLogsLogGroup: {
            LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('FrameworkLogs'), 'Arn'] },
          },
        }],
      },
    });
  });

  test('lets the handler give up before the provider framework times out', () => {
    const { stack } = newStack();
    addIntegration(stack, 'Integration');
    const other = newStack('Other').stack;
    addIntegration(other, 'Integration', { totalTimeout: Duration.hours(1) });

    // 30 minutes less a sixth: the handler's own default of 25 minutes.
    const lifecycleFunctions = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
      Properties: { Handler: Match.stringLikeRegexp('^index\\.') },
    });
    expect(Object.values(lifecycleFunctions).map((fn) => fn.Properties.Environment.Variables))
      .toEqual([
        { LIFECYCLE_WAIT_TIMEOUT_SECONDS: '1500' },
        { LIFECYCLE_WAIT_TIMEOUT_SECONDS: '1500' },
      ]);
    Template.fromStack(other).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.isComplete',
      Environment: { Variables: { LIFECYCLE_WAIT_TIMEOUT_SECONDS: '3000' } },
    });
  });

  test('warns when the total timeout leaves no time for the partner event source', () => {
    const { stack } = newStack();
    addIntegration(stack, 'Integration', { totalTimeout: Duration.minutes(5) });
    Annotations.fromStack(stack).hasWarning('/TestStack/GenesysEventBridgeProvider',
      Match.stringLikeRegexp('totalTimeout 5 minutes may end before Genesys creates the partner'));
  });
});
