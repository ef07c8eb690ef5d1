import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { redactText, REDACTED } from '../lib/lifecycle/log';
import { readGenesysCredentials, SecretError } from '../lib/lifecycle/secrets';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:genesys-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);

beforeEach(() => secretsManager.reset());

function holding(secretString: unknown): void {
  const value = typeof secretString === 'string' ? secretString : JSON.stringify(secretString);
  secretsManager.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: value });
}

async function failure(): Promise<string> {
  const error = await readGenesysCredentials(ARN).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SecretError);
  return (error as SecretError).message;
}

test('reads clientId and clientSecret, and masks the secret in later log lines', async () => {
  holding({ clientId: 'id-1', clientSecret: 'the-client-secret-42' });

  await expect(readGenesysCredentials(ARN))
    .resolves.toEqual({ clientId: 'id-1', clientSecret: 'the-client-secret-42' });
  expect(redactText('oops: the-client-secret-42')).toBe(`oops: ${REDACTED}`);
});

test('names the missing keys without echoing the values', async () => {
  holding({ clientSecret: 'hidden-value-77', id: 'x' });

  const message = await failure();

  expect(message).toMatch(new RegExp(
    `^the secret ${ARN} lacks clientId \\(a non-empty string each\\): it must hold JSON`));
  expect(message).not.toContain('hidden-value-77');
});

test('refuses a secret that is not JSON without quoting it', async () => {
  holding('plain-text-secret-value');

  const message = await failure();

  expect(message).toContain('is not valid JSON: it must hold JSON such as ' +
    '{"clientId": "...", "clientSecret": "..."}');
  expect(message).not.toContain('plain-text-secret-value');
});

test('refuses a binary secret', async () => {
  secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });

  expect(await failure()).toMatch(/has no SecretString \(binary secrets are not supported\)/);
});

test('says what to check when the secret cannot be read', async () => {
  secretsManager.on(GetSecretValueCommand)
    .rejects(new ResourceNotFoundException({ message: 'nope', $metadata: {} }));

  expect(await failure()).toBe(`Secrets Manager GetSecretValue on ${ARN} failed with ` +
    'ResourceNotFoundException: the secret does not exist in this account and region: ' +
    'check SecretArn');
});

test('names the permission when access is denied', async () => {
  const denied = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
  secretsManager.on(GetSecretValueCommand).rejects(denied);

  expect(await failure())
    .toMatch(/allow secretsmanager:GetSecretValue on the secret to the lifecycle function/);
});
