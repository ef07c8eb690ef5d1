/**
 * The aws-cdk-lib custom-resources Provider framework, played by hand: CloudFormation events go
 * to the lifecycle handler's `onEvent`, then `isComplete` is polled until it says complete, the way
 * the framework's waiter state machine does. A `CloudFormationResource` adds what CloudFormation
 * itself does around one custom resource: the physical id it tracks, the Delete of a replaced
 * physical id after the update, the rollback of a failed update, the Delete after a failed Create.
 *
 * The framework rules reproduced here (aws-cdk-lib custom-resources, provider-framework/runtime):
 * - onEvent's PhysicalResourceId defaults to the RequestId on Create and to the current id on
 *   Update and Delete; a Delete may not change it;
 * - isComplete receives the request merged with onEvent's answer; `IsComplete: false` with Data is
 *   an error; the final Data merges onEvent's and isComplete's;
 * - an exception in either handler is a FAILED response whose reason is the error message; a
 *   failed Create without a physical id answers the CREATE_FAILED marker, and the Delete that
 *   CloudFormation sends for that marker never reaches the handler;
 * - the waiter gives up after its total timeout with "Operation timed out".
 */
import { randomUUID } from 'node:crypto';
import type { LambdaContext } from '../../lib/lifecycle/handler';
import { RESOURCE_TYPE } from '../../lib/lifecycle/properties';

/** The physical id the framework answers for a Create that failed before it had one. */
export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/**
 * A pre-signed ResponseURL that looks real: tests assert that it never reaches a log line, since
 * it is a credential.
 */
export const RESPONSE_URL_SECRET = 'X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f0presigned';

/** What isComplete answers. */
export interface IsCompleteAnswer {
  IsComplete: boolean;
  Data?: Record<string, any>;
  PhysicalResourceId?: string;
}

/** The two handler entry points of the lifecycle function. */
export interface LifecycleHandler {
  onEvent(event: Record<string, unknown>,
    context: LambdaContext): Promise<Record<string, any> | undefined>;
  isComplete(event: Record<string, unknown>, context: LambdaContext): Promise<IsCompleteAnswer>;
}

/** A Lambda context of a function with this timeout, invoked now. */
export function lambdaContext(timeoutMs: number): LambdaContext {
  const end = Date.now() + timeoutMs;
  return { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
}

/** A CloudFormation custom resource request. */
export interface CfnRequest {
  RequestType: 'Create' | 'Update' | 'Delete';
  ServiceToken: string;
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  ResourceType: string;
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
  PhysicalResourceId?: string;
}

/** The response the framework would PUT to the ResponseURL. */
export interface CfnResponse {
  Status: 'SUCCESS' | 'FAILED';
  /** The error message of a FAILED response. */
  Reason?: string;
  PhysicalResourceId: string;
  Data: Record<string, any>;
  /** How many times isComplete was called. */
  polls: number;
  /** Wall time from onEvent to the response. */
  durationMs: number;
  /** Whether the framework answered without invoking the handler (the CREATE_FAILED Delete). */
  skipped?: boolean;
}

/** Options of {@link ProviderFlow}. */
export interface ProviderFlowOptions {
  /**
   * The waiter's pause between isComplete calls (`queryInterval`).
   * @default 5
   */
  readonly queryIntervalMs?: number;
  /**
   * The waiter's total timeout (`totalTimeout`).
   * @default 20000
   */
  readonly totalTimeoutMs?: number;
  /**
   * Called with each request before it is sent, e.g. to record a timeline.
   * @default - nothing
   */
  readonly onRequest?: (request: CfnRequest) => void;
  /**
   * Called (and awaited) after each isComplete answer, before the next poll: the moment between
   * two polls of the waiter, e.g. to change the world meanwhile.
   * @default - nothing
   */
  readonly onPoll?: (request: CfnRequest, answer: { IsComplete: boolean }) => void | Promise<void>;
  /**
   * The timeouts of the two functions, which the Lambda context of each invocation counts down
   * from, as the provider synthesizes them.
   * @default - onEvent 300000, isComplete 120000
   */
  readonly functionTimeoutsMs?: { readonly onEvent: number; readonly isComplete: number };
}

/** Error text without the stack, as the Reason of a FAILED response shows it first. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Plays the Provider framework: onEvent, then isComplete until complete. */
export class ProviderFlow {
  constructor(readonly handler: LifecycleHandler, readonly options: ProviderFlowOptions = {}) {}

  private get timeouts(): { readonly onEvent: number; readonly isComplete: number } {
    return this.options.functionTimeoutsMs ?? { onEvent: 300_000, isComplete: 120_000 };
  }

  /** Sends one request through the framework and returns the response CloudFormation receives. */
  async send(request: CfnRequest): Promise<CfnResponse> {
    const started = Date.now();
    this.options.onRequest?.(request);
    const answer = (status: CfnResponse['Status'], physicalId: string, rest: {
      reason?: string; data?: Record<string, any>; polls?: number; skipped?: boolean;
    } = {}): CfnResponse => ({
      Status: status,
      ...(rest.reason !== undefined ? { Reason: rest.reason } : {}),
      PhysicalResourceId: physicalId,
      Data: rest.data ?? {},
      polls: rest.polls ?? 0,
      ...(rest.skipped ? { skipped: true } : {}),
      durationMs: Date.now() - started,
    });

    const type = request.RequestType;
    if (type === 'Delete' && request.PhysicalResourceId === CREATE_FAILED_MARKER) {
      return answer('SUCCESS', CREATE_FAILED_MARKER, { skipped: true });
    }

    // The user function is invoked through Lambda: it gets a JSON copy, never the object itself.
    let onEventResult: Record<string, any>;
    try {
      onEventResult = (await this.handler.onEvent(JSON.parse(JSON.stringify(request)),
        lambdaContext(this.timeouts.onEvent))) ?? {};
    } catch (error) {
      const fallback = type === 'Create' ? CREATE_FAILED_MARKER : 'MISSING_PHYSICAL_ID';
      return answer('FAILED', request.PhysicalResourceId ?? fallback, { reason: reasonOf(error) });
    }

    const physicalId: string = onEventResult.PhysicalResourceId
      ?? (type === 'Create' ? request.RequestId : request.PhysicalResourceId!);
    if (type === 'Delete' && physicalId !== request.PhysicalResourceId) {
      const reason = 'DELETE: cannot change the physical resource ID from ' +
        `"${request.PhysicalResourceId}" to "${physicalId}" during deletion`;
      return answer('FAILED', request.PhysicalResourceId!, { reason });
    }
    const event: Record<string, any> = {
      ...request,
      ...onEventResult,
      PhysicalResourceId: physicalId,
    };

    const deadline = started + (this.options.totalTimeoutMs ?? 20_000);
    for (let polls = 1; ; polls++) {
      let result: Awaited<ReturnType<LifecycleHandler['isComplete']>>;
      try {
        result = await this.handler.isComplete(JSON.parse(JSON.stringify(event)),
          lambdaContext(this.timeouts.isComplete));
      } catch (error) {
        return answer('FAILED', physicalId, { reason: reasonOf(error), data: event.Data, polls });
      }
      await this.options.onPoll?.(request, result);
      if (result.IsComplete) {
        const data = { ...(event.Data ?? {}), ...(result.Data ?? {}) };
        return answer('SUCCESS', result.PhysicalResourceId ?? physicalId, { data, polls });
      }
      if (result.Data && Object.keys(result.Data).length > 0) {
        const reason = '"Data" is not allowed if "IsComplete" is "False"';
        return answer('FAILED', physicalId, { reason, polls });
      }
      if (Date.now() >= deadline) {
        return answer('FAILED', physicalId, { reason: 'Operation timed out', polls });
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.queryIntervalMs ?? 5));
    }
  }
}

/** Options of {@link CloudFormationResource}. */
export interface CloudFormationResourceOptions {
  /** @default 'Integration' */
  readonly logicalResourceId?: string;
  /** @default - a new stack ARN in us-east-1 of moto's account */
  readonly stackId?: string;
  /** @default 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent' */
  readonly serviceToken?: string;
}

/** What one stack operation did to the resource. */
export interface Operation {
  /** The requests CloudFormation sent, with the framework's responses. */
  readonly steps: Array<{ request: CfnRequest; response: CfnResponse }>;
  /** Whether the stack operation succeeded (a rollback counts as a failure). */
  readonly ok: boolean;
  /** The reason of the first FAILED response. */
  readonly reason?: string;
}

/**
 * One custom resource as CloudFormation manages it within a stack: its current physical id and
 * properties, and the requests CloudFormation sends for a stack create, update or delete.
 */
export class CloudFormationResource {
  /** The physical id CloudFormation holds, once created. */
  physicalId?: string;
  /** The properties of the last successful operation. */
  properties?: Record<string, unknown>;
  /** The Data attributes of the last successful Create or Update. */
  data: Record<string, any> = {};
  readonly logicalResourceId: string;
  readonly stackId: string;
  readonly serviceToken: string;

  constructor(private readonly flow: ProviderFlow, options: CloudFormationResourceOptions = {}) {
    this.logicalResourceId = options.logicalResourceId ?? 'Integration';
    this.stackId = options.stackId
      ?? `arn:aws:cloudformation:us-east-1:123456789012:stack/e2e-${randomUUID().slice(0, 8)}/` +
        randomUUID();
    this.serviceToken = options.serviceToken
      ?? 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent';
  }

  /** A request for this resource, as CloudFormation writes it. */
  request(type: CfnRequest['RequestType'], properties: Record<string, unknown>,
    extra: Partial<CfnRequest> = {}): CfnRequest {
    return {
      RequestType: type,
      ServiceToken: this.serviceToken,
      ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/' +
        `${encodeURIComponent(this.stackId)}%7C${this.logicalResourceId}%7C${randomUUID()}` +
        `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE&${RESPONSE_URL_SECRET}`,
      StackId: this.stackId,
      RequestId: randomUUID(),
      LogicalResourceId: this.logicalResourceId,
      ResourceType: RESOURCE_TYPE,
      ResourceProperties: { ServiceToken: this.serviceToken, ...properties },
      ...extra,
    };
  }

  /** Sends one request as is (a redelivery, a hand-made rollback) without tracking its outcome. */
  send(request: CfnRequest): Promise<CfnResponse> {
    return this.flow.send(request);
  }

  /**
   * Stack create. On failure CloudFormation deletes the resource with the physical id the failed
   * response carried (the framework's marker when there was none).
   */
  async create(properties: Record<string, unknown>): Promise<Operation> {
    const steps: Operation['steps'] = [];
    const request = this.request('Create', properties);
    const response = await this.flow.send(request);
    steps.push({ request, response });
    if (response.Status === 'SUCCESS') {
      this.physicalId = response.PhysicalResourceId;
      this.properties = properties;
      this.data = response.Data;
      return { steps, ok: true };
    }
    const rollback = this.request('Delete', properties, {
      PhysicalResourceId: response.PhysicalResourceId,
    });
    steps.push({ request: rollback, response: await this.flow.send(rollback) });
    return { steps, ok: false, reason: response.Reason };
  }

  /**
   * Stack update. A new physical id means replacement: when the rest of the stack succeeds
   * (`laterFailure` unset), CloudFormation deletes the old id in its cleanup phase. When this
   * resource fails, or a later resource does (`laterFailure`), CloudFormation rolls back with an
   * Update whose old and new properties are swapped, then deletes the id the rollback left behind.
   * `beforeCleanup` runs between the update and the cleanup (e.g. to publish across the switch).
   */
  async update(properties: Record<string, unknown>, options: {
    laterFailure?: string;
    beforeCleanup?: (newPhysicalId: string) => Promise<void>;
  } = {}): Promise<Operation> {
    if (!this.physicalId || !this.properties) throw new Error('update before a successful create');
    const steps: Operation['steps'] = [];
    const oldId = this.physicalId;
    const oldProperties = this.properties;
    const request = this.request('Update', properties, {
      PhysicalResourceId: oldId,
      OldResourceProperties: { ServiceToken: this.serviceToken, ...oldProperties },
    });
    const response = await this.flow.send(request);
    steps.push({ request, response });

    if (response.Status === 'SUCCESS' && !options.laterFailure) {
      await options.beforeCleanup?.(response.PhysicalResourceId);
      if (response.PhysicalResourceId !== oldId) {
        const cleanup = this.request('Delete', oldProperties, { PhysicalResourceId: oldId });
        steps.push({ request: cleanup, response: await this.flow.send(cleanup) });
      }
      this.physicalId = response.PhysicalResourceId;
      this.properties = properties;
      this.data = response.Data;
      return { steps, ok: true };
    }

    // Rollback: a failed update leaves CloudFormation with the old id; an update that succeeded
    // before another resource failed left it with the new one.
    const current = response.Status === 'SUCCESS' ? response.PhysicalResourceId : oldId;
    const rollback = this.request('Update', oldProperties, {
      PhysicalResourceId: current,
      OldResourceProperties: { ServiceToken: this.serviceToken, ...properties },
    });
    const rolledBack = await this.flow.send(rollback);
    steps.push({ request: rollback, response: rolledBack });
    const reason = response.Status === 'FAILED' ? response.Reason : options.laterFailure;
    if (rolledBack.Status !== 'SUCCESS') {
      // UPDATE_ROLLBACK_FAILED: CloudFormation keeps whatever id it had.
      this.physicalId = current;
      return { steps, ok: false, reason };
    }
    // Cleanup after the rollback: an id that the update created and the rollback moved away from
    // is deleted.
    if (response.Status === 'SUCCESS' && current !== rolledBack.PhysicalResourceId) {
      const cleanup = this.request('Delete', properties, { PhysicalResourceId: current });
      steps.push({ request: cleanup, response: await this.flow.send(cleanup) });
    }
    this.physicalId = rolledBack.PhysicalResourceId;
    this.properties = oldProperties;
    this.data = rolledBack.Data;
    return { steps, ok: false, reason };
  }

  /** Stack delete (or removal of the resource from the template). */
  async delete(): Promise<Operation> {
    if (!this.physicalId || !this.properties) throw new Error('delete before a successful create');
    const request = this.request('Delete', this.properties, {
      PhysicalResourceId: this.physicalId,
    });
    const response = await this.flow.send(request);
    if (response.Status === 'SUCCESS') {
      this.physicalId = undefined;
      return { steps: [{ request, response }], ok: true };
    }
    return { steps: [{ request, response }], ok: false, reason: response.Reason };
  }
}
