/**
 * The one place that builds AWS SDK clients. Collectors receive a ClientFactory and never construct
 * clients themselves, so tests inject mocks and a new set of credentials always means new clients.
 *
 * Clients are cached per factory instance (one per region and service), never at module level.
 */
import { AmplifyClient } from "@aws-sdk/client-amplify";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { CostExplorerClient } from "@aws-sdk/client-cost-explorer";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { GuardDutyClient } from "@aws-sdk/client-guardduty";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** Cost Explorer has a single endpoint, in us-east-1 (aws partition). */
export const COST_EXPLORER_REGION = "us-east-1";
/** Global services (IAM events in CloudTrail, CloudFront, Organizations) answer in us-east-1. */
export const GLOBAL_REGION = "us-east-1";

export interface ClientFactory {
  ec2(region: string): EC2Client;
  cloudWatch(region: string): CloudWatchClient;
  costExplorer(): CostExplorerClient;
  sts(region?: string): STSClient;
  cloudTrail(region: string): CloudTrailClient;
  guardDuty(region: string): GuardDutyClient;
  ecs(region: string): ECSClient;
  lambda(region: string): LambdaClient;
  sageMaker(region: string): SageMakerClient;
  codeBuild(region: string): CodeBuildClient;
  amplify(region: string): AmplifyClient;
  autoScaling(region: string): AutoScalingClient;
  s3(region: string): S3Client;
  cloudFront(): CloudFrontClient;
  organizations(): OrganizationsClient;
  /**
   * The region of the caller (the Lambda's, or AWS_REGION for the CLI): where account-wide EC2
   * calls go. us-east-1 when absent.
   */
  readonly homeRegion?: string;
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

interface ClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: "adaptive";
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export function createClientFactory(options: ClientFactoryOptions = {}): ClientFactory {
  const common = {
    maxAttempts: options.maxAttempts ?? 8,
    retryMode: "adaptive" as const,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const cache = new Map<string, unknown>();
  /** One client per service and region for the life of this factory. */
  function client<T>(Client: new (config: ClientConfig) => T, region: string): T {
    const key = `${Client.name}:${region}`;
    let built = cache.get(key) as T | undefined;
    if (built === undefined) {
      built = new Client({ ...common, region });
      cache.set(key, built);
    }
    return built;
  }
  return {
    ec2: (region) => client(EC2Client, region),
    cloudWatch: (region) => client(CloudWatchClient, region),
    costExplorer: () => client(CostExplorerClient, COST_EXPLORER_REGION),
    sts: (region) => client(STSClient, region ?? options.defaultRegion ?? GLOBAL_REGION),
    cloudTrail: (region) => client(CloudTrailClient, region),
    guardDuty: (region) => client(GuardDutyClient, region),
    ecs: (region) => client(ECSClient, region),
    lambda: (region) => client(LambdaClient, region),
    sageMaker: (region) => client(SageMakerClient, region),
    codeBuild: (region) => client(CodeBuildClient, region),
    amplify: (region) => client(AmplifyClient, region),
    autoScaling: (region) => client(AutoScalingClient, region),
    s3: (region) => client(S3Client, region),
    cloudFront: () => client(CloudFrontClient, GLOBAL_REGION),
    organizations: () => client(OrganizationsClient, GLOBAL_REGION),
    homeRegion: options.defaultRegion ?? GLOBAL_REGION,
  };
}
