/**
 * Drives a lifecycle handler the way the aws-cdk-lib custom-resources Provider framework does,
 * in-process: onEvent once (an error fails the request), then isComplete at once and again every
 * query interval until it answers IsComplete: true. The framework's waiter retries every error of
 * isComplete too (its Retry covers States.ALL), so a throwing isComplete is polled again, not
 * failed; only the total timeout ends the wait.
 */
import { randomUUID } from 'node:crypto';
import type { LambdaContext } from '../lib/lifecycle/handler';
import { lambdaContext } from '../test/support/provider-flow';

/** The two entry points of a lifecycle handler. */
export interface LifecycleHandler {
  onEvent(event: Record<string, unknown>,
    context: LambdaContext): Promise<Record<string, unknown> | undefined>;
  isComplete(event: Record<string, unknown>, context: LambdaContext): Promise<IsCompleteAnswer>;
}


/** What isComplete answers. */
export interface IsCompleteAnswer {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, unknown>;
}

/** One CloudFormation request, without the fields the loop fills in. */
export interface LifecycleRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  readonly PhysicalResourceId?: string;
  readonly LogicalResourceId?: string;
}

/** How the loop waits. */
export interface LoopOptions {
  /** The Provider's queryInterval. */
  readonly queryIntervalMs: number;
  /** The Provider's totalTimeout. */
  readonly totalTimeoutMs: number;
  /** The Lambda timeout of the onEvent function: a longer invocation fails like in Lambda. */
  readonly onEventTimeoutMs: number;
  /** The Lambda timeout of the isComplete function. */
  readonly isCompleteTimeoutMs: number;
}

/** One invocation of a handler entry point. */
export interface Invocation {
  readonly entry: 'onEvent' | 'isComplete';
  readonly startedAt: number;
  readonly endedAt: number;
  /** isComplete only: what it answered. */
  readonly complete?: boolean;
  /** The error message, when it threw. */
  readonly error?: string;
}

/** What became of one request. */
export interface LifecycleOutcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
  readonly physicalResourceId?: string;
  readonly data: Record<string, unknown>;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly invocations: Invocation[];
}

/** The stack every request of the benchmarks belongs to. */
export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/genesys-bench/' +
  '0f3c2f30-0000-4000-8000-000000000001';

/** Sends one request through the handler as the Provider framework would. */
export async function runRequest(
  handler: LifecycleHandler,
  request: LifecycleRequest,
  options: LoopOptions,
): Promise<LifecycleOutcome> {
  const startedAt = Date.now();
  const invocations: Invocation[] = [];
  const cfnRequest: Record<string, unknown> = {
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:genesys-bench-provider',
    // The framework answers CloudFormation itself; the user handler never calls this URL.
    ResponseURL: 'https://cloudformation-custom-resource-response.invalid/never-called',
    StackId: STACK_ID,
    RequestId: randomUUID(),
    LogicalResourceId: request.LogicalResourceId ?? 'Integration',
    ResourceType: 'Custom::GenesysEventBridgeIntegration',
    ...request,
  };
  const failed = (reason: string, physicalResourceId?: string): LifecycleOutcome => ({
    status: 'FAILED',
    reason,
    physicalResourceId,
    data: {},
    startedAt,
    endedAt: Date.now(),
    invocations,
  });

  let onEventResult: Record<string, unknown> | undefined;
  const t0 = Date.now();
  try {
    onEventResult = await withTimeout(
      handler.onEvent({ ...cfnRequest }, lambdaContext(options.onEventTimeoutMs)),
      options.onEventTimeoutMs);
    invocations.push({ entry: 'onEvent', startedAt: t0, endedAt: Date.now() });
  } catch (error) {
    const endedAt = Date.now();
    invocations.push({ entry: 'onEvent', startedAt: t0, endedAt, error: message(error) });
    return failed(`onEvent: ${message(error)}`, request.PhysicalResourceId);
  }

  // Without a PhysicalResourceId the framework keeps the old one, or uses the RequestId on Create.
  const physicalResourceId = (onEventResult?.PhysicalResourceId as string | undefined)
    ?? (request.RequestType === 'Create'
      ? cfnRequest.RequestId as string
      : request.PhysicalResourceId);
  const resourceEvent: Record<string, unknown> =
    { ...cfnRequest, ...onEventResult, PhysicalResourceId: physicalResourceId };
  const deadline = startedAt + options.totalTimeoutMs;
  let lastError: string | undefined;
  for (;;) {
    const t = Date.now();
    try {
      const answer = await withTimeout(handler.isComplete({ ...resourceEvent },
        lambdaContext(options.isCompleteTimeoutMs)),
      options.isCompleteTimeoutMs);
      const endedAt = Date.now();
      invocations.push({ entry: 'isComplete', startedAt: t, endedAt, complete: answer.IsComplete });
      if (answer.IsComplete) {
        const before = resourceEvent.Data as Record<string, unknown> | undefined;
        const data = { ...before, ...answer.Data };
        return { status: 'SUCCESS', physicalResourceId, data, startedAt, endedAt, invocations };
      }
    } catch (error) {
      lastError = message(error);
      const endedAt = Date.now();
      invocations.push({ entry: 'isComplete', startedAt: t, endedAt, error: lastError });
    }
    if (Date.now() + options.queryIntervalMs > deadline) {
      return failed(`timed out after ${options.totalTimeoutMs} ms` +
        (lastError ? ` (last isComplete error: ${lastError})` : ''), physicalResourceId);
    }
    await new Promise((resolve) => setTimeout(resolve, options.queryIntervalMs));
  }
}

/** Lambda ends an invocation at its timeout; the answer is lost even if the work goes on. */
async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Task timed out after ${timeoutMs / 1000} seconds`)),
      timeoutMs);
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The message of an error, without the Genesys contextIds it may quote: they differ on every run
 * and would make two reports of the same behaviour differ.
 */
function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\(contextId [^)]*\)/g, '');
}
