/**
 * MW-GUARDDUTY-DISABLED: a region runs compute but GuardDuty cannot see mining there, because no
 * detector is enabled, or because Runtime Monitoring is off where ECS tasks or EKS nodes run.
 * Leaked-key campaigns favour exactly the regions nobody watches; this says which ones.
 *
 * Only regions whose detectors were read count (guardDuty.regionsChecked); a region GuardDuty could
 * not be read in is a coverage gap, reported by MW-COVERAGE-GAP instead.
 */
import { GUARDDUTY_FEATURE, type GuardDutyDetector } from "../core/sections/guardduty.js";
import type { AccountSnapshot } from "../core/snapshot.js";
import type { Rule, Severity, Signal } from "./types.js";

const ACTIVE_STATES = new Set(["pending", "running"]);
const EKS_NODE_TAGS = ["eks:cluster-name", "aws:eks:cluster-name"];

interface RegionCompute {
  instances: number;
  eksNodes: number;
  ecsTasks: number;
  fargateTasks: number;
  lambdaFunctions: number;
}

function computeIn(snapshot: AccountSnapshot, region: string): RegionCompute {
  const instances = snapshot.instances.filter((i) => i.region === region && ACTIVE_STATES.has(i.state));
  const tasks = (snapshot.ecs?.tasks ?? []).filter((t) => t.region === region && t.lastStatus !== "STOPPED");
  return {
    instances: instances.length,
    eksNodes: instances.filter((i) => EKS_NODE_TAGS.some((tag) => tag in i.tags)).length,
    ecsTasks: tasks.length,
    fargateTasks: tasks.filter((t) => t.launchType === "FARGATE").length,
    lambdaFunctions: (snapshot.managedCompute?.lambdaFunctions ?? []).filter((f) => f.region === region).length,
  };
}

function describeCompute(c: RegionCompute): string {
  const parts: string[] = [];
  if (c.instances > 0) parts.push(`${c.instances} instance${c.instances === 1 ? "" : "s"}`);
  if (c.ecsTasks > 0) parts.push(`${c.ecsTasks} ECS task${c.ecsTasks === 1 ? "" : "s"}`);
  if (c.lambdaFunctions > 0) parts.push(`${c.lambdaFunctions} Lambda function${c.lambdaFunctions === 1 ? "" : "s"}`);
  return parts.join(", ");
}

function enabled(detectors: GuardDutyDetector[], feature: string): boolean {
  return detectors.some((d) => d.features[feature] === "ENABLED");
}

export const guarddutyDisabled: Rule = {
  id: "MW-GUARDDUTY-DISABLED",
  title: "GuardDuty cannot see mining in a region with compute",
  severity: "medium",
  category: "coverage",
  rationale:
    "GuardDuty only reports mining in regions where a detector is enabled, and in containers only with Runtime Monitoring. " +
    "Attackers with leaked keys launch in every region at once; a region with compute and no GuardDuty is one where its silence means nothing.",
  recommendation:
    "Enable GuardDuty in every region the account can use (or an organization-wide delegated administrator with auto-enable), " +
    "and Runtime Monitoring with automated agent management for ECS Fargate and EKS where containers run.",
  evaluate(snapshot) {
    const guardDuty = snapshot.guardDuty;
    // Not applicable when GuardDuty was not collected: coverage says why.
    if (!guardDuty) return [];
    const signals: Signal[] = [];
    for (const region of [...guardDuty.regionsChecked].sort()) {
      const compute = computeIn(snapshot, region);
      const total = compute.instances + compute.ecsTasks + compute.lambdaFunctions;
      if (total === 0) continue;
      const detectors = guardDuty.detectors.filter((d) => d.region === region && d.status === "ENABLED");
      const what = describeCompute(compute);

      if (detectors.length === 0) {
        // Long-running compute is where miners live; functions alone are a smaller blind spot.
        const severity: Severity = compute.instances + compute.ecsTasks > 0 ? "medium" : "low";
        signals.push({
          ruleId: guarddutyDisabled.id,
          resource: { type: "region", id: region, region },
          severity,
          message: `GuardDuty is off in ${region} (no enabled detector) while ${what} ${total === 1 ? "runs" : "run"} there: mining in this region would raise no GuardDuty finding.`,
          details: { detectorEnabled: false, ...compute, missingFeatures: [] },
        });
        continue;
      }

      const missing: string[] = [];
      const runtime = enabled(detectors, GUARDDUTY_FEATURE.runtimeMonitoring);
      if (compute.fargateTasks > 0 && !(runtime && enabled(detectors, GUARDDUTY_FEATURE.fargateAgent))) {
        missing.push(
          `Runtime Monitoring for ECS Fargate (${compute.fargateTasks} Fargate task${compute.fargateTasks === 1 ? "" : "s"})`,
        );
      } else if (compute.ecsTasks > compute.fargateTasks && !runtime) {
        missing.push(`Runtime Monitoring (${compute.ecsTasks - compute.fargateTasks} ECS task(s) on EC2)`);
      }
      if (compute.eksNodes > 0 && !runtime && !enabled(detectors, GUARDDUTY_FEATURE.eksRuntimeMonitoring)) {
        missing.push(`EKS Runtime Monitoring (${compute.eksNodes} EKS node${compute.eksNodes === 1 ? "" : "s"})`);
      }
      if (missing.length === 0) continue;
      signals.push({
        ruleId: guarddutyDisabled.id,
        resource: { type: "region", id: region, region },
        severity: "low",
        message: `GuardDuty is on in ${region} but without ${missing.join(" and ")}: a miner inside containers there would show only as network findings, if at all.`,
        details: { detectorEnabled: true, ...compute, missingFeatures: missing },
      });
    }
    return signals;
  },
};
