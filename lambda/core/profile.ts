/**
 * What is normal for this account, derived once per audit from the snapshot and the config.
 *
 * Rules compare what they see with this profile ("a region the account never used", "a family
 * never seen before") instead of each re-deriving history. It is a pure function, so a saved
 * snapshot always yields the same profile.
 */
import type { Config } from "./config.js";
import type { AccountSnapshot } from "./snapshot.js";

/** Instances launched at least this long before the window end count as established history. */
export const ESTABLISHED_AFTER_DAYS = 14;
/** A region or service with at least this much spend on a baseline day was in use that day... */
export const BASELINE_SPEND_USD_PER_DAY = 0.5;
/**
 * ...and counts as in use when that happened on at least this many baseline days: a leaked key
 * that started a day before the recent window must not make its region "home" by itself.
 */
export const MIN_BASELINE_SPEND_DAYS = 3;
/** An instance family the account paid for on this many baseline days (a monthly job: 2) is known. */
export const MIN_FAMILY_SPEND_DAYS = 2;
/** A family paid for on this many baseline days is routine: its busy instances are the account's normal work. */
export const ROUTINE_FAMILY_SPEND_DAYS = 7;

export interface AccountProfile {
  /** Regions the account normally uses. */
  homeRegions: string[];
  /** `config` when approvedRegions was set, `learned` when derived from history. */
  homeRegionsSource: "config" | "learned";
  /** Instance families in established use (old instances, EC2 spend in the cost baseline) or approved in config. */
  knownFamilies: string[];
  /**
   * Families the account runs routinely: established instances, or EC2 spend on at least
   * ROUTINE_FAMILY_SPEND_DAYS baseline days (a render farm every night, CI runners every day).
   */
  routineFamilies: string[];
  /** Instance profile ARNs of established instances: the account's own workloads wear them. */
  knownInstanceProfiles: string[];
  /** Regions with spend in the cost baseline (before the recent days). */
  baselineSpendRegions: string[];
  /** Baseline days with spend, per region that had any: how firmly a region counts as used. */
  regionSpendDays: Record<string, number>;
  /** Regions where an instance older than ESTABLISHED_AFTER_DAYS runs (home by their own history). */
  establishedRegions: string[];
  /** Services with spend in the cost baseline. */
  baselineServices: string[];
  /** Index into costs.days where the recent part starts (costs.days.length when there are no costs). */
  costRecentStartIndex: number;
}

/** "p4d.24xlarge" -> "p4d"; "c5a.24xlarge" -> "c5a". */
export function instanceFamily(instanceType: string): string {
  return instanceType.split(".")[0] ?? instanceType;
}

/** "p4d.24xlarge" -> "24xlarge". */
export function instanceSize(instanceType: string): string {
  return instanceType.split(".")[1] ?? "";
}

export function buildProfile(snapshot: AccountSnapshot, config: Config): AccountProfile {
  const windowEnd = Date.parse(snapshot.window.end);
  const establishedBefore = windowEnd - ESTABLISHED_AFTER_DAYS * 24 * 3600 * 1000;
  const established = snapshot.instances.filter((i) => Date.parse(i.launchTime) <= establishedBefore);

  const costs = snapshot.costs;
  const recentDays = Math.min(config.thresholds.costRecentDays, costs?.days.length ?? 0);
  const costRecentStartIndex = (costs?.days.length ?? 0) - recentDays;
  const spendDays = (values: readonly number[]) =>
    values.slice(0, costRecentStartIndex).filter((v) => v >= BASELINE_SPEND_USD_PER_DAY).length;
  const spentInBaseline = (series: Record<string, number[]>, minDays: number): string[] =>
    Object.entries(series)
      .filter(([, values]) => spendDays(values) >= minDays)
      .map(([name]) => name)
      .sort();
  const baselineSpendRegions = costs ? spentInBaseline(costs.byRegion, MIN_BASELINE_SPEND_DAYS) : [];
  const regionSpendDays = Object.fromEntries(
    Object.entries(costs?.byRegion ?? {})
      .map(([region, values]) => [region, spendDays(values)] as const)
      .filter(([, days]) => days > 0),
  );
  const baselineServices = costs ? spentInBaseline(costs.byService, MIN_BASELINE_SPEND_DAYS) : [];
  const familiesOf = (types: readonly string[]) => types.map(instanceFamily);
  const paidFamilies = costs ? familiesOf(spentInBaseline(costs.byInstanceType, MIN_FAMILY_SPEND_DAYS)) : [];
  const routinePaidFamilies = costs ? familiesOf(spentInBaseline(costs.byInstanceType, ROUTINE_FAMILY_SPEND_DAYS)) : [];
  const establishedFamilies = established.map((i) => instanceFamily(i.instanceType));

  const learnedRegions = new Set<string>([...established.map((i) => i.region), ...baselineSpendRegions]);
  learnedRegions.delete("global");
  learnedRegions.delete("NoRegion");

  return {
    homeRegions: config.approvedRegions ? [...config.approvedRegions].sort() : [...learnedRegions].sort(),
    homeRegionsSource: config.approvedRegions ? "config" : "learned",
    knownFamilies: sortedUnique([...establishedFamilies, ...paidFamilies, ...config.approvedInstanceFamilies]),
    routineFamilies: sortedUnique([...establishedFamilies, ...routinePaidFamilies]),
    knownInstanceProfiles: sortedUnique(established.flatMap((i) => i.iamInstanceProfileArn ?? [])),
    baselineSpendRegions,
    regionSpendDays,
    establishedRegions: sortedUnique(established.map((i) => i.region)),
    baselineServices,
    costRecentStartIndex,
  };
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/**
 * Why an instance looks like the account's own workload, or undefined when it does not: it wears an
 * instance profile the established instances wear (a rollout of the same stack to a new region), or
 * it runs in a home region in a family the account already uses. Attackers' instances rarely have
 * either; rules use this to keep a weak signal low, never to drop it.
 */
export function familiarity(
  instance: { region: string; instanceType: string; iamInstanceProfileArn?: string | undefined },
  profile: Pick<AccountProfile, "homeRegions" | "knownFamilies" | "knownInstanceProfiles">,
): string | undefined {
  const arn = instance.iamInstanceProfileArn;
  if (arn && profile.knownInstanceProfiles.includes(arn)) {
    return `it uses instance profile ${arn.split("/").pop()}, which the account's established instances use`;
  }
  const family = instanceFamily(instance.instanceType);
  if (profile.homeRegions.includes(instance.region) && profile.knownFamilies.includes(family)) {
    return `${instance.region} is a home region and family ${family} is in established use`;
  }
  return undefined;
}
