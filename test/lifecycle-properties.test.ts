import {
  parseDeleteProperties,
  parseProperties,
  PropertyError,
  tryParseSettings,
} from '../lib/lifecycle/properties-parse';
import { checkAccountId, checkRegion, checkSuffix, checkTopicFilter } from '../lib/rules';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys-AbCdEf';

function props(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:onEvent',
    SecretArn: SECRET_ARN,
    GenesysRegion: 'eu-west-1',
    AwsAccountId: '123456789012',
    AwsRegion: 'eu-west-1',
    EventSourceSuffix: 'prod',
    Topics: ['v2.users.{id}.presence', 'v2.routing.queues.{id}.users', 'v2.users.{id}.presence'],
    IntegrationName: 'Contact center',
    ...overrides,
  };
}

function problemsOf(raw: Record<string, unknown>): readonly string[] {
  try {
    parseProperties(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(PropertyError);
    return (error as PropertyError).problems;
  }
  throw new Error('the properties were accepted');
}

describe('parseProperties', () => {
  test('reads every property with its default', () => {
    expect(parseProperties(props())).toEqual({
      connection: {
        secretArn: SECRET_ARN,
        endpoints: {
          apiBaseUrl: 'https://api.mypurecloud.ie',
          loginBaseUrl: 'https://login.mypurecloud.ie',
        },
      },
      settings: {
        accountId: '123456789012',
        region: 'eu-west-1',
        suffix: 'prod',
        topics: ['v2.routing.queues.{id}.users', 'v2.users.{id}.presence'],
        name: 'Contact center',
        notes: '',
        enabled: true,
        removalPolicy: 'delete',
      },
    });
  });

  test('reads Notes, Enabled and RemovalPolicy as CloudFormation passes them', () => {
    const raw = props({ Notes: 'n', Enabled: 'false', RemovalPolicy: 'Retain' });

    const { settings } = parseProperties(raw);


    expect(settings).toMatchObject({ notes: 'n', enabled: false, removalPolicy: 'retain' });
  });

  test('prefers a custom endpoint, whose login endpoint defaults to it', () => {
    const raw = props({ GenesysApiEndpoint: 'https://api.example.test/' });

    const { connection } = parseProperties(raw);

    expect(connection.endpoints).toEqual({
      apiBaseUrl: 'https://api.example.test',
      loginBaseUrl: 'https://api.example.test',
    });
  });

  test('takes a separate login endpoint', () => {
    const { connection } = parseProperties(props({
      GenesysApiEndpoint: 'https://api.example.test',
      GenesysLoginEndpoint: 'https://login.example.test',
    }));

    expect(connection.endpoints.loginBaseUrl).toBe('https://login.example.test');
  });

  test.each([
    ['AwsAccountId', '12345', `${checkAccountId('12345')} (resource property AwsAccountId)`],
    ['AwsRegion', 'mars-1', `${checkRegion('mars-1')} (resource property AwsRegion)`],
    ['EventSourceSuffix', 'a/b', `${checkSuffix('a/b')} (resource property EventSourceSuffix)`],
    ['Topics', [], `${checkTopicFilter([])} (resource property Topics)`],
    ['Topics', ['v2.a.{id}', 'nope'], `${checkTopicFilter(['v2.a.{id}', 'nope'])} (resource property Topics)`],
  ])('refuses %s %j with the synth-time message', (property, value, message) => {
    expect(problemsOf(props({ [property]: value }))).toEqual([message]);
  });

  test.each([
    [{ SecretArn: 'my-secret' }, /^SecretArn must be the ARN of a Secrets Manager secret .*"my-secret"$/],
    [{ GenesysRegion: 'moon-1' }, /^genesysRegion must be a Genesys Cloud region .*\(resource property GenesysRegion\)$/],
    [{ GenesysRegion: undefined }, /^GenesysRegion or GenesysApiEndpoint must be set/],
    [{ GenesysApiEndpoint: 'ftp://x' }, /^GenesysApiEndpoint must use https/],
    [
      { GenesysApiEndpoint: 'https://a.test', GenesysLoginEndpoint: 'https://l.test/path' },
      /^GenesysLoginEndpoint must be a base URL/,
    ],
    [{ IntegrationName: ' ' }, /^IntegrationName must be a non-empty string, got " "$/],
    [{ Notes: 3 }, /^Notes must be a string, got 3$/],
    [{ Enabled: 'yes' }, /^Enabled must be "true" or "false", got "yes"$/],
    [{ RemovalPolicy: 'snapshot' }, /^RemovalPolicy must be "delete" or "retain", got "snapshot"$/],
  ])('refuses %j', (overrides, message) => {
    const problems = problemsOf(props(overrides));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  test('lists every problem in one error', () => {
    expect(() => parseProperties(props({ AwsAccountId: 'x', AwsRegion: 'y', Enabled: 'z' })))
      .toThrow(/^invalid resource properties: awsAccountId .*; awsRegion .*; Enabled must be/);
  });
});

describe('parseDeleteProperties', () => {
  test('ignores properties a Delete does not need', () => {
    expect(parseDeleteProperties(props({ Topics: 'broken', AwsAccountId: 'x' }))).toEqual({
      connection: expect.objectContaining({ secretArn: SECRET_ARN }),
      removalPolicy: 'delete',
    });
  });

  test('still needs the connection', () => {
    expect(() => parseDeleteProperties(props({ SecretArn: undefined })))
      .toThrow(/SecretArn must be/);
  });
});

describe('tryParseSettings', () => {
  test('gives undefined for properties that are no longer valid', () => {
    expect(tryParseSettings(props({ AwsAccountId: 'old' }))).toBeUndefined();
    expect(tryParseSettings(undefined)).toBeUndefined();
  });
});
