/**
 * Rough cost of what a finding is running, so a responder sees "about $250 an hour" next to it.
 *
 * An estimate, and labelled as one everywhere it shows: on-demand Linux prices in us-east-1 from a
 * table kept in this file, times a coarse regional multiplier. The real bill differs (spot, savings
 * plans, Windows, regional price lists), but the order of magnitude is what decides how fast to act.
 * Live prices would need the Pricing API on every run; a stale-but-stated table is the better trade.
 */
import type { Instance, InstanceTypeInfo } from "../core/snapshot.js";

export const PRICING_AS_OF = "2026-10";
export const PRICING_SOURCE = `Estimate: AWS EC2 on-demand Linux prices, us-east-1, as of ${PRICING_AS_OF}, times an approximate regional multiplier`;

/** USD per hour, on-demand, Linux, us-east-1. */
const US_EAST_1_HOURLY_USD: Readonly<Record<string, number>> = {
  // Burstable
  "t3.nano": 0.0052,
  "t3.micro": 0.0104,
  "t3.small": 0.0208,
  "t3.medium": 0.0416,
  "t3.large": 0.0832,
  "t3.xlarge": 0.1664,
  "t3.2xlarge": 0.3328,
  "t3a.nano": 0.0047,
  "t3a.micro": 0.0094,
  "t3a.small": 0.0188,
  "t3a.medium": 0.0376,
  "t3a.large": 0.0752,
  "t3a.xlarge": 0.1504,
  "t3a.2xlarge": 0.3008,
  "t4g.nano": 0.0042,
  "t4g.micro": 0.0084,
  "t4g.small": 0.0168,
  "t4g.medium": 0.0336,
  "t4g.large": 0.0672,
  "t4g.xlarge": 0.1344,
  "t4g.2xlarge": 0.2688,
  // General purpose
  "m5.large": 0.096,
  "m5.xlarge": 0.192,
  "m5.2xlarge": 0.384,
  "m5.4xlarge": 0.768,
  "m5.8xlarge": 1.536,
  "m5.12xlarge": 2.304,
  "m5.16xlarge": 3.072,
  "m5.24xlarge": 4.608,
  "m6i.large": 0.096,
  "m6i.xlarge": 0.192,
  "m6i.2xlarge": 0.384,
  "m6i.4xlarge": 0.768,
  "m6i.8xlarge": 1.536,
  "m6i.12xlarge": 2.304,
  "m6i.16xlarge": 3.072,
  "m6i.24xlarge": 4.608,
  "m6i.32xlarge": 6.144,
  "m7i.large": 0.1008,
  "m7i.xlarge": 0.2016,
  "m7i.2xlarge": 0.4032,
  "m7i.4xlarge": 0.8064,
  "m7i.8xlarge": 1.6128,
  "m7i.12xlarge": 2.4192,
  "m7i.16xlarge": 3.2256,
  "m7i.24xlarge": 4.8384,
  "m7i.48xlarge": 9.6768,
  // Compute optimized: the classic CPU-mining choice
  "c5.large": 0.085,
  "c5.xlarge": 0.17,
  "c5.2xlarge": 0.34,
  "c5.4xlarge": 0.68,
  "c5.9xlarge": 1.53,
  "c5.12xlarge": 2.04,
  "c5.18xlarge": 3.06,
  "c5.24xlarge": 4.08,
  "c5a.large": 0.077,
  "c5a.xlarge": 0.154,
  "c5a.2xlarge": 0.308,
  "c5a.4xlarge": 0.616,
  "c5a.8xlarge": 1.232,
  "c5a.12xlarge": 1.848,
  "c5a.16xlarge": 2.464,
  "c5a.24xlarge": 3.696,
  "c6i.large": 0.085,
  "c6i.xlarge": 0.17,
  "c6i.2xlarge": 0.34,
  "c6i.4xlarge": 0.68,
  "c6i.8xlarge": 1.36,
  "c6i.12xlarge": 2.04,
  "c6i.16xlarge": 2.72,
  "c6i.24xlarge": 4.08,
  "c6i.32xlarge": 5.44,
  "c7i.large": 0.08925,
  "c7i.xlarge": 0.1785,
  "c7i.2xlarge": 0.357,
  "c7i.4xlarge": 0.714,
  "c7i.8xlarge": 1.428,
  "c7i.12xlarge": 2.142,
  "c7i.16xlarge": 2.856,
  "c7i.24xlarge": 4.284,
  "c7i.48xlarge": 8.568,
  // Memory optimized
  "r5.large": 0.126,
  "r5.xlarge": 0.252,
  "r5.2xlarge": 0.504,
  "r5.4xlarge": 1.008,
  "r5.8xlarge": 2.016,
  "r5.12xlarge": 3.024,
  "r5.16xlarge": 4.032,
  "r5.24xlarge": 6.048,
  "r6i.large": 0.126,
  "r6i.xlarge": 0.252,
  "r6i.2xlarge": 0.504,
  "r6i.4xlarge": 1.008,
  "r6i.8xlarge": 2.016,
  "r6i.12xlarge": 3.024,
  "r6i.16xlarge": 4.032,
  "r6i.24xlarge": 6.048,
  "r6i.32xlarge": 8.064,
  "x2idn.16xlarge": 6.669,
  "x2idn.24xlarge": 10.0035,
  "x2idn.32xlarge": 13.338,
  // HPC
  "hpc6a.48xlarge": 2.88,
  "hpc7a.96xlarge": 7.2,
  // GPU: the leaked-key favourites
  "g4dn.xlarge": 0.526,
  "g4dn.2xlarge": 0.752,
  "g4dn.4xlarge": 1.204,
  "g4dn.8xlarge": 2.176,
  "g4dn.12xlarge": 3.912,
  "g4dn.16xlarge": 4.352,
  "g4dn.metal": 7.824,
  "g5.xlarge": 1.006,
  "g5.2xlarge": 1.212,
  "g5.4xlarge": 1.624,
  "g5.8xlarge": 2.448,
  "g5.12xlarge": 5.672,
  "g5.16xlarge": 4.096,
  "g5.24xlarge": 8.144,
  "g5.48xlarge": 16.288,
  "g6.xlarge": 0.8048,
  "g6.2xlarge": 0.9776,
  "g6.4xlarge": 1.3232,
  "g6.8xlarge": 2.0144,
  "g6.12xlarge": 4.6016,
  "g6.16xlarge": 3.3968,
  "g6.24xlarge": 6.6752,
  "g6.48xlarge": 13.3504,
  "p3.2xlarge": 3.06,
  "p3.8xlarge": 12.24,
  "p3.16xlarge": 24.48,
  "p3dn.24xlarge": 31.212,
  // P4d and P5 after the June 2025 price reduction.
  "p4d.24xlarge": 21.9576,
  "p5.48xlarge": 55.04,
};

/**
 * Coarse regional uplift over us-east-1 for on-demand compute, first matching prefix wins.
 * Real regional differences vary by family; these are typical ratios, good to about 10-20 %.
 */
const REGION_MULTIPLIERS: ReadonlyArray<readonly [prefix: string, multiplier: number]> = [
  ["us-east-1", 1.0],
  ["us-east-2", 1.0],
  ["us-west-2", 1.0],
  ["us-west-1", 1.2],
  ["us-gov-", 1.25],
  ["ca-", 1.1],
  ["mx-", 1.15],
  ["sa-east-1", 1.5],
  ["eu-", 1.1],
  ["il-", 1.15],
  ["me-", 1.2],
  ["af-", 1.3],
  ["ap-", 1.2],
];
/** Regions not in the table (new ones) get this. */
const DEFAULT_REGION_MULTIPLIER = 1.2;

/** Per-unit rates used only when a type is not in the table but DescribeInstanceTypes told us its shape. */
const USD_PER_VCPU_HOUR = 0.045;
const USD_PER_GPU_HOUR = 1.5;
const USD_PER_ACCELERATOR_HOUR = 0.4;

export function regionMultiplier(region: string): number {
  for (const [prefix, multiplier] of REGION_MULTIPLIERS) {
    if (region === prefix || (prefix.endsWith("-") && region.startsWith(prefix))) return multiplier;
  }
  return DEFAULT_REGION_MULTIPLIER;
}

export interface PriceEstimate {
  hourlyUsd: number;
  /** `table`: a listed us-east-1 price; `shape`: derived from vCPU/GPU counts (rougher). */
  basis: "table" | "shape";
}

/** Price per hour of one instance type in a region, with how it was derived; undefined when unknown. */
export function estimateHourlyPrice(
  instanceType: string,
  region: string,
  typeInfo?: InstanceTypeInfo,
): PriceEstimate | undefined {
  const listed = US_EAST_1_HOURLY_USD[instanceType];
  const multiplier = regionMultiplier(region);
  if (listed !== undefined) return { hourlyUsd: round4(listed * multiplier), basis: "table" };
  if (!typeInfo || typeInfo.vcpus === 0) return undefined;
  const base =
    typeInfo.vcpus * USD_PER_VCPU_HOUR +
    typeInfo.gpus * USD_PER_GPU_HOUR +
    typeInfo.accelerators * USD_PER_ACCELERATOR_HOUR;
  return { hourlyUsd: round4(base * multiplier), basis: "shape" };
}

/** USD per hour for `instanceType` in `region`, or undefined when neither the table nor its shape is known. */
export function hourlyPrice(instanceType: string, region: string, typeInfo?: InstanceTypeInfo): number | undefined {
  return estimateHourlyPrice(instanceType, region, typeInfo)?.hourlyUsd;
}

/** Instances that are billed for compute right now. */
export function isBilledNow(instance: Pick<Instance, "state">): boolean {
  return instance.state === "running" || instance.state === "pending";
}

/** Hours from launch to `now`, never negative. Not capped at the audit window: the bill is not. */
export function hoursSinceLaunch(launchTime: string, now: Date): number {
  return Math.max(0, (now.getTime() - Date.parse(launchTime)) / 3_600_000);
}

export interface FleetCost {
  /** Sum of hourly prices of the instances billed now, or null when none of them could be priced. */
  hourlyUsd: number | null;
  /** Hourly price x hours since launch, for priced instances billed now; null when none could be priced. */
  soFarUsd: number | null;
  /** Instances billed now whose type could not be priced (excluded from the sums). */
  unpricedInstanceIds: string[];
  /** Types priced from their vCPU/GPU shape rather than the table. */
  shapeEstimatedTypes: string[];
  /** Price per instance id, for every instance that could be priced (any state). */
  perInstanceHourlyUsd: Record<string, number>;
}

export function estimateFleetCost(
  instances: readonly Instance[],
  instanceTypes: Readonly<Record<string, InstanceTypeInfo>>,
  now: Date,
): FleetCost {
  let hourly = 0;
  let soFar = 0;
  let anyPriced = false;
  const unpriced: string[] = [];
  const shapeTypes = new Set<string>();
  const perInstance: Record<string, number> = {};
  for (const instance of instances) {
    const estimate = estimateHourlyPrice(instance.instanceType, instance.region, instanceTypes[instance.instanceType]);
    if (estimate) {
      perInstance[instance.instanceId] = estimate.hourlyUsd;
      if (estimate.basis === "shape") shapeTypes.add(instance.instanceType);
    }
    if (!isBilledNow(instance)) continue;
    if (!estimate) {
      unpriced.push(instance.instanceId);
      continue;
    }
    anyPriced = true;
    hourly += estimate.hourlyUsd;
    soFar += estimate.hourlyUsd * hoursSinceLaunch(instance.launchTime, now);
  }
  return {
    hourlyUsd: anyPriced ? round2(hourly) : null,
    soFarUsd: anyPriced ? round2(soFar) : null,
    unpricedInstanceIds: unpriced,
    shapeEstimatedTypes: [...shapeTypes].sort(),
    perInstanceHourlyUsd: perInstance,
  };
}

/** The instance types the table knows, for documentation and tests. */
export function pricedInstanceTypes(): string[] {
  return Object.keys(US_EAST_1_HOURLY_USD);
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
