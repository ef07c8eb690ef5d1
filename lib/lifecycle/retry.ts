/**
 * The retry policy of the Genesys client: capped exponential backoff with full jitter, or the
 * Retry-After an answer asks for, bounded by a number of attempts and by a total time budget.
 */

/** How often and for how long a call is retried. */
export interface RetryOptions {
  /**
   * Attempts in total, the first one included. Ten attempts that each wait a Retry-After of 5 s
   * ride out a rate limit of 45 s, well within the budget.
   * @default 10
   */
  readonly maxAttempts?: number;
  /** Ceiling of the first backoff; it doubles with every attempt. @default 500 */
  readonly baseDelayMs?: number;
  /** Upper bound of one backoff (a Retry-After is waited in full, however long). @default 20000 */
  readonly maxDelayMs?: number;
  /** Time budget of one call, all attempts and waits included. @default 120000 */
  readonly budgetMs?: number;
}

/** The defaults of `RetryOptions`. */
export const DEFAULT_RETRY: Readonly<Required<RetryOptions>> = {
  maxAttempts: 10,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  budgetMs: 120_000,
};

/** Fills in the defaults and refuses values that would never retry sensibly. */
export function resolveRetryOptions(options: RetryOptions = {}): Required<RetryOptions> {
  const resolved = { ...DEFAULT_RETRY, ...stripUndefined(options) };
  for (const [key, value] of Object.entries(resolved)) {
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new Error(`retry.${key} must be a number of at least 0, got ${JSON.stringify(value)}`);
    }
  }
  if (resolved.maxAttempts < 1) {
    throw new Error(`retry.maxAttempts must be at least 1, got ${resolved.maxAttempts}`);
  }
  return resolved;
}

/**
 * The wait before the attempt after `attempt` (1-based): a uniform draw between 0 and
 * `min(maxDelayMs, baseDelayMs * 2^(attempt-1))`. Full jitter spreads the retries of many
 * concurrent deployments instead of having them hit the rate limit together again.
 */
export function backoffDelayMs(attempt: number, options: Required<RetryOptions>,
  random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The wait after an answer that asked for `askedMs`: exactly that, plus a jitter of up to a
 * tenth of it (one second at most), so that the functions of one deployment that were refused
 * together do not all come back in the same millisecond. Genesys has said when it will take the
 * call again, so the exponential backoff does not add to it: that would only hold the deployment
 * up after the rate limit has passed.
 */
export function retryAfterDelayMs(askedMs: number, random: () => number): number {
  return askedMs + Math.floor(random() * Math.min(1000, askedMs / 10));
}

/**
 * A Retry-After header in milliseconds: whole seconds, or an HTTP date relative to `now`.
 * Returns undefined when the header is absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
