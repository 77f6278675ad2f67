/**
 * MW-EC2-UNUSUAL-TYPE: GPU / accelerated instances or large compute from a family this account does
 * not use. Known cases: p3/p4d/g4dn fleets for GPU mining, 10 x c5.4xlarge and c5a.24xlarge fleets
 * for CPU (Monero) mining.
 */
import { instanceFamily } from "../core/profile.js";
import {
  activeInWindow,
  estimatedVcpus,
  formatTime,
  instanceRef,
  isAccelerated,
  isLargeCompute,
  typeInfo,
} from "./lib/instances.js";
import type { Rule, Signal } from "./types.js";

export const ec2UnusualType: Rule = {
  id: "MW-EC2-UNUSUAL-TYPE",
  title: "GPU or large compute instance of a family the account does not use",
  severity: "high",
  category: "inventory",
  rationale:
    "Miners rent the most hash rate per dollar: GPU families (p3, p4d, g4dn, g5) and large compute (c5.4xlarge and up, hpc). " +
    "A family the account has never run, appearing now, is rarely a coincidence; GPU instances cost up to tens of dollars per hour each.",
  recommendation:
    "Find who launched it (CloudTrail RunInstances) and ask the owning team. If nobody claims it, stop it and snapshot its volumes, " +
    "then look for the same type in other regions. If the family is used on purpose, add it to approvedInstanceFamilies in the config.",
  evaluate(snapshot, { profile, config }) {
    const signals: Signal[] = [];
    for (const instance of snapshot.instances) {
      if (!activeInWindow(instance, snapshot)) continue;
      const family = instanceFamily(instance.instanceType);
      if (profile.knownFamilies.includes(family)) continue;
      const info = typeInfo(snapshot, instance.instanceType);
      const accelerated = isAccelerated(info, instance.instanceType);
      if (!accelerated && !isLargeCompute(info, instance.instanceType, config.thresholds.largeComputeVcpus)) continue;

      const vcpus = info?.vcpus ?? estimatedVcpus(instance.instanceType) ?? null;
      const offers = info
        ? [
            `${info.vcpus} vCPUs`,
            ...(info.gpus > 0
              ? [`${info.gpus} GPU${info.gpus > 1 ? "s" : ""}${info.gpuModel ? ` (${info.gpuModel})` : ""}`]
              : []),
            ...(info.accelerators > 0 ? [`${info.accelerators} accelerator${info.accelerators > 1 ? "s" : ""}`] : []),
          ].join(", ")
        : `type details not collected; judged by its name${vcpus !== null ? `, about ${vcpus} vCPUs` : ""}`;
      const known = profile.knownFamilies.length > 0 ? profile.knownFamilies.join(", ") : "none yet";
      signals.push({
        ruleId: ec2UnusualType.id,
        resource: instanceRef(instance),
        severity: accelerated ? "high" : "medium",
        message:
          `${instance.instanceId} is a ${accelerated ? "GPU/accelerated" : "large compute"} ${instance.instanceType} (${offers}) in ${instance.region}, ` +
          `launched ${formatTime(instance.launchTime)}; family ${family} is not in use in this account (known families: ${known}).`,
        details: {
          instanceType: instance.instanceType,
          family,
          kind: accelerated ? "accelerated" : "large-compute",
          vcpus,
          gpus: info?.gpus ?? null,
          gpuModel: info?.gpuModel ?? null,
          accelerators: info?.accelerators ?? null,
          typeInfoSource: info ? "describe-instance-types" : "type-name",
          largeComputeVcpus: config.thresholds.largeComputeVcpus,
          knownFamilies: profile.knownFamilies,
          launchTime: instance.launchTime,
          state: instance.state,
        },
      });
    }
    return signals;
  },
};
