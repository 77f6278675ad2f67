import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../lambda/core/config.js";
import type { Series } from "../../lambda/core/snapshot.js";
import { cpuFlatShift } from "../../lambda/rules/cpu-flat-shift.js";
import {
  batchSpikes,
  flat,
  generateSeries,
  HOUR_MS,
  officeHours,
  ramp,
  type Shape,
  switchAt,
} from "../support/series-gen.js";
import {
  buildSnapshot,
  DEFAULT_INSTANCE_ID,
  daysAgo,
  instance,
  ruleContext,
  WINDOW_END,
} from "../support/snapshot-builder.js";

const END = Date.parse(WINDOW_END);
/** The default recent part: the last 48 hours before the window end. */
const MINER_START = END - 48 * HOUR_MS;

/** 30 days of 5-minute CPU (EC2 basic monitoring) ending at the window end. */
function cpuCurve(
  shape: Shape,
  options: { days?: number; noise?: number; seed?: number; periodSeconds?: number } = {},
) {
  const days = options.days ?? 30;
  return generateSeries({
    start: daysAgo(days),
    hours: days * 24,
    shape,
    noise: options.noise ?? 2,
    seed: options.seed ?? 11,
    periodSeconds: options.periodSeconds ?? 300,
  });
}

function evaluate(cpu: Series | undefined, config: ConfigInput = {}, launchedDaysAgo = 60) {
  const snapshot = buildSnapshot({
    instances: [instance({ instanceType: "m5.xlarge", launchTime: daysAgo(launchedDaysAgo) })],
    metrics: cpu ? { byInstance: { [DEFAULT_INSTANCE_ID]: { cpu } } } : {},
  });
  return cpuFlatShift.evaluate(snapshot, ruleContext(snapshot, config));
}

describe("MW-CPU-FLAT-SHIFT fires on a throttled miner", () => {
  it.each([
    { name: "plateau at 35 % after an office-hours baseline", level: 35 },
    { name: "plateau at 40 % after an office-hours baseline", level: 40 },
    { name: "plateau at 45 % after an office-hours baseline", level: 45 },
    { name: "plateau at 100 % after an office-hours baseline", level: 100 },
  ])("$name: high, because the daily cycle vanished", ({ level }) => {
    const signals = evaluate(cpuCurve(switchAt(MINER_START, officeHours(), flat(level))));
    expect(signals).toHaveLength(1);
    const [signal] = signals;
    expect(signal?.severity).toBe("high");
    expect(signal?.resource).toEqual({ type: "ec2-instance", id: DEFAULT_INSTANCE_ID, region: "eu-west-1" });
    const details = signal?.details ?? {};
    expect(details.recentMean).toBeGreaterThan(level - 3);
    expect(details.recentMean).toBeLessThanOrEqual(level);
    expect(details.baselineMean).toBeGreaterThan(12);
    expect(details.baselineMean).toBeLessThan(20);
    expect(details.baselineHadDailyCycle).toBe(true);
    expect(details.baselineCycleStrength).toBeGreaterThanOrEqual(0.4);
    expect(details.recentStdDev).toBeLessThan(3);
    expect(details.recentHours).toBe(48);
    expect(details.baselineHours).toBe(14 * 24);
    expect(signal?.message).toMatch(new RegExp(`^CPU flat at ${details.recentMean} % .*last 48 h`));
    expect(signal?.message).toContain(`14-day baseline (mean ${details.baselineMean} %`);
    expect(signal?.message).toContain("daily cycle");
  });

  it("medium when a flat, cycle-free baseline jumps to a flat higher level", () => {
    const signals = evaluate(cpuCurve(switchAt(MINER_START, flat(8), flat(60))));
    expect(signals).toHaveLength(1);
    expect(signals[0]?.severity).toBe("medium");
    expect(signals[0]?.details?.baselineHadDailyCycle).toBe(false);
    expect(signals[0]?.message).toContain("had no daily cycle");
  });

  it("works the same on hourly data and with the occasional missing point", () => {
    const cpu = generateSeries({
      start: daysAgo(30),
      hours: 30 * 24,
      shape: switchAt(MINER_START, officeHours(), flat(38)),
      noise: 3,
      missingRate: 0.05,
      seed: 5,
    });
    const signals = evaluate(cpu);
    expect(signals.map((s) => s.severity)).toEqual(["high"]);
    expect(signals[0]?.details?.recentHours).toBeLessThan(48);
  });

  it("follows the configured recent and baseline lengths", () => {
    const minerStart = END - 24 * HOUR_MS;
    const cpu = cpuCurve(switchAt(minerStart, officeHours({ weekends: true }), flat(50)));
    const signals = evaluate(cpu, { thresholds: { cpuRecentHours: 24, cpuBaselineDays: 7 } });
    expect(signals).toHaveLength(1);
    expect(signals[0]?.details?.recentHours).toBe(24);
    expect(signals[0]?.details?.baselineHours).toBe(7 * 24);
    expect(signals[0]?.message).toContain("7-day baseline");
    // With the default 48 h the recent part straddles the change and is not flat.
    expect(evaluate(cpu)).toEqual([]);
  });
});

describe("MW-CPU-FLAT-SHIFT stays quiet", () => {
  it.each([
    { name: "a database flat at 40 % for 30 days (flat, no shift)", shape: flat(40) },
    { name: "a web server following office hours before and now", shape: officeHours() },
    { name: "a web server with a busy daytime", shape: officeHours({ night: 15, day: 85 }) },
    { name: "a batch box with noisy spikes", shape: batchSpikes() },
    {
      name: "a batch box that got busier but stayed spiky",
      shape: switchAt(MINER_START, batchSpikes(), batchSpikes({ base: 30, probability: 0.4 })),
    },
    { name: "an instance that went idle", shape: switchAt(MINER_START, officeHours(), flat(2)) },
    { name: "a modest flat rise (25 -> 35 %)", shape: switchAt(MINER_START, flat(25), flat(35)) },
  ])("$name", ({ shape }) => {
    for (const seed of [1, 2, 3]) expect(evaluate(cpuCurve(shape, { seed, noise: 3 }))).toEqual([]);
  });

  it("a slow ramp over two weeks that ends flat at 60 %: high, against the first days of the baseline", () => {
    // The baseline contains most of the rise (mean about 33 %), so the flat 60 % is +27 points but
    // under twice the baseline mean: the plateau test alone misses it. The ramp test compares the
    // plateau with the first three baseline days (about 11 %) and sees the baseline climb day after day.
    const shape = switchAt(
      MINER_START,
      ramp({ fromMs: END - 16 * 24 * HOUR_MS, toMs: MINER_START, fromLevel: 5, toLevel: 60 }),
      flat(60),
    );
    const slow = evaluate(cpuCurve(shape));
    expect(slow.map((s) => [s.severity, s.details?.change])).toEqual([["high", "slow-ramp"]]);
    // The same plateau after a short ramp (the last 3 days of the baseline) is a shift, and fires.
    const fastRamp = switchAt(
      MINER_START,
      ramp({ fromMs: MINER_START - 3 * 24 * HOUR_MS, toMs: MINER_START, fromLevel: 5, toLevel: 60 }),
      flat(60),
    );
    expect(evaluate(cpuCurve(fastRamp)).map((s) => s.severity)).toEqual(["medium"]);
  });
});

describe("MW-CPU-FLAT-SHIFT is not applicable without a baseline or recent data", () => {
  it.each([
    { name: "launched 3 days ago (too little history)", days: 3, shape: switchAt(MINER_START, flat(3), flat(40)) },
    { name: "launched 4 days ago: 2 days of baseline", days: 4, shape: switchAt(MINER_START, officeHours(), flat(40)) },
  ])("$name", ({ days, shape }) => {
    expect(evaluate(cpuCurve(shape, { days }), {}, days)).toEqual([]);
  });

  it("fires once the baseline reaches three days", () => {
    const shape = switchAt(MINER_START, flat(3), flat(40));
    expect(evaluate(cpuCurve(shape, { days: 5 }), {}, 5)).toHaveLength(1);
  });

  it("no CPU metric at all", () => {
    expect(evaluate(undefined)).toEqual([]);
  });

  it("recent data mostly missing (the plateau is not claimed where it was not measured)", () => {
    const cpu = cpuCurve(switchAt(MINER_START, officeHours(), flat(40)));
    const pointsPerHour = 12;
    const values = cpu.values.map((v, i) => (i >= cpu.values.length - 30 * pointsPerHour ? null : v));
    expect(evaluate({ ...cpu, values })).toEqual([]);
  });

  it("an instance with metrics but not in the inventory is ignored", () => {
    const snapshot = buildSnapshot({
      metrics: {
        byInstance: { [DEFAULT_INSTANCE_ID]: { cpu: cpuCurve(switchAt(MINER_START, officeHours(), flat(40))) } },
      },
    });
    expect(cpuFlatShift.evaluate(snapshot, ruleContext(snapshot))).toEqual([]);
  });
});
