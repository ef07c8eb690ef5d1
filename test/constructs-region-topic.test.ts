import { Token } from 'aws-cdk-lib';
import { GenesysRegion, GenesysTopic } from '../lib';
import { GENESYS_DOMAINS } from '../lib/genesys-domains';
import { checkTopic } from '../lib/rules';

/** The static constants of a class that are instances of it. */
function constantsOf<T>(cls: abstract new (...args: never[]) => T): Map<string, T> {
  return new Map(Object.entries(cls)
    .filter((entry): entry is [string, T] => entry[1] instanceof cls));
}

describe('GenesysRegion', () => {
  const constants = constantsOf<GenesysRegion>(GenesysRegion as never);

  test('has one constant per Genesys region, named after its code', () => {
    const codes = Object.keys(GENESYS_DOMAINS);
    expect(constants.size).toBe(codes.length);
    for (const code of codes) {
      const name = code.toUpperCase().replace(/-/g, '_');
      expect(constants.get(name)?.regionCode).toBe(code);
    }
  });

  test('derives the API and login endpoints from the region\'s domain', () => {
    expect(GenesysRegion.EU_CENTRAL_1.apiEndpoint).toBe('https://api.mypurecloud.de');
    expect(GenesysRegion.EU_CENTRAL_1.loginEndpoint).toBe('https://login.mypurecloud.de');
    expect(GenesysRegion.US_EAST_2.apiEndpoint).toBe('https://api.use2.us-gov-pure.cloud');
    expect(GenesysRegion.EUSC_DE_EAST_1.loginEndpoint).toBe('https://login.edee1.eusc-pure.cloud');
  });

  test('renders a region as the GenesysRegion property alone', () => {
    expect(GenesysRegion.AP_SOUTHEAST_2._toProperties())
      .toEqual({ GenesysRegion: 'ap-southeast-2' });
  });

  test('of() accepts a known region code', () => {
    expect(GenesysRegion.of('ap-northeast-3').apiEndpoint).toBe('https://api.apne3.pure.cloud');
  });

  test('of() rejects an unknown region code, naming the value and the known codes', () => {
    expect(() => GenesysRegion.of('us-west-1')).toThrow(
      /GenesysRegion.of\(code\) must be a Genesys Cloud region \(one of us-east-1, .*got "us-west-1"/);
  });

  test('of() accepts a token and leaves the check to deploy time', () => {
    const region = GenesysRegion.of(Token.asString({ Ref: 'GenesysRegionParameter' }));
    expect(Token.isUnresolved(region.regionCode)).toBe(true);
    expect(region.apiEndpoint).toBeUndefined();
  });

  test('custom() renders the API endpoint and a distinct login endpoint', () => {
    const region = GenesysRegion.custom({
      apiEndpoint: 'https://api.genesys.example.test/',
      loginEndpoint: 'https://login.genesys.example.test',
    });
    expect(region.regionCode).toBeUndefined();
    expect(region._toProperties()).toEqual({
      GenesysApiEndpoint: 'https://api.genesys.example.test',
      GenesysLoginEndpoint: 'https://login.genesys.example.test',
    });
    expect(region.toString()).toBe('https://api.genesys.example.test');
  });

  test('custom() without a login endpoint leaves it to default to the API endpoint', () => {
    const region = GenesysRegion.custom({ apiEndpoint: 'http://127.0.0.1:8080' });
    expect(region.loginEndpoint).toBe('http://127.0.0.1:8080');
    expect(region._toProperties()).toEqual({ GenesysApiEndpoint: 'http://127.0.0.1:8080' });
  });

  test('custom() rejects an endpoint with a path, naming the property and the value', () => {
    expect(() => GenesysRegion.custom({ apiEndpoint: 'https://api.example.test/api/v2' })).toThrow(
      'GenesysRegion.custom(apiEndpoint) must be a base URL with no path, query or credentials, ' +
      'got "https://api.example.test/api/v2"');
    expect(() => GenesysRegion.custom({
      apiEndpoint: 'https://api.example.test',
      loginEndpoint: 'ftp://login.example.test',
    })).toThrow(/GenesysRegion.custom\(loginEndpoint\) must use https/);
  });

  test('custom() accepts token endpoints', () => {
    const endpoint = Token.asString({ Ref: 'ApiEndpoint' });
    expect(GenesysRegion.custom({ apiEndpoint: endpoint })._toProperties())
      .toEqual({ GenesysApiEndpoint: endpoint });
  });
});

describe('GenesysTopic', () => {
  const constants = constantsOf<GenesysTopic>(GenesysTopic as never);

  test.each([
    ['USER_PRESENCE', 'v2.users.{id}.presence'],
    ['USER_ROUTING_STATUS', 'v2.users.{id}.routingStatus'],
    ['USER_ACTIVITY', 'v2.users.{id}.activity'],
    ['USER_CONVERSATION_SUMMARY', 'v2.users.{id}.conversationsummary'],
    ['ROUTING_QUEUE_USERS', 'v2.routing.queues.{id}.users'],
    ['AUDITS', 'v2.audits.entitytype.{id}.entityid.{id}'],
    ['CONVERSATION_CUSTOMER_START', 'v2.detail.events.conversation.{id}.customer.start'],
    ['CONVERSATION_CUSTOMER_END', 'v2.detail.events.conversation.{id}.customer.end'],
    ['CONVERSATION_ACD_START', 'v2.detail.events.conversation.{id}.acd.start'],
    ['CONVERSATION_ACD_END', 'v2.detail.events.conversation.{id}.acd.end'],
    ['CONVERSATION_ACW', 'v2.detail.events.conversation.{id}.acw'],
    ['CONVERSATION_USER_START', 'v2.detail.events.conversation.{id}.user.start'],
    ['CONVERSATION_USER_END', 'v2.detail.events.conversation.{id}.user.end'],
    ['CONVERSATION_FLOW_START', 'v2.detail.events.conversation.{id}.flow.start'],
    ['CONVERSATION_FLOW_END', 'v2.detail.events.conversation.{id}.flow.end'],
    ['CONVERSATION_VOICEMAIL_START', 'v2.detail.events.conversation.{id}.voicemail.start'],
    ['CONVERSATION_VOICEMAIL_END', 'v2.detail.events.conversation.{id}.voicemail.end'],
    ['CONVERSATION_OUTBOUND', 'v2.detail.events.conversation.{id}.outbound'],
    ['CONVERSATION_CONTACT', 'v2.detail.events.conversation.{id}.contact'],
    ['CONVERSATION_ATTRIBUTES', 'v2.detail.events.conversation.{id}.attributes'],
    ['CONVERSATION_TRANSCRIPTION', 'v2.conversations.{id}.transcription'],
    ['ANALYTICS_CONVERSATION_METRICS', 'v2.analytics.conversation.{id}.metrics'],
    ['OPERATIONS_EVENTS', 'v2.operations.events.{id}'],
  ])('%s is %s', (constant, name) => {
    expect(constants.get(constant)?.name).toBe(name);
  });

  test('every constant is a valid topic and no two share a name', () => {
    const names = [...constants.values()].map((topic) => topic.name);
    expect(names.filter((name) => checkTopic(name) !== undefined)).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(23);
  });

  test('of() accepts any well-formed topic', () => {
    const topic = GenesysTopic.of('v2.routing.queues.{id}.conversations');
    expect(topic.name).toBe('v2.routing.queues.{id}.conversations');
    expect(topic.toString()).toBe('v2.routing.queues.{id}.conversations');
  });

  test.each([
    'users.{id}.presence',
    'v2.users.4b2c.presence extra',
    'v2..presence',
    'v2.users.{userId}.presence',
    '',
  ])('of() rejects the malformed topic %j, naming the value', (name) => {
    expect(() => GenesysTopic.of(name)).toThrow(
      'GenesysTopic.of(name) must be a Genesys notification topic such as ' +
      '"v2.users.{id}.presence"');
    expect(() => GenesysTopic.of(name)).toThrow(`got ${JSON.stringify(name)}`);
  });

  test('of() accepts a token and leaves the check to deploy time', () => {
    const name = Token.asString({ Ref: 'TopicParameter' });
    expect(GenesysTopic.of(name).name).toBe(name);
  });
});
