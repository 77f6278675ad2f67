/**
 * MW-CPU-FLAT-SHIFT: the Tesla case. The attackers in Tesla's 2018 breach capped their miner's CPU
 * to stay under alarm thresholds; what gave it away is shape, not level. A capped miner runs flat,
 * day and night, at a level the instance never used to hold.
 *
 * The rule compares the last `cpuRecentHours` before the window end with the instance's own
 * baseline (the `cpuBaselineDays` before that) and fires when the recent CPU is flat (small
 * coefficient of variation, no daily cycle) and is a level shift from the baseline. Because the
 * comparison is relative, a plateau at 35 % counts as much as one at 100 %.
 *
 * Deliberately quiet for: an always-flat database (flat, but no shift); a web server that follows
 * office hours before and now (not flat); a noisy batch box (not flat); an instance without enough
 * history to have a baseline (not applicable: MW-CPU-SUSTAINED-HIGH still sees a new instance at
 * 100 %). Known blind spot: a load raised slowly over the whole baseline ends in a baseline that
 * already contains most of the rise, so the shift looks small (see the ramp test).
 */
import type { AccountSnapshot, Series } from "../core/snapshot.js";
import { instanceRef } from "./lib/instances.js";
import { closeness, type NearMissNote } from "./lib/near-miss.js";
import {
  coefficientOfVariation,
  dailyCycle,
  HOUR_MS,
  mean,
  percentile,
  pointTime,
  presentPoints,
  presentValues,
  resampleHourly,
  round,
  sliceByTime,
  stdDev,
} from "./lib/series.js";
import type { Rule, RuleContext, Signal } from "./types.js";

/** Three days of hourly data is the least that says what "normal" is for an instance. */
export const MIN_BASELINE_HOURS = 72;
/** Share of the recent hours that must have data: a plateau is only claimed where it was measured. */
export const MIN_RECENT_COVERAGE = 0.75;
/**
 * Flat: standard deviation at most 15 % of the mean. A capped miner measures 1-10 %; an
 * office-hours server 80 % and more; a spiky batch box 100 % and more.
 */
export const MAX_FLAT_COV = 0.15;
/** A level shift: recent mean at least this many points above the baseline mean... */
export const MIN_SHIFT_POINTS = 15;
/** ...and at least this multiple of it. */
export const MIN_SHIFT_RATIO = 2;
/** When a clear daily cycle vanished, a smaller rise (in points) is enough to call it a shift. */
export const MIN_SHIFT_POINTS_AFTER_LOST_CYCLE = 10;
/** A clear daily cycle: the hour of day explains at least 40 % of the variance... */
export const CLEAR_CYCLE_STRENGTH = 0.4;
/** ...and the hourly means swing by at least 10 points (noise on a flat line can look "explained"). */
export const CLEAR_CYCLE_RANGE_POINTS = 10;

/**
 * Near-miss margins: a flat plateau two thirds of the way to the required rise (10 of 15 points),
 * a rise of the full size at 1.5x the baseline instead of 2x, or a shift whose spread is up to half
 * again the flat limit.
 */
export const NEAR_SHIFT_SHARE = 2 / 3;
export const NEAR_SHIFT_RATIO = 1.5;
export const NEAR_FLAT_COV = MAX_FLAT_COV * 1.5;

/** Slow ramp: the first days of the baseline are the reference a patient miner cannot move... */
export const RAMP_EARLY_DAYS = 3;
/** ...when the daily means climbed on at least this share of days... */
export const RAMP_MIN_RISING_SHARE = 0.7;
/** ...over at least this many days of baseline. */
export const RAMP_MIN_DAYS = 10;
/**
 * Raised floor: a miner added on top of a workload that keeps its daily cycle. The recent low
 * (10th percentile) must sit MIN_SHIFT_POINTS above the baseline's low and above where the
 * instance spent three quarters of its baseline hours (the 75th percentile).
 */
export const FLOOR_PERCENTILE = 10;
export const FLOOR_ABOVE_BASELINE_PERCENTILE = 75;
/** Baseline nights this quiet (10th percentile, %) were idle: a busy floor now is high. */
export const IDLE_FLOOR_PERCENT = 15;
/** The baseline must have kept time: the hour of day explains at least this share of its variance. */
export const FLOOR_MIN_CYCLE_STRENGTH = 0.25;

interface CpuShape {
  hours: number;
  mean: number;
  stdDev: number;
  cov: number | undefined;
  cycleStrength: number | undefined;
  hasClearCycle: boolean;
}

/**
 * Level and spread come from the series at its own period: a miner is flat at every resolution,
 * while a batch box busy in random 5-minute slots only looks flat once averaged into hours. The
 * daily cycle and the hour count come from hourly values, so they do not depend on the period.
 */
function measureShape(series: Series): CpuShape | undefined {
  const values = presentValues(series);
  const m = mean(values);
  const sd = stdDev(values);
  if (m === undefined || sd === undefined) return undefined;
  const cycle = dailyCycle(series);
  const cycleStrength = cycle.strength;
  const range = cycle.range ?? 0;
  return {
    hours: presentValues(resampleHourly(series)).length,
    mean: m,
    stdDev: sd,
    cov: coefficientOfVariation(values),
    cycleStrength,
    hasClearCycle: (cycleStrength ?? 0) >= CLEAR_CYCLE_STRENGTH && range >= CLEAR_CYCLE_RANGE_POINTS,
  };
}

export const cpuFlatShift: Rule = {
  id: "MW-CPU-FLAT-SHIFT",
  title: "CPU turned flat at a new level (throttled miner)",
  severity: "high",
  category: "behaviour",
  rationale:
    "Attackers cap a miner's CPU (35 %, 50 %) to stay under 'CPU above 90 %' alarms, as in the Tesla breach. " +
    "A capped miner still cannot hide its shape: flat day and night, at a level the instance never held in its " +
    "own history. No threshold-based scanner sees this.",
  recommendation:
    "Compare the instance's CPU graph for the last weeks: find when the plateau began and what changed then " +
    "(deployments, new processes, CloudTrail calls by the instance role). Inspect running processes and outbound " +
    "connections (SSM Session Manager); if a miner is found, snapshot the volume, stop the instance and rotate " +
    "the credentials that could reach it. Pods in a cluster can hide here too: check the node's containers.",
  evaluate(snapshot: AccountSnapshot, { config, noteNearMiss }: RuleContext): Signal[] {
    const { cpuRecentHours, cpuBaselineDays } = config.thresholds;
    const end = Date.parse(snapshot.window.end);
    const recentStart = end - cpuRecentHours * HOUR_MS;
    const baselineStart = recentStart - cpuBaselineDays * 24 * HOUR_MS;
    const signals: Signal[] = [];

    for (const instance of snapshot.instances) {
      const cpu = snapshot.metrics.byInstance[instance.instanceId]?.cpu;
      if (!cpu) continue;
      const recentSeries = sliceByTime(cpu, recentStart, end);
      const baselineSeries = sliceByTime(cpu, baselineStart, recentStart);
      const recent = measureShape(recentSeries);
      const baseline = measureShape(baselineSeries);
      // Not applicable without enough of both: no baseline means no "shift" to speak of.
      if (!recent || !baseline) continue;
      if (baseline.hours < MIN_BASELINE_HOURS) continue;
      if (recent.hours < Math.max(12, cpuRecentHours * MIN_RECENT_COVERAGE)) continue;

      const flat = recent.cov !== undefined && recent.cov <= MAX_FLAT_COV && !recent.hasClearCycle;
      const rise = recent.mean - baseline.mean;
      const lostCycle = baseline.hasClearCycle;
      const bigShift = rise >= MIN_SHIFT_POINTS && recent.mean >= MIN_SHIFT_RATIO * baseline.mean;
      const shiftAfterLostCycle = lostCycle && rise >= MIN_SHIFT_POINTS_AFTER_LOST_CYCLE;
      const change: Change | undefined =
        flat && (bigShift || shiftAfterLostCycle)
          ? { kind: "plateau", severity: lostCycle ? "high" : "medium" }
          : (detectRamp(flat, recent.mean, baselineSeries) ?? detectRaisedFloor(recentSeries, baselineSeries));
      if (!change) {
        const near = noteNearMiss ? nearMiss(recent, baseline, flat, cpuBaselineDays) : undefined;
        if (near) noteNearMiss?.({ ...near, resource: instanceRef(instance) });
        continue;
      }

      const details = {
        recentMean: round(recent.mean),
        recentStdDev: round(recent.stdDev, 2),
        recentCoefficientOfVariation: round(recent.cov ?? 0, 3),
        recentCycleStrength: recent.cycleStrength === undefined ? null : round(recent.cycleStrength, 2),
        baselineMean: round(baseline.mean),
        baselineStdDev: round(baseline.stdDev, 2),
        baselineCycleStrength: baseline.cycleStrength === undefined ? null : round(baseline.cycleStrength, 2),
        baselineHadDailyCycle: lostCycle,
        recentHours: recent.hours,
        baselineHours: baseline.hours,
        recentStart: new Date(recentStart).toISOString(),
        shiftStart: new Date(
          shiftStartTime(sliceByTime(cpu, baselineStart, end), (baseline.mean + recent.mean) / 2) ?? recentStart,
        ).toISOString(),
        baselineStart: new Date(baselineStart).toISOString(),
        maxFlatCoefficientOfVariation: MAX_FLAT_COV,
        minShiftPoints: MIN_SHIFT_POINTS,
        change: change.kind,
        ...(change.details ?? {}),
      };
      const baselineShape = lostCycle
        ? `followed a daily cycle (strength ${details.baselineCycleStrength}) that has vanished`
        : "had no daily cycle";
      const head =
        change.kind === "plateau"
          ? `CPU flat at ${details.recentMean} % (+/-${details.recentStdDev}) for the last ${recent.hours} h, ` +
            `up ${round(rise)} points from its ${cpuBaselineDays}-day baseline (mean ${details.baselineMean} % ` +
            `over ${baseline.hours} h), which ${baselineShape}.`
          : (change.message ?? "");
      signals.push({
        ruleId: cpuFlatShift.id,
        resource: instanceRef(instance),
        severity: change.severity,
        message: head,
        details,
      });
    }
    return signals;
  },
};

/**
 * Why a level change that was nearly a flat shift was not called one: the plateau rose too little,
 * or to less than twice the baseline, or the new level is not quite flat. Undefined when the
 * instance is nowhere near (a steady database, a daily web cycle).
 */
function nearMiss(recent: CpuShape, baseline: CpuShape, flat: boolean, baselineDays: number): NearMissNote | undefined {
  const rise = recent.mean - baseline.mean;
  const neededRise = baseline.hasClearCycle ? MIN_SHIFT_POINTS_AFTER_LOST_CYCLE : MIN_SHIFT_POINTS;
  const ratio = baseline.mean > 0 ? recent.mean / baseline.mean : Number.POSITIVE_INFINITY;
  const level = `CPU flat at ${round(recent.mean)} % (+/-${round(recent.stdDev, 2)}) for ${recent.hours} h`;
  const from = `its ${baselineDays}-day baseline (mean ${round(baseline.mean)} %)`;
  const details = {
    recentMean: round(recent.mean),
    recentCoefficientOfVariation: round(recent.cov ?? 0, 3),
    baselineMean: round(baseline.mean),
    rise: round(rise),
    neededRise,
    ratio: Number.isFinite(ratio) ? round(ratio, 2) : null,
    maxFlatCoefficientOfVariation: MAX_FLAT_COV,
  };
  if (flat && rise < neededRise && rise >= neededRise * NEAR_SHIFT_SHARE) {
    return {
      message: `${level}, up ${round(rise)} points from ${from}: the rule calls a plateau a new level from a rise of ${neededRise} points.`,
      closeness: closeness(rise, neededRise),
      details: { ...details, missed: "rise" },
    };
  }
  if (flat && !baseline.hasClearCycle && rise >= neededRise && ratio < MIN_SHIFT_RATIO && ratio >= NEAR_SHIFT_RATIO) {
    return {
      message:
        `${level}, up ${round(rise)} points from ${from}, but only ${round(ratio, 2)}x that level: the rule needs ` +
        `${MIN_SHIFT_RATIO}x, so a busy instance getting busier is not called a new level.`,
      closeness: closeness(ratio, MIN_SHIFT_RATIO),
      details: { ...details, missed: "ratio" },
    };
  }
  const shifted = rise >= neededRise && (baseline.hasClearCycle || ratio >= MIN_SHIFT_RATIO);
  const cov = recent.cov;
  if (!flat && shifted && !recent.hasClearCycle && cov !== undefined && cov <= NEAR_FLAT_COV) {
    return {
      message:
        `CPU up ${round(rise)} points to ${round(recent.mean)} % over the last ${recent.hours} h from ${from}, but ` +
        `it varies by +/-${round(recent.stdDev, 2)} (coefficient of variation ${round(cov, 3)}; the rule calls CPU ` +
        `flat up to ${MAX_FLAT_COV}).`,
      closeness: closeness(MAX_FLAT_COV, cov),
      details: { ...details, missed: "flatness" },
    };
  }
  return undefined;
}

/**
 * When the plateau began: the start of the trailing run of hours at or above the midpoint between
 * the baseline and the plateau (gaps do not break it). The recent window only says "flat for the
 * last 48 h"; a responder needs the hour the miner started, which is often days earlier.
 */
export function shiftStartTime(series: Series, midpoint: number): number | undefined {
  const hourly = resampleHourly(series);
  let start: number | undefined;
  for (let index = hourly.values.length - 1; index >= 0; index--) {
    const value = hourly.values[index];
    if (value === null || value === undefined) continue;
    if (value < midpoint) break;
    start = pointTime(hourly, index);
  }
  return start;
}

interface Change {
  kind: "plateau" | "slow-ramp" | "raised-floor";
  severity: "high" | "medium";
  message?: string;
  details?: Record<string, number | string | boolean>;
}

/** Mean CPU per UTC day of the series, oldest first (days without data are left out). */
function dailyMeans(series: Series): { day: number; mean: number }[] {
  const byDay = new Map<number, number[]>();
  for (const point of presentPoints(resampleHourly(series))) {
    const day = Math.floor(point.time / (24 * HOUR_MS));
    const list = byDay.get(day);
    if (list) list.push(point.value);
    else byDay.set(day, [point.value]);
  }
  return [...byDay.entries()].sort((a, b) => a[0] - b[0]).map(([day, values]) => ({ day, mean: mean(values) ?? 0 }));
}

/**
 * A slow ramp: the recent CPU is flat, well above the first days of the baseline, and the baseline
 * climbed day after day to get there. The whole-baseline mean has absorbed most of such a rise, so
 * the plateau test alone misses it; organic growth does not climb every day and then sit flat
 * around the clock.
 */
function detectRamp(flat: boolean, recentMean: number, baseline: Series): Change | undefined {
  if (!flat) return undefined;
  const days = dailyMeans(baseline);
  if (days.length < RAMP_MIN_DAYS) return undefined;
  const early = mean(days.slice(0, RAMP_EARLY_DAYS).map((d) => d.mean)) ?? 0;
  const rise = recentMean - early;
  if (rise < MIN_SHIFT_POINTS || recentMean < MIN_SHIFT_RATIO * early) return undefined;
  let rising = 0;
  for (let k = 1; k < days.length; k++) if ((days[k]?.mean ?? 0) > (days[k - 1]?.mean ?? 0)) rising += 1;
  const risingShare = rising / (days.length - 1);
  if (risingShare < RAMP_MIN_RISING_SHARE) return undefined;
  return {
    kind: "slow-ramp",
    severity: "high",
    message:
      `CPU flat at ${round(recentMean)} % now, after climbing on ${rising} of ${days.length - 1} days of its baseline ` +
      `from ${round(early)} % (mean of its first ${RAMP_EARLY_DAYS} days): a slow ramp that a fixed threshold and the ` +
      "baseline mean both absorb, then a plateau around the clock.",
    details: {
      earlyBaselineMean: round(early),
      rampRiseFromEarlyBaseline: round(rise),
      risingDays: rising,
      baselineDays: days.length,
      risingShare: round(risingShare, 2),
      rampMinRisingShare: RAMP_MIN_RISING_SHARE,
    },
  };
}

/**
 * A raised floor: the workload keeps its daily cycle, but its lows moved up and stay there. That is
 * what a capped miner added on top of existing work looks like (the Tesla pods on busy nodes); a
 * busier day lifts the peaks, not the nights.
 */
function detectRaisedFloor(recent: Series, wholeBaseline: Series): Change | undefined {
  // The first half of the baseline: a miner that started a day or two before the recent window
  // has already lifted the later baseline days, never the first week.
  const recentValues = presentValues(resampleHourly(recent));
  const recentFloor = percentile(recentValues, FLOOR_PERCENTILE);
  // The floor must rise MIN_SHIFT_POINTS above a baseline low of at least 0: a lower floor now
  // cannot qualify, whatever the baseline (most instances stop here).
  if (recentFloor === undefined || recentFloor < MIN_SHIFT_POINTS) return undefined;
  const baselineStartMs = Date.parse(wholeBaseline.start);
  const halfMs = (wholeBaseline.values.length * wholeBaseline.periodSeconds * 1000) / 2;
  const baseline = sliceByTime(wholeBaseline, baselineStartMs, baselineStartMs + halfMs);
  const baselineValues = presentValues(resampleHourly(baseline));
  const baselineFloor = percentile(baselineValues, FLOOR_PERCENTILE);
  const baselineUpper = percentile(baselineValues, FLOOR_ABOVE_BASELINE_PERCENTILE);
  if (baselineFloor === undefined || baselineUpper === undefined) return undefined;
  const rise = recentFloor - baselineFloor;
  if (rise < MIN_SHIFT_POINTS || recentFloor < MIN_SHIFT_RATIO * Math.max(1, baselineFloor)) return undefined;
  if (recentFloor < baselineUpper) return undefined;
  // Only a workload that kept time (busy hours and quiet hours by the clock) has a floor to raise:
  // a box that got busier at random (more batch jobs) has no quiet hours for a miner to fill.
  const baselineCycle = dailyCycle(baseline);
  const dailySwing = baselineCycle.range ?? 0;
  const cycle = baselineCycle.strength ?? 0;
  if (dailySwing < CLEAR_CYCLE_RANGE_POINTS || cycle < FLOOR_MIN_CYCLE_STRENGTH) return undefined;
  const idleBefore = baselineFloor < IDLE_FLOOR_PERCENT;
  return {
    kind: "raised-floor",
    severity: idleBefore ? "high" : "medium",
    message:
      `CPU never drops below about ${round(recentFloor)} % any more (10th percentile of the last ${recentValues.length} h), ` +
      `up ${round(rise)} points from its baseline low of ${round(baselineFloor)} % and above where it spent three ` +
      `quarters of its baseline hours (${round(baselineUpper)} %)` +
      (idleBefore
        ? ": hours that were idle for weeks are now busy, as when a capped miner runs under the usual workload."
        : "."),
    details: {
      recentFloor: round(recentFloor),
      baselineFloor: round(baselineFloor),
      baselineUpperQuartile: round(baselineUpper),
      floorRise: round(rise),
      idleFloorBefore: idleBefore,
      baselineDailySwing: round(dailySwing),
    },
  };
}
