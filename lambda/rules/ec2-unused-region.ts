/**
 * MW-EC2-UNUSED-REGION: compute in a region the account does not normally use. The most common
 * leaked-key pattern is instances in every region at once, where nobody looks.
 */
import type { AccountProfile } from "../core/profile.js";
import { ESTABLISHED_AFTER_DAYS, familiarity, MIN_BASELINE_SPEND_DAYS } from "../core/profile.js";
import type { AccountSnapshot, Instance } from "../core/snapshot.js";
import { listSome } from "../core/text.js";
import { activeInWindow, ageText, formatTime, instanceRef, launchedInWindow } from "./lib/instances.js";
import { closeness } from "./lib/near-miss.js";
import type { NearMiss, Rule, Signal } from "./types.js";

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
  evaluate(snapshot, { profile, noteNearMiss }) {
    const signals: Signal[] = [];
    const noHistory = profile.homeRegions.length === 0 && profile.homeRegionsSource === "learned";
    if (noteNearMiss) for (const near of barelyUsedRegions(snapshot, profile)) noteNearMiss(near);
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

/**
 * New instances in a region that counts as used only by a few days of spend (no established
 * instance there): the rule stays quiet, but a key tested in a region weeks ago makes that region
 * "home" this way. One note per region, on its first new instance, naming the others.
 */
function barelyUsedRegions(snapshot: AccountSnapshot, profile: AccountProfile): Omit<NearMiss, "ruleId">[] {
  if (profile.homeRegionsSource !== "learned") return [];
  const since = Date.parse(snapshot.window.end) - ESTABLISHED_AFTER_DAYS * 24 * 3_600_000;
  const byRegion = new Map<string, Instance[]>();
  for (const instance of snapshot.instances) {
    const days = profile.regionSpendDays[instance.region] ?? 0;
    if (!profile.homeRegions.includes(instance.region) || profile.establishedRegions.includes(instance.region))
      continue;
    if (days >= MIN_BASELINE_SPEND_DAYS * 2 || !activeInWindow(instance, snapshot)) continue;
    if (Date.parse(instance.launchTime) <= since) continue;
    byRegion.set(instance.region, [...(byRegion.get(instance.region) ?? []), instance]);
  }
  const baselineDays = profile.costRecentStartIndex;
  return [...byRegion].map(([region, instances]) => {
    const days = profile.regionSpendDays[region] ?? 0;
    const first = instances[0] as Instance;
    return {
      resource: instanceRef(first),
      message:
        `${listSome(
          instances.map((i) => `${i.instanceId} (${i.instanceType})`),
          5,
        )} in ${region}: the region counts as used only because it had spend on ${days} of ${baselineDays} baseline ` +
        `days (the rule calls a region unused below ${MIN_BASELINE_SPEND_DAYS}) and no instance older than ` +
        `${ESTABLISHED_AFTER_DAYS} days runs there. A key tested there weeks ago makes a region look used this way; ` +
        "approvedRegions in the config makes the list explicit.",
      closeness: closeness(MIN_BASELINE_SPEND_DAYS, days + 1),
      details: {
        region,
        spendDays: days,
        baselineDays,
        minBaselineSpendDays: MIN_BASELINE_SPEND_DAYS,
        instanceIds: instances.map((i) => i.instanceId),
      },
    };
  });
}
