/**
 * Shared set-up of the construct tests: an app with one stack in a fixed environment and an
 * imported secret, so that templates hold concrete accounts and regions.
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-central-1';
export const SECRET_ARN =
  `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:genesys/eventbridge-AbCdEf`;

/** A new app and a stack in account 111111111111, eu-central-1 (unless overridden). */
export function newStack(id = 'TestStack', props: StackProps = {}): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, id, {
    env: { account: ACCOUNT, region: REGION },
    ...props,
  });
  return { app, stack };
}

/** The Genesys OAuth client secret, imported by its complete ARN. */
export function importSecret(
  stack: Stack,
  id = 'Credentials',
  arn = SECRET_ARN,
): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretCompleteArn(stack, id, arn);
}

/** The one custom resource of a template, with its properties. */
export function integrationResource(template: Template): { id: string; properties: any } {
  const resources = template.findResources('Custom::GenesysEventBridgeIntegration');
  const ids = Object.keys(resources);
  if (ids.length !== 1) throw new Error(`expected one integration, found ${ids.length}`);
  return { id: ids[0], properties: resources[ids[0]].Properties };
}

/** Synthesizes the stack and returns the error message synthesis fails with. */
export function synthError(stack: Stack): string {
  try {
    Template.fromStack(stack);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('synthesis succeeded');
}
