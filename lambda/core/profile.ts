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
/** A region or service with at least this much spend on some baseline day was in use. */
export const BASELINE_SPEND_USD_PER_DAY = 0.5;

export interface AccountProfile {
  /** Regions the account normally uses. */
  homeRegions: string[];
  /** `config` when approvedRegions was set, `learned` when derived from history. */
  homeRegionsSource: "config" | "learned";
  /** Instance families in established use (old instances) or approved in config. */
  knownFamilies: string[];
  /** Regions with spend in the cost baseline (before the recent days). */
  baselineSpendRegions: string[];
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
  const spentInBaseline = (series: Record<string, number[]>): string[] =>
    Object.entries(series)
      .filter(([, values]) => values.slice(0, costRecentStartIndex).some((v) => v >= BASELINE_SPEND_USD_PER_DAY))
      .map(([name]) => name)
      .sort();
  const baselineSpendRegions = costs ? spentInBaseline(costs.byRegion) : [];
  const baselineServices = costs ? spentInBaseline(costs.byService) : [];

  const learnedRegions = new Set<string>([...established.map((i) => i.region), ...baselineSpendRegions]);
  learnedRegions.delete("global");
  learnedRegions.delete("NoRegion");

  return {
    homeRegions: config.approvedRegions ? [...config.approvedRegions].sort() : [...learnedRegions].sort(),
    homeRegionsSource: config.approvedRegions ? "config" : "learned",
    knownFamilies: [
      ...new Set([...established.map((i) => instanceFamily(i.instanceType)), ...config.approvedInstanceFamilies]),
    ].sort(),
    baselineSpendRegions,
    baselineServices,
    costRecentStartIndex,
  };
}
