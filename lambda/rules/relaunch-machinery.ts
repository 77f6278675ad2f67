/**
 * MW-RELAUNCH-MACHINERY: an Auto Scaling group, persistent spot request, maintain-type EC2 fleet or
 * spot fleet created in the window that is behind mining: its instances are flagged by other rules,
 * its launch template or launch specification carries miner indicators, or it launches GPU or
 * large compute in a region the account does not use. Terminating the instances is useless while
 * it exists: it launches replacements within minutes.
 *
 * Signals are about the machinery itself, with `details.instanceIds` listing the instances it owns,
 * so correlation can join it to their incident and order containment (remove the machinery first).
 */
import type { AccountProfile } from "../core/profile.js";
import type { RedactedText } from "../core/sections/common.js";
import type { LaunchTemplate, Relaunch } from "../core/sections/relaunch.js";
import type { AccountSnapshot, Instance } from "../core/snapshot.js";
import { cpuSustainedHigh } from "./cpu-sustained-high.js";
import { ec2TerminationProtection } from "./ec2-termination-protection.js";
import { ec2UnusedRegion } from "./ec2-unused-region.js";
import { ec2UserdataMiner } from "./ec2-userdata-miner.js";
import { isAccelerated, isLargeCompute } from "./lib/instances.js";
import { createdInWindow } from "./lib/managed-compute.js";
import { evidenceText, type ScriptVerdict, scriptVerdict, strongerVerdict } from "./lib/script-indicators.js";
import { atLeast, type DetailValue, type Rule, type RuleContext, type Signal } from "./types.js";

/** Rules whose medium-or-worse signal on an instance makes it "flagged": evidence of mining or anti-remediation. */
export const FLAGGING_RULES: readonly Rule[] = [
  ec2UserdataMiner,
  ec2UnusedRegion,
  cpuSustainedHigh,
  ec2TerminationProtection,
];

type MachineryType = "autoscaling-group" | "spot-request" | "ec2-fleet" | "spot-fleet";

interface Machinery {
  type: MachineryType;
  id: string;
  region: string;
  createdAt: string;
  /** "Auto Scaling group web-asg (desired 10)". */
  label: string;
  instanceIds: string[];
  instanceTypes: string[];
  launchTemplateIds: string[];
  /** User data carried by the machinery itself (spot requests, spot fleet launch specifications). */
  userData?: RedactedText;
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/** The relaunching machinery created in the window, with the instances each owns. */
function machineryInWindow(relaunch: Relaunch, snapshot: AccountSnapshot): Machinery[] {
  const instances = snapshot.instances;
  const owned = (predicate: (i: Instance) => boolean) => instances.filter(predicate).map((i) => i.instanceId);
  const out: Machinery[] = [];
  for (const group of relaunch.autoScalingGroups) {
    if (!createdInWindow(group.createdTime, snapshot)) continue;
    out.push({
      type: "autoscaling-group",
      id: group.name,
      region: group.region,
      createdAt: group.createdTime,
      label: `Auto Scaling group ${group.name} (min ${group.minSize}, max ${group.maxSize}, desired ${group.desiredCapacity})`,
      instanceIds: sortedUnique([
        ...group.instanceIds,
        ...owned((i) => i.region === group.region && i.autoScalingGroup === group.name),
      ]),
      instanceTypes: group.instanceTypes,
      launchTemplateIds: group.launchTemplateId ? [group.launchTemplateId] : [],
    });
  }
  for (const request of relaunch.spotRequests) {
    // A one-time request launches once; only a persistent one relaunches what is terminated.
    if (request.type !== "persistent" || !createdInWindow(request.createTime, snapshot)) continue;
    out.push({
      type: "spot-request",
      id: request.id,
      region: request.region,
      createdAt: request.createTime,
      label: `Persistent spot request ${request.id} (${request.state})`,
      instanceIds: sortedUnique([
        ...(request.instanceId ? [request.instanceId] : []),
        ...owned((i) => i.region === request.region && i.spotInstanceRequestId === request.id),
      ]),
      instanceTypes: request.instanceType ? [request.instanceType] : [],
      launchTemplateIds: [],
      ...(request.userData ? { userData: request.userData } : {}),
    });
  }
  for (const fleet of relaunch.fleets) {
    if (!createdInWindow(fleet.createTime, snapshot)) continue;
    // An EC2 fleet of type request or instant launches once; maintain replaces what is terminated.
    if (fleet.kind === "ec2-fleet" && fleet.type !== "maintain") continue;
    const noun = fleet.kind === "ec2-fleet" ? "EC2 fleet" : "Spot fleet";
    out.push({
      type: fleet.kind,
      id: fleet.id,
      region: fleet.region,
      createdAt: fleet.createTime,
      label: `${noun} ${fleet.id} (${[fleet.type, fleet.state].filter(Boolean).join(", ")}${fleet.targetCapacity !== undefined ? `, target ${fleet.targetCapacity}` : ""})`,
      instanceIds: fleet.instanceIds,
      instanceTypes: fleet.instanceTypes,
      launchTemplateIds: fleet.launchTemplateIds,
      ...(fleet.userData ? { userData: fleet.userData } : {}),
    });
  }
  return out;
}

/** Instance ids flagged by FLAGGING_RULES at medium or worse, with the rule ids that flagged each. */
function flaggedInstances(snapshot: AccountSnapshot, context: RuleContext): Map<string, string[]> {
  const flagged = new Map<string, string[]>();
  for (const rule of FLAGGING_RULES) {
    for (const signal of rule.evaluate(snapshot, context)) {
      if (signal.resource.type !== "ec2-instance" || !atLeast(signal.severity, "medium")) continue;
      flagged.set(signal.resource.id, sortedUnique([...(flagged.get(signal.resource.id) ?? []), rule.id]));
    }
  }
  return flagged;
}

function bigTypes(machinery: Machinery, snapshot: AccountSnapshot, largeComputeVcpus: number): string[] {
  return machinery.instanceTypes.filter((type) => {
    const info = snapshot.instanceTypes[type];
    return isAccelerated(info, type) || isLargeCompute(info, type, largeComputeVcpus);
  });
}

function outsideHome(region: string, profile: AccountProfile): boolean {
  // No history means no home to be outside of: other rules speak for brand-new accounts.
  return profile.homeRegions.length > 0 && !profile.homeRegions.includes(region);
}

export const relaunchMachinery: Rule = {
  id: "MW-RELAUNCH-MACHINERY",
  title: "Relaunch machinery behind mining (Auto Scaling group, persistent spot request, fleet)",
  severity: "high",
  category: "inventory",
  rationale:
    "Leaked-key campaigns launch miners through Auto Scaling groups, persistent spot requests and fleets so that terminated instances come back within minutes. " +
    "New machinery whose instances are flagged, whose launch template carries a miner, or that launches GPU or large compute in a region the account does not use keeps the incident alive until it is removed.",
  recommendation:
    "Remove the machinery before touching its instances: set the Auto Scaling group to 0 and delete it, cancel the spot request or fleet (with its instances), " +
    "and delete the launch template once evidence is kept. Then snapshot and stop the instances. Find its creator in CloudTrail (CreateAutoScalingGroup, RequestSpotInstances, CreateFleet, RequestSpotFleet) and deactivate that key.",
  evaluate(snapshot, context) {
    const relaunch = snapshot.relaunch;
    if (!relaunch) return [];
    const candidates = machineryInWindow(relaunch, snapshot);
    if (candidates.length === 0) return [];
    const flagged = flaggedInstances(snapshot, context);
    const templates = new Map<string, LaunchTemplate>(relaunch.launchTemplates.map((t) => [`${t.region}/${t.id}`, t]));
    const signals: Signal[] = [];
    for (const machinery of candidates) {
      const reasons: string[] = [];
      const details: Record<string, DetailValue> = {
        machineryType: machinery.type,
        createdAt: machinery.createdAt,
        instanceIds: machinery.instanceIds,
        instanceTypes: machinery.instanceTypes,
        launchTemplateIds: machinery.launchTemplateIds,
      };

      const flaggedIds = machinery.instanceIds.filter((id) => flagged.has(id));
      if (flaggedIds.length > 0) {
        const rules = sortedUnique(flaggedIds.flatMap((id) => flagged.get(id) ?? []));
        reasons.push(
          `${flaggedIds.length} of its ${machinery.instanceIds.length} instances are flagged (${rules.join(", ")})`,
        );
        details.flaggedInstanceIds = flaggedIds;
        details.flaggingRules = rules;
      }

      let verdict: ScriptVerdict | undefined = scriptVerdict(machinery.userData);
      let source = verdict ? "its launch specification's user data" : "";
      for (const templateId of machinery.launchTemplateIds) {
        const template = templates.get(`${machinery.region}/${templateId}`);
        const found = scriptVerdict(template?.userData);
        if (found && strongerVerdict(verdict, found) === found) {
          verdict = found;
          source = `the user data of launch template ${template?.name ?? templateId} (${templateId})`;
        }
        if (template?.disableApiTermination) details.templateDisablesTermination = true;
      }
      if (verdict) {
        reasons.push(`${source} has ${verdict.strength} miner indicators: ${evidenceText(verdict)}`);
        details.indicators = verdict.indicators;
        details.indicatorStrength = verdict.strength;
      }

      const big = bigTypes(machinery, snapshot, context.config.thresholds.largeComputeVcpus);
      if (big.length > 0 && outsideHome(machinery.region, context.profile)) {
        reasons.push(
          `it launches ${big.join(", ")} in ${machinery.region}, outside the account's regions (${context.profile.homeRegions.join(", ")})`,
        );
        details.gpuOrLargeTypes = big;
      }

      if (reasons.length === 0) continue;
      details.reasons = reasons;
      const owns =
        machinery.instanceIds.length > 0
          ? `owns ${machinery.instanceIds.length} instance${machinery.instanceIds.length === 1 ? "" : "s"} (${machinery.instanceIds.slice(0, 5).join(", ")}${machinery.instanceIds.length > 5 ? ", ..." : ""})`
          : "owns no instance right now";
      signals.push({
        ruleId: relaunchMachinery.id,
        resource: { type: machinery.type, id: machinery.id, region: machinery.region },
        severity: "high",
        message: `${machinery.label} in ${machinery.region}, created in the window, ${owns} and will relaunch them: ${reasons.join("; ")}.`,
        details,
      });
    }
    return signals;
  },
};
