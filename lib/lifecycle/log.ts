/**
 * Structured logs of the lifecycle handler: one JSON object per line, a short lowercase message,
 * the data in keys.
 *
 * Redaction works on two levels, because a leak is worse than a lost detail:
 * - by key: values under keys that name a credential (clientSecret, token, authorization,
 *   password, ResponseURL...) are replaced, at any depth;
 * - by value: every value registered with `registerSensitive` (the client secret once it is read,
 *   each access token) and anything that looks like a pre-signed URL or an HTTP credential is
 *   masked wherever it appears inside a string.
 */

/** Severity of a log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where finished lines go; tests replace it to read what would be logged. */
export type LogSink = (line: string) => void;

/** What replaces a redacted value. */
export const REDACTED = '[redacted]';

const SENSITIVE_KEY =
  /secret(?!arn|id|name)|token|authorization|passw(or)?d|credential|cookie|responseurl|signature/i;
/** Key names that match the pattern above but only ever hold harmless values. */
const HARMLESS_KEYS = new Set(['tokentype', 'token_type']);
/** A pre-signed URL (the CloudFormation ResponseURL is one) carries its credential in the query. */
const PRESIGNED_URL =
  /https?:\/\/[^\s"']*(X-Amz-(Signature|Credential|Security-Token)|Signature=|AWSAccessKeyId=)[^\s"']*/gi;
/** `Bearer <token>` and `Basic <credentials>` wherever an Authorization header leaks into text. */
const HTTP_CREDENTIAL = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
/** Values shorter than this are not masked by value: they would mask common words. */
const MIN_SENSITIVE_LENGTH = 4;

const sensitiveValues = new Set<string>();
let sink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** Masks this value wherever it appears in later log lines (a secret, a token). */
export function registerSensitive(value: string | undefined): void {
  if (value && value.length >= MIN_SENSITIVE_LENGTH) sensitiveValues.add(value);
}

/** Replaces the destination of log lines; returns the previous one so a test can restore it. */
export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

/** Masks registered values, pre-signed URLs and HTTP credentials inside a string. */
export function redactText(text: string): string {
  let result = text.replace(PRESIGNED_URL, REDACTED).replace(HTTP_CREDENTIAL, `$1 ${REDACTED}`);
  for (const value of sensitiveValues) {
    if (result.includes(value)) result = result.split(value).join(REDACTED);
  }
  return result;
}

/** A deep copy of a value with every credential masked, by key and by value. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[too deep]';
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message) };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const sensitive = SENSITIVE_KEY.test(key) && !HARMLESS_KEYS.has(key.toLowerCase());
      copy[key] = sensitive && item !== undefined ? REDACTED : redact(item, depth + 1);
    }
    return copy;
  }
  return value;
}

/** Context keys repeated on every line of one invocation. */
export interface LogContext {
  readonly requestType?: string;
  readonly logicalResourceId?: string;
  readonly requestId?: string;
  readonly integrationId?: string;
  readonly [key: string]: unknown;
}

/** Writes redacted JSON lines that carry a fixed context. */
export class Logger {
  constructor(private readonly context: LogContext = {}) {}

  /** A logger that adds these keys to every line. */
  public child(context: LogContext): Logger {
    return new Logger({ ...this.context, ...context });
  }

  /** Routine progress. */
  public info(message: string, data?: Record<string, unknown>): void {
    this.write('info', message, data);
  }

  /** Something the user should know about, that does not fail the deployment. */
  public warn(message: string, data?: Record<string, unknown>): void {
    this.write('warn', message, data);
  }

  /** A failure reported to CloudFormation. */
  public error(message: string, data?: Record<string, unknown>): void {
    this.write('error', message, data);
  }

  /** Detail that helps when reading a failed deployment afterwards (every Genesys call). */
  public debug(message: string, data?: Record<string, unknown>): void {
    this.write('debug', message, data);
  }

  private write(level: LogLevel, message: string, data?: Record<string, unknown>): void {
    const line = redact({
      timestamp: new Date().toISOString(),
      level,
      message: message.toLowerCase(),
      ...this.context,
      ...data,
    });
    sink(JSON.stringify(line));
  }
}
