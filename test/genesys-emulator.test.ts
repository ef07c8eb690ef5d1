import * as fs from 'node:fs';
import {
  ACTIVATION_ERRORS,
  DEFAULT_ORGANIZATION_ID,
  GenesysEmulator,
  InMemoryPartnerSide,
} from './support/genesys-emulator';
import type { EmulatorOptions, RecordedRequest } from './support/genesys-emulator';
import {
  SCHEMA_PATH, SHARED_SCHEMA_PATH, schemaErrors, trafficProblems,
} from './support/genesys-schema';
import { clearGenesysTokenCache, GenesysClient } from '../lib/lifecycle/genesys-client';
import type { Integration, IntegrationConfiguration } from '../lib/lifecycle/genesys-models';

/** A raw HTTP caller, so that these tests check the emulator without the client under test. */
class RawCaller {
  token = '';
  constructor(private readonly emulator: GenesysEmulator) {}

  async login(id = 'emulator-client', secret = 'emulator-secret'): Promise<Response> {
    const res = await fetch(`${this.emulator.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'authorization': `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    if (res.status === 200) this.token = ((await res.clone().json()) as any).access_token;
    return res;
  }

  async call(method: string, path: string, body?: unknown): Promise<{
    status: number;
    body: any;
    headers: Headers;
  }> {
    const res = await fetch(`${this.emulator.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  async ok(method: string, path: string, body?: unknown): Promise<any> {
    const res = await this.call(method, path, body);
    if (res.status !== 200) {
      throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    return res.body;
  }

  async create(name: string): Promise<Integration> {
    return this.ok('POST', '/api/v2/integrations',
      { name, integrationType: { id: 'amazon-eventbridge-source' } });
  }

  async configure(id: string, properties: Record<string, unknown>): Promise<IntegrationConfiguration> {
    const current = await this.ok('GET', `/api/v2/integrations/${id}/config/current`);
    return this.ok('PUT', `/api/v2/integrations/${id}/config/current`,
      { ...current, properties });
  }

  async setState(id: string, intendedState: string): Promise<Integration> {
    return this.ok('PATCH', `/api/v2/integrations/${id}`, { intendedState });
  }
}

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

function props(suffix: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    awsAccountId: ACCOUNT,
    awsAccountRegion: 'us-east-1',
    eventSourceSuffix: suffix,
    eventFilter: ['v2.users.{id}.presence'],
    ...overrides,
  };
}

let emulator: GenesysEmulator;
let partner: InMemoryPartnerSide;
let api: RawCaller;

async function startEmulator(options: EmulatorOptions = {}): Promise<void> {
  partner = new InMemoryPartnerSide();
  emulator = await GenesysEmulator.start({
    activationDelayMs: 5,
    propagationDelayMs: 5,
    partnerSide: partner,
    ...options,
  });
  api = new RawCaller(emulator);
  await api.login();
}

async function reported(id: string): Promise<string | undefined> {
  return (await api.ok('GET', `/api/v2/integrations/${id}`)).reportedState?.code;
}

/** Creates, configures and enables an integration, then waits until its source exists. */
async function activate(name: string, properties: Record<string, unknown>): Promise<Integration> {
  const created = await api.create(name);
  await api.configure(created.id!, properties);
  await api.setState(created.id!, 'ENABLED');
  await emulator.idle();
  return created;
}

afterEach(async () => {
  await emulator?.stop();
});

describe('OAuth', () => {
  beforeEach(() => startEmulator());

  test('issues a bearer token for a known client', async () => {
    const res = await api.login();
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 86400 });
  });

  test('refuses a wrong secret with 401 and an ErrorBody', async () => {
    const res = await api.login('emulator-client', 'wrong');
    const body = await res.json();
    expect(res.status).toBe(401);
    expect(schemaErrors('ErrorBody', body)).toEqual([]);
    expect(body).toMatchObject({ status: 401, code: 'bad.credentials', contextId: expect.any(String) });
  });

  test('answers 401 to API calls without a valid token, and after expireTokens()', async () => {
    expect((await api.call('GET', '/api/v2/organizations/me')).status).toBe(200);
    emulator.expireTokens();
    const expired = await api.call('GET', '/api/v2/organizations/me');
    expect(expired.status).toBe(401);
    expect(schemaErrors('ErrorBody', expired.body)).toEqual([]);
    await api.login();
    expect((await api.call('GET', '/api/v2/organizations/me')).status).toBe(200);
  });

  test('lets tokens expire after their lifetime', async () => {
    await emulator.stop();
    await startEmulator({ tokenLifetimeSeconds: 0.02 });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect((await api.call('GET', '/api/v2/organizations/me')).status).toBe(401);
  });

  test('never records the secret or the token in the request log', async () => {
    await api.call('GET', '/api/v2/organizations/me');
    const log = JSON.stringify(emulator.requests);
    expect(log).not.toContain('emulator-secret');
    expect(log).not.toContain(api.token);
    expect(emulator.requests[0]).toMatchObject({ method: 'POST', path: '/oauth/token', status: 200 });
    expect(emulator.apiCalls().map((r) => r.path)).toEqual(['/api/v2/organizations/me']);
  });
});

describe('read-only calls', () => {
  beforeEach(() => startEmulator());

  test('answers the organization', async () => {
    const org = await api.ok('GET', '/api/v2/organizations/me');
    expect(org.id).toBe(DEFAULT_ORGANIZATION_ID);
    expect(emulator.partnerSourceName('prod'))
      .toBe(`aws.partner/genesys.com/cloud/${DEFAULT_ORGANIZATION_ID}/prod`);
  });

  test('lists topics with their transports only when expanded', async () => {
    const expanded = await api.ok('GET', '/api/v2/notifications/availabletopics?expand=transports');
    const plain = await api.ok('GET', '/api/v2/notifications/availabletopics');
    expect(schemaErrors('AvailableTopicEntityListing', expanded)).toEqual([]);
    const presence = expanded.entities.find((t: any) => t.id === 'v2.users.{id}.presence');
    const calls = expanded.entities.find((t: any) => t.id === 'v2.users.{id}.conversations.calls');
    expect(presence.transports).toEqual(['EventBridge', 'Websocket']);
    expect(calls.transports).toEqual(['Websocket']);
    expect(plain.entities.every((t: any) => t.transports === undefined)).toBe(true);
  });

  test('serves a custom topic catalog', async () => {
    await emulator.stop();
    await startEmulator({ topics: [{ id: 'v2.a.{id}.b', transports: ['All'] }] });
    const listing = await api.ok('GET', '/api/v2/notifications/availabletopics?expand=transports');
    expect(listing).toEqual({ entities: [{ id: 'v2.a.{id}.b', transports: ['All'] }] });
  });

  test('answers 404 with an ErrorBody on unknown routes', async () => {
    const res = await api.call('GET', '/api/v2/nothing');
    expect(res.status).toBe(404);
    expect(schemaErrors('ErrorBody', res.body)).toEqual([]);
  });
});

describe('integrations CRUD', () => {
  beforeEach(() => startEmulator());

  test('creates an integration DISABLED and INACTIVE with an empty version-1 config', async () => {
    const created = await api.create('orders');
    expect(schemaErrors('Integration', created)).toEqual([]);
    expect(created).toMatchObject({
      name: 'orders',
      integrationType: { id: 'amazon-eventbridge-source' },
      intendedState: 'DISABLED',
      reportedState: { code: 'INACTIVE' },
    });
    const config = await api.ok('GET', `/api/v2/integrations/${created.id}/config/current`);
    expect(schemaErrors('IntegrationConfiguration', config)).toEqual([]);
    expect(config).toMatchObject({
      name: 'orders',
      version: 1,
      properties: {},
      advanced: {},
      notes: '',
      credentials: {},
    });
  });

  test('refuses an integration of another type', async () => {
    const res = await api.call('POST', '/api/v2/integrations',
      { name: 'x', integrationType: { id: 'purecloud-data-actions' } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('purecloud-data-actions');
  });

  test('refuses the eleventh EventBridge integration with a 400 ErrorBody', async () => {
    for (let i = 0; i < 10; i++) await api.create(`i${i}`);
    const res = await api.call('POST', '/api/v2/integrations',
      { name: 'one too many', integrationType: { id: 'amazon-eventbridge-source' } });
    expect(res.status).toBe(400);
    expect(schemaErrors('ErrorBody', res.body)).toEqual([]);
    expect(res.body).toMatchObject({ status: 400, limit: { value: 10 } });
    expect(emulator.integrations()).toHaveLength(10);
  });

  test('counts only EventBridge integrations against the limit', async () => {
    await emulator.stop();
    await startEmulator({
      maxIntegrations: 1,
      otherIntegrations: [{ name: 'web', typeId: 'purecloud-data-actions' }],
    });
    await api.create('only');
    expect((await api.call('POST', '/api/v2/integrations',
      { name: 'second', integrationType: { id: 'amazon-eventbridge-source' } })).status).toBe(400);
  });

  test('pages the list and expands config.current on demand', async () => {
    for (let i = 0; i < 7; i++) await api.create(`i${i}`);
    const page1 = await api.ok('GET',
      '/api/v2/integrations?pageSize=3&pageNumber=1&expand=config.current');
    const page3 = await api.ok('GET', '/api/v2/integrations?pageSize=3&pageNumber=3');
    expect(schemaErrors('IntegrationEntityListing', page1)).toEqual([]);
    expect(page1).toMatchObject({ pageSize: 3, pageNumber: 1, total: 7, pageCount: 3 });
    expect(page1.nextUri).toBe('/api/v2/integrations?pageSize=3&pageNumber=2&expand=config.current');
    expect(page1.entities[0].config.current.version).toBe(1);
    expect(page3.entities.map((i: any) => i.name)).toEqual(['i6']);
    expect(page3.entities[0].config).toBeUndefined();
    expect(page3.nextUri).toBeUndefined();
  });

  test('answers 404 for an unknown integration, on read and on delete', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await api.call(method, '/api/v2/integrations/no-such-id');
      expect(res.status).toBe(404);
      expect(schemaErrors('ErrorBody', res.body)).toEqual([]);
    }
  });

  test('deletes an integration', async () => {
    const created = await api.create('gone');
    await api.ok('DELETE', `/api/v2/integrations/${created.id}`);
    expect(emulator.integrations()).toEqual([]);
    expect((await api.call('GET', `/api/v2/integrations/${created.id}`)).status).toBe(404);
  });
});

describe('config versions', () => {
  beforeEach(() => startEmulator());

  test('increments the version on every PUT', async () => {
    const { id } = await api.create('v');
    const second = await api.configure(id!, props('a'));
    const third = await api.configure(id!, props('b'));
    expect([second.version, third.version]).toEqual([2, 3]);
    expect(schemaErrors('IntegrationConfiguration', third)).toEqual([]);
  });

  test('refuses a stale version with 409 and code conflict', async () => {
    const { id } = await api.create('v');
    const stale = await api.ok('GET', `/api/v2/integrations/${id}/config/current`);
    await api.configure(id!, props('a'));
    const res = await api.call('PUT', `/api/v2/integrations/${id}/config/current`,
      { ...stale, properties: props('b') });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'conflict', status: 409 });
    expect(schemaErrors('ErrorBody', res.body)).toEqual([]);
    const properties = emulator.integrations()[0].config!.current!.properties as any;
    expect(properties.eventSourceSuffix).toBe('a');
  });

  test('can refuse a stale version with a 400 that says the version does not match', async () => {
    await emulator.stop();
    await startEmulator({ staleVersionStatus: 400 });
    const { id } = await api.create('v');
    const current = await api.ok('GET', `/api/v2/integrations/${id}/config/current`);
    const res = await api.call('PUT', `/api/v2/integrations/${id}/config/current`,
      { ...current, version: 7 });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/version .* does not match/);
  });

  test('refuses a config without its required fields', async () => {
    const { id } = await api.create('v');
    const res = await api.call('PUT', `/api/v2/integrations/${id}/config/current`,
      { version: 1, properties: {} });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('name');
  });
});

describe('activation state machine', () => {
  beforeEach(() => startEmulator());

  test('goes ACTIVATING, then ACTIVE, then creates the partner source in the account and region',
    async () => {
      const { id } = await api.create('prod');
      await api.configure(id!, props('prod', { awsAccountRegion: 'eu-west-1' }));
      const patched = await api.setState(id!, 'ENABLED');
      expect(patched).toMatchObject(
        { intendedState: 'ENABLED', reportedState: { code: 'ACTIVATING' } });
      expect(partner.sources.size).toBe(0);

      await emulator.idle();
      expect(await reported(id!)).toBe('ACTIVE');
      expect(partner.find(emulator.partnerSourceName('prod')))
        .toEqual(
          { name: emulator.partnerSourceName('prod'), accountId: ACCOUNT, region: 'eu-west-1' });
      expect(emulator.partnerSourceOf(id!)?.region).toBe('eu-west-1');
    });

  test.each([
    ['an invalid account id', props('s', { awsAccountId: '1234' }),
      ACTIVATION_ERRORS.invalidAccountId('1234')],
    ['an invalid region', props('s', { awsAccountRegion: 'moon-1' }),
      ACTIVATION_ERRORS.invalidRegion('moon-1')],
    ['an empty config', {}, ACTIVATION_ERRORS.invalidAccountId(undefined)],
  ])('ends in ERROR for %s, with the reason in detail.message',
    async (_name, properties, message) => {
      const { id } = await api.create('bad');
      if (Object.keys(properties).length > 0) await api.configure(id!, properties);
      await api.setState(id!, 'ENABLED');
      await emulator.idle();
      const it = await api.ok('GET', `/api/v2/integrations/${id}`);
      expect(it).toMatchObject(
        { intendedState: 'ENABLED', reportedState: { code: 'ERROR', detail: { message } } });
      expect(schemaErrors('Integration', it)).toEqual([]);
      expect(partner.operations).toEqual([]);
    });

  test('ends in ERROR when another active integration uses the suffix', async () => {
    await activate('first', props('shared'));
    const second = await activate('second', props('shared', { awsAccountId: OTHER_ACCOUNT }));
    const it = emulator.integration(second.id!)!;
    expect(it.reportedState).toMatchObject({
      code: 'ERROR',
      detail: { message: ACTIVATION_ERRORS.suffixNotUnique('shared') },
    });
    expect(partner.operations.map((o) => o.op)).toEqual(['create']);
  });

  test('accepts a suffix that only a disabled integration uses', async () => {
    const first = await activate('first', props('shared'));
    await api.setState(first.id!, 'DISABLED');
    const second = await activate('second', props('shared'));
    expect(emulator.integration(second.id!)!.reportedState!.code).toBe('ACTIVE');
  });

  test('deactivates on an account, region or suffix change, and re-activation moves the source',
    async () => {
      for (const change of [{ awsAccountId: OTHER_ACCOUNT }, { awsAccountRegion: 'us-west-2' },
        { eventSourceSuffix: 'renamed' }]) {
        await emulator.stop();
        await startEmulator();
        const { id } = await activate('moving', props('orig'));
        const oldSource = emulator.partnerSourceOf(id!)!;

        await api.configure(id!, props('orig', change));
        expect(emulator.integration(id!)).toMatchObject(
          { intendedState: 'DISABLED', reportedState: { code: 'INACTIVE' } });
        expect(partner.find(oldSource.name)).toEqual(oldSource);

        await api.setState(id!, 'ENABLED');
        await emulator.idle();
        const newSource = emulator.partnerSourceOf(id!)!;
        expect(newSource).toMatchObject(change.eventSourceSuffix
          ? { name: emulator.partnerSourceName('renamed') } : change.awsAccountId
            ? { accountId: OTHER_ACCOUNT } : { region: 'us-west-2' });
        expect(partner.operations.map((o) => o.op)).toEqual(['create', 'delete', 'create']);
        expect(partner.operations[1].source).toEqual(oldSource);
        expect([...partner.sources.values()]).toEqual([newSource]);
      }
    });

  test('keeps the integration active when only the topic filter changes', async () => {
    const { id } = await activate('topics', props('t'));
    await api.configure(id!, props('t', { eventFilter: ['v2.users.{id}.activity'] }));
    expect(emulator.integration(id!)).toMatchObject(
      { intendedState: 'ENABLED', reportedState: { code: 'ACTIVE' } });
  });

  test('keeps the partner source when disabled, and reuses it when enabled again', async () => {
    const { id } = await activate('pause', props('p'));
    await api.setState(id!, 'DISABLED');
    expect(await reported(id!)).toBe('INACTIVE');
    await api.setState(id!, 'ENABLED');
    await emulator.idle();
    expect(await reported(id!)).toBe('ACTIVE');
    expect(partner.operations.map((o) => o.op)).toEqual(['create']);
    expect(partner.sources.size).toBe(1);
  });

  test('passes through DEACTIVATING when a deactivation delay is set', async () => {
    await emulator.stop();
    await startEmulator({ deactivationDelayMs: 5 });
    const { id } = await activate('slow', props('s'));
    expect((await api.setState(id!, 'DISABLED')).reportedState!.code).toBe('DEACTIVATING');
    await emulator.idle();
    expect(await reported(id!)).toBe('INACTIVE');
  });

  test('deletes the partner source when the integration is deleted', async () => {
    const { id } = await activate('bye', props('bye'));
    expect(partner.sources.size).toBe(1);
    await api.ok('DELETE', `/api/v2/integrations/${id}`);
    await emulator.idle();
    expect(partner.sources.size).toBe(0);
    expect(partner.operations.map((o) => o.op)).toEqual(['create', 'delete']);
  });

  test('never creates the source when the integration is deleted while activating', async () => {
    const { id } = await api.create('quick');
    await api.configure(id!, props('quick'));
    await api.setState(id!, 'ENABLED');
    await api.ok('DELETE', `/api/v2/integrations/${id}`);
    await emulator.idle();
    expect(partner.operations).toEqual([]);
  });

  test('cancels pending transitions on stop()', async () => {
    const { id } = await api.create('stopped');
    await api.configure(id!, props('stopped'));
    await api.setState(id!, 'ENABLED');
    await emulator.stop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(partner.operations).toEqual([]);
  });

  test('records partner side failures instead of crashing', async () => {
    const failing = new InMemoryPartnerSide();
    failing.createSource = async () => { throw new Error('moto is down'); };
    await emulator.stop();
    await startEmulator({ partnerSide: failing });
    const { id } = await activate('fails', props('f'));
    expect(emulator.partnerErrors.map((e) => e.message)).toEqual(['moto is down']);
    expect(emulator.partnerSourceOf(id!)).toBeUndefined();
  });
});

describe('publishing events', () => {
  beforeEach(() => startEmulator());

  test('sends the Genesys envelope of a filtered topic to the partner source', async () => {
    const { id } = await activate('events', props('ev'));
    await emulator.publish(id!, 'v2.users.{id}.presence',
      { presenceDefinition: { systemPresence: 'Available' } });
    await emulator.publish(id!, 'v2.users.{id}.activity', { ignored: true });
    expect(partner.events).toHaveLength(1);
    const [{ source, entry }] = partner.events;
    expect(source.name).toBe(emulator.partnerSourceName('ev'));
    expect(entry.detailType).toBe('v2.users.{id}.presence');
    expect(entry.detail).toMatchObject({
      topicName: expect.stringMatching(/^v2\.users\.[0-9a-f-]{36}\.presence$/),
      version: '2',
      eventBody: { presenceDefinition: { systemPresence: 'Available' } },
      metadata: { CorrelationId: expect.any(String) },
      timestamp: expect.any(String),
    });
  });

  test('refuses to publish through an integration without an active source', async () => {
    const { id } = await api.create('idle');
    await expect(emulator.publish(id!, 'v2.users.{id}.presence', {}))
      .rejects.toThrow(/no active partner/);
  });
});

describe('fault injection', () => {
  beforeEach(() => startEmulator());

  test('answers an injected status with Retry-After, for as many calls as asked', async () => {
    emulator.inject({
      fault: { kind: 'status', status: 429, retryAfterSeconds: 3 },
      match: { path: '/api/v2/organizations/me' },
      times: 2,
    });
    const first = await api.call('GET', '/api/v2/organizations/me');
    const second = await api.call('GET', '/api/v2/organizations/me');
    const third = await api.call('GET', '/api/v2/organizations/me');
    expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(schemaErrors('ErrorBody', first.body)).toEqual([]);
    expect(emulator.apiCalls().map((r) => r.fault)).toEqual(['status 429', 'status 429', undefined]);
  });

  test('matches by method and by path pattern', async () => {
    const { id } = await api.create('m');
    emulator.inject({
      fault: { kind: 'status', status: 503 },
      match: { method: 'put', path: /\/config\/current$/ },
      times: Infinity,
    });
    expect((await api.call('GET', `/api/v2/integrations/${id}/config/current`)).status).toBe(200);
    const put = await api.call('PUT', `/api/v2/integrations/${id}/config/current`,
      { name: 'm', version: 1, properties: {}, advanced: {}, notes: '', credentials: {} });
    expect(put.status).toBe(503);
    emulator.clearFaults();
    expect((await api.call('PUT', `/api/v2/integrations/${id}/config/current`,
      { name: 'm', version: 1, properties: {}, advanced: {}, notes: '', credentials: {} }))
      .status).toBe(200);
  });

  test('applies a windowed fault to every matching call inside the window only', async () => {
    emulator.inject({ fault: { kind: 'status', status: 500 }, untilMs: 40 });
    expect((await api.call('GET', '/api/v2/organizations/me')).status).toBe(500);
    expect((await api.call('GET', '/api/v2/organizations/me')).status).toBe(500);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await api.call('GET', '/api/v2/organizations/me')).status).toBe(200);
  });

  test('starts a windowed fault only at fromMs', async () => {
    emulator.inject({ fault: { kind: 'status', status: 500 }, fromMs: 30, times: 1 });
    expect((await api.call('GET', '/api/v2/organizations/me')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect((await api.call('GET', '/api/v2/organizations/me')).status).toBe(500);
  });

  test('resets the connection without touching the state', async () => {
    emulator.inject(
      { fault: { kind: 'reset' }, match: { method: 'POST', path: '/api/v2/integrations' } });
    await expect(api.call('POST', '/api/v2/integrations',
      { name: 'r', integrationType: { id: 'amazon-eventbridge-source' } })).rejects.toThrow();
    expect(emulator.integrations()).toEqual([]);
    expect(emulator.apiCalls()[0]).toMatchObject({ status: 0, fault: 'reset' });
  });

  test('delays an answer and still carries the call out', async () => {
    emulator.inject({ fault: { kind: 'delay', ms: 30 } });
    const started = Date.now();
    await api.create('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(emulator.apiCalls()[0]).toMatchObject({ status: 200, fault: 'delay 30ms' });
    expect(emulator.integrations()).toHaveLength(1);
  });

  test('refuses the next config PUT as a stale version', async () => {
    const { id } = await api.create('c');
    emulator.inject({ fault: { kind: 'versionConflict' } });
    const current = await api.ok('GET', `/api/v2/integrations/${id}/config/current`);
    const res = await api.call('PUT', `/api/v2/integrations/${id}/config/current`, current);
    expect(res.status).toBe(409);
    const retried = await api.call('PUT', `/api/v2/integrations/${id}/config/current`, current);
    expect(retried.status).toBe(200);
  });

  test('ends the next activation in an injected error', async () => {
    emulator.inject({ fault: { kind: 'activationError', message: 'Genesys is unhappy' } });
    const { id } = await activate('e', props('e'));
    expect(emulator.integration(id!)!.reportedState).toMatchObject(
      { code: 'ERROR', detail: { message: 'Genesys is unhappy' } });
  });

  test('reaches ACTIVE without ever creating the source', async () => {
    emulator.inject({ fault: { kind: 'noPartnerSource' } });
    const { id } = await activate('n', props('n'));
    expect(emulator.integration(id!)!.reportedState!.code).toBe('ACTIVE');
    expect(partner.operations).toEqual([]);
  });
});

describe('schema conformance of the client and the emulator together', () => {
  beforeEach(() => startEmulator());

  test('the client sends bodies the schema accepts, and the emulator answers them validly',
    async () => {
      clearGenesysTokenCache();
      const genesys = new GenesysClient({
        endpoints: { apiBaseUrl: emulator.url, loginBaseUrl: emulator.url },
        clientId: 'emulator-client',
        clientSecret: 'emulator-secret',
      });
      const created = await genesys.createIntegration('schema');
      const config = await genesys.getConfig(created.id!);
      const written = await genesys.putConfig(created.id!,
        { ...config, properties: props('schema') });
      const enabled = await genesys.setIntendedState(created.id!, 'ENABLED');
      const listed = await api.ok('GET', '/api/v2/integrations?expand=config.current');

      const bodyOf = (method: string) => emulator.apiCalls().find((r) => r.method === method)!.body;
      expect(schemaErrors('CreateIntegrationRequest', bodyOf('POST'))).toEqual([]);
      expect(schemaErrors('IntegrationConfiguration', bodyOf('PUT'))).toEqual([]);
      expect(schemaErrors('Integration', bodyOf('PATCH'))).toEqual([]);
      for (const [model, body] of [['Integration', created], ['IntegrationConfiguration', config],
        ['IntegrationConfiguration', written], ['Integration', enabled],
        ['IntegrationEntityListing', listed]] as const) {
        expect(schemaErrors(model, body)).toEqual([]);
      }
      clearGenesysTokenCache();
    });
});

describe('the schema copy', () => {
  // The shared reference lies beside the clone on the project's machines and in CI; a clone
  // checked out on its own has only its copy, and says loudly that it compared nothing.
  test('matches the shared reference schema beside the repository', () => {
    const repoCopy = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8'));
    expect(Object.keys(repoCopy.definitions)).toEqual(expect.arrayContaining(
      ['Integration', 'IntegrationEntityListing', 'IntegrationConfiguration', 'ErrorBody']));
    if (!fs.existsSync(SHARED_SCHEMA_PATH)) {
      process.stderr.write(`WARNING: ${SHARED_SCHEMA_PATH} is missing: the schema copy in the ` +
        'repository was not compared with the shared reference\n');
      return;
    }
    expect(repoCopy).toEqual(JSON.parse(fs.readFileSync(SHARED_SCHEMA_PATH, 'utf8')));
  });

  test('flags traffic with a property its model does not name, in a request or an answer', () => {
    const call = (over: Partial<RecordedRequest>): RecordedRequest => ({
      method: 'GET',
      path: '/api/v2/integrations/abc',
      query: {},
      body: undefined,
      status: 200,
      startedAt: 0,
      durationMs: 1,
      ...over,
    });
    const integration = { id: 'abc', name: 'x', intendedState: 'ENABLED' };
    expect(trafficProblems([call({ response: integration })])).toEqual([]);
    expect(trafficProblems([call({ response: { ...integration, madeUp: 1 } })]))
      .toEqual([expect.stringMatching(/^GET \/api\/v2\/integrations\/abc answer 200: .*additional/)]);
    expect(trafficProblems([call({
      method: 'POST',
      path: '/api/v2/integrations',
      body: { name: 'x', integrationType: { id: 'amazon-eventbridge-source' }, extra: true },
    })])).toEqual([expect.stringMatching(/^POST \/api\/v2\/integrations request: /)]);
    expect(trafficProblems([call({ status: 404, response: { message: 'gone', status: 'x' } })]))
      .toEqual([expect.stringMatching(/answer 404: ErrorBody/)]);
  });

  test('rejects a body that breaks the schema, so that conformance checks can fail', () => {
    expect(schemaErrors('IntegrationConfiguration', { name: 'x', version: '1' })).not.toEqual([]);
    expect(schemaErrors('Integration', { intendedState: 'ON' })).not.toEqual([]);
  });
});
