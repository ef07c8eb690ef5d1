/**
 * The local sandbox: the whole product on this machine, with no AWS or Genesys account.
 *
 *   npx projen sandbox
 *
 * It starts moto (behind the corrections of test/support/moto-workarounds.ts) and the Genesys
 * emulator, synthesizes the example app in-process, reads the integration's custom resource from
 * the template, and drives its lifecycle with the lifecycle handler bundle exactly as deployed,
 * through the Provider framework's flow. It then creates the partner bus and the rules of the
 * template in moto with their targets, publishes one sample event for each subscribed topic,
 * shows where each one landed, deletes everything, stops everything it started and prints a
 * timeline. It exits 0 only when every event reached every target of every rule it matches, a
 * rule matches every published topic, and no target received an event no rule sends it.
 *
 * The only change made to the template's properties: the Genesys region is replaced by the
 * emulator's endpoints (GenesysApiEndpoint and GenesysLoginEndpoint).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { App } from 'aws-cdk-lib';
import { GenesysExampleStack } from '../examples/stack';
import { RESOURCE_TYPE } from '../lib/lifecycle/properties';
import { loadHandlerBundle, LogCapture, sourceState } from '../test/support/e2e-world';
import { DEFAULT_CLIENTS, GenesysEmulator } from '../test/support/genesys-emulator';
import { MotoServer, startMoto } from '../test/support/moto';
import { MotoPartnerSide } from '../test/support/moto-partner-side';
import { CfnRequest, CloudFormationResource, ProviderFlow } from '../test/support/provider-flow';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const STACK_NAME = 'GenesysEventBridgeExample';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK_NAME}/` +
  '5a9d1c2e-0b7f-4c1a-9e3d-2f6b8a4c0d17';
/** The waiter's pause between isComplete calls here; AWS waits as the template says. */
const QUERY_INTERVAL_MS = 100;
/** How long the targets are watched for the sample events. */
const DELIVERY_TIMEOUT_MS = 10_000;

type Json = any;

const started = Date.now();
const write = process.stdout.write.bind(process.stdout);
const timeline: Array<{ at: number; what: string }> = [];

function print(text = ''): void {
  write(`${text}\n`);
}

function mark(what: string, at = Date.now()): void {
  timeline.push({ at, what });
}

function since(at: number): string {
  return `+${((at - started) / 1000).toFixed(3)}s`.padStart(9);
}

/** A sample event body for a topic, shaped like what Genesys sends for it. */
function sampleBody(topic: string): object {
  const now = new Date().toISOString();
  if (topic.endsWith('.presence')) {
    return {
      source: 'PURECLOUD',
      presenceDefinition: { id: 'available', systemPresence: 'Available' },
      modifiedDate: now,
    };
  }
  if (topic.startsWith('v2.detail.events.conversation.')) {
    return {
      eventTime: now,
      conversationId: 'c0ffee00-0000-4000-8000-000000000001',
      mediaType: 'VOICE',
      disconnectType: 'PEER',
    };
  }
  if (topic.startsWith('v2.audits.')) {
    return { action: 'Update', entityType: 'User', serviceName: 'Directory', eventDate: now };
  }
  return { sample: true, topic, eventTime: now };
}

/** Values the template refers to: `Ref` results and `Fn::GetAtt` attributes, by logical id. */
interface Resolution {
  readonly refs: Map<string, string>;
  readonly attributes: Map<string, Record<string, string>>;
}

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': STACK_NAME,
};

/** Resolves the intrinsic functions the example's template uses (Ref, Fn::GetAtt, Fn::Join). */
function resolve(value: Json, known: Resolution): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, known));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref') {
    const ref = PSEUDO[value.Ref] ?? known.refs.get(value.Ref);
    if (ref === undefined) throw new Error(`the sandbox cannot resolve Ref ${value.Ref}`);
    return ref;
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [id, attribute] = value['Fn::GetAtt'];
    const got = known.attributes.get(id)?.[attribute];
    if (got === undefined) {
      throw new Error(`the sandbox cannot resolve Fn::GetAtt ${id}.${attribute}`);
    }
    return got;
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = value['Fn::Join'];
    return resolve(parts, known).join(separator);
  }
  return Object.fromEntries(keys.map((k) => [k, resolve(value[k], known)]));
}

/** Synthesizes the example app in-process and returns its template. */
function synthesize(secretArn: string): Json {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'genesys-sandbox-cdk-'));
  try {
    const app = new App({ outdir });
    const stack = new GenesysExampleStack(app, STACK_NAME, {
      env: { account: ACCOUNT, region: REGION },
      credentialsSecretArn: secretArn,
      genesysRegion: REGION,
    });
    return app.synth().getStackByName(stack.stackName).template;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

type TargetKind = 'SQS queue' | 'log group' | 'Lambda function' | 'unsupported';

/** One target of one rule, and what became of each event it should receive. */
interface Delivery {
  readonly rule: string;
  readonly topics: string[];
  readonly kind: TargetKind;
  readonly target: string;
  /** Where to look: a queue URL, a log group name, the witness queue of a Lambda target. */
  readonly inbox?: string;
  /** The concrete topicName that arrived, by topic. */
  readonly landed: Map<string, string>;
  /** Topics of events that arrived here although none of this rule's topics is theirs. */
  readonly strays: Set<string>;
}

/** The rule of a delivery and where it leads, in words. */
function describeDelivery(d: Delivery): string {
  switch (d.kind) {
    case 'Lambda function':
      return `matched rule ${d.rule} → target Lambda ${d.target} (not invoked locally; ` +
        'a witness SQS queue stands in for it on the rule)';
    case 'unsupported':
      return `rule ${d.rule} → target ${d.target} (the sandbox cannot observe this target type)`;
    default:
      return `rule ${d.rule} → ${d.kind} ${d.target}`;
  }
}

class Sandbox {
  private moto?: MotoServer;
  private emulator?: GenesysEmulator;
  private partner?: MotoPartnerSide;
  private readonly logs = new LogCapture();
  private eventBridge?: EventBridgeClient;
  private sqs?: SQSClient;
  private cwLogs?: CloudWatchLogsClient;
  private secretArn?: string;
  private resource?: CloudFormationResource;
  private readonly queues = new Map<string, string>();
  private readonly logGroups: string[] = [];
  private readonly rules: Array<{ name: string; bus: string; targetIds: string[] }> = [];
  private readonly buses: string[] = [];
  private stopped = false;

  async run(): Promise<boolean> {
    print('Genesys Cloud → EventBridge sandbox: moto, the Genesys emulator, the example app ' +
      'and the deployed handler');
    print('starting moto and the Genesys emulator…');
    this.moto = await startMoto({ region: REGION });
    mark(`moto started at ${this.moto.motoEndpoint}, corrections at ${this.moto.endpoint}`);
    const config = this.moto.clientConfig();
    this.eventBridge = new EventBridgeClient(config);
    this.sqs = new SQSClient(config);
    this.cwLogs = new CloudWatchLogsClient(config);

    this.partner = new MotoPartnerSide({ endpoint: this.moto.endpoint });
    this.emulator = await GenesysEmulator.start({
      partnerSide: this.partner,
      // Slower than in the tests, so that the timeline shows the waits; Genesys takes minutes.
      activationDelayMs: 300,
      propagationDelayMs: 700,
    });
    mark(`Genesys emulator started at ${this.emulator.url} ` +
      `(organization ${this.emulator.organizationId})`);

    const secrets = new SecretsManagerClient(config);
    const [clientId, clientSecret] = Object.entries(DEFAULT_CLIENTS)[0];
    const secret = await secrets.send(new CreateSecretCommand({
      Name: 'genesys/eventbridge',
      SecretString: JSON.stringify({ clientId, clientSecret }),
    }));
    secrets.destroy();
    this.secretArn = secret.ARN!;
    mark(`secret ${this.secretArn} created with the emulator's OAuth client`);

    // The handler bundle is the asset the example's template deploys: build it first if stale.
    const handler = loadHandlerBundle();
    print('synthesizing the example app (examples/stack.ts)…');
    const template = synthesize(this.secretArn);
    const resources: Record<string, Json> = template.Resources;
    mark(`example app synthesized: ${Object.keys(resources).length} resources`);

    const found = Object.entries(resources).find(([, r]) => r.Type === RESOURCE_TYPE);
    if (!found) throw new Error(`the template has no ${RESOURCE_TYPE} resource`);
    const [logicalId, custom] = found;
    const known: Resolution = { refs: new Map(), attributes: new Map() };
    const { ServiceToken: _token, ...templateProperties } = custom.Properties;
    const properties: Record<string, unknown> = resolve(templateProperties, known);
    print(`  custom resource ${logicalId} (${RESOURCE_TYPE}), properties from the template:`);
    for (const [key, value] of Object.entries(properties)) {
      print(`    ${key}: ${JSON.stringify(value)}`);
    }
    delete properties.GenesysRegion;
    properties.GenesysApiEndpoint = this.emulator.url;
    properties.GenesysLoginEndpoint = this.emulator.url;
    print(`    (GenesysRegion ${JSON.stringify(custom.Properties.GenesysRegion)} replaced by the ` +
      `emulator: GenesysApiEndpoint = GenesysLoginEndpoint = ${this.emulator.url})`);

    // The handler as deployed, driven as the Provider framework drives it.
    this.logs.start();
    let waits = 0;
    const flow = new ProviderFlow(handler, {
      queryIntervalMs: QUERY_INTERVAL_MS,
      totalTimeoutMs: 60_000,
      onRequest: (request: CfnRequest) => {
        const id = request.PhysicalResourceId;
        mark(`CloudFormation → ${request.RequestType} ${logicalId}` +
          (id ? ` (physical id ${id})` : ''));
      },
      onPoll: (_request, answer) => {
        if (!answer.IsComplete) waits++;
      },
    });
    this.resource = new CloudFormationResource(flow, {
      logicalResourceId: logicalId,
      stackId: STACK_ID,
    });

    print(`creating the integration: onEvent, then isComplete every ${QUERY_INTERVAL_MS} ms ` +
      '(the template\'s waiter polls every 10 s)…');
    const created = await this.resource.create(properties);
    if (!created.ok) {
      mark(`create FAILED: ${created.reason}`);
      print(`create failed: ${created.reason}`);
      return false;
    }
    mark(`create complete after ${created.steps[0].response.polls} isComplete calls ` +
      `(${waits} answered not complete): integration ${this.resource.physicalId}`);
    known.attributes.set(logicalId, this.resource.data);
    known.refs.set(logicalId, this.resource.physicalId!);
    const sourceName = String(this.resource.data.EventSourceName);
    const state = await sourceState(this.eventBridge, sourceName);
    mark(`partner event source ${sourceName} is ${state}`);

    print('creating the partner bus, its rules and their targets in moto…');
    const deliveries = await this.createAwsSide(resources, known);

    // One sample event per subscribed topic, through the integration.
    const topics = (properties.Topics as string[]) ?? [];
    print(`publishing one sample event for each of the ${topics.length} subscribed topics…`);
    for (const topic of topics) {
      await this.emulator.publish(this.resource.physicalId!, topic, sampleBody(topic));
      mark(`Genesys published an event of ${topic}`);
    }

    const allLanded = await this.collect(deliveries, topics);
    this.report(deliveries, topics);
    // Every published topic must have reached a rule, and no target may receive another's events.
    const unrouted = topics.filter((t) => !deliveries.some((d) => d.topics.includes(t)));
    const astray = deliveries.some((d) => d.strays.size > 0);
    return allLanded && unrouted.length === 0 && !astray;
  }

  /** Creates the queues, log groups, the bus, the rules and their targets of the template. */
  private async createAwsSide(resources: Record<string, Json>,
    known: Resolution): Promise<Delivery[]> {
    const byType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

    for (const [id] of byType('AWS::SQS::Queue')) {
      const { url, arn } = await this.createQueue(id);
      this.queues.set(id, url);
      known.refs.set(id, url);
      known.attributes.set(id, { Arn: arn, QueueName: id, QueueUrl: url });
      mark(`SQS queue ${id} created`);
    }
    for (const [id, group] of byType('AWS::Logs::LogGroup')) {
      const name = group.Properties?.LogGroupName ?? `/sandbox/${id}`;
      await this.cwLogs!.send(new CreateLogGroupCommand({ logGroupName: name }));
      this.logGroups.push(name);
      known.refs.set(id, name);
      known.attributes.set(id, { Arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*` });
    }
    mark(`${this.logGroups.length} log groups created`);
    for (const [id] of byType('AWS::Lambda::Function')) {
      // Functions are not created: moto cannot run them. Their ARNs still name the targets.
      known.refs.set(id, id);
      known.attributes.set(id, { Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}` });
    }

    for (const [id, bus] of byType('AWS::Events::EventBus')) {
      const props = resolve(bus.Properties, known);
      const answer = await this.eventBridge!.send(new CreateEventBusCommand({
        Name: props.Name,
        EventSourceName: props.EventSourceName,
      }));
      this.buses.push(props.Name);
      known.refs.set(id, props.Name);
      known.attributes.set(id, { Arn: answer.EventBusArn!, Name: props.Name });
      const state = await sourceState(this.eventBridge!, props.EventSourceName);
      mark(`event bus ${props.Name} created (EventSourceName = its name): the source is ${state}`);
    }

    const deliveries: Delivery[] = [];
    for (const [id, rule] of byType('AWS::Events::Rule')) {
      deliveries.push(...await this.createRule(id, resolve(rule.Properties, known), known));
    }

    const handled = new Set(['AWS::SQS::Queue', 'AWS::Logs::LogGroup', 'AWS::Events::EventBus',
      'AWS::Events::Rule', RESOURCE_TYPE]);
    const skipped = new Map<string, number>();
    for (const { Type: type } of Object.values(resources)) {
      if (!handled.has(type)) skipped.set(type, (skipped.get(type) ?? 0) + 1);
    }
    print('  not created locally (not needed to deliver events, or not runnable on moto): ' +
      [...skipped].map(([type, n]) => `${n} × ${type}`).join(', '));
    return deliveries;
  }

  private async createQueue(name: string): Promise<{ url: string; arn: string }> {
    const queue = await this.sqs!.send(new CreateQueueCommand({ QueueName: name.slice(0, 80) }));
    const attributes = await this.sqs!.send(new GetQueueAttributesCommand({
      QueueUrl: queue.QueueUrl,
      AttributeNames: ['QueueArn'],
    }));
    return { url: queue.QueueUrl!, arn: attributes.Attributes!.QueueArn! };
  }

  /** Creates one rule with its targets; returns what each target should receive. */
  private async createRule(id: string, props: Json, known: Resolution): Promise<Delivery[]> {
    await this.eventBridge!.send(new PutRuleCommand({
      Name: id,
      EventBusName: props.EventBusName,
      EventPattern: JSON.stringify(props.EventPattern),
      State: props.State,
      Description: props.Description,
    }));
    const topics: string[] = props.EventPattern?.['detail-type'] ?? [];
    const deliveries: Delivery[] = [];
    const targets: Json[] = [];
    const expect = (kind: TargetKind, target: string, inbox?: string) =>
      deliveries.push({
        rule: id, topics, kind, target, inbox, landed: new Map(), strays: new Set(),
      });

    for (const target of props.Targets ?? []) {
      const arn = String(target.Arn);
      const asIs = { Id: target.Id, Arn: arn, DeadLetterConfig: target.DeadLetterConfig };
      if (arn.startsWith('arn:aws:sqs:')) {
        const queueId = [...known.attributes].find(([, a]) => a.Arn === arn)?.[0];
        targets.push(asIs);
        expect('SQS queue', queueId ?? arn, queueId && this.queues.get(queueId));
      } else if (arn.startsWith('arn:aws:logs:')) {
        const group = arn.split(':log-group:')[1].replace(/:\*$/, '');
        targets.push(asIs);
        expect('log group', group, group);
      } else if (arn.startsWith('arn:aws:lambda:')) {
        // moto cannot invoke functions, and a matching rule with a Lambda target makes its
        // PutEvents fail (NotImplementedError, HTTP 500). The function's place on the rule goes
        // to a witness queue, which shows that moto matched the event to the rule.
        const witness = await this.createQueue(`sandbox-witness-${id}`);
        this.queues.set(`witness:${id}`, witness.url);
        targets.push({ Id: `${target.Id}Witness`, Arn: witness.arn });
        expect('Lambda function', arn.split(':function:')[1], witness.url);
      } else {
        targets.push(asIs);
        expect('unsupported', arn);
      }
    }
    await this.eventBridge!.send(new PutTargetsCommand({
      Rule: id,
      EventBusName: props.EventBusName,
      Targets: targets,
    }));
    this.rules.push({ name: id, bus: props.EventBusName, targetIds: targets.map((t) => t.Id) });
    const described = deliveries.map((d) => `${d.kind} ${d.target}` +
      (d.kind === 'Lambda function' ? ' (witness queue in its place)' : ''));
    mark(`rule ${id} created on the partner bus: ${topics.join(', ')} → ${described.join(', ')}`);
    return deliveries;
  }

  /** Polls the targets until every event arrived where its rules send it, or the timeout. */
  private async collect(deliveries: Delivery[], published: string[]): Promise<boolean> {
    const expected = (d: Delivery) => d.topics.filter((t) => published.includes(t));
    const complete = (d: Delivery) =>
      d.kind !== 'unsupported' && expected(d).every((t) => d.landed.has(t));
    const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
    while (!deliveries.every(complete) && Date.now() < deadline) {
      for (const delivery of deliveries) {
        if (!delivery.inbox) continue;
        for (const event of await this.read(delivery)) {
          const topic = event['detail-type'];
          if (!delivery.topics.includes(topic)) {
            delivery.strays.add(String(topic));
            mark(`${topic} landed where no rule sends it: ${delivery.kind} ${delivery.target}`);
            continue;
          }
          if (!expected(delivery).includes(topic) || delivery.landed.has(topic)) continue;
          delivery.landed.set(topic, String(event.detail?.topicName ?? ''));
          mark(`${topic} landed: rule ${delivery.rule} → ${delivery.kind} ${delivery.target}`);
        }
      }
      if (!deliveries.every(complete)) await new Promise((done) => setTimeout(done, 100));
    }
    return deliveries.every(complete);
  }

  private async read(delivery: Delivery): Promise<Json[]> {
    if (delivery.kind === 'log group') {
      const answer = await this.cwLogs!.send(new FilterLogEventsCommand({
        logGroupName: delivery.inbox,
      }));
      return (answer.events ?? []).map((e) => JSON.parse(e.message!));
    }
    const answer = await this.sqs!.send(new ReceiveMessageCommand({
      QueueUrl: delivery.inbox,
      MaxNumberOfMessages: 10,
    }));
    return (answer.Messages ?? []).map((m) => JSON.parse(m.Body!));
  }

  private report(deliveries: Delivery[], published: string[]): void {
    print();
    print('where each event landed:');
    for (const topic of published) {
      const matching = deliveries.filter((d) => d.topics.includes(topic));
      if (matching.length === 0) print(`  ✗ ${topic}: no rule of the template matches it`);
      for (const delivery of matching) {
        const concrete = delivery.landed.get(topic);
        const [sign, outcome] = concrete !== undefined
          ? ['✓', `, topicName ${concrete}`]
          : ['✗', ', NOT received'];
        print(`  ${sign} ${topic}: ${describeDelivery(delivery)}${outcome}`);
      }
    }
    for (const delivery of deliveries) {
      for (const stray of delivery.strays) {
        print(`  ✗ ${stray}: reached ${delivery.kind} ${delivery.target}, which no rule of it ` +
          'sends there');
      }
    }
  }

  /** Deletes what the run created, in the order CloudFormation would, then stops everything. */
  async teardown(): Promise<boolean> {
    if (this.stopped) return true;
    this.stopped = true;
    print();
    print('deleting everything, then stopping the emulator and moto…');
    let ok = true;
    try {
      await this.deleteAwsSide();
      if (this.resource?.physicalId) {
        const source = String(this.resource.data.EventSourceName);
        const id = this.resource.physicalId;
        const deleted = await this.resource.delete();
        ok = deleted.ok;
        mark(deleted.ok ? `integration ${id} deleted` : `delete FAILED: ${deleted.reason}`);
        await this.emulator!.idle();
        mark(`partner event source ${source} is ${await sourceState(this.eventBridge!, source)}`);
      }
      await this.deleteTargetsAndSecret();
    } catch (error) {
      ok = false;
      print(`teardown failed: ${error instanceof Error ? error.message : error}`);
    } finally {
      this.logs.stop();
      this.eventBridge?.destroy();
      this.sqs?.destroy();
      this.cwLogs?.destroy();
      this.partner?.destroy();
      await this.emulator?.stop();
      await this.moto?.stop();
      mark('emulator and moto stopped');
    }
    return ok;
  }

  private async deleteAwsSide(): Promise<void> {
    const eventBridge = this.eventBridge!;
    for (const rule of this.rules) {
      await eventBridge.send(new RemoveTargetsCommand({
        Rule: rule.name,
        EventBusName: rule.bus,
        Ids: rule.targetIds,
      }));
      await eventBridge.send(new DeleteRuleCommand({ Name: rule.name, EventBusName: rule.bus }));
    }
    if (this.rules.length > 0) mark(`${this.rules.length} rules deleted`);
    for (const bus of this.buses) {
      await eventBridge.send(new DeleteEventBusCommand({ Name: bus }));
      mark(`event bus ${bus} deleted: the source is ${await sourceState(eventBridge, bus)} again`);
    }
  }

  private async deleteTargetsAndSecret(): Promise<void> {
    for (const url of this.queues.values()) {
      await this.sqs!.send(new DeleteQueueCommand({ QueueUrl: url }));
    }
    for (const name of this.logGroups) {
      await this.cwLogs!.send(new DeleteLogGroupCommand({ logGroupName: name }));
    }
    if (this.secretArn) {
      const secrets = new SecretsManagerClient(this.moto!.clientConfig());
      await secrets.send(new DeleteSecretCommand({
        SecretId: this.secretArn,
        ForceDeleteWithoutRecovery: true,
      }));
      secrets.destroy();
    }
    mark(`${this.queues.size} queues, ${this.logGroups.length} log groups and the secret deleted`);
  }

  /** The handler's milestones and the partner side's calls, merged into the timeline. */
  addMilestones(): void {
    const wanted = new Set(['integration created', 'configuration written', 'intended state set',
      'partner source found', 'operation complete', 'integration deleted', 'event failed']);
    const firstOnly = new Set(['waiting for activation', 'waiting for partner source']);
    const seen = new Set<string>();
    for (const record of this.logs.records()) {
      const message = String(record.message);
      const key = `${record.requestType} ${message}`;
      if (!wanted.has(message) && !(firstOnly.has(message) && !seen.has(key))) continue;
      seen.add(key);
      const detail = record.reportedState ?? record.intendedState ?? record.state ?? '';
      const what = `handler (${record.requestType}): ${message}${detail ? ` (${detail})` : ''}`;
      mark(what, Date.parse(String(record.timestamp)));
    }
    if (this.logs.lines.length > 0) {
      const file = path.join(os.tmpdir(), `genesys-sandbox-handler-${process.pid}.log`);
      fs.writeFileSync(file, `${this.logs.lines.join('\n')}\n`);
      print(`the handler's ${this.logs.lines.length} log lines: ${file}`);
    }
    for (const call of this.partner?.calls ?? []) {
      if (call.action === 'publish') continue;
      const verb = call.action === 'createSource' ? 'created' : 'deleted';
      mark(`Genesys ${verb} partner event source ${call.source}`, call.at);
    }
  }
}

function printTimeline(): void {
  print();
  print('timeline:');
  for (const entry of [...timeline].sort((a, b) => a.at - b.at)) {
    print(`  ${since(entry.at)}  ${entry.what}`);
  }
}

async function main(): Promise<number> {
  const sandbox = new Sandbox();
  const interrupt = () => {
    print('interrupted: cleaning up');
    void sandbox.teardown().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  let delivered = false;
  try {
    delivered = await sandbox.run();
  } catch (error) {
    print(`sandbox failed: ${error instanceof Error ? error.stack ?? error.message : error}`);
  }
  const cleaned = await sandbox.teardown();
  sandbox.addMilestones();
  printTimeline();
  print();
  const ok = delivered && cleaned;
  print(ok
    ? 'every event reached every target of its rules and nowhere else; everything created was ' +
      'deleted and stopped'
    : 'the sandbox FAILED: see above');
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (error) => {
  print(String(error));
  process.exit(1);
});
