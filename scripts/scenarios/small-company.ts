/**
 * The ordinary account behind the ambersquid-campaign and leaked-key-asg scenarios: a small web
 * company in eu-west-1 (web servers, a database, a 90-day bill), plus helpers to write the attacker's
 * CloudTrail events and the coverage a real run would leave. Deterministic, like everything in
 * scripts/scenarios.
 */
import type { CloudTrailEvent } from "../../lambda/core/sections/cloudtrail.js";
import type {
  AccountSnapshotInput,
  CoverageEntry,
  InstanceMetrics,
  InstanceTypeInfo,
} from "../../lambda/core/snapshot.js";
import {
  CostLedger,
  DAY_MS,
  dayRange,
  daysBefore,
  diurnalLoad,
  hoursBefore,
  metricSeries,
  Rng,
  SERVICE,
  seedFrom,
  stableId,
} from "./lib.js";

export type InstanceInput = NonNullable<AccountSnapshotInput["instances"]>[number];

export const HOME_REGION = "eu-west-1";
/** Regions enabled in the account (DescribeRegions); opt-in regions are not. */
export const ENABLED_REGIONS = [
  "ap-northeast-1",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
];
export const NOT_OPTED_IN_REGIONS = ["af-south-1", "ap-east-1", "me-south-1"];
export const COST_DAYS = 60;

export const INSTANCE_TYPES: Record<string, InstanceTypeInfo> = {
  "t3.large": { vcpus: 2, memoryMiB: 8192, gpus: 0, accelerators: 0 },
  "r6i.xlarge": { vcpus: 4, memoryMiB: 32768, gpus: 0, accelerators: 0 },
  "c5.9xlarge": { vcpus: 36, memoryMiB: 73728, gpus: 0, accelerators: 0 },
  "g4dn.12xlarge": { vcpus: 48, memoryMiB: 196608, gpus: 4, gpuModel: "NVIDIA T4", accelerators: 0 },
};
/** On-demand Linux list prices in USD per hour (us-east-2 and eu-west-1, 2026). */
export const HOURLY_USD: Record<string, number> = {
  "t3.large": 0.0912,
  "r6i.xlarge": 0.282,
  "c5.9xlarge": 1.53,
  "g4dn.12xlarge": 3.912,
};

export interface HomeWorkload {
  instances: InstanceInput[];
  byInstance: Record<string, InstanceMetrics>;
}

/** Three web servers and a database, running for months; CPU follows the day. */
export function homeWorkload(windowEnd: string): HomeWorkload {
  const instances: InstanceInput[] = [];
  const byInstance: Record<string, InstanceMetrics> = {};
  const servers = [
    { name: "web-1", type: "t3.large", base: 12, peak: 35 },
    { name: "web-2", type: "t3.large", base: 12, peak: 35 },
    { name: "web-3", type: "t3.large", base: 12, peak: 35 },
    { name: "db-primary", type: "r6i.xlarge", base: 20, peak: 45 },
  ];
  for (const server of servers) {
    const id = stableId("i", `home:${server.name}`);
    const rng = new Rng(seedFrom(`home:${server.name}`));
    instances.push({
      instanceId: id,
      region: HOME_REGION,
      instanceType: server.type,
      state: "running",
      launchTime: daysBefore(windowEnd, 180 + rng.int(0, 40)),
      imageId: stableId("ami", "home:al2023"),
      keyName: "ops-2025",
      vpcId: stableId("vpc", "home"),
      subnetId: stableId("subnet", `home:${server.name}`),
      iamInstanceProfileArn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/${server.name.startsWith("db") ? "db" : "web-app"}`,
      tags: { Name: server.name, Environment: "production", Owner: "platform-team" },
    });
    byInstance[id] = {
      cpu: metricSeries({
        start: daysBefore(windowEnd, 21),
        end: windowEnd,
        value: (ms) =>
          Math.round((server.base + (server.peak - server.base) * diurnalLoad(ms, 14) + rng.normal(0, 2)) * 10) / 10,
      }),
    };
  }
  return { instances, byInstance };
}

export const ACCOUNT_ID = "210987654321";

/** The small company's bill: EC2 and the usual extras in eu-west-1, all quarter. */
export function homeCosts(windowEnd: string): CostLedger {
  const days = dayRange(windowEnd.slice(0, 10), COST_DAYS);
  const ledger = new CostLedger(days);
  const rng = new Rng(seedFrom("home:costs"));
  ledger.addDaily(
    { region: HOME_REGION, service: SERVICE.ec2Compute, instanceType: "t3.large" },
    () => 3 * 24 * 0.0912,
  );
  ledger.addDaily({ region: HOME_REGION, service: SERVICE.ec2Compute, instanceType: "r6i.xlarge" }, () => 24 * 0.282);
  const other = [
    { service: SERVICE.ec2Other, perDay: 6.4 },
    { service: SERVICE.s3, perDay: 4.1 },
    { service: SERVICE.elb, perDay: 2.9 },
    { service: SERVICE.cloudWatch, perDay: 1.2 },
    { service: SERVICE.lambda, perDay: 0.6 },
  ];
  for (const line of other) {
    ledger.addDaily({ region: HOME_REGION, service: line.service }, () => line.perDay * rng.uniform(0.9, 1.1));
  }
  return ledger;
}

/** Hours of `from`..`to` that Cost Explorer has processed by `billedUntil` (it lags by hours). */
export function billedHours(from: string, to: string, billedUntil: string): number {
  return Math.max(0, (Math.min(Date.parse(to), Date.parse(billedUntil)) - Date.parse(from)) / (DAY_MS / 24));
}

export interface Attacker {
  userName: string;
  accessKeyId: string;
  sourceIp: string;
  userAgent: string;
}

/** One CloudTrail event by the attacker, as the CloudTrail collector normalizes it. */
export function attackerEvent(
  attacker: Attacker,
  eventName: string,
  eventSource: string,
  region: string,
  eventTime: string,
  extra: Partial<Pick<CloudTrailEvent, "resources" | "request" | "errorCode" | "errorMessage">> = {},
): CloudTrailEvent {
  return {
    eventId: stableId("ev", `${eventName}:${region}:${eventTime}:${JSON.stringify(extra.resources ?? [])}`).slice(3),
    eventTime,
    eventName,
    eventSource,
    region,
    principal: {
      type: "IAMUser",
      arn: `arn:aws:iam::${ACCOUNT_ID}:user/${attacker.userName}`,
      accountId: ACCOUNT_ID,
      userName: attacker.userName,
      accessKeyId: attacker.accessKeyId,
    },
    sourceIpAddress: attacker.sourceIp,
    userAgent: attacker.userAgent,
    resources: extra.resources ?? [],
    request: extra.request ?? {},
    ...(extra.errorCode ? { errorCode: extra.errorCode } : {}),
    ...(extra.errorMessage ? { errorMessage: extra.errorMessage } : {}),
  };
}

/** The coverage a complete run leaves: every enabled region read, opt-in regions skipped. */
export function fullCoverage(
  instancesPerRegion: (region: string) => number,
  sectionApis: { service: string; api: string }[],
): CoverageEntry[] {
  const entries: CoverageEntry[] = [
    { region: "global", service: "sts", api: "GetCallerIdentity", status: "ok" },
    { region: "global", service: "ec2", api: "DescribeRegions", status: "ok" },
    { region: "global", service: "ce", api: "GetCostAndUsage", status: "ok" },
    { region: "global", service: "ce", api: "GetAnomalies", status: "ok" },
  ];
  for (const region of ENABLED_REGIONS) {
    const count = instancesPerRegion(region);
    entries.push({ region, service: "ec2", api: "DescribeInstances", status: "ok", message: `${count} instances` });
    if (count > 0) {
      entries.push({ region, service: "ec2", api: "DescribeInstanceTypes", status: "ok" });
      entries.push({ region, service: "cloudwatch", api: "GetMetricData", status: "ok" });
    }
    entries.push({ region, service: "cloudtrail", api: "LookupEvents", status: "ok" });
    for (const { service, api } of sectionApis) entries.push({ region, service, api, status: "ok" });
  }
  for (const region of NOT_OPTED_IN_REGIONS) {
    entries.push({
      region,
      service: "ec2",
      api: "DescribeInstances",
      status: "skipped",
      reason: "not-opted-in",
      message: `${region} is an opt-in region this account has not enabled: nothing can run there.`,
    });
  }
  return entries;
}

export { hoursBefore };
