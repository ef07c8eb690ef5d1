/**
 * A thin typed client of the Genesys Cloud Platform API over Node's global fetch: the OAuth
 * client-credentials grant with a token cache shared by warm Lambda invocations, retries with
 * backoff, and failures thrown as named errors that say which call failed and how.
 */
import { createHash } from 'node:crypto';
import type { GenesysEndpoints } from '../genesys-domains';
import { INTEGRATION_TYPE_ID } from '../rules';
import type {
  AvailableTopic,
  GenesysApi,
  Integration,
  IntegrationConfiguration,
  Organization,
  UncertainWrite,
} from './genesys-models';
import { backoffDelayMs, resolveRetryOptions, retryAfterDelayMs, retryAfterMs } from './retry';
import type { RetryOptions } from './retry';

export type { RetryOptions } from './retry';

/** Receives one structured log record per HTTP attempt; never given headers or tokens. */
export type GenesysLogger = (message: string, data: Record<string, unknown>) => void;

/** Options of `GenesysClient`. */
export interface GenesysClientOptions {
  /** Where the API and the OAuth server answer; credentials are sent nowhere else. */
  readonly endpoints: GenesysEndpoints;
  /** OAuth client id (client-credentials grant). */
  readonly clientId: string;
  /** OAuth client secret. */
  readonly clientSecret: string;
  /** Timeout of one HTTP attempt. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** Retry policy of 429, 5xx, resets and timeouts. @default - see DEFAULT_RETRY */
  readonly retry?: RetryOptions;
  /** Structured log of every attempt. @default - no logging */
  readonly logger?: GenesysLogger;
  /**
   * When every call must have ended, in ms on the `now` clock: a call's budget shrinks to the
   * time left, and a call with no time left fails at once with a GenesysNetworkError, without a
   * request. A Lambda function sets it before its own timeout, so that it fails in time to clean
   * up instead of being stopped half-way.
   * @default - none: every call has the whole retry budget
   */
  readonly deadline?: number;
  /** Waits between attempts (injectable for tests). @default - a setTimeout promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The clock of backoff, budget and token expiry, in ms. @default Date.now */
  readonly now?: () => number;
  /** Source of backoff jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** What a Genesys error carries besides its message. */
export interface GenesysErrorDetails {
  /** HTTP method of the failed call. */
  readonly method: string;
  /** Path (and query) of the failed call, e.g. `/api/v2/integrations/abc/config/current`. */
  readonly path: string;
  /** HTTP status of the last answer; 0 when no answer came. */
  readonly status: number;
  /** `message` of Genesys's ErrorBody (or the OAuth error description). */
  readonly genesysMessage?: string;
  /** `contextId` of the ErrorBody or the `inin-correlation-id` header, for Genesys support. */
  readonly contextId?: string;
  /** `code` of the ErrorBody, e.g. `conflict`. */
  readonly code?: string;
  /** How many attempts were made. */
  readonly attempts?: number;
}

/** A Genesys call that failed: names the call, its status and Genesys's own message. */
export class GenesysApiError extends Error {
  /** HTTP method of the failed call. */
  readonly method: string;
  /** Path (and query) of the failed call. */
  readonly path: string;
  /** HTTP status of the last answer; 0 when no answer came. */
  readonly status: number;
  /** `message` of Genesys's ErrorBody. */
  readonly genesysMessage?: string;
  /** `contextId` to quote to Genesys support. */
  readonly contextId?: string;
  /** `code` of the ErrorBody. */
  readonly code?: string;
  /** How many attempts were made. */
  readonly attempts: number;

  constructor(details: GenesysErrorDetails, hint?: string) {
    super(errorMessage(details, hint));
    // Set by hand: the bundle is minified, so constructor names are not reliable.
    this.name = 'GenesysApiError';
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.genesysMessage = details.genesysMessage;
    this.contextId = details.contextId;
    this.code = details.code;
    this.attempts = details.attempts ?? 1;
  }
}

/** 404: the integration (or route) does not exist. */
export class GenesysNotFoundError extends GenesysApiError {
  constructor(details: GenesysErrorDetails, hint?: string) {
    super(details, hint);
    this.name = 'GenesysNotFoundError';
  }
}

/** 409, or a 400 saying the version does not match: the config changed since it was read. */
export class GenesysConflictError extends GenesysApiError {
  constructor(details: GenesysErrorDetails, hint?: string) {
    super(details, hint ?? 'The configuration changed since it was read; read it again and retry.');
    this.name = 'GenesysConflictError';
  }
}

/** 401 or 403, from the API or the token endpoint: wrong credentials or missing permissions. */
export class GenesysAuthError extends GenesysApiError {
  constructor(details: GenesysErrorDetails, hint?: string) {
    super(details, hint ?? (details.status === 403
      ? 'The OAuth client lacks a permission: it needs integrations:integration:add, view, ' +
        'edit and delete.'
      : 'Check the OAuth client id and secret in the secret, and that the client uses the ' +
        'client-credentials grant in this Genesys Cloud region.'));
    this.name = 'GenesysAuthError';
  }
}

/** 429 after every retry: the organization's rate limit is exhausted. */
export class GenesysRateLimitError extends GenesysApiError {
  /** The last Retry-After Genesys asked for, in ms, if any. */
  readonly retryAfterMs?: number;

  constructor(details: GenesysErrorDetails & { readonly retryAfterMs?: number }, hint?: string) {
    super(details, hint ?? 'Genesys Cloud is rate limiting this OAuth client; retry the ' +
      'deployment later or use an OAuth client of its own.');
    this.name = 'GenesysRateLimitError';
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** No answer after every retry: timeouts or dropped connections. Its status is 0. */
export class GenesysNetworkError extends GenesysApiError {
  /** What went wrong on the last attempt, e.g. `timeout` or `ECONNRESET`. */
  readonly reason: string;

  constructor(details: GenesysErrorDetails & { readonly reason: string }, hint?: string) {
    super({ ...details, status: 0, genesysMessage: undefined },
      `${details.reason}. ${hint ?? 'Genesys Cloud could not be reached; check the endpoint ' +
        'and retry later.'}`);
    this.name = 'GenesysNetworkError';
    this.reason = details.reason;
  }
}

function errorMessage(details: GenesysErrorDetails, hint: string | undefined): string {
  const call = `Genesys ${details.method} ${details.path}`;
  const attempts = details.attempts && details.attempts > 1
    ? ` after ${details.attempts} attempts` : '';
  const hintText = hint ? ` ${hint}` : '';
  if (details.status === 0) return `${call} got no answer${attempts}: ${hint ?? 'network error'}`;
  const context = details.contextId ? ` (contextId ${details.contextId})` : '';
  const message = details.genesysMessage ?? 'no message';
  return `${call} answered ${details.status}${attempts}: ${message}${context}.${hintText}`;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Tokens by login URL, client id and a digest of the secret. Module level, so that warm Lambda
 * invocations reuse a token instead of asking for one on every event; the secret's digest in the
 * key makes a rotated secret obtain a token of its own.
 */
const tokenCache = new Map<string, CachedToken>();
const tokenRequests = new Map<string, Promise<CachedToken>>();

/**
 * Tokens obtained recently by any client of this module, newest last: scrubbed from any text
 * that came back from a server, in case an error message echoes one.
 */
const recentTokens: string[] = [];
const RECENT_TOKENS_KEPT = 16;

function rememberToken(token: string): void {
  if (recentTokens.includes(token)) return;
  recentTokens.push(token);
  if (recentTokens.length > RECENT_TOKENS_KEPT) recentTokens.shift();
}

/**
 * Organizations by API URL and the token cache's key. An OAuth client belongs to one organization
 * for its whole life, so a warm invocation names the partner source without asking again.
 */
const organizationCache = new Map<string, Organization>();

/** Forgets every cached token and organization (for tests, or after a credential rotation). */
export function clearGenesysTokenCache(): void {
  tokenCache.clear();
  organizationCache.clear();
  tokenRequests.clear();
  recentTokens.length = 0;
}

/** One HTTP answer, body already read. */
interface HttpAnswer {
  readonly kind: 'answer';
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Attempts it took to get this answer. */
  readonly attempts?: number;
}

/** An attempt that got no answer. */
interface NoAnswer {
  readonly kind: 'none';
  readonly reason: string;
}

interface CallSpec {
  readonly method: string;
  /** Path and query, as logged and reported. */
  readonly path: string;
  readonly url: string;
  readonly headers: () => Record<string, string>;
  readonly body?: string;
  /** A write of the API (not a read, not the token): attempts without a clear answer count. */
  readonly write?: boolean;
}

const LIST_PAGE_SIZE = 100;
/** A guard against a listing whose pageCount never ends. */
const MAX_LIST_PAGES = 1000;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Where the client sends credentials: https, or http only to this machine (an emulator). */
function baseUrlOf(value: string, property: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${property} must be an absolute URL, got ${JSON.stringify(value)}`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\./.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`${property} must use https (http only for a loopback test endpoint), ` +
      `got ${JSON.stringify(value)}`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new Error(`${property} must carry no credentials, query or fragment, ` +
      `got ${JSON.stringify(value)}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The Genesys Cloud calls of the lifecycle handler. */
export class GenesysClient implements GenesysApi {
  /** @inheritdoc */
  readonly uncertainWrites: UncertainWrite[] = [];

  private readonly apiBaseUrl: string;
  private readonly loginBaseUrl: string;
  private readonly clientId: string;
  private readonly clientSecret: string;
  private readonly cacheKey: string;
  private readonly requestTimeoutMs: number;
  private readonly retry: Required<RetryOptions>;
  private readonly deadline?: number;
  private readonly logger?: GenesysLogger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: GenesysClientOptions) {
    this.apiBaseUrl = baseUrlOf(options.endpoints.apiBaseUrl, 'endpoints.apiBaseUrl');
    this.loginBaseUrl = baseUrlOf(options.endpoints.loginBaseUrl, 'endpoints.loginBaseUrl');
    if (!options.clientId) throw new Error('clientId must not be empty');
    if (!options.clientSecret) throw new Error('clientSecret must not be empty');
    this.clientId = options.clientId;
    this.clientSecret = options.clientSecret;
    const digest = createHash('sha256').update(options.clientSecret).digest('hex').slice(0, 16);
    this.cacheKey = `${this.loginBaseUrl}\n${options.clientId}\n${digest}`;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.retry = resolveRetryOptions(options.retry);
    this.deadline = options.deadline;
    this.logger = options.logger;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** @inheritdoc */
  async getOrganization(): Promise<Organization> {
    const key = `${this.apiBaseUrl}\n${this.cacheKey}`;
    const cached = organizationCache.get(key);
    if (cached) return cached;
    const organization = await this.api<Organization>('GET', '/api/v2/organizations/me');
    if (organization.id) organizationCache.set(key, organization);
    return organization;
  }

  /** @inheritdoc */
  async listAvailableTopics(): Promise<AvailableTopic[]> {
    const listing = await this.api<{ entities?: AvailableTopic[] }>('GET',
      '/api/v2/notifications/availabletopics?expand=transports');
    return listing.entities ?? [];
  }

  /** @inheritdoc */
  async listEventBridgeIntegrations(): Promise<Integration[]> {
    const found: Integration[] = [];
    for (let page = 1; page <= MAX_LIST_PAGES; page++) {
      const listing = await this.api<{ entities?: Integration[]; pageCount?: number }>('GET',
        `/api/v2/integrations?pageSize=${LIST_PAGE_SIZE}&pageNumber=${page}&expand=config.current`);
      const entities = listing.entities ?? [];
      found.push(...entities.filter((i) => i.integrationType?.id === INTEGRATION_TYPE_ID));
      if (entities.length === 0 || page >= (listing.pageCount ?? 1)) break;
    }
    return found;
  }

  /** `GET /api/v2/integrations/{id}?expand=config.current` */
  async getIntegration(id: string): Promise<Integration> {
    return this.api<Integration>('GET', `${integrationPath(id)}?expand=config.current`);
  }

  /** @inheritdoc */
  async createIntegration(name: string): Promise<Integration> {
    return this.api<Integration>('POST', '/api/v2/integrations',
      { name, integrationType: { id: INTEGRATION_TYPE_ID } });
  }

  /** @inheritdoc */
  async getConfig(id: string): Promise<IntegrationConfiguration> {
    return this.api<IntegrationConfiguration>('GET', `${integrationPath(id)}/config/current`);
  }

  /** @inheritdoc */
  async putConfig(id: string, config: IntegrationConfiguration): Promise<IntegrationConfiguration> {
    const path = `${integrationPath(id)}/config/current`;
    return this.api<IntegrationConfiguration>('PUT', path, config);
  }

  /** @inheritdoc */
  async setIntendedState(id: string, state: 'ENABLED' | 'DISABLED'): Promise<Integration> {
    return this.api<Integration>('PATCH', integrationPath(id), { intendedState: state });
  }

  /** @inheritdoc */
  async deleteIntegration(id: string): Promise<void> {
    await this.api<unknown>('DELETE', integrationPath(id));
  }

  // ---- calls -----------------------------------------------------------------------------------

  /** One API call with a bearer token; a 401 drops the token and tries once more with a new one. */
  private async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const call = (token: string): CallSpec => ({
      method,
      path,
      url: `${this.apiBaseUrl}${path}`,
      headers: () => ({
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      }),
      body: body === undefined ? undefined : JSON.stringify(body),
      write: method !== 'GET',
    });

    let token = await this.token();
    let answer = await this.withRetries(call(token));
    if (answer.status === 401) {
      this.dropToken(token);
      token = await this.token();
      answer = await this.withRetries(call(token));
    }
    if (answer.status >= 200 && answer.status < 300) return this.parse<T>(method, path, answer);
    throw this.errorOf(method, path, answer, answer.attempts ?? 1);
  }

  private async token(): Promise<string> {
    const cached = tokenCache.get(this.cacheKey);
    if (cached && cached.expiresAt > this.now()) return cached.token;
    // Concurrent calls of a cold start share one token request.
    let pending = tokenRequests.get(this.cacheKey);
    if (!pending) {
      pending = this.fetchToken().finally(() => tokenRequests.delete(this.cacheKey));
      tokenRequests.set(this.cacheKey, pending);
    }
    return (await pending).token;
  }

  private dropToken(token: string): void {
    if (tokenCache.get(this.cacheKey)?.token === token) tokenCache.delete(this.cacheKey);
  }

  private async fetchToken(): Promise<CachedToken> {
    const method = 'POST';
    const path = '/oauth/token';
    const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
    const answer = await this.withRetries({
      method,
      path,
      url: `${this.loginBaseUrl}${path}`,
      headers: () => ({
        'authorization': `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        'accept': 'application/json',
      }),
      body: 'grant_type=client_credentials',
    });
    if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
      throw new GenesysAuthError(this.detailsOf(method, path, answer, answer.attempts ?? 1));
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw this.errorOf(method, path, answer, answer.attempts ?? 1);
    }

    const obtainedAt = this.now();
    const body = this.parse<{ access_token?: unknown; expires_in?: unknown }>(method, path, answer);
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new GenesysAuthError({
        method,
        path,
        status: answer.status,
        genesysMessage: 'the answer carries no access_token',
      });
    }
    const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0
      ? body.expires_in : 3600) * 1000;
    // Renew a minute early, or a tenth early for short-lived tokens, so none expires in flight.
    const margin = Math.min(60_000, lifetimeMs / 10);
    const entry = { token: body.access_token, expiresAt: obtainedAt + lifetimeMs - margin };
    rememberToken(entry.token);
    tokenCache.set(this.cacheKey, entry);
    return entry;
  }

  /**
   * Runs a call until it gets an answer that is not worth retrying, or throws once attempts or
   * budget are spent: GenesysRateLimitError after 429s, GenesysApiError after 5xx,
   * GenesysNetworkError after timeouts and resets.
   */
  private async withRetries(call: CallSpec): Promise<HttpAnswer> {
    const started = this.now();
    const budgetMs = this.deadline === undefined
      ? this.retry.budgetMs
      : Math.min(this.retry.budgetMs, this.deadline - started);
    if (budgetMs <= 0) {
      this.log({ call: `${call.method} ${call.path}`, status: 0, attempt: 0, gaveUp: true });
      throw new GenesysNetworkError({
        method: call.method, path: call.path, status: 0, attempts: 0, reason: 'no time left',
      }, 'the function is about to time out, so the call was not made.');
    }
    for (let attempt = 1; ; attempt++) {
      const elapsed = this.now() - started;
      // AbortSignal.timeout takes whole milliseconds only.
      const timeoutMs = Math.max(1,
        Math.floor(Math.min(this.requestTimeoutMs, budgetMs - elapsed)));
      const attemptStart = this.now();
      const outcome = await this.once(call, timeoutMs);
      const log: Record<string, unknown> = {
        call: `${call.method} ${call.path}`,
        status: outcome.kind === 'answer' ? outcome.status : 0,
        attempt,
        durationMs: this.now() - attemptStart,
      };
      if (outcome.kind === 'none') log.error = outcome.reason;

      // A 429 is refused before any work; no answer or a server error may hide a done write.
      const unclear = outcome.kind === 'none' || outcome.status >= 500;
      if (unclear && call.write) {
        this.uncertainWrites.push({
          call: log.call as string,
          status: log.status as number,
          durationMs: log.durationMs as number,
        });
      }
      const retryable = outcome.kind === 'none' || outcome.status === 429 || outcome.status >= 500;
      if (!retryable) {
        this.log(log);
        return { ...outcome, attempts: attempt };
      }

      const asked = outcome.kind === 'answer'
        ? retryAfterMs(outcome.headers.get('retry-after'), this.now()) : undefined;
      // When Genesys says how long to wait, that wait (never shorter, even beyond the backoff
      // cap); otherwise the backoff.
      const delay = asked !== undefined
        ? retryAfterDelayMs(asked, this.random)
        : backoffDelayMs(attempt, this.retry, this.random);
      const spent = this.now() - started;
      if (attempt >= this.retry.maxAttempts || spent + delay >= budgetMs) {
        this.log({ ...log, gaveUp: true });
        throw this.exhausted(call, outcome, attempt, asked);
      }
      this.log({ ...log, retryInMs: delay });
      await this.sleep(delay);
    }
  }

  /** One HTTP attempt. Redirects are not followed, so credentials never leave the endpoint. */
  private async once(call: CallSpec, timeoutMs: number): Promise<HttpAnswer | NoAnswer> {
    try {
      const res = await fetch(call.url, {
        method: call.method,
        headers: call.headers(),
        body: call.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      return { kind: 'answer', status: res.status, headers: res.headers, text };
    } catch (err) {
      return { kind: 'none', reason: failureReason(err, timeoutMs) };
    }
  }

  private exhausted(call: CallSpec, outcome: HttpAnswer | NoAnswer, attempts: number,
    asked: number | undefined): GenesysApiError {
    if (outcome.kind === 'none') {
      return new GenesysNetworkError({
        method: call.method,
        path: call.path,
        status: 0,
        attempts,
        reason: outcome.reason,
      });
    }
    if (outcome.status === 429) {
      const details = this.detailsOf(call.method, call.path, outcome, attempts);
      return new GenesysRateLimitError({ ...details, retryAfterMs: asked });
    }
    return this.errorOf(call.method, call.path, outcome, attempts);
  }

  private parse<T>(method: string, path: string, answer: HttpAnswer): T {
    if (answer.text.trim() === '') return undefined as T;
    try {
      return JSON.parse(answer.text) as T;
    } catch {
      throw new GenesysApiError({
        method,
        path,
        status: answer.status,
        genesysMessage: 'the answer is not JSON',
        contextId: answer.headers.get('inin-correlation-id') ?? undefined,
      });
    }
  }

  private detailsOf(method: string, path: string, answer: HttpAnswer,
    attempts: number): GenesysErrorDetails {
    let body: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(answer.text);
      if (parsed && typeof parsed === 'object') body = parsed;
    } catch {
      // A proxy or load balancer may answer in HTML; the status still says enough.
    }
    const text = (key: string) => (typeof body[key] === 'string' ? body[key] as string : undefined);
    const message = text('message') ?? text('error_description') ?? text('description') ??
      text('error');
    return {
      method,
      path,
      status: answer.status,
      genesysMessage: message === undefined ? undefined : this.scrub(message),
      contextId: text('contextId') ?? answer.headers.get('inin-correlation-id') ?? undefined,
      code: text('code') ?? text('error'),
      attempts,
    };
  }

  private errorOf(method: string, path: string, answer: HttpAnswer, attempts: number):
  GenesysApiError {
    const details = this.detailsOf(method, path, answer, attempts);
    const status = answer.status;
    if (status === 404) return new GenesysNotFoundError(details);
    if (status === 409) return new GenesysConflictError(details);
    if (status === 400 && /version/i.test(details.genesysMessage ?? '') &&
      /(not match|mismatch)/i.test(details.genesysMessage ?? '')) {
      return new GenesysConflictError(details);
    }
    if (status === 401 || status === 403) return new GenesysAuthError(details);
    if (status === 429) return new GenesysRateLimitError(details);
    if (status >= 300 && status < 400) {
      return new GenesysApiError(details, 'Redirects are not followed, so that credentials ' +
        'stay with the configured endpoint; check the endpoint URL.');
    }
    return new GenesysApiError(details);
  }

  /** Replaces the secret and any token in a text that came from the server. */
  private scrub(text: string): string {
    let result = text;
    for (const secret of [this.clientSecret, ...recentTokens]) {
      if (secret) result = result.split(secret).join('[redacted]');
    }
    return result;
  }

  private log(data: Record<string, unknown>): void {
    this.logger?.('genesys call', data);
  }
}

function integrationPath(id: string): string {
  if (!id) throw new Error(`integration id must not be empty, got ${JSON.stringify(id)}`);
  return `/api/v2/integrations/${encodeURIComponent(id)}`;
}

/** A short reason for an attempt without an answer; never the request or its headers. */
function failureReason(err: unknown, timeoutMs: number): string {
  const error = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (error?.name === 'TimeoutError' || error?.cause?.name === 'TimeoutError') {
    return `timeout after ${timeoutMs} ms`;
  }
  return error?.cause?.code ?? error?.code ?? error?.name ?? 'network error';
}
