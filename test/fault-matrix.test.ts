/**
 * The fault matrix: every fault the Genesys emulator can inject, and the CloudFormation situations
 * that go wrong (duplicate Create, Delete after a failed Create, rollbacks, a full organization,
 * suffix collisions, a partner source expiring while PENDING), at each step of the lifecycle.
 *
 * Each scenario runs the deployed handler bundle (assets/lifecycle-handler/index.js) on moto
 * (behind its corrections) and a fresh emulator whose partner side is moto, through the Provider
 * framework's flow and CloudFormation's reactions to it. After each one, the emulator must hold no
 * orphan: every integration is one a stack still owns, and every live partner source belongs to an
 * existing integration; and every injected request fault must have hit a request.
 *
 * The table of outcomes is docs/fault-matrix.md; this test fails when the committed file differs.
 * `UPDATE_DOCS=1 npx jest test/fault-matrix.test.ts` rewrites it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startWorld, ROOT, World } from './support/e2e-world';
import type {
  EmulatorOptions,
  FaultMatch,
  FaultRule,
  PartnerSide,
  PartnerSource,
} from './support/genesys-emulator';
import { trafficProblems } from './support/genesys-schema';
import { MotoServer, startMoto } from './support/moto';
import { MotoPartnerSide } from './support/moto-partner-side';
import { CfnRequest, CloudFormationResource, Operation } from './support/provider-flow';

/** The Genesys client's knobs for the matrix: short, so that faults cost milliseconds. */
const CLIENT_TIMEOUT_MS = 250;
const CLIENT_ATTEMPTS = 3;
const CLIENT_BUDGET_MS = 3000;
/** How long isComplete waits for ACTIVE and for the partner source. */
const WAIT_TIMEOUT_MS = 1500;
/** A response slower than the client's timeout. */
const SLOW_MS = 400;

const DOC = path.join(ROOT, 'docs', 'fault-matrix.md');
const PRESENCE = 'v2.users.{id}.presence';
const ROUTING = 'v2.users.{id}.routingStatus';
const LATER_FAILURE = 'another resource of the stack failed';

/**
 * The environment of the deployed bundle during the matrix: its defaults (10 s per attempt,
 * 10 attempts, 2 minutes per call, 25 minutes of waiting) would make the matrix last many minutes.
 */
const HANDLER_ENV: Record<string, string> = {
  GENESYS_REQUEST_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS),
  GENESYS_RETRY_MAX_ATTEMPTS: String(CLIENT_ATTEMPTS),
  GENESYS_RETRY_BUDGET_MS: String(CLIENT_BUDGET_MS),
  LIFECYCLE_WAIT_TIMEOUT_SECONDS: String(WAIT_TIMEOUT_MS / 1000),
};

/** Injected faults that show on the request they hit (the others change Genesys's state). */
const REQUEST_FAULTS = new Set(['status', 'delay', 'reset', 'versionConflict']);

/**
 * A partner side whose sources can expire while PENDING. When `expire` is set, a source the
 * emulator creates appears (in moto) and is deleted again, as AWS deletes a source left PENDING
 * past its ExpirationTime, at the next moment between two isComplete polls: `betweenPolls`.
 */
class ExpiringPartnerSide implements PartnerSide {
  expire = false;
  private readonly waiting: PartnerSource[] = [];
  constructor(private readonly inner: MotoPartnerSide) {}
  async createSource(source: PartnerSource): Promise<void> {
    if (this.expire) this.waiting.push(source);
    else await this.inner.createSource(source);
  }
  deleteSource(source: PartnerSource): Promise<void> {
    return this.inner.deleteSource(source);
  }
  publish(source: PartnerSource, entry: { detailType: string; detail: object }): Promise<void> {
    return this.inner.publish(source, entry);
  }
  /** Lets the sources created meanwhile appear and expire. */
  async betweenPolls(): Promise<void> {
    for (const source of this.waiting.splice(0)) {
      await this.inner.createSource(source);
      await this.inner.deleteSource(source);
    }
  }
}

/** What a scenario works with. */
interface Context {
  readonly world: World;
  /** The stack under test. */
  readonly resource: CloudFormationResource;
  /** Other stacks of the same Genesys organization. */
  readonly others: CloudFormationResource[];
  readonly partner: ExpiringPartnerSide;
  /** Called (and awaited) after each isComplete answer that is not complete yet. */
  onPoll?: (request: CfnRequest) => void | Promise<void>;
  inject(rule: FaultRule): void;
  /** Creates the stack's integration (no fault) and returns its id. */
  created(overrides?: Record<string, unknown>): Promise<string>;
  /** Creates an integration of another stack. */
  otherStack(overrides: Record<string, unknown>): Promise<string>;
}

type Step = 'create' | 'update' | 'replace' | 'reactivate' | 'disable' | 'delete';

interface Scenario {
  readonly name: string;
  readonly step: Step;
  readonly fault: string;
  /** Whether the stack operation succeeds, and a phrase its failure reason contains. */
  readonly expected: { readonly ok: boolean; readonly reason?: string };
  readonly emulator?: Omit<EmulatorOptions, 'partnerSide'>;
  run(ctx: Context): Promise<Operation>;
  /** Further assertions on the outcome. */
  check?(ctx: Context, op: Operation): Promise<void> | void;
}

const path_ = {
  token: '/oauth/token',
  org: '/api/v2/organizations/me',
  integrations: '/api/v2/integrations',
  one: /^\/api\/v2\/integrations\/[^/]+$/,
  config: /^\/api\/v2\/integrations\/[^/]+\/config\/current$/,
};

const topics = (...t: string[]) => ({ Topics: t });
const replaced = { EventSourceSuffix: 'contact-center-v2' };

/** Calls of one method (and path). */
function on(method: string | undefined, route?: string | RegExp): FaultMatch {
  return { ...(method ? { method } : {}), ...(route ? { path: route } : {}) };
}

interface FaultUse {
  readonly times?: number;
  readonly retryAfter?: number;
}

/** Answers `code` with an ErrorBody (and Retry-After when given). */
function status(code: number, match: FaultMatch, use: FaultUse = {}): FaultRule {
  const fault = { kind: 'status' as const, status: code, retryAfterSeconds: use.retryAfter };
  return { fault, match, times: use.times };
}

/** Answers after SLOW_MS, beyond the client's timeout. */
function slow(match: FaultMatch, use: FaultUse = {}): FaultRule {
  return { fault: { kind: 'delay', ms: SLOW_MS }, match, times: use.times };
}

/** Drops the connection without an answer. */
function reset(match: FaultMatch, use: FaultUse = {}): FaultRule {
  return { fault: { kind: 'reset' }, match, times: use.times };
}

/** "after 400 ms (client timeout 250 ms)" */
const LATE = `after ${SLOW_MS} ms (client timeout ${CLIENT_TIMEOUT_MS} ms)`;

const SCENARIOS: Scenario[] = [
  // ---- create ------------------------------------------------------------------------------
  {
    name: 'retries a rate-limited create after Retry-After',
    step: 'create',
    fault: '429 with Retry-After: 1 on POST /api/v2/integrations',
    expected: { ok: true },
    run: (ctx) => {
      ctx.inject(status(429, on('POST', path_.integrations), { retryAfter: 1 }));
      return ctx.resource.create(ctx.world.properties());
    },
  },
  {
    name: 'retries the organization read through 503s',
    step: 'create',
    fault: '503 twice on GET /api/v2/organizations/me',
    expected: { ok: true },
    run: (ctx) => {
      ctx.inject(status(503, on(undefined, path_.org), { times: 2 }));
      return ctx.resource.create(ctx.world.properties());
    },
  },
  {
    name: 'gives up on a configuration write that keeps failing, and deletes what it created',
    step: 'create',
    fault: '500 on every PUT of the configuration',
    expected: { ok: false, reason: 'writing the configuration failed' },
    run: (ctx) => {
      ctx.inject(status(500, on('PUT', path_.config), { times: Infinity }));
      return ctx.resource.create(ctx.world.properties());
    },
  },
  {
    name: 'creates one integration although the create is answered after the client timed out',
    step: 'create',
    fault: `POST /api/v2/integrations answered ${LATE}`,
    expected: { ok: true },
    run: (ctx) => {
      ctx.inject(slow(on('POST', path_.integrations)));
      return ctx.resource.create(ctx.world.properties());
    },
  },
  {
    name: 'retries a create whose connection was reset',
    step: 'create',
    fault: 'connection reset on POST /api/v2/integrations',
    expected: { ok: true },
    run: (ctx) => {
      ctx.inject(reset(on('POST', path_.integrations)));
      return ctx.resource.create(ctx.world.properties());
    },
  },
  {
    name: 'obtains a new token when the token expires while waiting for activation',
    step: 'create',
    fault: 'every token revoked after the first isComplete poll',
    emulator: { activationDelayMs: 100 },
    expected: { ok: true },
    run: (ctx) => {
      let revoked = false;
      ctx.onPoll = () => {
        if (!revoked) ctx.world.emulator.expireTokens();
        revoked = true;
      };
      return ctx.resource.create(ctx.world.properties());
    },
    check: (ctx) => {
      expect(ctx.world.emulator.requests.some((r) => r.status === 401)).toBe(true);
    },
  },
  {
    name: 'fails with Genesys\'s message when activation ends in ERROR, deletes the integration',
    step: 'create',
    fault: 'activation ends in ERROR "The AWS account is not allowed"',
    expected: {
      ok: false,
      reason: 'reported ERROR while activating integration <id>: The AWS account is not allowed',
    },
    run: (ctx) => {
      ctx.inject({ fault: { kind: 'activationError', message: 'The AWS account is not allowed' } });
      return ctx.resource.create(ctx.world.properties());
    },
  },
  {
    name: 'fails when the partner source never appears, and deletes the integration',
    step: 'create',
    fault: 'integration ACTIVE, partner source never created',
    expected: { ok: false, reason: 'did not appear' },
    run: (ctx) => {
      ctx.inject({ fault: { kind: 'noPartnerSource' } });
      return ctx.resource.create(ctx.world.properties());
    },
  },
  {
    name: 'writes the configuration again after a version conflict',
    step: 'create',
    fault: '409 stale version on the first PUT of the configuration',
    expected: { ok: true },
    run: (ctx) => {
      ctx.inject({ fault: { kind: 'versionConflict' } });
      return ctx.resource.create(ctx.world.properties());
    },
  },
  {
    name: 'adopts the integration of a Create delivered twice',
    step: 'create',
    fault: 'the same Create request delivered a second time',
    expected: { ok: true },
    run: async (ctx) => {
      const request = ctx.resource.request('Create', ctx.world.properties());
      const first = await ctx.resource.send(request);
      const second = await ctx.resource.send(request);
      ctx.resource.physicalId = second.PhysicalResourceId;
      const ok = first.Status === 'SUCCESS' && second.Status === 'SUCCESS';
      const steps = [{ request, response: first }, { request, response: second }];
      return { steps, ok, reason: second.Reason };
    },
    check: (_ctx, op) => {
      expect(op.steps[1].response.PhysicalResourceId).toBe(op.steps[0].response.PhysicalResourceId);
    },
  },
  {
    name: 'refuses a Create when the organization is full',
    step: 'create',
    fault: 'the organization already has its 2 allowed integrations (other stacks)',
    emulator: { maxIntegrations: 2 },
    expected: { ok: false, reason: 'allows at most 2' },
    run: async (ctx) => {
      await ctx.otherStack({ EventSourceSuffix: 'other-1' });
      await ctx.otherStack({ EventSourceSuffix: 'other-2' });
      return ctx.resource.create(ctx.world.properties());
    },
  },
  {
    name: 'refuses a suffix that another active integration uses',
    step: 'create',
    fault: 'suffix "contact-center" active in another stack\'s integration',
    expected: { ok: false, reason: 'is already used by the active EventBridge integration' },
    run: async (ctx) => {
      await ctx.otherStack({ EventSourceSuffix: 'contact-center', IntegrationName: 'Other stack' });
      return ctx.resource.create(ctx.world.properties());
    },
  },
  {
    name: 'deletes the integration on the Delete after a failed Create whose own cleanup failed',
    step: 'create',
    fault: 'activation ERROR, then 500 on the next 3 DELETEs',
    expected: { ok: false, reason: 'failed as well' },
    run: (ctx) => {
      ctx.inject({ fault: { kind: 'activationError', message: 'Activation refused' } });
      ctx.inject(status(500, on('DELETE'), { times: CLIENT_ATTEMPTS }));
      return ctx.resource.create(ctx.world.properties());
    },
    check: (_ctx, op) => {
      expect(op.steps.map((s) => [s.request.RequestType, s.response.Status])).toEqual([
        ['Create', 'FAILED'], ['Delete', 'SUCCESS'],
      ]);
    },
  },
  {
    name: 'ignores the Delete after a Create that failed before creating anything',
    step: 'create',
    fault: '401 on every token request (wrong OAuth client)',
    expected: { ok: false, reason: 'POST /oauth/token answered 401' },
    run: (ctx) => {
      ctx.inject(status(401, on(undefined, path_.token), { times: Infinity }));
      return ctx.resource.create(ctx.world.properties());
    },
    check: (_ctx, op) => {
      expect(op.steps[1].response.skipped).toBe(true);
    },
  },
  {
    name: 'fails when the partner source expires while PENDING before it is seen',
    step: 'create',
    fault: 'the partner source appears and expires (deleted while PENDING) between two polls',
    expected: { ok: false, reason: 'last state DELETED' },
    run: (ctx) => {
      ctx.partner.expire = true;
      ctx.onPoll = () => ctx.partner.betweenPolls();
      return ctx.resource.create(ctx.world.properties());
    },
  },
  {
    name: 'gives up when the rate limit persists',
    step: 'create',
    fault: '429 without Retry-After on every GET /api/v2/integrations',
    expected: { ok: false, reason: 'rate limiting' },
    run: (ctx) => {
      ctx.inject(status(429, on('GET', path_.integrations), { times: Infinity }));
      return ctx.resource.create(ctx.world.properties());
    },
  },

  // ---- update in place -----------------------------------------------------------------------
  {
    name: 'changes the topics through a 503 on the configuration write',
    step: 'update',
    fault: '503 once on PUT of the configuration',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(status(503, on('PUT', path_.config)));
      return ctx.resource.update(ctx.world.properties(topics(PRESENCE, ROUTING)));
    },
    check: (ctx) => expectTopics(ctx, [PRESENCE, ROUTING]),
  },
  {
    name: 'changes the topics through a 429 with Retry-After',
    step: 'update',
    fault: '429 with Retry-After: 1 on GET /api/v2/integrations/{id}',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(status(429, on('GET', path_.one), { retryAfter: 1 }));
      return ctx.resource.update(ctx.world.properties(topics(PRESENCE, ROUTING)));
    },
    check: (ctx) => expectTopics(ctx, [PRESENCE, ROUTING]),
  },
  {
    name: 'fails after repeated version conflicts, and the rollback keeps the old topics',
    step: 'update',
    fault: '409 stale version on the next 4 PUTs of the configuration',
    expected: { ok: false, reason: 'met a version conflict 4 times' },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject({ fault: { kind: 'versionConflict' }, times: 4 });
      return ctx.resource.update(ctx.world.properties(topics(PRESENCE, ROUTING)));
    },
    check: (ctx) => expectTopics(ctx, [PRESENCE]),
  },
  {
    name: 'rolls a topic change back when a later resource fails',
    step: 'update',
    fault: 'the stack update fails after this resource updated (rollback)',
    expected: { ok: false, reason: LATER_FAILURE },
    run: async (ctx) => {
      await ctx.created();
      const properties = ctx.world.properties(topics(PRESENCE, ROUTING));
      return ctx.resource.update(properties, { laterFailure: LATER_FAILURE });
    },
    check: (ctx, op) => {
      expect(op.steps.map((s) => s.response.Status)).toEqual(['SUCCESS', 'SUCCESS']);
      expectTopics(ctx, [PRESENCE]);
    },
  },
  {
    name: 'changes the topics although the configuration write answers after the client gave up',
    step: 'update',
    fault: `PUT of the configuration answered ${LATE}`,
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(slow(on('PUT', path_.config)));
      return ctx.resource.update(ctx.world.properties(topics(PRESENCE, ROUTING)));
    },
    check: async (ctx) => {
      await ctx.world.emulator.idle();
      expectTopics(ctx, [PRESENCE, ROUTING]);
    },
  },
  {
    name: 'uses a new token when every token expired since the last deployment',
    step: 'update',
    fault: 'every token revoked before the update',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.world.emulator.expireTokens();
      return ctx.resource.update(ctx.world.properties(topics(PRESENCE, ROUTING)));
    },
    check: (ctx) => expectTopics(ctx, [PRESENCE, ROUTING]),
  },
  {
    name: 'disables through a connection reset on PATCH, keeping the partner source',
    step: 'disable',
    fault: 'connection reset on PATCH /api/v2/integrations/{id}',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(reset(on('PATCH', path_.one)));
      return ctx.resource.update(ctx.world.properties({ Enabled: 'false' }));
    },
    check: (ctx) => {
      const [integration] = ctx.world.emulator.integrations();
      expect(integration.intendedState).toBe('DISABLED');
      expect(ctx.world.emulator.partnerSourceOf(integration.id!)).toBeDefined();
    },
  },
  {
    name: 'disables through a 500 on PATCH',
    step: 'disable',
    fault: '500 once on PATCH /api/v2/integrations/{id}',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(status(500, on('PATCH', path_.one)));
      return ctx.resource.update(ctx.world.properties({ Enabled: 'false' }));
    },
    check: (ctx) => {
      expect(ctx.world.emulator.integrations()[0].intendedState).toBe('DISABLED');
    },
  },

  // ---- replacement (suffix change) ----------------------------------------------------------
  {
    name: 'replaces the integration through a 503 on its creation',
    step: 'replace',
    fault: '503 once on POST /api/v2/integrations',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(status(503, on('POST', path_.integrations)));
      return ctx.resource.update(ctx.world.properties(replaced));
    },
    check: (ctx) => expectSuffix(ctx, 'contact-center-v2'),
  },
  {
    name: 'fails a replacement whose activation ends in ERROR, and keeps the old integration',
    step: 'replace',
    fault: 'activation of the new integration ends in ERROR "Suffix refused"',
    expected: {
      ok: false,
      reason: 'reported ERROR while activating integration <id>: Suffix refused',
    },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject({ fault: { kind: 'activationError', message: 'Suffix refused' } });
      return ctx.resource.update(ctx.world.properties(replaced));
    },
    check: (ctx) => expectSuffix(ctx, 'contact-center'),
  },
  {
    name: 'fails a replacement whose partner source never appears, and keeps the old integration',
    step: 'replace',
    fault: 'new integration ACTIVE, its partner source never created',
    expected: { ok: false, reason: 'did not appear' },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject({ fault: { kind: 'noPartnerSource' } });
      return ctx.resource.update(ctx.world.properties(replaced));
    },
    check: (ctx) => expectSuffix(ctx, 'contact-center'),
  },
  {
    name: 'rolls a replacement back to the old integration when a later resource fails',
    step: 'replace',
    fault: 'the stack update fails after this resource was replaced (rollback)',
    expected: { ok: false, reason: LATER_FAILURE },
    run: async (ctx) => {
      await ctx.created();
      return ctx.resource.update(ctx.world.properties(replaced), { laterFailure: LATER_FAILURE });
    },
    check: (ctx, op) => {
      expect(op.steps.map((s) => [s.request.RequestType, s.response.Status])).toEqual([
        ['Update', 'SUCCESS'], ['Update', 'SUCCESS'], ['Delete', 'SUCCESS'],
      ]);
      expectSuffix(ctx, 'contact-center');
    },
  },
  {
    name: 'refuses a new suffix that another active integration uses',
    step: 'replace',
    fault: 'suffix "contact-center-v2" active in another stack\'s integration',
    expected: { ok: false, reason: 'is already used by the active EventBridge integration' },
    run: async (ctx) => {
      await ctx.created();
      await ctx.otherStack({
        EventSourceSuffix: 'contact-center-v2',
        IntegrationName: 'Other stack',
      });
      return ctx.resource.update(ctx.world.properties(replaced));
    },
    check: (ctx) => expectSuffix(ctx, 'contact-center'),
  },
  {
    name: 're-activates in place when the organization has no room for a replacement',
    step: 'replace',
    fault: 'the organization already has its 2 allowed integrations',
    emulator: { maxIntegrations: 2 },
    expected: { ok: true },
    run: async (ctx) => {
      const id = await ctx.created();
      await ctx.otherStack({ EventSourceSuffix: 'other-1' });
      const op = await ctx.resource.update(ctx.world.properties(replaced));
      expect(ctx.resource.physicalId).toBe(id);
      return op;
    },
    check: (ctx) => expectSuffix(ctx, 'contact-center-v2'),
  },
  {
    name: 'deletes the old integration although its DELETE is answered after the client timed out',
    step: 'replace',
    fault: `DELETE of the old integration answered ${LATE}`,
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(slow(on('DELETE')));
      return ctx.resource.update(ctx.world.properties(replaced));
    },
    check: (ctx) => expectSuffix(ctx, 'contact-center-v2'),
  },
  {
    name: 'activates the new integration through a connection reset on PATCH',
    step: 'replace',
    fault: 'connection reset on PATCH /api/v2/integrations/{id}',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(reset(on('PATCH', path_.one)));
      return ctx.resource.update(ctx.world.properties(replaced));
    },
    check: (ctx) => expectSuffix(ctx, 'contact-center-v2'),
  },

  {
    name: 'replaces the integration with a new token when every token expired',
    step: 'replace',
    fault: 'every token revoked before the update',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.world.emulator.expireTokens();
      return ctx.resource.update(ctx.world.properties(replaced));
    },
    check: (ctx) => expectSuffix(ctx, 'contact-center-v2'),
  },

  // ---- re-activation in place ----------------------------------------------------------------
  {
    name: 're-activates in another region through a window of 503s while it waits',
    step: 'reactivate',
    fault: '503 on every GET /api/v2/integrations/{id} for 400 ms from the first isComplete poll',
    emulator: { activationDelayMs: 200 },
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      let armed = false;
      ctx.onPoll = () => {
        if (!armed) ctx.inject({ ...status(503, on('GET', path_.one)), untilMs: 400 });
        armed = true;
      };
      return ctx.resource.update(ctx.world.properties({ AwsRegion: 'eu-west-1' }));
    },
    check: (ctx) => {
      expect(currentProperties(ctx).awsAccountRegion).toBe('eu-west-1');
      expect(ctx.world.emulator.partnerSourceOf(ctx.resource.physicalId!)?.region)
        .toBe('eu-west-1');
      expect(ctx.world.emulator.requests.some((r) => r.fault === 'status 503')).toBe(true);
    },
  },
  {
    name: 'fails a re-activation ending in ERROR, and the rollback activates the old region again',
    step: 'reactivate',
    fault: 'activation in the new region ends in ERROR "Region not allowed"',
    expected: {
      ok: false,
      reason: 'reported ERROR while activating integration <id>: Region not allowed',
    },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject({ fault: { kind: 'activationError', message: 'Region not allowed' } });
      return ctx.resource.update(ctx.world.properties({ AwsRegion: 'eu-west-1' }));
    },
    check: (ctx) => {
      const integration = ctx.world.emulator.integration(ctx.resource.physicalId!);
      expect(integration?.reportedState?.code).toBe('ACTIVE');
      expect(currentProperties(ctx).awsAccountRegion).toBe('us-east-1');
      expect(ctx.world.emulator.partnerSourceOf(ctx.resource.physicalId!)?.region)
        .toBe('us-east-1');
    },
  },

  // ---- delete ------------------------------------------------------------------------------
  {
    name: 'deletes through 503s',
    step: 'delete',
    fault: '503 twice on DELETE /api/v2/integrations/{id}',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(status(503, on('DELETE'), { times: 2 }));
      return ctx.resource.delete();
    },
  },
  {
    name: 'deletes after Retry-After',
    step: 'delete',
    fault: '429 with Retry-After: 1 on DELETE /api/v2/integrations/{id}',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(status(429, on('DELETE'), { retryAfter: 1 }));
      return ctx.resource.delete();
    },
  },
  {
    name: 'succeeds when the integration was already deleted in Genesys Cloud',
    step: 'delete',
    fault: 'the integration deleted by hand before the stack delete',
    expected: { ok: true },
    run: async (ctx) => {
      const id = await ctx.created();
      await genesysDelete(ctx, id);
      return ctx.resource.delete();
    },
  },
  {
    name: 'fails when DELETE keeps failing, and the stack keeps owning the integration',
    step: 'delete',
    fault: '500 on every DELETE /api/v2/integrations/{id}',
    expected: { ok: false, reason: 'deleting the integration failed' },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(status(500, on('DELETE'), { times: Infinity }));
      return ctx.resource.delete();
    },
    check: (ctx) => {
      expect(ctx.world.emulator.integrations().map((i) => i.id)).toEqual([ctx.resource.physicalId]);
    },
  },
  {
    name: 'deletes through a connection reset',
    step: 'delete',
    fault: 'connection reset on DELETE /api/v2/integrations/{id}',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(reset(on('DELETE')));
      return ctx.resource.delete();
    },
  },
  {
    name: 'deletes although the DELETE is answered after the client timed out',
    step: 'delete',
    fault: `DELETE answered after ${SLOW_MS} ms (client timeout ${CLIENT_TIMEOUT_MS} ms)`,
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.inject(slow(on('DELETE')));
      return ctx.resource.delete();
    },
  },
  {
    name: 'deletes with a new token when every token expired',
    step: 'delete',
    fault: 'every token revoked before the delete',
    expected: { ok: true },
    run: async (ctx) => {
      await ctx.created();
      ctx.world.emulator.expireTokens();
      return ctx.resource.delete();
    },
  },
];

function currentProperties(ctx: Context): Record<string, unknown> {
  const id = ctx.resource.physicalId;
  const integration = ctx.world.emulator.integrations().find((i) => i.id === id);
  if (!integration) {
    const all = ctx.world.emulator.integrations().map((i) => i.id);
    throw new Error(`the stack's integration ${id} is not in Genesys, which holds ${all}`);
  }
  return integration.config?.current?.properties as Record<string, unknown>;
}

function expectTopics(ctx: Context, expected: string[]): void {
  expect(currentProperties(ctx).eventFilter).toEqual(expected);
}

function expectSuffix(ctx: Context, suffix: string): void {
  expect(currentProperties(ctx).eventSourceSuffix).toBe(suffix);
  expect(ctx.world.emulator.partnerSourceOf(ctx.resource.physicalId!)?.name)
    .toBe(ctx.world.emulator.partnerSourceName(suffix));
}

/** Deletes an integration the way an administrator would, through the API. */
async function genesysDelete(ctx: Context, id: string): Promise<void> {
  const url = ctx.world.emulator.url;
  const token = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      'authorization': `Basic ${Buffer.from('emulator-client:emulator-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const answer = await fetch(`${url}/api/v2/integrations/${id}`, {
    method: 'DELETE', headers: { authorization: `Bearer ${token.access_token}` },
  });
  expect(answer.status).toBeLessThan(300);
  await ctx.world.emulator.idle();
}

/** Integrations no stack owns, and live partner sources no integration owns. */
async function orphansOf(ctx: Context): Promise<string[]> {
  await ctx.world.emulator.idle();
  const owned = new Set([ctx.resource, ...ctx.others]
    .map((r) => r.physicalId)
    .filter((id): id is string => id !== undefined));
  const integrations = ctx.world.emulator.integrations();
  const orphans = integrations.filter((i) => !owned.has(i.id!)).map((i) => `integration ${i.id}`);
  const sourceNames = new Set(integrations
    .map((i) => ctx.world.emulator.partnerSourceOf(i.id!)?.name));
  for (const source of ctx.world.moto.corrections!.partnerSources()) {
    if (!source.deleted && !sourceNames.has(source.name)) {
      orphans.push(`partner source ${source.name}`);
    }
  }
  return orphans;
}

/** Makes run-specific values (ids, ports, ARNs) stable for the committed table. */
function normalize(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, '<emulator>')
    .replace(/aws\.partner\/genesys\.com\/cloud\/<id>\//g, 'aws.partner/genesys.com/cloud/<org>/')
    .replace(/\s+/g, ' ')
    .trim();
}

function cell(text: string, max = 260): string {
  const short = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return short.replace(/\|/g, '\\|');
}

function observedOf(op: Operation): string {
  const head = op.ok ? 'succeeds' : `fails: ${normalize(op.reason ?? '(no reason)')}`;
  const steps = op.steps.map((s) =>
    `${s.request.RequestType} ${s.response.skipped ? 'skipped' : s.response.Status}`);
  return `${head} [${steps.join(' → ')}]`;
}

function expectedOf(scenario: Scenario): string {
  return scenario.expected.ok ? 'succeeds' : `fails: "${scenario.expected.reason}"`;
}

interface Row {
  readonly scenario: string;
  readonly step: Step;
  readonly fault: string;
  readonly expected: string;
  readonly observed: string;
  readonly orphans: string;
}

function table(rows: Row[]): string {
  const lines = [
    '# Fault matrix',
    '',
    'Generated by `test/fault-matrix.test.ts` (rewrite it with',
    '`UPDATE_DOCS=1 npx jest test/fault-matrix.test.ts`); the test fails when this file',
    'differs from what the scenarios do.',
    '',
    'Each scenario runs the lifecycle handler through the Provider framework\'s flow (onEvent,',
    'then isComplete until complete) and CloudFormation\'s reactions (the Delete after a failed',
    'Create, the rollback of a failed update, the cleanup of a replaced physical id), against the',
    'Genesys emulator with the fault injected and moto as the AWS side. The handler is the',
    'deployed bundle (assets/lifecycle-handler/index.js), run with the environment',
    `${Object.entries(HANDLER_ENV).map(([name, value]) => `\`${name}=${value}\``).join(', ')}:`,
    'a Genesys client of short timeouts and few retries, and a short wait for activation and',
    'for the partner event source.',
    '',
    '"Observed" lists the requests CloudFormation sent and the framework\'s answers. "Orphans"',
    'lists integrations that no stack owns and live partner event sources that no integration',
    'owns, once the emulator is idle; ids are shown as `<id>`.',
    '',
    '| # | scenario | step | fault | expected | observed | orphans |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r, i) => `| ${i + 1} | ${cell(r.scenario)} | ${r.step} | ${cell(r.fault)} | ` +
      `${cell(r.expected)} | ${cell(r.observed, 400)} | ${cell(r.orphans)} |`),
    '',
  ];
  return lines.join('\n');
}

describe('fault matrix', () => {
  let moto: MotoServer;
  const rows: Row[] = [];

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  test.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    let partner: ExpiringPartnerSide | undefined;
    const hooks: { onPoll?: (request: CfnRequest) => void | Promise<void> } = {};
    const world = await startWorld({
      moto,
      handlerEnv: HANDLER_ENV,
      emulator: { activationDelayMs: 5, propagationDelayMs: 5, ...scenario.emulator },
      partnerSide: (inner) => (partner = new ExpiringPartnerSide(inner)),
      flow: {
        queryIntervalMs: 5,
        totalTimeoutMs: 20_000,
        onPoll: (request) => hooks.onPoll?.(request),
      },
    });
    let requestFaults = 0;
    try {
      const resource = new CloudFormationResource(world.flow);
      const ctx: Context = {
        world,
        resource,
        others: [],
        partner: partner!,
        set onPoll(hook: ((request: CfnRequest) => void | Promise<void>) | undefined) {
          hooks.onPoll = hook;
        },
        get onPoll() {
          return hooks.onPoll;
        },
        inject: (rule) => {
          if (REQUEST_FAULTS.has(rule.fault.kind)) requestFaults++;
          world.emulator.inject(rule);
        },
        async created(overrides = {}) {
          const op = await resource.create(world.properties(overrides));
          if (!op.ok) throw new Error(`setting up the stack failed: ${op.reason}`);
          await world.emulator.idle();
          return resource.physicalId!;
        },
        async otherStack(overrides) {
          const other = new CloudFormationResource(world.flow, {
            logicalResourceId: 'OtherIntegration',
          });
          const op = await other.create(world.properties(overrides));
          if (!op.ok) throw new Error(`setting up another stack failed: ${op.reason}`);
          ctx.others.push(other);
          return other.physicalId!;
        },
      };

      const op = await scenario.run(ctx);
      hooks.onPoll = undefined;
      world.emulator.clearFaults();
      const orphans = await orphansOf(ctx);
      rows.push({
        scenario: scenario.name,
        step: scenario.step,
        fault: scenario.fault,
        expected: expectedOf(scenario),
        observed: observedOf(op),
        orphans: orphans.length === 0 ? 'none' : normalize(orphans.join(', ')),
      });

      expect({ ok: op.ok, orphans }).toEqual({ ok: scenario.expected.ok, orphans: [] });
      expect(trafficProblems(world.emulator.requests)).toEqual([]);
      const faulted = world.emulator.requests.filter((r) => r.fault !== undefined);
      expect(faulted.length).toBeGreaterThanOrEqual(requestFaults);
      if (scenario.expected.reason) {
        expect(normalize(op.reason ?? '')).toContain(scenario.expected.reason);
      }
      await scenario.check?.(ctx, op);
    } finally {
      await world.stop();
    }
  });

  test('docs/fault-matrix.md is the table of these scenarios', () => {
    expect(rows).toHaveLength(SCENARIOS.length);
    const generated = table(rows);
    if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(DOC, generated);
    const committed = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
    expect(committed).toBe(generated);
  });
});
