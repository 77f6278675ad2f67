/**
 * MW-PRINCIPAL-PROBING: a principal that probed what it may launch (RunInstances DryRun, EC2 and
 * other compute quota increases, a run of denied calls) and then launched compute. Intruders with a
 * fresh key check their limits before starting miners; people and pipelines rarely do both.
 */
import type { CloudTrailEvent } from "../core/sections/cloudtrail.js";
import {
  activePrincipals,
  describePrincipal,
  isDryRun,
  isQuotaRequest,
  isServicePrincipal,
  isUnauthorized,
  type PrincipalActivity,
  principalActivity,
  principalDetails,
  principalRef,
} from "../correlate/attribution.js";
import { formatTime } from "./lib/instances.js";
import type { Rule, Signal } from "./types.js";

/** Denied compute calls that count as probing on their own (one or two are typos). */
export const UNAUTHORIZED_PROBE_THRESHOLD = 5;

/**
 * Service Quotas codes for compute capacity: EC2 On-Demand and Spot vCPUs per family group.
 * A request for one of these is what a miner needs first.
 */
export const COMPUTE_QUOTA_CODES: Readonly<Record<string, string>> = {
  "L-1216C47A": "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
  "L-DB2E81BA": "Running On-Demand G and VT instances",
  "L-417A185B": "Running On-Demand P instances",
  "L-7295265B": "Running On-Demand X instances",
  "L-74FC7D96": "Running On-Demand F instances",
  "L-34B43A08": "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests",
  "L-3819A6DF": "All G and VT Spot Instance Requests",
  "L-7212CCBC": "All P Spot Instance Requests",
};
/** Services whose quota increases point at compute. */
const COMPUTE_QUOTA_SERVICES = new Set(["ec2", "ecs", "fargate", "sagemaker", "codebuild", "lambda", "batch"]);

interface Probes {
  dryRuns: CloudTrailEvent[];
  quotaRequests: CloudTrailEvent[];
  unauthorized: CloudTrailEvent[];
}

function isComputeQuota(event: CloudTrailEvent): boolean {
  const code = event.request.quotaCode;
  const service = event.request.serviceCode;
  return (
    (code !== undefined && code in COMPUTE_QUOTA_CODES) ||
    (service !== undefined && COMPUTE_QUOTA_SERVICES.has(service))
  );
}

function probesOf(activity: Pick<PrincipalActivity, "dryRuns" | "quotaRequests" | "unauthorized">): Probes {
  const unauthorized = activity.unauthorized.length >= UNAUTHORIZED_PROBE_THRESHOLD ? activity.unauthorized : [];
  return {
    dryRuns: activity.dryRuns,
    quotaRequests: activity.quotaRequests.filter(isComputeQuota),
    unauthorized,
  };
}

function describeProbes(probes: Probes): string {
  const parts: string[] = [];
  if (probes.dryRuns.length > 0) {
    const regions = [...new Set(probes.dryRuns.map((e) => e.region))].sort();
    parts.push(
      `${probes.dryRuns.length} DryRun ${probes.dryRuns.length === 1 ? "call" : "calls"} (${regions.join(", ")})`,
    );
  }
  for (const request of probes.quotaRequests) {
    const code = request.request.quotaCode ?? "unknown quota";
    const name = COMPUTE_QUOTA_CODES[code];
    const value = request.request.desiredValue ? ` to ${request.request.desiredValue}` : "";
    parts.push(`a quota increase for ${code}${name ? ` (${name})` : ""}${value} in ${request.region}`);
  }
  if (probes.unauthorized.length > 0) parts.push(`${probes.unauthorized.length} denied calls`);
  return parts.join(", ");
}

function count(probes: Probes): number {
  return probes.dryRuns.length + probes.quotaRequests.length + probes.unauthorized.length;
}

export const principalProbing: Rule = {
  id: "MW-PRINCIPAL-PROBING",
  title: "Principal probed quotas or DryRun before launching compute",
  severity: "high",
  category: "behaviour",
  rationale:
    "Intruders with a fresh key test what they may launch (RunInstances DryRun, vCPU quota increases for G, P and standard instances, calls that fail as unauthorized) and then start miners. " +
    "Probing followed by launches is high; probing alone is medium.",
  recommendation:
    "Treat the principal's key as compromised: deactivate it, withdraw pending quota requests in Service Quotas, and review every resource it launched in every region.",
  evaluate(snapshot) {
    if (!snapshot.cloudTrail) return [];
    const signals: Signal[] = [];
    for (const key of activePrincipals(snapshot)) {
      const activity = principalActivity(snapshot, key);
      if (!activity || isServicePrincipal(key, activity)) continue;
      const inWindow = probesOf(activity);
      const lastLaunch = activity.launches.at(-1);
      // Probes in the lookback before the period count when launches follow them.
      const history = lastLaunch ? probesUntil(activity, lastLaunch.eventTime) : inWindow;
      const who = describePrincipal(activity.principal);
      if (lastLaunch && count(history) > 0) {
        const firstProbe = [...history.dryRuns, ...history.quotaRequests, ...history.unauthorized]
          .map((e) => e.eventTime)
          .sort()[0];
        const details = {
          ...principalDetails(activity),
          dryRuns: history.dryRuns.length,
          quotaRequests: history.quotaRequests.map(
            (e) => `${e.request.quotaCode ?? "?"}=${e.request.desiredValue ?? "?"}`,
          ),
          unauthorizedCalls: history.unauthorized.length,
          firstProbeAt: firstProbe ?? null,
          launchedResources: activity.launchedResources.map((r) => `${r.type}:${r.id}`),
        };
        const base = `${who} probed first (${describeProbes(history)}${firstProbe ? `, from ${formatTime(firstProbe)}` : ""}) and then launched compute`;
        const instances = activity.launchedResources.filter((r) => r.type === "ec2-instance");
        const others = activity.launchedResources.filter((r) => r.type !== "ec2-instance");
        for (const instance of instances) {
          signals.push({
            ruleId: principalProbing.id,
            resource: instance,
            severity: "high",
            message: `${instance.id} (${instance.region}): ${base}.`,
            details,
          });
        }
        if (others.length > 0 || instances.length === 0) {
          signals.push({
            ruleId: principalProbing.id,
            resource: principalRef(key),
            severity: "high",
            message: `${base}${others.length > 0 ? `: ${others.map((r) => `${r.type} ${r.id}`).join(", ")}` : ""}.`,
            details,
          });
        }
      } else if (count(inWindow) > 0) {
        signals.push({
          ruleId: principalProbing.id,
          resource: principalRef(key),
          severity: "medium",
          message: `${who} probed what it may launch (${describeProbes(inWindow)}) but launched nothing CloudTrail shows, yet.`,
          details: {
            ...principalDetails(activity),
            dryRuns: inWindow.dryRuns.length,
            quotaRequests: inWindow.quotaRequests.map(
              (e) => `${e.request.quotaCode ?? "?"}=${e.request.desiredValue ?? "?"}`,
            ),
            unauthorizedCalls: inWindow.unauthorized.length,
          },
        });
      }
    }
    return signals;
  },
};

/** The principal's probes in the whole history read, up to `until`. */
function probesUntil(activity: PrincipalActivity, until: string): Probes {
  const upTo = activity.history.filter((e) => e.eventTime <= until);
  return probesOf({
    dryRuns: upTo.filter(isDryRun),
    quotaRequests: upTo.filter(isQuotaRequest),
    unauthorized: upTo.filter(isUnauthorized),
  });
}
