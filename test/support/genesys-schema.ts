/**
 * Validation of bodies against the Genesys model schema (derived from Genesys's SDK types).
 *
 * The repository keeps its own copy of the schema beside this file, so that tests run from a
 * clone alone; `SHARED_SCHEMA_PATH` is where the reference copy lives when the clone sits next
 * to the shared folder, and a test compares the two so that drift shows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';

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

let ajv: Ajv.Ajv | undefined;

function validator(): Ajv.Ajv {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true });
    ajv.addSchema(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')), 'genesys');
  }
  return ajv;
}

/** The schema violations of a body as readable lines; empty when the body is valid. */
export function schemaErrors(model: GenesysModel, body: unknown): string[] {
  const ajvInstance = validator();
  const valid = ajvInstance.validate({ $ref: `genesys#/definitions/${model}` }, body);
  if (valid) return [];
  return (ajvInstance.errors ?? []).map((e) => `${model}${e.dataPath} ${e.message}`);
}
