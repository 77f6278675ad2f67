/**
 * The one place that builds AWS SDK clients. Collectors receive a ClientFactory and never construct
 * clients themselves, so tests inject mocks and a new set of credentials always means new clients.
 *
 * Clients are cached per factory instance (one per region and service), never at module level.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CostExplorerClient } from "@aws-sdk/client-cost-explorer";
import { EC2Client } from "@aws-sdk/client-ec2";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** Cost Explorer has a single endpoint, in us-east-1 (aws partition). */
export const COST_EXPLORER_REGION = "us-east-1";

export interface ClientFactory {
  ec2(region: string): EC2Client;
  cloudWatch(region: string): CloudWatchClient;
  costExplorer(): CostExplorerClient;
  sts(region?: string): STSClient;
}

export interface ClientFactoryOptions {
  /** Credentials or a provider; the default credential chain when absent. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * Attempts per call including the first (the SDK's standard retry with backoff handles
   * throttling). 8 rides out EC2's RequestLimitExceeded bursts without hanging a run for minutes.
   */
  maxAttempts?: number;
  /** Region used for global calls (STS, DescribeRegions). */
  defaultRegion?: string;
}

export function createClientFactory(options: ClientFactoryOptions = {}): ClientFactory {
  const maxAttempts = options.maxAttempts ?? 8;
  const common = {
    maxAttempts,
    retryMode: "adaptive" as const,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const cache = new Map<string, unknown>();
  function cached<T>(key: string, build: () => T): T {
    let client = cache.get(key) as T | undefined;
    if (client === undefined) {
      client = build();
      cache.set(key, client);
    }
    return client;
  }
  return {
    ec2: (region) => cached(`ec2:${region}`, () => new EC2Client({ ...common, region })),
    cloudWatch: (region) => cached(`cw:${region}`, () => new CloudWatchClient({ ...common, region })),
    costExplorer: () => cached("ce", () => new CostExplorerClient({ ...common, region: COST_EXPLORER_REGION })),
    sts: (region) =>
      cached(
        `sts:${region ?? ""}`,
        () => new STSClient({ ...common, region: region ?? options.defaultRegion ?? "us-east-1" }),
      ),
  };
}
