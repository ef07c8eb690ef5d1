import { App, CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  GenesysEventBridge, GenesysEventBridgeIntegration, GenesysRegion, GenesysTopic,
} from '../lib';
import {
  ACCOUNT, REGION, SECRET_ARN, importSecret, integrationResource, newStack,
} from './constructs-fixtures';
import { checkSuffix } from '../lib/rules';

describe('GenesysEventBridgeIntegration', () => {
  test('writes the custom resource properties of the contract, with no secret value', () => {
    // GIVEN
    const { stack } = newStack();

    // WHEN
    new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      eventSourceSuffix: 'contact-center-prod',
      topics: [GenesysTopic.USER_PRESENCE],
    });

    // THEN
    const { properties } = integrationResource(Template.fromStack(stack));
    expect(properties).toEqual({
      ServiceToken: {
        'Fn::GetAtt': [expect.stringMatching(/^GenesysEventBridgeProviderframeworkonEvent/), 'Arn'],
      },
      SecretArn: SECRET_ARN,
      GenesysRegion: 'eu-central-1',
      AwsAccountId: ACCOUNT,
      AwsRegion: REGION,
      EventSourceSuffix: 'contact-center-prod',
      Topics: ['v2.users.{id}.presence'],
      IntegrationName: 'EventBridge contact-center-prod',
      Enabled: 'true',
      RemovalPolicy: 'delete',
    });
    expect(JSON.stringify(properties)).not.toMatch(/clientSecret|clientId/);
  });

  test('is a Custom::GenesysEventBridgeIntegration deleted with its stack', () => {
    const { stack } = newStack();
    new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.US_EAST_1,
      topics: [GenesysTopic.AUDITS],
    });
    Template.fromStack(stack).hasResource('Custom::GenesysEventBridgeIntegration', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test('sorts the topic filter and lists each topic once', () => {
    const { stack } = newStack();
    new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      topics: [
        GenesysTopic.USER_ROUTING_STATUS, GenesysTopic.AUDITS, GenesysTopic.USER_ROUTING_STATUS,
      ],
    });
    expect(integrationResource(Template.fromStack(stack)).properties.Topics).toEqual([
      'v2.audits.entitytype.{id}.entityid.{id}',
      'v2.users.{id}.routingStatus',
    ]);
  });

  test('takes topics added after construction into the filter', () => {
    const { stack } = newStack();
    const integration = new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
    });
    integration.addTopics(
      GenesysTopic.USER_PRESENCE, GenesysTopic.of('v2.routing.queues.{id}.users'));
    integration.addTopics(GenesysTopic.USER_PRESENCE);

    expect(integration.topicFilter)
      .toEqual(['v2.routing.queues.{id}.users', 'v2.users.{id}.presence']);
    expect(integrationResource(Template.fromStack(stack)).properties.Topics)
      .toEqual(['v2.routing.queues.{id}.users', 'v2.users.{id}.presence']);
  });

  test('passes name, notes, enabled and the retain policy through', () => {
    const { stack } = newStack();
    new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      topics: [GenesysTopic.USER_PRESENCE],
      integrationName: 'Presence to AWS',
      notes: 'Owned by the contact-center team',
      enabled: false,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Template.fromStack(stack).hasResourceProperties('Custom::GenesysEventBridgeIntegration', {
      IntegrationName: 'Presence to AWS',
      Notes: 'Owned by the contact-center team',
      Enabled: 'false',
      RemovalPolicy: 'retain',
    });
  });

  test('targets another account and region when asked', () => {
    const { stack } = newStack();
    new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      topics: [GenesysTopic.USER_PRESENCE],
      awsAccountId: '222222222222',
      awsRegion: 'eu-west-1',
    });
    Template.fromStack(stack).hasResourceProperties('Custom::GenesysEventBridgeIntegration', {
      AwsAccountId: '222222222222',
      AwsRegion: 'eu-west-1',
    });
  });

  test('targets the pseudo account and region of an environment-agnostic stack', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      topics: [GenesysTopic.USER_PRESENCE],
    });
    Template.fromStack(stack).hasResourceProperties('Custom::GenesysEventBridgeIntegration', {
      AwsAccountId: { Ref: 'AWS::AccountId' },
      AwsRegion: { Ref: 'AWS::Region' },
    });
  });

  test('renders a custom endpoint instead of a region', () => {
    const { stack } = newStack();
    new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.custom({
        apiEndpoint: 'https://api.genesys.example.test',
        loginEndpoint: 'https://login.genesys.example.test',
      }),
      topics: [GenesysTopic.USER_PRESENCE],
    });
    const { properties } = integrationResource(Template.fromStack(stack));
    expect(properties.GenesysRegion).toBeUndefined();
    expect(properties.GenesysApiEndpoint).toBe('https://api.genesys.example.test');
    expect(properties.GenesysLoginEndpoint).toBe('https://login.genesys.example.test');
  });

  test('accepts tokens for the suffix and account and leaves their checks to deploy time', () => {
    const { stack } = newStack();
    const suffix = new CfnParameter(stack, 'Suffix').valueAsString;
    const account = new CfnParameter(stack, 'Account').valueAsString;
    new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      topics: [GenesysTopic.USER_PRESENCE],
      eventSourceSuffix: suffix,
      awsAccountId: account,
    });
    Template.fromStack(stack).hasResourceProperties('Custom::GenesysEventBridgeIntegration', {
      EventSourceSuffix: { Ref: 'Suffix' },
      AwsAccountId: { Ref: 'Account' },
      IntegrationName: { 'Fn::Join': ['', ['EventBridge ', { Ref: 'Suffix' }]] },
    });
  });

  test('exposes its attributes through Fn::GetAtt', () => {
    const { stack } = newStack();
    const integration = new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      topics: [GenesysTopic.USER_PRESENCE],
    });
    const logicalId = integrationResource(Template.fromStack(stack)).id;
    const attributes = {
      integrationId: 'IntegrationId',
      organizationId: 'OrganizationId',
      eventSourceName: 'EventSourceName',
      eventSourceArn: 'EventSourceArn',
    } as const;
    for (const [property, attribute] of Object.entries(attributes)) {
      expect(stack.resolve(integration[property as keyof typeof attributes]))
        .toEqual({ 'Fn::GetAtt': [logicalId, attribute] });
    }
  });

  describe('default event source suffix', () => {
    function suffixOf(stackName: string, path: string[]): string {
      const { stack } = newStack(stackName);
      let scope: Construct = stack;
      for (const id of path.slice(0, -1)) scope = new Construct(scope, id);
      const integration = new GenesysEventBridgeIntegration(scope, path[path.length - 1], {
        credentials: importSecret(stack),
        genesysRegion: GenesysRegion.EU_CENTRAL_1,
        topics: [GenesysTopic.USER_PRESENCE],
      });
      return integration.eventSourceSuffix;
    }

    test('reads as the stack name and construct path, with a short hash', () => {
      expect(suffixOf('ContactCenter', ['Genesys'])).toMatch(/^ContactCenter-Genesys-[0-9a-f]{8}$/);
    });

    test('is the same on every synthesis', () => {
      expect(suffixOf('ContactCenter', ['Genesys'])).toBe(suffixOf('ContactCenter', ['Genesys']));
    });

    test('differs between stacks and between paths', () => {
      const suffixes = new Set([
        suffixOf('ContactCenter', ['Genesys']),
        suffixOf('ContactCenterTest', ['Genesys']),
        suffixOf('ContactCenter', ['Other']),
        suffixOf('ContactCenter', ['Nested', 'Genesys']),
      ]);
      expect(suffixes.size).toBe(4);
    });

    test('reads as the unit\'s path for the integration of a unit, without "Integration"', () => {
      const { stack } = newStack('ContactCenter');
      const unit = new GenesysEventBridge(stack, 'Genesys', {
        credentials: importSecret(stack),
        genesysRegion: GenesysRegion.EU_CENTRAL_1,
        extraTopics: [GenesysTopic.USER_PRESENCE],
      });
      expect(unit.integration.eventSourceSuffix).toMatch(/^ContactCenter-Genesys-[0-9a-f]{8}$/);
    });

    test('stays at most 64 characters of the allowed set, whatever the names', () => {
      const suffix = suffixOf('Stack-with-a-name-that-is-quite-long-indeed-and-more', [
        'A construct id with spaces & symbols!', 'And-a-very-long-nested-construct-id-too',
      ]);
      expect(suffix.length).toBeLessThanOrEqual(64);
      expect(checkSuffix(suffix)).toBeUndefined();
      expect(suffix).toMatch(/-[0-9a-f]{8}$/);
    });
  });
});

describe('GenesysEventBridgeIntegration.isGenesysEventBridgeIntegration', () => {
  test('recognizes an integration, and nothing else', () => {
    const { stack } = newStack();
    const integration = new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: importSecret(stack),
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      topics: [GenesysTopic.USER_PRESENCE],
    });
    expect(GenesysEventBridgeIntegration.isGenesysEventBridgeIntegration(integration)).toBe(true);
    expect(GenesysEventBridgeIntegration.isGenesysEventBridgeIntegration(stack)).toBe(false);
    expect(GenesysEventBridgeIntegration.isGenesysEventBridgeIntegration(undefined)).toBe(false);
    expect(GenesysEventBridgeIntegration.isGenesysEventBridgeIntegration({})).toBe(false);
  });
});

describe('the integration\'s secret', () => {
  test('is referenced by ARN when created in the stack: its value stays in Secrets Manager', () => {
    const { stack } = newStack();
    const secret = new secretsmanager.Secret(stack, 'Credentials');
    new GenesysEventBridgeIntegration(stack, 'Integration', {
      credentials: secret,
      genesysRegion: GenesysRegion.EU_CENTRAL_1,
      topics: [GenesysTopic.USER_PRESENCE],
    });
    Template.fromStack(stack).hasResourceProperties('Custom::GenesysEventBridgeIntegration', {
      SecretArn: { Ref: Match.stringLikeRegexp('^Credentials') },
    });
  });
});
