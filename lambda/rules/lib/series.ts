/**
 * Pure statistics over the snapshot's compact metric series (values[i] belongs to the period that
 * starts at start + i * periodSeconds; null where CloudWatch had no data point).
 *
 * Every function ignores nulls instead of treating them as zero: a missing data point is unknown,
 * and a zero would invent an idle period that makes a miner's plateau look less flat than it is.
 */
import type { Series } from "../../core/snapshot.js";

export const HOUR_MS = 3600 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** Start of the period of values[index], in epoch milliseconds. */
export function pointTime(series: Series, index: number): number {
  return Date.parse(series.start) + index * series.periodSeconds * 1000;
}

/** End (exclusive) of the last period in the series, in epoch milliseconds. */
export function seriesEnd(series: Series): number {
  return pointTime(series, series.values.length);
}

export interface Point {
  time: number;
  value: number;
}

/** The data points that exist, with their times. */
export function presentPoints(series: Series): Point[] {
  // Parsed once per series, not per point: at 10,000 instances this loop is the rules' hot path.
  const startMs = Date.parse(series.start);
  const periodMs = series.periodSeconds * 1000;
  const points: Point[] = [];
  series.values.forEach((value, index) => {
    if (value !== null) points.push({ time: startMs + index * periodMs, value });
  });
  return points;
}

export function presentValues(series: Series): number[] {
  return series.values.filter((v): v is number => v !== null);
}

/** The part of the series whose periods start in [fromMs, toMs). */
export function sliceByTime(series: Series, fromMs: number, toMs: number): Series {
  const startMs = Date.parse(series.start);
  const periodMs = series.periodSeconds * 1000;
  const first = Math.min(series.values.length, Math.max(0, Math.ceil((fromMs - startMs) / periodMs)));
  const last = Math.min(series.values.length, Math.ceil((toMs - startMs) / periodMs));
  const values = last > first ? series.values.slice(first, last) : [];
  return {
    ...series,
    start: new Date(startMs + first * periodMs).toISOString(),
    values,
  };
}

export function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Population standard deviation: the spread of what was measured, not an estimate of a wider population. */
export function stdDev(values: readonly number[]): number | undefined {
  const m = mean(values);
  if (m === undefined) return undefined;
  let squares = 0;
  for (const v of values) squares += (v - m) ** 2;
  return Math.sqrt(squares / values.length);
}

/** Percentile p in [0, 100] with linear interpolation between closest ranks. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sorted[lower] ?? 0;
  const high = sorted[upper] ?? low;
  return low + (high - low) * (rank - lower);
}

/**
 * Standard deviation relative to the mean. Undefined for an empty or all-zero series, where
 * "relative spread" has no meaning (an idle instance is not "flat" in the sense we look for).
 */
export function coefficientOfVariation(values: readonly number[]): number | undefined {
  const m = mean(values);
  const sd = stdDev(values);
  if (m === undefined || sd === undefined || m <= 0) return undefined;
  return sd / m;
}

/**
 * Resamples to one value per UTC clock hour when the period is shorter (CloudWatch basic monitoring
 * is 5-minute): hourly values are period-independent and smooth over a single missed data point.
 * Average and Maximum keep their meaning; Sum adds up the hour.
 */
export function resampleHourly(series: Series): Series {
  if (series.periodSeconds >= 3600) return series;
  const buckets = new Map<number, number[]>();
  for (const point of presentPoints(series)) {
    const hour = Math.floor(point.time / HOUR_MS);
    const bucket = buckets.get(hour);
    if (bucket) bucket.push(point.value);
    else buckets.set(hour, [point.value]);
  }
  const firstHour = Math.floor(Date.parse(series.start) / HOUR_MS);
  const lastHour = Math.floor((seriesEnd(series) - 1) / HOUR_MS);
  const values: (number | null)[] = [];
  for (let hour = firstHour; hour <= lastHour; hour++) {
    const bucket = buckets.get(hour);
    if (!bucket) values.push(null);
    else if (series.stat === "Maximum") values.push(Math.max(...bucket));
    else if (series.stat === "Sum") values.push(bucket.reduce((a, b) => a + b, 0));
    else values.push(mean(bucket) ?? null);
  }
  return { ...series, start: new Date(firstHour * HOUR_MS).toISOString(), periodSeconds: 3600, values };
}

export interface Run {
  /** Start of the first period in the run (epoch ms). */
  startMs: number;
  /** End (exclusive) of the last period in the run (epoch ms). */
  endMs: number;
  hours: number;
  values: number[];
}

/**
 * The longest run of consecutive data points at or above `threshold`. A missing data point ends a
 * run: we only claim what was measured. Undefined when no point reaches the threshold.
 */
export function longestRunAtOrAbove(series: Series, threshold: number): Run | undefined {
  let best: { first: number; length: number } | undefined;
  let first = -1;
  const close = (end: number): void => {
    if (first >= 0 && (!best || end - first > best.length)) best = { first, length: end - first };
    first = -1;
  };
  series.values.forEach((value, index) => {
    if (value !== null && value >= threshold) {
      if (first < 0) first = index;
    } else {
      close(index);
    }
  });
  close(series.values.length);
  if (!best) return undefined;
  const values = series.values.slice(best.first, best.first + best.length).filter((v): v is number => v !== null);
  return {
    startMs: pointTime(series, best.first),
    endMs: pointTime(series, best.first + best.length),
    hours: (best.length * series.periodSeconds) / 3600,
    values,
  };
}

/** Mean per UTC hour of day (index 0..23), null for hours with no data. */
export function hourOfDayProfile(series: Series): (number | null)[] {
  return profileOf(groupByHourOfDay(resampleHourly(series)));
}

function profileOf(groups: readonly number[][]): (number | null)[] {
  return groups.map((group) => mean(group) ?? null);
}

export interface DailyCycle {
  /** dailyCycleStrength: the share of variance the hour of day explains. */
  strength: number | undefined;
  /** profileRange of hourOfDayProfile: the daily swing. */
  range: number | undefined;
}

/** Strength and swing of the daily cycle in one pass over the series (the CPU shape rule needs both). */
export function dailyCycle(series: Series): DailyCycle {
  const groups = groupByHourOfDay(resampleHourly(series));
  return { strength: strengthOf(groups), range: profileRange(profileOf(groups)) };
}

/** Highest minus lowest hourly mean: the daily swing in the metric's own unit (percentage points for CPU). */
export function profileRange(profile: readonly (number | null)[]): number | undefined {
  const present = profile.filter((v): v is number => v !== null);
  if (present.length === 0) return undefined;
  return Math.max(...present) - Math.min(...present);
}

/** Fewest distinct hours of day, and spare data points, needed before a daily cycle can be judged. */
const MIN_HOURS_OF_DAY = 20;
const MIN_WITHIN_HOUR_DEGREES = 12;

/**
 * How much of the series' variance the hour of day explains, in [0, 1]: about 0 for a flat line or
 * pure noise, close to 1 for an office-hours curve.
 *
 * It is the bias-corrected share of variance between the 24 hourly means (epsilon squared of a
 * one-way analysis of variance). The plain share would credit noise with a "cycle": with 48 hourly
 * values in 24 groups, noise alone explains about half the variance. Undefined when the series
 * covers too few hours of day, or too few days, to judge.
 */
export function dailyCycleStrength(series: Series): number | undefined {
  return strengthOf(groupByHourOfDay(resampleHourly(series)));
}

function strengthOf(hourGroups: readonly number[][]): number | undefined {
  // Plain loops, no flattened copy: called two or three times per instance by MW-CPU-FLAT-SHIFT.
  let groupCount = 0;
  let count = 0;
  let sum = 0;
  for (const group of hourGroups) {
    if (group.length === 0) continue;
    groupCount += 1;
    count += group.length;
    for (const v of group) sum += v;
  }
  if (groupCount < MIN_HOURS_OF_DAY || count - groupCount < MIN_WITHIN_HOUR_DEGREES) return undefined;
  const grandMean = sum / count;
  let total = 0;
  let between = 0;
  let within = 0;
  for (const group of hourGroups) {
    if (group.length === 0) continue;
    let groupSum = 0;
    for (const v of group) groupSum += v;
    const groupMean = groupSum / group.length;
    const offset = groupMean - grandMean;
    between += group.length * offset * offset;
    for (const v of group) {
      const fromGroup = v - groupMean;
      const fromAll = v - grandMean;
      within += fromGroup * fromGroup;
      total += fromAll * fromAll;
    }
  }
  if (total === 0) return 0;
  const meanSquareWithin = within / (count - groupCount);
  const strength = (between - (groupCount - 1) * meanSquareWithin) / total;
  return Math.min(1, Math.max(0, strength));
}

function groupByHourOfDay(hourly: Series): number[][] {
  const groups: number[][] = Array.from({ length: 24 }, () => []);
  // UTC hour of day by arithmetic (epoch time has no leap seconds): no Date and no point object per
  // value, since at 10,000 instances this loop is the rules' hot path.
  const startMs = Date.parse(hourly.start);
  const periodMs = hourly.periodSeconds * 1000;
  const values = hourly.values;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (value !== null && value !== undefined) {
      groups[Math.floor((startMs + index * periodMs) / HOUR_MS) % 24]?.push(value);
    }
  }
  return groups;
}

/** Rounds for messages and details: enough precision to re-check, no float noise. */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
