/**
 * The lifecycle handler end to end against the Genesys emulator, with EventBridge and Secrets
 * Manager mocked. The emulator's in-memory partner side stands for the AWS account: a partner
 * event source exists exactly when the emulator created it.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeEventSourceCommand,
  EventBridgeClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  EmulatorOptions,
  GenesysEmulator,
  InMemoryPartnerSide,
  RecordedRequest,
} from './support/genesys-emulator';
import {
  clearGenesysTokenCache,
  GenesysClient,
  GenesysRateLimitError,
} from '../lib/lifecycle/genesys-client';
import { Integration, IntegrationConfiguration } from '../lib/lifecycle/genesys-models';
import {
  clientSettings,
  createLifecycle,
  GenesysFactory,
  isComplete,
  IsCompleteEvent,
  Lifecycle,
  LifecycleEvent,
  LifecycleOptions,
  onEvent,
  OnEventResponse,
} from '../lib/lifecycle/handler';
import { setLogSink } from '../lib/lifecycle/log';
import { pendingName } from '../lib/lifecycle/plan';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const STACK_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/contact-center/` +
  '8e1f6c2a-1b7d-4c7e-9a51-3f0d2b6c4e10';
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:genesys-oauth-AbCdEf`;
const CLIENT_ID = 'lifecycle-client';
const CLIENT_SECRET = 'sEcReT-value-that-must-never-be-logged-9f8e7d';
const RESPONSE_URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/' +
  'arn%3Aaws%3Acloudformation/abc?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE' +
  '&X-Amz-Signature=5d41402abc4b2a76b9719d911017c592presignedsignature';
const PRESENCE = 'v2.users.{id}.presence';
const QUEUE_USERS = 'v2.routing.queues.{id}.users';
const SUFFIX = 'contact-center';
const SUFFIX_V2 = 'contact-center-v2';
const UUID = '[0-9a-f-]{36}';

const eventBridge = mockClient(EventBridgeClient);
const secretsManager = mockClient(SecretsManagerClient);

let emulator: GenesysEmulator;
let partnerSide: InMemoryPartnerSide;
let lines: string[];
let restoreSink: (line: string) => void;

async function startEmulator(options: EmulatorOptions = {}): Promise<void> {
  await emulator?.stop();
  partnerSide = new InMemoryPartnerSide();
  emulator = await GenesysEmulator.start({
    clients: { [CLIENT_ID]: CLIENT_SECRET },
    activationDelayMs: 3,
    propagationDelayMs: 3,
    partnerSide,
    ...options,
  });
}

function notFound(name: string): ResourceNotFoundException {
  const message = `Event source ${name} does not exist.`;
  return new ResourceNotFoundException({ message, $metadata: {} });
}

/** DescribeEventSource answered from the emulator's partner side, in the client's region. */
function describeFromPartnerSide(): void {
  eventBridge.on(DescribeEventSourceCommand).callsFake(async (input: { Name: string }, client) => {
    const region = await client().config.region();
    const source = partnerSide.find(input.Name);
    if (!source || source.region !== region) throw notFound(input.Name);
    return {
      Name: source.name,
      State: 'PENDING',
      Arn: `arn:aws:events:${region}::event-source/${source.name}`,
    };
  });
}

function lifecycle(options: LifecycleOptions = {}): Lifecycle {
  return createLifecycle({
    genesys: (connection, credentials, logger) => new GenesysClient({
      endpoints: connection.endpoints,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, budgetMs: 2000 },
      requestTimeoutMs: 2000,
      logger: (message, data) => logger.info(message, data),
    }),
    ...options,
  });
}

/** A Genesys client with a short per-attempt timeout, for answers that come too late. */
function fastTimeoutClient(timeoutMs: number, maxAttempts = 3): GenesysFactory {
  return (connection, credentials, logger) => new GenesysClient({
    endpoints: connection.endpoints,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 2, budgetMs: 5000 },
    requestTimeoutMs: timeoutMs,
    logger: (message, data) => logger.info(message, data),
  });
}

function properties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ServiceToken: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:provider-framework-onEvent`,
    SecretArn: SECRET_ARN,
    GenesysApiEndpoint: emulator.url,
    AwsAccountId: ACCOUNT,
    AwsRegion: 'us-east-1',
    EventSourceSuffix: SUFFIX,
    Topics: [PRESENCE],
    IntegrationName: 'Contact center events',
    Notes: 'routes presence to analytics',
    ...overrides,
  };
}

function createEvent(props: Record<string, unknown>, logicalId = 'Integration'): LifecycleEvent {
  return {
    RequestType: 'Create',
    StackId: STACK_ID,
    RequestId: randomUUID(),
    LogicalResourceId: logicalId,
    ResourceType: 'Custom::GenesysEventBridgeIntegration',
    ResponseURL: RESPONSE_URL,
    ResourceProperties: props,
  };
}

function updateEvent(physicalResourceId: string, props: Record<string, unknown>,
  oldProps: Record<string, unknown>): LifecycleEvent {
  return {
    ...createEvent(props),
    RequestType: 'Update',
    PhysicalResourceId: physicalResourceId,
    OldResourceProperties: oldProps,
  };
}

function deleteEvent(physicalResourceId: string, props: Record<string, unknown>): LifecycleEvent {
  return { ...createEvent(props), RequestType: 'Delete', PhysicalResourceId: physicalResourceId };
}

interface Outcome {
  physicalResourceId: string;
  data: Record<string, string>;
  answer: OnEventResponse;
}

/** Plays the Provider framework: onEvent, then isComplete until it is complete. */
async function deploy(handler: Lifecycle, event: LifecycleEvent): Promise<Outcome> {
  const answer = await handler.onEvent(JSON.parse(JSON.stringify(event)));
  return complete(handler, event, answer);
}

/** Polls isComplete as the Provider's waiter does, with the event merged with onEvent's answer. */
async function complete(handler: Lifecycle, event: LifecycleEvent,
  answer: OnEventResponse): Promise<Outcome> {
  const merged = { ...event, ...answer } as IsCompleteEvent;
  for (let polls = 1; polls <= 500; polls++) {
    const result = await handler.isComplete(JSON.parse(JSON.stringify(merged)));
    if (result.IsComplete) {
      const data = { ...answer.Data, ...result.Data } as Record<string, string>;
      return { physicalResourceId: answer.PhysicalResourceId, data, answer };
    }
    expect(result.Data).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error('isComplete never completed');
}

/**
 * onEvent of a Create of the default properties, once its integration is ACTIVE and the emulator
 * idle: the handler and the event its isComplete polls receive.
 */
async function startedAndActive(): Promise<{ handler: Lifecycle; event: IsCompleteEvent }> {
  const handler = lifecycle();
  const answer = await handler.onEvent(createEvent(properties()));
  await emulator.waitFor((all) => all[0]?.reportedState?.code === 'ACTIVE');
  await emulator.idle();
  return { handler, event: { ...createEvent(properties()), ...answer } as IsCompleteEvent };
}

/** A Create of the default properties (or these), carried to completion. */
function create(props = properties(), logicalId = 'Integration'): Promise<Outcome> {
  return deploy(lifecycle(), createEvent(props, logicalId));
}

/** An Update from `oldProps` to `props`, carried to completion. */
function update(id: string, props: Record<string, unknown>,
  oldProps = properties()): Promise<Outcome> {
  return deploy(lifecycle(), updateEvent(id, props, oldProps));
}

function configOf(id: string): IntegrationConfiguration {
  return emulator.integration(id)!.config!.current!;
}

function writeCalls() {
  return emulator.apiCalls().filter((r) => r.method !== 'GET');
}

function logged(): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line));
}

function loggedMessage(message: string): Array<Record<string, unknown>> {
  return logged().filter((line) => line.message === message);
}

function escaped(text: string): string {
  return text.replace(/[/.{}()]/g, '\\$&');
}

afterAll(async () => {
  await emulator.stop();
});

beforeEach(async () => {
  await startEmulator();
  eventBridge.reset();
  secretsManager.reset();
  secretsManager.on(GetSecretValueCommand).resolves({
    SecretString: JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
  });
  describeFromPartnerSide();
  lines = [];
  restoreSink = setLogSink((line) => lines.push(line));
});

afterEach(() => {
  setLogSink(restoreSink);
});

describe('Create', () => {
  test('creates, configures and enables the integration, then awaits ACTIVE and the source', async () => {
    const outcome = await create();

    const [integration] = emulator.integrations();
    const sourceName = emulator.partnerSourceName(SUFFIX);
    expect(outcome.physicalResourceId).toBe(integration.id);
    expect(outcome.data).toEqual({
      IntegrationId: integration.id,
      OrganizationId: emulator.organizationId,
      EventSourceName: sourceName,
      EventSourceArn: `arn:aws:events:us-east-1::event-source/${sourceName}`,
    });
    expect(integration.intendedState).toBe('ENABLED');
    expect(integration.reportedState?.code).toBe('ACTIVE');
    expect(integration.config?.current).toMatchObject({
      name: 'Contact center events',
      properties: {
        awsAccountId: ACCOUNT,
        awsAccountRegion: 'us-east-1',
        eventSourceSuffix: SUFFIX,
        eventFilter: [PRESENCE],
      },
      advanced: {},
      credentials: {},
      notes: 'routes presence to analytics\n' +
        `managed by cdk-genesys-eventbridge: ${STACK_ID}/Integration`,
    });
    expect(partnerSide.find(sourceName)).toEqual({
      name: sourceName,
      accountId: ACCOUNT,
      region: 'us-east-1',
    });
    expect(writeCalls().map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v2/integrations',
      `PUT /api/v2/integrations/${integration.id}/config/current`,
      `PATCH /api/v2/integrations/${integration.id}`,
    ]);
  });

  test('keeps waiting while the source is not found, and completes once it is PENDING', async () => {
    eventBridge.reset();
    eventBridge.on(DescribeEventSourceCommand)
      .rejectsOnce(notFound('x'))
      .rejectsOnce(notFound('x'))
      .resolves({ State: 'PENDING' });
    const handler = lifecycle();
    const answer = await handler.onEvent(createEvent(properties()));
    await emulator.waitFor((all) => all[0]?.reportedState?.code === 'ACTIVE');
    const event = { ...createEvent(properties()), ...answer } as IsCompleteEvent;

    const results = [];
    for (let i = 0; i < 3; i++) results.push((await handler.isComplete(event)).IsComplete);

    expect(results).toEqual([false, false, true]);
    expect(eventBridge.commandCalls(DescribeEventSourceCommand)[0].args[0].input)
      .toEqual({ Name: emulator.partnerSourceName(SUFFIX) });
  });

  test('accepts an ACTIVE source and waits through a DELETED one', async () => {
    eventBridge.reset();
    eventBridge.on(DescribeEventSourceCommand)
      .resolvesOnce({ State: 'DELETED' })
      .resolves({ State: 'ACTIVE' });
    const handler = lifecycle();
    const answer = await handler.onEvent(createEvent(properties()));
    await emulator.waitFor((all) => all[0]?.reportedState?.code === 'ACTIVE');
    const event = { ...createEvent(properties()), ...answer } as IsCompleteEvent;

    expect((await handler.isComplete(event)).IsComplete).toBe(false);
    expect((await handler.isComplete(event)).IsComplete).toBe(true);
  });

  test('treats a Genesys or AWS hiccup during the wait as not complete yet', async () => {
    const { handler, event } = await startedAndActive();
    emulator.inject({
      fault: { kind: 'status', status: 503 },
      match: { method: 'GET', path: /^\/api\/v2\/integrations\/[^/]+$/ },
      times: 3,
    });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    eventBridge.reset();
    eventBridge.on(DescribeEventSourceCommand).rejectsOnce(throttled).resolves({ State: 'PENDING' });

    const results = [];
    for (let i = 0; i < 3; i++) results.push((await handler.isComplete(event)).IsComplete);

    expect(results).toEqual([false, false, true]);
    expect(loggedMessage('check failed, retrying at the next poll').map((l) => l.error)).toEqual([
      expect.stringMatching(/^reading the integration failed: Genesys GET .* answered 503/),
      expect.stringMatching(/DescribeEventSource .* failed: ThrottlingException: Rate exceeded/),
    ]);
  });

  test('treats a throttled Secrets Manager during the wait as not complete yet', async () => {
    const { handler, event } = await startedAndActive();
    const throttled = Object.assign(new Error('Rate exceeded'),
      { name: 'ThrottlingException', $fault: 'client' });
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).rejectsOnce(throttled).resolves({
      SecretString: JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
    });

    expect((await handler.isComplete(event)).IsComplete).toBe(false);
    expect((await handler.isComplete(event)).IsComplete).toBe(true);
    expect(loggedMessage('check failed, retrying at the next poll').map((l) => l.error)).toEqual([
      expect.stringMatching(/GetSecretValue .* failed with ThrottlingException/),
    ]);
    expect(emulator.integrations()).toHaveLength(1);
  });

  test('completes a disabled create whose disable took effect although its answer was lost', async () => {
    const handler = lifecycle({ genesys: fastTimeoutClient(40, 1) });
    const answer = await handler.onEvent(createEvent(properties({ Enabled: 'false' })));
    emulator.inject({
      fault: { kind: 'delay', ms: 120 },
      match: { method: 'PATCH', path: /^\/api\/v2\/integrations\/[^/]+$/ },
      times: 1,
    });

    const event = { ...createEvent(properties({ Enabled: 'false' })), ...answer } as IsCompleteEvent;
    let lost = false;
    for (let polls = 0; !lost && polls < 500; polls++) {
      expect((await handler.isComplete(event)).IsComplete).toBe(false);
      lost = loggedMessage('check failed, retrying at the next poll').length > 0;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // The PATCH that timed out on the client's side lands: the integration is DISABLED now.
    await emulator.waitFor((all) => all[0]?.intendedState === 'DISABLED');

    expect((await handler.isComplete(event)).IsComplete).toBe(true);
    expect(loggedMessage('check failed, retrying at the next poll')).toEqual([
      expect.objectContaining({ error: expect.stringMatching(/^disabling the integration failed/) }),
    ]);
    expect(writeCalls().filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([
      { intendedState: 'ENABLED' },
      { intendedState: 'DISABLED' },
    ]);
  });

  test('fails on a lasting hiccup once the wait is over', async () => {
    let clock = 0;
    const handler = lifecycle({ now: () => clock, waitTimeoutMs: 1000 });
    const answer = await handler.onEvent(createEvent(properties()));
    const event = { ...createEvent(properties()), ...answer } as IsCompleteEvent;
    emulator.inject({
      fault: { kind: 'status', status: 503 },
      match: { method: 'GET', path: /^\/api\/v2\/integrations\/[^/]+$/ },
      times: Infinity,
    });

    clock = 1001;
    await expect(handler.isComplete(event)).rejects.toThrow(/answered 503.*was deleted/);
    expect(emulator.integrations()).toEqual([]);
  });

  test('creates a disabled integration enabled, awaits its source, then disables it', async () => {
    const outcome = await create(properties({ Enabled: 'false' }));

    expect(emulator.integration(outcome.physicalResourceId)?.intendedState).toBe('DISABLED');
    expect(partnerSide.find(emulator.partnerSourceName(SUFFIX))).toBeDefined();
    expect(writeCalls().filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([
      { intendedState: 'ENABLED' },
      { intendedState: 'DISABLED' },
    ]);
  });

  test('reads the endpoints of a Genesys region; a login endpoint defaults to the API one', async () => {
    const seen: unknown[] = [];
    const handler = createLifecycle({
      genesys: (connection) => {
        seen.push(connection.endpoints);
        throw new Error('stop here');
      },
    });
    const byRegion = properties({ GenesysApiEndpoint: undefined, GenesysRegion: 'eu-central-1' });

    await expect(handler.onEvent(createEvent(byRegion))).rejects.toThrow('stop here');
    await expect(handler.onEvent(createEvent(properties()))).rejects.toThrow('stop here');

    expect(seen).toEqual([
      { apiBaseUrl: 'https://api.mypurecloud.de', loginBaseUrl: 'https://login.mypurecloud.de' },
      { apiBaseUrl: emulator.url, loginBaseUrl: emulator.url },
    ]);
  });

  test('skips the source check when the source goes to another AWS account', async () => {
    const outcome = await create(properties({ AwsAccountId: OTHER_ACCOUNT }));

    expect(outcome.data.EventSourceName).toBe(emulator.partnerSourceName(SUFFIX));
    expect(eventBridge.commandCalls(DescribeEventSourceCommand)).toHaveLength(0);
    expect(loggedMessage('partner source not verifiable from this account')).toHaveLength(1);
  });
});

describe('validation before anything is created', () => {
  async function refused(props: Record<string, unknown>, message: RegExp): Promise<void> {
    await expect(lifecycle().onEvent(createEvent(props))).rejects.toThrow(message);
    expect(writeCalls()).toEqual([]);
    expect(emulator.integrations()).toEqual([]);
  }

  test('refuses an invalid AWS account id with the synth-time message', async () => {
    await refused(properties({ AwsAccountId: '1234' }), new RegExp(escaped(
      'awsAccountId must be exactly 12 digits (an AWS account id), got "1234" ' +
      '(resource property AwsAccountId)')));
    expect(emulator.requests).toEqual([]);
  });

  test('refuses a region without EventBridge', async () => {
    await refused(properties({ AwsRegion: 'us-east-9' }),
      /awsRegion must be an AWS region where EventBridge exists/);
  });

  test('refuses an invalid suffix', async () => {
    await refused(properties({ EventSourceSuffix: 'has space' }),
      /eventSourceSuffix may only contain the characters A-Z a-z 0-9 \. - _, got "has space"/);
  });

  test('refuses a malformed topic', async () => {
    await refused(properties({ Topics: ['users.presence'] }),
      /topics\[0\] must be a Genesys notification topic/);
  });

  test('refuses a topic the organization does not offer', async () => {
    await refused(properties({ Topics: ['v2.users.{id}.presense'] }), new RegExp(escaped(
      'Create refused, nothing was changed in Genesys Cloud: topics: "v2.users.{id}.presense" ' +
      'is not a notification topic')));
  });

  test('refuses a topic without the EventBridge transport', async () => {
    await refused(properties({ Topics: ['v2.users.{id}.conversations.calls'] }), new RegExp(escaped(
      '"v2.users.{id}.conversations.calls" cannot be sent to EventBridge ' +
      '(its transports are Websocket)')));
  });

  test('refuses a suffix that another active integration of the organization uses', async () => {
    const other = await create(properties({ IntegrationName: 'theirs' }), 'SomeoneElse');
    const before = writeCalls().length;

    await expect(lifecycle().onEvent(createEvent(properties()))).rejects.toThrow(new RegExp(
      escaped(`eventSourceSuffix "${SUFFIX}" is already used by the active EventBridge ` +
        `integration "theirs" (${other.physicalResourceId})`)));
    expect(writeCalls()).toHaveLength(before);
  });

  test('refuses when the organization already has the most integrations it allows', async () => {
    await startEmulator({ maxIntegrations: 1 });
    await create(properties({ EventSourceSuffix: 'first' }), 'First');
    const before = writeCalls().length;

    await expect(lifecycle({ maxIntegrations: 1 }).onEvent(createEvent(properties()))).rejects
      .toThrow(/already has 1 EventBridge integrations and allows at most 1: delete an unused one/);
    expect(writeCalls()).toHaveLength(before);
  });

  test('explains the limit when Genesys refuses a new integration below the expected limit', async () => {
    await startEmulator({ maxIntegrations: 1 });
    await create(properties({ EventSourceSuffix: 'first' }), 'First');

    await expect(lifecycle().onEvent(createEvent(properties()))).rejects.toThrow(
      /^Create refused, nothing was changed in Genesys Cloud: the Genesys organization already has 1/);
    expect(emulator.integrations()).toHaveLength(1);
  });

  test('refuses a secret without clientSecret, without echoing its content', async () => {
    secretsManager.on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ clientId: 'x-visible-id' }) });

    const error = await lifecycle().onEvent(createEvent(properties())).catch((e: Error) => e);

    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`the secret ${SECRET_ARN} lacks clientSecret`));
    expect(message).not.toContain('x-visible-id');
    expect(emulator.requests).toEqual([]);
  });
});

describe('no orphans', () => {
  /** A client with a generous budget that keeps to the deadline the handler gives it. */
  const deadlineAware: GenesysFactory = (connection, credentials, logger, _handler, deadline) =>
    new GenesysClient({
      endpoints: connection.endpoints,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      retry: { maxAttempts: 1000, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 60_000 },
      requestTimeoutMs: 2000,
      deadline,
      logger: (message, data) => logger.info(message, data),
    });

  /** A Lambda context whose function times out `ms` from now. */
  const timingOutIn = (ms: number) => {
    const end = Date.now() + ms;
    return { end, context: { getRemainingTimeInMillis: () => end - Date.now() } };
  };

  test('stops retrying in time to delete its integration before the function times out', async () => {
    emulator.inject({
      fault: { kind: 'status', status: 503 },
      match: { method: 'PUT', path: /\/config\/current$/ },
      times: Infinity,
    });
    const { end, context } = timingOutIn(1600);

    const error = await lifecycle({ genesys: deadlineAware })
      .onEvent(createEvent(properties()), context).catch((e: Error) => e);

    expect((error as Error).message).toMatch(new RegExp('^writing the configuration failed: ' +
      `Genesys PUT .*; integration ${UUID} was deleted so that nothing is left behind$`));
    expect(emulator.integrations()).toEqual([]);
    // Every call, the delete included, started before the function would have been stopped.
    expect(emulator.requests.filter((r) => r.startedAt >= end)).toEqual([]);
    expect(emulator.requests.filter((r) => r.method === 'DELETE').map((r) => r.status))
      .toEqual([200]);
  });

  test('makes no call with no time left, and a poll without time is not complete yet', async () => {
    const handler = lifecycle({ genesys: deadlineAware });
    const answer = await handler.onEvent(createEvent(properties()));
    const event = { ...createEvent(properties()), ...answer } as IsCompleteEvent;
    emulator.requests.length = 0;

    const result = await handler.isComplete(event, { getRemainingTimeInMillis: () => 0 });

    expect(result.IsComplete).toBe(false);
    expect(emulator.requests).toEqual([]);
    expect(loggedMessage('check failed, retrying at the next poll')).toEqual([
      expect.objectContaining({ error: expect.stringMatching(/no time left/) }),
    ]);
  });

  test('deletes the new integration when Genesys reports ERROR, naming reason and integration', async () => {
    emulator.inject({ fault: { kind: 'activationError', message: 'Invalid AWS account id "1".' } });

    const error = await create().catch((e: Error) => e);

    expect((error as Error).message).toMatch(new RegExp(
      `^Genesys Cloud reported ERROR while activating integration ${UUID}: ` +
      `Invalid AWS account id "1"\\.; integration ${UUID} was deleted`));
    expect(emulator.integrations()).toEqual([]);
  });

  test('deletes the new integration when its partner source does not appear in time', async () => {
    emulator.inject({ fault: { kind: 'noPartnerSource' } });
    // The wait runs out on a clock of its own once the integration is ACTIVE, however slowly the
    // machine lets the emulator activate it.
    let clock = 0;
    const handler = lifecycle({ now: () => clock, waitTimeoutMs: 40 });
    const answer = await handler.onEvent(createEvent(properties()));
    await emulator.waitFor((all) => all[0]?.reportedState?.code === 'ACTIVE');
    await emulator.idle();
    clock = 41;

    const error = await complete(handler, createEvent(properties()), answer)
      .catch((e: Error) => e);

    expect((error as Error).message).toMatch(new RegExp(
      `^the partner event source ${escaped(emulator.partnerSourceName(SUFFIX))} did not appear ` +
      `in account ${ACCOUNT}, region us-east-1 within 0 s \\(last state NOT_FOUND\\).*` +
      'was deleted so that nothing is left behind$'));
    expect(emulator.integrations()).toEqual([]);
  });

  test('gives up on an activation that never ends, counting from the start of onEvent', async () => {
    await startEmulator({ activationDelayMs: 600_000 });
    let clock = 1_000_000;
    const handler = lifecycle({ now: () => clock, waitTimeoutMs: 60_000 });
    const answer = await handler.onEvent(createEvent(properties()));
    const event = { ...createEvent(properties()), ...answer } as IsCompleteEvent;

    clock += 60_000;
    await expect(handler.isComplete(event)).resolves.toEqual({ IsComplete: false });
    clock += 1;
    await expect(handler.isComplete(event)).rejects.toThrow(
      /did not become ACTIVE within 60 s \(reportedState ACTIVATING\).*was deleted so that/);
    expect(emulator.integrations()).toEqual([]);
  });

  test('deletes the integration when a write after its creation fails', async () => {
    emulator.inject({
      fault: { kind: 'status', status: 403, message: 'Missing permission integration:edit' },
      match: { method: 'PUT' },
    });

    await expect(lifecycle().onEvent(createEvent(properties()))).rejects.toThrow(new RegExp(
      '^writing the configuration failed: Genesys PUT .* answered 403: Missing permission.*' +
      'was deleted so that nothing is left behind$'));
    expect(emulator.integrations()).toEqual([]);
    expect(writeCalls().map((r) => r.method)).toEqual(['POST', 'PUT', 'DELETE']);
  });

  test('throws a short error for CloudFormation and logs where it happened', async () => {
    emulator.inject({ fault: { kind: 'status', status: 403 }, match: { method: 'PUT' } });

    const error = await lifecycle().onEvent(createEvent(properties())).catch((e: Error) => e);

    expect((error as Error).stack).toBe(`Error: ${(error as Error).message}`);
    const [failed] = loggedMessage('event failed');
    expect(failed).toMatchObject({ level: 'error', error: (error as Error).message });
    expect(failed.stack).toEqual(expect.arrayContaining([expect.stringMatching(/^at /)]));
  });

  test('does not create a second integration when the same Create arrives twice', async () => {
    const handler = lifecycle();
    const event = createEvent(properties());

    const first = await handler.onEvent(event);
    const second = await deploy(handler, { ...event, RequestId: randomUUID() });

    expect(second.physicalResourceId).toBe(first.PhysicalResourceId);
    expect(emulator.integrations()).toHaveLength(1);
    expect(writeCalls().filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(loggedMessage('plan decided').map((l) => l.action)).toEqual(['create', 'adopt']);
  });

  test('deletes the duplicate a create answered after the client timed out leaves', async () => {
    const post = { method: 'POST', path: '/api/v2/integrations' };
    emulator.inject({ fault: { kind: 'delay', ms: 150 }, match: post });
    const handler = lifecycle({ genesys: fastTimeoutClient(60), minSettleMs: 200 });

    const outcome = await deploy(handler, createEvent(properties()));
    await emulator.idle();

    expect(emulator.integrations().map((i) => i.id)).toEqual([outcome.physicalResourceId]);
    expect(writeCalls().filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(loggedMessage('duplicate integration deleted')).toHaveLength(1);
  });

  test('adopts the integration a create made although every attempt timed out', async () => {
    const post = { method: 'POST', path: '/api/v2/integrations' };
    // The first attempt lands soon after the client gave up, the second later, while
    // isComplete still watches for late duplicates.
    emulator.inject({ fault: { kind: 'delay', ms: 130 }, match: post });
    emulator.inject({ fault: { kind: 'delay', ms: 220 }, match: post });
    const handler = lifecycle({ genesys: fastTimeoutClient(100, 2), minSettleMs: 400 });

    const outcome = await deploy(handler, createEvent(properties()));
    await emulator.idle();

    expect(loggedMessage('integration found after a failed create')).toEqual([
      expect.objectContaining({
        error: expect.stringMatching(/POST \/api\/v2\/integrations got no answer/),
      }),
    ]);
    expect(loggedMessage('duplicate integration deleted')).toHaveLength(1);
    expect(emulator.integrations().map((i) => i.id)).toEqual([outcome.physicalResourceId]);
    expect(configOf(outcome.physicalResourceId).name).toBe('Contact center events');
  });

  test('adopts an integration a crashed earlier delivery created but never configured', async () => {
    const marker = `managed by cdk-genesys-eventbridge: ${STACK_ID}/Integration`;
    const raw = new GenesysClient({
      endpoints: { apiBaseUrl: emulator.url, loginBaseUrl: emulator.url },
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    const leftover = await raw.createIntegration(pendingName(marker, SUFFIX));
    emulator.requests.length = 0;

    const outcome = await create();

    expect(outcome.physicalResourceId).toBe(leftover.id);
    expect(writeCalls().filter((r) => r.method === 'POST')).toEqual([]);
    expect(configOf(leftover.id!).name).toBe('Contact center events');
  });

  test('lets the Delete that follows a failed Create succeed', async () => {
    emulator.inject({ fault: { kind: 'activationError', message: 'activation refused' } });
    const handler = lifecycle();
    const answer = await handler.onEvent(createEvent(properties()));
    const id = answer.PhysicalResourceId;
    await expect(complete(handler, createEvent(properties()), answer)).rejects.toThrow(/refused/);

    await expect(handler.onEvent(deleteEvent(id, properties())))
      .resolves.toEqual({ PhysicalResourceId: id });
    expect(loggedMessage('integration already gone')).toEqual([
      expect.objectContaining({ integrationId: id, status: 404 }),
    ]);
  });
});

describe('Update', () => {
  async function created(): Promise<Outcome> {
    const outcome = await create();
    emulator.requests.length = 0;
    partnerSide.operations.length = 0;
    return outcome;
  }

  test('changes name, notes and topics in place with the fresh version, no new source', async () => {
    const before = await created();
    const version = configOf(before.physicalResourceId).version;
    const props = properties({
      IntegrationName: 'Renamed',
      Notes: 'new notes',
      Topics: [QUEUE_USERS, PRESENCE],
    });

    const outcome = await update(before.physicalResourceId, props);

    expect(outcome.physicalResourceId).toBe(before.physicalResourceId);
    expect(outcome.answer.Lifecycle).toBeUndefined();
    expect(outcome.data).toEqual(before.data);
    expect(configOf(before.physicalResourceId)).toMatchObject({
      name: 'Renamed',
      version: version + 1,
      notes: expect.stringMatching(/^new notes\nmanaged by cdk-genesys-eventbridge: /),
      properties: { eventFilter: [QUEUE_USERS, PRESENCE] },
    });
    expect(emulator.integration(before.physicalResourceId)?.reportedState?.code).toBe('ACTIVE');
    expect(partnerSide.operations).toEqual([]);
    expect(writeCalls().map((r) => r.method)).toEqual(['PUT']);
  });

  test('re-reads and re-writes the configuration after a version conflict', async () => {
    const before = await created();
    emulator.inject({ fault: { kind: 'versionConflict' } });

    await update(before.physicalResourceId, properties({ Topics: [QUEUE_USERS] }));

    expect(configOf(before.physicalResourceId).properties)
      .toMatchObject({ eventFilter: [QUEUE_USERS] });
    expect(writeCalls().map((r) => `${r.method} ${r.status}`)).toEqual(['PUT 409', 'PUT 200']);
    expect(loggedMessage('configuration version conflict')).toEqual([
      expect.objectContaining({ attempt: 1 }),
    ]);
  });

  test('disables and enables in place', async () => {
    const before = await created();
    const id = before.physicalResourceId;

    await update(id, properties({ Enabled: 'false' }));
    expect(emulator.integration(id)?.intendedState).toBe('DISABLED');

    await update(id, properties(), properties({ Enabled: 'false' }));
    expect(emulator.integration(id)?.intendedState).toBe('ENABLED');
    expect(emulator.integration(id)?.reportedState?.code).toBe('ACTIVE');
    expect(partnerSide.operations).toEqual([]);
  });

  test('does nothing when nothing that reaches Genesys changed', async () => {
    const before = await created();

    const props = properties({ RemovalPolicy: 'retain' });

    const outcome = await update(before.physicalResourceId, props);

    expect(outcome.physicalResourceId).toBe(before.physicalResourceId);
    expect(writeCalls()).toEqual([]);
  });

  test('replaces the integration when the suffix changes, make-before-break', async () => {
    const before = await created();

    const props = properties({ EventSourceSuffix: SUFFIX_V2 });

    const outcome = await update(before.physicalResourceId, props);

    expect(outcome.physicalResourceId).not.toBe(before.physicalResourceId);
    expect(outcome.data.EventSourceName).toBe(emulator.partnerSourceName(SUFFIX_V2));
    expect(emulator.integration(before.physicalResourceId)?.reportedState?.code).toBe('ACTIVE');
    expect(partnerSide.find(emulator.partnerSourceName(SUFFIX))).toBeDefined();
    expect(partnerSide.find(emulator.partnerSourceName(SUFFIX_V2))).toBeDefined();

    // CloudFormation deletes the old physical id once the stack update succeeded.
    await deploy(lifecycle(), deleteEvent(before.physicalResourceId, properties()));
    expect(emulator.integrations().map((i) => i.id)).toEqual([outcome.physicalResourceId]);
  });

  test.each([
    ['knowing the limit', 1],
    ['learning the limit from the refusal of Genesys', undefined],
  ])('re-activates in place with a warning when the organization is full (%s)', async (_, max) => {
    await startEmulator({ maxIntegrations: 1 });
    const before = await created();
    const event = updateEvent(before.physicalResourceId,
      properties({ EventSourceSuffix: SUFFIX_V2 }), properties());

    const outcome = await deploy(lifecycle({ maxIntegrations: max }), event);

    expect(outcome.physicalResourceId).toBe(before.physicalResourceId);
    expect(outcome.data.EventSourceName).toBe(emulator.partnerSourceName(SUFFIX_V2));
    expect(partnerSide.find(emulator.partnerSourceName(SUFFIX))).toBeUndefined();
    expect(partnerSide.find(emulator.partnerSourceName(SUFFIX_V2))).toBeDefined();
    const [warning] = loggedMessage('re-activating in place, events pause meanwhile');
    expect(warning).toMatchObject({
      level: 'warn',
      warning: expect.stringMatching(/events pause until the new partner event source exists/),
    });
  });

  test('re-activates in place when the region changes, awaiting the source there', async () => {
    const before = await created();

    const outcome = await update(before.physicalResourceId, properties({ AwsRegion: 'eu-west-1' }));

    expect(outcome.physicalResourceId).toBe(before.physicalResourceId);
    expect(outcome.data.EventSourceArn)
      .toBe(`arn:aws:events:eu-west-1::event-source/${outcome.data.EventSourceName}`);
    expect(partnerSide.operations.map((o) => `${o.op} ${o.source.region}`))
      .toEqual(['delete us-east-1', 'create eu-west-1']);
    expect(emulator.integration(before.physicalResourceId)?.reportedState?.code).toBe('ACTIVE');
  });

  test('re-activates in place when the account changes', async () => {
    const before = await created();

    const props = properties({ AwsAccountId: OTHER_ACCOUNT });

    const outcome = await update(before.physicalResourceId, props);
    await emulator.idle();

    expect(outcome.physicalResourceId).toBe(before.physicalResourceId);
    expect(partnerSide.find(outcome.data.EventSourceName)?.accountId).toBe(OTHER_ACCOUNT);
  });

  test('fails a re-activation ending in ERROR, keeping the integration CloudFormation tracks', async () => {
    const before = await created();
    emulator.inject({ fault: { kind: 'activationError', message: 'Invalid AWS region "x".' } });

    await expect(update(before.physicalResourceId, properties({ AwsRegion: 'eu-west-1' })))
      .rejects.toThrow(/reported ERROR while activating integration .*: Invalid AWS region "x"\.$/);
    expect(emulator.integration(before.physicalResourceId)).toBeDefined();
  });

  test('activates an integration left in ERROR again on the next deployment', async () => {
    const before = await created();
    const id = before.physicalResourceId;
    emulator.inject({ fault: { kind: 'activationError', message: 'Invalid AWS region "x".' } });
    await expect(update(id, properties({ AwsRegion: 'eu-west-1' }))).rejects.toThrow(/ERROR/);
    expect(emulator.integration(id)).toMatchObject({
      intendedState: 'ENABLED', reportedState: { code: 'ERROR' },
    });
    emulator.requests.length = 0;

    // A later deployment that keeps the destination finds it ENABLED but not running: a PATCH
    // ENABLED alone would change nothing.
    const inEuWest = properties({ AwsRegion: 'eu-west-1' });
    const redeployed = await update(id, { ...inEuWest, Topics: [PRESENCE, QUEUE_USERS] }, inEuWest);

    expect(redeployed.physicalResourceId).toBe(id);
    expect(emulator.integration(id)?.reportedState?.code).toBe('ACTIVE');
    expect(writeCalls().filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([
      { intendedState: 'DISABLED' },
      { intendedState: 'ENABLED' },
    ]);
    expect(partnerSide.find(emulator.partnerSourceName(SUFFIX))?.region).toBe('eu-west-1');
  });
});

describe('rollback (old and new properties swapped)', () => {
  test('returns to the previous generation after a replacement', async () => {
    const first = await create();
    const v2 = properties({ EventSourceSuffix: SUFFIX_V2 });
    const replaced = await update(first.physicalResourceId, v2);

    const rolledBack = await update(replaced.physicalResourceId, properties(), v2);
    await deploy(lifecycle(), deleteEvent(replaced.physicalResourceId, v2));

    expect(rolledBack.physicalResourceId).toBe(first.physicalResourceId);
    expect(rolledBack.data).toEqual(first.data);
    expect(emulator.integrations().map((i) => i.id)).toEqual([first.physicalResourceId]);
  });

  test('deletes a failed replacement, and the rollback keeps the original', async () => {
    const first = await create();
    const v2 = properties({ EventSourceSuffix: SUFFIX_V2 });
    emulator.inject({ fault: { kind: 'activationError', message: 'activation refused' } });

    await expect(update(first.physicalResourceId, v2)).rejects.toThrow(/was deleted/);
    const rolledBack = await update(first.physicalResourceId, properties(), v2);

    expect(rolledBack.physicalResourceId).toBe(first.physicalResourceId);
    expect(emulator.integrations().map((i) => i.id)).toEqual([first.physicalResourceId]);
    expect(emulator.integration(first.physicalResourceId)?.reportedState?.code).toBe('ACTIVE');
  });

  test('writes the old topics back after an in-place update', async () => {
    const first = await create();
    const v2 = properties({ Topics: [QUEUE_USERS] });
    await update(first.physicalResourceId, v2);

    const rolledBack = await update(first.physicalResourceId, properties(), v2);

    expect(rolledBack.physicalResourceId).toBe(first.physicalResourceId);
    expect(configOf(first.physicalResourceId).properties)
      .toMatchObject({ eventFilter: [PRESENCE] });
  });

  test('re-activates with the old region after a failed re-activation', async () => {
    const first = await create();
    const v2 = properties({ AwsRegion: 'eu-west-1' });
    emulator.inject({ fault: { kind: 'activationError', message: 'activation refused' } });
    await expect(update(first.physicalResourceId, v2)).rejects.toThrow(/activation refused/);

    const rolledBack = await update(first.physicalResourceId, properties(), v2);

    expect(rolledBack.physicalResourceId).toBe(first.physicalResourceId);
    expect(emulator.integration(first.physicalResourceId)?.reportedState?.code).toBe('ACTIVE');
    expect(configOf(first.physicalResourceId).properties)
      .toMatchObject({ awsAccountRegion: 'us-east-1' });
    expect(partnerSide.find(first.data.EventSourceName)?.region).toBe('us-east-1');
  });
});

describe('Delete', () => {
  test('deletes the integration, and its partner source goes with it', async () => {
    const first = await create();

    const outcome = await deploy(lifecycle(), deleteEvent(first.physicalResourceId, properties()));

    expect(outcome.physicalResourceId).toBe(first.physicalResourceId);
    expect(emulator.integrations()).toEqual([]);
    await emulator.idle();
    expect(partnerSide.find(first.data.EventSourceName)).toBeUndefined();
  });

  test('succeeds and logs when the integration is already gone', async () => {
    const first = await create();
    const event = deleteEvent(first.physicalResourceId, properties());
    await deploy(lifecycle(), event);

    await expect(lifecycle().onEvent(event))
      .resolves.toEqual({ PhysicalResourceId: first.physicalResourceId });
    expect(loggedMessage('integration already gone')).toEqual([
      expect.objectContaining({
        integrationId: first.physicalResourceId,
        status: 404,
        requestType: 'Delete',
      }),
    ]);
  });

  test('leaves the integration in place when the removal policy is retain', async () => {
    const props = properties({ RemovalPolicy: 'retain' });
    const first = await create(props);
    emulator.requests.length = 0;

    await deploy(lifecycle(), deleteEvent(first.physicalResourceId, props));

    expect(emulator.integration(first.physicalResourceId)).toBeDefined();
    expect(emulator.requests).toEqual([]);
  });

  test('succeeds without calling Genesys for a physical id that is no integration id', async () => {
    for (const id of ['AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', 'a1b2c3d4']) {
      await expect(lifecycle().onEvent(deleteEvent(id, properties())))
        .resolves.toEqual({ PhysicalResourceId: id });
    }

    expect(emulator.requests).toEqual([]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  test('succeeds for a physical id that is no integration id even with unusable properties', async () => {
    await expect(lifecycle().onEvent(deleteEvent('not-an-id', { SecretArn: 'nope' })))
      .resolves.toEqual({ PhysicalResourceId: 'not-an-id' });
  });

  test('names the Genesys call and status when the delete is refused', async () => {
    const first = await create();
    emulator.inject({
      fault: { kind: 'status', status: 403, message: 'Missing permission integration:delete' },
      match: { method: 'DELETE' },
    });

    await expect(lifecycle().onEvent(deleteEvent(first.physicalResourceId, properties())))
      .rejects.toThrow(new RegExp('^deleting the integration failed: Genesys DELETE ' +
        '/api/v2/integrations/.* answered 403: Missing permission'));
  });
});

describe('Genesys calls per operation', () => {
  const ORG = 'GET /api/v2/organizations/me';
  const LIST = 'GET /api/v2/integrations';
  const CATALOG = 'GET /api/v2/notifications/availabletopics';
  const READ = 'GET /api/v2/integrations/{id}';
  const READ_CONFIG = 'GET /api/v2/integrations/{id}/config/current';
  const POST = 'POST /api/v2/integrations';
  const PUT = 'PUT /api/v2/integrations/{id}/config/current';
  const PATCH = 'PATCH /api/v2/integrations/{id}';
  const DELETE = 'DELETE /api/v2/integrations/{id}';

  /** The API calls (token calls apart) of each invocation: onEvent's, then each isComplete's. */
  interface Calls {
    readonly onEvent: string[];
    readonly polls: string[][];
  }

  function route(request: RecordedRequest): string {
    return `${request.method} ${request.path.replace(new RegExp(UUID, 'g'), '{id}')}`;
  }

  /** The handler, with the calls it makes recorded per invocation. */
  function counted(handler: Lifecycle): { handler: Lifecycle; calls: Calls } {
    const calls: Calls = { onEvent: [], polls: [] };
    async function during<T>(sink: string[], work: () => Promise<T>): Promise<T> {
      const before = emulator.apiCalls().length;
      try {
        return await work();
      } finally {
        sink.push(...emulator.apiCalls().slice(before).map(route));
      }
    }
    return {
      calls,
      handler: {
        onEvent: (event) => during(calls.onEvent, () => handler.onEvent(event)),
        isComplete: (event) => {
          const poll: string[] = [];
          calls.polls.push(poll);
          return during(poll, () => handler.isComplete(event));
        },
      },
    };
  }

  /**
   * Carries an event to completion and returns the calls it took, from cold functions: the
   * client's token and organization caches are cleared first, unless the function is warm.
   */
  async function callsOf(event: LifecycleEvent, handler = lifecycle(),
    warm = false): Promise<Calls> {
    await emulator.idle();
    if (!warm) clearGenesysTokenCache();
    const run = counted(handler);
    await deploy(run.handler, event);
    return run.calls;
  }

  test('creates an integration with six Genesys API calls, then one read per poll', async () => {
    const calls = await callsOf(createEvent(properties()));

    expect(calls.onEvent).toEqual([ORG, LIST, CATALOG, POST, PUT, PATCH]);
    expect(calls.polls.length).toBeGreaterThan(0);
    for (const poll of calls.polls) expect(poll).toEqual([READ]);
  });

  test('changes topics with three calls when a topic is removed', async () => {
    const both = properties({ Topics: [PRESENCE, QUEUE_USERS] });
    const first = await create(both);

    const calls = await callsOf(updateEvent(first.physicalResourceId, properties(), both));

    expect(calls.onEvent).toEqual([ORG, READ, PUT]);
    expect(calls.polls.flat()).toEqual([]);
    expect(configOf(first.physicalResourceId).properties)
      .toMatchObject({ eventFilter: [PRESENCE] });
  });

  test('changes topics with four calls when a topic is added, checking that topic', async () => {
    const first = await create();
    const both = properties({ Topics: [PRESENCE, QUEUE_USERS] });

    const calls = await callsOf(updateEvent(first.physicalResourceId, both, properties()));

    expect(calls.onEvent).toEqual([ORG, READ, CATALOG, PUT]);
    expect(calls.polls.flat()).toEqual([]);
  });

  test('changes topics with three calls in a warm function, which knows the organization', async () => {
    const first = await create();
    const both = properties({ Topics: [PRESENCE, QUEUE_USERS] });

    const calls = await callsOf(updateEvent(first.physicalResourceId, both, properties()),
      lifecycle(), true);

    expect(calls.onEvent).toEqual([READ, CATALOG, PUT]);
    expect(emulator.apiCalls().filter((r) => r.path === '/api/v2/organizations/me')).toHaveLength(1);
  });

  test('renames with three calls, writing the version the integration read returned', async () => {
    const first = await create();
    const version = configOf(first.physicalResourceId).version;
    const renamed = properties({ IntegrationName: 'Renamed' });

    const calls = await callsOf(updateEvent(first.physicalResourceId, renamed, properties()));

    expect(calls.onEvent).toEqual([ORG, READ, PUT]);
    expect(configOf(first.physicalResourceId))
      .toMatchObject({ name: 'Renamed', version: version + 1 });
  });

  test('replaces on a suffix change with five calls, then deletes the old with one', async () => {
    const first = await create();
    const v2 = properties({ EventSourceSuffix: SUFFIX_V2 });

    const replaced = await callsOf(updateEvent(first.physicalResourceId, v2, properties()));
    const removed = await callsOf(deleteEvent(first.physicalResourceId, properties()));

    expect(replaced.onEvent).toEqual([ORG, LIST, POST, PUT, PATCH]);
    for (const poll of replaced.polls) expect(poll).toEqual([READ]);
    expect(removed.onEvent).toEqual([DELETE]);
    expect(emulator.integrations()).toHaveLength(1);
  });

  test('deletes an integration with one call', async () => {
    const first = await create();

    const calls = await callsOf(deleteEvent(first.physicalResourceId, properties()));

    expect([...calls.onEvent, ...calls.polls.flat()]).toEqual([DELETE]);
  });

  test('lists the organization again only after a create with an unknown outcome', async () => {
    const post = { method: 'POST', path: '/api/v2/integrations' };
    emulator.inject({ fault: { kind: 'status', status: 503 }, match: post });

    const calls = await callsOf(createEvent(properties()), lifecycle({ minSettleMs: 5 }));

    expect(calls.onEvent).toEqual([ORG, LIST, CATALOG, POST, POST, LIST, PUT, PATCH]);
    expect(calls.polls[calls.polls.length - 1]).toEqual([READ, LIST]);
    expect(emulator.integrations()).toHaveLength(1);
  });

  test('reads the configuration only after Genesys refuses the version it was given', async () => {
    emulator.inject({ fault: { kind: 'versionConflict' } });

    const calls = await callsOf(createEvent(properties()));

    expect(calls.onEvent).toEqual([ORG, LIST, CATALOG, POST, PUT, READ_CONFIG, PUT, PATCH]);
  });

  test('reads the version when a new configuration does not start at the first one', async () => {
    // A Genesys that numbers a new configuration 2, and refuses a stale version in words the
    // client does not take for a version conflict.
    class LaterVersionClient extends GenesysClient {
      override async createIntegration(name: string): Promise<Integration> {
        const created = await super.createIntegration(name);
        await this.putConfig(created.id!, await this.getConfig(created.id!));
        emulator.inject({
          fault: { kind: 'status', status: 400, message: 'Configuration refused.' },
          match: { method: 'PUT' },
        });
        return created;
      }
    }
    const handler = lifecycle({
      genesys: (connection, credentials) => new LaterVersionClient({
        endpoints: connection.endpoints,
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
      }),
    });

    const outcome = await deploy(handler, createEvent(properties()));

    const puts = emulator.apiCalls().filter((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.status, (r.body as IntegrationConfiguration).version]))
      .toEqual([[200, 1], [400, 1], [200, 2]]);
    expect(configOf(outcome.physicalResourceId).name).toBe('Contact center events');
  });

  test('fails on a refusal not about the assumed version, deleting the integration', async () => {
    emulator.inject({
      fault: { kind: 'status', status: 400, message: 'eventFilter is invalid.' },
      match: { method: 'PUT' },
    });

    await expect(lifecycle().onEvent(createEvent(properties()))).rejects.toThrow(
      /^writing the configuration failed: Genesys PUT .* answered 400: eventFilter is invalid\./);
    expect(emulator.apiCalls().map(route).slice(3)).toEqual([POST, PUT, READ_CONFIG, DELETE]);
    expect(emulator.integrations()).toEqual([]);
  });
});

describe('Genesys client settings', () => {
  const VARIABLES = ['GENESYS_REQUEST_TIMEOUT_MS', 'GENESYS_RETRY_MAX_ATTEMPTS',
    'GENESYS_RETRY_BUDGET_MS'];
  let saved: Record<string, string | undefined>;

  beforeEach(() => {
    saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  });

  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  test('gives onEvent a long budget and isComplete a short one by default', () => {
    expect(clientSettings('onEvent', {}))
      .toEqual({ requestTimeoutMs: 10_000, maxAttempts: 10, budgetMs: 120_000 });
    expect(clientSettings('isComplete', {}))
      .toEqual({ requestTimeoutMs: 8_000, maxAttempts: 6, budgetMs: 20_000 });
  });

  test('takes the timeout, the attempts and the budget from the environment', () => {
    const env = {
      GENESYS_REQUEST_TIMEOUT_MS: '250',
      GENESYS_RETRY_MAX_ATTEMPTS: '3',
      GENESYS_RETRY_BUDGET_MS: '3000',
    };
    const expected = { requestTimeoutMs: 250, maxAttempts: 3, budgetMs: 3000 };

    expect(clientSettings('onEvent', env)).toEqual(expected);
    expect(clientSettings('isComplete', env)).toEqual(expected);
  });

  test('never lets isComplete wait longer than its own limits', () => {
    const env = { GENESYS_REQUEST_TIMEOUT_MS: '60000', GENESYS_RETRY_BUDGET_MS: '600000' };

    expect(clientSettings('isComplete', env))
      .toEqual({ requestTimeoutMs: 8_000, maxAttempts: 6, budgetMs: 20_000 });
    expect(clientSettings('onEvent', env))
      .toEqual({ requestTimeoutMs: 60_000, maxAttempts: 10, budgetMs: 600_000 });
  });

  test.each(['0', '-5', '2.5', 'ten', '1e3'])('refuses %p, naming the variable', (value) => {
    for (const name of VARIABLES) {
      expect(() => clientSettings('onEvent', { [name]: value })).toThrow(new RegExp(
        `^${name} must be a whole number of at least 1 .*, got "${escaped(value)}"$`));
    }
  });

  test('fails a request with a bad variable before calling Genesys', async () => {
    process.env.GENESYS_RETRY_MAX_ATTEMPTS = 'many';

    await expect(createLifecycle().onEvent(createEvent(properties())))
      .rejects.toThrow(/^GENESYS_RETRY_MAX_ATTEMPTS must be a whole number of at least 1/);
    expect(emulator.requests).toEqual([]);
  });

  test('applies the variables to the default client', async () => {
    process.env.GENESYS_REQUEST_TIMEOUT_MS = '50';
    process.env.GENESYS_RETRY_MAX_ATTEMPTS = '2';
    emulator.inject({
      fault: { kind: 'delay', ms: 300 },
      match: { path: '/api/v2/organizations/me' },
      times: Infinity,
    });

    await expect(createLifecycle().onEvent(createEvent(properties()))).rejects.toThrow(
      /organizations\/me got no answer after 2 attempts: timeout after 50 ms/);
    expect(emulator.apiCalls()).toHaveLength(2);
  });

  /** A client with a handler's settings, on a fake clock whose sleeps are recorded. */
  function stormClient(handler: 'onEvent' | 'isComplete', waits: number[]): GenesysClient {
    const settings = clientSettings(handler, {});
    let clock = 0;
    return new GenesysClient({
      endpoints: { apiBaseUrl: emulator.url, loginBaseUrl: emulator.url },
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      requestTimeoutMs: settings.requestTimeoutMs,
      retry: { maxAttempts: settings.maxAttempts, budgetMs: settings.budgetMs },
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
      random: () => 0,
    });
  }

  test('lets onEvent ride out half a minute of 429s with Retry-After 5', async () => {
    emulator.inject({ fault: { kind: 'status', status: 429, retryAfterSeconds: 5 }, times: 6 });
    const waits: number[] = [];

    const organization = await stormClient('onEvent', waits).getOrganization();

    expect(organization.id).toBe(emulator.organizationId);
    expect(waits).toEqual([5000, 5000, 5000, 5000, 5000, 5000]);
  });

  test('lets isComplete give up on the same storm within its short budget', async () => {
    emulator.inject({ fault: { kind: 'status', status: 429, retryAfterSeconds: 5 }, times: 6 });
    const waits: number[] = [];

    const error = await stormClient('isComplete', waits).getOrganization().catch((e) => e);

    expect(error).toBeInstanceOf(GenesysRateLimitError);
    expect(waits).toEqual([5000, 5000, 5000]);
  });
});

describe('logs', () => {
  test('never carry the client secret, a token, an Authorization header or the ResponseURL', async () => {
    const tokens: string[] = [];
    const realFetch = global.fetch;
    const spy = jest.spyOn(global, 'fetch').mockImplementation(async (input, init) => {
      const response = await realFetch(input, init);
      if (String(input).endsWith('/oauth/token')) {
        const body = await response.clone().json() as { access_token?: string };
        if (body.access_token) tokens.push(body.access_token);
      }
      return response;
    });
    try {
      const first = await create();
      const v2 = properties({ EventSourceSuffix: SUFFIX_V2 });
      const second = await update(first.physicalResourceId, v2);
      emulator.expireTokens();
      await deploy(lifecycle(), deleteEvent(first.physicalResourceId, properties()));
      emulator.inject({
        fault: { kind: 'status', status: 401 },
        match: { path: '/oauth/token' },
        times: 10,
      });
      emulator.expireTokens();
      const refused = lifecycle().onEvent(deleteEvent(second.physicalResourceId, v2));
      await expect(refused).rejects.toThrow(/answered 401/);
    } finally {
      spy.mockRestore();
    }

    const text = lines.join('\n');
    expect(tokens.length).toBeGreaterThan(1);
    expect(lines.length).toBeGreaterThan(10);
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'));
    expect(text).not.toMatch(/X-Amz-Signature|X-Amz-Credential|ResponseURL/i);
    expect(text).not.toMatch(/authorization|bearer /i);
  });

  test('are JSON lines with a short lowercase message and the request context', async () => {
    const outcome = await create();

    for (const line of logged()) {
      expect(line.message).toMatch(/^[a-z][a-z ,-]*$/);
      expect(line).toMatchObject({ requestType: 'Create', logicalResourceId: 'Integration' });
    }
    expect(loggedMessage('genesys call')[0]).toEqual(expect.objectContaining({
      call: expect.stringMatching(/^(GET|POST) \//),
      status: 200,
      attempt: 1,
      durationMs: expect.any(Number),
    }));
    expect(logged().some((l) => l.integrationId === outcome.physicalResourceId)).toBe(true);
  });
});

describe('the bundled entry points', () => {
  test('onEvent and isComplete work with the default dependencies', async () => {
    const outcome = await deploy({ onEvent, isComplete }, createEvent(properties()));

    expect(outcome.physicalResourceId).toBe(emulator.integrations()[0].id);
    expect(outcome.data.OrganizationId).toBe(emulator.organizationId);
  });
});
