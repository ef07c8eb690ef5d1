import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GenesysEmulator } from './support/genesys-emulator';
import type { EmulatorOptions } from './support/genesys-emulator';
import {
  clearGenesysTokenCache,
  GenesysApiError,
  GenesysAuthError,
  GenesysClient,
  GenesysConflictError,
  GenesysNetworkError,
  GenesysNotFoundError,
  GenesysRateLimitError,
} from '../lib/lifecycle/genesys-client';
import type { GenesysClientOptions } from '../lib/lifecycle/genesys-client';
import {
  backoffDelayMs,
  DEFAULT_RETRY,
  resolveRetryOptions,
  retryAfterMs,
} from '../lib/lifecycle/retry';

const SECRET = 'emulator-secret';

let emulator: GenesysEmulator;
let logs: string[];
let clock: number;
let waits: number[];

async function startEmulator(options: EmulatorOptions = {}): Promise<void> {
  emulator = await GenesysEmulator.start({ activationDelayMs: 5, propagationDelayMs: 5, ...options });
}

/** A client on a fake clock: sleeping only advances the clock and records the wait. */
/** A plain HTTP server on a free loopback port. */
async function listening(handler: http.RequestListener):
Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function client(overrides: Partial<GenesysClientOptions> = {}): GenesysClient {
  return new GenesysClient({
    endpoints: { apiBaseUrl: emulator.url, loginBaseUrl: emulator.url },
    clientId: 'emulator-client',
    clientSecret: SECRET,
    logger: (message, data) => logs.push(JSON.stringify({ message, ...data })),
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    ...overrides,
  });
}

function tokenCalls(): number {
  return emulator.requests.filter((r) => r.path === '/oauth/token').length;
}

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('the call succeeded, but a failure was expected');
}

beforeEach(async () => {
  clearGenesysTokenCache();
  logs = [];
  clock = 1_000_000;
  waits = [];
  await startEmulator();
});

afterEach(async () => {
  await emulator.stop();
});

describe('typed calls', () => {
  test('reads the organization', async () => {
    expect(await client().getOrganization()).toMatchObject({ id: emulator.organizationId });
  });

  test('reads the organization once per OAuth client, until the caches are cleared', async () => {
    const orgReads = () => emulator.apiCalls()
      .filter((r) => r.path === '/api/v2/organizations/me').length;
    await client().getOrganization();
    expect((await client().getOrganization()).id).toBe(emulator.organizationId);
    expect(orgReads()).toBe(1);

    clearGenesysTokenCache();
    await client().getOrganization();
    expect(orgReads()).toBe(2);
  });

  test('keeps the organizations of different OAuth clients apart', async () => {
    await emulator.stop();
    await startEmulator({ clients: { 'emulator-client': SECRET, 'second-client': 'second-secret' } });
    const orgReads = () => emulator.apiCalls()
      .filter((r) => r.path === '/api/v2/organizations/me').length;
    await client().getOrganization();
    await client({ clientId: 'second-client', clientSecret: 'second-secret' }).getOrganization();
    expect(orgReads()).toBe(2);
  });

  test('does not keep an organization it failed to read', async () => {
    emulator.inject({ fault: { kind: 'status', status: 500 }, times: Infinity });
    await rejection(client({ retry: { maxAttempts: 1 } }).getOrganization());
    emulator.clearFaults();
    expect((await client().getOrganization()).id).toBe(emulator.organizationId);
  });

  test('lists the topics with their transports', async () => {
    const topics = await client().listAvailableTopics();
    expect(topics.find((t) => t.id === 'v2.users.{id}.presence')?.transports).toContain('EventBridge');
    expect(emulator.apiCalls()[0].query).toEqual({ expand: 'transports' });
  });

  test('creates, configures, enables, disables and deletes an integration', async () => {
    const genesys = client();
    const created = await genesys.createIntegration('orders');
    const config = await genesys.getConfig(created.id!);
    const written = await genesys.putConfig(created.id!, {
      ...config,
      properties: {
        awsAccountId: '123456789012',
        awsAccountRegion: 'us-east-1',
        eventSourceSuffix: 'orders',
        eventFilter: ['v2.users.{id}.presence'],
      },
    });
    expect(written.version).toBe(2);
    expect((await genesys.setIntendedState(created.id!, 'ENABLED')).reportedState?.code)
      .toBe('ACTIVATING');
    await emulator.idle();
    const read = await genesys.getIntegration(created.id!);
    expect(read).toMatchObject({
      intendedState: 'ENABLED',
      reportedState: { code: 'ACTIVE' },
      config: { current: { version: 2 } },
    });
    expect((await genesys.setIntendedState(created.id!, 'DISABLED')).intendedState).toBe('DISABLED');
    await genesys.deleteIntegration(created.id!);
    expect(emulator.integrations()).toEqual([]);
  });

  test('reads every page of the list and keeps only EventBridge integrations', async () => {
    await emulator.stop();
    await startEmulator({
      otherIntegrations: Array.from({ length: 230 },
        (_, i) => ({ name: `other-${i}`, typeId: 'purecloud-data-actions' })),
    });
    const genesys = client();
    for (const name of ['a', 'b', 'c']) await genesys.createIntegration(name);

    const found = await genesys.listEventBridgeIntegrations();
    expect(found.map((i) => i.name)).toEqual(['a', 'b', 'c']);
    expect(found.every((i) => i.config?.current?.version === 1)).toBe(true);
    expect(emulator.apiCalls().filter((r) => r.method === 'GET').map((r) => r.query)).toEqual(
      [1, 2, 3].map((n) => ({ pageSize: '100', pageNumber: String(n), expand: 'config.current' })));
  });

  test('reads an empty organization with a single call', async () => {
    expect(await client().listEventBridgeIntegrations()).toEqual([]);
    expect(emulator.apiCalls()).toHaveLength(1);
  });

  test('encodes the integration id into the path', async () => {
    const err = await rejection(client().getConfig('../../organizations/me'));
    expect(err).toBeInstanceOf(GenesysNotFoundError);
    expect(emulator.apiCalls()[0].path)
      .toBe('/api/v2/integrations/..%2F..%2Forganizations%2Fme/config/current');
  });
});

describe('OAuth tokens', () => {
  test('reuses one token across client instances', async () => {
    await client().getOrganization();
    await client().getOrganization();
    await client().listAvailableTopics();
    expect(tokenCalls()).toBe(1);
  });

  test('shares one token request between concurrent calls', async () => {
    const genesys = client();
    await Promise.all([genesys.getOrganization(), genesys.listAvailableTopics(),
      genesys.getOrganization()]);
    expect(tokenCalls()).toBe(1);
  });

  test('asks for a new token after clearGenesysTokenCache()', async () => {
    await client().getOrganization();
    clearGenesysTokenCache();
    await client().getOrganization();
    expect(tokenCalls()).toBe(2);
  });

  test('renews a token shortly before it expires', async () => {
    await emulator.stop();
    await startEmulator({ tokenLifetimeSeconds: 100 });
    await client().listAvailableTopics();
    clock += 89_000;
    await client().listAvailableTopics();
    expect(tokenCalls()).toBe(1);
    clock += 2_000;
    await client().listAvailableTopics();
    expect(tokenCalls()).toBe(2);
  });

  test('keeps tokens of different secrets apart', async () => {
    await emulator.stop();
    await startEmulator({ clients: { 'emulator-client': SECRET } });
    await client().getOrganization();
    const err = await rejection(client({ clientSecret: 'rotated-away' }).getOrganization());
    expect(err).toBeInstanceOf(GenesysAuthError);
  });

  test('drops a refused token, fetches a new one once and retries the call', async () => {
    const genesys = client();
    await genesys.getOrganization();
    emulator.expireTokens();
    expect((await genesys.listAvailableTopics()).length).toBeGreaterThan(0);
    expect(tokenCalls()).toBe(2);
    expect(emulator.apiCalls().map((r) => r.status)).toEqual([200, 401, 200]);
  });

  test('gives up with GenesysAuthError when the new token is refused too', async () => {
    emulator.inject({
      fault: { kind: 'status', status: 401, message: 'Invalid login credentials.' },
      match: { path: '/api/v2/organizations/me' },
      times: 5,
    });
    const err = await rejection(client().getOrganization());
    expect(err).toBeInstanceOf(GenesysAuthError);
    expect(err.status).toBe(401);
    expect(tokenCalls()).toBe(2);
    expect(emulator.apiCalls()).toHaveLength(2);
  });

  test('refuses a wrong secret with GenesysAuthError, without retrying', async () => {
    const err = await rejection(client({ clientSecret: 'not-the-secret' }).getOrganization());
    expect(err).toBeInstanceOf(GenesysAuthError);
    expect(err).toMatchObject({ method: 'POST', path: '/oauth/token', status: 401 });
    expect(err.message).toMatch(/^Genesys POST \/oauth\/token answered 401: /);
    expect(err.message).not.toContain('not-the-secret');
    expect(tokenCalls()).toBe(1);
    expect(emulator.apiCalls()).toEqual([]);
  });

  test('retries the token endpoint when it is unavailable', async () => {
    emulator.inject({ fault: { kind: 'status', status: 503 }, match: { path: '/oauth/token' } });
    await client().getOrganization();
    expect(emulator.requests.map((r) => [r.path, r.status])).toEqual(
      [['/oauth/token', 503], ['/oauth/token', 200], ['/api/v2/organizations/me', 200]]);
  });
});

describe('retries', () => {
  const ORG = { path: '/api/v2/organizations/me' };

  test('waits at least the Retry-After of a 429 before retrying', async () => {
    emulator.inject(
      { fault: { kind: 'status', status: 429, retryAfterSeconds: 7 }, match: ORG, times: 2 });
    await client({ random: () => 0 }).getOrganization();
    expect(waits).toEqual([7000, 7000]);
    expect(emulator.apiCalls().map((r) => r.status)).toEqual([429, 429, 200]);
  });

  test('waits the Retry-After and a jitter of at most a tenth of it, not the backoff', async () => {
    emulator.inject(
      { fault: { kind: 'status', status: 429, retryAfterSeconds: 1 }, match: ORG, times: 4 });
    await client({ random: () => 0.99, retry: { baseDelayMs: 1000 } }).getOrganization();
    expect(waits).toEqual([1099, 1099, 1099, 1099]);
  });

  test('caps the jitter after a Retry-After at one second', async () => {
    emulator.inject(
      { fault: { kind: 'status', status: 429, retryAfterSeconds: 40 }, match: ORG, times: 1 });
    await client({ random: () => 0.99 }).getOrganization();
    expect(waits).toEqual([40_990]);
  });

  test('falls back to the backoff after a 429 without Retry-After', async () => {
    emulator.inject({ fault: { kind: 'status', status: 429 }, match: ORG, times: 3 });
    await client({ random: () => 0.99, retry: { baseDelayMs: 1000 } }).getOrganization();
    expect(waits).toEqual([990, 1980, 3960]);
  });

  test('retries 500 and 503 with a growing capped backoff', async () => {
    emulator.inject({ fault: { kind: 'status', status: 500 }, match: ORG });
    emulator.inject({ fault: { kind: 'status', status: 503 }, match: ORG });
    await client().getOrganization();
    expect(emulator.apiCalls().map((r) => r.status)).toEqual([500, 503, 200]);
    expect(waits).toEqual([250, 500]);
  });

  test('retries a connection reset', async () => {
    emulator.inject({ fault: { kind: 'reset' }, match: ORG });
    expect((await client().getOrganization()).id).toBe(emulator.organizationId);
    expect(emulator.apiCalls().map((r) => r.fault)).toEqual(['reset', undefined]);
  });

  test('abandons an attempt after the request timeout and retries', async () => {
    emulator.inject({ fault: { kind: 'delay', ms: 300 }, match: ORG });
    await client({ requestTimeoutMs: 40 }).getOrganization();
    expect(emulator.apiCalls()).toHaveLength(2);
    expect(logs.some((l) => l.includes('"error":"timeout after 40 ms"'))).toBe(true);
  });

  test('does not retry other 4xx answers', async () => {
    emulator.inject({ fault: { kind: 'status', status: 400, message: 'Bad field.' }, match: ORG });
    const err = await rejection(client().getOrganization());
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err.status).toBe(400);
    expect(emulator.apiCalls()).toHaveLength(1);
  });

  test('rides out half a minute of 429s with Retry-After 5 by default, never early', async () => {
    emulator.inject({ fault: { kind: 'status', status: 429, retryAfterSeconds: 5 }, times: 6 });

    await client({ random: () => 0.5 }).getOrganization();

    expect(DEFAULT_RETRY.maxAttempts).toBeGreaterThanOrEqual(7);
    expect(waits).toEqual([5250, 5250, 5250, 5250, 5250, 5250]);
    expect(emulator.requests.map((r) => r.status))
      .toEqual([429, 429, 429, 429, 429, 429, 200, 200]);
  });

  test('gives up with GenesysRateLimitError when the budget runs out', async () => {
    emulator.inject({
      fault: { kind: 'status', status: 429, retryAfterSeconds: 30 },
      match: ORG,
      times: Infinity,
    });
    const err = await rejection(client({ retry: { budgetMs: 60_000 } }).getOrganization());
    expect(err).toBeInstanceOf(GenesysRateLimitError);
    expect(err).toMatchObject({ status: 429, attempts: 2, retryAfterMs: 30_000 });
    expect(waits).toEqual([30_500]);
  });

  test('gives up with GenesysApiError after the last attempt of a 5xx', async () => {
    emulator.inject({ fault: { kind: 'status', status: 503 }, match: ORG, times: Infinity });
    const err = await rejection(client({ retry: { maxAttempts: 3 } }).getOrganization());
    expect(err.constructor).toBe(GenesysApiError);
    expect(err).toMatchObject({ status: 503, attempts: 3 });
    expect(emulator.apiCalls()).toHaveLength(3);
  });

  test('gives up with GenesysNetworkError after repeated resets', async () => {
    emulator.inject({ fault: { kind: 'reset' }, match: ORG, times: Infinity });
    const err = await rejection(client({ retry: { maxAttempts: 3 } }).getOrganization());
    expect(err).toBeInstanceOf(GenesysNetworkError);
    expect(err).toMatchObject({ status: 0, attempts: 3, method: 'GET', path: ORG.path });
    expect(err.reason).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    expect(err.message)
      .toMatch(/^Genesys GET \/api\/v2\/organizations\/me got no answer after 3 attempts/);
  });

  test('gives up with GenesysNetworkError after repeated timeouts', async () => {
    emulator.inject({ fault: { kind: 'delay', ms: 500 }, match: ORG, times: Infinity });
    const err = await rejection(client({ requestTimeoutMs: 30, retry: { maxAttempts: 2 } })
      .getOrganization());
    expect(err).toBeInstanceOf(GenesysNetworkError);
    expect(err.reason).toBe('timeout after 30 ms');
  });
});

describe('uncertain writes', () => {
  test('records write attempts that got no clear answer, and neither reads nor 429s', async () => {
    const genesys = client({ requestTimeoutMs: 50 });
    const integrations = { method: 'POST', path: '/api/v2/integrations' };
    emulator.inject({ fault: { kind: 'status', status: 503 }, match: integrations });
    const { id } = await genesys.createIntegration('x');
    const path = `/api/v2/integrations/${id}`;
    emulator.inject({ fault: { kind: 'reset' }, match: { method: 'PATCH' } });
    emulator.inject({ fault: { kind: 'status', status: 429 }, match: { method: 'PATCH' } });
    emulator.inject({ fault: { kind: 'status', status: 500 }, match: { method: 'GET' } });

    await genesys.setIntendedState(id!, 'DISABLED');
    await genesys.getIntegration(id!);

    expect(genesys.uncertainWrites).toEqual([
      { call: 'POST /api/v2/integrations', status: 503, durationMs: expect.any(Number) },
      { call: `PATCH ${path}`, status: 0, durationMs: expect.any(Number) },
    ]);
  });

  test('records nothing when every write is answered clearly', async () => {
    const genesys = client();
    const { id } = await genesys.createIntegration('x');
    await genesys.deleteIntegration(id!);

    expect(genesys.uncertainWrites).toEqual([]);
  });
});

describe('named errors', () => {
  test('throws GenesysNotFoundError with the call, the status and the contextId', async () => {
    const err = await rejection(client().getIntegration('missing'));
    expect(err).toBeInstanceOf(GenesysNotFoundError);
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err).toMatchObject({
      name: 'GenesysNotFoundError',
      method: 'GET',
      path: '/api/v2/integrations/missing?expand=config.current',
      status: 404,
      code: 'not.found',
      genesysMessage: 'Integration missing was not found.',
      contextId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(err.message).toBe('Genesys GET /api/v2/integrations/missing?expand=config.current ' +
      `answered 404: Integration missing was not found. (contextId ${err.contextId}).`);
  });

  test('throws GenesysNotFoundError when deleting an unknown integration', async () => {
    const err = await rejection(client().deleteIntegration('missing'));
    expect(err).toBeInstanceOf(GenesysNotFoundError);
    expect(err.method).toBe('DELETE');
  });

  test('throws GenesysConflictError for a stale version (409)', async () => {
    const genesys = client();
    const { id } = await genesys.createIntegration('x');
    const stale = await genesys.getConfig(id!);
    await genesys.putConfig(id!, { ...stale, notes: 'first' });
    const err = await rejection(genesys.putConfig(id!, { ...stale, notes: 'second' }));
    expect(err).toBeInstanceOf(GenesysConflictError);
    expect(err).toMatchObject({
      method: 'PUT',
      path: `/api/v2/integrations/${id}/config/current`,
      status: 409,
      code: 'conflict',
    });
    expect(err.message.startsWith(
      `Genesys PUT /api/v2/integrations/${id}/config/current answered 409: `)).toBe(true);
  });

  test('throws GenesysConflictError for a 400 that says the version does not match', async () => {
    await emulator.stop();
    await startEmulator({ staleVersionStatus: 400 });
    const genesys = client();
    const { id } = await genesys.createIntegration('x');
    const config = await genesys.getConfig(id!);
    const err = await rejection(genesys.putConfig(id!, { ...config, version: 9 }));
    expect(err).toBeInstanceOf(GenesysConflictError);
    expect(err.status).toBe(400);
  });

  test('throws GenesysAuthError with a permission hint on 403', async () => {
    emulator.inject({
      fault: { kind: 'status', status: 403, message: 'Missing permission.' },
      match: { method: 'POST', path: '/api/v2/integrations' },
    });
    const err = await rejection(client().createIntegration('x'));
    expect(err).toBeInstanceOf(GenesysAuthError);
    expect(err.message).toContain('integrations:integration:add');
  });

  test('throws a plain GenesysApiError for the integration limit, without retrying', async () => {
    await emulator.stop();
    await startEmulator({ maxIntegrations: 1 });
    await client().createIntegration('one');
    const err = await rejection(client().createIntegration('two'));
    expect(err.constructor).toBe(GenesysApiError);
    expect(err).toMatchObject({ status: 400, method: 'POST', path: '/api/v2/integrations' });
    expect(emulator.apiCalls()).toHaveLength(2);
  });

  test('does not follow a redirect, so the token never reaches where it points', async () => {
    // The API answers every call with a redirect to a second server, which records what it gets.
    const reached: http.IncomingHttpHeaders[] = [];
    const elsewhere = await listening((req, res) => {
      reached.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"elsewhere"}');
    });
    const redirecting = await listening((req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}${req.url}` }).end();
    });
    try {
      const err = await rejection(client({
        endpoints: { apiBaseUrl: redirecting.url, loginBaseUrl: emulator.url },
      }).getOrganization());

      expect(err).toBeInstanceOf(GenesysApiError);
      expect(err.status).toBe(302);
      expect(err.message).toContain('Redirects are not followed');
      expect(reached).toEqual([]);
    } finally {
      await Promise.all([elsewhere.close(), redirecting.close()]);
    }
  });
});

describe('secrets', () => {
  test('never writes the secret or a token into a log line or an error message', async () => {
    const genesys = client();
    await genesys.getOrganization();
    emulator.expireTokens();
    await genesys.listAvailableTopics();
    emulator.inject({
      fault: {
        kind: 'status',
        status: 500,
        message: `echo ${SECRET} ${emulator.issuedTokens().join(' ')}`,
      },
      times: Infinity,
    });
    const err = await rejection(client({ retry: { maxAttempts: 2 } }).listAvailableTopics());
    emulator.clearFaults();
    const wrong = await rejection(client({ clientSecret: 'other-secret' }).getOrganization());

    const tokens = emulator.issuedTokens();
    expect(tokens).toHaveLength(2);
    for (const text of [...logs, err.message, JSON.stringify(err), wrong.message]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('other-secret');
      for (const token of tokens) expect(text).not.toContain(token);
    }
    expect(err.message).toContain('[redacted]');
  });

  test('logs each attempt with the call, the status, the attempt and the duration', async () => {
    emulator.inject(
      { fault: { kind: 'status', status: 503 }, match: { path: '/api/v2/organizations/me' } });
    await client().getOrganization();
    expect(logs.map((l) => JSON.parse(l))).toEqual([
      { message: 'genesys call', call: 'POST /oauth/token', status: 200, attempt: 1, durationMs: 0 },
      {
        message: 'genesys call',
        call: 'GET /api/v2/organizations/me',
        status: 503,
        attempt: 1,
        durationMs: 0,
        retryInMs: 250,
      },
      {
        message: 'genesys call',
        call: 'GET /api/v2/organizations/me',
        status: 200,
        attempt: 2,
        durationMs: 0,
      },
    ]);
  });

  test('sends credentials only to https endpoints, or http on this machine', () => {
    const options = { clientId: 'id', clientSecret: 's' };
    expect(() => new GenesysClient({
      ...options,
      endpoints: { apiBaseUrl: 'http://api.mypurecloud.com', loginBaseUrl: 'https://login.mypurecloud.com' },
    }))
      .toThrow(/endpoints.apiBaseUrl must use https .* got "http:\/\/api.mypurecloud.com"/);
    expect(() => new GenesysClient({
      ...options,
      endpoints: {
        apiBaseUrl: 'https://api.mypurecloud.com',
        loginBaseUrl: 'https://user:pw@login.example.com',
      },
    }))
      .toThrow(/endpoints.loginBaseUrl must carry no credentials/);
    expect(() => new GenesysClient({
      ...options,
      endpoints: { apiBaseUrl: 'https://api.mypurecloud.com/', loginBaseUrl: 'http://localhost:8080' },
    }))
      .not.toThrow();
  });
});

describe('retry policy', () => {
  test('draws the backoff between 0 and the capped exponential ceiling', () => {
    const options = resolveRetryOptions({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, options, () => 0.999)))
      .toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelayMs(3, options, () => 0)).toBe(0);
  });

  test('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
  });

  test('fills in defaults and refuses impossible values', () => {
    expect(resolveRetryOptions({ maxAttempts: undefined })).toEqual(DEFAULT_RETRY);
    expect(() => resolveRetryOptions({ maxAttempts: 0 }))
      .toThrow(/retry.maxAttempts must be at least 1, got 0/);
    expect(() => resolveRetryOptions({ budgetMs: -1 })).toThrow(/retry.budgetMs/);
  });
});
