/**
 * MW-CPU-SUSTAINED-HIGH: CPU pinned near the top for hours in a row, the classic XMRig pattern.
 *
 * On its own this is medium: batch jobs, builds and load tests do the same. Correlation raises it
 * when it meets a new region, an unusual type or a miner string.
 */
import type { AccountSnapshot } from "../core/snapshot.js";
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
  evaluate(snapshot: AccountSnapshot, { config }: RuleContext): Signal[] {
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
      if (!run || run.hours < highCpuMinHours) continue;
      const runMean = round(mean(run.values) ?? 0);
      const runMax = round(Math.max(...run.values));
      signals.push({
        ruleId: cpuSustainedHigh.id,
        resource: { type: "ec2-instance", id: instance.instanceId, region: instance.region },
        severity: "medium",
        message:
          `CPU at or above ${highCpuPercent} % for ${run.hours} h in a row ` +
          `(mean ${runMean} %, max ${runMax} %) from ${new Date(run.startMs).toISOString()} ` +
          `to ${new Date(run.endMs).toISOString()}.`,
        details: {
          hours: run.hours,
          mean: runMean,
          max: runMax,
          threshold: highCpuPercent,
          minHours: highCpuMinHours,
          runStart: new Date(run.startMs).toISOString(),
          runEnd: new Date(run.endMs).toISOString(),
        },
      });
    }
    return signals;
  },
};
