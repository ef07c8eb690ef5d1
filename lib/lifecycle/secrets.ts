/**
 * Reads the Genesys OAuth client from Secrets Manager.
 *
 * The secret's values never appear in an error or a log line: a problem names the secret's ARN
 * and the missing keys only. Both values are registered with the log redaction as soon as they
 * are read, so a value that slips into a message later is masked all the same.
 */
// eslint-disable-next-line import/no-extraneous-dependencies -- provided by the Lambda runtime
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { registerSensitive } from './log';

/** The OAuth client credentials of a Genesys Cloud client-credentials grant. */
export interface GenesysCredentials {
  /** OAuth client id. */
  readonly clientId: string;
  /** OAuth client secret. */
  readonly clientSecret: string;
}

/**
 * The secret cannot be read, or does not hold the expected JSON. A failed read keeps the AWS
 * error as its cause, so that a throttled or failing Secrets Manager counts as a passing hiccup.
 */
export class SecretError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SecretError';
  }
}

let defaultClient: SecretsManagerClient | undefined;

/** A Secrets Manager client with the default configuration (standard environment variables). */
export function secretsManagerClient(): SecretsManagerClient {
  defaultClient ??= new SecretsManagerClient({});
  return defaultClient;
}

/** Reads `{ clientId, clientSecret }` from the secret's SecretString. */
export async function readGenesysCredentials(secretArn: string,
  client: SecretsManagerClient = secretsManagerClient()): Promise<GenesysCredentials> {
  let secretString: string | undefined;
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    secretString = answer.SecretString;
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    throw new SecretError(`Secrets Manager GetSecretValue on ${secretArn} failed with ${name}: ` +
      hintFor(name), error);
  }

  const usage = 'it must hold JSON such as {"clientId": "...", "clientSecret": "..."} with the ' +
    'credentials of a Genesys Cloud OAuth client (client-credentials grant)';
  if (secretString === undefined) {
    throw new SecretError(`the secret ${secretArn} has no SecretString (binary secrets are not ` +
      `supported): ${usage}`);
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // The parser's message quotes the text it choked on, which would echo the secret.
    throw new SecretError(`the secret ${secretArn} is not valid JSON: ${usage}`);
  }
  const record = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? parsed as Record<string, unknown>
    : {};
  const missing = ['clientId', 'clientSecret']
    .filter((key) => typeof record[key] !== 'string' || (record[key] as string).trim() === '');
  if (missing.length > 0) {
    throw new SecretError(`the secret ${secretArn} lacks ${missing.join(' and ')} ` +
      `(a non-empty string each): ${usage}`);
  }

  const credentials = {
    clientId: record.clientId as string,
    clientSecret: record.clientSecret as string,
  };
  registerSensitive(credentials.clientSecret);
  return credentials;
}

function hintFor(errorName: string): string {
  switch (errorName) {
    case 'ResourceNotFoundException':
      return 'the secret does not exist in this account and region: check SecretArn';
    case 'AccessDeniedException':
      return 'allow secretsmanager:GetSecretValue on the secret to the lifecycle function ' +
        '(and kms:Decrypt on its key when it is encrypted with a customer managed key)';
    case 'DecryptionFailure':
    case 'KMSAccessDeniedException':
      return 'allow kms:Decrypt on the key that encrypts the secret to the lifecycle function';
    case 'InvalidRequestException':
      return 'the secret is scheduled for deletion or disabled: restore it';
    default:
      return 'check SecretArn and the lifecycle function\'s permissions';
  }
}
