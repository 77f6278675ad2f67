/**
 * MW-GUARDDUTY-MINING: GuardDuty itself saw mining (bitcoin-tool traffic, mining-pool DNS, a miner
 * process under Runtime Monitoring). Each finding becomes a signal on the resource it names, so it
 * joins whatever else Minewatch found about that instance, task or function.
 */

import type { GuardDutyFinding } from "../core/sections/guardduty.js";
import { MINING_FINDING_TYPES } from "../core/sections/guardduty.js";
import type { ResourceRef, Rule, Signal } from "./types.js";

/** GuardDuty's own "high" band starts at 7.0. */
export const GUARDDUTY_HIGH_SEVERITY = 7;
/** A finding GuardDuty aggregated more often than this is sustained activity, not a blip. */
export const SUSTAINED_COUNT = 10;

const MINING_TYPES: ReadonlySet<string> = new Set(MINING_FINDING_TYPES);

/** The resource a finding is about, in Minewatch's resource conventions. */
export function findingResource(finding: GuardDutyFinding): ResourceRef {
  const region = finding.region;
  if (finding.instanceId) return { type: "ec2-instance", id: finding.instanceId, region };
  const id = finding.resourceId;
  if (id && /^arn:[^:]+:ecs:[^:]*:\d*:task\//.test(id)) return { type: "ecs-task", id, region };
  if (id && /^arn:[^:]+:lambda:/.test(id)) return { type: "lambda-function", id: id.replace(/:\$LATEST$/, ""), region };
  return { type: "guardduty-finding", id: finding.id, region };
}

export const guarddutyMining: Rule = {
  id: "MW-GUARDDUTY-MINING",
  title: "GuardDuty reports cryptocurrency mining",
  severity: "critical",
  category: "indicator",
  rationale:
    "GuardDuty flags traffic to mining pools and bitcoin-related domains (EC2, Lambda) and miner processes in containers and hosts (Runtime Monitoring). " +
    "It is AWS's own observation of mining on a named resource; it misses private pools and DNS-over-HTTPS, so its silence proves less than its findings do.",
  recommendation:
    "Open the finding in the GuardDuty console for the process, domain and remote IP. Contain the named resource (stop the instance or task, " +
    "disable the function's triggers), then find who launched it in CloudTrail and deactivate that key. Do not archive the finding until the cause is removed.",
  evaluate(snapshot) {
    const guardDuty = snapshot.guardDuty;
    if (!guardDuty) return [];
    const signals: Signal[] = [];
    for (const finding of guardDuty.findings) {
      if (!MINING_TYPES.has(finding.type)) continue;
      const sustained = finding.count > SUSTAINED_COUNT;
      const severe = finding.severity >= GUARDDUTY_HIGH_SEVERITY;
      const resource = findingResource(finding);
      const subject =
        resource.type === "guardduty-finding"
          ? (finding.resourceId ?? finding.resourceType ?? "a resource")
          : resource.id;
      const archived = finding.archived
        ? " The finding is archived: check whether a suppression rule archives mining findings (attackers with admin rights create them)."
        : "";
      signals.push({
        ruleId: guarddutyMining.id,
        resource,
        severity: severe || sustained ? "critical" : "high",
        message:
          `GuardDuty ${finding.type} (severity ${finding.severity}) on ${subject} in ${finding.region}: "${finding.title}", ` +
          `seen ${finding.count} time${finding.count === 1 ? "" : "s"} from ${finding.firstSeen} to ${finding.lastSeen}.${archived}`,
        details: {
          findingId: finding.id,
          findingType: finding.type,
          guardDutySeverity: finding.severity,
          count: finding.count,
          firstSeen: finding.firstSeen,
          lastSeen: finding.lastSeen,
          resourceType: finding.resourceType ?? null,
          resourceId: finding.resourceId ?? null,
          accessKeyId: finding.accessKeyId ?? null,
          archived: finding.archived ?? false,
        },
      });
    }
    return signals;
  },
};
