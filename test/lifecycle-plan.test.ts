import {
  AvailableTopic,
  Integration,
  IntendedState,
  ReportedStateCode,
} from '../lib/lifecycle/genesys-models';
import {
  checkTopicsAvailable,
  Decision,
  isIntegrationId,
  markerOf,
  needsWholeOrganization,
  notesWithMarker,
  ownershipMarker,
  pendingName,
  plan,
  PlanInput,
  Steps,
  topicsToVerify,
  userNotesOf,
} from '../lib/lifecycle/plan';
import { IntegrationSettings } from '../lib/lifecycle/properties-parse';

const STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/5c0c5a10-0000-4000-8000-0';
const MARKER = ownershipMarker(STACK, 'Integration');
const OTHER_MARKER = ownershipMarker(STACK, 'OtherIntegration');
const CURRENT = '11111111-1111-4111-8111-111111111111';
const PREVIOUS_GENERATION = '22222222-2222-4222-8222-222222222222';
const STRANGER = '33333333-3333-4333-8333-333333333333';

const TOPICS: AvailableTopic[] = [
  { id: 'v2.users.{id}.presence', transports: ['EventBridge', 'Websocket'] },
  { id: 'v2.routing.queues.{id}.users', transports: ['EventBridge', 'Websocket'] },
  { id: 'v2.operations.events.{id}', transports: ['All'] },
  { id: 'v2.users.{id}.conversations.calls', transports: ['Websocket'] },
];

const DESIRED: IntegrationSettings = {
  accountId: '123456789012',
  region: 'us-east-1',
  suffix: 'prod',
  topics: ['v2.users.{id}.presence'],
  name: 'Contact center events',
  notes: 'owned by the platform team',
  enabled: true,
  removalPolicy: 'delete',
};

interface Shape {
  id: string;
  settings?: Partial<IntegrationSettings>;
  marker?: string | null;
  intended?: IntendedState;
  reported?: ReportedStateCode;
  noConfig?: boolean;
}

/** A Genesys integration as listEventBridgeIntegrations returns it. */
function integration(shape: Shape): Integration {
  const s = { ...DESIRED, ...shape.settings };
  const marker = shape.marker === null ? undefined : shape.marker ?? MARKER;
  const notes = marker ? notesWithMarker(s.notes, marker) : s.notes;
  return {
    id: shape.id,
    name: s.name,
    notes,
    integrationType: { id: 'amazon-eventbridge-source' },
    intendedState: shape.intended ?? (s.enabled ? 'ENABLED' : 'DISABLED'),
    reportedState: { code: shape.reported ?? (s.enabled ? 'ACTIVE' : 'INACTIVE') },
    config: shape.noConfig ? undefined : {
      current: {
        name: s.name,
        version: 3,
        notes,
        advanced: {},
        credentials: {},
        properties: {
          awsAccountId: s.accountId,
          awsAccountRegion: s.region,
          eventSourceSuffix: s.suffix,
          eventFilter: [...s.topics],
        },
      },
    },
  };
}

/** An integration as POST /integrations left it: the pending name, no configuration yet. */
function pendingIntegration(id: string, suffix: string): Integration {
  const name = pendingName(MARKER, suffix);
  return {
    id,
    name,
    notes: '',
    integrationType: { id: 'amazon-eventbridge-source' },
    intendedState: 'DISABLED',
    reportedState: { code: 'INACTIVE' },
    config: {
      current: { name, version: 1, notes: '', advanced: {}, credentials: {}, properties: {} },
    },
  };
}

/** Fillers that take room in the organization and never interfere otherwise. */
function strangers(count: number): Integration[] {
  return Array.from({ length: count }, (_, i) => integration({
    id: `44444444-4444-4444-8444-${String(i).padStart(12, '0')}`,
    settings: { suffix: `someone-else-${i}`, name: `other ${i}` },
    marker: null,
  }));
}

function create(desired: Partial<IntegrationSettings>, integrations: Integration[] = []):
PlanInput {
  return {
    requestType: 'Create',
    desired: { ...DESIRED, ...desired },
    marker: MARKER,
    org: { integrations, topics: TOPICS },
  };
}

function update(desired: Partial<IntegrationSettings>, integrations: Integration[],
  previous: Partial<IntegrationSettings> = {}, physicalResourceId = CURRENT): PlanInput {
  return {
    requestType: 'Update',
    physicalResourceId,
    desired: { ...DESIRED, ...desired },
    previous: { ...DESIRED, ...previous },
    marker: MARKER,
    org: { integrations, topics: TOPICS },
  };
}

function removal(physicalResourceId: string, removalPolicy: 'delete' | 'retain'): PlanInput {
  return { requestType: 'Delete', physicalResourceId, removalPolicy, marker: MARKER };
}

const NEW_INTEGRATION: Steps = {
  createIntegration: true,
  writeConfig: true,
  setState: 'ENABLED',
  awaitActive: true,
  awaitSource: true,
  disableAfter: false,
  deleteOnFailure: true,
  newPhysicalId: true,
};
const IN_PLACE: Steps = {
  createIntegration: false,
  writeConfig: true,
  setState: undefined,
  awaitActive: false,
  awaitSource: false,
  disableAfter: false,
  deleteOnFailure: false,
  newPhysicalId: false,
};
const REACTIVATION: Steps = {
  ...IN_PLACE,
  setState: 'ENABLED',
  awaitActive: true,
  awaitSource: true,
};
const NOTHING: Steps = { ...IN_PLACE, writeConfig: false };

interface Row {
  name: string;
  input: PlanInput;
  action: Decision['action'];
  integrationId?: string;
  steps?: Partial<Steps>;
  problem?: RegExp;
  warning?: RegExp;
}

const running = integration({ id: CURRENT });

const ROWS: Row[] = [
  // Create
  {
    name: 'creates a new integration',
    input: create({}),
    action: 'create',
    steps: NEW_INTEGRATION,
  },
  {
    name: 'creates it enabled and disables it once the source exists when Enabled is false',
    input: create({ enabled: false }),
    action: 'create',
    steps: { ...NEW_INTEGRATION, disableAfter: true },
  },
  {
    name: 'creates one when the organization holds one integration less than the limit',
    input: create({}, strangers(9)),
    action: 'create',
    steps: NEW_INTEGRATION,
  },
  {
    name: 'adopts the integration a previous delivery of the same Create left behind',
    input: create({}, [integration({ id: CURRENT, reported: 'ACTIVATING' })]),
    action: 'adopt',
    integrationId: CURRENT,
    steps: { ...NOTHING, awaitActive: true, awaitSource: true, deleteOnFailure: true },
  },
  {
    name: 'adopts the integration a removal with the retain policy kept, and keeps it on failure',
    input: create({ removalPolicy: 'retain' }, [integration({ id: CURRENT })]),
    action: 'adopt',
    integrationId: CURRENT,
    steps: { ...NOTHING, awaitActive: true, awaitSource: true, deleteOnFailure: false },
  },
  {
    name: 'adopts an unconfigured integration under the retain policy, and deletes it on failure',
    input: create({ removalPolicy: 'retain' }, [pendingIntegration(CURRENT, 'prod')]),
    action: 'adopt',
    integrationId: CURRENT,
    steps: { ...REACTIVATION, deleteOnFailure: true },
  },
  {
    name: 'adopts and finishes a half-configured integration of the same resource',
    input: create({}, [integration({
      id: CURRENT,
      intended: 'DISABLED',
      reported: 'INACTIVE',
      settings: { topics: ['v2.operations.events.{id}'] },
    })]),
    action: 'adopt',
    integrationId: CURRENT,
    steps: { ...REACTIVATION, deleteOnFailure: true },
  },
  {
    name: 'adopts an integration the same Create created but never configured (pending name)',
    input: create({}, [pendingIntegration(CURRENT, 'prod')]),
    action: 'adopt',
    integrationId: CURRENT,
    steps: { ...REACTIVATION, deleteOnFailure: true },
  },
  {
    name: 'does not adopt a pending integration of another suffix',
    input: create({}, [pendingIntegration(CURRENT, 'other')]),
    action: 'create',
  },
  {
    name: 'adopts the unconfigured leftover of the same replacement, and deletes it on failure',
    input: update({ suffix: 'prod-v2' }, [running, pendingIntegration(STRANGER, 'prod-v2')]),
    action: 'adopt',
    integrationId: STRANGER,
    steps: { ...REACTIVATION, deleteOnFailure: true, newPhysicalId: true },
  },
  {
    name: 'adopts even when the organization is full, since nothing new is created',
    input: create({}, [...strangers(9), integration({ id: CURRENT })]),
    action: 'adopt',
    integrationId: CURRENT,
  },
  {
    name: 'does not adopt an inactive integration of another resource with the same suffix',
    input: create({}, [integration({
      id: STRANGER,
      marker: OTHER_MARKER,
      intended: 'DISABLED',
      reported: 'INACTIVE',
    })]),
    action: 'create',
    steps: NEW_INTEGRATION,
  },
  {
    name: 'does not adopt an integration of this resource with another suffix',
    input: create({}, [integration({ id: CURRENT, settings: { suffix: 'old' } })]),
    action: 'create',
  },
  {
    name: 'rejects a Create when the organization is full',
    input: create({}, strangers(10)),
    action: 'reject',
    problem: /already has 10 EventBridge integrations and allows at most 10: delete an unused one/,
  },
  {
    name: 'rejects a suffix that another active integration uses',
    input: create({}, [integration({ id: STRANGER, marker: null, settings: { name: 'theirs' } })]),
    action: 'reject',
    problem: /eventSourceSuffix "prod" is already used by the active EventBridge integration "theirs"/,
  },
  {
    name: 'rejects a suffix that another integration is activating',
    input: create({}, [integration({ id: STRANGER, marker: null, reported: 'ACTIVATING' })]),
    action: 'reject',
    problem: /eventSourceSuffix "prod" is already used/,
  },
  {
    name: 'rejects a topic the catalog does not list',
    input: create({ topics: ['v2.users.{id}.presense'] }),
    action: 'reject',
    problem: /topics: "v2.users.{id}.presense" is not a notification topic of this Genesys/,
  },
  {
    name: 'rejects a topic without the EventBridge transport',
    input: create({ topics: ['v2.users.{id}.conversations.calls'] }),
    action: 'reject',
    problem: /"v2.users.{id}.conversations.calls" cannot be sent to EventBridge \(its transports/,
  },
  {
    name: 'accepts a topic with the All transport',
    input: create({ topics: ['v2.operations.events.{id}'] }),
    action: 'create',
  },

  // Update in place
  {
    name: 'does nothing when nothing differs',
    input: update({}, [running]),
    action: 'noop',
    integrationId: CURRENT,
    steps: NOTHING,
  },
  {
    name: 'ignores properties that do not reach Genesys (removal policy)',
    input: update({ removalPolicy: 'retain' }, [running]),
    action: 'noop',
  },
  {
    name: 'updates the name in place',
    input: update({ name: 'renamed' }, [running], {}),
    action: 'update',
    integrationId: CURRENT,
    steps: IN_PLACE,
  },
  {
    name: 'updates the notes in place',
    input: update({ notes: 'new notes' }, [running]),
    action: 'update',
    steps: IN_PLACE,
  },
  {
    name: 'updates the topic filter in place',
    input: update({ topics: ['v2.routing.queues.{id}.users', 'v2.users.{id}.presence'] },
      [running]),
    action: 'update',
    steps: IN_PLACE,
  },
  {
    name: 'disables in place',
    input: update({ enabled: false }, [running]),
    action: 'update',
    steps: { ...NOTHING, setState: 'DISABLED' },
  },
  {
    name: 'enables in place and waits for ACTIVE and the source, which a disable kept',
    input: update({}, [integration({ id: CURRENT, settings: { enabled: false } })]),
    action: 'update',
    steps: { ...NOTHING, setState: 'ENABLED', awaitActive: true, awaitSource: true },
  },
  {
    name: 'activates an integration left in ERROR again, going through DISABLED',
    input: update({}, [integration({ id: CURRENT, intended: 'ENABLED', reported: 'ERROR' })]),
    action: 'update',
    steps: { ...NOTHING, restart: true, setState: 'ENABLED', awaitActive: true, awaitSource: true },
  },
  {
    name: 'writes the marker onto an integration that lacks it',
    input: update({}, [integration({ id: CURRENT, marker: null })]),
    action: 'update',
    steps: IN_PLACE,
  },
  {
    name: 'accepts a topic the catalog dropped when the integration already has it',
    input: update({ name: 'renamed', topics: ['v2.retired.{id}.topic'] },
      [integration({ id: CURRENT, settings: { topics: ['v2.retired.{id}.topic'] } })]),
    action: 'update',
  },
  {
    name: 'rejects a new topic that is not in the catalog, in place',
    input: update({ topics: ['v2.nope.{id}'] }, [running]),
    action: 'reject',
    problem: /"v2.nope.{id}" is not a notification topic/,
  },

  // Re-activation
  {
    name: 're-activates in place when the account changes',
    input: update({ accountId: '210987654321' }, [running]),
    action: 'reactivate',
    integrationId: CURRENT,
    steps: REACTIVATION,
  },
  {
    name: 're-activates in place when the region changes',
    input: update({ region: 'eu-west-1' }, [running]),
    action: 'reactivate',
    steps: REACTIVATION,
  },
  {
    name: 're-activates a disabled integration and disables it again after the new source exists',
    input: update({ region: 'eu-west-1', enabled: false },
      [integration({ id: CURRENT, settings: { enabled: false } })]),
    action: 'reactivate',
    steps: { ...REACTIVATION, disableAfter: true },
  },
  {
    name: 'resumes a re-activation that a previous attempt left half done',
    input: update({ region: 'eu-west-1' }, [integration({
      id: CURRENT,
      settings: { region: 'eu-west-1' },
      intended: 'DISABLED',
      reported: 'INACTIVE',
    })], { region: 'us-east-1' }),
    action: 'update',
    // Its new source was never created: the stack's bus needs it, so it is awaited.
    steps: { ...NOTHING, setState: 'ENABLED', awaitActive: true, awaitSource: true },
  },

  // Replacement
  {
    name: 'replaces the integration when the suffix changes (make-before-break)',
    input: update({ suffix: 'prod-v2' }, [running]),
    action: 'replace',
    steps: NEW_INTEGRATION,
  },
  {
    name: 'replaces a disabled integration with one that is disabled after its source exists',
    input: update({ suffix: 'prod-v2', enabled: false },
      [integration({ id: CURRENT, settings: { enabled: false } })]),
    action: 'replace',
    steps: { ...NEW_INTEGRATION, disableAfter: true },
  },
  {
    name: 're-activates in place with a warning when the organization has no room for a new one',
    input: update({ suffix: 'prod-v2' }, [running, ...strangers(9)]),
    action: 'reactivate',
    integrationId: CURRENT,
    steps: REACTIVATION,
    warning: /already has 10 EventBridge integrations.*events pause until the new partner event/,
  },
  {
    name: 'rejects a new suffix that another active integration uses',
    input: update({ suffix: 'taken' },
      [running, integration({ id: STRANGER, marker: null, settings: { suffix: 'taken' } })]),
    action: 'reject',
    problem: /eventSourceSuffix "taken" is already used/,
  },
  {
    name: 'creates a new integration when the current one no longer exists',
    input: update({}, []),
    action: 'replace',
    steps: NEW_INTEGRATION,
  },
  {
    name: 'rejects the re-creation of a vanished integration when the organization is full',
    input: update({}, strangers(10)),
    action: 'reject',
    problem: /allows at most 10/,
  },

  // Rollback: old and new properties swapped
  {
    name: 'rolls back a replacement by adopting the previous generation CloudFormation still tracks',
    input: update({ suffix: 'prod' }, [
      integration({ id: PREVIOUS_GENERATION, settings: { suffix: 'prod' } }),
      integration({ id: CURRENT, settings: { suffix: 'prod-v2' } }),
    ], { suffix: 'prod-v2' }),
    action: 'adopt',
    integrationId: PREVIOUS_GENERATION,
    steps: { ...NOTHING, newPhysicalId: true },
  },
  {
    name: 'rolls back an in-place update by writing the old settings again',
    input: update({ topics: ['v2.users.{id}.presence'] }, [integration({
      id: CURRENT,
      settings: { topics: ['v2.routing.queues.{id}.users'] },
    })], { topics: ['v2.routing.queues.{id}.users'] }),
    action: 'update',
    steps: IN_PLACE,
  },
  {
    name: 'rolls back a re-activation by re-activating with the old region',
    input: update({ region: 'us-east-1' }, [integration({
      id: CURRENT,
      settings: { region: 'eu-west-1' },
      reported: 'ERROR',
    })], { region: 'eu-west-1' }),
    action: 'reactivate',
    steps: REACTIVATION,
  },
  {
    name: 'rolls back an update that failed before writing anything as a no-op',
    input: update({}, [running], { region: 'eu-west-1' }),
    action: 'noop',
  },
  {
    name: 'rolls back an org-full in-place suffix change in place',
    input: update({ suffix: 'prod' },
      [integration({ id: CURRENT, settings: { suffix: 'prod-v2' } }), ...strangers(9)],
      { suffix: 'prod-v2' }),
    action: 'reactivate',
    integrationId: CURRENT,
    warning: /re-activates integration 1111.* in place/,
  },
  {
    name: 'falls back to the old properties when Genesys returned no configuration',
    input: update({ name: 'renamed' }, [integration({ id: CURRENT, noConfig: true })], {}),
    action: 'update',
    steps: IN_PLACE,
  },

  // Delete
  {
    name: 'deletes the integration',
    input: removal(CURRENT, 'delete'),
    action: 'delete',
    integrationId: CURRENT,
  },
  {
    name: 'retains the integration when the removal policy says so',
    input: removal(CURRENT, 'retain'),
    action: 'retain',
    integrationId: CURRENT,
  },
  {
    name: 'skips a physical id that never was a Genesys integration (failed Create)',
    input: removal('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', 'delete'),
    action: 'skip',
  },
  {
    name: 'skips a request id used as physical id',
    input: removal('not-a-uuid', 'delete'),
    action: 'skip',
  },
];

describe('plan', () => {
  test.each(ROWS)('$name', (row) => {
    const decision = plan(row.input);

    expect(decision.action).toBe(row.action);
    if (row.integrationId) expect(decision.integrationId).toBe(row.integrationId);
    if (row.steps) expect(decision.steps).toEqual({ ...NOTHING, ...row.steps });
    if (row.problem) expect(decision.problems?.join('\n')).toMatch(row.problem);
    if (row.warning) expect(decision.warning).toMatch(row.warning);
    else expect(decision.warning).toBeUndefined();
    if (row.action === 'reject') expect(decision.steps).toEqual(NOTHING);
  });

  test('reports every problem of a rejected request at once', () => {
    const topics = ['v2.nope.{id}', 'v2.users.{id}.conversations.calls'];

    const decision = plan(create({ topics }, strangers(10)));


    expect(decision.problems).toHaveLength(3);
  });

  test('names the settings that changed', () => {
    const decision = plan(update({ suffix: 'prod-v2', name: 'renamed' }, [running]));

    expect(decision.changes).toEqual(['suffix', 'name']);
  });

  test('refuses to plan a Create without the organization state', () => {
    expect(() => plan({ requestType: 'Create', desired: DESIRED, marker: MARKER }))
      .toThrow(/organization state/);
  });
});

describe('what an Update must read', () => {
  const PRESENCE = 'v2.users.{id}.presence';
  const QUEUE_USERS = 'v2.routing.queues.{id}.users';
  const desired = (settings: Partial<IntegrationSettings>) => ({ ...DESIRED, ...settings });

  test('needs only its own integration while the suffix stays', () => {
    expect(needsWholeOrganization(running, desired({ topics: [QUEUE_USERS], name: 'x' })))
      .toBe(false);
  });

  test('needs the whole organization when the suffix changes or the integration is gone', () => {
    expect(needsWholeOrganization(running, desired({ suffix: 'prod-v2' }))).toBe(true);
    expect(needsWholeOrganization(undefined, desired({}))).toBe(true);
  });

  test('takes the suffix from the old properties when Genesys returned no configuration', () => {
    const bare = integration({ id: CURRENT, noConfig: true });

    expect(needsWholeOrganization(bare, desired({}), desired({}))).toBe(false);
    expect(needsWholeOrganization(bare, desired({}), desired({ suffix: 'old' }))).toBe(true);
  });

  test('verifies only the topics the integration does not send yet', () => {
    expect(topicsToVerify(running, desired({ topics: [QUEUE_USERS, PRESENCE] })))
      .toEqual([QUEUE_USERS]);
    expect(topicsToVerify(running, desired({ topics: [] }))).toEqual([]);
    expect(topicsToVerify(undefined, desired({ topics: [QUEUE_USERS, PRESENCE] })))
      .toEqual([QUEUE_USERS, PRESENCE]);
  });

  /** The Update's own integration, without the organization and without the catalog. */
  function alone(input: PlanInput, current: Integration): PlanInput {
    return { ...input, org: { integrations: [current], onlyCurrent: true, topics: [] } };
  }

  test('decides a topic removal from its own integration and no catalog', () => {
    const both = integration({ id: CURRENT, settings: { topics: [PRESENCE, QUEUE_USERS] } });

    const decision = plan(alone(update({ topics: [PRESENCE] }, [both]), both));

    expect(decision.action).toBe('update');
    expect(decision.changes).toEqual(['topics']);
    expect(decision.steps).toEqual(IN_PLACE);
  });

  test('refuses to decide a suffix change from the Update\'s own integration alone', () => {
    const input = alone(update({ suffix: 'prod-v2' }, [running]), running);

    expect(() => plan(input)).toThrow(/a suffix change must be decided against every/);
  });
});

describe('ownership marker', () => {
  test('sits on its own line after the user notes and is found again', () => {
    const notes = notesWithMarker('line one\nline two', MARKER);

    expect(notes).toBe(`line one\nline two\n${MARKER}`);
    expect(markerOf(notes)).toBe(MARKER);
    expect(userNotesOf(notes)).toBe('line one\nline two');
  });

  test('is the whole notes when the user gave none', () => {
    expect(notesWithMarker('', MARKER)).toBe(MARKER);
    expect(userNotesOf(MARKER)).toBe('');
  });

  test('names the stack and the logical id', () => {
    expect(MARKER).toBe(`managed by cdk-genesys-eventbridge: ${STACK}/Integration`);
  });
});

describe('pendingName', () => {
  test('is stable for a resource and a suffix, and differs across them', () => {
    expect(pendingName(MARKER, 'prod')).toBe(pendingName(MARKER, 'prod'));
    expect(pendingName(MARKER, 'prod')).toMatch(/^cdk-genesys-eventbridge pending [0-9a-f]{16}$/);
    expect(pendingName(MARKER, 'prod-v2')).not.toBe(pendingName(MARKER, 'prod'));
    expect(pendingName(OTHER_MARKER, 'prod')).not.toBe(pendingName(MARKER, 'prod'));
  });
});

describe('isIntegrationId', () => {
  test.each([
    [CURRENT, true],
    ['AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (value, expected) => {
    expect(isIntegrationId(value)).toBe(expected);
  });
});

describe('checkTopicsAvailable', () => {
  test('accepts a topic without transport information', () => {
    expect(checkTopicsAvailable(['v2.x.{id}'], [{ id: 'v2.x.{id}' }])).toEqual([]);
  });
});
