/**
 * MW-EC2-TERMINATION-PROTECTION: termination protection on an instance launched in the window that
 * carries no owner tags. Attackers in the November 2025 campaign switched it on within minutes of
 * launching miners, so that a responder's terminate call fails; teams that protect instances on
 * purpose tag them.
 *
 * Only instances whose protection was read (the EC2 collector reads it with user data, for
 * instances worth a look) can fire; the rest are not applicable, never "off".
 */
import type { Instance } from "../core/snapshot.js";
import { ageText, formatTime, instanceRef, launchedInWindow } from "./lib/instances.js";
import type { Rule, Signal } from "./types.js";

/** Tags AWS sets itself (aws:autoscaling:groupName, aws:ec2launchtemplate:id): they say nothing about an owner. */
function ownerTags(instance: Instance): string[] {
  return Object.keys(instance.tags).filter((key) => !key.toLowerCase().startsWith("aws:"));
}

/** Untagged, or only a Name: nothing says who owns it or why it must not be terminated. */
export function hasNoOwnerTags(instance: Instance): boolean {
  const keys = ownerTags(instance);
  return keys.length === 0 || (keys.length === 1 && keys[0] === "Name");
}

export const ec2TerminationProtection: Rule = {
  id: "MW-EC2-TERMINATION-PROTECTION",
  title: "Termination protection on a new untagged instance",
  severity: "high",
  category: "inventory",
  rationale:
    "Termination protection makes TerminateInstances fail until it is switched off. Miners in the November 2025 campaign turned it on minutes after launch to " +
    "survive cleanup; legitimate protected instances are long-lived and tagged with an owner. On a fresh instance with no tags it is anti-remediation.",
  recommendation:
    "Before terminating, switch protection off (aws ec2 modify-instance-attribute --no-disable-api-termination) after snapshotting the volumes. " +
    "Find who called ModifyInstanceAttribute or RunInstances with DisableApiTermination in CloudTrail and deactivate that key; remove any Auto Scaling group or fleet that would relaunch it first.",
  evaluate(snapshot) {
    const now = new Date(snapshot.window.end);
    const signals: Signal[] = [];
    for (const instance of snapshot.instances) {
      if (instance.terminationProtection !== true) continue;
      if (!launchedInWindow(instance, snapshot) || !hasNoOwnerTags(instance)) continue;
      if (instance.state === "terminated" || instance.state === "shutting-down") continue;
      const tags = ownerTags(instance);
      signals.push({
        ruleId: ec2TerminationProtection.id,
        resource: instanceRef(instance),
        severity: "high",
        message:
          `${instance.instanceId} (${instance.instanceType}, ${instance.region}) was launched ${formatTime(instance.launchTime)} (${ageText(instance.launchTime, now)} before the window end) ` +
          `with termination protection on and ${tags.length === 0 ? "no tags" : "only a Name tag"}: a terminate call will fail until protection is switched off.`,
        details: {
          instanceType: instance.instanceType,
          state: instance.state,
          launchTime: instance.launchTime,
          ownerTags: tags,
          ...(instance.autoScalingGroup ? { autoScalingGroup: instance.autoScalingGroup } : {}),
          ...(instance.launchTemplateId ? { launchTemplateId: instance.launchTemplateId } : {}),
        },
      });
    }
    return signals;
  },
};
