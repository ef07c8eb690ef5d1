/**
 * End to end: the lifecycle handler bundle exactly as deployed, driven through the Provider
 * framework's flow with hand-made CloudFormation events, against the Genesys emulator whose partner
 * side is moto, and moto (behind its corrections) for Secrets Manager and EventBridge.
 */
import {
  CreateEventBusCommand,
  CreatePartnerEventSourceCommand,
  PutPartnerEventsCommand,
  DescribeEventSourceCommand,
  EventBridgeClient,
  ListEventSourcesCommand,
  PutRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createPartnerBus, drainQueue, routeTopicToQueue } from './support/e2e-world';
import { MOTO_CREDENTIALS, startMoto, MotoServer } from './support/moto';
import { MotoPartnerSide, envelopeProblem } from './support/moto-partner-side';

const SOURCE = 'aws.partner/genesys.com/cloud/5f0c3a3e-8a51-4c1e-9d3b-0e6f5a7b2c91/probe';
const PARTNER_SOURCE = { name: SOURCE, accountId: '123456789012', region: 'us-east-1' };
const TOPIC = 'v2.users.{id}.presence';

function detail(note: string): object {
  return {
    topicName: 'v2.users.4b2c8f0e.presence',
    version: '2',
    eventBody: { note },
    metadata: { CorrelationId: 'c-1' },
    timestamp: new Date().toISOString(),
  };
}

describe('moto as the end-to-end suites see it', () => {
  let moto: MotoServer;
  let corrected: EventBridgeClient;
  let raw: EventBridgeClient;
  let partner: MotoPartnerSide;

  beforeAll(async () => {
    moto = await startMoto();
    corrected = new EventBridgeClient(moto.clientConfig());
    raw = new EventBridgeClient({ endpoint: moto.motoEndpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
    partner = new MotoPartnerSide({ endpoint: moto.endpoint });
  });
  afterAll(async () => {
    corrected?.destroy();
    raw?.destroy();
    partner?.destroy();
    await moto?.stop();
  });
  beforeEach(() => moto.reset());

  test('points the AWS SDK at the corrections through the environment', () => {
    expect(process.env.AWS_ENDPOINT_URL).toBe(moto.endpoint);
    expect(process.env.AWS_ACCESS_KEY_ID).toBe('testing');
    expect(process.env.AWS_REGION).toBe('us-east-1');
  });

  test('answers ResourceNotFoundException for an unknown source, where moto answers HTTP 500', async () => {
    await expect(raw.send(new DescribeEventSourceCommand({ Name: SOURCE })))
      .rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    await expect(corrected.send(new DescribeEventSourceCommand({ Name: SOURCE })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('keeps a partner source PENDING until a bus is associated, where moto has it ACTIVE at once', async () => {
    await partner.createSource(PARTNER_SOURCE);

    expect((await raw.send(new DescribeEventSourceCommand({ Name: SOURCE }))).State).toBe('ACTIVE');
    const pending = await corrected.send(new DescribeEventSourceCommand({ Name: SOURCE }));
    expect(pending).toMatchObject({
      State: 'PENDING',
      Arn: `arn:aws:events:us-east-1::event-source/${SOURCE}`,
    });
    expect(pending.ExpirationTime!.getTime()).toBeGreaterThan(pending.CreationTime!.getTime());

    await corrected.send(new CreateEventBusCommand({ Name: SOURCE, EventSourceName: SOURCE }));
    expect((await corrected.send(new DescribeEventSourceCommand({ Name: SOURCE }))).State).toBe('ACTIVE');
  });

  test('lists event sources by prefix, which moto lacks', async () => {
    await partner.createSource(PARTNER_SOURCE);
    await partner.createSource({ ...PARTNER_SOURCE, name: `${SOURCE}-2` });

    await expect(raw.send(new ListEventSourcesCommand({ NamePrefix: SOURCE })))
      .rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    const listed = await corrected.send(new ListEventSourcesCommand({ NamePrefix: SOURCE, Limit: 1 }));
    expect(listed.EventSources?.map((s) => s.Name)).toEqual([SOURCE]);
    const next = await corrected.send(new ListEventSourcesCommand({ NamePrefix: SOURCE, NextToken: listed.NextToken }));
    expect(next.EventSources?.map((s) => s.Name)).toEqual([`${SOURCE}-2`]);
  });

  test('creates rules on a partner bus, where moto cuts the bus name at its last slash', async () => {
    await partner.createSource(PARTNER_SOURCE);
    await raw.send(new CreateEventBusCommand({ Name: SOURCE, EventSourceName: SOURCE }));
    const pattern = JSON.stringify({ source: [SOURCE] });

    await expect(raw.send(new PutRuleCommand({ Name: 'r', EventBusName: SOURCE, EventPattern: pattern })))
      .rejects.toThrow('Event bus probe does not exist');
    await moto.reset();
    await partner.createSource(PARTNER_SOURCE);
    await corrected.send(new CreateEventBusCommand({ Name: SOURCE, EventSourceName: SOURCE }));
    const rule = await corrected.send(new PutRuleCommand({ Name: 'r', EventBusName: SOURCE, EventPattern: pattern }));
    expect(rule.RuleArn).toBe(`arn:aws:events:us-east-1:123456789012:rule/${SOURCE}/r`);
  });

  test('refuses a partner bus whose name is not its source name', async () => {
    await partner.createSource(PARTNER_SOURCE);
    await expect(corrected.send(new CreateEventBusCommand({ Name: 'other', EventSourceName: SOURCE })))
      .rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('shows a source the partner deleted as DELETED, and a re-created one as live again', async () => {
    await partner.createSource(PARTNER_SOURCE);
    await partner.deleteSource(PARTNER_SOURCE);
    expect((await corrected.send(new DescribeEventSourceCommand({ Name: SOURCE }))).State).toBe('DELETED');

    await partner.createSource(PARTNER_SOURCE);
    expect((await raw.send(new DescribeEventSourceCommand({ Name: SOURCE }))).State).toBe('DELETED');
    expect((await corrected.send(new DescribeEventSourceCommand({ Name: SOURCE }))).State).toBe('PENDING');
  });

  test('delivers partner events to the associated bus only, where moto puts them on the default bus', async () => {
    const sqs = new SQSClient(moto.clientConfig());
    try {
      const onDefault = await routeTopicToQueue(corrected, sqs, 'default', TOPIC, 'default-bus', SOURCE);
      // Raw moto: the partner's event lands on the default bus and matches its rule.
      await raw.send(new CreatePartnerEventSourceCommand({ Name: SOURCE, Account: '123456789012' }));
      await raw.send(new PutPartnerEventsCommand({ Entries: [{ Source: SOURCE, DetailType: TOPIC, Detail: '{}' }] }));
      expect(await drainQueue(sqs, onDefault.queueUrl)).toHaveLength(1);

      // Corrected: dropped while PENDING, then delivered to the partner bus, never to the default.
      await moto.reset();
      const stillDefault = await routeTopicToQueue(corrected, sqs, 'default', TOPIC, 'default-bus', SOURCE);
      await partner.createSource(PARTNER_SOURCE);
      await partner.publish(PARTNER_SOURCE, { detailType: TOPIC, detail: detail('before the bus') });
      await createPartnerBus(corrected, SOURCE);
      const onPartnerBus = await routeTopicToQueue(corrected, sqs, SOURCE, TOPIC, 'partner-bus');
      await partner.publish(PARTNER_SOURCE, { detailType: TOPIC, detail: detail('after the bus') });

      const delivered = await drainQueue(sqs, onPartnerBus.queueUrl);
      expect(delivered.map((e) => e.detail.eventBody.note)).toEqual(['after the bus']);
      expect(delivered[0]).toMatchObject({ 'source': SOURCE, 'detail-type': TOPIC });
      expect(await drainQueue(sqs, stillDefault.queueUrl)).toEqual([]);
      expect(moto.corrections!.partnerEvents.map((e) => e.outcome)).toEqual(['dropped-pending', 'delivered']);
    } finally {
      sqs.destroy();
    }
  });

  test('refuses to publish an event without the Genesys envelope', () => {
    expect(envelopeProblem('v2.users.{id}.presence', { eventBody: {} })).toMatch(/topicName is missing/);
    expect(envelopeProblem('v2.users.{id}.presence', {
      topicName: 'v2.users.{id}.presence', version: '2', eventBody: {}, metadata: { CorrelationId: 'c' },
      timestamp: '2021-06-25T15:11:52.435Z',
    })).toMatch(/concrete ids/);
    expect(envelopeProblem('v2.users.{id}.presence', {
      topicName: 'v2.users.4b2c.presence', version: '2', eventBody: {}, metadata: { CorrelationId: 'c' },
      timestamp: '2021-06-25T15:11:52.435Z',
    })).toBeUndefined();
  });
});
