/**
 * MW-COST-NEW-SPEND: money suddenly spent where the account never spent any: a new region, a compute
 * service it never used (Fargate, SageMaker, CodeBuild mining leaves no EC2 instance), or an EC2
 * instance type it never paid for.
 *
 * "Never" means no day at or above BASELINE_SPEND_USD_PER_DAY in the cost baseline (the days before
 * the recent ones; see AccountProfile). Without costs in the snapshot this rule is silent and
 * MW-COVERAGE-GAP reports why.
 */
import {
  type AccountProfile,
  BASELINE_SPEND_USD_PER_DAY,
  familiarity,
  MIN_BASELINE_SPEND_DAYS,
} from "../core/profile.js";
import type { AccountSnapshot } from "../core/snapshot.js";
import { isComputeService } from "./cost-anomaly-compute.js";
import { closeness, NEAR_MISS_SHARE } from "./lib/near-miss.js";
import { round } from "./lib/series.js";
import type { ResourceRef, Rule, RuleContext, Severity, Signal } from "./types.js";

/** Fewer baseline days than this cannot tell "new" from "not seen yet". */
export const MIN_BASELINE_DAYS = 7;
/** Recent spend per day from which new spend is high on its own. */
export const HIGH_SPEND_USD_PER_DAY = 100;
/** Cost Explorer groups that are not regions. */
const NOT_A_REGION = new Set(["global", "NoRegion", ""]);

interface NewSpend {
  name: string;
  maxDaily: number;
  maxDay: string;
  recentTotal: number;
}

function newSpend(
  groups: Record<string, number[]>,
  days: readonly string[],
  recentStart: number,
  inBaseline: (name: string, values: number[]) => boolean,
  minDaily: number,
): NewSpend[] {
  const found: NewSpend[] = [];
  for (const [name, values] of Object.entries(groups)) {
    if (inBaseline(name, values)) continue;
    const recent = values.slice(recentStart);
    let maxIndex = -1;
    recent.forEach((v, i) => {
      if (v >= minDaily && (maxIndex < 0 || v > (recent[maxIndex] ?? 0))) maxIndex = i;
    });
    if (maxIndex < 0) continue;
    found.push({
      name,
      maxDaily: round(recent[maxIndex] ?? 0, 2),
      maxDay: days[recentStart + maxIndex] ?? "",
      recentTotal: round(
        recent.reduce((a, b) => a + b, 0),
        2,
      ),
    });
  }
  return found.sort((a, b) => b.maxDaily - a.maxDaily);
}

export const costNewSpend: Rule = {
  id: "MW-COST-NEW-SPEND",
  title: "New spend in a region, compute service or instance type",
  severity: "high",
  category: "cost",
  rationale:
    "Leaked keys are used to start compute wherever quotas allow, often in regions and services the account never " +
    "used. Daily Cost Explorer spend shows it even when the resources are out of sight, including mining on " +
    "Fargate, SageMaker, CodeBuild, Amplify or Lambda, which leaves no EC2 instance.",
  recommendation:
    "List the running resources of that service or region (EC2, ECS tasks, SageMaker notebooks and training jobs, " +
    "CodeBuild builds); find who created them in CloudTrail. If nobody owns them, stop them, rotate the " +
    "credentials used, and consider an SCP that denies unused regions.",
  evaluate(snapshot: AccountSnapshot, { config, profile, noteNearMiss }: RuleContext): Signal[] {
    const costs = snapshot.costs;
    if (!costs) return [];
    const recentStart = profile.costRecentStartIndex;
    if (recentStart < MIN_BASELINE_DAYS) return [];
    const threshold = config.thresholds.newSpendUsdPerDay;
    const baselineDays = recentStart;
    const recentDays = costs.days.length - recentStart;
    const severityFor = (s: NewSpend): Severity => (s.maxDaily >= HIGH_SPEND_USD_PER_DAY ? "high" : "medium");
    const common = (s: NewSpend) => ({
      maxDailyUsd: s.maxDaily,
      maxDay: s.maxDay,
      recentTotalUsd: s.recentTotal,
      recentDays,
      baselineDays,
      thresholdUsdPerDay: threshold,
      baselineSpendUsdPerDay: BASELINE_SPEND_USD_PER_DAY,
    });
    const signals: Signal[] = [];
    // Spend that is new but under the threshold: the first small days of a miner, or a test.
    const noteSmallSpend = (
      groups: Record<string, number[]>,
      inBaseline: (name: string, values: number[]) => boolean,
      resource: (name: string) => ResourceRef,
      what: (name: string) => string,
    ): void => {
      if (!noteNearMiss || threshold <= 0) return;
      for (const s of newSpend(groups, costs.days, recentStart, inBaseline, threshold * NEAR_MISS_SHARE)) {
        if (s.maxDaily >= threshold) continue;
        noteNearMiss({
          resource: resource(s.name),
          message:
            `New spend ${what(s.name)}: at most $${s.maxDaily.toFixed(2)} a day (on ${s.maxDay}; ` +
            `$${s.recentTotal.toFixed(2)} over the last ${recentDays} days), under the $${threshold.toFixed(2)} a day ` +
            "the rule needs (thresholds.newSpendUsdPerDay).",
          closeness: closeness(s.maxDaily, threshold),
          details: common(s),
        });
      }
    };

    const baselineRegions = new Set(profile.baselineSpendRegions);
    for (const s of newSpend(
      costs.byRegion,
      costs.days,
      recentStart,
      (name) => NOT_A_REGION.has(name) || baselineRegions.has(name),
      threshold,
    )) {
      const explained = explainedByOwnWorkload(snapshot, profile, s.name);
      signals.push({
        ruleId: costNewSpend.id,
        resource: { type: "region-spend", id: s.name, region: s.name },
        severity: explained ? "low" : severityFor(s),
        message:
          `New spend in ${s.name}: $${s.maxDaily.toFixed(2)} on ${s.maxDay} ($${s.recentTotal.toFixed(2)} over ` +
          `the last ${recentDays} days), in a region with spend at or above $${BASELINE_SPEND_USD_PER_DAY.toFixed(2)} ` +
          `on fewer than ${MIN_BASELINE_SPEND_DAYS} of the previous ${baselineDays} days.` +
          (explained ? ` Every instance running there looks like the account's own workload (${explained}).` : ""),
        details: { ...common(s), explainedByOwnWorkload: explained ?? null },
      });
    }

    noteSmallSpend(
      costs.byRegion,
      (name) => NOT_A_REGION.has(name) || baselineRegions.has(name),
      (name) => ({ type: "region-spend", id: name, region: name }),
      (name) => `in ${name}, a region without spend in the baseline`,
    );

    const baselineServices = new Set(profile.baselineServices);
    for (const s of newSpend(
      costs.byService,
      costs.days,
      recentStart,
      (name) => !isComputeService(name) || baselineServices.has(name),
      threshold,
    )) {
      signals.push({
        ruleId: costNewSpend.id,
        resource: { type: "service-spend", id: s.name, region: "global" },
        severity: severityFor(s),
        message:
          `New spend on ${s.name}: $${s.maxDaily.toFixed(2)} on ${s.maxDay} ($${s.recentTotal.toFixed(2)} over ` +
          `the last ${recentDays} days); the account did not use this compute service in the previous ${baselineDays} days.`,
        details: common(s),
      });
    }

    noteSmallSpend(
      costs.byService,
      (name) => !isComputeService(name) || baselineServices.has(name),
      (name) => ({ type: "service-spend", id: name, region: "global" }),
      (name) => `on ${name}, a compute service the account did not use in the baseline`,
    );

    const typeInBaseline = (_name: string, values: number[]) =>
      values.slice(0, recentStart).some((v) => v >= BASELINE_SPEND_USD_PER_DAY);
    for (const s of newSpend(costs.byInstanceType, costs.days, recentStart, typeInBaseline, threshold)) {
      signals.push({
        ruleId: costNewSpend.id,
        resource: { type: "instance-type-spend", id: s.name, region: "global" },
        severity: "low",
        message:
          `New EC2 spend on ${s.name} instances: $${s.maxDaily.toFixed(2)} on ${s.maxDay}; the account did not ` +
          `pay for this instance type in the previous ${baselineDays} days.`,
        details: common(s),
      });
    }
    return signals;
  },
};

/**
 * Why a new region's spend is explained by the account's own workload: instances run there and
 * every one wears an instance profile of the account's established instances (a rollout). Undefined
 * when nothing runs there that Minewatch can see, or something unfamiliar does.
 */
function explainedByOwnWorkload(
  snapshot: AccountSnapshot,
  profile: AccountProfile,
  region: string,
): string | undefined {
  const here = snapshot.instances.filter((i) => i.region === region && i.state !== "terminated");
  if (here.length === 0) return undefined;
  const reasons = here.map((i) => familiarity(i, profile));
  if (reasons.some((r) => r === undefined)) return undefined;
  return `${here.length} instance${here.length === 1 ? "" : "s"}; ${reasons[0]}`;
}
