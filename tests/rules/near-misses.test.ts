/**
 * Near-misses: a rule that came close and held back says what it measured and which threshold kept
 * it quiet, and says nothing when the resource was nowhere near (or when the rule fired).
 */
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../lambda/core/config.js";
import type { AccountSnapshot, Costs, Series } from "../../lambda/core/snapshot.js";
import { costNewSpend } from "../../lambda/rules/cost-new-spend.js";
import { cpuFlatShift } from "../../lambda/rules/cpu-flat-shift.js";
import { cpuSustainedHigh } from "../../lambda/rules/cpu-sustained-high.js";
import { ec2LaunchWave } from "../../lambda/rules/ec2-launch-wave.js";
import { ec2UnusedRegion } from "../../lambda/rules/ec2-unused-region.js";
import { gpuHighUtilization } from "../../lambda/rules/gpu-high-utilization.js";
import { closeness } from "../../lambda/rules/lib/near-miss.js";
import { evaluateRules } from "../../lambda/rules/registry.js";
import type { Rule } from "../../lambda/rules/types.js";
import { flat, generateSeries, HOUR_MS, type Shape, switchAt } from "../support/series-gen.js";
import {
  buildSnapshot,
  DEFAULT_INSTANCE_ID,
  daysAgo,
  fleet,
  hoursAgo,
  instance,
  ruleContext,
  WINDOW_END,
} from "../support/snapshot-builder.js";

const END = Date.parse(WINDOW_END);

function run(rule: Rule, snapshot: AccountSnapshot, config: ConfigInput = {}) {
  return evaluateRules(snapshot, ruleContext(snapshot, config), [rule]);
}

function withCpu(cpu: Series, instanceType = "c5.4xlarge"): AccountSnapshot {
  return buildSnapshot({
    instances: [instance({ instanceType, launchTime: daysAgo(60) })],
    metrics: { byInstance: { [DEFAULT_INSTANCE_ID]: { cpu } } },
  });
}

/** Busy at `level` for the last `hours` of the window, idle before. */
function busyLast(hours: number, level = 97): Shape {
  return switchAt(END - hours * HOUR_MS, flat(4), flat(level));
}

describe("closeness", () => {
  it("is the share of the threshold reached, below 1 and never negative", () => {
    expect(closeness(4, 6)).toBe(0.67);
    expect(closeness(6, 6)).toBe(0.99);
    expect(closeness(-3, 6)).toBe(0);
    expect(closeness(3, 0)).toBe(0);
  });
});

describe("MW-CPU-SUSTAINED-HIGH near-misses", () => {
  const cpu = (shape: Shape) =>
    generateSeries({ start: daysAgo(3), hours: 72, shape, noise: 1, seed: 5, periodSeconds: 300 });

  it("a run at the threshold that was too short: how many hours short, and the setting", () => {
    const { signals, nearMisses } = run(cpuSustainedHigh, withCpu(cpu(busyLast(4))));
    expect(signals).toEqual([]);
    expect(nearMisses).toHaveLength(1);
    expect(nearMisses[0]).toMatchObject({
      ruleId: "MW-CPU-SUSTAINED-HIGH",
      resource: { type: "ec2-instance", id: DEFAULT_INSTANCE_ID },
      closeness: 0.67,
      details: { hours: 4, minHours: 6, threshold: 90, missed: "too-short" },
    });
    expect(nearMisses[0]?.message).toMatch(/for 4 h in a row .*2 h short of the 6 h .*thresholds\.highCpuMinHours/);
  });

  it("a full-length run just under the threshold: a miner capped at 85 %", () => {
    const { signals, nearMisses } = run(cpuSustainedHigh, withCpu(cpu(busyLast(20, 85))));
    expect(signals).toEqual([]);
    expect(nearMisses).toHaveLength(1);
    expect(nearMisses[0]?.details).toMatchObject({ hours: 20, missed: "just-under" });
    expect(nearMisses[0]?.closeness).toBeGreaterThan(0.9);
    expect(nearMisses[0]?.message).toMatch(/at or above 80 % for 20 h .*not at or above the 90 %.*highCpuPercent/);
  });

  it.each([
    { name: "2 h busy (under half the hours)", shape: busyLast(2) },
    { name: "a plateau at 60 %", shape: flat(60) },
    { name: "idle", shape: flat(5) },
  ])("nothing when nowhere near: $name", ({ shape }) => {
    expect(run(cpuSustainedHigh, withCpu(cpu(shape))).nearMisses).toEqual([]);
  });

  it("nothing when the rule fired: a signal explains itself", () => {
    const { signals, nearMisses } = run(cpuSustainedHigh, withCpu(cpu(busyLast(10))));
    expect(signals).toHaveLength(1);
    expect(nearMisses).toEqual([]);
  });

  it("follows the configured thresholds", () => {
    const snapshot = withCpu(cpu(busyLast(4)));
    expect(run(cpuSustainedHigh, snapshot, { thresholds: { highCpuMinHours: 4 } }).nearMisses).toEqual([]);
    const near = run(cpuSustainedHigh, snapshot, { thresholds: { highCpuMinHours: 7 } }).nearMisses;
    expect(near[0]?.message).toContain("3 h short of the 7 h");
  });
});

describe("MW-GPU-HIGH-UTILIZATION near-misses", () => {
  it("GPUs held just under the threshold for the whole window", () => {
    const gpu = generateSeries({ start: daysAgo(2), hours: 48, shape: flat(76), noise: 1, seed: 9 });
    const snapshot = buildSnapshot({
      instances: [instance({ instanceType: "g5.xlarge", launchTime: daysAgo(2) })],
      metrics: { gpuAgentInstanceIds: [DEFAULT_INSTANCE_ID], byInstance: { [DEFAULT_INSTANCE_ID]: { gpu } } },
    });
    const { signals, nearMisses } = run(gpuHighUtilization, snapshot);
    expect(signals).toEqual([]);
    expect(nearMisses).toHaveLength(1);
    expect(nearMisses[0]?.message).toMatch(/^GPU utilization stayed at or above 70 % .*the 80 % .*highGpuPercent/);
  });
});

describe("MW-CPU-FLAT-SHIFT near-misses", () => {
  const START_RECENT = END - 48 * HOUR_MS;
  const cpu = (before: number, after: number, noise = 1) =>
    generateSeries({
      start: daysAgo(30),
      hours: 30 * 24,
      shape: switchAt(START_RECENT, flat(before), flat(after)),
      noise,
      seed: 21,
      periodSeconds: 300,
    });

  it("a flat plateau that rose a little too little", () => {
    const { signals, nearMisses } = run(cpuFlatShift, withCpu(cpu(20, 32), "m5.xlarge"));
    expect(signals).toEqual([]);
    expect(nearMisses).toHaveLength(1);
    expect(nearMisses[0]?.details).toMatchObject({ missed: "rise", neededRise: 15 });
    expect(nearMisses[0]?.message).toMatch(
      /CPU flat at 3\d(\.\d)? % .*up 1[12](\.\d)? points .*from a rise of 15 points/,
    );
  });

  it("a big rise that is less than twice the old level: a busy instance getting busier", () => {
    const { signals, nearMisses } = run(cpuFlatShift, withCpu(cpu(30, 50), "m5.xlarge"));
    expect(signals).toEqual([]);
    expect(nearMisses[0]?.details).toMatchObject({ missed: "ratio" });
    expect(nearMisses[0]?.message).toMatch(/only 1\.\d+x that level: the rule needs 2x/);
  });

  it("a shift whose new level is not quite flat", () => {
    const { signals, nearMisses } = run(cpuFlatShift, withCpu(cpu(10, 45, 8), "m5.xlarge"));
    expect(signals).toEqual([]);
    expect(nearMisses[0]?.details).toMatchObject({ missed: "flatness" });
    expect(nearMisses[0]?.message).toMatch(/coefficient of variation 0\.\d+; the rule calls CPU flat up to 0\.15/);
  });

  it.each([
    { name: "a steady database", before: 40, after: 40 },
    { name: "a small drift", before: 20, after: 25 },
  ])("nothing for $name", ({ before, after }) => {
    expect(run(cpuFlatShift, withCpu(cpu(before, after), "m5.xlarge")).nearMisses).toEqual([]);
  });

  it("nothing when the rule fired", () => {
    const { signals, nearMisses } = run(cpuFlatShift, withCpu(cpu(10, 45), "m5.xlarge"));
    expect(signals).toHaveLength(1);
    expect(nearMisses).toEqual([]);
  });
});

describe("MW-EC2-LAUNCH-WAVE near-misses", () => {
  const attacker = { instanceType: "c5.4xlarge", region: "sa-east-1", iamInstanceProfileArn: undefined, tags: {} };

  it("a burst one or two short of a wave, noted once on its first instance with every id", () => {
    const burst = fleet(3, { ...attacker, launchTime: hoursAgo(5) }, { spacingMinutes: 1 });
    const { signals, nearMisses } = run(ec2LaunchWave, buildSnapshot({ instances: [instance(), ...burst] }));
    expect(signals).toEqual([]);
    expect(nearMisses).toHaveLength(1);
    expect(nearMisses[0]?.resource.id).toBe(burst[0]?.instanceId);
    expect(nearMisses[0]?.closeness).toBe(0.6);
    for (const i of burst) expect(nearMisses[0]?.message).toContain(i.instanceId ?? "?");
    expect(nearMisses[0]?.message).toContain("from 5 instances (thresholds.launchWaveMinInstances)");
  });

  it.each([
    { name: "a single launch", count: 1, launchTime: hoursAgo(5) },
    { name: "a burst that started days before the window (news once, not daily)", count: 3, launchTime: daysAgo(3) },
  ])("nothing for $name", ({ count, launchTime }) => {
    const burst = fleet(count, { ...attacker, launchTime }, { spacingMinutes: 1 });
    expect(run(ec2LaunchWave, buildSnapshot({ instances: [instance(), ...burst] })).nearMisses).toEqual([]);
  });
});

describe("MW-COST-NEW-SPEND near-misses", () => {
  const DAYS = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 1, 8 + i)).toISOString().slice(0, 10));
  const steady = (level: number) => Array.from({ length: 30 }, () => level);
  const costs = (recentInSaEast: number[]): Costs => ({
    currency: "USD",
    days: DAYS,
    byRegion: { "eu-west-1": steady(80), "sa-east-1": [...Array.from({ length: 27 }, () => 0), ...recentInSaEast] },
    byService: { "Amazon Elastic Compute Cloud - Compute": steady(60) },
    byInstanceType: { "m5.xlarge": steady(40) },
  });

  it("new spend in a region that stayed under the daily threshold", () => {
    const { signals, nearMisses } = run(costNewSpend, buildSnapshot({ costs: costs([0, 1.2, 3.4]) }));
    expect(signals).toEqual([]);
    expect(nearMisses).toHaveLength(1);
    expect(nearMisses[0]).toMatchObject({ resource: { type: "region-spend", id: "sa-east-1" }, closeness: 0.68 });
    expect(nearMisses[0]?.message).toMatch(/at most \$3\.40 a day .*under the \$5\.00 a day .*newSpendUsdPerDay/);
  });

  it("nothing for pennies, nothing when it fired", () => {
    expect(run(costNewSpend, buildSnapshot({ costs: costs([0, 0.4, 1]) })).nearMisses).toEqual([]);
    const fired = run(costNewSpend, buildSnapshot({ costs: costs([0, 40, 180]) }));
    expect(fired.signals).toHaveLength(1);
    expect(fired.nearMisses).toEqual([]);
  });
});

describe("evaluateRules and near-misses", () => {
  const resource = { type: "ec2-instance", id: "i-1", region: "eu-west-1" };
  const noting = (fire: boolean, fail = false): Rule => ({
    id: "MW-TEST",
    title: "test",
    severity: "low",
    category: "behaviour",
    rationale: "test",
    recommendation: "test",
    evaluate(_snapshot, { noteNearMiss }) {
      noteNearMiss?.({ resource, message: "almost", closeness: 0.5 });
      noteNearMiss?.({ resource: { ...resource, id: "i-2" }, message: "almost", closeness: 0.5 });
      if (fail) throw new Error("boom");
      return fire ? [{ ruleId: "MW-TEST", resource, severity: "low", message: "fired" }] : [];
    },
  });
  const snapshot = buildSnapshot();

  it("stamps the rule id and drops a near-miss on a resource the same rule flagged", () => {
    const { nearMisses } = evaluateRules(snapshot, ruleContext(snapshot), [noting(true)]);
    expect(nearMisses.map((m) => [m.ruleId, m.resource.id])).toEqual([["MW-TEST", "i-2"]]);
  });

  it("keeps nothing from a rule that threw: its error is what the report shows", () => {
    const outcome = evaluateRules(snapshot, ruleContext(snapshot), [noting(false, true)]);
    expect(outcome.nearMisses).toEqual([]);
    expect(outcome.errors).toEqual([{ ruleId: "MW-TEST", message: "boom" }]);
  });
});

describe("MW-EC2-UNUSED-REGION near-misses", () => {
  const DAYS = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 1, 8 + i)).toISOString().slice(0, 10));
  /** sa-east-1 had spend on `days` baseline days (a key tested there weeks ago), eu-west-1 every day. */
  const costs = (days: number): Costs => ({
    currency: "USD",
    days: DAYS,
    byRegion: {
      "eu-west-1": Array.from({ length: 30 }, () => 80),
      "sa-east-1": Array.from({ length: 30 }, (_, k) => (k >= 5 && k < 5 + days ? 12 : 0)),
    },
    byService: {},
    byInstanceType: {},
  });
  const miners = fleet(2, { instanceType: "c5.4xlarge", region: "sa-east-1", launchTime: hoursAgo(3) });
  const home = instance({ region: "eu-west-1", launchTime: daysAgo(60) });

  it("new instances in a region used only on a few days: noted once, naming them", () => {
    const { signals, nearMisses } = run(
      ec2UnusedRegion,
      buildSnapshot({ instances: [home, ...miners], costs: costs(4) }),
    );
    expect(signals).toEqual([]);
    expect(nearMisses).toHaveLength(1);
    expect(nearMisses[0]?.resource.id).toBe(miners[0]?.instanceId);
    expect(nearMisses[0]?.details).toMatchObject({ region: "sa-east-1", spendDays: 4, baselineDays: 27 });
    expect(nearMisses[0]?.message).toMatch(
      /in sa-east-1: the region counts as used only because it had spend on 4 of 27/,
    );
    for (const m of miners) expect(nearMisses[0]?.message).toContain(m.instanceId ?? "?");
  });

  it.each([
    {
      name: "a region used on many days",
      snapshot: () => buildSnapshot({ instances: [home, ...miners], costs: costs(12) }),
    },
    {
      name: "a region with an established instance",
      snapshot: () =>
        buildSnapshot({
          instances: [home, instance({ region: "sa-east-1", launchTime: daysAgo(40) }), ...miners],
          costs: costs(4),
        }),
    },
  ])("nothing for $name", ({ snapshot }) => {
    expect(run(ec2UnusedRegion, snapshot()).nearMisses).toEqual([]);
  });

  it("nothing when approvedRegions lists the regions on purpose", () => {
    const snapshot = buildSnapshot({ instances: [home, ...miners], costs: costs(4) });
    expect(run(ec2UnusedRegion, snapshot, { approvedRegions: ["eu-west-1", "sa-east-1"] }).nearMisses).toEqual([]);
  });
});
