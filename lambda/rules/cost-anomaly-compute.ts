/**
 * MW-COST-ANOMALY-COMPUTE: Cost Explorer's own anomaly detection, kept to compute services.
 *
 * Cost anomalies arrive hours to a day late (Cost Explorer refreshes about three times a day), so
 * this is corroboration rather than the first alarm; it is also the one signal that still works when
 * the inventory of a region is hidden from us.
 */
import type { AccountSnapshot, CostAnomaly } from "../core/snapshot.js";
import { DAY_MS, round } from "./lib/series.js";
import type { Rule, RuleContext, Signal } from "./types.js";

/**
 * Cost Explorer SERVICE names where a miner's spend lands: EC2 instances and their extras, and the
 * managed services attackers use to mine without an instance (Fargate bills under ECS).
 */
export const COMPUTE_SERVICES: readonly string[] = [
  "Amazon Elastic Compute Cloud - Compute",
  "EC2 - Other",
  "Amazon SageMaker",
  "Amazon Elastic Container Service",
  "Amazon Elastic Container Service for Kubernetes",
  "Amazon Elastic Kubernetes Service",
  "AWS CodeBuild",
  "AWS Lambda",
  "AWS Batch",
  "AWS Amplify",
  "Amazon Lightsail",
];

const COMPUTE_SERVICE_NAMES = new Set(COMPUTE_SERVICES.map((s) => s.toLowerCase()));

export function isComputeService(service: string | undefined): boolean {
  return service !== undefined && COMPUTE_SERVICE_NAMES.has(service.trim().toLowerCase());
}

/** Anomalies that ended up to this many days before the window still count: they arrive late. */
export const ANOMALY_LOOKBACK_DAYS = 3;
/** Total impact from which an anomaly on its own is high. */
export const HIGH_IMPACT_USD = 100;
/**
 * A peak is recurring when some baseline day already spent at least this share of the recent peak
 * on the same instance type (or, without a usage type, in the same region): the month-end close.
 */
export const RECURRING_PEAK_SHARE = 0.8;

/** "USE2-BoxUsage:g4dn.12xlarge" -> "g4dn.12xlarge"; undefined for other usage types. */
export function instanceTypeOfUsage(usageType: string | undefined): string | undefined {
  const match = /BoxUsage:([a-z0-9-]+\.[a-z0-9]+)$/.exec(usageType ?? "");
  return match?.[1];
}

/**
 * The baseline day that already spent about as much as the recent peak, when there is one: Cost
 * Explorer's anomaly model flags peaks the account has every month, the account's own history
 * says whether this one is new.
 */
function recurringPeak(
  snapshot: AccountSnapshot,
  recentStart: number,
  key: { instanceType?: string | undefined; region?: string | undefined },
): { day: string; usd: number; recentPeakUsd: number; on: string } | undefined {
  const costs = snapshot.costs;
  if (!costs || recentStart <= 0) return undefined;
  const on = key.instanceType ? `${key.instanceType} instances` : key.region ? `region ${key.region}` : undefined;
  const series = key.instanceType
    ? costs.byInstanceType[key.instanceType]
    : key.region
      ? costs.byRegion[key.region]
      : undefined;
  if (!series || !on) return undefined;
  const recentPeak = Math.max(0, ...series.slice(recentStart));
  if (recentPeak <= 0) return undefined;
  let best = -1;
  series.slice(0, recentStart).forEach((v, i) => {
    if (best < 0 || v > (series[best] ?? 0)) best = i;
  });
  const usd = series[best] ?? 0;
  if (usd < RECURRING_PEAK_SHARE * recentPeak) return undefined;
  return { day: costs.days[best] ?? "", usd: round(usd, 2), recentPeakUsd: round(recentPeak, 2), on };
}

function overlaps(anomaly: CostAnomaly, fromMs: number, toMs: number): boolean {
  const start = Date.parse(`${anomaly.startDate}T00:00:00Z`);
  // An anomaly without an end date is still open; its end date's whole day belongs to it.
  const end = anomaly.endDate ? Date.parse(`${anomaly.endDate}T00:00:00Z`) + DAY_MS : Number.POSITIVE_INFINITY;
  return start < toMs && end > fromMs;
}

export const costAnomalyCompute: Rule = {
  id: "MW-COST-ANOMALY-COMPUTE",
  title: "Cost anomaly in a compute service",
  severity: "high",
  category: "cost",
  rationale:
    "Cost Explorer flags spend that breaks the account's pattern. When the root cause is EC2, Fargate, SageMaker, " +
    "CodeBuild, Lambda, Batch or Amplify, mining is a likely cause. It arrives up to a day late, so it mostly " +
    "confirms other signals, and it is the one that still speaks when inventory is hidden by AccessDenied.",
  recommendation:
    "Open the anomaly in Cost Explorer (Cost Anomaly Detection) and follow its root cause to the region and usage " +
    "type; list the running resources of that service there. If they are unknown, contain them and rotate the " +
    "credentials that created them. Request a billing adjustment from AWS Support once contained.",
  evaluate(snapshot: AccountSnapshot, { profile }: RuleContext): Signal[] {
    const fromMs = Date.parse(snapshot.window.start) - ANOMALY_LOOKBACK_DAYS * DAY_MS;
    const toMs = Date.parse(snapshot.window.end);
    const signals: Signal[] = [];
    for (const anomaly of snapshot.costAnomalies) {
      if (!overlaps(anomaly, fromMs, toMs)) continue;
      const computeCauses = anomaly.rootCauses.filter((cause) => isComputeService(cause.service));
      if (computeCauses.length === 0) continue;
      const first = computeCauses[0];
      const region = first?.region && first.region !== "NoRegion" ? first.region : "global";
      const services = [...new Set(computeCauses.map((c) => c.service ?? ""))];
      const regions = [...new Set(computeCauses.flatMap((c) => (c.region ? [c.region] : [])))];
      const usageTypes = [...new Set(computeCauses.flatMap((c) => (c.usageType ? [c.usageType] : [])))];
      const impact = round(anomaly.totalImpactUsd, 2);
      const span = anomaly.endDate ? `${anomaly.startDate} to ${anomaly.endDate}` : `since ${anomaly.startDate}`;
      const recurring = recurringPeak(snapshot, profile.costRecentStartIndex, {
        instanceType: instanceTypeOfUsage(first?.usageType),
        region: first?.region,
      });
      signals.push({
        ruleId: costAnomalyCompute.id,
        resource: { type: "cost-anomaly", id: anomaly.anomalyId, region },
        severity: recurring ? "low" : anomaly.totalImpactUsd >= HIGH_IMPACT_USD ? "high" : "medium",
        message:
          `Cost anomaly of $${impact.toFixed(2)} ${span} in ${services.join(", ")}` +
          ` (region ${regions.length > 0 ? regions.join(", ") : "not given"}` +
          `${usageTypes.length > 0 ? `, usage type ${usageTypes.join(", ")}` : ""}).` +
          (recurring
            ? ` The account spent about as much on ${recurring.on} before ($${recurring.usd.toFixed(2)} on ${recurring.day}, against a recent peak of $${recurring.recentPeakUsd.toFixed(2)}): a recurring peak, low on its own.`
            : ""),
        details: {
          totalImpactUsd: impact,
          maxImpactUsd: anomaly.maxImpactUsd === undefined ? null : round(anomaly.maxImpactUsd, 2),
          startDate: anomaly.startDate,
          endDate: anomaly.endDate ?? null,
          services,
          regions,
          usageTypes,
          score: anomaly.score ?? null,
          highImpactUsd: HIGH_IMPACT_USD,
          recurringPeakDay: recurring?.day ?? null,
          recurringPeakUsd: recurring?.usd ?? null,
        },
      });
    }
    return signals;
  },
};
