/**
 * The Genesys Cloud Platform API models the lifecycle handler uses, typed after
 * Genesys's own model definitions (see the JSON Schema the tests validate against),
 * and the interface of the client that calls them.
 */

export type IntendedState = 'ENABLED' | 'DISABLED' | 'DELETED' | 'RESTORED';
export type ReportedStateCode = 'ACTIVE' | 'ACTIVATING' | 'INACTIVE' | 'DEACTIVATING' | 'ERROR';

export interface MessageInfo {
  localizableMessageCode?: string;
  message?: string;
  messageWithParams?: string;
  messageParams?: Record<string, string>;
}

export interface IntegrationStatusInfo {
  code?: ReportedStateCode;
  effective?: string;
  detail?: MessageInfo;
  lastUpdated?: string;
}

/** `IntegrationConfiguration.properties` of the amazon-eventbridge-source type. */
export interface EventBridgeConfigProperties {
  awsAccountId: string;
  awsAccountRegion: string;
  eventSourceSuffix: string;
  eventFilter: string[];
}

export interface IntegrationConfiguration {
  id?: string;
  name: string;
  version: number;
  properties: EventBridgeConfigProperties | Record<string, unknown>;
  advanced: Record<string, unknown>;
  notes: string;
  credentials: Record<string, unknown>;
  selfUri?: string;
}

export interface Integration {
  id?: string;
  name?: string;
  integrationType?: { id: string; name?: string };
  notes?: string;
  intendedState: IntendedState;
  config?: { current?: IntegrationConfiguration };
  reportedState?: IntegrationStatusInfo;
  attributes?: Record<string, string>;
  selfUri?: string;
}

export interface AvailableTopic {
  id?: string;
  description?: string;
  transports?: Array<'All' | 'Websocket' | 'EventBridge' | 'ProcessAutomation'>;
}

export interface Organization {
  id: string;
  name?: string;
}

/**
 * One attempt of a write that got no clear answer: it timed out, its connection was reset, or
 * Genesys answered with a server error. Genesys may have carried the write out all the same.
 */
export interface UncertainWrite {
  /** Method and path of the call, e.g. `POST /api/v2/integrations`. */
  readonly call: string;
  /** The attempt's HTTP status; 0 when no answer came. */
  readonly status: number;
  /** How long the attempt took, in ms. */
  readonly durationMs: number;
}

/**
 * The Genesys Cloud calls the handler makes. The real implementation is `GenesysClient`
 * (genesys-client.ts); failures are thrown as the error classes of that module.
 */
export interface GenesysApi {
  /**
   * Every attempt of a write (POST, PUT, PATCH, DELETE) whose outcome is unknown, oldest first.
   * The handler reads it after a create: only an uncertain attempt can have left a second
   * integration behind. A client that cannot tell leaves it undefined, and the handler then
   * treats every create as uncertain.
   */
  readonly uncertainWrites?: readonly UncertainWrite[];
  /** `GET /api/v2/organizations/me` */
  getOrganization(): Promise<Organization>;
  /** `GET /api/v2/notifications/availabletopics?expand=transports` */
  listAvailableTopics(): Promise<AvailableTopic[]>;
  /** Every integration of type amazon-eventbridge-source, all pages, with `config.current` expanded. */
  listEventBridgeIntegrations(): Promise<Integration[]>;
  /** `GET /api/v2/integrations/{id}?expand=config.current`; a 404 is GenesysNotFoundError. */
  getIntegration(id: string): Promise<Integration>;
  /** `POST /api/v2/integrations` with the amazon-eventbridge-source type. */
  createIntegration(name: string): Promise<Integration>;
  /** `GET /api/v2/integrations/{id}/config/current` */
  getConfig(id: string): Promise<IntegrationConfiguration>;
  /** `PUT /api/v2/integrations/{id}/config/current` (the body carries the current version). */
  putConfig(id: string, config: IntegrationConfiguration): Promise<IntegrationConfiguration>;
  /** `PATCH /api/v2/integrations/{id}` with `{ intendedState }`. */
  setIntendedState(id: string, state: 'ENABLED' | 'DISABLED'): Promise<Integration>;
  /** `DELETE /api/v2/integrations/{id}`; a 404 is thrown as GenesysNotFoundError. */
  deleteIntegration(id: string): Promise<void>;
}
