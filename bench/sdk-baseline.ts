/**
 * The baseline for the handler bundle: the same Genesys calls the lifecycle handler makes, written
 * with the official Genesys Cloud JavaScript SDK. The bundle benchmark bundles this file exactly
 * the way scripts/bundle-handler.mjs bundles the handler, and never runs it; it exists to show
 * what the handler would weigh and cost to load if it were built on the SDK.
 */
import * as platformClient from 'purecloud-platform-client-v2';

/** Credentials of a Genesys OAuth client, as the handler reads them from Secrets Manager. */
export interface SdkCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Logs in and returns the calls of the GenesysApi interface, made through the SDK. */
export async function sdkClient(environment: string, credentials: SdkCredentials) {
  const client = platformClient.ApiClient.instance;
  client.setEnvironment(environment);
  await client.loginClientCredentialsGrant(credentials.clientId, credentials.clientSecret);

  const integrations = new platformClient.IntegrationsApi();
  const notifications = new platformClient.NotificationsApi();
  const organization = new platformClient.OrganizationApi();
  return {
    getOrganization: () => organization.getOrganizationsMe(),
    listAvailableTopics: () =>
      notifications.getNotificationsAvailabletopics({ expand: ['transports'] }),
    listIntegrations: (pageNumber: number) =>
      integrations.getIntegrations({ pageSize: 100, pageNumber, expand: ['config.current'] }),
    getIntegration: (id: string) => integrations.getIntegration(id),
    createIntegration: (name: string) =>
      integrations.postIntegrations({
        body: { name, integrationType: { id: 'amazon-eventbridge-source' } },
      }),
    getConfig: (id: string) => integrations.getIntegrationConfigCurrent(id),
    putConfig: (id: string, body: platformClient.Models.IntegrationConfiguration) =>
      integrations.putIntegrationConfigCurrent(id, { body }),
    setIntendedState: (id: string, intendedState: 'ENABLED' | 'DISABLED') =>
      integrations.patchIntegration(id, {
        body: { intendedState } as platformClient.Models.Integration,
      }),
    deleteIntegration: (id: string) => integrations.deleteIntegration(id),
  };
}

/** A handler entry point, so that the bundle has the shape of a Lambda handler. */
export async function onEvent(event: { ResourceProperties: Record<string, string> }) {
  const api = await sdkClient('mypurecloud.com', { clientId: '', clientSecret: '' });
  const org = await api.getOrganization();
  return { PhysicalResourceId: org.id, Data: { Region: event.ResourceProperties.AwsRegion } };
}
