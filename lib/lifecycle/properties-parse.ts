/**
 * Reads and validates the custom resource's ResourceProperties at deploy time.
 *
 * Every rule comes from rules.ts and genesys-domains.ts, the modules the constructs use at synth
 * time, so a value refused here is refused with the same words as at synth time; the resource
 * property is added in parentheses because at deploy time the value may have been a token.
 */
import {
  checkEndpoint,
  checkGenesysRegion,
  endpointsOfRegion,
  GenesysEndpoints,
} from '../genesys-domains';
import {
  checkAccountId,
  checkIntegrationName,
  checkRegion,
  checkSuffix,
  checkTopicFilter,
  normalizeTopics,
  shown,
} from '../rules';
import { IntegrationResourceProperties } from './properties';

/** What a Delete does to the Genesys integration. */
export type RemovalPolicy = 'delete' | 'retain';

/** How to reach one Genesys Cloud organization. */
export interface Connection {
  /** ARN of the Secrets Manager secret that holds the OAuth client. */
  readonly secretArn: string;
  /** Platform API and OAuth server base URLs, without a trailing slash. */
  readonly endpoints: GenesysEndpoints;
}

/** The integration as the template describes it, validated and normalized. */
export interface IntegrationSettings {
  /** AWS account that receives the partner event source. */
  readonly accountId: string;
  /** AWS region that receives the partner event source. */
  readonly region: string;
  /** Event source suffix. */
  readonly suffix: string;
  /** Topic filter, sorted and de-duplicated. */
  readonly topics: readonly string[];
  /** Name of the integration in Genesys Cloud. */
  readonly name: string;
  /** The user's notes (without the ownership marker the handler appends). */
  readonly notes: string;
  /** Whether the integration sends events. */
  readonly enabled: boolean;
  /** What a Delete does to the integration. */
  readonly removalPolicy: RemovalPolicy;
}

/** ResourceProperties of a Create or an Update, fully validated. */
export interface ParsedProperties {
  /** How to reach Genesys Cloud. */
  readonly connection: Connection;
  /** The integration to converge to. */
  readonly settings: IntegrationSettings;
}

/** ResourceProperties of a Delete: only what removing the integration needs. */
export interface DeleteProperties {
  /** How to reach Genesys Cloud. */
  readonly connection: Connection;
  /** What to do with the integration. */
  readonly removalPolicy: RemovalPolicy;
}

/** One or more resource properties break a rule; the message lists every problem. */
export class PropertyError extends Error {
  /** Each problem on its own, in property order. */
  public readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid resource properties: ${problems.join('; ')}`);
    this.name = 'PropertyError';
    this.problems = problems;
  }
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** Parses the properties of a Create or an Update; throws PropertyError listing every problem. */
export function parseProperties(raw: unknown): ParsedProperties {
  const props = asRecord(raw);
  const problems: string[] = [];
  const connection = readConnection(props, problems);

  check(problems, checkAccountId(props.AwsAccountId), 'AwsAccountId');
  check(problems, checkRegion(props.AwsRegion), 'AwsRegion');
  check(problems, checkSuffix(props.EventSourceSuffix), 'EventSourceSuffix');
  check(problems, checkTopicFilter(props.Topics), 'Topics');
  const nameProblem = checkIntegrationName(props.IntegrationName, 'IntegrationName');
  if (nameProblem) problems.push(nameProblem);
  if (props.Notes !== undefined && typeof props.Notes !== 'string') {
    problems.push(`Notes must be a string, got ${shown(props.Notes)}`);
  }
  const enabled = readBoolean(props.Enabled, 'Enabled', true, problems);
  const removalPolicy = readRemovalPolicy(props.RemovalPolicy, problems);

  if (problems.length > 0) throw new PropertyError(problems);
  return {
    connection: connection!,
    settings: {
      accountId: props.AwsAccountId as string,
      region: props.AwsRegion as string,
      suffix: props.EventSourceSuffix as string,
      topics: normalizeTopics(props.Topics as string[]),
      name: (props.IntegrationName as string).trim(),
      notes: (props.Notes as string | undefined) ?? '',
      enabled,
      removalPolicy,
    },
  };
}

/**
 * Parses the properties of a Delete. Only the connection and the removal policy are checked:
 * a Delete must not fail because an unrelated property became invalid.
 */
export function parseDeleteProperties(raw: unknown): DeleteProperties {
  const props = asRecord(raw);
  const problems: string[] = [];
  const connection = readConnection(props, problems);
  const removalPolicy = readRemovalPolicy(props.RemovalPolicy, problems);
  if (problems.length > 0) throw new PropertyError(problems);
  return { connection: connection!, removalPolicy };
}

/**
 * Parses old properties for comparison only (an Update's OldResourceProperties, or a rollback's).
 * They were valid once but rules may have tightened since, so a problem yields `undefined`.
 */
export function tryParseSettings(raw: unknown): IntegrationSettings | undefined {
  try {
    return parseProperties(raw).settings;
  } catch {
    return undefined;
  }
}

function readConnection(props: Partial<Record<keyof IntegrationResourceProperties, unknown>>,
  problems: string[]): Connection | undefined {
  const before = problems.length;
  const secretArn = props.SecretArn;
  if (typeof secretArn !== 'string' || !SECRET_ARN.test(secretArn)) {
    problems.push('SecretArn must be the ARN of a Secrets Manager secret ' +
      `(arn:aws:secretsmanager:<region>:<account>:secret:<name>), got ${shown(secretArn)}`);
  }

  let endpoints: GenesysEndpoints | undefined;
  if (props.GenesysApiEndpoint !== undefined && props.GenesysApiEndpoint !== '') {
    const apiProblem = checkEndpoint(props.GenesysApiEndpoint, 'GenesysApiEndpoint');
    const login = props.GenesysLoginEndpoint === undefined || props.GenesysLoginEndpoint === ''
      ? props.GenesysApiEndpoint
      : props.GenesysLoginEndpoint;
    const loginProblem = login === props.GenesysApiEndpoint
      ? undefined
      : checkEndpoint(login, 'GenesysLoginEndpoint');
    if (apiProblem) problems.push(apiProblem);
    if (loginProblem) problems.push(loginProblem);
    if (!apiProblem && !loginProblem) {
      endpoints = {
        apiBaseUrl: baseUrl(String(props.GenesysApiEndpoint)),
        loginBaseUrl: baseUrl(String(login)),
      };
    }
  } else if (props.GenesysRegion === undefined || props.GenesysRegion === '') {
    problems.push('GenesysRegion or GenesysApiEndpoint must be set to reach Genesys Cloud, ' +
      'got neither');
  } else {
    const regionProblem = checkGenesysRegion(props.GenesysRegion);
    check(problems, regionProblem, 'GenesysRegion');
    if (!regionProblem) endpoints = endpointsOfRegion(props.GenesysRegion as string);
  }

  if (problems.length > before || !endpoints) return undefined;
  return { secretArn: secretArn as string, endpoints };
}

function readBoolean(value: unknown, property: string, fallback: boolean,
  problems: string[]): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  problems.push(`${property} must be "true" or "false", got ${shown(value)}`);
  return fallback;
}

function readRemovalPolicy(value: unknown, problems: string[]): RemovalPolicy {
  if (value === undefined || value === '') return 'delete';
  const policy = typeof value === 'string' ? value.toLowerCase() : value;
  if (policy === 'delete' || policy === 'retain') return policy;
  problems.push(`RemovalPolicy must be "delete" or "retain", got ${shown(value)}`);
  return 'delete';
}

/** Adds a rule's message, naming the resource property unless the message already does. */
function check(problems: string[], problem: string | undefined, resourceProperty: string): void {
  if (!problem) return;
  problems.push(problem.startsWith(resourceProperty)
    ? problem
    : `${problem} (resource property ${resourceProperty})`);
}

function baseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

function asRecord(raw: unknown): Partial<Record<keyof IntegrationResourceProperties, unknown>> {
  return raw !== null && typeof raw === 'object' ? raw as Record<string, unknown> : {};
}
