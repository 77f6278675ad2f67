import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../lambda/core/config.js";
import type { Costs } from "../../lambda/core/snapshot.js";
import { costNewSpend } from "../../lambda/rules/cost-new-spend.js";
import { buildSnapshot, ruleContext } from "../support/snapshot-builder.js";

/** Cost Explorer days as the collector stores them: the 30 UTC days before the window end (2026-03-10). */
const DAYS = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 1, 8 + i)).toISOString().slice(0, 10));
const BASELINE_DAYS = 27;

/** A daily series: `baseline` on each of the 27 baseline days, then the three recent days as given. */
function daily(baseline: number, recent: [number, number, number]): number[] {
  return [...Array.from({ length: BASELINE_DAYS }, (_, i) => baseline * (0.9 + 0.2 * ((i * 7) % 5) * 0.25)), ...recent];
}

/** A normal account: production in eu-west-1, a little in us-east-1 (global services bill there). */
function costs(extra: Partial<Pick<Costs, "byRegion" | "byService" | "byInstanceType">> = {}): Costs {
  return {
    currency: "USD",
    days: DAYS,
    byRegion: {
      "eu-west-1": daily(85, [88, 90, 86]),
      "us-east-1": daily(3, [3, 3, 3]),
      global: daily(1, [1, 1, 1]),
      ...extra.byRegion,
    },
    byService: {
      "Amazon Elastic Compute Cloud - Compute": daily(60, [61, 62, 60]),
      "Amazon Relational Database Service": daily(20, [20, 20, 20]),
      ...extra.byService,
    },
    byInstanceType: {
      "t3.medium": daily(12, [12, 12, 12]),
      "m5.xlarge": daily(40, [40, 41, 40]),
      ...extra.byInstanceType,
    },
  };
}

function evaluate(snapshotCosts: Costs | undefined, config: ConfigInput = {}) {
  const snapshot = buildSnapshot(snapshotCosts ? { costs: snapshotCosts } : {});
  return costNewSpend.evaluate(snapshot, ruleContext(snapshot, config));
}

describe("MW-COST-NEW-SPEND by region", () => {
  it.each([
    {
      name: "mining fleet in sa-east-1",
      region: "sa-east-1",
      recent: [0, 40, 180] as const,
      severity: "high",
      max: 180,
      day: DAYS[29],
    },
    {
      name: "a few instances in ap-south-1",
      region: "ap-south-1",
      recent: [0, 22.5, 19] as const,
      severity: "medium",
      max: 22.5,
      day: DAYS[28],
    },
    {
      name: "exactly the $5/day threshold",
      region: "ca-central-1",
      recent: [5, 0, 0] as const,
      severity: "medium",
      max: 5,
      day: DAYS[27],
    },
    {
      name: "$100/day is high",
      region: "eu-north-1",
      recent: [100, 0, 0] as const,
      severity: "high",
      max: 100,
      day: DAYS[27],
    },
  ])("fires for $name", ({ region, recent, severity, max, day }) => {
    const signals = evaluate(costs({ byRegion: { [region]: daily(0, [...recent]) } }));
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      ruleId: "MW-COST-NEW-SPEND",
      resource: { type: "region-spend", id: region, region },
      severity,
      details: { maxDailyUsd: max, maxDay: day, recentDays: 3, baselineDays: BASELINE_DAYS, thresholdUsdPerDay: 5 },
    });
    expect(signals[0]?.details?.recentTotalUsd).toBeCloseTo(recent[0] + recent[1] + recent[2], 2);
    expect(signals[0]?.message).toContain(`New spend in ${region}: $${max.toFixed(2)} on ${day}`);
    expect(signals[0]?.message).toContain(`on fewer than 3 of the previous ${BASELINE_DAYS} days`);
  });

  it("treats pennies in the baseline as no use of the region", () => {
    const signals = evaluate(costs({ byRegion: { "ap-northeast-1": daily(0.3, [0.3, 30, 30]) } }));
    expect(signals.map((s) => s.resource.id)).toEqual(["ap-northeast-1"]);
  });

  it.each<{ name: string; byRegion: Record<string, number[]> }>([
    {
      name: "a home region spending more (the anomaly rule's case)",
      byRegion: { "eu-west-1": daily(85, [300, 400, 500]) },
    },
    {
      // One day is not use: a key that started a day before the recent window must not make its
      // region "home". Three days are.
      name: "a region used on three days of the baseline",
      byRegion: { "us-west-2": [...daily(0, [9, 9, 9]).slice(0, 5), 0.6, 0.6, 0.6, ...daily(0, [9, 9, 9]).slice(8)] },
    },
    { name: "new spend under the threshold", byRegion: { "sa-east-1": daily(0, [4.99, 4.5, 0]) } },
    {
      name: "global and NoRegion are not regions",
      byRegion: { global: daily(0, [50, 50, 50]), NoRegion: daily(0, [50, 50, 50]) },
    },
  ])("stays quiet for $name", ({ byRegion }) => {
    expect(evaluate(costs({ byRegion }))).toEqual([]);
  });

  it("follows the configured threshold", () => {
    const extra = { byRegion: { "sa-east-1": daily(0, [0, 3, 0]) } };
    expect(evaluate(costs(extra))).toEqual([]);
    expect(
      evaluate(costs(extra), { thresholds: { newSpendUsdPerDay: 2 } }).map((s) => s.details?.thresholdUsdPerDay),
    ).toEqual([2]);
  });
});

describe("MW-COST-NEW-SPEND by compute service and instance type", () => {
  it.each([
    { service: "Amazon SageMaker", recent: [0, 35, 60] as const, severity: "medium" },
    { service: "Amazon Elastic Container Service", recent: [20, 150, 160] as const, severity: "high" },
    { service: "AWS CodeBuild", recent: [0, 0, 12] as const, severity: "medium" },
  ])("fires for new $service spend (mining without an instance)", ({ service, recent, severity }) => {
    const signals = evaluate(costs({ byService: { [service]: daily(0, [...recent]) } }));
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ resource: { type: "service-spend", id: service, region: "global" }, severity });
    expect(signals[0]?.message).toContain(`New spend on ${service}`);
  });

  it("ignores new spend on services that cannot mine, and compute services already in use", () => {
    const signals = evaluate(
      costs({
        byService: {
          "Amazon Simple Storage Service": daily(0, [50, 50, 50]),
          "Amazon Elastic Compute Cloud - Compute": daily(60, [600, 900, 1200]),
        },
      }),
    );
    expect(signals).toEqual([]);
  });

  it("a never-paid-for instance type is low on its own", () => {
    const signals = evaluate(
      costs({ byInstanceType: { "p3.16xlarge": daily(0, [0, 220, 587.5]), "t3.medium": daily(12, [30, 30, 30]) } }),
    );
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      resource: { type: "instance-type-spend", id: "p3.16xlarge", region: "global" },
      severity: "low",
      details: { maxDailyUsd: 587.5 },
    });
  });

  it("reports every new region, service and type together, largest first", () => {
    const signals = evaluate(
      costs({
        byRegion: { "sa-east-1": daily(0, [0, 10, 90]), "ap-south-1": daily(0, [0, 300, 310]) },
        byService: { "AWS Batch": daily(0, [0, 0, 8]) },
        byInstanceType: { "c5a.24xlarge": daily(0, [0, 250, 330]) },
      }),
    );
    expect(signals.map((s) => `${s.resource.type}:${s.resource.id}:${s.severity}`)).toEqual([
      "region-spend:ap-south-1:high",
      "region-spend:sa-east-1:medium",
      "service-spend:AWS Batch:medium",
      "instance-type-spend:c5a.24xlarge:low",
    ]);
  });
});

describe("MW-COST-NEW-SPEND without enough cost data", () => {
  it("no costs in the snapshot: no signals (MW-COVERAGE-GAP reports why)", () => {
    expect(evaluate(undefined)).toEqual([]);
  });

  it("too few baseline days to tell new from not yet seen", () => {
    const short = costs({ byRegion: { "sa-east-1": daily(0, [0, 40, 180]) } });
    const lastSix = (values: number[]) => values.slice(-6);
    const cut: Costs = {
      ...short,
      days: short.days.slice(-6),
      byRegion: Object.fromEntries(Object.entries(short.byRegion).map(([k, v]) => [k, lastSix(v)])),
      byService: Object.fromEntries(Object.entries(short.byService).map(([k, v]) => [k, lastSix(v)])),
      byInstanceType: Object.fromEntries(Object.entries(short.byInstanceType).map(([k, v]) => [k, lastSix(v)])),
    };
    expect(evaluate(cut)).toEqual([]);
  });
});
