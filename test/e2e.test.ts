/**
 * End to end: the lifecycle handler bundle exactly as deployed, driven through the Provider
 * framework's flow with hand-made CloudFormation events, against the Genesys emulator whose partner
 * side is moto, and moto (behind its corrections) for Secrets Manager and EventBridge.
 */
import {
  CreateEventBusCommand,
  CreatePartnerEventSourceCommand,
  DescribeEventSourceCommand,
  EventBridgeClient,
  ListEventSourcesCommand,
  PutPartnerEventsCommand,
  PutRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  createPartnerBus,
  deletePartnerBus,
  DeliveredEvent,
  drainQueue,
  eventually,
  routeTopicToQueue,
  RoutedQueue,
  sourceState,
  startWorld,
  World,
} from './support/e2e-world';
import { trafficProblems } from './support/genesys-schema';
import { MOTO_CREDENTIALS, startMoto, MotoServer } from './support/moto';
import { MotoPartnerSide, envelopeProblem } from './support/moto-partner-side';
import { CloudFormationResource, RESPONSE_URL_SECRET } from './support/provider-flow';

const ORG = '5f0c3a3e-8a51-4c1e-9d3b-0e6f5a7b2c91';
const SOURCE = `aws.partner/genesys.com/cloud/${ORG}/probe`;
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

  /** The state of SOURCE as a client sees it. */
  const stateVia = async (client: EventBridgeClient) =>
    (await client.send(new DescribeEventSourceCommand({ Name: SOURCE }))).State;

  beforeAll(async () => {
    moto = await startMoto();
    corrected = new EventBridgeClient(moto.clientConfig());
    raw = new EventBridgeClient({
      endpoint: moto.motoEndpoint,
      region: 'us-east-1',
      credentials: MOTO_CREDENTIALS,
    });
    partner = new MotoPartnerSide({ endpoint: moto.endpoint });
  });
  afterAll(async () => {
    corrected?.destroy();
    raw?.destroy();
    partner?.destroy();
    await moto?.stop();
  });
  beforeEach(() => moto.reset());

  test('fails loudly, naming the fix, when moto cannot be started', async () => {
    await expect(startMoto({ python: 'python-without-moto', setEnv: false }))
      .rejects.toThrow(/moto server did not start .*pip install "moto\[server\]==5\.2\.1"/);
  });

  test('points the AWS SDK at the corrections through the environment', () => {
    expect(process.env.AWS_ENDPOINT_URL).toBe(moto.endpoint);
    expect(process.env.AWS_ACCESS_KEY_ID).toBe('testing');
    expect(process.env.AWS_REGION).toBe('us-east-1');
  });

  test('answers ResourceNotFoundException for an unknown source, where moto fails', async () => {
    await expect(stateVia(raw)).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    await expect(stateVia(corrected)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('keeps a partner source PENDING until a bus is associated, not ACTIVE at once', async () => {
    await partner.createSource(PARTNER_SOURCE);

    expect(await stateVia(raw)).toBe('ACTIVE');
    const pending = await corrected.send(new DescribeEventSourceCommand({ Name: SOURCE }));
    expect(pending).toMatchObject({
      State: 'PENDING',
      Arn: `arn:aws:events:us-east-1::event-source/${SOURCE}`,
    });
    expect(pending.ExpirationTime!.getTime()).toBeGreaterThan(pending.CreationTime!.getTime());

    await corrected.send(new CreateEventBusCommand({ Name: SOURCE, EventSourceName: SOURCE }));
    expect(await stateVia(corrected)).toBe('ACTIVE');
  });

  test('lists event sources by prefix, which moto lacks', async () => {
    await partner.createSource(PARTNER_SOURCE);
    await partner.createSource({ ...PARTNER_SOURCE, name: `${SOURCE}-2` });

    await expect(raw.send(new ListEventSourcesCommand({ NamePrefix: SOURCE })))
      .rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    const listed = await corrected.send(new ListEventSourcesCommand({
      NamePrefix: SOURCE,
      Limit: 1,
    }));
    expect(listed.EventSources?.map((s) => s.Name)).toEqual([SOURCE]);
    const next = await corrected.send(new ListEventSourcesCommand({
      NamePrefix: SOURCE,
      NextToken: listed.NextToken,
    }));
    expect(next.EventSources?.map((s) => s.Name)).toEqual([`${SOURCE}-2`]);
  });

  test('creates rules on a partner bus, where moto cuts the bus name at its last slash', async () => {
    const pattern = JSON.stringify({ source: [SOURCE] });
    const putRule = new PutRuleCommand({ Name: 'r', EventBusName: SOURCE, EventPattern: pattern });
    await partner.createSource(PARTNER_SOURCE);
    await raw.send(new CreateEventBusCommand({ Name: SOURCE, EventSourceName: SOURCE }));

    await expect(raw.send(putRule)).rejects.toThrow('Event bus probe does not exist');
    await moto.reset();
    await partner.createSource(PARTNER_SOURCE);
    await corrected.send(new CreateEventBusCommand({ Name: SOURCE, EventSourceName: SOURCE }));
    const rule = await corrected.send(putRule);
    expect(rule.RuleArn).toBe(`arn:aws:events:us-east-1:123456789012:rule/${SOURCE}/r`);
  });

  test('refuses a partner bus whose name is not its source name', async () => {
    await partner.createSource(PARTNER_SOURCE);
    const misnamed = new CreateEventBusCommand({ Name: 'other', EventSourceName: SOURCE });
    await expect(corrected.send(misnamed)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('shows a source the partner deleted as DELETED, and a re-created one as live', async () => {
    await partner.createSource(PARTNER_SOURCE);
    await partner.deleteSource(PARTNER_SOURCE);
    expect(await stateVia(corrected)).toBe('DELETED');

    await partner.createSource(PARTNER_SOURCE);
    expect(await stateVia(raw)).toBe('DELETED');
    expect(await stateVia(corrected)).toBe('PENDING');
  });

  test('delivers partner events to the associated bus only, not to the default bus', async () => {
    const sqs = new SQSClient(moto.clientConfig());
    const toDefaultBus = () =>
      routeTopicToQueue(corrected, sqs, 'default', TOPIC, 'default-bus', SOURCE);
    try {
      // Raw moto: the partner's event lands on the default bus and matches its rule.
      const onDefault = await toDefaultBus();
      await raw.send(new CreatePartnerEventSourceCommand({ Name: SOURCE, Account: '123456789012' }));
      await raw.send(new PutPartnerEventsCommand({
        Entries: [{ Source: SOURCE, DetailType: TOPIC, Detail: '{}' }],
      }));
      expect(await drainQueue(sqs, onDefault.queueUrl)).toHaveLength(1);

      // Corrected: dropped while PENDING, then delivered to the partner bus, never to the default.
      await moto.reset();
      const stillDefault = await toDefaultBus();
      await partner.createSource(PARTNER_SOURCE);
      await partner.publish(PARTNER_SOURCE, { detailType: TOPIC, detail: detail('before the bus') });
      await createPartnerBus(corrected, SOURCE);
      const onPartnerBus = await routeTopicToQueue(corrected, sqs, SOURCE, TOPIC, 'partner-bus');
      await partner.publish(PARTNER_SOURCE, { detailType: TOPIC, detail: detail('after the bus') });

      const delivered = await drainQueue(sqs, onPartnerBus.queueUrl);
      expect(delivered.map((e) => e.detail.eventBody.note)).toEqual(['after the bus']);
      expect(delivered[0]).toMatchObject({ 'source': SOURCE, 'detail-type': TOPIC });
      expect(await drainQueue(sqs, stillDefault.queueUrl)).toEqual([]);
      expect(moto.corrections!.partnerEvents.map((e) => e.outcome))
        .toEqual(['dropped-pending', 'delivered']);
    } finally {
      sqs.destroy();
    }
  });

  test('refuses to publish an event without the Genesys envelope', () => {
    const complete = {
      topicName: 'v2.users.4b2c.presence',
      version: '2',
      eventBody: {},
      metadata: { CorrelationId: 'c' },
      timestamp: '2021-06-25T15:11:52.435Z',
    };
    expect(envelopeProblem(TOPIC, { eventBody: {} })).toMatch(/topicName is missing/);
    expect(envelopeProblem(TOPIC, { ...complete, topicName: TOPIC })).toMatch(/concrete ids/);
    expect(envelopeProblem(TOPIC, complete)).toBeUndefined();
  });
});

describe('the lifecycle of one integration, end to end', () => {
  const PRESENCE = 'v2.users.{id}.presence';
  const ROUTING = 'v2.users.{id}.routingStatus';
  let world: World;
  let resource: CloudFormationResource;
  /** The buses that exist, by source name, with their rule names. */
  const buses = new Map<string, string[]>();
  const queues: Record<string, RoutedQueue> = {};

  beforeAll(async () => {
    world = await startWorld({ handlerEnv: { LIFECYCLE_WAIT_TIMEOUT_SECONDS: '10' } });
    resource = new CloudFormationResource(world.flow);
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function route(busName: string, topic: string, queueName: string): Promise<RoutedQueue> {
    const routed = await routeTopicToQueue(world.eventBridge, world.sqs, busName, topic, queueName);
    buses.get(busName)!.push(routed.ruleName);
    queues[queueName] = routed;
    return routed;
  }

  async function newBus(sourceName: string): Promise<void> {
    await createPartnerBus(world.eventBridge, sourceName);
    buses.set(sourceName, []);
  }

  /** Waits until every queue named received the count of events given, and drains them. */
  async function received(expected: Record<string, number>):
  Promise<Record<string, DeliveredEvent[]>> {
    const names = Object.keys(expected);
    const got: Record<string, DeliveredEvent[]> = Object.fromEntries(names.map((q) => [q, []]));
    await eventually(`events ${JSON.stringify(expected)}`, async () => {
      for (const name of names) {
        got[name].push(...await drainQueue(world.sqs, queues[name].queueUrl));
      }
      return names.every((name) => got[name].length >= expected[name]);
    });
    return got;
  }

  const bodies = (events: DeliveredEvent[]) => events.map((e) => e.detail.eventBody);
  const publish = (id: string, topic: string, body: object) =>
    world.emulator.publish(id, topic, body);
  const sourcesCreated = () =>
    world.partner.calls.filter((c) => c.action === 'createSource').length;

  test('creates the integration, which makes the partner event source appear', async () => {
    const created = await resource.create(world.properties({ Topics: [PRESENCE] }));

    expect(created.ok).toBe(true);
    const name = world.emulator.partnerSourceName('contact-center');
    expect(resource.data).toEqual({
      IntegrationId: resource.physicalId,
      OrganizationId: world.emulator.organizationId,
      EventSourceName: name,
      EventSourceArn: `arn:aws:events:us-east-1::event-source/${name}`,
    });
    expect(world.emulator.integrations()).toEqual([expect.objectContaining({
      id: resource.physicalId,
      intendedState: 'ENABLED',
      reportedState: expect.objectContaining({ code: 'ACTIVE' }),
    })]);
    expect(await sourceState(world.eventBridge, name)).toBe('PENDING');
  });

  test('delivers a published event to the queue of the rule the construct synthesizes', async () => {
    const name = resource.data.EventSourceName;
    await newBus(name);
    expect(await sourceState(world.eventBridge, name)).toBe('ACTIVE');
    await route(name, PRESENCE, 'presence');

    const available = { presenceDefinition: { systemPresence: 'Available' } };
    await publish(resource.physicalId!, PRESENCE, available);

    const { presence } = await received({ presence: 1 });
    expect(presence).toEqual([expect.objectContaining({
      'source': name,
      'detail-type': PRESENCE,
      'detail': {
        topicName: expect.stringMatching(/^v2\.users\.[0-9a-f-]{36}\.presence$/),
        version: '2',
        eventBody: available,
        metadata: { CorrelationId: expect.any(String) },
        timestamp: expect.any(String),
      },
    })]);
  });

  test('changes the topic filter in place: same integration and source, new topic arrives', async () => {
    const id = resource.physicalId!;
    const sourcesBefore = sourcesCreated();

    const updated = await resource.update(world.properties({ Topics: [PRESENCE, ROUTING] }));

    expect(updated.ok).toBe(true);
    expect(resource.physicalId).toBe(id);
    expect(sourcesCreated()).toBe(sourcesBefore);
    const config = world.emulator.integrations()[0].config?.current?.properties;
    expect(config).toMatchObject({ eventFilter: [PRESENCE, ROUTING] });

    await route(resource.data.EventSourceName, ROUTING, 'routing');
    await publish(id, ROUTING, { routingStatus: { status: 'IDLE' } });
    await publish(id, PRESENCE, { presenceDefinition: { systemPresence: 'Busy' } });
    const got = await received({ routing: 1, presence: 1 });
    expect(bodies(got.routing)).toEqual([{ routingStatus: { status: 'IDLE' } }]);
    expect(bodies(got.presence)).toEqual([{ presenceDefinition: { systemPresence: 'Busy' } }]);
  });

  /**
   * The organization producing numbered events of a topic without pause, one every 20 ms, each
   * sent through every integration that subscribes to the topic at that moment (as Genesys fans a
   * notification out), until `stop()`.
   */
  function produce(topic: string) {
    const produced: Array<{ n: number; through: string[] }> = [];
    let running = true;
    let failure: unknown;
    const loop = (async () => {
      for (let n = 1; running; n += 1) {
        produced.push({ n, through: await world.emulator.publishToOrganization(topic, { n }) });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })().catch((error) => { failure = error; });
    return {
      produced,
      /** Waits until `count` more events were produced. */
      more: async (count: number) => {
        const target = produced.length + count;
        await eventually(`${count} more events`, async () => failure ?? produced.length >= target);
        if (failure) throw failure;
      },
      stop: async () => {
        running = false;
        await loop;
        if (failure) throw failure;
        return produced;
      },
    };
  }

  test('replaces the integration when the suffix changes, losing no event across the switch', async () => {
    const oldId = resource.physicalId!;
    const oldSource = resource.data.EventSourceName as string;
    const newSource = world.emulator.partnerSourceName('contact-center-v2');
    const integrationIds = () => world.emulator.integrations().map((i) => i.id).sort();
    const stream = produce(PRESENCE);
    await stream.more(3);

    const replaced = await resource.update(world.properties({
      Topics: [PRESENCE, ROUTING],
      EventSourceSuffix: 'contact-center-v2',
    }), {
      // Between the update and CloudFormation's cleanup: both integrations exist, the stack creates
      // the new bus (its EventSourceName changed) and its rules, and events keep flowing.
      beforeCleanup: async (newId) => {
        expect(newId).not.toBe(oldId);
        expect(integrationIds()).toEqual([oldId, newId].sort());
        await newBus(newSource);
        await route(newSource, PRESENCE, 'presence-v2');
        await stream.more(3);
      },
    });
    await stream.more(3);
    const produced = await stream.stop();

    expect(replaced.ok).toBe(true);
    expect(replaced.steps.map((s) => [s.request.RequestType, s.response.Status])).toEqual([
      ['Update', 'SUCCESS'], ['Delete', 'SUCCESS'],
    ]);
    expect(resource.data.EventSourceName).toBe(newSource);
    const newId = resource.physicalId!;
    expect(integrationIds()).toEqual([newId]);

    // Every event the organization produced went through at least one integration: first the
    // old one, then both, then the new one alone.
    expect(produced.filter((p) => p.through.length === 0)).toEqual([]);
    expect(produced[0].through).toEqual([oldId]);
    expect(produced.some((p) => p.through.length === 2)).toBe(true);
    expect(produced[produced.length - 1].through).toEqual([newId]);

    // And every one of them reached a queue: the old bus's until the old integration went, the
    // new bus's from the moment it existed (events sent to the new source before its bus existed
    // were dropped by EventBridge, and reached the old bus through the old integration).
    const arrived = { old: new Set<number>(), new: new Set<number>() };
    const missing = () => produced.map((p) => p.n)
      .filter((n) => !arrived.old.has(n) && !arrived.new.has(n));
    await eventually('every produced event to arrive', async () => {
      for (const event of await drainQueue(world.sqs, queues.presence.queueUrl)) {
        expect(event.source).toBe(oldSource);
        arrived.old.add(event.detail.eventBody.n);
      }
      for (const event of await drainQueue(world.sqs, queues['presence-v2'].queueUrl)) {
        expect(event.source).toBe(newSource);
        arrived.new.add(event.detail.eventBody.n);
      }
      return missing().length === 0;
    }, 10_000);
    expect(missing()).toEqual([]);
    expect(arrived.new.has(produced[produced.length - 1].n)).toBe(true);
    expect(arrived.old.has(produced[produced.length - 1].n)).toBe(false);
    await expect(publish(oldId, PRESENCE, { n: 0 })).rejects.toThrow(/does not exist/);

    // The old integration's source goes with it; its bus is the stack's to delete.
    await eventually('the old partner source to be deleted',
      async () => (await sourceState(world.eventBridge, oldSource)) === 'DELETED');
    await deletePartnerBus(world.eventBridge, oldSource, buses.get(oldSource)!);
    buses.delete(oldSource);
  });

  test('disables the integration and keeps its partner event source', async () => {
    const id = resource.physicalId!;
    const disabled = await resource.update(world.properties({
      Topics: [PRESENCE, ROUTING],
      EventSourceSuffix: 'contact-center-v2',
      Enabled: 'false',
    }));

    expect(disabled.ok).toBe(true);
    expect(resource.physicalId).toBe(id);
    expect(world.emulator.integrations())
      .toEqual([expect.objectContaining({ id, intendedState: 'DISABLED' })]);
    expect(await sourceState(world.eventBridge, resource.data.EventSourceName)).toBe('ACTIVE');
    await expect(publish(id, PRESENCE, { n: 5 })).rejects.toThrow(/no active partner event source/);
  });

  test('deletes the integration, and Genesys deletes its partner event source', async () => {
    const source = resource.data.EventSourceName as string;
    const deleted = await resource.delete();

    expect(deleted.ok).toBe(true);
    expect(world.emulator.integrations()).toEqual([]);
    await eventually('the partner source to be deleted',
      async () => (await sourceState(world.eventBridge, source)) === 'DELETED');
    await deletePartnerBus(world.eventBridge, source, buses.get(source)!);
    expect(world.emulator.partnerErrors).toEqual([]);
  });

  test('exchanges only bodies that conform to Genesys\'s models, strictly read', () => {
    const checked = world.emulator.requests.filter((r) => r.response !== undefined);
    expect(checked.length).toBeGreaterThan(10);
    expect(trafficProblems(world.emulator.requests)).toEqual([]);
  });

  test('never logs the ResponseURL, the OAuth client secret or a token', () => {
    const text = world.logs.lines.join('\n');
    expect(world.logs.records().length).toBeGreaterThan(20);
    expect(text).not.toContain(RESPONSE_URL_SECRET);
    expect(text).not.toContain('emulator-secret');
    expect(text).not.toMatch(/Bearer\s+[A-Za-z0-9]/);
  });
});
