/**
 * The lifecycle benchmarks: the handler bundle, run in-process against the Genesys emulator, with
 * AWS (DescribeEventSource, Secrets Manager) from moto, driven the way the Provider framework
 * drives it (provider-loop.ts).
 *
 * - latency: create → partner source ready, minus the emulator's propagation delay;
 * - calls: Genesys calls per operation, from the emulator's request log;
 * - storm: a create under a 429 storm.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildHandler } from './bundle';
import {
  LifecycleHandler,
  LifecycleOutcome,
  LifecycleRequest,
  LoopOptions,
  runRequest,
} from './provider-loop';
import { GoalRow, Section, table } from './report';
import { fixed, median } from './stats';
import { GenesysEventBridgeProvider } from '../lib';
import { GenesysEmulator, RecordedRequest } from '../test/support/genesys-emulator';
import { startMoto, MotoServer } from '../test/support/moto';
import { MotoPartnerSide } from '../test/support/moto-partner-side';

/** Parameters of the lifecycle benchmarks. */
export interface LifecycleOptions {
  /** The repository root. */
  readonly root: string;
  /** The Provider's query interval used throughout. */
  readonly queryIntervalMs: number;
  /** The emulator's propagation delay in the latency benchmark. */
  readonly propagationDelayMs: number;
  /** The emulator's activation delay (ACTIVATING → ACTIVE). */
  readonly activationDelayMs: number;
  /** Creates measured in the latency benchmark. */
  readonly latencyRuns: number;
  /** Length of the 429 storm. */
  readonly stormMs: number;
  /** Retry-After of every answer during the storm, in seconds. */
  readonly stormRetryAfterSeconds: number;
}

/** The propagation delay where the benchmark does not measure it: short, to keep the run short. */
const SHORT_PROPAGATION_MS = 20;
const TOPICS = ['v2.users.{id}.presence', 'v2.users.{id}.routingStatus'];
const CREDENTIALS = { clientId: 'emulator-client', clientSecret: 'emulator-secret' };
const TOKEN_PATH = '/oauth/token';

/** What every benchmark here shares: moto, the secret, the handler bundle. */
interface Environment {
  readonly moto: MotoServer;
  readonly secretArn: string;
  readonly bundle: string;
  readonly options: LifecycleOptions;
  readonly loop: LoopOptions;
}

/** Runs the three lifecycle benchmarks; AWS comes from one moto server. */
export async function benchLifecycle(options: LifecycleOptions): Promise<Section[]> {
  const bundle = buildHandler(options.root);
  const moto = await startMoto();
  const logs = silenceStdout();
  try {
    const secrets = new SecretsManagerClient(moto.clientConfig());
    const secret = await secrets.send(new CreateSecretCommand({
      Name: 'genesys-bench-oauth-client',
      SecretString: JSON.stringify(CREDENTIALS),
    }));
    secrets.destroy();
    const env: Environment = {
      moto,
      secretArn: secret.ARN as string,
      bundle,
      options,
      loop: {
        queryIntervalMs: options.queryIntervalMs,
        totalTimeoutMs: 10 * 60_000,
        ...lambdaTimeouts(),
      },
    };
    const sections: Section[] = [];
    for (const bench of [benchLatency, benchCalls, benchStorm]) {
      sections.push(await bench(env));
    }
    return sections;
  } finally {
    logs.restore();
    await moto.stop();
  }
}

// ---- latency -----------------------------------------------------------------------------------

async function benchLatency(env: Environment): Promise<Section> {
  const { options } = env;
  const overheads: number[] = [];
  const rows: string[][] = [];
  for (let run = 1; run <= options.latencyRuns; run++) {
    const { emulator, partner, stop } = await startEmulator(env, options.propagationDelayMs);
    try {
      const outcome = await runRequest(handlerPair(env.bundle), {
        RequestType: 'Create',
        ResourceProperties: properties(env, emulator, `bench-latency-${run}`),
      }, env.loop);
      if (outcome.status !== 'SUCCESS') throw new Error(`the create failed: ${outcome.reason}`);

      const total = outcome.endedAt - outcome.startedAt;
      const created = partner.calls.find((c) => c.action === 'createSource');
      const polls = outcome.invocations.filter((i) => i.entry === 'isComplete').length;
      const onEvent = outcome.invocations[0];
      overheads.push(total - options.propagationDelayMs);
      rows.push([
        String(run),
        `${total} ms`,
        `${total - options.propagationDelayMs} ms`,
        `${onEvent.endedAt - onEvent.startedAt} ms`,
        created ? `${created.at - outcome.startedAt} ms` : 'never',
        created ? `${outcome.endedAt - created.at} ms` : '—',
        String(polls),
      ]);
    } finally {
      await stop();
    }
  }

  const overhead = median(overheads);
  const goalMs = options.queryIntervalMs + 2000;
  const met = overhead <= goalMs;
  const ratio = (overhead + options.propagationDelayMs) / options.propagationDelayMs;
  const goal: GoalRow = {
    metric: 'create → partner source ready, minus propagation delay',
    measured: `${fixed(overhead, 0)} ms overhead (median of ${options.latencyRuns})`,
    baseline: `${options.propagationDelayMs} ms (the propagation delay)`,
    ratio: `${fixed(ratio, 2)}× (create time / propagation delay)`,
    goal: `overhead ≤ one query interval + 2 s = ${goalMs} ms`,
    met,
    note: met ? undefined : `${fixed(overhead - goalMs, 0)} ms over the goal; see the ` +
      'timeline of the latency section (time in onEvent, time from the source\'s creation to ' +
      'its detection).',
  };
  return {
    title: 'Create → partner source ready',
    goals: [goal],
    details: [
      `Parameters: query interval ${options.queryIntervalMs} ms, emulator propagation delay ` +
        `${options.propagationDelayMs} ms (ACTIVE → partner source created), activation ` +
        `delay ${options.activationDelayMs} ms (ACTIVATING → ACTIVE), ${options.latencyRuns} ` +
        'creates, each against a fresh emulator. AWS: moto (test/support/moto.ts, behind its ' +
        'EventBridge corrections); the emulator creates the partner source in moto with ' +
        'CreatePartnerEventSource, and the handler finds it with DescribeEventSource. onEvent ' +
        'and isComplete run as two fresh module instances of the handler bundle (two cold ' +
        'functions); the first isComplete runs right after onEvent, each next one a query ' +
        'interval after the previous one ended, as the Provider\'s waiter runs them.',
      'The overhead is what the lifecycle adds to Genesys\'s own delay: the onEvent calls, the ' +
        'activation delay, and the wait between the source appearing and the next poll (at most ' +
        'one query interval).',
      table(['run', 'create → ready', 'minus propagation', 'onEvent', 'source created at',
        'source created → ready', 'isComplete invocations'], rows),
    ],
  };
}

// ---- calls per operation -----------------------------------------------------------------------

/** The Genesys requests of one operation, split by the handler entry point that made them. */
const WARM_TOPIC_CHANGE = 'topic change, warm functions';

interface OperationCount {
  readonly name: string;
  readonly outcome: LifecycleOutcome;
  readonly onEvent: RecordedRequest[];
  /** One list per isComplete invocation. */
  readonly polls: RecordedRequest[][];
}

async function benchCalls(env: Environment): Promise<Section> {
  const { emulator, stop } = await startEmulator(env, SHORT_PROPAGATION_MS);
  const counts: OperationCount[] = [];
  try {
    // Each operation runs on fresh module instances (cold functions) unless it is given the pair
    // an earlier operation used (warm functions, their token and organization cached).
    let pair = handlerPair(env.bundle);
    const operate = async (name: string, request: LifecycleRequest, warm = false) => {
      await emulator.idle();
      // The handler runs in this process, one invocation at a time, so the requests that reach
      // the emulator during an invocation are exactly the ones it made.
      const onEvent: RecordedRequest[] = [];
      const polls: RecordedRequest[][] = [];
      if (!warm) pair = handlerPair(env.bundle);
      const during = async <T>(sink: RecordedRequest[], work: () => Promise<T>): Promise<T> => {
        const before = emulator.requests.length;
        try {
          return await work();
        } finally {
          sink.push(...emulator.requests.slice(before));
        }
      };
      const outcome = await runRequest({
        onEvent: (event, context) => during(onEvent, () => pair.onEvent(event, context)),
        isComplete: (event, context) => {
          const poll: RecordedRequest[] = [];
          polls.push(poll);
          return during(poll, () => pair.isComplete(event, context));
        },
      }, request, env.loop);
      counts.push({ name, outcome, onEvent, polls });
      if (outcome.status !== 'SUCCESS') throw new Error(`${name} failed: ${outcome.reason}`);
      return outcome;
    };

    const initial = properties(env, emulator, 'bench-calls');
    const created = await operate('create', { RequestType: 'Create', ResourceProperties: initial });
    const moreTopics = { ...initial, Topics: [...TOPICS, 'v2.routing.queues.{id}.users'].sort() };
    await operate('topic change', {
      RequestType: 'Update',
      PhysicalResourceId: created.physicalResourceId,
      OldResourceProperties: initial,
      ResourceProperties: moreTopics,
    });
    const evenMoreTopics = {
      ...moreTopics,
      Topics: [...moreTopics.Topics, 'v2.users.{id}.activity'].sort(),
    };
    await operate(WARM_TOPIC_CHANGE, {
      RequestType: 'Update',
      PhysicalResourceId: created.physicalResourceId,
      OldResourceProperties: moreTopics,
      ResourceProperties: evenMoreTopics,
    }, true);
    const renamed = { ...evenMoreTopics, EventSourceSuffix: 'bench-calls-2' };
    const replaced = await operate('suffix replacement (update)', {
      RequestType: 'Update',
      PhysicalResourceId: created.physicalResourceId,
      OldResourceProperties: evenMoreTopics,
      ResourceProperties: renamed,
    });
    // CloudFormation deletes the replaced integration once the stack update succeeded.
    await operate('suffix replacement (delete of the old integration)', {
      RequestType: 'Delete',
      PhysicalResourceId: created.physicalResourceId,
      ResourceProperties: evenMoreTopics,
    });
    await operate('delete', {
      RequestType: 'Delete',
      PhysicalResourceId: replaced.physicalResourceId,
      ResourceProperties: renamed,
    });
  } finally {
    await stop();
  }

  const api = (requests: RecordedRequest[]) => requests.filter((r) => r.path !== TOKEN_PATH);
  const rows = counts.map((c) => {
    const all = [...c.onEvent, ...c.polls.flat()];
    const pollApi = c.polls.map((p) => api(p).length);
    const onEventApi = api(c.onEvent).length;
    return {
      name: c.name,
      api: api(all).length,
      tokens: all.length - api(all).length,
      onEventApi,
      polls: c.polls.length,
      pollApi,
      // Beyond one state read per poll, what isComplete calls counts like any other call.
      beyondPolls: onEventApi + pollApi.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      breakdown: summarize(api(all)),
      why: explainCalls(api(c.onEvent)),
    };
  });
  const byName = new Map(rows.map((r) => [r.name, r]));
  const goalRow = (name: string, limit: number, perPoll: boolean): GoalRow => {
    const metric = `Genesys calls: ${name}`;
    const r = byName.get(name);
    if (!r) {
      const none = '—';
      return {
        metric, measured: 'not run', baseline: none, ratio: none, goal: none, met: undefined,
      };
    }
    const counted = perPoll ? r.beyondPolls : r.api;
    const met = counted <= limit;
    return {
      metric,
      measured: `${r.api} api (onEvent ${r.onEventApi}; ${r.polls} isComplete: ` +
        `${r.pollApi.join('+') || '0'}) + ${r.tokens} token`,
      baseline: '—',
      ratio: '—',
      goal: perPoll ? `≤ ${limit} + state polls` : `≤ ${limit}`,
      met,
      note: met ? undefined : `${counted - limit} api call(s) over the goal. ${r.why}`,
    };
  };
  const replacement = byName.get('suffix replacement (update)');
  const oldDeleted = byName.get('suffix replacement (delete of the old integration)');
  const goals: GoalRow[] = [
    goalRow('create', 6, true),
    goalRow('topic change', 3, false),
    goalRow(WARM_TOPIC_CHANGE, 3, false),
    {
      metric: 'Genesys calls: suffix replacement',
      measured: replacement && oldDeleted
        ? `${replacement.api + oldDeleted.api} api + ${replacement.tokens + oldDeleted.tokens} ` +
          'token (the update, then the delete of the old integration)'
        : 'not run',
      baseline: '—',
      ratio: '—',
      goal: '— (reported only)',
      met: replacement && oldDeleted ? 'reported' : undefined,
    },
    goalRow('delete', 2, false),
  ];
  return {
    title: 'Genesys calls per operation',
    goals,
    details: [
      `Parameters: query interval ${env.options.queryIntervalMs} ms, activation delay ` +
        `${env.options.activationDelayMs} ms, propagation delay ${SHORT_PROPAGATION_MS} ms, one ` +
        'emulator for the whole sequence create → topic change → suffix replacement (the ' +
        'update, then the delete of the old integration that CloudFormation sends after the ' +
        'stack update) → delete. Counts come from the emulator\'s request log; token calls ' +
        '(POST /oauth/token) are counted apart. Every operation loads onEvent and isComplete as ' +
        'fresh module instances (cold functions), each of which fetches its own token and ' +
        'reads the organization: the cold-start worst case. The second topic change adds one ' +
        'more topic on the functions of the first (warm), which reuse the token and the ' +
        'organization they cached, as the Lambda functions of a stack that updates several ' +
        'integrations in one deployment do.',
      'For the create goal, a "state poll" is one isComplete invocation reading the ' +
        'integration: the calls of onEvent, and those of isComplete beyond one per invocation, ' +
        'count against the 6.',
      table(['operation', 'api calls', 'token calls', 'api calls in onEvent',
        'isComplete invocations: api calls each', 'api calls by route'],
      rows.map((r) => [r.name, String(r.api), String(r.tokens), String(r.onEventApi),
        `${r.polls}: ${r.pollApi.join(', ') || '—'}`, r.breakdown])),
    ],
  };
}

/** The route of a request, ids replaced by `{id}`. */
function route(r: RecordedRequest): string {
  return `${r.method} ${r.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, '{id}')}`;
}

/** "GET /api/v2/integrations/{id} ×3, PUT ... ×1" in order of first appearance. */
function summarize(requests: RecordedRequest[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(route(r), (counts.get(route(r)) ?? 0) + 1);
  return [...counts].map(([name, n]) => `${name} ×${n}`).join(', ') || 'none';
}

/**
 * Why onEvent makes the calls it makes, from its request log: the reads before its first write
 * (what it reads to decide), the calls after, and what the reads are for.
 */
function explainCalls(requests: RecordedRequest[]): string {
  const firstWrite = requests.findIndex((r) => r.method !== 'GET');
  const reads = firstWrite < 0 ? requests : requests.slice(0, firstWrite);
  const rest = firstWrite < 0 ? [] : requests.slice(firstWrite);
  const list = (rs: RecordedRequest[]) => rs.map(route).join(', ') || 'none';
  let text = `onEvent reads ${reads.length} time(s) before its first write (${list(reads)})`;
  if (rest.length > 0) text += `, then makes ${rest.length} call(s) (${list(rest)})`;

  const has = (method: string, test: (path: string) => boolean) =>
    requests.some((r) => r.method === method && test(r.path));
  const listed = requests.some((r) => r.method === 'GET' && r.path === '/api/v2/integrations' &&
    (r.query.expand ?? '').includes('config.current'));
  const notes: string[] = [];
  if (has('GET', (p) => p.endsWith('/config/current'))) {
    notes.push(has('POST', (p) => p === '/api/v2/integrations')
      ? 'the configuration of the integration it has just created is read for its version'
      : listed
        ? 'the configuration is read again although the listing returned it with ' +
          'expand=config.current'
        : 'the configuration is read for its version');
  }
  const readRoutes = requests.filter((r) => r.method === 'GET').map(route);
  const repeated = [...new Set(readRoutes.filter((r, i) => readRoutes.indexOf(r) !== i))];
  if (repeated.length > 0) notes.push(`${repeated.join(', ')} is read more than once`);
  if (has('GET', (p) => p === '/api/v2/notifications/availabletopics')) {
    notes.push('the topic catalog is read to check the topics against the EventBridge transport');
  }
  if (has('GET', (p) => p === '/api/v2/organizations/me')) {
    notes.push('the organization is read for the partner source name, which every Update ' +
      'must return in Data (CloudFormation does not hand back the previous attributes); a cold ' +
      'function reads it once, a warm one keeps it (see the warm row)');
  }
  return `${text}.${notes.length > 0 ? ` Of these, ${notes.join('; ')}.` : ''}`;
}

// ---- 429 storm ---------------------------------------------------------------------------------

async function benchStorm(env: Environment): Promise<Section> {
  const { options } = env;
  const { emulator, stop } = await startEmulator(env, SHORT_PROPAGATION_MS);
  const retryAfterMs = options.stormRetryAfterSeconds * 1000;
  let outcome: LifecycleOutcome;
  try {
    emulator.inject({
      fault: { kind: 'status', status: 429, retryAfterSeconds: options.stormRetryAfterSeconds },
      fromMs: 0,
      untilMs: options.stormMs,
    });
    outcome = await runRequest(handlerPair(env.bundle), {
      RequestType: 'Create',
      ResourceProperties: properties(env, emulator, 'bench-storm'),
    }, env.loop);
  } finally {
    await stop();
  }

  const requests = emulator.requests;
  const storm = requests.filter((r) => r.fault === 'status 429');
  const minimum = Math.ceil(options.stormMs / retryAfterMs);
  // A call is early when it starts before the Retry-After of the 429 answer before it has passed.
  let early = 0;
  let smallestGap = Infinity;
  for (let i = 0; i + 1 < requests.length; i++) {
    const r = requests[i];
    if (r.fault !== 'status 429') continue;
    const gap = requests[i + 1].startedAt - (r.startedAt + r.durationMs);
    smallestGap = Math.min(smallestGap, gap);
    if (gap < retryAfterMs) early++;
  }
  const completed = outcome.status === 'SUCCESS';
  const total = outcome.endedAt - outcome.startedAt;
  const seconds = (ms: number) => `${fixed(ms / 1000, 2)} s`;
  const timeline = requests.slice(0, 40).map((r) => [
    seconds(r.startedAt - outcome.startedAt), route(r), String(r.status), r.fault ?? '',
  ]);
  const invocations = outcome.invocations.map((i) => {
    const result = i.error
      ? `threw: ${i.error.slice(0, 160)}`
      : i.entry === 'isComplete' ? `IsComplete ${i.complete}` : 'returned';
    return [i.entry, seconds(i.startedAt - outcome.startedAt), seconds(i.endedAt - i.startedAt),
      result];
  });

  const goals: GoalRow[] = [
    {
      metric: '429 storm: create completes',
      measured: `${completed ? 'completed' : 'failed'} after ${fixed(total / 1000, 1)} s`,
      baseline: `${options.stormMs / 1000} s storm`,
      ratio: `${fixed(total / options.stormMs, 2)}× the storm`,
      goal: 'completes',
      met: completed,
      note: completed ? undefined : stormMissNote(outcome, requests, options.stormMs),
    },
    {
      metric: '429 storm: calls before Retry-After',
      measured: `${early} early call(s); smallest gap after a 429: ` +
        `${Number.isFinite(smallestGap) ? `${smallestGap} ms` : '—'}`,
      baseline: '—',
      ratio: '—',
      goal: `0 (every gap ≥ ${retryAfterMs} ms)`,
      met: early === 0,
      note: early === 0 ? undefined : `${early} call(s) came sooner than the ${retryAfterMs} ms ` +
        'Retry-After asked; see the request timeline of the storm section.',
    },
    {
      metric: '429 storm: calls during the storm',
      measured: `${storm.length} answered 429`,
      baseline: `${minimum} (storm / Retry-After)`,
      ratio: `${fixed(storm.length / minimum, 2)}×`,
      goal: 'no more than the storm forces',
      met: storm.length <= minimum,
      note: storm.length > minimum
        ? `${storm.length - minimum} call(s) more than the ${minimum} the storm forces; see the ` +
          'request timeline of the storm section.'
        : completed ? undefined
          : 'met, but only because the handler gave up before the storm ended',
    },
  ];
  return {
    title: '429 storm during a create',
    goals,
    details: [
      'Parameters: every call (the token endpoint included) answered 429 with Retry-After: ' +
        `${options.stormRetryAfterSeconds} for ${options.stormMs / 1000} s from the moment the ` +
        `create starts; query interval ${options.queryIntervalMs} ms; the Lambda timeouts the ` +
        `provider synthesizes (onEvent ${env.loop.onEventTimeoutMs / 1000} s, isComplete ` +
        `${env.loop.isCompleteTimeoutMs / 1000} s), enforced by the harness. The minimum is the ` +
        'number of calls a client that waits exactly Retry-After between calls makes during the ' +
        'storm: ' +
        `${options.stormMs / 1000} / ${options.stormRetryAfterSeconds} = ${minimum}.`,
      `Outcome: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}; ` +
        `${requests.length} requests in all, ${storm.length} of them during the storm.`,
      table(['handler invocation', 'started', 'took', 'result'], invocations),
      `Request timeline${requests.length > 40 ? ' (first 40)' : ''}:`,
      table(['at', 'call', 'status', 'fault'], timeline),
    ],
  };
}

/** Why a create under the storm failed, from its invocations and the request log. */
function stormMissNote(outcome: LifecycleOutcome, requests: RecordedRequest[],
  stormMs: number): string {
  const failedIn = outcome.invocations.find((i) => i.error);
  const span = requests.length > 1
    ? requests[requests.length - 1].startedAt - requests[0].startedAt
    : 0;
  const where = failedIn
    ? `${failedIn.entry} threw after ${fixed((failedIn.endedAt - failedIn.startedAt) / 1000, 1)} s`
    : 'the wait timed out';
  const rateLimited = requests.filter((r) => r.status === 429).length;
  const gaveUp = span < stormMs
    ? `then gave up ${fixed((stormMs - span) / 1000, 1)} s before the ${stormMs / 1000} s storm ` +
      'ended: its retries stop sooner than the storm lasts, and the error ends the request'
    : 'and failed although the storm was over';
  return `${where}: the handler made ${requests.length} call(s) over ` +
    `${fixed(span / 1000, 1)} s, ${rateLimited} of them answered 429, ${gaveUp}. ` +
    `The handler said: ${outcome.reason}`;
}

// ---- helpers -----------------------------------------------------------------------------------

/**
 * The Lambda timeouts of the two lifecycle functions, read from a synthesized provider so that
 * the harness cuts an invocation off where Lambda would.
 */
function lambdaTimeouts(): Pick<LoopOptions, 'onEventTimeoutMs' | 'isCompleteTimeoutMs'> {
  const env = { account: '123456789012', region: 'us-east-1' };
  const stack = new Stack(new App(), 'Timeouts', { env });
  GenesysEventBridgeProvider.getOrCreate(stack);
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  const timeout = (handler: string) => {
    const fn = Object.values(functions).find((r) => r.Properties?.Handler === handler);
    const seconds = fn?.Properties?.Timeout;
    if (typeof seconds !== 'number') {
      throw new Error(`the provider has no Lambda function with the handler ${handler} ` +
        'and a timeout');
    }
    return seconds * 1000;
  };
  return {
    onEventTimeoutMs: timeout('index.onEvent'),
    isCompleteTimeoutMs: timeout('index.isComplete'),
  };
}

/** An emulator whose partner side creates the sources in moto, and how to stop both. */
async function startEmulator(env: Environment, propagationDelayMs: number) {
  const partner = new MotoPartnerSide({ endpoint: env.moto.endpoint });
  const emulator = await GenesysEmulator.start({
    partnerSide: partner,
    activationDelayMs: env.options.activationDelayMs,
    propagationDelayMs,
  });
  const stop = async () => {
    await emulator.stop();
    partner.destroy();
  };
  return { emulator, partner, stop };
}

/** The ResourceProperties of an integration against this emulator, as the constructs write them. */
function properties(env: Environment, emulator: GenesysEmulator, suffix: string) {
  return {
    SecretArn: env.secretArn,
    GenesysApiEndpoint: emulator.url,
    GenesysLoginEndpoint: emulator.url,
    AwsAccountId: env.moto.accountId,
    AwsRegion: env.moto.region,
    EventSourceSuffix: suffix,
    Topics: [...TOPICS].sort(),
    IntegrationName: `bench ${suffix}`,
    Enabled: 'true',
  };
}

/**
 * onEvent and isComplete from two fresh instances of the bundle: two cold Lambda functions, each
 * with its own module state (token cache, clients).
 */
function handlerPair(bundle: string): LifecycleHandler {
  const fresh = () => {
    delete require.cache[require.resolve(bundle)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(bundle) as LifecycleHandler;
  };
  const onEventModule = fresh();
  const isCompleteModule = fresh();
  return {
    onEvent: (event, context) => onEventModule.onEvent(event, context),
    isComplete: (event, context) => isCompleteModule.isComplete(event, context),
  };
}

/** Keeps the handler's JSON log lines off stdout, where the report goes at the end. */
function silenceStdout(): { restore: () => void } {
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  return {
    restore: () => {
      process.stdout.write = original;
    },
  };
}
