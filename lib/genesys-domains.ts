/**
 * Genesys Cloud regions and the domains their APIs answer on.
 *
 * Plain data with no CDK dependency, so that the lifecycle handler bundles it without pulling in
 * aws-cdk-lib. The construct-side class is `GenesysRegion` in region.ts.
 */

/** Genesys Cloud region code (the AWS region it runs in) → the domain of its API. */
export const GENESYS_DOMAINS: Readonly<Record<string, string>> = {
  'us-east-1': 'mypurecloud.com',
  'us-east-2': 'use2.us-gov-pure.cloud',
  'us-west-2': 'usw2.pure.cloud',
  'ca-central-1': 'cac1.pure.cloud',
  'sa-east-1': 'sae1.pure.cloud',
  'mx-central-1': 'mxc1.pure.cloud',
  'eu-west-1': 'mypurecloud.ie',
  'eu-west-2': 'euw2.pure.cloud',
  'eu-central-1': 'mypurecloud.de',
  'eu-central-2': 'euc2.pure.cloud',
  'eusc-de-east-1': 'edee1.eusc-pure.cloud',
  'me-central-1': 'mec1.pure.cloud',
  'ap-south-1': 'aps1.pure.cloud',
  'ap-southeast-1': 'apse1.pure.cloud',
  'ap-southeast-2': 'mypurecloud.com.au',
  'ap-northeast-1': 'mypurecloud.jp',
  'ap-northeast-2': 'apne2.pure.cloud',
  'ap-northeast-3': 'apne3.pure.cloud',
};

/** Where the Platform API and the OAuth token endpoint of one Genesys Cloud environment answer. */
export interface GenesysEndpoints {
  /** Base URL of the Platform API, without a trailing slash, e.g. `https://api.mypurecloud.com`. */
  readonly apiBaseUrl: string;
  /**
   * Base URL of the OAuth server, without a trailing slash, e.g. `https://login.mypurecloud.com`.
   */
  readonly loginBaseUrl: string;
}

/** The endpoints of a Genesys Cloud region, or `undefined` for an unknown region code. */
export function endpointsOfRegion(region: string): GenesysEndpoints | undefined {
  const domain = GENESYS_DOMAINS[region];
  if (domain === undefined) return undefined;
  return { apiBaseUrl: `https://api.${domain}`, loginBaseUrl: `https://login.${domain}` };
}

/** `genesysRegion`: one of the Genesys Cloud regions. */
export function checkGenesysRegion(value: unknown, property = 'genesysRegion'): string | undefined {
  if (typeof value === 'string' && value in GENESYS_DOMAINS) return undefined;
  const regions = Object.keys(GENESYS_DOMAINS).join(', ');
  return `${property} must be a Genesys Cloud region (one of ${regions}), ` +
    `got ${JSON.stringify(value)}`;
}

/** A custom endpoint: an absolute http(s) URL with no path, query or credentials. */
export function checkEndpoint(value: unknown, property: string): string | undefined {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return `${property} must be an absolute URL such as "https://api.example.com", ` +
      `got ${JSON.stringify(value)}`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `${property} must use https (or http for a local test environment), ` +
      `got ${JSON.stringify(value)}`;
  }
  const hasPath = url.pathname !== '/' && url.pathname !== '';
  if (url.username || url.password || url.search || url.hash || hasPath) {
    return `${property} must be a base URL with no path, query or credentials, ` +
      `got ${JSON.stringify(value)}`;
  }
  return undefined;
}
