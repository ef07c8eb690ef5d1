/**
 * Fault injection for the Genesys Cloud emulator: which call is answered how, how many times,
 * and during which window of time.
 */

/** Which calls a fault applies to; an absent field matches every call. */
export type FaultMatch = {
  /** HTTP method, compared case-insensitively. */
  method?: string;
  /** The request path without its query: equal to a string, or matched by a RegExp. */
  path?: string | RegExp;
};

/** What the emulator does instead of (or before) answering normally. */
export type Fault =
  /** Answers with this status and an ErrorBody, without touching the state. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number; message?: string }
  /** Waits this long, then answers normally (the state changes even if the client gave up). */
  | { kind: 'delay'; ms: number }
  /** Destroys the socket without an answer and without touching the state. */
  | { kind: 'reset' }
  /** The next PUT config is refused as a stale version, whatever version it carries. */
  | { kind: 'versionConflict' }
  /** The next activation ends in ERROR with this `detail.message`. */
  | { kind: 'activationError'; message: string }
  /** The next activation reaches ACTIVE, but the partner event source never appears. */
  | { kind: 'noPartnerSource' };

/**
 * One injected fault.
 *
 * `times` counts the matching calls it affects: 1 by default, or unlimited (`Infinity`) by
 * default when a window is given. `fromMs` and `untilMs` bound the window relative to the moment
 * of `inject()`. Without `match`, a transport fault (status, delay, reset) applies to every call,
 * the token endpoint included.
 */
export interface FaultRule {
  /** What happens. */
  fault: Fault;
  /** Which calls it applies to. @default - every call */
  match?: FaultMatch;
  /** How many matching calls it affects. @default 1, or Infinity when a window is given */
  times?: number;
  /** Start of the window in ms after inject(). @default 0 */
  fromMs?: number;
  /** End of the window in ms after inject(). @default - no end */
  untilMs?: number;
}

/** A rule with its remaining uses and its absolute window. */
interface ArmedRule {
  readonly rule: FaultRule;
  remaining: number;
  readonly from: number;
  readonly until: number;
}

/** The faults that act on the transport of one call. */
export type TransportFault = Extract<Fault, { kind: 'status' | 'delay' | 'reset' }>;

const TRANSPORT_KINDS = new Set<Fault['kind']>(['status', 'delay', 'reset']);

/** Short description of a fault for the request log. */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'status': return `status ${fault.status}`;
    case 'delay': return `delay ${fault.ms}ms`;
    default: return fault.kind;
  }
}

/** The injected faults, consumed in the order they were injected. */
export class FaultBook {
  private rules: ArmedRule[] = [];

  constructor(private readonly clock: () => number) {}

  /** Arms a rule. */
  add(rule: FaultRule): void {
    const now = this.clock();
    const windowed = rule.fromMs !== undefined || rule.untilMs !== undefined;
    this.rules.push({
      rule,
      remaining: rule.times ?? (windowed ? Infinity : 1),
      from: now + (rule.fromMs ?? 0),
      until: rule.untilMs === undefined ? Infinity : now + rule.untilMs,
    });
  }

  /** Disarms every rule. */
  clear(): void {
    this.rules = [];
  }

  /** Takes one use of the first transport fault that matches the call. */
  takeTransport(method: string, path: string): TransportFault | undefined {
    const fault = this.take(method, path, (kind) => TRANSPORT_KINDS.has(kind));
    return fault as TransportFault | undefined;
  }

  /** Takes one use of the first fault of a kind that matches the call. */
  takeKind<K extends Fault['kind']>(kind: K, method: string, path: string):
  Extract<Fault, { kind: K }> | undefined {
    return this.take(method, path, (k) => k === kind) as Extract<Fault, { kind: K }> | undefined;
  }

  private take(method: string, path: string, kindOk: (kind: Fault['kind']) => boolean):
  Fault | undefined {
    const now = this.clock();
    for (const armed of this.rules) {
      if (armed.remaining <= 0 || now < armed.from || now >= armed.until) continue;
      if (!kindOk(armed.rule.fault.kind) || !matches(armed.rule.match, method, path)) continue;
      armed.remaining -= 1;
      return armed.rule.fault;
    }
    return undefined;
  }
}

function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== method.toUpperCase()) {
    return false;
  }
  if (match.path === undefined) return true;
  if (typeof match.path === 'string') return match.path === path;
  match.path.lastIndex = 0;
  return match.path.test(path);
}
