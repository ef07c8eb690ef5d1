/**
 * The lifecycle of a Genesys Cloud "Amazon EventBridge Source" integration, as the `onEvent` and
 * `isComplete` handlers of an aws-cdk-lib/custom-resources `Provider`.
 *
 * `onEvent` reads the event, asks the pure plan (plan.ts) what it means and performs the Genesys
 * writes; `isComplete` is polled by the Provider's waiter and checks, once per call, what the
 * writes must lead to: reportedState ACTIVE, then the partner event source in the AWS account.
 * The work left for `isComplete` travels in the custom `Lifecycle` field of onEvent's answer,
 * which the Provider passes on untouched and never sends to CloudFormation.
 *
 * Ownership and no orphans:
 * - Every integration this handler writes carries an ownership marker as the last line of its
 *   notes: "managed by cdk-genesys-eventbridge: <StackId>/<LogicalResourceId>".
 * - A new integration is created under a pending name derived from the marker and the suffix
 *   ("cdk-genesys-eventbridge pending <hash>"); the first configuration write gives it its real
 *   name and the marker. So it is recognizable as this resource's from its first instant.
 * - Before creating, the plan looks for an integration with this resource's marker and the wanted
 *   suffix, or one still under the pending name, and adopts it: a Create delivered twice (even
 *   after a crash between the POST and the configuration write) converges on one integration,
 *   and the rollback of a replacement returns to the previous generation CloudFormation tracks.
 * - A POST attempt that got no clear answer (timeout, reset, server error; the Genesys client
 *   records these as uncertain writes) may have created an integration anyway. Only then, after
 *   the create and again when isComplete finishes (which it delays a little), integrations under
 *   the pending name other than the chosen one are deleted; a create that failed outright after
 *   such an attempt adopts one it finds under the pending name.
 * - A Create (or a replacement) that fails after its integration exists deletes that integration
 *   before failing, in onEvent as in isComplete (ERROR state, source never appearing, any error),
 *   because CloudFormation would not track it: the Provider answers a failed Create with a marker
 *   physical id, and a failed Update keeps the previous one.
 * - A Delete of a physical id that is not a Genesys integration id succeeds without calling
 *   Genesys, and a 404 on delete is success.
 * What remains: a POST that failed outright and that Genesys carries out only later, in a stack
 * that is then deleted, leaves an integration under the pending name.
 *
 * Genesys calls (besides the OAuth token, which a warm function reuses):
 * - Create: the organization (for the partner source name), the listing (for adoption, suffix
 *   conflicts and the limit), the topic catalog, POST, PUT of the configuration (with the version
 *   from the POST's answer, or the first version; read only after a refusal), PATCH: six, then one
 *   read of the integration per isComplete poll. The listing is repeated only after an uncertain
 *   create attempt.
 * - Update that keeps the suffix: the organization (a warm function knows it already), the
 *   integration by id (with its configuration and version), the topic catalog only when topics
 *   are added, then the writes the change needs.
 *   A suffix change lists the organization instead, as a Create does, to find a previous
 *   generation, a conflicting suffix and room for the replacement.
 * - Delete: DELETE only.
 *
 * Environment:
 * - `LIFECYCLE_WAIT_TIMEOUT_SECONDS`: how long isComplete waits for ACTIVE and for the partner
 *   event source before it gives up, from onEvent's start (default 1500, under the Provider's
 *   30-minute total timeout).
 * - `GENESYS_REQUEST_TIMEOUT_MS`: timeout of one HTTP attempt to Genesys (default 10000 in
 *   onEvent, 8000 in isComplete).
 * - `GENESYS_RETRY_MAX_ATTEMPTS`: attempts of one Genesys call on 429, 5xx, timeouts and resets,
 *   the first one included (default 10 in onEvent, enough to wait out half a minute of 429s with
 *   a Retry-After of 5 s; 6 in isComplete).
 * - `GENESYS_RETRY_BUDGET_MS`: time budget of one Genesys call, every attempt and wait included
 *   (default 120000 in onEvent, 20000 in isComplete). A retry never comes earlier than a
 *   Retry-After, and gives up when the wait would overrun the budget.
 *   isComplete never exceeds its own timeout and budget: its function times out sooner, and a
 *   check that fails on throttling is simply tried again at the next poll. These three must be
 *   whole numbers of at least 1; any other value fails the request with an error naming the
 *   variable. They exist mainly so that tests can run the deployed bundle with short timeouts.
 * - The AWS SDK clients use the default configuration: AWS_REGION, AWS_ENDPOINT_URL and the
 *   credentials variables apply.
 */
// eslint-disable-next-line import/no-extraneous-dependencies -- provided by the Lambda runtime
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  INTEGRATION_TYPE_ID,
  MAX_INTEGRATIONS_PER_ORG,
  partnerEventSourceArn,
  partnerEventSourceName,
} from '../rules';
import { describePartnerSource, eventBridgeClient } from './event-source';
import {
  GenesysApiError,
  GenesysClient,
  GenesysConflictError,
  GenesysNetworkError,
  GenesysNotFoundError,
  GenesysRateLimitError,
} from './genesys-client';
import {
  GenesysApi,
  Integration,
  IntegrationConfiguration,
  UncertainWrite,
} from './genesys-models';
import { Logger } from './log';
import {
  Decision,
  isIntegrationId,
  isPending,
  needsWholeOrganization,
  notesWithMarker,
  ownershipMarker,
  pendingName,
  plan,
  RequestType,
  topicsToVerify,
} from './plan';
import { IntegrationResourceAttributes } from './properties';
import {
  Connection,
  IntegrationSettings,
  parseDeleteProperties,
  parseProperties,
  tryParseSettings,
} from './properties-parse';
import { DEFAULT_RETRY } from './retry';
import { GenesysCredentials, readGenesysCredentials } from './secrets';

/** A CloudFormation custom resource event, as the Provider framework hands it to onEvent. */
export interface LifecycleEvent {
  /** Create, Update or Delete. */
  readonly RequestType: RequestType;
  /** ARN of the stack. */
  readonly StackId: string;
  /** Unique id of this request. */
  readonly RequestId: string;
  /** The resource's logical id in the template. */
  readonly LogicalResourceId: string;
  /** The resource type, `Custom::GenesysEventBridgeIntegration`. */
  readonly ResourceType?: string;
  /** Present on Update and Delete. */
  readonly PhysicalResourceId?: string;
  /** The properties (IntegrationResourceProperties, plus ServiceToken). */
  readonly ResourceProperties: Record<string, unknown>;
  /** The previous properties of an Update. */
  readonly OldResourceProperties?: Record<string, unknown>;
  /** Pre-signed URL for the answer: a credential, never logged. */
  readonly ResponseURL?: string;
}

/** What isComplete still has to check, carried from onEvent in the custom `Lifecycle` field. */
export interface PendingWork {
  /** The planned action, for the log. */
  readonly action: Decision['action'];
  /** When onEvent started (ms since the epoch): the wait limit counts from here. */
  readonly startedAt: number;
  /** Wait until reportedState is ACTIVE. */
  readonly awaitActive: boolean;
  /** Wait until the partner event source exists. */
  readonly awaitSource: boolean;
  /** Disable the integration once the source exists. */
  readonly disableAfter: boolean;
  /** Delete the integration when the wait fails. */
  readonly deleteOnFailure: boolean;
  /** The name a new integration was created under, when duplicates may exist (`settleUntil`). */
  readonly pendingName?: string;
  /**
   * Another integration under the pending name may exist (a create attempt had an unknown outcome,
   * or an earlier delivery created one): wait until then (ms) for a late duplicate, then delete
   * the duplicates. Absent when every create attempt had a clear answer.
   */
  readonly settleUntil?: number;
}

/** onEvent's answer. */
export interface OnEventResponse {
  /** The Genesys integration id (unchanged on Delete). */
  readonly PhysicalResourceId: string;
  /** The attributes read with Fn::GetAtt. */
  readonly Data?: IntegrationResourceAttributes;
  /** Work left for isComplete; absent when there is none. */
  readonly Lifecycle?: PendingWork;
}

/** The event isComplete receives: the original event merged with onEvent's answer. */
export interface IsCompleteEvent extends LifecycleEvent {
  /** Always set once onEvent answered. */
  readonly PhysicalResourceId: string;
  /** The attributes onEvent returned. */
  readonly Data?: IntegrationResourceAttributes;
  /** Work left by onEvent. */
  readonly Lifecycle?: PendingWork;
}

/** isComplete's answer. */
export interface IsCompleteResponse {
  /** Whether the operation is finished. */
  readonly IsComplete: boolean;
  /** The attributes, only when complete (the Provider refuses Data otherwise). */
  readonly Data?: IntegrationResourceAttributes;
}

/**
 * Builds the Genesys client of one connection, for one handler: isComplete runs in a function
 * with a short timeout, so its calls get a smaller retry budget. `deadline` (ms since the epoch),
 * when set, is when the client's calls must have ended (`GenesysClientOptions.deadline`).
 */
export type GenesysFactory = (connection: Connection, credentials: GenesysCredentials,
  logger: Logger, handler: 'onEvent' | 'isComplete', deadline?: number) => GenesysApi;

/** What the handlers read of the Lambda context. */
export interface LambdaContext {
  /** Milliseconds left before the function times out. */
  getRemainingTimeInMillis(): number;
}

/** Dependencies of the handlers, replaceable in tests. */
export interface LifecycleOptions {
  /** Builds the Genesys client. @default - a GenesysClient with `clientSettings(handler)` */
  readonly genesys?: GenesysFactory;
  /** Reads the OAuth client from Secrets Manager. @default readGenesysCredentials */
  readonly credentials?: (secretArn: string) => Promise<GenesysCredentials>;
  /** The EventBridge client of a region. @default eventBridgeClient */
  readonly eventBridge?: (region: string) => EventBridgeClient;
  /** The clock, in ms since the epoch. @default Date.now */
  readonly now?: () => number;
  /** How long isComplete waits. @default - LIFECYCLE_WAIT_TIMEOUT_SECONDS, else 1500 s */
  readonly waitTimeoutMs?: number;
  /** Where log lines go. @default - a Logger writing to stdout */
  readonly logger?: Logger;
  /**
   * EventBridge integrations a Genesys organization may hold. Genesys's own refusal of a new
   * integration is handled too, so a different real limit only costs one refused call.
   * @default MAX_INTEGRATIONS_PER_ORG
   */
  readonly maxIntegrations?: number;
  /**
   * After a create attempt whose outcome is unknown (timeout, server error), how long at least
   * isComplete watches for a late duplicate before it completes.
   * @default 1000
   */
  readonly minSettleMs?: number;
}

/**
 * The two handlers the Provider calls. Given the Lambda context, a handler ends its ordinary
 * Genesys calls early enough to delete, before the function times out, an integration it would
 * otherwise leave behind (`callDeadlines`); without one, every call has its whole budget.
 */
export interface Lifecycle {
  /** Carries out a Create, Update or Delete. */
  onEvent(event: LifecycleEvent, context?: LambdaContext): Promise<OnEventResponse>;
  /** Checks once whether the operation onEvent started is finished. */
  isComplete(event: IsCompleteEvent, context?: LambdaContext): Promise<IsCompleteResponse>;
}

/** When one invocation's Genesys calls must have ended, in ms since the epoch. */
export interface CallDeadlines {
  /** The ordinary calls: reads, creates, configuration writes, state changes. */
  readonly work?: number;
  /** The deletes of a cleanup after a failure, which come last. */
  readonly cleanup?: number;
}

/**
 * The deadlines of an invocation that has `remainingMs` left at `now`. The ordinary calls end a
 * quarter of that time (45 s at most) before the function would time out, which leaves a cleanup
 * a listing and a delete with their retries; the cleanup ends a twentieth (5 s at most) before,
 * in time to answer. A Create whose calls are slowed by a long rate limit so fails, and deletes
 * its integration, instead of being stopped with the integration left behind.
 */
export function callDeadlines(now: number, remainingMs: number | undefined): CallDeadlines {
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return {};
  const end = now + remainingMs;
  return {
    work: Math.floor(end - Math.min(45_000, remainingMs / 4)),
    cleanup: Math.floor(end - Math.min(5_000, remainingMs / 20)),
  };
}

/** The default wait limit: 25 minutes, within the Provider's default 30-minute total timeout. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 1500;

/** How the Genesys client names a create attempt in its record of uncertain writes. */
const CREATE_CALL = 'POST /api/v2/integrations';

/**
 * The configuration version of an integration just created, used when the POST's answer carries
 * none, which saves reading it. Should Genesys number it otherwise, the write is refused as stale
 * (409, or 400 saying the version does not match) and the version is read, for one call more.
 */
const NEW_CONFIG_VERSION = 1;

/** The shortest wait for a duplicate after a create attempt with an unknown outcome. */
const MIN_SETTLE_MS = 1000;

/** How often a configuration write is tried when it meets version conflicts. */
const CONFIG_WRITE_ATTEMPTS = 4;

/** CloudFormation shows a short reason and the whole response is limited: keep errors short. */
const MAX_ERROR_LENGTH = 900;

/** How the Genesys client of one handler times out and retries. */
export interface ClientSettings {
  /** Timeout of one HTTP attempt. */
  readonly requestTimeoutMs: number;
  /** Attempts of one call, the first one included. */
  readonly maxAttempts: number;
  /** Time budget of one call, every attempt and wait included. */
  readonly budgetMs: number;
}

/**
 * The defaults of onEvent: ten attempts within two minutes per call ride out a rate limit of
 * half a minute while waiting every Retry-After, inside the function's 5-minute timeout.
 */
export const ON_EVENT_CLIENT: ClientSettings = {
  requestTimeoutMs: 10_000,
  maxAttempts: DEFAULT_RETRY.maxAttempts,
  budgetMs: DEFAULT_RETRY.budgetMs,
};

/**
 * The limits of isComplete: its function times out sooner, and a check that fails on throttling
 * or a server error is simply not complete yet and tried again at the next poll.
 */
export const IS_COMPLETE_CLIENT: ClientSettings = {
  requestTimeoutMs: 8_000,
  maxAttempts: 6,
  budgetMs: 20_000,
};

/**
 * The Genesys client settings of a handler: its defaults, replaced by the environment variables
 * GENESYS_REQUEST_TIMEOUT_MS, GENESYS_RETRY_MAX_ATTEMPTS and GENESYS_RETRY_BUDGET_MS when they are
 * set. isComplete never goes beyond its own timeout and budget. A value that is not a whole number
 * of at least 1 is an error naming the variable.
 */
export function clientSettings(handler: 'onEvent' | 'isComplete',
  env: Record<string, string | undefined> = process.env): ClientSettings {
  const timeout = positiveFromEnvironment(env, 'GENESYS_REQUEST_TIMEOUT_MS');
  const attempts = positiveFromEnvironment(env, 'GENESYS_RETRY_MAX_ATTEMPTS');
  const budget = positiveFromEnvironment(env, 'GENESYS_RETRY_BUDGET_MS');
  if (handler === 'onEvent') {
    return {
      requestTimeoutMs: timeout ?? ON_EVENT_CLIENT.requestTimeoutMs,
      maxAttempts: attempts ?? ON_EVENT_CLIENT.maxAttempts,
      budgetMs: budget ?? ON_EVENT_CLIENT.budgetMs,
    };
  }
  const limits = IS_COMPLETE_CLIENT;
  return {
    requestTimeoutMs: Math.min(timeout ?? limits.requestTimeoutMs, limits.requestTimeoutMs),
    maxAttempts: attempts ?? limits.maxAttempts,
    budgetMs: Math.min(budget ?? limits.budgetMs, limits.budgetMs),
  };
}

/**
 * The default Genesys client factory. A new client per invocation costs nothing: the client keeps
 * its OAuth tokens at module level, so a warm Lambda reuses its token.
 */
const defaultGenesys: GenesysFactory = (connection, credentials, logger, handler, deadline) => {
  const settings = clientSettings(handler);
  return new GenesysClient({
    endpoints: connection.endpoints,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    logger: (message, data) => logger.info(message, data),
    requestTimeoutMs: settings.requestTimeoutMs,
    retry: { maxAttempts: settings.maxAttempts, budgetMs: settings.budgetMs },
    deadline,
  });
};

/** Builds the handlers with their dependencies. */
export function createLifecycle(options: LifecycleOptions = {}): Lifecycle {
  const makeGenesys = options.genesys ?? defaultGenesys;
  const readCredentials = options.credentials ?? ((arn: string) => readGenesysCredentials(arn));
  const eventBridge = options.eventBridge ?? eventBridgeClient;
  const now = options.now ?? Date.now;
  const baseLogger = options.logger ?? new Logger();
  const waitTimeoutMs = () => options.waitTimeoutMs ?? timeoutFromEnvironment();
  const maxIntegrations = options.maxIntegrations ?? MAX_INTEGRATIONS_PER_ORG;

  /** The clients of one invocation: one for the ordinary calls, one for a cleanup. */
  interface Clients {
    readonly genesys: GenesysApi;
    readonly cleanup: GenesysApi;
  }

  async function connect(connection: Connection, log: Logger, handler: 'onEvent' | 'isComplete',
    context: LambdaContext | undefined): Promise<Clients> {
    const deadlines = callDeadlines(now(), context?.getRemainingTimeInMillis());
    const credentials = await readCredentials(connection.secretArn);
    const genesys = makeGenesys(connection, credentials, log, handler, deadlines.work);
    const cleanup = deadlines.cleanup === undefined
      ? genesys
      : makeGenesys(connection, credentials, log, handler, deadlines.cleanup);
    return { genesys, cleanup };
  }

  async function onEvent(event: LifecycleEvent, context?: LambdaContext):
  Promise<OnEventResponse> {
    const log = baseLogger.child({
      requestType: event.RequestType,
      logicalResourceId: event.LogicalResourceId,
      requestId: event.RequestId,
    });
    log.info('event received', {
      physicalResourceId: event.PhysicalResourceId,
      stackId: event.StackId,
      properties: withoutServiceToken(event.ResourceProperties),
      oldProperties: withoutServiceToken(event.OldResourceProperties),
    });
    try {
      const answer = event.RequestType === 'Delete'
        ? await deleteResource(event, log, context)
        : await createOrUpdate(event, log, context);
      log.info('event handled', {
        physicalResourceId: answer.PhysicalResourceId,
        pending: pendingKeys(answer.Lifecycle),
      });
      return answer;
    } catch (error) {
      throw failure(log, error);
    }
  }

  async function deleteResource(event: LifecycleEvent, log: Logger,
    context: LambdaContext | undefined): Promise<OnEventResponse> {
    const physicalResourceId = event.PhysicalResourceId ?? '';
    const policy = String(event.ResourceProperties?.RemovalPolicy ?? '').toLowerCase();
    const decision = plan({
      requestType: 'Delete',
      physicalResourceId,
      removalPolicy: policy === 'retain' ? 'retain' : 'delete',
      marker: ownershipMarker(event.StackId, event.LogicalResourceId),
    });
    logDecision(log, decision);
    if (decision.action !== 'delete') return { PhysicalResourceId: physicalResourceId };

    const { connection } = parseDeleteProperties(event.ResourceProperties);
    // A delete is its own cleanup: it may use the time a cleanup would have.
    const { cleanup: genesys } = await connect(connection, log, 'onEvent', context);
    const id = physicalResourceId;
    try {
      await genesys.deleteIntegration(id);
      log.info('integration deleted', { integrationId: id });
    } catch (error) {
      if (!(error instanceof GenesysNotFoundError)) throw inStep('deleting the integration', error);
      log.info('integration already gone', { integrationId: id, status: 404 });
    }
    return { PhysicalResourceId: physicalResourceId };
  }

  async function createOrUpdate(event: LifecycleEvent, log: Logger,
    context: LambdaContext | undefined): Promise<OnEventResponse> {
    const startedAt = now();
    const { connection, settings } = parseProperties(event.ResourceProperties);
    const previous = event.RequestType === 'Update'
      ? tryParseSettings(event.OldResourceProperties)
      : undefined;
    const marker = ownershipMarker(event.StackId, event.LogicalResourceId);
    const pending = pendingName(marker, settings.suffix);
    const { genesys, cleanup } = await connect(connection, log, 'onEvent', context);

    // The partner source name, returned in Data on every Create and Update, holds the organization
    // id. Nothing else names it: CloudFormation's Update event carries no previous attributes and
    // the integration models carry no organization. A cold function reads it; the client keeps it
    // for the warm ones, since an OAuth client never changes organization.
    const organization = await step('reading the organization', () => genesys.getOrganization());
    const known = await readIntegrations(genesys, event, settings, previous);
    // The catalog confirms topics that Genesys has not accepted yet: every topic of a new
    // integration, the added ones of an existing one; without added topics it is not read.
    const topics = topicsToVerify(known.current, settings, previous).length > 0
      ? await step('reading the notification topics', () => genesys.listAvailableTopics())
      : [];
    const decide = (limit: number): Decision => {
      const decided = plan({
        requestType: event.RequestType,
        physicalResourceId: event.PhysicalResourceId,
        desired: settings,
        previous,
        marker,
        org: {
          integrations: known.integrations,
          onlyCurrent: known.onlyCurrent,
          topics,
          maxIntegrations: limit,
        },
      });
      logDecision(log, decided);
      if (decided.action === 'reject') {
        throw new Error(`${event.RequestType} refused, nothing was changed in Genesys Cloud: ` +
          (decided.problems ?? []).join('; '));
      }
      return decided;
    };

    let decision = decide(maxIntegrations);
    let target = known.integrations.find((i) => i.id && i.id === decision.integrationId);
    let created = false;
    // Set when another integration under the pending name may exist or still appear: the
    // duplicates are looked for, and deleted, now and once isComplete has waited until then.
    let settleUntil: number | undefined = known.integrations.some((i) => isPending(i, pending))
      ? now()
      : undefined;
    if (decision.steps.createIntegration) {
      const before = genesys.uncertainWrites?.length ?? 0;
      const unclear = () => genesys.uncertainWrites?.slice(before)
        .filter((write) => write.call === CREATE_CALL);
      try {
        target = await createIntegration(genesys, pending, log);
        created = true;
      } catch (error) {
        // A POST that got no clear answer may still have created an integration: look for it.
        // A client that keeps no record of its attempts leaves every failed create in doubt.
        const doubts = unclear();
        const found = doubts === undefined || doubts.length > 0
          ? await findPending(genesys, pending)
          : undefined;
        if (found) {
          log.warn('integration found after a failed create', {
            integrationId: found.id,
            error: describeError(error),
          });
          target = found;
        } else if (isIntegrationLimit(error)) {
          // Genesys knows its limit better than the constant: decide again as if the
          // organization were full, which re-activates in place (Update) or explains the limit.
          log.warn('organization full', {
            integrations: known.integrations.length,
            error: describeError(error),
          });
          decision = decide(known.integrations.length);
          target = known.integrations.find((i) => i.id && i.id === decision.integrationId);
        } else {
          throw error;
        }
      }
      // After an attempt without a clear answer, a late duplicate may still appear: also when
      // Genesys then refused a create as over its limit (that attempt may be what filled the
      // organization) and the decision fell back to re-activating in place.
      const wait = settleTime(unclear(), options.minSettleMs ?? MIN_SETTLE_MS);
      if (wait !== undefined) settleUntil = now() + wait;
    }
    const integrationId = (target?.id ?? decision.integrationId) as string;
    const steps = decision.steps;
    const ilog = log.child({ integrationId });

    try {
      if (settleUntil !== undefined) await sweepStrays(genesys, pending, integrationId, ilog);
      if (steps.writeConfig) {
        await writeConfig(genesys, integrationId, settings, marker, ilog,
          startVersion(target, created));
      }
      if (steps.restart) {
        await step('setting the intended state to DISABLED before activating again',
          () => genesys.setIntendedState(integrationId, 'DISABLED'));
        ilog.info('intended state set', { intendedState: 'DISABLED', restart: true });
      }
      if (steps.setState) {
        const state = steps.setState;
        await step(`setting the intended state to ${state}`,
          () => genesys.setIntendedState(integrationId, state));
        ilog.info('intended state set', { intendedState: state });
      }
    } catch (error) {
      if (!steps.deleteOnFailure) throw error;
      const strays = settleUntil !== undefined ? pending : undefined;
      throw await withCleanup(cleanup, integrationId, error, ilog, strays);
    }

    const answer: OnEventResponse = {
      PhysicalResourceId: integrationId,
      Data: attributes(event.StackId, organization.id, integrationId, settings),
    };
    if (!steps.awaitActive && !steps.awaitSource && !steps.disableAfter) return answer;
    return {
      ...answer,
      Lifecycle: {
        action: decision.action,
        startedAt,
        awaitActive: steps.awaitActive,
        awaitSource: steps.awaitSource,
        disableAfter: steps.disableAfter,
        deleteOnFailure: steps.deleteOnFailure,
        ...(settleUntil !== undefined ? { pendingName: pending, settleUntil } : {}),
      },
    };
  }

  async function isComplete(event: IsCompleteEvent,
    context?: LambdaContext): Promise<IsCompleteResponse> {
    const work = event.Lifecycle;
    if (!work) return { IsComplete: true, Data: event.Data };

    const integrationId = event.PhysicalResourceId;
    const log = baseLogger.child({
      requestType: event.RequestType,
      logicalResourceId: event.LogicalResourceId,
      requestId: event.RequestId,
      integrationId,
    });
    const { connection, settings } = parseProperties(event.ResourceProperties);
    const elapsedMs = now() - work.startedAt;
    const wait: Wait = { elapsedMs, limitMs: waitTimeoutMs(), log };
    let clients: Clients | undefined;
    try {
      clients = await connect(connection, log, 'isComplete', context);

      const client = clients.genesys;
      let disabled = false;
      if (work.awaitActive) {
        const integration = await step('reading the integration',
          () => client.getIntegration(integrationId));
        // The disable runs only once the integration is ACTIVE and its source exists; one that
        // took effect although its answer was lost at an earlier poll leaves nothing to wait for.
        disabled = work.disableAfter && integration.intendedState === 'DISABLED';
        if (!disabled && !isActive(integration, integrationId, wait)) return { IsComplete: false };
      }
      if (!disabled && work.awaitSource &&
        !(await sourceExists(event, settings, integrationId, wait))) {
        return { IsComplete: false };
      }
      if (work.pendingName && work.settleUntil !== undefined) {
        if (now() < work.settleUntil) {
          log.info('waiting for a retried create to settle', { settleUntil: work.settleUntil });
          return { IsComplete: false };
        }
        await sweepStrays(client, work.pendingName, integrationId, log);
      }
      if (work.disableAfter && !disabled) {
        await step('disabling the integration',
          () => client.setIntendedState(integrationId, 'DISABLED'));
        log.info('integration disabled', { intendedState: 'DISABLED' });
      }
      log.info('operation complete', { action: work.action, elapsedMs });
      return { IsComplete: true, Data: event.Data };
    } catch (error) {
      if (isTransient(error) && elapsedMs <= wait.limitMs) {
        // Every check can be repeated: a Genesys or AWS hiccup only delays the answer.
        log.warn('check failed, retrying at the next poll', {
          error: describeError(error),
          elapsedMs,
        });
        return { IsComplete: false };
      }
      const cleaned = work.deleteOnFailure && clients
        ? await withCleanup(clients.cleanup, integrationId, error, log,
          work.settleUntil !== undefined ? work.pendingName : undefined)
        : error;
      throw failure(log, cleaned);
    }
  }

  /** Whether reportedState is ACTIVE; ERROR and an expired wait throw. */
  function isActive(integration: Integration, id: string, wait: Wait): boolean {
    const state = integration.reportedState;
    if (state?.code === 'ACTIVE') return true;
    if (state?.code === 'ERROR') {
      const detail = state.detail?.message ?? state.detail?.messageWithParams ?? 'no detail given';
      throw new Error(`Genesys Cloud reported ERROR while activating integration ${id}: ${detail}`);
    }
    if (wait.elapsedMs > wait.limitMs) {
      throw new Error(`integration ${id} did not become ACTIVE within ${seconds(wait.limitMs)} s ` +
        `(reportedState ${state?.code ?? 'unknown'}): check its status in Genesys Cloud, ` +
        'then deploy again');
    }
    wait.log.info('waiting for activation', {
      reportedState: state?.code,
      elapsedMs: wait.elapsedMs,
    });
    return false;
  }

  /**
   * Whether the partner event source exists (PENDING or ACTIVE); an expired wait throws. A source
   * in another account cannot be described from here: that check is skipped, and logged.
   */
  async function sourceExists(event: IsCompleteEvent, settings: IntegrationSettings, id: string,
    wait: Wait): Promise<boolean> {
    const name = partnerEventSourceName(event.Data?.OrganizationId ?? '', settings.suffix);
    const home = stackHome(event.StackId);
    if (home.account && home.account !== settings.accountId) {
      wait.log.warn('partner source not verifiable from this account', {
        eventSourceName: name,
        awsAccountId: settings.accountId,
        lambdaAccountId: home.account,
      });
      return true;
    }

    const source = await describePartnerSource(eventBridge(settings.region), name)
      .catch((error) => {
        throw inStep(`EventBridge DescribeEventSource on ${name}`, error);
      });
    const data = { eventSourceName: name, state: source.state, elapsedMs: wait.elapsedMs };
    if (source.exists) {
      wait.log.info('partner source found', data);
      return true;
    }
    if (wait.elapsedMs > wait.limitMs) {
      throw new Error(`the partner event source ${name} did not appear in account ` +
        `${settings.accountId}, region ${settings.region} within ${seconds(wait.limitMs)} s ` +
        `(last state ${source.state}) although integration ${id} is ACTIVE: check the ` +
        'integration in Genesys Cloud and the AWS account and region, then deploy again');
    }
    wait.log.info('waiting for partner source', data);
    return false;
  }

  return { onEvent, isComplete };
}

/** One isComplete call's view of the wait. */
interface Wait {
  readonly elapsedMs: number;
  readonly limitMs: number;
  readonly log: Logger;
}

/** POSTs a new integration and returns Genesys's answer, which carries its id. */
async function createIntegration(genesys: GenesysApi, name: string,
  log: Logger): Promise<Integration> {
  let created;
  try {
    created = await genesys.createIntegration(name);
  } catch (error) {
    if (isIntegrationLimit(error)) throw error;
    throw inStep('creating the integration', error);
  }
  if (!created?.id) {
    throw new Error('Genesys POST /api/v2/integrations answered without an integration id');
  }
  log.info('integration created', { integrationId: created.id });
  return created;
}

/** What an Update or a Create knows of the organization's integrations before it decides. */
interface KnownIntegrations {
  /** The organization's EventBridge integrations, or only the Update's own. */
  readonly integrations: Integration[];
  /** `integrations` is only the Update's own integration, read by its id. */
  readonly onlyCurrent: boolean;
  /** The integration an Update acts on, when it exists. */
  readonly current?: Integration;
}

/**
 * Reads what the plan needs: an Update that keeps its suffix needs only its own integration
 * (one read by id), anything else every integration of the organization (the listing). When the
 * old properties leave the suffix unknown, the integration is read first, and the organization
 * only if the suffix turns out to change.
 */
async function readIntegrations(genesys: GenesysApi, event: LifecycleEvent,
  settings: IntegrationSettings, previous: IntegrationSettings | undefined):
  Promise<KnownIntegrations> {
  const id = event.RequestType === 'Update' && isIntegrationId(event.PhysicalResourceId)
    ? event.PhysicalResourceId
    : undefined;
  if (id && (!previous || previous.suffix === settings.suffix)) {
    const current = await readIntegration(genesys, id);
    if (current && !needsWholeOrganization(current, settings, previous)) {
      return { integrations: [current], onlyCurrent: true, current };
    }
  }
  const integrations = await step('listing the EventBridge integrations',
    () => genesys.listEventBridgeIntegrations());
  const current = id ? integrations.find((i) => i.id === id) : undefined;
  return { integrations, onlyCurrent: false, current };
}

/** One integration with its configuration; undefined when it is gone or of another type. */
async function readIntegration(genesys: GenesysApi, id: string): Promise<Integration | undefined> {
  let integration: Integration;
  try {
    integration = await genesys.getIntegration(id);
  } catch (error) {
    if (error instanceof GenesysNotFoundError) return undefined;
    throw inStep('reading the integration', error);
  }
  const type = integration?.integrationType?.id;
  return integration?.id === id && (!type || type === INTEGRATION_TYPE_ID)
    ? integration
    : undefined;
}

/** The configuration version a write starts from, and whether it is only assumed. */
interface StartVersion {
  readonly version: number;
  readonly assumed: boolean;
}

/**
 * The version of the configuration as the last answer about the integration gave it. An
 * integration just created whose POST answer carried no configuration has the first version;
 * otherwise, without a version, the write reads it first.
 */
function startVersion(integration: Integration | undefined,
  created: boolean): StartVersion | undefined {
  const version = integration?.config?.current?.version;
  if (typeof version === 'number') return { version, assumed: false };
  return created ? { version: NEW_CONFIG_VERSION, assumed: true } : undefined;
}

/**
 * Writes the configuration with the version Genesys holds, taken from an earlier answer when there
 * is one, else read. A version conflict means something else wrote in between: read again and
 * write again, a few times.
 */
async function writeConfig(genesys: GenesysApi, id: string, settings: IntegrationSettings,
  marker: string, log: Logger, start?: StartVersion): Promise<void> {
  let next = start;
  const read = async () => (await step('reading the configuration', () => genesys.getConfig(id)))
    .version;
  for (let attempt = 1; ; attempt++) {
    const version = next?.version ?? await read();
    const assumed = next?.assumed ?? false;
    next = undefined;
    const config: IntegrationConfiguration = {
      name: settings.name,
      version,
      properties: {
        awsAccountId: settings.accountId,
        awsAccountRegion: settings.region,
        eventSourceSuffix: settings.suffix,
        eventFilter: [...settings.topics],
      },
      advanced: {},
      notes: notesWithMarker(settings.notes, marker),
      credentials: {},
    };
    try {
      await genesys.putConfig(id, config);
      log.info('configuration written', { version, attempt });
      return;
    } catch (error) {
      if (!(error instanceof GenesysConflictError)) {
        // An assumed version may be refused in words the client does not take for a conflict:
        // when the version Genesys holds differs, that was the reason; otherwise it was not.
        const refused = assumed && error instanceof GenesysApiError && error.status === 400;
        const actual = refused ? await read() : version;
        if (actual === version) throw inStep('writing the configuration', error);
        next = { version: actual, assumed: false };
      }
      if (attempt >= CONFIG_WRITE_ATTEMPTS) {
        throw new Error(`writing the configuration of integration ${id} met a version conflict ` +
          `${attempt} times: something else keeps changing it; stop that change and deploy again`);
      }
      log.warn('configuration version conflict', { version, attempt });
    }
  }
}

/**
 * Deletes an integration the failed operation created, and with `pending` the duplicates an
 * uncertain create attempt may have left under that name, and says so in the error.
 */
async function withCleanup(genesys: GenesysApi, id: string, error: unknown,
  log: Logger, pending?: string): Promise<Error> {
  const cause = asError(error);
  try {
    if (pending) await sweepStrays(genesys, pending, id, log);
    await genesys.deleteIntegration(id);
    log.warn('integration deleted after failure', { integrationId: id });
    return new Error(`${describeError(cause)}; integration ${id} was deleted so that nothing is ` +
      'left behind');
  } catch (cleanupError) {
    if (cleanupError instanceof GenesysNotFoundError) return cause;
    log.error('cleanup failed', { integrationId: id, error: describeError(cleanupError) });
    return new Error(`${describeError(cause)}; deleting integration ${id} failed as well ` +
      `(${describeError(cleanupError)}): delete it in Genesys Cloud`);
  }
}

/** The integration a create left under the pending name, if any (the first of them). */
async function findPending(genesys: GenesysApi,
  pending: string): Promise<Integration | undefined> {
  const all = await step('listing the EventBridge integrations',
    () => genesys.listEventBridgeIntegrations());
  return all.find((i) => i.id && isPending(i, pending));
}

/**
 * Deletes the integrations a retried POST created under the pending name, other than `keepId`:
 * when an attempt timed out after Genesys had created the integration, the client's retry made
 * a second one.
 */
async function sweepStrays(genesys: GenesysApi, pending: string, keepId: string,
  log: Logger): Promise<void> {
  const all = await step('listing the EventBridge integrations',
    () => genesys.listEventBridgeIntegrations());
  for (const stray of all.filter((i) => i.id && i.id !== keepId && isPending(i, pending))) {
    const strayId = stray.id as string;
    try {
      await genesys.deleteIntegration(strayId);
      log.warn('duplicate integration deleted', { duplicateId: strayId });
    } catch (error) {
      if (!(error instanceof GenesysNotFoundError)) {
        throw inStep(`deleting the duplicate integration ${strayId}`, error);
      }
    }
  }
}

/**
 * How long after a create a duplicate may still appear: twice the longest attempt whose outcome
 * is unknown, and at least `minimum`; `minimum` when the client cannot tell (no record); none
 * when every attempt had a clear answer.
 */
function settleTime(unclear: readonly UncertainWrite[] | undefined,
  minimum: number): number | undefined {
  if (!unclear) return minimum;
  if (unclear.length === 0) return undefined;
  return Math.max(minimum, 2 * Math.max(...unclear.map((w) => w.durationMs)));
}

/** Genesys refused a new integration because the organization holds the most it allows. */
function isIntegrationLimit(error: unknown): boolean {
  return error instanceof GenesysApiError && error.status === 400
    && /max/i.test(`${error.code ?? ''} ${error.genesysMessage ?? ''}`);
}

/** Runs one Genesys call and names the step in the error when it fails. */
async function step<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw inStep(what, error);
  }
}

/** An error whose message says which step failed. */
function inStep(what: string, error: unknown): Error {
  return new Error(`${what} failed: ${describeError(error)}`, { cause: error });
}

/** A rate limit, a network failure or a server error, from Genesys or AWS (causes included). */
function isTransient(error: unknown): boolean {
  let current = error as { cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof GenesysRateLimitError || current instanceof GenesysNetworkError) {
      return true;
    }
    if (current instanceof GenesysApiError) return current.status >= 500;
    const aws = current as { $fault?: string; name?: string };
    if (aws.$fault === 'server' || /Throttl|TooManyRequests/.test(aws.name ?? '')) return true;
    current = current.cause as { cause?: unknown } | undefined;
  }
  return false;
}

/**
 * A short, actionable description of an error. The Genesys client's errors already name the call,
 * the status, Genesys's message and what to do; AWS SDK errors get their exception name.
 */
export function describeError(error: unknown): string {
  if (error instanceof GenesysApiError) return error.message;
  const named = error as { name?: string; message?: string } | undefined;
  if (named?.name && named.name !== 'Error' && !named.name.endsWith('Error')) {
    return `${named.name}: ${named.message ?? ''}`;
  }
  return named?.message ?? String(error);
}

/** Logs a failure and returns the short error CloudFormation shows. */
function failure(log: Logger, error: unknown): Error {
  const message = describeError(error);
  const where = asError(error).stack?.split('\n').slice(1, 6).map((line) => line.trim());
  log.error('event failed', { error: message, stack: where });
  const reason = message.length > MAX_ERROR_LENGTH
    ? `${message.slice(0, MAX_ERROR_LENGTH - 3)}...`
    : message;
  // The Provider puts the stack into the reason CloudFormation shows, within a response of at
  // most 4096 bytes: the message alone says what to do, the log keeps where it happened.
  const short = new Error(reason);
  short.stack = `Error: ${reason}`;
  return short;
}

function logDecision(log: Logger, decision: Decision): void {
  log.info('plan decided', {
    action: decision.action,
    integrationId: decision.integrationId,
    changes: decision.changes,
    reason: decision.reason,
  });
  if (decision.warning) {
    log.warn('re-activating in place, events pause meanwhile', { warning: decision.warning });
  }
}

function attributes(stackId: string, organizationId: string, integrationId: string,
  settings: IntegrationSettings): IntegrationResourceAttributes {
  const name = partnerEventSourceName(organizationId, settings.suffix);
  return {
    IntegrationId: integrationId,
    OrganizationId: organizationId,
    EventSourceName: name,
    EventSourceArn: partnerEventSourceArn(settings.region, stackHome(stackId).partition, name),
  };
}

/** Partition and account of the stack, from its ARN. */
function stackHome(stackId: string): { partition: string; account?: string } {
  const parts = (stackId ?? '').split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return { partition: 'aws' };
  return { partition: parts[1] || 'aws', account: parts[4] || undefined };
}

function timeoutFromEnvironment(): number {
  const raw = process.env.LIFECYCLE_WAIT_TIMEOUT_SECONDS;
  const value = raw === undefined || raw === '' ? NaN : Number(raw);
  return (Number.isFinite(value) && value > 0 ? value : DEFAULT_WAIT_TIMEOUT_SECONDS) * 1000;
}

/** A whole number of at least 1 from an environment variable; undefined when it is not set. */
function positiveFromEnvironment(env: Record<string, string | undefined>,
  name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name} must be a whole number of at least 1 (milliseconds or attempts), ` +
      `got ${JSON.stringify(raw)}`);
  }
  return value;
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

function pendingKeys(work: PendingWork | undefined): string[] {
  if (!work) return [];
  return (['awaitActive', 'awaitSource', 'disableAfter'] as const).filter((key) => work[key]);
}

function withoutServiceToken(props: Record<string, unknown> | undefined): object | undefined {
  if (!props) return undefined;
  const { ServiceToken: _serviceToken, ...rest } = props;
  return rest;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

const lifecycle = createLifecycle();

/** The Provider's onEvent handler. */
export const onEvent = lifecycle.onEvent;

/** The Provider's isComplete handler. */
export const isComplete = lifecycle.isComplete;
