/**
 * A whole scenario account from a short description: the benchmark corpus has two dozen accounts,
 * and each generator (scripts/scenarios/<name>.ts) should only say what is particular about its
 * story. This module fills in the rest the way a real collector run would: an instance catalog with
 * DescribeInstanceTypes facts and on-demand prices, hourly metric history, a 90-day Cost Explorer
 * ledger in which every running instance is billed (with the usual lag), background spend of an
 * ordinary company, and honest coverage entries (opt-in regions, denied APIs, missing GPU agents).
 *
 * Deterministic like everything built on lib.ts: noise comes from streams seeded by resource names.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { redactSecrets } from "../../lambda/core/redact.js";
import type { CloudTrailEvent } from "../../lambda/core/sections/cloudtrail.js";
import {
  type AccountSnapshot,
  type AccountSnapshotInput,
  AccountSnapshotSchema,
  type CostAnomaly,
  type CoverageEntry,
  type Instance,
  type InstanceMetrics,
  type InstanceTypeInfo,
  SNAPSHOT_SCHEMA_VERSION,
} from "../../lambda/core/snapshot.js";
import {
  CostLedger,
  DAY_MS,
  dayRange,
  floorToHour,
  HOUR_MS,
  hoursBefore,
  iso,
  isWeekend,
  metricSeries,
  percent,
  Rng,
  regionList,
  SERVICE,
  seedFrom,
  stableId,
  storedUserData,
  writeCompactJson,
} from "./lib.js";

export const SCENARIOS_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../scenarios");

/** The 17 regions enabled by default in every account. */
export const DEFAULT_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "sa-east-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
] as const;

/** Opt-in regions (launched after March 2019): disabled unless the account enabled them. */
export const OPT_IN_REGIONS = [
  "af-south-1",
  "ap-east-1",
  "ap-south-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-7",
  "ca-west-1",
  "eu-central-2",
  "eu-south-1",
  "eu-south-2",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
] as const;

interface CatalogEntry {
  info: InstanceTypeInfo;
  /** On-demand Linux price in us-east-1, USD per hour. */
  usd: number;
}

const cpuOnly = (vcpus: number, memoryGiB: number, usd: number): CatalogEntry => ({
  info: { vcpus, memoryMiB: memoryGiB * 1024, gpus: 0, accelerators: 0 },
  usd,
});
const withGpus = (vcpus: number, memoryGiB: number, gpus: number, gpuModel: string, usd: number): CatalogEntry => ({
  info: { vcpus, memoryMiB: memoryGiB * 1024, gpus, gpuModel, accelerators: 0 },
  usd,
});

/** DescribeInstanceTypes facts and us-east-1 on-demand Linux prices (late 2026 list prices). */
export const CATALOG: Record<string, CatalogEntry> = {
  "t3.micro": cpuOnly(2, 1, 0.0104),
  "t3.medium": cpuOnly(2, 4, 0.0416),
  "t3.large": cpuOnly(2, 8, 0.0832),
  "t3.xlarge": cpuOnly(4, 16, 0.1664),
  "m5.large": cpuOnly(2, 8, 0.096),
  "m5.xlarge": cpuOnly(4, 16, 0.192),
  "m5.2xlarge": cpuOnly(8, 32, 0.384),
  "m5.4xlarge": cpuOnly(16, 64, 0.768),
  "m6i.large": cpuOnly(2, 8, 0.096),
  "m6i.xlarge": cpuOnly(4, 16, 0.192),
  "m6i.2xlarge": cpuOnly(8, 32, 0.384),
  "c5.large": cpuOnly(2, 4, 0.085),
  "c5.xlarge": cpuOnly(4, 8, 0.17),
  "c5.2xlarge": cpuOnly(8, 16, 0.34),
  "c5.4xlarge": cpuOnly(16, 32, 0.68),
  "c5.9xlarge": cpuOnly(36, 72, 1.53),
  "c5.18xlarge": cpuOnly(72, 144, 3.06),
  "c5a.24xlarge": cpuOnly(96, 192, 3.696),
  "c6i.2xlarge": cpuOnly(8, 16, 0.34),
  "c6i.4xlarge": cpuOnly(16, 32, 0.68),
  "c6i.8xlarge": cpuOnly(32, 64, 1.36),
  "c6a.8xlarge": cpuOnly(32, 64, 1.224),
  "c6a.16xlarge": cpuOnly(64, 128, 2.448),
  "hpc6a.48xlarge": cpuOnly(96, 384, 2.88),
  "r5.2xlarge": cpuOnly(8, 64, 0.504),
  "r6i.large": cpuOnly(2, 16, 0.126),
  "r6i.xlarge": cpuOnly(4, 32, 0.252),
  "r6i.2xlarge": cpuOnly(8, 64, 0.504),
  "g4dn.xlarge": withGpus(4, 16, 1, "T4", 0.526),
  "g4dn.2xlarge": withGpus(8, 32, 1, "T4", 0.752),
  "g4dn.12xlarge": withGpus(48, 192, 4, "T4", 3.912),
  "g5.2xlarge": withGpus(8, 32, 1, "A10G", 1.212),
  "g5.12xlarge": withGpus(48, 192, 4, "A10G", 5.672),
  "g5.48xlarge": withGpus(192, 768, 8, "A10G", 16.288),
  "p3.2xlarge": withGpus(8, 61, 1, "V100", 3.06),
  "p3.8xlarge": withGpus(32, 244, 4, "V100", 12.24),
  "p3.16xlarge": withGpus(64, 488, 8, "V100", 24.48),
  "p4d.24xlarge": withGpus(96, 1152, 8, "A100", 32.7726),
};

/** On-demand price relative to us-east-1 (what the regional price pages show for m5/c5/g4dn). */
const REGION_PRICE_FACTOR: Record<string, number> = {
  "us-east-1": 1,
  "us-east-2": 1,
  "us-west-2": 1,
  "us-west-1": 1.17,
  "ca-central-1": 1.1,
  "sa-east-1": 1.54,
  "eu-west-1": 1.11,
  "eu-west-2": 1.16,
  "eu-west-3": 1.17,
  "eu-central-1": 1.19,
  "eu-north-1": 1.05,
  "ap-south-1": 1.05,
  "ap-northeast-1": 1.29,
  "ap-northeast-2": 1.23,
  "ap-northeast-3": 1.29,
  "ap-southeast-1": 1.38,
  "ap-southeast-2": 1.25,
  "me-central-1": 1.21,
};

/** Cost Explorer usage-type prefixes (USE2-BoxUsage:g4dn.12xlarge). */
const USAGE_PREFIX: Record<string, string> = {
  "us-east-1": "",
  "us-east-2": "USE2-",
  "us-west-1": "USW1-",
  "us-west-2": "USW2-",
  "ca-central-1": "CAN1-",
  "sa-east-1": "SAE1-",
  "eu-west-1": "EU-",
  "eu-west-2": "EUW2-",
  "eu-west-3": "EUW3-",
  "eu-central-1": "EUC1-",
  "eu-north-1": "EUN1-",
  "ap-south-1": "APS3-",
  "ap-northeast-1": "APN1-",
  "ap-northeast-2": "APN2-",
  "ap-northeast-3": "APN3-",
  "ap-southeast-1": "APS1-",
  "ap-southeast-2": "APS2-",
  "me-central-1": "MEC1-",
};

export function boxUsageType(region: string, instanceType: string): string {
  return `${USAGE_PREFIX[region] ?? ""}BoxUsage:${instanceType}`;
}

export function typeInfo(instanceType: string): InstanceTypeInfo {
  const entry = CATALOG[instanceType];
  if (!entry) throw new Error(`${instanceType} is not in the scenario catalog`);
  return entry.info;
}

/** On-demand Linux price of `instanceType` in `region`, USD per hour. */
export function hourlyUsd(region: string, instanceType: string): number {
  const entry = CATALOG[instanceType];
  const factor = REGION_PRICE_FACTOR[region];
  if (!entry || factor === undefined) throw new Error(`no price for ${instanceType} in ${region}`);
  return Math.round(entry.usd * factor * 10000) / 10000;
}

/** Spot instances bill at a fraction of on-demand (about 30-40 % for these families). */
export const SPOT_PRICE_FACTOR = 0.36;

// ---------------------------------------------------------------------------------------------
// The description a generator writes

export type Shape = (ms: number, rng: Rng) => number;

export interface WorkloadSpec {
  /** Logical name: the instance id and the noise stream derive from it. */
  name: string;
  region: string;
  instanceType: string;
  launchTime: string;
  /** Default running. */
  state?: Instance["state"];
  /** When it stopped or terminated (ISO); metrics and billing end there. */
  endTime?: string;
  tags?: Record<string, string>;
  /** Instance profile name (the ARN is built with the account id). */
  instanceProfile?: string;
  autoScalingGroup?: string;
  /** Launch template name: its id derives from the name and region. */
  launchTemplate?: string;
  keyName?: string;
  lifecycle?: "spot";
  spotInstanceRequestId?: string;
  /** Public IPv4 /16 prefixes to draw an address from. */
  publicIpPrefixes?: string[];
  /** Original user data; stored redacted as the collector stores it. */
  userData?: string;
  terminationProtection?: boolean;
  /** AMI logical name (default: derived from the workload name without its trailing number). */
  image?: string;
  /** VPC logical name (default: "main" in home regions, "default-<region>" elsewhere). */
  vpc?: string;
  /** CPU percent for the hour starting at `ms`; null for no data point. */
  cpu: (ms: number, rng: Rng) => number | null;
  /** Bytes sent per hour (default: a modest, noisy 50-150 MB). */
  networkOut?: Shape;
  packetBytes?: number;
  /** GPU percent when the CloudWatch agent reports it. */
  gpu?: Shape;
  /** Billed but not in the inventory (its region's DescribeInstances was denied). */
  hidden?: boolean;
}

export interface BackgroundSpend {
  region: string;
  service: string;
  perDay: number;
  /** Multiplier on working days (default 1.05). */
  weekdayBoost?: number;
  /** Only the last `recentDays` days (a service started recently). */
  fromDay?: string;
}

/** EC2 compute that came and went before the snapshot (CI runners, nightly jobs): instance-hours per day. */
export interface PastCompute {
  region: string;
  instanceType: string;
  hoursPerDay: (day: string, dayIndex: number, rng: Rng) => number;
  spot?: boolean;
}

export interface AnomalySpec {
  name: string;
  startDate: string;
  endDate?: string;
  region: string;
  service?: string;
  instanceType?: string;
  /** Impact in USD; default: the region's spend on the start day, as Cost Explorer measured it. */
  impactUsd?: number;
}

export interface AccountSpec {
  /** Folder name under scenarios/. */
  scenario: string;
  description: string;
  accountId: string;
  /** End of the audit window (ISO); the window is the 24 hours before unless windowHours says otherwise. */
  windowEnd: string;
  windowHours?: number;
  homeRegions: string[];
  enabledRegions?: readonly string[];
  notOptedInRegions?: readonly string[];
  workloads: WorkloadSpec[];
  /** Background spend; default: an ordinary small company's services in the home regions. */
  background?: BackgroundSpend[];
  /** Multiplies the default background (a bigger or smaller company). */
  backgroundScale?: number;
  pastCompute?: PastCompute[];
  anomalies?: AnomalySpec[];
  /** Coverage entries that replace the generated ones for the same region, service and API. */
  coverageOverrides?: CoverageEntry[];
  /** Regions whose EC2 inventory could not be read: their workloads are billed but not listed. */
  deniedInventoryRegions?: Record<string, string>;
  /** Extra snapshot sections (cloudTrail, relaunch, managedCompute...). */
  extra?: Partial<Pick<AccountSnapshotInput, "cloudTrail" | "relaunch" | "managedCompute" | "guardDuty" | "ecs">>;
  /** Extra coverage entries (for the extra sections). */
  extraCoverage?: CoverageEntry[];
  metricHistoryDays?: number;
  costDays?: number;
  /** Hours Cost Explorer lags behind the window end (default 3). */
  costLagHours?: number;
}

// ---------------------------------------------------------------------------------------------
// Building

export function instanceIdOf(name: string): string {
  return stableId("i", name);
}

export function profileArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:instance-profile/${name}`;
}

function workloadImage(workload: WorkloadSpec): string {
  return stableId("ami", workload.image ?? `${workload.name.replace(/-\d+$/, "")}-${workload.region}`);
}

function toInstance(spec: AccountSpec, w: WorkloadSpec): Instance {
  const rng = new Rng(seedFrom(`${w.name}-inventory`));
  const home = spec.homeRegions.includes(w.region);
  const vpcName = w.vpc ?? (home ? `main-${w.region}` : `default-${w.region}`);
  const azLetter = rng.pick(["a", "b", "c"]);
  const instance: Instance = {
    instanceId: instanceIdOf(w.name),
    region: w.region,
    instanceType: w.instanceType,
    state: w.state ?? "running",
    launchTime: w.launchTime,
    imageId: workloadImage(w),
    vpcId: stableId("vpc", vpcName),
    subnetId: stableId("subnet", `${vpcName}-${azLetter}`),
    tags: w.tags ?? {},
    ...(w.keyName ? { keyName: w.keyName } : {}),
    ...(w.lifecycle ? { lifecycle: w.lifecycle } : {}),
    ...(w.spotInstanceRequestId ? { spotInstanceRequestId: w.spotInstanceRequestId } : {}),
    ...(w.instanceProfile ? { iamInstanceProfileArn: profileArn(spec.accountId, w.instanceProfile) } : {}),
    ...(w.launchTemplate ? { launchTemplateId: stableId("lt", `${w.launchTemplate}-${w.region}`) } : {}),
    ...(w.autoScalingGroup ? { autoScalingGroup: w.autoScalingGroup } : {}),
    ...(w.publicIpPrefixes && (w.state ?? "running") === "running"
      ? { publicIpAddress: rng.publicIp(w.publicIpPrefixes) }
      : {}),
    ...(w.userData ? { userData: storedUserData(w.userData, redactSecrets) } : {}),
    ...(w.terminationProtection !== undefined ? { terminationProtection: w.terminationProtection } : {}),
  };
  return instance;
}

function metricsOf(spec: AccountSpec, w: WorkloadSpec): InstanceMetrics {
  const rng = new Rng(seedFrom(`${w.name}-metrics`));
  const historyStart = Date.parse(spec.windowEnd) - (spec.metricHistoryDays ?? 21) * DAY_MS;
  const start = iso(floorToHour(Math.max(Date.parse(w.launchTime), historyStart)));
  const end = w.endTime && Date.parse(w.endTime) < Date.parse(spec.windowEnd) ? w.endTime : spec.windowEnd;
  const hours: { cpu: number | null; bytes: number | null; gpu: number | null }[] = [];
  const network: Shape = w.networkOut ?? ((_ms, r) => r.uniform(5e7, 1.5e8));
  const cpu = metricSeries({
    start,
    end,
    value: (ms) => {
      const value = w.cpu(ms, rng);
      const hour = {
        cpu: value === null ? null : percent(value),
        bytes: value === null ? null : Math.round(network(ms, rng)),
        gpu: w.gpu && value !== null ? percent(w.gpu(ms, rng)) : null,
      };
      hours.push(hour);
      return hour.cpu;
    },
  });
  const like = (stat: "Average" | "Sum", values: (number | null)[]) => ({ ...cpu, stat, values });
  const packetBytes = w.packetBytes ?? 1000;
  return {
    cpu,
    networkOut: like(
      "Sum",
      hours.map((h) => h.bytes),
    ),
    networkPacketsOut: like(
      "Sum",
      hours.map((h) => (h.bytes === null ? null : Math.round(h.bytes / packetBytes))),
    ),
    ...(w.gpu
      ? {
          gpu: like(
            "Average",
            hours.map((h) => h.gpu),
          ),
        }
      : {}),
  };
}

/** An ordinary company's non-EC2-compute bill in each home region, plus global services. */
function defaultBackground(spec: AccountSpec): BackgroundSpend[] {
  const scale = spec.backgroundScale ?? 1;
  const lines: BackgroundSpend[] = [];
  spec.homeRegions.forEach((region, index) => {
    const share = (index === 0 ? 1 : 0.45) * scale;
    lines.push(
      { region, service: SERVICE.ec2Other, perDay: 38 * share, weekdayBoost: 1.08 },
      { region, service: SERVICE.s3, perDay: 24 * share },
      { region, service: SERVICE.elb, perDay: 6.8 * share, weekdayBoost: 1.1 },
      { region, service: SERVICE.cloudWatch, perDay: 4.6 * share, weekdayBoost: 1.12 },
      { region, service: SERVICE.vpc, perDay: 3.2 * share, weekdayBoost: 1 },
      { region, service: SERVICE.kms, perDay: 0.8 * share, weekdayBoost: 1 },
      { region, service: SERVICE.lambda, perDay: 1.6 * share, weekdayBoost: 1.3 },
    );
  });
  lines.push(
    { region: "global", service: SERVICE.cloudFront, perDay: 7.5 * scale, weekdayBoost: 1.2 },
    { region: "global", service: SERVICE.route53, perDay: 0.6 * scale, weekdayBoost: 1 },
  );
  return lines;
}

function buildLedger(spec: AccountSpec, workloads: readonly WorkloadSpec[]): CostLedger {
  const costDays = spec.costDays ?? 90;
  const days = dayRange(spec.windowEnd.slice(0, 10), costDays);
  const ledger = new CostLedger(days);
  const billedUntil = hoursBefore(spec.windowEnd, spec.costLagHours ?? 3);
  const billedUntilMs = Date.parse(billedUntil);
  const weekday = (day: string) => !isWeekend(new Date(`${day}T00:00:00Z`).getUTCDay());
  const dayShare = (day: string) => {
    const start = Date.parse(`${day}T00:00:00Z`);
    return Math.max(0, Math.min(1, (billedUntilMs - start) / DAY_MS));
  };
  const growth = (index: number) => 0.93 + (0.07 * index) / Math.max(1, costDays - 1);

  const rng = new Rng(seedFrom(`${spec.scenario}-background`));
  for (const line of spec.background ?? defaultBackground(spec)) {
    const from = line.fromDay ? Date.parse(`${line.fromDay}T00:00:00Z`) : Number.NEGATIVE_INFINITY;
    ledger.addDaily({ region: line.region, service: line.service }, (index, day) =>
      Date.parse(`${day}T00:00:00Z`) < from
        ? 0
        : line.perDay *
          growth(index) *
          (weekday(day) ? (line.weekdayBoost ?? 1.05) : 1) *
          rng.uniform(0.93, 1.07) *
          dayShare(day),
    );
  }

  for (const past of spec.pastCompute ?? []) {
    const pastRng = new Rng(seedFrom(`${spec.scenario}-${past.region}-${past.instanceType}-past`));
    const price = hourlyUsd(past.region, past.instanceType) * (past.spot ? SPOT_PRICE_FACTOR : 1);
    ledger.addDaily(
      { region: past.region, service: SERVICE.ec2Compute, instanceType: past.instanceType },
      (index, day) => past.hoursPerDay(day, index, pastRng) * price * dayShare(day),
    );
  }

  // Every workload in the snapshot is billed from its launch (or the first cost day) to its end.
  const firstDay = `${days[0]}T00:00:00.000Z`;
  for (const w of workloads) {
    const from = Date.parse(w.launchTime) < Date.parse(firstDay) ? firstDay : w.launchTime;
    const to = w.endTime ?? spec.windowEnd;
    if ((w.state === "stopped" || w.state === "terminated") && !w.endTime) continue;
    const price = hourlyUsd(w.region, w.instanceType) * (w.lifecycle === "spot" ? SPOT_PRICE_FACTOR : 1);
    ledger.addRunning(
      { region: w.region, service: SERVICE.ec2Compute, instanceType: w.instanceType },
      from,
      to,
      price,
      billedUntil,
    );
    // Each instance's EBS root volume (gp3, 100 GiB at $0.08/GB-month) lands under EC2 - Other.
    ledger.addRunning({ region: w.region, service: SERVICE.ec2Other }, from, to, 0.011, billedUntil);
  }
  return ledger;
}

function anomaliesOf(spec: AccountSpec, costs: NonNullable<AccountSnapshotInput["costs"]>): CostAnomaly[] {
  return (spec.anomalies ?? []).map((a) => {
    const rng = new Rng(seedFrom(`${spec.scenario}-anomaly-${a.name}`));
    const uuid = () => `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`;
    const index = costs.days.indexOf(a.startDate);
    const measured = (costs.byRegion?.[a.region] ?? []).slice(index).reduce((sum, v) => sum + v, 0 as number);
    const impact = Math.round((a.impactUsd ?? measured) * 100) / 100;
    return {
      anomalyId: uuid(),
      startDate: a.startDate,
      ...(a.endDate ? { endDate: a.endDate } : {}),
      totalImpactUsd: impact,
      maxImpactUsd: Math.round(impact * 0.6 * 100) / 100,
      score: Math.round(rng.uniform(0.8, 0.99) * 100) / 100,
      monitorArn: `arn:aws:ce::${spec.accountId}:anomalymonitor/${uuid()}`,
      rootCauses: [
        {
          service: a.service ?? SERVICE.ec2Compute,
          region: a.region,
          ...(a.instanceType ? { usageType: boxUsageType(a.region, a.instanceType) } : {}),
          linkedAccount: spec.accountId,
        },
      ],
    };
  });
}

function coverageOf(
  spec: AccountSpec,
  instances: readonly Instance[],
  gpuAgentIds: ReadonlySet<string>,
): CoverageEntry[] {
  const entries: CoverageEntry[] = [
    { region: "global", service: "sts", api: "GetCallerIdentity", status: "ok" },
    { region: "global", service: "ec2", api: "DescribeRegions", status: "ok" },
  ];
  const denied = spec.deniedInventoryRegions ?? {};
  for (const region of spec.enabledRegions ?? DEFAULT_REGIONS) {
    const deniedMessage = denied[region];
    if (deniedMessage !== undefined) {
      entries.push({
        region,
        service: "ec2",
        api: "DescribeInstances",
        status: "failed",
        reason: "access-denied",
        message: deniedMessage,
      });
      continue;
    }
    const here = instances.filter((i) => i.region === region);
    entries.push({
      region,
      service: "ec2",
      api: "DescribeInstances",
      status: "ok",
      message: `${here.length} instance${here.length === 1 ? "" : "s"}`,
    });
    if (here.length === 0) continue;
    entries.push({ region, service: "ec2", api: "DescribeInstanceTypes", status: "ok" });
    if (here.some((i) => i.userData))
      entries.push({ region, service: "ec2", api: "DescribeInstanceAttribute", status: "ok" });
    entries.push({ region, service: "cloudwatch", api: "GetMetricData", status: "ok" });
    const gpuInstances = here.filter((i) => (CATALOG[i.instanceType]?.info.gpus ?? 0) > 0 && i.state !== "terminated");
    if (gpuInstances.length === 0) continue;
    entries.push({ region, service: "cloudwatch", api: "ListMetrics", status: "ok" });
    const missing = gpuInstances.filter((i) => !gpuAgentIds.has(i.instanceId));
    if (missing.length > 0) {
      entries.push({
        region,
        service: "cloudwatch",
        api: "gpu-metrics",
        status: "skipped",
        reason: "agent-missing",
        message: `No nvidia_smi_utilization_gpu metric in CWAgent for ${missing.length} GPU instance${missing.length === 1 ? "" : "s"} (${missing.map((i) => i.instanceId).join(", ")}): GPU use is not visible without the CloudWatch agent.`,
      });
    }
  }
  for (const region of spec.notOptedInRegions ?? OPT_IN_REGIONS.slice(0, 5)) {
    entries.push({
      region,
      service: "ec2",
      api: "DescribeInstances",
      status: "skipped",
      reason: "not-opted-in",
      message: `${region} is an opt-in region this account has not enabled: nothing can run there.`,
    });
  }
  entries.push({ region: "global", service: "ce", api: "GetCostAndUsage", status: "ok" });
  entries.push({ region: "global", service: "ce", api: "GetAnomalies", status: "ok" });
  entries.push(...(spec.extraCoverage ?? []));
  const overrides = spec.coverageOverrides ?? [];
  const key = (e: CoverageEntry) => `${e.region}/${e.service}/${e.api}`;
  const replaced = new Set(overrides.map(key));
  return [...entries.filter((e) => !replaced.has(key(e))), ...overrides];
}

export function buildAccount(spec: AccountSpec): AccountSnapshot {
  const denied = spec.deniedInventoryRegions ?? {};
  const visible = spec.workloads.filter((w) => !w.hidden && denied[w.region] === undefined);
  const instances = visible.map((w) => toInstance(spec, w));
  const byInstance = Object.fromEntries(visible.map((w) => [instanceIdOf(w.name), metricsOf(spec, w)]));
  const gpuAgentInstanceIds = visible.filter((w) => w.gpu).map((w) => instanceIdOf(w.name));
  const costs = buildLedger(spec, spec.workloads).toCosts();
  const usedTypes = [...new Set(instances.map((i) => i.instanceType))].sort();
  const windowStart = hoursBefore(spec.windowEnd, spec.windowHours ?? 24);
  const enabled = spec.enabledRegions ?? DEFAULT_REGIONS;
  const notOptedIn = spec.notOptedInRegions ?? OPT_IN_REGIONS.slice(0, 5);

  return AccountSnapshotSchema.parse({
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    accountId: spec.accountId,
    collectedAt: iso(Date.parse(spec.windowEnd) + 3 * 60_000 + 41_000),
    window: { start: windowStart, end: spec.windowEnd },
    source: {
      tool: "minewatch",
      kind: "scenario",
      description: `${spec.description} (generated by scripts/scenarios/${spec.scenario}.ts)`,
    },
    regions: regionList(enabled, notOptedIn),
    instanceTypes: Object.fromEntries(usedTypes.map((t) => [t, typeInfo(t)])),
    instances,
    metrics: { gpuNamespace: "CWAgent", gpuAgentInstanceIds, byInstance },
    costs,
    costAnomalies: anomaliesOf(spec, costs),
    coverage: coverageOf(spec, instances, new Set(gpuAgentInstanceIds)),
    ...(spec.extra ?? {}),
  } satisfies AccountSnapshotInput);
}

/** Writes scenarios/<name>/snapshot.json and prints the ids, for scenario.yaml. */
export function writeScenario(spec: AccountSpec, snapshot: AccountSnapshot = buildAccount(spec)): void {
  const path = join(SCENARIOS_ROOT, spec.scenario, "snapshot.json");
  const bytes = writeCompactJson(path, snapshot);
  console.log(`wrote ${path} (${(bytes / 1024).toFixed(0)} KiB): ${snapshot.instances.length} instances`);
  if (process.argv.includes("--ids")) {
    for (const w of spec.workloads) console.log(`${instanceIdOf(w.name)}  ${w.name} (${w.instanceType}, ${w.region})`);
  }
}

/** True when the calling module is run directly (npx tsx scripts/scenarios/<name>.ts). */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(moduleUrl) === process.argv[1];
}

// ---------------------------------------------------------------------------------------------
// Shapes and scripts several scenarios share

/** XMRig on every thread: pinned near 100 % with a little jitter. */
export const pinned: Shape = (_ms, rng) => 99.2 + rng.normal(0, 0.5);

/** A miner capped (cpulimit, --max-cpu-usage) at `level` %: flat, day and night. */
export function capped(level: number, jitter = 1.5): Shape {
  return (_ms, rng) => level + rng.normal(0, jitter);
}

/** A pool connection: a trickle of small packets, steady day and night (bytes per hour). */
export const poolTrickle: Shape = (_ms, rng) => rng.uniform(3e6, 5e6);

/** A Monero wallet address (95 base58 characters starting with 4), stable per seed name. */
export function walletAddress(seedName: string): string {
  const rng = new Rng(seedFrom(seedName));
  const base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  let out = "4";
  while (out.length < 95) out += rng.pick([...base58]);
  return out;
}

/** A CloudTrail event as the collector normalizes it. */
export function trailEvent(
  name: string,
  fields: Omit<CloudTrailEvent, "eventId" | "resources" | "request"> &
    Partial<Pick<CloudTrailEvent, "resources" | "request">>,
): CloudTrailEvent {
  const rng = new Rng(seedFrom(`trail-${name}`));
  return {
    eventId: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
    resources: [],
    request: {},
    ...fields,
  };
}

export { DAY_MS, HOUR_MS, iso, isWeekend, Rng, SERVICE, seedFrom, stableId };

// ---------------------------------------------------------------------------------------------
// An ordinary company around the story: what must stay quiet in every scenario.

export interface CompanyOptions {
  region: string;
  /** Prefix for logical names, so two companies in one corpus never share ids. */
  prefix: string;
  /** Local working day offset from UTC (the web traffic peaks at 14:00 local). */
  utcOffsetHours?: number;
  webServers?: number;
  /** Launch month of the long-lived fleet (ISO date-time). */
  since?: string;
}

/**
 * Web servers following the local day, a steady database and a queue worker with office-hours
 * jobs: long-lived (months), tagged and launched from the company's own roles and templates.
 */
export function ordinaryCompany(options: CompanyOptions): WorkloadSpec[] {
  const { region, prefix } = options;
  const offset = options.utcOffsetHours ?? 0;
  const since = Date.parse(options.since ?? "2026-05-11T10:20:00Z");
  const workloads: WorkloadSpec[] = [];
  for (let n = 1; n <= (options.webServers ?? 3); n++) {
    workloads.push({
      name: `${prefix}-web-${n}`,
      image: `${prefix}-web`,
      region,
      instanceType: "t3.large",
      launchTime: iso(since + n * 47_000),
      instanceProfile: `${prefix}-web`,
      autoScalingGroup: `${prefix}-web`,
      launchTemplate: `${prefix}-web`,
      tags: { Name: `${prefix}-web`, Environment: "production", "aws:autoscaling:groupName": `${prefix}-web` },
      cpu: (ms, rng) => 5 + 24 * webWave(ms, offset) + rng.normal(0, 1.5),
      networkOut: (ms, rng) => (2e8 + 1.8e9 * webWave(ms, offset)) * rng.uniform(0.9, 1.1),
      packetBytes: 1100,
    });
  }
  workloads.push({
    name: `${prefix}-db`,
    region,
    instanceType: "r6i.xlarge",
    launchTime: iso(since - 40 * DAY_MS),
    instanceProfile: `${prefix}-db`,
    tags: { Name: `${prefix}-db`, Environment: "production", Role: "postgresql" },
    cpu: (ms, rng) => 22 + 6 * webWave(ms, offset) + rng.normal(0, 1.5),
    packetBytes: 800,
  });
  workloads.push({
    name: `${prefix}-worker`,
    region,
    instanceType: "m5.xlarge",
    launchTime: iso(since + 3 * DAY_MS),
    instanceProfile: `${prefix}-worker`,
    tags: { Name: `${prefix}-worker`, Environment: "production" },
    cpu: (ms, rng) => {
      const hour = new Date(ms + offset * HOUR_MS).getUTCHours();
      const day = new Date(ms + offset * HOUR_MS).getUTCDay();
      const busy = !isWeekend(day) && hour >= 8 && hour < 19;
      return busy ? rng.uniform(25, 60) : rng.uniform(3, 7);
    },
  });
  return workloads;
}

/** Web traffic: a smooth daily wave peaking at 14:00 local, lighter at weekends (0..1). */
export function webWave(ms: number, utcOffsetHours = 0): number {
  const local = new Date(ms + utcOffsetHours * HOUR_MS);
  const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
  const wave = (1 + Math.cos(((hour - 14) / 24) * 2 * Math.PI)) / 2;
  return isWeekend(local.getUTCDay()) ? wave * 0.55 : wave;
}

/** Ids of workloads by name prefix, for scenario tests. */
export function idsOf(workloads: readonly WorkloadSpec[], match: (w: WorkloadSpec) => boolean): string[] {
  return workloads.filter(match).map((w) => instanceIdOf(w.name));
}

// ---------------------------------------------------------------------------------------------
// CloudTrail identities

export interface Identity {
  principal: CloudTrailEvent["principal"];
  sourceIpAddress: string;
  userAgent: string;
}

/** The company's Terraform pipeline: an assumed role from the CI provider's runners. */
export function deployRole(accountId: string, role = "terraform-deploy"): Identity {
  return {
    principal: {
      type: "AssumedRole",
      arn: `arn:aws:sts::${accountId}:assumed-role/${role}/gha-run`,
      accountId,
      roleArn: `arn:aws:iam::${accountId}:role/${role}`,
      accessKeyId: "ASIA2DEPLOYROLE7SESS",
    },
    sourceIpAddress: "20.57.148.211",
    userAgent: "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0",
  };
}

/** An IAM user's long-term key used by a script from a hosting provider's address. */
export function leakedUser(accountId: string, userName: string, accessKeyId: string, ip: string): Identity {
  return {
    principal: { type: "IAMUser", arn: `arn:aws:iam::${accountId}:user/${userName}`, accountId, userName, accessKeyId },
    sourceIpAddress: ip,
    userAgent: "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15.0-105-generic md/arch#x86_64 lang/python#3.11.6",
  };
}

/** A RunInstances event that launched `instanceIds`. */
export function runInstancesEvent(
  name: string,
  who: Identity,
  at: string,
  region: string,
  instanceIds: string[],
  instanceType: string,
): CloudTrailEvent {
  return trailEvent(name, {
    eventTime: at,
    eventName: "RunInstances",
    eventSource: "ec2.amazonaws.com",
    region,
    ...who,
    resources: instanceIds.map((id) => ({ type: "ec2-instance", id })),
    request: { instanceType, minCount: String(instanceIds.length), maxCount: String(instanceIds.length) },
  });
}

/** Coverage entries of a CloudTrail read in `regions`. */
export function cloudTrailCoverage(regions: readonly string[]): CoverageEntry[] {
  return regions.map((region) => ({ region, service: "cloudtrail", api: "LookupEvents", status: "ok" as const }));
}
