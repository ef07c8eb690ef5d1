/**
 * Decides what one CloudFormation event means for the Genesys integration.
 *
 * Pure: the same request, properties and organization state always give the same decision, so
 * the whole lifecycle is tested as a table and the handler only carries the decision out.
 *
 * An Update is decided against the integration as Genesys reports it, not against the old
 * properties alone: a rollback (old and new properties swapped) or an update that failed halfway
 * then converges from wherever the integration really is. The old properties stand in only when
 * Genesys did not return the integration's configuration.
 */
import { createHash } from 'node:crypto';
import { INTEGRATION_TYPE_ID, MAX_INTEGRATIONS_PER_ORG, normalizeTopics, shown } from '../rules';
import { AvailableTopic, EventBridgeConfigProperties, Integration } from './genesys-models';
import { IntegrationSettings, RemovalPolicy } from './properties-parse';

/** The CloudFormation request types. */
export type RequestType = 'Create' | 'Update' | 'Delete';

/**
 * What the handler does:
 * - `create`: a new integration (Create);
 * - `adopt`: take over an integration this very resource created earlier (found by its
 *   ownership marker and suffix) instead of creating a second one;
 * - `replace`: a new integration during an Update, with a new physical id (make-before-break:
 *   CloudFormation deletes the old one once the whole stack update succeeded);
 * - `reactivate`: write a new account, region or suffix into the integration and activate it
 *   again; Genesys deletes the old partner event source and creates a new one;
 * - `update`: change name, notes, topic filter or enabled state in place;
 * - `noop`: nothing differs;
 * - `delete`, `retain`: a Delete removes the integration, or leaves it in place;
 * - `skip`: a Delete of a physical id that never was a Genesys integration;
 * - `reject`: the request cannot succeed; nothing is written.
 */
export type Action =
  | 'create' | 'adopt' | 'replace' | 'reactivate' | 'update' | 'noop'
  | 'delete' | 'retain' | 'skip' | 'reject';

/** The Genesys and AWS work a decision implies, in the order the handler performs it. */
export interface Steps {
  /** POST a new integration. */
  readonly createIntegration: boolean;
  /** PUT the configuration (properties, name, notes with the ownership marker). */
  readonly writeConfig: boolean;
  /** PATCH the intended state, when it must change. */
  readonly setState?: 'ENABLED' | 'DISABLED';
  /**
   * PATCH DISABLED before the PATCH ENABLED: the integration is meant to be ENABLED already but is
   * not running (ERROR, or INACTIVE after a failed activation), and a PATCH to the state it
   * already has need not start a new activation. Going through DISABLED makes it one.
   */
  readonly restart?: boolean;
  /** isComplete waits until reportedState is ACTIVE (ERROR fails). */
  readonly awaitActive: boolean;
  /** isComplete waits until the partner event source exists. */
  readonly awaitSource: boolean;
  /** isComplete disables the integration once the source exists (Enabled is "false"). */
  readonly disableAfter: boolean;
  /** A failure deletes the integration, which would otherwise be left behind untracked. */
  readonly deleteOnFailure: boolean;
  /** The physical id changes (CloudFormation deletes the previous one later). */
  readonly newPhysicalId: boolean;
}

/** The outcome of `plan`. */
export interface Decision {
  /** What to do. */
  readonly action: Action;
  /** The existing integration acted upon; absent when a new one is created. */
  readonly integrationId?: string;
  /** The work to perform. */
  readonly steps: Steps;
  /** Which settings differ between the integration and the desired state. */
  readonly changes: readonly SettingName[];
  /** Why, in a few words, for the log. */
  readonly reason: string;
  /** Something to tell the user although the deployment goes on. */
  readonly warning?: string;
  /** Why the request is rejected (action `reject`), each problem with what to do. */
  readonly problems?: readonly string[];
}

/** The settings the plan compares. */
export type SettingName =
  | 'accountId' | 'region' | 'suffix' | 'topics' | 'name' | 'notes' | 'enabled';

/** What the plan knows of the Genesys organization. */
export interface OrgState {
  /**
   * Every EventBridge integration of the organization, with `config.current` expanded; or, with
   * `onlyCurrent`, just the integration an Update acts on.
   */
  readonly integrations: readonly Integration[];
  /**
   * `integrations` holds only the integration of the Update, read by its id. That is enough
   * unless `needsWholeOrganization` says otherwise; a decision that needs more throws.
   * @default false
   */
  readonly onlyCurrent?: boolean;
  /**
   * The notification topic catalog (`availabletopics` with transports). Only the topics that
   * `topicsToVerify` names are looked up in it, so it may be empty when there are none.
   */
  readonly topics: readonly AvailableTopic[];
  /** @default MAX_INTEGRATIONS_PER_ORG */
  readonly maxIntegrations?: number;
}

/** Everything a decision depends on. */
export interface PlanInput {
  /** The CloudFormation request type. */
  readonly requestType: RequestType;
  /** The physical id of an Update or a Delete. */
  readonly physicalResourceId?: string;
  /** The new properties of a Create or an Update. */
  readonly desired?: IntegrationSettings;
  /** The old properties of an Update, used only when Genesys returned no configuration. */
  readonly previous?: IntegrationSettings;
  /** The removal policy of a Delete. */
  readonly removalPolicy?: RemovalPolicy;
  /** This resource's ownership marker (see `ownershipMarker`). */
  readonly marker: string;
  /** The organization's state, required for a Create and an Update. */
  readonly org?: OrgState;
}

const NO_STEPS: Steps = {
  createIntegration: false,
  writeConfig: false,
  awaitActive: false,
  awaitSource: false,
  disableAfter: false,
  deleteOnFailure: false,
  newPhysicalId: false,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The text that starts the ownership marker line in an integration's notes. */
export const MARKER_PREFIX = 'managed by cdk-genesys-eventbridge: ';

/** Genesys integration ids are UUIDs; anything else never was one (e.g. after a failed Create). */
export function isIntegrationId(value: string | undefined): value is string {
  return value !== undefined && UUID.test(value);
}

/** The ownership marker of one custom resource: its stack and logical id. */
export function ownershipMarker(stackId: string, logicalResourceId: string): string {
  return `${MARKER_PREFIX}${stackId}/${logicalResourceId}`;
}

/** The notes written to Genesys: the user's notes, then the marker on a line of its own. */
export function notesWithMarker(userNotes: string, marker: string): string {
  return userNotes === '' ? marker : `${userNotes}\n${marker}`;
}

/** The marker found in an integration's notes, if any. */
export function markerOf(notes: string | undefined): string | undefined {
  return (notes ?? '').split('\n').find((line) => line.startsWith(MARKER_PREFIX));
}

/** An integration's notes without any marker line. */
export function userNotesOf(notes: string | undefined): string {
  return (notes ?? '').split('\n').filter((line) => !line.startsWith(MARKER_PREFIX)).join('\n');
}

/**
 * The name a new integration carries from its creation until its first configuration write sets
 * the real name and the marker. It is derived from the marker and the suffix, so a Create delivered
 * again, or a POST that the client retried after a timeout, leaves integrations that are
 * recognizably this resource's even before they are configured.
 */
export function pendingName(marker: string, suffix: string): string {
  const digest = createHash('sha256').update(`${marker}\n${suffix}`).digest('hex').slice(0, 16);
  return `cdk-genesys-eventbridge pending ${digest}`;
}

/** Created under this pending name and not configured since (it carries no marker). */
export function isPending(integration: Integration, name: string): boolean {
  const current = integration.config?.current;
  return markerOf(current?.notes ?? integration.notes) === undefined
    && (integration.name === name || current?.name === name);
}

/** The EventBridge settings of an integration's current configuration, if it has any. */
export function configuredSettings(integration: Integration): Partial<EventBridgeConfigProperties> {
  const properties = integration.config?.current?.properties;
  return (properties ?? {}) as Partial<EventBridgeConfigProperties>;
}

/** Topics of the filter that the catalog lacks or that cannot be sent to EventBridge. */
export function checkTopicsAvailable(topics: readonly string[],
  catalog: readonly AvailableTopic[]): string[] {
  const byId = new Map(catalog.filter((t) => t.id !== undefined).map((t) => [t.id as string, t]));
  const problems: string[] = [];
  for (const topic of topics) {
    const entry = byId.get(topic);
    if (!entry) {
      problems.push(`topics: ${shown(topic)} is not a notification topic of this Genesys ` +
        'organization (GET /api/v2/notifications/availabletopics does not list it): check its ' +
        'spelling, with {id} placeholders');
    } else if (entry.transports && !entry.transports.some(carriesEventBridge)) {
      problems.push(`topics: ${shown(topic)} cannot be sent to EventBridge (its transports are ` +
        `${entry.transports.join(', ') || 'none'}): remove it, or choose a topic whose ` +
        'transports include EventBridge');
    }
  }
  return problems;
}

/**
 * Whether an Update must be decided against every integration of the organization rather than
 * against its own integration alone: when that integration is gone (a new one is created, or an
 * earlier generation adopted) or its suffix changes (a replacement looks for the previous
 * generation, for another active integration with the suffix, and for room in the organization).
 * A Create always needs the whole organization: pass no `current`.
 */
export function needsWholeOrganization(current: Integration | undefined,
  desired: IntegrationSettings, previous?: IntegrationSettings): boolean {
  if (!current) return true;
  return configuredSettings(withFallback(current, previous)).eventSourceSuffix !== desired.suffix;
}

/**
 * The topics of the desired filter that the topic catalog must confirm: all of them for a new
 * integration (no `current`), and for an existing one only those it does not send yet, since
 * Genesys accepted the others already. None means the catalog need not be read.
 */
export function topicsToVerify(current: Integration | undefined, desired: IntegrationSettings,
  previous?: IntegrationSettings): string[] {
  if (!current) return [...desired.topics];
  const accepted = new Set(configuredSettings(withFallback(current, previous)).eventFilter ?? []);
  return desired.topics.filter((t) => !accepted.has(t));
}

/** Decides what a CloudFormation event means for the integration. */
export function plan(input: PlanInput): Decision {
  if (input.requestType === 'Delete') return planDelete(input);
  if (!input.desired || !input.org) {
    throw new Error(`plan: a ${input.requestType} needs the desired settings and the ` +
      'organization state');
  }
  if (input.requestType === 'Create') return planNew(input, input.desired, input.org, 'Create');

  const current = isIntegrationId(input.physicalResourceId)
    ? input.org.integrations.find((i) => i.id === input.physicalResourceId)
    : undefined;
  if (!current) return planNew(input, input.desired, input.org, 'Update');
  return planUpdate(input, input.desired, input.org, current);
}

function planDelete(input: PlanInput): Decision {
  const id = input.physicalResourceId;
  if (input.removalPolicy === 'retain') {
    return {
      action: 'retain',
      integrationId: isIntegrationId(id) ? id : undefined,
      steps: NO_STEPS,
      changes: [],
      reason: 'removal policy is retain',
    };
  }
  if (!isIntegrationId(id)) {
    return {
      action: 'skip',
      steps: NO_STEPS,
      changes: [],
      reason: 'physical id is not a genesys integration id',
    };
  }
  return {
    action: 'delete',
    integrationId: id,
    steps: NO_STEPS,
    changes: [],
    reason: 'resource deleted',
  };
}

/** A Create, or an Update whose integration no longer exists: a new integration, or adoption. */
function planNew(input: PlanInput, desired: IntegrationSettings, org: OrgState,
  request: RequestType): Decision {
  requireWholeOrganization(org, `a ${request} that creates or adopts an integration`);
  const found = adoptable(org, input.marker, desired.suffix, undefined);
  const candidate = found?.integration;
  const problems = [
    ...checkTopicsAvailable(topicsToVerify(undefined, desired), org.topics),
    ...suffixConflicts(org, desired.suffix, [candidate?.id]),
  ];
  if (!candidate && !hasRoom(org)) problems.push(orgFull(org));
  if (problems.length > 0) return reject(problems);

  const isCreate = request === 'Create';
  if (candidate) {
    // A previous delivery of this Create (or an earlier generation of this resource) left it.
    // Unconfigured, nothing but this resource knows it, so a failure deletes it. Configured, it
    // may be one this resource kept when it was removed with the retain policy and now adds
    // again: a failed Create deletes it only when the policy now says deleting is wanted.
    return {
      action: 'adopt',
      integrationId: candidate.id,
      steps: {
        ...activation(candidate, desired, input.marker, true),
        deleteOnFailure: found.pending || (isCreate && desired.removalPolicy === 'delete'),
        newPhysicalId: !isCreate,
      },
      changes: differences(candidate, desired, input.marker),
      reason: found.pending
        ? 'an integration this resource created but never configured exists'
        : 'an integration with this resource\'s marker and suffix exists',
    };
  }
  return {
    action: isCreate ? 'create' : 'replace',
    steps: newIntegrationSteps(desired),
    changes: [],
    reason: isCreate ? 'new resource' : `integration ${input.physicalResourceId} no longer exists`,
  };
}

/**
 * The steps of an integration made from nothing: created, configured and enabled (a disabled
 * integration never creates its partner source, so one that should be disabled is disabled only
 * after the source exists), deleted again if anything fails, and under a new physical id.
 */
function newIntegrationSteps(desired: IntegrationSettings): Steps {
  return {
    createIntegration: true,
    writeConfig: true,
    setState: 'ENABLED',
    awaitActive: true,
    awaitSource: true,
    disableAfter: !desired.enabled,
    deleteOnFailure: true,
    newPhysicalId: true,
  };
}

function planUpdate(input: PlanInput, desired: IntegrationSettings, org: OrgState,
  current: Integration): Decision {
  const id = current.id as string;
  const actual = withFallback(current, input.previous);
  const changes = differences(actual, desired, input.marker);
  const topicProblems = checkTopicsAvailable(topicsToVerify(current, desired, input.previous),
    org.topics);

  if (changes.includes('suffix')) {
    requireWholeOrganization(org, 'a suffix change');
    const found = adoptable(org, input.marker, desired.suffix, id);
    const candidate = found?.integration;
    const problems = [
      ...topicProblems,
      ...suffixConflicts(org, desired.suffix, [id, candidate?.id]),
    ];
    if (problems.length > 0) return reject(problems);

    if (candidate) {
      // Typically the rollback of a replacement: the previous generation still exists.
      return {
        action: 'adopt',
        integrationId: candidate.id,
        steps: {
          ...convergeExisting(candidate, desired, input.marker),
          newPhysicalId: true,
          // Unconfigured, it is a leftover of this very replacement that nothing else tracks.
          deleteOnFailure: found.pending,
        },
        changes: differences(candidate, desired, input.marker),
        reason: found.pending
          ? 'an integration this resource created but never configured exists'
          : 'an integration with this resource\'s marker and the new suffix exists',
      };
    }
    if (hasRoom(org)) {
      return {
        action: 'replace',
        steps: newIntegrationSteps(desired),
        changes,
        reason: 'event source suffix changed',
      };
    }
    return {
      action: 'reactivate',
      integrationId: id,
      steps: activation(actual, desired, input.marker, true),
      changes,
      reason: 'event source suffix changed and the organization has no room for a new integration',
      warning: `the Genesys organization already has ${limitOf(org)} EventBridge integrations, ` +
        `so the suffix change re-activates integration ${id} in place instead of replacing it: ` +
        'events pause until the new partner event source exists, and the old source is deleted',
    };
  }

  if (topicProblems.length > 0) return reject(topicProblems);
  if (changes.includes('accountId') || changes.includes('region')) {
    return {
      action: 'reactivate',
      integrationId: id,
      steps: activation(actual, desired, input.marker, true),
      changes,
      reason: 'aws account or region changed',
    };
  }

  const steps = convergeExisting(actual, desired, input.marker);
  const idle = !steps.writeConfig && steps.setState === undefined && !steps.awaitActive;
  return {
    action: idle ? 'noop' : 'update',
    integrationId: id,
    steps,
    changes,
    reason: idle ? 'nothing differs' : 'settings changed in place',
  };
}

/**
 * Steps that bring an existing integration to the desired state. A change of account, region or
 * suffix makes Genesys deactivate the integration, so it is activated again and a new source
 * awaited; anything else changes in place.
 */
function convergeExisting(integration: Integration, desired: IntegrationSettings,
  marker: string): Steps {
  const changes = differences(integration, desired, marker);
  if (movesSource(changes)) {
    return activation(integration, desired, marker, true);
  }

  const writeConfig = changes.some((c) => c !== 'enabled');
  if (desired.enabled && !isRunning(integration)) {
    // Activating again is waited out as a first activation is, source included: an integration
    // that stopped half-way through a re-activation (new destination written, never activated)
    // has no partner source yet, and the stack's bus needs it.
    return { ...activation(integration, desired, marker, true), writeConfig };
  }
  const setState = !desired.enabled && integration.intendedState !== 'DISABLED'
    ? 'DISABLED' as const
    : undefined;
  return { ...NO_STEPS, writeConfig, setState };
}

/** Steps that activate an integration and wait for its partner event source. */
function activation(integration: Integration, desired: IntegrationSettings, marker: string,
  awaitSource: boolean): Steps {
  const changes = differences(integration, desired, marker);
  const writeConfig = changes.some((c) => c !== 'enabled');
  const moved = movesSource(changes);
  // A configuration write that moves the source deactivates the integration; otherwise a running
  // integration needs no PATCH.
  const running = isRunning(integration);
  const setState = moved || !running ? 'ENABLED' : undefined;
  // The write that moves the source leaves the integration DISABLED; otherwise one that is meant
  // to be ENABLED and is not running goes through DISABLED to start a new activation.
  const restart = !moved && !running && integration.intendedState === 'ENABLED';
  return {
    ...NO_STEPS,
    writeConfig,
    setState,
    ...(restart ? { restart } : {}),
    awaitActive: true,
    awaitSource,
    disableAfter: !desired.enabled,
  };
}

/** Enabled and active, or on its way to active. */
function isRunning(integration: Integration): boolean {
  const code = integration.reportedState?.code;
  return integration.intendedState === 'ENABLED' && (code === 'ACTIVE' || code === 'ACTIVATING');
}

/** Which desired settings an integration does not have yet. */
export function differences(integration: Integration, desired: IntegrationSettings,
  marker: string): SettingName[] {
  const config = configuredSettings(integration);
  const current = integration.config?.current;
  const changes: SettingName[] = [];
  if (config.awsAccountId !== desired.accountId) changes.push('accountId');
  if (config.awsAccountRegion !== desired.region) changes.push('region');
  if (config.eventSourceSuffix !== desired.suffix) changes.push('suffix');
  if (!sameTopics(config.eventFilter, desired.topics)) changes.push('topics');
  if ((current?.name ?? integration.name) !== desired.name) changes.push('name');
  const notes = current?.notes ?? integration.notes ?? '';
  if (notes !== notesWithMarker(desired.notes, marker)) changes.push('notes');
  const enabledNow = integration.intendedState === 'ENABLED';
  if (enabledNow !== desired.enabled) changes.push('enabled');
  return changes;
}

function sameTopics(actual: readonly string[] | undefined, desired: readonly string[]): boolean {
  if (!Array.isArray(actual)) return false;
  const a = normalizeTopics(actual);
  return a.length === desired.length && a.every((topic, i) => topic === desired[i]);
}

/**
 * The integration with its configuration; when Genesys returned none, the old properties stand
 * in for it (they describe what the previous deployment wrote).
 */
function withFallback(integration: Integration,
  previous: IntegrationSettings | undefined): Integration {
  if (integration.config?.current || !previous) return integration;
  return {
    ...integration,
    config: {
      current: {
        name: previous.name,
        version: 0,
        notes: integration.notes ?? '',
        advanced: {},
        credentials: {},
        properties: {
          awsAccountId: previous.accountId,
          awsAccountRegion: previous.region,
          eventSourceSuffix: previous.suffix,
          eventFilter: [...previous.topics],
        },
      },
    },
  };
}

/**
 * An integration of this resource other than `exceptId`: one that carries the marker and the
 * suffix, or else one created under the pending name and never configured.
 */
function adoptable(org: OrgState, marker: string, suffix: string,
  exceptId: string | undefined): { integration: Integration; pending: boolean } | undefined {
  const others = eventBridgeIntegrations(org).filter((i) => i.id !== exceptId);
  const owned = others.find((i) => markerOf(i.config?.current?.notes ?? i.notes) === marker
    && configuredSettings(i).eventSourceSuffix === suffix);
  if (owned) return { integration: owned, pending: false };
  const name = pendingName(marker, suffix);
  const pending = others.find((i) => isPending(i, name));
  return pending ? { integration: pending, pending: true } : undefined;
}

/** Problems when another active integration of the organization already uses the suffix. */
function suffixConflicts(org: OrgState, suffix: string,
  exceptIds: ReadonlyArray<string | undefined>): string[] {
  return eventBridgeIntegrations(org)
    .filter((i) => !exceptIds.includes(i.id))
    .filter((i) => configuredSettings(i).eventSourceSuffix === suffix)
    .filter((i) => i.reportedState?.code === 'ACTIVE' || i.reportedState?.code === 'ACTIVATING')
    .map((i) => `eventSourceSuffix ${shown(suffix)} is already used by the active EventBridge ` +
      `integration ${shown(i.config?.current?.name ?? i.name ?? '')} (${i.id}); ` +
      'Genesys requires the suffix to be unique among active integrations: choose another ' +
      'suffix, or deactivate or delete that integration');
}

/** Refuses to decide from the Update's own integration what depends on the whole organization. */
function requireWholeOrganization(org: OrgState, what: string): void {
  if (org.onlyCurrent) {
    throw new Error(`plan: ${what} must be decided against every integration of the ` +
      'organization, not only the one the Update acts on');
  }
}

function hasRoom(org: OrgState): boolean {
  return eventBridgeIntegrations(org).length < limitOf(org);
}

function orgFull(org: OrgState): string {
  return `the Genesys organization already has ${eventBridgeIntegrations(org).length} EventBridge ` +
    `integrations and allows at most ${limitOf(org)}: delete an unused one in Genesys Cloud ` +
    '(Admin > Integrations), then deploy again';
}

function limitOf(org: OrgState): number {
  return org.maxIntegrations ?? MAX_INTEGRATIONS_PER_ORG;
}

function eventBridgeIntegrations(org: OrgState): Integration[] {
  return org.integrations
    .filter((i) => !i.integrationType || i.integrationType.id === INTEGRATION_TYPE_ID);
}

/** A change of account, region or suffix moves the partner event source. */
function movesSource(changes: readonly SettingName[]): boolean {
  return changes.includes('accountId') || changes.includes('region') || changes.includes('suffix');
}

function carriesEventBridge(transport: string): boolean {
  return transport === 'EventBridge' || transport === 'All';
}

function reject(problems: string[]): Decision {
  return { action: 'reject', steps: NO_STEPS, changes: [], reason: 'validation failed', problems };
}
