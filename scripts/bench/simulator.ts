/**
 * A simulated AWS for the scale benchmark, plugged into REAL SDK clients as middleware.
 *
 * Why middleware and not aws-sdk-client-mock: the mock replaces `client.send` whole, so the SDK's
 * retry middleware never runs. Measured here (SDK 3.11xx): a `callsFake` throwing an error named
 * RequestLimitExceeded with `$metadata` and `$retryable: { throttling: true }` reached the caller on
 * the first attempt. The same error thrown from a middleware placed in the `finalizeRequest` step at
 * low priority (after the retry middleware, before the HTTP handler) was retried with backoff
 * (`$metadata.attempts: 2`). So the benchmark builds its clients with Minewatch's own
 * `createClientFactory` (adaptive retry, 8 attempts) and adds this middleware to each: the command
 * input the collector built, the paginators, the retry strategy and the SigV4 signing all run for
 * real; only the HTTP round trip (and the response parsing) is simulated.
 *
 * What it enforces, per AWS's documentation:
 * - EC2: a token bucket per account and region. Non-mutating (paginated or filtered Describe*,
 *   DescribeInstanceAttribute) 100 tokens, refill 20/s; unpaginated describes 50 tokens, 10/s.
 *   An empty bucket answers RequestLimitExceeded, which the SDK retries with backoff.
 * - CloudWatch GetMetricData: at most 500 queries and 100,800 data points per call (ValidationError,
 *   not retryable), and ~50 TPS per region (ThrottlingException). ListMetrics ~25 TPS.
 * - Cost Explorer: one endpoint, ~5 requests/s (LimitExceededException).
 * - CloudTrail LookupEvents: 2 requests/s per region (ThrottlingException).
 * Every call waits `latencyMs` first, throttled or not, as a real round trip would.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ClientFactory } from "../../lambda/collect/clients.js";
import { createClientFactory } from "../../lambda/collect/clients.js";
import {
  costGroups,
  ENABLED_REGIONS,
  type GeneratedAccount,
  metricValue,
  NOT_OPTED_IN_REGIONS,
  TYPE_BY_NAME,
  userDataFor,
} from "./generate.js";

/** GetMetricData limits per call. */
export const SIM_GMD_MAX_QUERIES = 500;
export const SIM_GMD_MAX_POINTS = 100_800;
/**
 * Cost Explorer does not document its page size. Assumed: a page carries at most this many
 * (day x group) rows; pages are cut on day boundaries.
 */
export const CE_PAGE_ROWS = 2000;
export const LIST_METRICS_PAGE = 500;
export const ANOMALIES_PAGE = 100;

export interface BucketSpec {
  capacity: number;
  refillPerSecond: number;
}

/** Documented (or, for CloudWatch and Cost Explorer, default-quota) request rates. */
export const RATE_LIMITS = {
  ec2NonMutating: { capacity: 100, refillPerSecond: 20 },
  ec2Unpaginated: { capacity: 50, refillPerSecond: 10 },
  getMetricData: { capacity: 50, refillPerSecond: 50 },
  listMetrics: { capacity: 25, refillPerSecond: 25 },
  costExplorer: { capacity: 5, refillPerSecond: 5 },
  lookupEvents: { capacity: 2, refillPerSecond: 2 },
} as const satisfies Record<string, BucketSpec>;

/** AWS's token bucket: starts full, refills continuously up to its capacity, one token per call. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly spec: BucketSpec,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = spec.capacity;
    this.last = clock();
  }

  tryTake(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.spec.capacity, this.tokens + ((now - this.last) / 1000) * this.spec.refillPerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface ActionCount {
  /** Requests that reached the simulated endpoint, retries included. */
  sent: number;
  /** Of those, answered with a throttling error. */
  throttled: number;
  /** Of those, answered with another error (validation, unknown). */
  rejected: number;
}

/** An error shaped like an SDK v3 service exception, so the SDK's retry strategy can classify it. */
export class SimulatedAwsError extends Error {
  readonly $fault: "client" | "server";
  readonly $metadata: { httpStatusCode: number; requestId: string };
  readonly $retryable?: { throttling: boolean };

  constructor(name: string, message: string, status: number, throttling = false) {
    super(message);
    this.name = name;
    this.$fault = status >= 500 ? "server" : "client";
    this.$metadata = { httpStatusCode: status, requestId: "00000000-0000-4000-8000-000000000000" };
    if (throttling) this.$retryable = { throttling: true };
  }
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
const EC2_PAGINATED = new Set(["DescribeInstances", "DescribeInstanceTypes"]);
/** Services and EC2 actions whose lower bound the benchmark derives from the account itself. */
const DERIVED_SERVICES = new Set(["sts", "cloudwatch", "ce"]);
const DERIVED_EC2_ACTIONS = new Set([
  "DescribeRegions",
  "DescribeInstances",
  "DescribeInstanceTypes",
  "DescribeInstanceAttribute",
]);

export interface SimulatorOptions {
  account: GeneratedAccount;
  latencyMs: number;
  clock?: () => number;
  /** Other bucket sizes (tests); AWS's when absent. */
  limits?: Partial<Record<keyof typeof RATE_LIMITS, BucketSpec>>;
}

export class AwsSimulator {
  readonly calls = new Map<string, ActionCount>();
  /** GetMetricData queries in answered calls: what CloudWatch bills. */
  metricsRequested = 0;
  /**
   * For the calls the generated account answers empty (the section collectors' services), the
   * distinct requests by action (region and input, pagination aside): with nothing to page through,
   * one call per distinct request is the least that reads the same data.
   */
  readonly distinctRequests = new Map<string, Set<string>>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly account: GeneratedAccount;
  private readonly latencyMs: number;
  private readonly clock: () => number;
  private readonly limits: Record<keyof typeof RATE_LIMITS, BucketSpec>;

  constructor(options: SimulatorOptions) {
    this.account = options.account;
    this.latencyMs = options.latencyMs;
    this.clock = options.clock ?? (() => performance.now());
    this.limits = { ...RATE_LIMITS, ...options.limits };
  }

  /** Answered (not throttled, not rejected) requests of one action. */
  answered(action: string): number {
    const count = this.calls.get(action);
    return count ? count.sent - count.throttled - count.rejected : 0;
  }

  async handle(service: string, region: string, commandName: string, input: Input): Promise<Output> {
    const action = commandName.replace(/Command$/, "");
    const key =
      action === "DescribeInstanceAttribute"
        ? `${service}:${action}(${String(input.Attribute)})`
        : `${service}:${action}`;
    const count = this.calls.get(key) ?? { sent: 0, throttled: 0, rejected: 0 };
    this.calls.set(key, count);
    count.sent += 1;
    if (!DERIVED_SERVICES.has(service) && !DERIVED_EC2_ACTIONS.has(action)) {
      const { NextToken: _next, nextToken: _token, ...request } = input;
      const distinct = this.distinctRequests.get(key) ?? new Set<string>();
      distinct.add(`${region}|${JSON.stringify(request)}`);
      this.distinctRequests.set(key, distinct);
    }
    const bucket = this.bucketFor(service, region, action, input);
    const allowed = bucket ? bucket.tryTake() : true;
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    else await Promise.resolve();
    if (!allowed) {
      count.throttled += 1;
      throw throttlingError(service);
    }
    try {
      return this.answer(service, region, action, input);
    } catch (error) {
      count.rejected += 1;
      throw error;
    }
  }

  /** Adds the simulator to a real client: after retry, before the HTTP handler. */
  attach(client: AttachableClient, service: string, region: string): void {
    client.middlewareStack.add(
      (_next: unknown, context: { commandName?: string }) => async (args: { input: Input }) => {
        const output = await this.handle(service, region, context.commandName ?? "Unknown", args.input);
        return { output: { ...output, $metadata: { httpStatusCode: 200, requestId: "sim" } }, response: {} };
      },
      { step: "finalizeRequest", priority: "low", name: "minewatchBenchSimulator" },
    );
  }

  private bucketFor(service: string, region: string, action: string, input: Input): TokenBucket | undefined {
    let name: keyof typeof RATE_LIMITS | undefined;
    if (service === "ec2") {
      const unpaginated = EC2_PAGINATED.has(action) && input.MaxResults === undefined;
      name = unpaginated ? "ec2Unpaginated" : "ec2NonMutating";
    } else if (service === "cloudwatch") {
      name = action === "GetMetricData" ? "getMetricData" : "listMetrics";
    } else if (service === "ce") {
      name = "costExplorer";
      region = "us-east-1";
    } else if (service === "cloudtrail" && action === "LookupEvents") {
      name = "lookupEvents";
    }
    if (!name) return undefined;
    const key = `${name}:${region}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.limits[name], this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private answer(service: string, region: string, action: string, input: Input): Output {
    switch (`${service}:${action}`) {
      case "sts:GetCallerIdentity":
        return {
          Account: "123456789012",
          Arn: "arn:aws:sts::123456789012:assumed-role/minewatch/audit",
          UserId: "AROA",
        };
      case "ec2:DescribeRegions":
        return {
          Regions: [
            ...ENABLED_REGIONS.map((name) => ({ RegionName: name, OptInStatus: "opt-in-not-required" })),
            ...NOT_OPTED_IN_REGIONS.map((name) => ({ RegionName: name, OptInStatus: "not-opted-in" })),
          ],
        };
      case "ec2:DescribeInstances":
        return this.describeInstances(region, input);
      case "ec2:DescribeInstanceTypes":
        return describeInstanceTypes(input);
      case "ec2:DescribeInstanceAttribute":
        return this.describeInstanceAttribute(input);
      case "cloudwatch:ListMetrics":
        return this.listMetrics(region, input);
      case "cloudwatch:GetMetricData":
        return this.getMetricData(input);
      case "ce:GetCostAndUsage":
        return this.getCostAndUsage(input);
      case "ce:GetAnomalies":
        return this.getAnomalies(input);
      case "cloudtrail:LookupEvents":
        return { Events: [] };
      default:
        // A service a section collector reads that the generated account does not populate: empty.
        return {};
    }
  }

  private describeInstances(region: string, input: Input): Output {
    const maxResults = input.MaxResults as number | undefined;
    if (maxResults !== undefined && (maxResults < 5 || maxResults > 1000)) {
      throw new SimulatedAwsError("InvalidParameterValue", "MaxResults must be between 5 and 1000", 400);
    }
    const all = this.account.byRegion.get(region) ?? [];
    const offset = Number(input.NextToken ?? 0);
    const size = maxResults ?? all.length;
    const page = all.slice(offset, offset + size);
    const next = offset + size < all.length ? String(offset + size) : undefined;
    const reservations: Output[] = [];
    // Five instances per reservation, as launches of several instances produce.
    for (let i = 0; i < page.length; i += 5) {
      reservations.push({
        ReservationId: `r-0${(offset + i).toString(16).padStart(16, "d")}`,
        OwnerId: "123456789012",
        Instances: page.slice(i, i + 5).map((g) => ({
          InstanceId: g.instanceId,
          InstanceType: g.instanceType,
          ImageId: g.imageId,
          KeyName: g.keyName,
          LaunchTime: new Date(g.launchTimeMs),
          State: { Name: g.state, Code: g.state === "running" ? 16 : g.state === "stopped" ? 80 : 48 },
          SubnetId: g.subnetId,
          VpcId: g.vpcId,
          Placement: { AvailabilityZone: `${region}a` },
          PrivateIpAddress: `10.${g.index % 250}.${(g.index >> 8) % 250}.${g.index % 200}`,
          ...(g.state === "running" && g.wave ? { PublicIpAddress: "198.51.100.23" } : {}),
          Architecture: "x86_64",
          PlatformDetails: "Linux/UNIX",
          Tags: Object.entries(g.tags).map(([Key, Value]) => ({ Key, Value })),
        })),
      });
    }
    return { Reservations: reservations, ...(next ? { NextToken: next } : {}) };
  }

  private describeInstanceAttribute(input: Input): Output {
    const instance = this.account.byId.get(String(input.InstanceId));
    if (!instance) throw new SimulatedAwsError("InvalidInstanceID.NotFound", "instance not found", 400);
    if (input.Attribute === "userData") {
      const value = userDataFor(instance);
      return { InstanceId: instance.instanceId, UserData: value ? { Value: value } : {} };
    }
    if (input.Attribute === "disableApiTermination") {
      return { InstanceId: instance.instanceId, DisableApiTermination: { Value: instance.wave } };
    }
    return { InstanceId: instance.instanceId };
  }

  private listMetrics(region: string, input: Input): Output {
    const all: Output[] = [];
    for (const instance of this.account.byRegion.get(region) ?? []) {
      for (let gpu = 0; gpu < instance.gpuAgentSeries; gpu += 1) {
        all.push({
          Namespace: input.Namespace,
          MetricName: input.MetricName,
          Dimensions: [
            { Name: "InstanceId", Value: instance.instanceId },
            { Name: "index", Value: String(gpu) },
            { Name: "name", Value: TYPE_BY_NAME.get(instance.instanceType)?.gpuModel ?? "GPU" },
          ],
        });
      }
    }
    const offset = Number(input.NextToken ?? 0);
    const next = offset + LIST_METRICS_PAGE < all.length ? String(offset + LIST_METRICS_PAGE) : undefined;
    return { Metrics: all.slice(offset, offset + LIST_METRICS_PAGE), ...(next ? { NextToken: next } : {}) };
  }

  private getMetricData(input: Input): Output {
    const queries = (input.MetricDataQueries ?? []) as {
      Id?: string;
      MetricStat?: {
        Metric?: { MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] };
        Period?: number;
      };
    }[];
    if (queries.length > SIM_GMD_MAX_QUERIES) {
      throw new SimulatedAwsError(
        "ValidationError",
        `The collection MetricDataQueries must not have a size greater than ${SIM_GMD_MAX_QUERIES}.`,
        400,
      );
    }
    const start = (input.StartTime as Date).getTime();
    const end = (input.EndTime as Date).getTime();
    let points = 0;
    for (const q of queries) points += Math.ceil((end - start) / ((q.MetricStat?.Period ?? 300) * 1000));
    if (points > SIM_GMD_MAX_POINTS) {
      throw new SimulatedAwsError(
        "ValidationError",
        `${points} data points requested; at most ${SIM_GMD_MAX_POINTS} per call`,
        400,
      );
    }
    this.metricsRequested += queries.length;
    const results = queries.map((q) => {
      const metricName = q.MetricStat?.Metric?.MetricName ?? "";
      const id = q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === "InstanceId")?.Value ?? "";
      const instance = this.account.byId.get(id);
      const periodMs = (q.MetricStat?.Period ?? 300) * 1000;
      const timestamps: Date[] = [];
      const values: number[] = [];
      if (instance) {
        for (let t = start; t < end; t += periodMs) {
          const value = metricValue(instance, metricName, t);
          if (value === undefined) continue;
          timestamps.push(new Date(t));
          values.push(value);
        }
      }
      return { Id: q.Id, Label: metricName, Timestamps: timestamps, Values: values, StatusCode: "Complete" };
    });
    return { MetricDataResults: results, Messages: [] };
  }

  private getCostAndUsage(input: Input): Output {
    const groupBy = (input.GroupBy ?? []) as { Key?: string }[];
    if (groupBy.length > 2) throw new SimulatedAwsError("ValidationException", "GroupBy takes at most 2 groups", 400);
    const period = input.TimePeriod as { Start: string; End: string };
    const startDay = Date.parse(period.Start);
    const days = Math.round((Date.parse(period.End) - startDay) / DAY_MS);
    const keys = groupBy.map((g) => g.Key ?? "");
    const groupsOn = (day: number): { Keys: string[]; amount: number }[] => {
      const first = costGroups(this.account, keys[0] ?? "", day, days);
      if (keys.length < 2) return first.map(([name, amount]) => ({ Keys: [name], amount }));
      const second = costGroups(this.account, keys[1] ?? "", day, days);
      return first.flatMap(([a, x]) => second.map(([b, y]) => ({ Keys: [a, b], amount: (x * y) / 1000 })));
    };
    const perDay = Math.max(1, groupsOn(days - 1).length);
    const daysPerPage = Math.max(1, Math.floor(CE_PAGE_ROWS / perDay));
    const from = Number(input.NextPageToken ?? 0);
    const to = Math.min(days, from + daysPerPage);
    const results: Output[] = [];
    for (let day = from; day < to; day += 1) {
      const dayStart = new Date(startDay + day * DAY_MS).toISOString().slice(0, 10);
      const dayEnd = new Date(startDay + (day + 1) * DAY_MS).toISOString().slice(0, 10);
      results.push({
        TimePeriod: { Start: dayStart, End: dayEnd },
        Total: {},
        Groups: groupsOn(day).map((g) => ({
          Keys: g.Keys,
          Metrics: { UnblendedCost: { Amount: g.amount.toFixed(4), Unit: "USD" } },
        })),
        Estimated: day >= days - 1,
      });
    }
    return {
      ResultsByTime: results,
      GroupDefinitions: groupBy,
      DimensionValueAttributes: [],
      ...(to < days ? { NextPageToken: String(to) } : {}),
    };
  }

  private getAnomalies(input: Input): Output {
    const waveRegion = this.account.instances.find((i) => i.wave && i.region !== "us-east-1")?.region ?? "us-east-2";
    const interval = input.DateInterval as { EndDate?: string };
    const end = interval.EndDate ?? this.account.windowEnd.toISOString().slice(0, 10);
    return {
      Anomalies: [
        {
          AnomalyId: "anom-0001",
          AnomalyStartDate: new Date(Date.parse(end) - DAY_MS).toISOString().slice(0, 10),
          AnomalyEndDate: end,
          DimensionValue: "Amazon Elastic Compute Cloud - Compute",
          MonitorArn: "arn:aws:ce::123456789012:anomalymonitor/abc",
          AnomalyScore: { MaxScore: 0.98, CurrentScore: 0.97 },
          Impact: { MaxImpact: 812.5, TotalImpact: 1430.2 },
          RootCauses: [
            {
              Service: "Amazon Elastic Compute Cloud - Compute",
              Region: waveRegion,
              UsageType: "BoxUsage:p3.16xlarge",
            },
          ],
        },
      ],
    };
  }
}

function throttlingError(service: string): SimulatedAwsError {
  if (service === "ec2") return new SimulatedAwsError("RequestLimitExceeded", "Request limit exceeded.", 503, true);
  if (service === "ce") return new SimulatedAwsError("LimitExceededException", "Rate exceeded", 400, true);
  return new SimulatedAwsError("ThrottlingException", "Rate exceeded", 400, true);
}

function describeInstanceTypes(input: Input): Output {
  const names = (input.InstanceTypes ?? []) as string[];
  if (names.length > 100) {
    throw new SimulatedAwsError("InvalidParameterValue", "at most 100 instance types per call", 400);
  }
  const maxResults = (input.MaxResults as number | undefined) ?? 100;
  const offset = Number(input.NextToken ?? 0);
  const known = names.filter((name) => TYPE_BY_NAME.has(name));
  const page = known.slice(offset, offset + maxResults);
  const next = offset + maxResults < known.length ? String(offset + maxResults) : undefined;
  return {
    InstanceTypes: page.map((name) => {
      const spec = TYPE_BY_NAME.get(name);
      return {
        InstanceType: name,
        VCpuInfo: { DefaultVCpus: spec?.vcpus ?? 0 },
        MemoryInfo: { SizeInMiB: spec?.memoryMiB ?? 0 },
        ...(spec && spec.gpus > 0
          ? {
              GpuInfo: {
                Gpus: [{ Name: spec.gpuModel?.split(" ")[1], Manufacturer: "NVIDIA", Count: spec.gpus }],
              },
            }
          : {}),
      };
    }),
    ...(next ? { NextToken: next } : {}),
  };
}

/** The part of an SDK client the simulator needs: its middleware stack. */
export interface AttachableClient {
  middlewareStack: {
    add(
      middleware: (
        next: unknown,
        context: { commandName?: string },
      ) => (args: { input: Input }) => Promise<{ output: Output; response: unknown }>,
      options: { step: "finalizeRequest"; priority: "low"; name: string },
    ): void;
  };
}

/**
 * Minewatch's real ClientFactory (same retry settings as production) with every client answered
 * by the simulator. Static fake credentials: requests are signed, never sent.
 */
export function simulatedClientFactory(simulator: AwsSimulator): ClientFactory {
  const real = createClientFactory({ credentials: { accessKeyId: "AKIABENCHMARK0000000", secretAccessKey: "bench" } });
  const attached = new WeakSet<object>();
  const wrap =
    <A extends unknown[], C extends object>(
      service: string,
      build: (...args: A) => C,
      regionOf: (...args: A) => string,
    ) =>
    (...args: A): C => {
      const client = build(...args);
      if (!attached.has(client)) {
        simulator.attach(client as unknown as AttachableClient, service, regionOf(...args));
        attached.add(client);
      }
      return client;
    };
  const global = () => "us-east-1";
  const regional = (region: string) => region;
  return {
    ec2: wrap("ec2", real.ec2, regional),
    cloudWatch: wrap("cloudwatch", real.cloudWatch, regional),
    costExplorer: wrap("ce", real.costExplorer, global),
    sts: wrap("sts", real.sts, (region?: string) => region ?? "us-east-1"),
    cloudTrail: wrap("cloudtrail", real.cloudTrail, regional),
    guardDuty: wrap("guardduty", real.guardDuty, regional),
    ecs: wrap("ecs", real.ecs, regional),
    lambda: wrap("lambda", real.lambda, regional),
    sageMaker: wrap("sagemaker", real.sageMaker, regional),
    codeBuild: wrap("codebuild", real.codeBuild, regional),
    amplify: wrap("amplify", real.amplify, regional),
    autoScaling: wrap("autoscaling", real.autoScaling, regional),
    s3: wrap("s3", real.s3, regional),
    cloudFront: wrap("cloudfront", real.cloudFront, global),
    organizations: wrap("organizations", real.organizations, global),
  };
}
