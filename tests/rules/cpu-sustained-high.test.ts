import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../lambda/core/config.js";
import type { Series } from "../../lambda/core/snapshot.js";
import { cpuSustainedHigh } from "../../lambda/rules/cpu-sustained-high.js";
import { flat, generateSeries, HOUR_MS, officeHours, type Shape, switchAt } from "../support/series-gen.js";
import {
  buildSnapshot,
  DEFAULT_INSTANCE_ID,
  daysAgo,
  hoursAgo,
  instance,
  ruleContext,
  WINDOW_END,
} from "../support/snapshot-builder.js";

const END = Date.parse(WINDOW_END);

/** Three days of 5-minute CPU ending at the window end (the default window is the last 24 h). */
function cpuCurve(shape: Shape, noise = 1.5, seed = 3): Series {
  return generateSeries({ start: daysAgo(3), hours: 72, shape, noise, seed, periodSeconds: 300 });
}

/** Busy at `level` from `fromHoursAgo` to `toHoursAgo` before the window end, idle otherwise. */
function busyBetween(fromHoursAgo: number, toHoursAgo: number, level = 98): Shape {
  return switchAt(END - fromHoursAgo * HOUR_MS, flat(4), switchAt(END - toHoursAgo * HOUR_MS, flat(level), flat(4)));
}

function evaluate(cpu: Series | undefined, config: ConfigInput = {}) {
  const snapshot = buildSnapshot({
    instances: [instance({ instanceType: "c5.4xlarge", region: "sa-east-1", launchTime: hoursAgo(30) })],
    metrics: cpu ? { byInstance: { [DEFAULT_INSTANCE_ID]: { cpu } } } : {},
  });
  return cpuSustainedHigh.evaluate(snapshot, ruleContext(snapshot, config));
}

describe("MW-CPU-SUSTAINED-HIGH", () => {
  it.each([
    { name: "XMRig at 98 % for the last 10 h", shape: busyBetween(10, 0), hours: 10 },
    { name: "at 98 % all window long", shape: flat(98), hours: 24 },
    { name: "exactly the minimum 6 h", shape: busyBetween(14, 8), hours: 6 },
  ])("fires: $name", ({ shape, hours }) => {
    const signals = evaluate(cpuCurve(shape));
    expect(signals).toHaveLength(1);
    const [signal] = signals;
    expect(signal?.severity).toBe("medium");
    expect(signal?.resource).toEqual({ type: "ec2-instance", id: DEFAULT_INSTANCE_ID, region: "sa-east-1" });
    expect(signal?.details?.hours).toBe(hours);
    expect(signal?.details?.threshold).toBe(90);
    expect(signal?.details?.mean).toBeGreaterThan(95);
    expect(signal?.details?.max).toBeLessThanOrEqual(100);
    expect(signal?.message).toContain(`for ${hours} h in a row`);
  });

  it("tolerates a single dipping 5-minute point inside a long busy stretch", () => {
    const cpu = cpuCurve(busyBetween(12, 0));
    const dipIndex = cpu.values.length - 6 * 12 + 4;
    const values = cpu.values.map((v, i) => (i === dipIndex ? 40 : v));
    expect(evaluate({ ...cpu, values })[0]?.details?.hours).toBe(12);
  });

  it("uses the configured threshold and duration", () => {
    const cpu = cpuCurve(busyBetween(4, 0, 85));
    expect(evaluate(cpu)).toEqual([]);
    const signals = evaluate(cpu, { thresholds: { highCpuPercent: 80, highCpuMinHours: 3 } });
    expect(signals.map((s) => s.details?.hours)).toEqual([4]);
    expect(signals[0]?.details?.threshold).toBe(80);
  });

  it.each([
    { name: "only 5 h busy", shape: busyBetween(5, 0) },
    { name: "a capped miner at 60 % (MW-CPU-FLAT-SHIFT's case)", shape: flat(60) },
    { name: "an office-hours web server", shape: officeHours({ day: 70, weekends: true }) },
    { name: "busy 10 h, but before the window", shape: busyBetween(40, 30) },
  ])("stays quiet: $name", ({ shape }) => {
    expect(evaluate(cpuCurve(shape))).toEqual([]);
  });

  it("a gap in the data splits the run: 8 h busy with an hour missing is two 4-hour runs", () => {
    const cpu = cpuCurve(busyBetween(9, 0));
    const gapStart = cpu.values.length - 5 * 12;
    const values = cpu.values.map((v, i) => (i >= gapStart && i < gapStart + 12 ? null : v));
    expect(evaluate({ ...cpu, values })).toEqual([]);
  });

  it("not applicable without CPU data", () => {
    expect(evaluate(undefined)).toEqual([]);
    const empty: Series = { start: hoursAgo(24), periodSeconds: 300, stat: "Average", values: Array(288).fill(null) };
    expect(evaluate(empty)).toEqual([]);
  });
});
