import { Token } from 'aws-cdk-lib';
import { checkEndpoint, checkGenesysRegion, endpointsOfRegion } from './genesys-domains';

/**
 * Where a custom Genesys Cloud environment answers: a private, test or emulated deployment that
 * is not one of the public regions.
 */
export interface GenesysCustomEndpointOptions {
  /**
   * Base URL of the Platform API, with no path, e.g. `https://api.example.test`.
   *
   * `http` is accepted for a local test environment.
   */
  readonly apiEndpoint: string;

  /**
   * Base URL of the OAuth server that issues client-credentials tokens.
   *
   * @default - the API endpoint also serves the OAuth token endpoint
   */
  readonly loginEndpoint?: string;
}

/**
 * The custom-resource properties that tell the lifecycle handler where Genesys Cloud answers.
 * Exactly one of `GenesysRegion` and `GenesysApiEndpoint` is set.
 *
 * @internal
 */
export interface GenesysRegionProperties {
  readonly GenesysRegion?: string;
  readonly GenesysApiEndpoint?: string;
  readonly GenesysLoginEndpoint?: string;
}

/**
 * A Genesys Cloud region (the AWS region its organization runs in), or a custom endpoint.
 *
 * The region decides which domain the lifecycle handler talks to: `https://api.{domain}` for the
 * Platform API and `https://login.{domain}` for OAuth tokens.
 */
export class GenesysRegion {
  /** Americas (US East, Virginia): mypurecloud.com. */
  public static readonly US_EAST_1 = new GenesysRegion('us-east-1');
  /** Americas (US East 2, Ohio; FedRAMP): use2.us-gov-pure.cloud. */
  public static readonly US_EAST_2 = new GenesysRegion('us-east-2');
  /** Americas (US West, Oregon): usw2.pure.cloud. */
  public static readonly US_WEST_2 = new GenesysRegion('us-west-2');
  /** Americas (Canada, Central): cac1.pure.cloud. */
  public static readonly CA_CENTRAL_1 = new GenesysRegion('ca-central-1');
  /** Americas (South America, São Paulo): sae1.pure.cloud. */
  public static readonly SA_EAST_1 = new GenesysRegion('sa-east-1');
  /** Americas (Mexico, Central): mxc1.pure.cloud. */
  public static readonly MX_CENTRAL_1 = new GenesysRegion('mx-central-1');
  /** EMEA (Ireland): mypurecloud.ie. */
  public static readonly EU_WEST_1 = new GenesysRegion('eu-west-1');
  /** EMEA (London): euw2.pure.cloud. */
  public static readonly EU_WEST_2 = new GenesysRegion('eu-west-2');
  /** EMEA (Frankfurt): mypurecloud.de. */
  public static readonly EU_CENTRAL_1 = new GenesysRegion('eu-central-1');
  /** EMEA (Zurich): euc2.pure.cloud. */
  public static readonly EU_CENTRAL_2 = new GenesysRegion('eu-central-2');
  /** EMEA (European Sovereign Cloud, Germany): edee1.eusc-pure.cloud. */
  public static readonly EUSC_DE_EAST_1 = new GenesysRegion('eusc-de-east-1');
  /** EMEA (UAE): mec1.pure.cloud. */
  public static readonly ME_CENTRAL_1 = new GenesysRegion('me-central-1');
  /** Asia Pacific (Mumbai): aps1.pure.cloud. */
  public static readonly AP_SOUTH_1 = new GenesysRegion('ap-south-1');
  /** Asia Pacific (Singapore): apse1.pure.cloud. */
  public static readonly AP_SOUTHEAST_1 = new GenesysRegion('ap-southeast-1');
  /** Asia Pacific (Sydney): mypurecloud.com.au. */
  public static readonly AP_SOUTHEAST_2 = new GenesysRegion('ap-southeast-2');
  /** Asia Pacific (Tokyo): mypurecloud.jp. */
  public static readonly AP_NORTHEAST_1 = new GenesysRegion('ap-northeast-1');
  /** Asia Pacific (Seoul): apne2.pure.cloud. */
  public static readonly AP_NORTHEAST_2 = new GenesysRegion('ap-northeast-2');
  /** Asia Pacific (Osaka): apne3.pure.cloud. */
  public static readonly AP_NORTHEAST_3 = new GenesysRegion('ap-northeast-3');

  /**
   * A Genesys Cloud region by its code, such as `eu-central-1`.
   *
   * A token (for example a CloudFormation parameter) is accepted as is and checked by the
   * lifecycle handler at deploy time.
   *
   * @param code the region code, one of the codes of the static constants of this class
   */
  public static of(code: string): GenesysRegion {
    if (!Token.isUnresolved(code)) {
      const problem = checkGenesysRegion(code, 'GenesysRegion.of(code)');
      if (problem) throw new Error(problem);
    }
    return new GenesysRegion(code);
  }

  /**
   * A Genesys Cloud environment reached at explicit endpoints, for private deployments and for
   * tests against an emulator.
   */
  public static custom(options: GenesysCustomEndpointOptions): GenesysRegion {
    const checks: Array<[string | undefined, string]> = [
      [options.apiEndpoint, 'apiEndpoint'],
      [options.loginEndpoint, 'loginEndpoint'],
    ];
    for (const [value, property] of checks) {
      if (value === undefined || Token.isUnresolved(value)) continue;
      const problem = checkEndpoint(value, `GenesysRegion.custom(${property})`);
      if (problem) throw new Error(problem);
    }
    return new GenesysRegion(undefined, options.apiEndpoint, options.loginEndpoint);
  }

  /** The region code, such as `us-east-1`; absent for a custom endpoint. */
  public readonly regionCode?: string;

  /**
   * Base URL of the Platform API, e.g. `https://api.mypurecloud.com`; absent when the region code
   * is a token, which the handler resolves at deploy time.
   */
  public readonly apiEndpoint?: string;

  /**
   * Base URL of the OAuth server, e.g. `https://login.mypurecloud.com`; absent when the region
   * code is a token, which the handler resolves at deploy time.
   */
  public readonly loginEndpoint?: string;

  private readonly isCustom: boolean;

  private constructor(regionCode?: string, apiEndpoint?: string, loginEndpoint?: string) {
    this.regionCode = regionCode;
    this.isCustom = regionCode === undefined;
    if (regionCode !== undefined) {
      const endpoints = Token.isUnresolved(regionCode) ? undefined : endpointsOfRegion(regionCode);
      this.apiEndpoint = endpoints?.apiBaseUrl;
      this.loginEndpoint = endpoints?.loginBaseUrl;
    } else {
      this.apiEndpoint = trimSlash(apiEndpoint!);
      this.loginEndpoint = trimSlash(loginEndpoint ?? apiEndpoint!);
    }
  }

  /** The region code, or the API endpoint of a custom environment. */
  public toString(): string {
    return this.regionCode ?? this.apiEndpoint!;
  }

  /**
   * The properties the custom resource carries for this region.
   *
   * @internal
   */
  public _toProperties(): GenesysRegionProperties {
    if (!this.isCustom) return { GenesysRegion: this.regionCode };
    return {
      GenesysApiEndpoint: this.apiEndpoint,
      GenesysLoginEndpoint:
        this.loginEndpoint === this.apiEndpoint ? undefined : this.loginEndpoint,
    };
  }
}

function trimSlash(url: string): string {
  return Token.isUnresolved(url) ? url : url.replace(/\/+$/, '');
}
