/**
 * Validation of bodies against the Genesys model schema (derived from Genesys's SDK types).
 *
 * The repository keeps its own copy of the schema beside this file, so that tests run from a
 * clone alone; `SHARED_SCHEMA_PATH` is where the reference copy lives when the clone sits next
 * to the shared folder, and a test compares the two so that drift shows.
 *
 * `trafficProblems` checks recorded traffic against a strict reading of the schema, in which an
 * object may carry only the properties its model names: a field the emulator or the client makes
 * up shows there, instead of passing because the reference schema leaves objects open.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import type { RecordedRequest } from './genesys-emulator';

/** The repository root. */
export const REPO_ROOT = path.join(__dirname, '..', '..');

/** The schema copy the tests use. */
export const SCHEMA_PATH = path.join(REPO_ROOT, 'test', 'support', 'integration-models.schema.json');

/** The reference schema, beside the repository. */
export const SHARED_SCHEMA_PATH =
  path.join(REPO_ROOT, '..', 'shared', 'genesys', 'integration-models.schema.json');

/** Names of the schema's definitions the tests validate against. */
export type GenesysModel =
  | 'Integration'
  | 'IntegrationEntityListing'
  | 'IntegrationConfiguration'
  | 'CreateIntegrationRequest'
  | 'AvailableTopicEntityListing'
  | 'ErrorBody';

const validators = new Map<boolean, Ajv.Ajv>();

function validator(strict: boolean): Ajv.Ajv {
  let ajv = validators.get(strict);
  if (!ajv) {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8'));
    ajv = new Ajv({ allErrors: true });
    ajv.addSchema(strict ? closed(schema) : schema, 'genesys');
    validators.set(strict, ajv);
  }
  return ajv;
}

/** The schema with every object that lists its properties closed to any other property. */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const copy = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, closed(v)]));
  if (copy.properties !== undefined && copy.additionalProperties === undefined) {
    copy.additionalProperties = false;
  }
  return copy;
}

/**
 * The schema violations of a body as readable lines; empty when the body is valid. `strict`
 * refuses properties the model does not name.
 */
export function schemaErrors(model: GenesysModel, body: unknown, strict = false): string[] {
  const ajvInstance = validator(strict);
  const valid = ajvInstance.validate({ $ref: `genesys#/definitions/${model}` }, body);
  if (valid) return [];
  return (ajvInstance.errors ?? []).map((e) => `${model}${e.dataPath} ${e.message}`);
}

/** The models of a call's request and answer bodies, by route; undefined outside the schema. */
function modelsOf(method: string, route: string):
{ request?: GenesysModel; response?: GenesysModel } | undefined {
  if (route === '/api/v2/notifications/availabletopics' && method === 'GET') {
    return { response: 'AvailableTopicEntityListing' };
  }
  if (route === '/api/v2/integrations') {
    if (method === 'GET') return { response: 'IntegrationEntityListing' };
    if (method === 'POST') return { request: 'CreateIntegrationRequest', response: 'Integration' };
  }
  if (/^\/api\/v2\/integrations\/[^/]+\/config\/current$/.test(route)) {
    if (method === 'GET') return { response: 'IntegrationConfiguration' };
    if (method === 'PUT') {
      return { request: 'IntegrationConfiguration', response: 'IntegrationConfiguration' };
    }
  }
  if (/^\/api\/v2\/integrations\/[^/]+$/.test(route)) {
    // The PATCH body ({ intendedState }) is a partial Integration.
    if (method === 'PATCH') return { request: 'Integration', response: 'Integration' };
    if (method === 'GET' || method === 'DELETE') return { response: 'Integration' };
  }
  return undefined;
}

/**
 * Every schema violation in recorded traffic, strictly read: the client's request bodies and the
 * emulator's answers of every call the schema has a model for (the OAuth token endpoint and
 * `organizations/me` have none), and every error answer as an ErrorBody. Empty when all conforms.
 */
export function trafficProblems(requests: readonly RecordedRequest[]): string[] {
  const problems: string[] = [];
  for (const r of requests) {
    const where = `${r.method} ${r.path}`;
    const models = modelsOf(r.method, r.path);
    if (models?.request && r.body !== undefined) {
      problems.push(...schemaErrors(models.request, r.body, true).map((e) => `${where} request: ${e}`));
    }
    if (r.response === undefined) continue;
    const answered = r.status >= 400 ? 'ErrorBody' : models?.response;
    if (answered) {
      problems.push(...schemaErrors(answered, r.response, true)
        .map((e) => `${where} answer ${r.status}: ${e}`));
    }
  }
  return problems;
}
