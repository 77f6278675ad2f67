/**
 * MW-GPU-HIGH-UTILIZATION: GPUs kept busy for hours, and GPU instances whose utilization nobody can see.
 *
 * GPU utilization only reaches CloudWatch through the CloudWatch agent (nvidia_smi_utilization_gpu).
 * An attacker's instance will never run our agent, so a GPU instance without the metric is not a
 * pass: it gets a low signal saying the GPU is unobserved, and correlation weighs it with the rest.
 */
import { instanceFamily } from "../core/profile.js";
import type { AccountSnapshot, Instance } from "../core/snapshot.js";
import { instanceRef } from "./lib/instances.js";
import { sustainedNearMiss } from "./lib/near-miss.js";
import { HOUR_MS, longestRunAtOrAbove, mean, presentValues, resampleHourly, round, sliceByTime } from "./lib/series.js";
import type { Rule, RuleContext, Signal } from "./types.js";

const ACTIVE_STATES = new Set<Instance["state"]>(["pending", "running", "stopping", "shutting-down"]);

/**
 * Families whose instances carry NVIDIA GPUs, used only when DescribeInstanceTypes did not describe
 * the type (its own failure is reported by MW-COVERAGE-GAP).
 */
const GPU_FAMILY = /^(p\d+[a-z]*|g\d+[a-z]*|gr\d+[a-z]*)$/;

function gpuCount(snapshot: AccountSnapshot, instanceType: string): number {
  const info = snapshot.instanceTypes[instanceType];
  if (info) return info.gpus;
  const family = instanceType.split(".")[0] ?? "";
  return GPU_FAMILY.test(family) ? 1 : 0;
}

/** Ran at some point in the window: running now, launched in it, or reported CPU in it. */
function activeInWindow(snapshot: AccountSnapshot, instance: Instance, startMs: number, endMs: number): boolean {
  if (ACTIVE_STATES.has(instance.state)) return true;
  const launched = Date.parse(instance.launchTime);
  if (launched >= startMs && launched < endMs) return true;
  const cpu = snapshot.metrics.byInstance[instance.instanceId]?.cpu;
  return cpu !== undefined && presentValues(sliceByTime(cpu, startMs, endMs)).length > 0;
}

export const gpuHighUtilization: Rule = {
  id: "MW-GPU-HIGH-UTILIZATION",
  title: "GPU utilization sustained high, or GPU not observable",
  severity: "medium",
  category: "behaviour",
  rationale:
    "GPU mining (Ethereum Classic, Ravencoin, Kaspa and others) keeps every GPU near 100 % for as long as the " +
    "instance lives, at $3-$98 per instance-hour. ML training looks alike, so this is medium on its own. GPU " +
    "instances without the CloudWatch agent metric cannot be judged at all, and an attacker's never has it.",
  recommendation:
    "Check the instance's launcher (CloudTrail RunInstances), tags and role against known ML pipelines; if nobody " +
    "owns it, snapshot the volume and stop it. To observe GPUs, install the CloudWatch agent with the nvidia_smi " +
    "plugin and append the InstanceId dimension on every GPU instance you run on purpose.",
  evaluate(snapshot: AccountSnapshot, { config, profile, noteNearMiss }: RuleContext): Signal[] {
    const { highGpuPercent, highCpuMinHours } = config.thresholds;
    const startMs = Date.parse(snapshot.window.start);
    const endMs = Date.parse(snapshot.window.end);
    const withAgent = new Set(snapshot.metrics.gpuAgentInstanceIds);
    const signals: Signal[] = [];

    for (const instance of snapshot.instances) {
      const resource = instanceRef(instance);
      const gpu = snapshot.metrics.byInstance[instance.instanceId]?.gpu;
      if (gpu) {
        const hourly = sliceByTime(resampleHourly(gpu), startMs, endMs);
        // "Sustained" uses the same duration as sustained CPU: there is no separate GPU duration setting.
        const run = longestRunAtOrAbove(hourly, highGpuPercent);
        if (run && run.hours >= highCpuMinHours) {
          const runMean = round(mean(run.values) ?? 0);
          // A family the account runs most days, in its home region (a render farm, nightly
          // training): busy GPUs there are its normal work, so this stays a low note on its own.
          const family = instanceFamily(instance.instanceType);
          const routine = profile.routineFamilies.includes(family) && profile.homeRegions.includes(instance.region);
          signals.push({
            ruleId: gpuHighUtilization.id,
            resource,
            severity: routine ? "low" : "medium",
            message:
              `GPU utilization at or above ${highGpuPercent} % for ${run.hours} h in a row (mean ${runMean} %) ` +
              `on ${instance.instanceType}, from ${new Date(run.startMs).toISOString()} to ${new Date(run.endMs).toISOString()}.` +
              (routine
                ? ` The account runs ${family} in ${instance.region} routinely (established instances or spend on most baseline days).`
                : ""),
            details: {
              hours: run.hours,
              mean: runMean,
              max: round(Math.max(...run.values)),
              threshold: highGpuPercent,
              minHours: highCpuMinHours,
              instanceType: instance.instanceType,
              gpus: gpuCount(snapshot, instance.instanceType),
              routineFamily: routine,
            },
          });
        } else if (noteNearMiss) {
          const near = sustainedNearMiss(hourly, {
            metric: "GPU utilization",
            percent: highGpuPercent,
            minHours: highCpuMinHours,
            percentSetting: "highGpuPercent",
            minHoursSetting: "highCpuMinHours",
          });
          if (near) noteNearMiss({ ...near, resource });
        }
        continue;
      }
      const gpus = gpuCount(snapshot, instance.instanceType);
      if (gpus === 0 || withAgent.has(instance.instanceId)) continue;
      if (!activeInWindow(snapshot, instance, startMs, endMs)) continue;
      signals.push({
        ruleId: gpuHighUtilization.id,
        resource,
        severity: "low",
        message:
          `GPU utilization of this ${instance.instanceType} (${gpus} GPU${gpus === 1 ? "" : "s"}) is unknown: ` +
          `the CloudWatch agent does not report ${snapshot.metrics.gpuNamespace}/nvidia_smi_utilization_gpu for it, ` +
          "so mining on its GPUs would not show in any metric.",
        details: {
          instanceType: instance.instanceType,
          gpus,
          gpuModel: snapshot.instanceTypes[instance.instanceType]?.gpuModel ?? null,
          gpuNamespace: snapshot.metrics.gpuNamespace,
          agentMetricFound: false,
          windowHours: round((endMs - startMs) / HOUR_MS),
        },
      });
    }
    return signals;
  },
};
