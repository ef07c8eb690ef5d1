/**
 * The HTTP plumbing of the Genesys Cloud emulator: answers, ErrorBody errors and body parsing.
 */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';

/** One answer of a route. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An error answer raised from a route; it becomes an ErrorBody. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string,
    readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

/** The ErrorBody `code` of each status. */
export const STATUS_CODES: Record<number, string> = {
  400: 'bad.request',
  401: 'bad.credentials',
  403: 'missing.permissions',
  404: 'not.found',
  405: 'method.not.allowed',
  409: 'conflict',
  429: 'too.many.requests',
  500: 'internal.server.error',
  502: 'bad.gateway',
  503: 'service.unavailable',
  504: 'gateway.timeout',
};

/** A 200 answer. */
export function ok(body: unknown): Answer {
  return { status: 200, body };
}

/** An answer with an ErrorBody and a fresh contextId. */
export function errorAnswer(status: number, code: string, message: string,
  extra: Record<string, unknown> = {}): Answer {
  return {
    status,
    body: {
      message,
      code,
      status,
      messageParams: {},
      contextId: randomUUID(),
      details: [],
      errors: [],
      ...extra,
    },
  };
}

/** A 404 error. */
export function notFound(message: string, entityId?: string): HttpError {
  return new HttpError(404, 'not.found', message, entityId ? { entityId } : {});
}

/** A 405 error. */
export function methodNotAllowed(method: string, path: string): HttpError {
  return new HttpError(405, 'method.not.allowed', `${method} is not supported on ${path}.`);
}

/** An integer query parameter, or the fallback when absent; 400 when not an integer. */
export function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw new HttpError(400, 'bad.request',
      `${name} must be an integer, got ${JSON.stringify(raw)}.`);
  }
  return value;
}

/** A JSON body, undefined when empty; 400 when not JSON. */
export function parseJson(raw: string): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'bad.request', 'The body is not valid JSON.');
  }
}

/** The whole request body as text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The body as the request log keeps it: parsed, with anything secret-looking replaced. */
export function recordedBody(raw: string, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if ((contentType ?? '').includes('application/x-www-form-urlencoded')) {
    const form = Object.fromEntries(new URLSearchParams(raw));
    for (const key of Object.keys(form)) {
      if (/secret|password|token|assertion/i.test(key)) form[key] = '[redacted]';
    }
    return form;
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
