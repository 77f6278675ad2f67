import { describe, expect, it } from "vitest";
import type { Series } from "../../lambda/core/snapshot.js";
import {
  coefficientOfVariation,
  dailyCycle,
  dailyCycleStrength,
  hourOfDayProfile,
  longestRunAtOrAbove,
  mean,
  percentile,
  pointTime,
  presentPoints,
  profileRange,
  resampleHourly,
  seriesEnd,
  sliceByTime,
  stdDev,
} from "../../lambda/rules/lib/series.js";
import { flat, generateSeries, officeHours, seededRandom } from "../support/series-gen.js";

const START = "2026-03-01T00:00:00.000Z";
const startMs = Date.parse(START);
const MIN = 60 * 1000;
const HOUR = 60 * MIN;

function hourly(values: (number | null)[], stat: Series["stat"] = "Average"): Series {
  return { start: START, periodSeconds: 3600, stat, values };
}

describe("point times and slicing", () => {
  const fiveMinute: Series = { start: START, periodSeconds: 300, stat: "Average", values: [1, 2, null, 4, 5, 6] };

  it("places values[i] at start + i * period", () => {
    expect(pointTime(fiveMinute, 0)).toBe(startMs);
    expect(pointTime(fiveMinute, 3)).toBe(startMs + 15 * MIN);
    expect(seriesEnd(fiveMinute)).toBe(startMs + 30 * MIN);
    expect(presentPoints(fiveMinute).map((p) => p.time)).toEqual([0, 5, 15, 20, 25].map((m) => startMs + m * MIN));
  });

  it.each([
    { name: "inner range", from: 5, to: 20, values: [2, null, 4], start: 5 },
    { name: "range covering everything", from: -60, to: 120, values: [1, 2, null, 4, 5, 6], start: 0 },
    {
      name: "range starting mid-period keeps the next full period",
      from: 7,
      to: 30,
      values: [null, 4, 5, 6],
      start: 10,
    },
    { name: "range before the series", from: -60, to: -5, values: [], start: 0 },
    { name: "range after the series", from: 40, to: 90, values: [], start: 30 },
  ])("slices $name", ({ from, to, values, start }) => {
    const sliced = sliceByTime(fiveMinute, startMs + from * MIN, startMs + to * MIN);
    expect(sliced.values).toEqual(values);
    expect(Date.parse(sliced.start)).toBe(startMs + start * MIN);
    expect(sliced.periodSeconds).toBe(300);
  });
});

describe("summary statistics ignore nothing but what is given", () => {
  it.each([
    { values: [], mean: undefined, sd: undefined, p50: undefined, cov: undefined },
    { values: [40], mean: 40, sd: 0, p50: 40, cov: 0 },
    { values: [2, 4, 4, 4, 5, 5, 7, 9], mean: 5, sd: 2, p50: 4.5, cov: 0.4 },
    { values: [0, 0, 0], mean: 0, sd: 0, p50: 0, cov: undefined },
  ])("mean/stddev/median/CoV of $values", ({ values, mean: m, sd, p50, cov }) => {
    expect(mean(values)).toBe(m);
    expect(stdDev(values)).toBe(sd);
    expect(percentile(values, 50)).toBe(p50);
    expect(coefficientOfVariation(values)).toBe(cov);
  });

  it("interpolates percentiles between ranks and clamps p", () => {
    const values = [10, 20, 30, 40, 50];
    expect(percentile(values, 0)).toBe(10);
    expect(percentile(values, 90)).toBeCloseTo(46);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile(values, 150)).toBe(50);
    expect(percentile([50, 10, 40, 20, 30], 25)).toBe(20);
  });
});

describe("longestRunAtOrAbove", () => {
  it.each([
    { name: "no point reaches the threshold", values: [10, 20, 30], hours: undefined, first: undefined },
    { name: "one run in the middle", values: [10, 95, 96, 97, 20], hours: 3, first: 1 },
    { name: "the longer of two runs", values: [95, 95, 10, 91, 92, 93, 94, 10], hours: 4, first: 3 },
    { name: "a missing point ends a run", values: [95, 95, null, 95, 95, 95], hours: 3, first: 3 },
    { name: "a run reaching the end", values: [10, 90, 90], hours: 2, first: 1 },
    { name: "exactly the threshold counts", values: [90, 90, 89.9], hours: 2, first: 0 },
  ])("$name", ({ values, hours, first }) => {
    const run = longestRunAtOrAbove(hourly(values), 90);
    expect(run?.hours).toBe(hours);
    if (first !== undefined) {
      expect(run?.startMs).toBe(startMs + first * HOUR);
      expect(run?.endMs).toBe(startMs + (first + (hours ?? 0)) * HOUR);
      expect(run?.values.every((v) => v >= 90)).toBe(true);
    }
  });

  it("counts hours from the period, not the number of points", () => {
    const fiveMinute: Series = { start: START, periodSeconds: 300, stat: "Average", values: Array(30).fill(99) };
    expect(longestRunAtOrAbove(fiveMinute, 90)?.hours).toBe(2.5);
  });
});

describe("resampleHourly", () => {
  const twelve = (base: number) => Array.from({ length: 12 }, (_, i) => base + i);

  it.each([
    { stat: "Average" as const, expected: [5.5, 105.5] },
    { stat: "Maximum" as const, expected: [11, 111] },
    { stat: "Sum" as const, expected: [66, 1266] },
  ])("keeps the meaning of $stat", ({ stat, expected }) => {
    const series: Series = { start: START, periodSeconds: 300, stat, values: [...twelve(0), ...twelve(100)] };
    const result = resampleHourly(series);
    expect(result.periodSeconds).toBe(3600);
    expect(result.values).toEqual(expected);
  });

  it("aligns to clock hours, skips missing points and leaves empty hours null", () => {
    const series: Series = {
      start: "2026-03-01T00:30:00.000Z",
      periodSeconds: 600,
      stat: "Average",
      values: [10, null, 30, null, null, null, null, null, null, 50],
    };
    const result = resampleHourly(series);
    expect(result.start).toBe("2026-03-01T00:00:00.000Z");
    expect(result.values).toEqual([20, null, 50]);
    expect(resampleHourly({ ...series, values: [...series.values, 70] }).values).toEqual([20, null, 60]);
  });

  it("returns hourly and coarser series unchanged", () => {
    const series = hourly([1, 2, 3]);
    expect(resampleHourly(series)).toBe(series);
  });
});

describe("daily cycle", () => {
  const days = (n: number) => n * 24;

  it("profiles the hour of day in UTC", () => {
    const series = generateSeries({ start: START, hours: days(7), shape: officeHours({ weekends: true }) });
    const profile = hourOfDayProfile(series);
    expect(profile).toHaveLength(24);
    expect(profile[3]).toBe(5);
    expect(profile[12]).toBe(45);
    expect(profileRange(profile)).toBe(40);
    expect(profileRange(Array(24).fill(null))).toBeUndefined();
  });

  it.each([
    { name: "office hours, 14 days, noisy", shape: officeHours(), noise: 3, hours: days(14), min: 0.4, max: 1 },
    {
      name: "office hours every day",
      shape: officeHours({ weekends: true }),
      noise: 2,
      hours: days(7),
      min: 0.9,
      max: 1,
    },
    { name: "flat plateau with noise, 14 days", shape: flat(40), noise: 3, hours: days(14), min: 0, max: 0.1 },
    { name: "flat plateau with noise, 48 h", shape: flat(35), noise: 2, hours: 48, min: 0, max: 0.35 },
  ])("strength of $name is within [$min, $max]", ({ shape, noise, hours, min, max }) => {
    for (const seed of [1, 2, 3]) {
      const strength = dailyCycleStrength(generateSeries({ start: START, hours, shape, noise, seed }));
      expect(strength).toBeGreaterThanOrEqual(min);
      expect(strength).toBeLessThanOrEqual(max);
    }
  });

  it("is the same at 5-minute and hourly periods", () => {
    const fine = generateSeries({ start: START, hours: days(7), shape: officeHours(), periodSeconds: 300 });
    const coarse = generateSeries({ start: START, hours: days(7), shape: officeHours(), periodSeconds: 3600 });
    expect(dailyCycleStrength(fine)).toBeCloseTo(dailyCycleStrength(coarse) ?? -1, 6);
  });

  it("dailyCycle gives the strength and the swing in one pass, at any period", () => {
    for (const periodSeconds of [300, 3600, 6 * 3600]) {
      const series = generateSeries({ start: START, hours: days(14), shape: officeHours(), noise: 3, periodSeconds });
      expect(dailyCycle(series)).toEqual({
        strength: dailyCycleStrength(series),
        range: profileRange(hourOfDayProfile(series)),
      });
    }
    // Six-hour points fall on four hours of the day only: too few to judge a daily cycle.
    const sparse = generateSeries({ start: START, hours: days(14), shape: officeHours(), periodSeconds: 6 * 3600 });
    expect(dailyCycle(sparse).strength).toBeUndefined();
  });

  it("is zero for a constant series and undefined when too little of the day is covered", () => {
    expect(dailyCycleStrength(generateSeries({ start: START, hours: 72, shape: flat(40) }))).toBe(0);
    expect(dailyCycleStrength(generateSeries({ start: START, hours: 12, shape: officeHours() }))).toBeUndefined();
    // A whole day once gives no within-hour spread to compare the hours against.
    expect(dailyCycleStrength(generateSeries({ start: START, hours: 24, shape: officeHours() }))).toBeUndefined();
  });
});

describe("series generator", () => {
  it("is deterministic for a seed and different across seeds", () => {
    const a = generateSeries({ start: START, hours: 24, shape: flat(50), noise: 5, seed: 7 });
    const b = generateSeries({ start: START, hours: 24, shape: flat(50), noise: 5, seed: 7 });
    const c = generateSeries({ start: START, hours: 24, shape: flat(50), noise: 5, seed: 8 });
    expect(a).toEqual(b);
    expect(a.values).not.toEqual(c.values);
    const random = seededRandom(1);
    const draws = Array.from({ length: 1000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(mean(draws)).toBeGreaterThan(0.45);
    expect(mean(draws)).toBeLessThan(0.55);
  });

  it("clamps to [0, 100] and drops points at the missing rate", () => {
    const series = generateSeries({ start: START, hours: 240, shape: flat(99), noise: 10, missingRate: 0.1, seed: 3 });
    const present = series.values.filter((v): v is number => v !== null);
    expect(Math.max(...present)).toBeLessThanOrEqual(100);
    expect(series.values.length - present.length).toBeGreaterThan(10);
    expect(series.values.length - present.length).toBeLessThan(40);
  });
});
