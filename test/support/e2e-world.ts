/**
 * Everything an end-to-end run needs, started together: moto behind its corrections, the Genesys
 * emulator whose partner side is moto, the OAuth client's secret in moto's Secrets Manager, the
 * lifecycle handler bundle exactly as deployed, and the Provider framework played by hand.
 * Also the AWS-side helpers a stack would create: the partner bus, rules to SQS queues.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventSourceCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULT_CLIENTS, GenesysEmulator } from './genesys-emulator';
import type { EmulatorOptions, PartnerSide } from './genesys-emulator';
import { MotoServer, startMoto } from './moto';
import { MotoPartnerSide } from './moto-partner-side';
import { LifecycleHandler, ProviderFlow, ProviderFlowOptions } from './provider-flow';
import { GenesysEventBridge, GenesysRegion, GenesysTopic } from '../../lib';

/** The repository root. */
export const ROOT = path.join(__dirname, '..', '..');

/** The deployed asset of the lifecycle handler. */
export const HANDLER_BUNDLE = path.join(ROOT, 'assets', 'lifecycle-handler', 'index.js');

/** The newest modification time of the handler's sources (lib/lifecycle and the shared rules). */
function newestSourceTime(): number {
  const lifecycle = path.join(ROOT, 'lib', 'lifecycle');
  const files = [
    ...fs.readdirSync(lifecycle).map((f) => path.join(lifecycle, f)),
    path.join(ROOT, 'lib', 'rules.ts'),
    path.join(ROOT, 'lib', 'genesys-domains.ts'),
  ].filter((f) => f.endsWith('.ts'));
  return Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
}

/**
 * Requires the handler bundle as deployed (assets/lifecycle-handler/index.js). When it is missing
 * or older than the handler's sources, it is built first with the project's bundling script, so
 * a test never runs yesterday's handler.
 */
export function loadHandlerBundle(): LifecycleHandler {
  const stale = !fs.existsSync(HANDLER_BUNDLE)
    || fs.statSync(HANDLER_BUNDLE).mtimeMs < newestSourceTime();
  if (stale) {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle-handler.mjs')], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const handler = require(HANDLER_BUNDLE) as Partial<LifecycleHandler>;
  if (typeof handler.onEvent !== 'function' || typeof handler.isComplete !== 'function') {
    throw new Error(`${HANDLER_BUNDLE} must export onEvent and isComplete functions`);
  }
  return handler as LifecycleHandler;
}

/** Collects the handler's log lines (JSON on stdout) instead of printing them. */
export class LogCapture {
  /** Every line written to stdout while capturing. */
  readonly lines: string[] = [];
  private original?: typeof process.stdout.write;

  /** Starts capturing stdout. */
  start(): void {
    if (this.original) return;
    this.original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      this.lines.push(...String(chunk).split('\n').filter((line) => line.length > 0));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  }

  /** Restores stdout. */
  stop(): void {
    if (this.original) process.stdout.write = this.original;
    this.original = undefined;
  }

  /** The lines that parse as JSON objects. */
  records(): Array<Record<string, unknown>> {
    return this.lines.flatMap((line) => {
      try {
        const parsed = JSON.parse(line);
        return typeof parsed === 'object' && parsed !== null ? [parsed] : [];
      } catch {
        return [];
      }
    });
  }
}

/** Options of {@link startWorld}. */
export interface WorldOptions {
  /** Options of the emulator (its partner side is always moto). @default - fast delays */
  readonly emulator?: Omit<EmulatorOptions, 'partnerSide'>;
  /** Options of the Provider framework. @default - 5 ms between polls, 20 s in total */
  readonly flow?: ProviderFlowOptions;
  /** Environment variables for the handler (its timeouts and retry budget). @default {} */
  readonly handlerEnv?: Record<string, string>;
  /** Capture the handler's stdout. @default true */
  readonly captureLogs?: boolean;
  /** A running moto to use (and leave running); it is reset first. @default - a new one */
  readonly moto?: MotoServer;
  /** The handler to drive. @default - the deployed bundle, loadHandlerBundle() */
  readonly handler?: LifecycleHandler;
  /** Wraps the moto partner side, e.g. to make sources expire. @default - the moto partner side */
  readonly partnerSide?: (moto: MotoPartnerSide) => PartnerSide;
}

/** A running end-to-end world. */
export interface World {
  readonly moto: MotoServer;
  readonly emulator: GenesysEmulator;
  readonly partner: MotoPartnerSide;
  readonly handler: LifecycleHandler;
  readonly flow: ProviderFlow;
  readonly logs: LogCapture;
  readonly eventBridge: EventBridgeClient;
  readonly sqs: SQSClient;
  /** The secret that holds the emulator's OAuth client. */
  readonly secretArn: string;
  /** The account and region every partner source goes to. */
  readonly accountId: string;
  readonly region: string;
  /** ResourceProperties of an integration, with overrides. */
  properties(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** Stops everything and restores the environment. */
  stop(): Promise<void>;
}

/** Starts moto, the emulator on moto and the handler bundle. */
export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const ownMoto = !options.moto;
  const moto = options.moto ?? await startMoto();
  if (!ownMoto) await moto.reset();
  const savedEnv: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(options.handlerEnv ?? {})) {
    savedEnv[key] = process.env[key];
    process.env[key] = value;
  }

  const partner = new MotoPartnerSide({ endpoint: moto.endpoint });
  const emulator = await GenesysEmulator.start({
    activationDelayMs: 10,
    propagationDelayMs: 10,
    ...options.emulator,
    partnerSide: options.partnerSide ? options.partnerSide(partner) : partner,
  });

  const config = moto.clientConfig();
  const secrets = new SecretsManagerClient(config);
  const [clientId, clientSecret] = Object.entries(options.emulator?.clients ?? DEFAULT_CLIENTS)[0];
  const secret = await secrets.send(new CreateSecretCommand({
    Name: 'genesys/eventbridge-oauth-client',
    SecretString: JSON.stringify({ clientId, clientSecret }),
  }));
  secrets.destroy();

  const logs = new LogCapture();
  if (options.captureLogs ?? true) logs.start();
  const handler = options.handler ?? loadHandlerBundle();
  const flow = new ProviderFlow(handler, {
    queryIntervalMs: 5,
    totalTimeoutMs: 20_000,
    ...options.flow,
  });
  const eventBridge = new EventBridgeClient(config);
  const sqs = new SQSClient(config);

  return {
    moto,
    emulator,
    partner,
    handler,
    flow,
    logs,
    eventBridge,
    sqs,
    secretArn: secret.ARN!,
    accountId: moto.accountId,
    region: moto.region,
    properties: (overrides = {}) => ({
      SecretArn: secret.ARN!,
      GenesysApiEndpoint: emulator.url,
      GenesysLoginEndpoint: emulator.url,
      AwsAccountId: moto.accountId,
      AwsRegion: moto.region,
      EventSourceSuffix: 'contact-center',
      Topics: ['v2.users.{id}.presence'],
      IntegrationName: 'Contact center events',
      Enabled: 'true',
      RemovalPolicy: 'delete',
      ...overrides,
    }),
    async stop() {
      logs.stop();
      eventBridge.destroy();
      sqs.destroy();
      partner.destroy();
      await emulator.stop();
      if (ownMoto) await moto.stop();
      for (const [key, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}

/** Describes a partner source; `NOT_FOUND` when EventBridge does not know it. */
export async function sourceState(client: EventBridgeClient, name: string): Promise<string> {
  try {
    return (await client.send(new DescribeEventSourceCommand({ Name: name }))).State ?? 'UNKNOWN';
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return 'NOT_FOUND';
    throw error;
  }
}

/** Polls until a condition holds; rejects with `what` after the timeout. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>,
  timeoutMs = 5000, intervalMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Associates the partner source with a new event bus, as CloudFormation does for
 * `new events.EventBus(scope, id, { eventSourceName })`: Name = EventSourceName = the source.
 */
export async function createPartnerBus(client: EventBridgeClient,
  sourceName: string): Promise<string> {
  const answer = await client.send(new CreateEventBusCommand({
    Name: sourceName,
    EventSourceName: sourceName,
  }));
  return answer.EventBusArn!;
}

/** A queue that receives what one rule matches. */
export interface RoutedQueue {
  readonly ruleName: string;
  readonly busName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
}

/**
 * The event pattern `GenesysEventBridge.onTopic()` synthesizes for one topic, read from the
 * template of a stack that routes it, with the unit's `EventSourceName` attribute resolved to
 * `sourceName`: the end-to-end rules are the construct's own, so a change of the pattern shows
 * here as it would in a deployment.
 */
export function synthesizedTopicPattern(topic: string, sourceName: string): Record<string, unknown> {
  const stack = new Stack(new App(), 'E2ePattern', {
    env: { account: '123456789012', region: 'us-east-1' },
  });
  const unit = new GenesysEventBridge(stack, 'Genesys', {
    credentials: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Client',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:genesys/e2e-AbCdEf'),
    genesysRegion: GenesysRegion.US_EAST_1,
    eventSourceSuffix: 'e2e',
  });
  unit.onTopic('Route', [GenesysTopic.of(topic)]);
  const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
  if (rules.length !== 1) throw new Error(`expected one rule in the template, found ${rules.length}`);
  const resolveSource = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolveSource);
    if (value === null || typeof value !== 'object') return value;
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt) {
      if (getAtt[1] !== 'EventSourceName') throw new Error(`unexpected Fn::GetAtt ${getAtt}`);
      return sourceName;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSource(v)]));
  };
  return resolveSource(rules[0].Properties.EventPattern) as Record<string, unknown>;
}

/**
 * The rule the construct synthesizes for one topic (`synthesizedTopicPattern`), on a bus (the
 * partner bus, whose name is the source name, unless told otherwise), with an SQS queue as its
 * target.
 */
export async function routeTopicToQueue(eventBridge: EventBridgeClient, sqs: SQSClient,
  busName: string, topic: string, queueName: string, source = busName): Promise<RoutedQueue> {
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  const attributes = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'],
  }));
  const ruleName = `${queueName}-rule`;
  await eventBridge.send(new PutRuleCommand({
    Name: ruleName,
    EventBusName: busName,
    EventPattern: JSON.stringify(synthesizedTopicPattern(topic, source)),
  }));
  await eventBridge.send(new PutTargetsCommand({
    Rule: ruleName,
    EventBusName: busName,
    Targets: [{ Id: 'queue', Arn: attributes.Attributes!.QueueArn }],
  }));
  const queueArn = attributes.Attributes!.QueueArn!;
  return { ruleName, busName, queueUrl: queue.QueueUrl!, queueArn };
}

/** Removes a rule and then the partner bus. */
export async function deletePartnerBus(eventBridge: EventBridgeClient, busName: string,
  rules: string[]): Promise<void> {
  for (const rule of rules) {
    await eventBridge.send(new RemoveTargetsCommand({
      Rule: rule,
      EventBusName: busName,
      Ids: ['queue'],
    }));
    await eventBridge.send(new DeleteRuleCommand({ Name: rule, EventBusName: busName }));
  }
  await eventBridge.send(new DeleteEventBusCommand({ Name: busName }));
}

/** An event as EventBridge delivered it to a queue. */
export interface DeliveredEvent {
  readonly 'source': string;
  readonly 'detail-type': string;
  readonly 'detail': Record<string, any>;
  readonly [key: string]: unknown;
}

/** Receives (and deletes) every message waiting in a queue. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<DeliveredEvent[]> {
  const events: DeliveredEvent[] = [];
  for (;;) {
    const answer = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
    }));
    const messages = answer.Messages ?? [];
    if (messages.length === 0) return events;
    events.push(...messages.map((m) => JSON.parse(m.Body!) as DeliveredEvent));
    await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
    }));
  }
}
