/**
 * MW-EC2-UNUSED-REGION: compute in a region the account does not normally use. The most common
 * leaked-key pattern is instances in every region at once, where nobody looks.
 */
import type { AccountProfile } from "../core/profile.js";
import { ESTABLISHED_AFTER_DAYS, familiarity } from "../core/profile.js";
import { activeInWindow, ageText, formatTime, instanceRef, launchedInWindow } from "./lib/instances.js";
import type { Rule, Signal } from "./types.js";

function homeRegionsText(profile: AccountProfile): string {
  const list = profile.homeRegions.join(", ");
  return profile.homeRegionsSource === "config"
    ? `approved regions in the config: ${list || "none"}`
    : `home regions learned from instances older than ${ESTABLISHED_AFTER_DAYS} days and the cost baseline: ${list}`;
}

export const ec2UnusedRegion: Rule = {
  id: "MW-EC2-UNUSED-REGION",
  title: "Compute in a region the account does not use",
  severity: "medium",
  category: "inventory",
  rationale:
    "Stolen keys are typically used to start miners in every region at once, including regions nobody watches; " +
    "an instance outside the account's usual regions is the most common first trace. A planned rollout to a new region looks the same, so alone it is medium.",
  recommendation:
    "Check who launched the instance (CloudTrail RunInstances in that region) and whether a rollout to the region was planned. " +
    "If not, stop it, snapshot its volumes for forensics, and review every other region too. " +
    "If the region is in use on purpose, add it to approvedRegions in the config.",
  evaluate(snapshot, { profile }) {
    const signals: Signal[] = [];
    const noHistory = profile.homeRegions.length === 0 && profile.homeRegionsSource === "learned";
    for (const instance of snapshot.instances) {
      if (!activeInWindow(instance, snapshot)) continue;
      if (profile.homeRegions.includes(instance.region)) continue;
      const launched = `launched ${formatTime(instance.launchTime)} (${ageText(instance.launchTime, new Date(snapshot.window.end))} before the window end)`;
      const what = `${instance.instanceId} (${instance.instanceType}, ${instance.state}) in ${instance.region}, ${launched}`;
      // A rollout of the account's own stack wears the account's own instance profiles: still worth
      // a line (a new region is news), but low on its own.
      const familiar = familiarity(instance, profile);
      const ownWorkload = familiar
        ? `; it looks like the account's own workload rolled out to a new region (${familiar})`
        : "";
      signals.push({
        ruleId: ec2UnusedRegion.id,
        resource: instanceRef(instance),
        severity: noHistory || familiar ? "low" : "medium",
        message: noHistory
          ? `${what}; the account has no instance or spend history to compare regions against, so every region is new.`
          : `${what}: a region outside the account's usual ones (${homeRegionsText(profile)})${ownWorkload}.`,
        details: {
          region: instance.region,
          instanceType: instance.instanceType,
          state: instance.state,
          launchTime: instance.launchTime,
          launchedInWindow: launchedInWindow(instance, snapshot),
          homeRegions: profile.homeRegions,
          homeRegionsSource: profile.homeRegionsSource,
          noRegionHistory: noHistory,
          familiarWorkload: familiar ?? null,
        },
      });
    }
    return signals;
  },
};
