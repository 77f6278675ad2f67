/**
 * How close is close: the margins inside which a rule that did not fire notes a near-miss.
 *
 * Wide enough to show a capped miner sitting just under a threshold (85 % when the rule wants 90),
 * narrow enough that an idle account's report does not list every instance.
 */
import type { Series } from "../../core/snapshot.js";
import type { DetailValue, NearMiss } from "../types.js";
import { longestRunAtOrAbove, mean, round } from "./series.js";

/** A duration, count or amount is "nearly enough" from this share of what the rule needs. */
export const NEAR_MISS_SHARE = 0.5;
/** A percentage is "nearly high" from this many points under the threshold. */
export const NEAR_MISS_POINTS = 10;

/** measured / needed, kept below 1 (a near-miss never reached the threshold) and at or above 0. */
export function closeness(measured: number, needed: number): number {
  if (needed <= 0) return 0;
  return round(Math.min(0.99, Math.max(0, measured / needed)), 2);
}

export type NearMissNote = Omit<NearMiss, "ruleId" | "resource">;

export interface SustainedThreshold {
  /** "CPU" or "GPU utilization": how the message names the metric. */
  metric: string;
  percent: number;
  minHours: number;
  /** Config keys, so the message says which setting holds the line. */
  percentSetting: string;
  minHoursSetting: string;
}

/**
 * Why a sustained-load rule stayed quiet although the load was nearly there: a run at or above the
 * threshold that was too short (at least half the hours), or a run of the full length that stayed
 * just under the threshold (within NEAR_MISS_POINTS). Undefined when neither came close.
 */
export function sustainedNearMiss(hourly: Series, threshold: SustainedThreshold): NearMissNote | undefined {
  const { metric, percent, minHours } = threshold;
  const short = longestRunAtOrAbove(hourly, percent);
  if (short && short.hours >= minHours * NEAR_MISS_SHARE && short.hours < minHours) {
    const runMean = round(mean(short.values) ?? 0);
    return {
      message:
        `${metric} at or above ${percent} % for ${short.hours} h in a row (mean ${runMean} %, from ` +
        `${new Date(short.startMs).toISOString()}): ${round(minHours - short.hours)} h short of the ${minHours} h ` +
        `the rule needs (thresholds.${threshold.minHoursSetting}).`,
      closeness: closeness(short.hours, minHours),
      details: runDetails(short.hours, runMean, percent, minHours, "too-short"),
    };
  }
  const floor = Math.max(0, percent - NEAR_MISS_POINTS);
  const under = longestRunAtOrAbove(hourly, floor);
  if (!under || under.hours < minHours) return undefined;
  const runMean = round(mean(under.values) ?? 0);
  if (runMean >= percent) return undefined;
  const runMax = round(Math.max(...under.values));
  return {
    message:
      `${metric} stayed at or above ${floor} % for ${under.hours} h in a row (mean ${runMean} %, max ${runMax} %, ` +
      `from ${new Date(under.startMs).toISOString()}), but not at or above the ${percent} % the rule needs ` +
      `(thresholds.${threshold.percentSetting}) for ${minHours} h. A miner capped just under an alarm looks like this.`,
    closeness: closeness(runMean, percent),
    details: { ...runDetails(under.hours, runMean, percent, minHours, "just-under"), max: runMax },
  };
}

function runDetails(
  hours: number,
  runMean: number,
  threshold: number,
  minHours: number,
  missed: string,
): Record<string, DetailValue> {
  return { hours, mean: runMean, threshold, minHours, missed };
}
