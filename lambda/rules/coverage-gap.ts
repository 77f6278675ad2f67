/**
 * MW-COVERAGE-GAP: everything Minewatch could not read, as findings of their own.
 *
 * For an auditor a hidden AccessDenied is worse than a finding: it turns "not looked at" into "no
 * mining found". Each failed, partial or unexpectedly skipped coverage entry becomes a signal that
 * says what was not seen, why, and how to fix it. An unreadable EC2 inventory in a region where
 * Cost Explorer still shows spend is high: that is exactly how a hidden miner looks from outside.
 */
import type { AccountSnapshot, CoverageEntry, CoverageReason } from "../core/snapshot.js";
import { round } from "./lib/series.js";
import type { Rule, RuleContext, Severity, Signal } from "./types.js";

/** Skips that are deliberate and harmless: a region the account cannot use, a data set not asked for. */
const EXPECTED_SKIPS = new Set<CoverageReason | undefined>(["not-opted-in", "not-requested"]);

/** What each API or data set would have shown, for the message. */
const WHAT_IT_SHOWS: Record<string, string> = {
  DescribeInstances: "EC2 instances",
  DescribeRegions: "the list of enabled regions",
  DescribeInstanceTypes: "instance type details (vCPUs, GPUs)",
  DescribeInstanceAttribute: "instance user data",
  DescribeLaunchTemplateVersions: "launch templates",
  GetMetricData: "CloudWatch metrics (CPU, network, GPU)",
  ListMetrics: "which instances report GPU metrics",
  "gpu-metrics": "GPU utilization",
  nvidia_smi_utilization_gpu: "GPU utilization (CloudWatch agent)",
  GetCostAndUsage: "daily costs by region, service and instance type",
  GetAnomalies: "Cost Explorer anomalies",
};

/** What a whole collector would have shown, when it failed before any single API call was recorded. */
const WHAT_A_COLLECTOR_SHOWS: Record<string, string> = {
  ec2: "EC2 inventory",
  cloudwatch: "CloudWatch metrics (CPU, network, GPU)",
  ce: "Cost Explorer costs and anomalies",
};

function whatWasMissed(entry: CoverageEntry): string {
  const api = entry.api.split(":")[0] ?? entry.api;
  if (api === "collect") return WHAT_A_COLLECTOR_SHOWS[entry.service] ?? `${entry.service} data`;
  return WHAT_IT_SHOWS[api] ?? `${entry.service} ${entry.api}`;
}

function fixFor(entry: CoverageEntry, gpuNamespace: string): string {
  const isAction = /^[A-Z][A-Za-z]+$/.test(entry.api);
  switch (entry.reason) {
    case "access-denied":
      return isAction
        ? `grant ${entry.service}:${entry.api} to the role Minewatch runs as (and check SCPs that deny it)`
        : `grant the ${entry.service} read permissions Minewatch needs (and check SCPs that deny them)`;
    case "cost-explorer-not-enabled":
      return "enable Cost Explorer in the Billing and Cost Management console (data appears within about 24 hours)";
    case "throttled":
      return "re-run later or lower the collection concurrency: the API kept throttling after retries";
    case "timed-out":
      return "re-run, or give the run more time (Lambda timeout) or fewer regions";
    case "agent-missing":
      return `install the CloudWatch agent with the nvidia_smi plugin on GPU instances you run on purpose (namespace ${gpuNamespace}, InstanceId dimension appended)`;
    case "service-disabled":
      return "enable the service in this region if the account uses it";
    case "not-requested":
      return "nothing is broken: it was left out on purpose to bound time and cost; raise the limit or request it to read it";
    case "not-opted-in":
      return "opt the region in, or leave it out of the audit";
    default:
      return "check the error message and re-run; report it if it persists";
  }
}

function reasonText(entry: CoverageEntry): string {
  const reason = entry.reason ?? "unknown reason";
  // The entry's message is often a sentence of its own; its closing period would clash with ours.
  return entry.message ? `${reason}: ${entry.message.replace(/\.+$/, "")}` : reason;
}

/** Highest daily spend in `region` over the recent cost days, when Cost Explorer was read. */
function recentRegionSpend(snapshot: AccountSnapshot, region: string, recentStart: number): number | undefined {
  const values = snapshot.costs?.byRegion[region]?.slice(recentStart);
  if (!values || values.length === 0) return undefined;
  return Math.max(...values);
}

export const coverageGap: Rule = {
  id: "MW-COVERAGE-GAP",
  title: "Part of the account could not be audited",
  severity: "high",
  category: "coverage",
  rationale:
    "An audit that could not read a region or a data set must say so: an AccessDenied on DescribeInstances looks " +
    "exactly like an empty region. Attackers with leaked keys favour regions nobody watches, and a region whose " +
    "inventory is hidden while Cost Explorer shows spend there is the typical trace of one.",
  recommendation:
    "Fix the permission or setting named in the message (the Minewatch IAM policy lists every action it needs), " +
    "then re-run the audit. Until then, treat the named region or data set as unaudited.",
  evaluate(snapshot: AccountSnapshot, { config, profile }: RuleContext): Signal[] {
    const signals: Signal[] = [];
    for (const entry of snapshot.coverage) {
      if (entry.status === "ok") continue;
      if (entry.status === "skipped" && EXPECTED_SKIPS.has(entry.reason)) continue;

      let severity: Severity = "low";
      let costNote = "";
      let recentSpend: number | null = null;
      const inventoryHidden = entry.service === "ec2" && entry.status === "failed";
      if (entry.reason === "agent-missing") {
        severity = "info";
      } else if (inventoryHidden && entry.api === "DescribeRegions") {
        severity = "medium";
      } else if (inventoryHidden && (entry.api === "DescribeInstances" || entry.api === "collect")) {
        severity = "medium";
        const spend = recentRegionSpend(snapshot, entry.region, profile.costRecentStartIndex);
        if (spend !== undefined && spend >= config.thresholds.newSpendUsdPerDay) {
          severity = "high";
          recentSpend = round(spend, 2);
          costNote =
            ` Cost Explorer shows up to $${recentSpend.toFixed(2)} per day recently in ${entry.region}: ` +
            "something runs there that Minewatch cannot see.";
        }
      }

      const missed = whatWasMissed(entry);
      const what = missed.charAt(0).toUpperCase() + missed.slice(1);
      const where = entry.region === "global" ? "" : ` in ${entry.region}`;
      const extent = entry.status === "partial" ? "only partly read" : "not read";
      const fix = fixFor(entry, snapshot.metrics.gpuNamespace);
      signals.push({
        ruleId: coverageGap.id,
        resource: { type: "coverage", id: `${entry.service}:${entry.api}`, region: entry.region },
        severity,
        message: `${what}${where} ${extent} (${reasonText(entry)}).${costNote} To fix: ${fix}.`,
        details: {
          service: entry.service,
          api: entry.api,
          status: entry.status,
          reason: entry.reason ?? null,
          error: entry.message ?? null,
          recentRegionSpendUsdPerDay: recentSpend,
          fix,
        },
      });
    }
    return signals;
  },
};
