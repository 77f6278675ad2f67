/**
 * MW-CPU-SUSTAINED-HIGH: CPU pinned near the top for hours in a row, the classic XMRig pattern.
 *
 * On its own this is medium: batch jobs, builds and load tests do the same. Correlation raises it
 * when it meets a new region, an unusual type or a miner string.
 */
import { type AccountProfile, instanceFamily } from "../core/profile.js";
import type { AccountSnapshot, Instance } from "../core/snapshot.js";
import { instanceRef } from "./lib/instances.js";
import { type SustainedThreshold, sustainedNearMiss } from "./lib/near-miss.js";
import { longestRunAtOrAbove, mean, resampleHourly, round, sliceByTime } from "./lib/series.js";
import type { Rule, RuleContext, Signal } from "./types.js";

export const cpuSustainedHigh: Rule = {
  id: "MW-CPU-SUSTAINED-HIGH",
  title: "CPU sustained near 100 % for hours",
  severity: "medium",
  category: "behaviour",
  rationale:
    "Miners such as XMRig keep every core busy around the clock. Hours of CPU at or above the threshold " +
    "without a break is how most mining instances look in CloudWatch; batch jobs look alike, so this is one " +
    "signal among others.",
  recommendation:
    "Check who launched the instance and what runs on it (SSM Session Manager: top, ps, outbound connections " +
    "to ports 3333/4444/5555 or pool domains). If nobody owns the workload, snapshot the volume for forensics, " +
    "then stop the instance and rotate the credentials that launched it.",
  evaluate(snapshot: AccountSnapshot, { config, profile, noteNearMiss }: RuleContext): Signal[] {
    const { highCpuPercent, highCpuMinHours } = config.thresholds;
    const windowStart = Date.parse(snapshot.window.start);
    const windowEnd = Date.parse(snapshot.window.end);
    const signals: Signal[] = [];
    for (const instance of snapshot.instances) {
      const cpu = snapshot.metrics.byInstance[instance.instanceId]?.cpu;
      if (!cpu) continue;
      // Hourly means tolerate one dipping or missing 5-minute point inside a long busy stretch.
      const hourly = sliceByTime(resampleHourly(cpu), windowStart, windowEnd);
      const run = longestRunAtOrAbove(hourly, highCpuPercent);
      if (!run || run.hours < highCpuMinHours) {
        const near = noteNearMiss
          ? sustainedNearMiss(hourly, cpuThreshold(highCpuPercent, highCpuMinHours))
          : undefined;
        if (near) noteNearMiss?.({ ...near, resource: instanceRef(instance) });
        continue;
      }
      const runMean = round(mean(run.values) ?? 0);
      const runMax = round(Math.max(...run.values));
      const scheduler = schedulerNode(instance, profile);
      signals.push({
        ruleId: cpuSustainedHigh.id,
        resource: instanceRef(instance),
        severity: scheduler ? "low" : "medium",
        message:
          `CPU at or above ${highCpuPercent} % for ${run.hours} h in a row ` +
          `(mean ${runMean} %, max ${runMax} %) from ${new Date(run.startMs).toISOString()} ` +
          `to ${new Date(run.endMs).toISOString()}.` +
          (scheduler
            ? ` It is ${scheduler} in a home region, of a family the account uses: a full CPU is its job.`
            : ""),
        details: {
          hours: run.hours,
          mean: runMean,
          max: runMax,
          threshold: highCpuPercent,
          minHours: highCpuMinHours,
          runStart: new Date(run.startMs).toISOString(),
          runEnd: new Date(run.endMs).toISOString(),
          schedulerNode: scheduler ?? null,
        },
      });
    }
    return signals;
  },
};

function cpuThreshold(percent: number, minHours: number): SustainedThreshold {
  return {
    metric: "CPU",
    percent,
    minHours,
    percentSetting: "highCpuPercent",
    minHoursSetting: "highCpuMinHours",
  };
}

/** Tags AWS batch and HPC schedulers put on the nodes they start. */
const SCHEDULER_TAGS: readonly { prefix: string; what: string }[] = [
  { prefix: "aws:batch:", what: "an AWS Batch compute node" },
  { prefix: "parallelcluster:", what: "an AWS ParallelCluster node" },
];

/**
 * What scheduler runs the instance, when it is a batch or HPC node in a home region of a known
 * family: there, hours at 100 % are the job. A node of a new family or in an unused region stays
 * medium (a Batch compute environment is a way to mine too).
 */
function schedulerNode(instance: Instance, profile: AccountProfile): string | undefined {
  if (!profile.homeRegions.includes(instance.region)) return undefined;
  if (!profile.knownFamilies.includes(instanceFamily(instance.instanceType))) return undefined;
  const keys = Object.keys(instance.tags);
  return SCHEDULER_TAGS.find(({ prefix }) => keys.some((key) => key.startsWith(prefix)))?.what;
}
