import { describe, expect, it } from "vitest";
import type { CoverageEntry } from "../../lambda/core/snapshot.js";
import { coverageGap } from "../../lambda/rules/coverage-gap.js";
import { buildSnapshot, ruleContext } from "../support/snapshot-builder.js";

const DAYS = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 1, 8 + i)).toISOString().slice(0, 10));
const flatDays = (usd: number) => DAYS.map(() => usd);
const recentOnly = (usd: number) => DAYS.map((_, i) => (i >= 27 ? usd : 0));

const DENIED_INSTANCES: CoverageEntry = {
  region: "ap-south-1",
  service: "ec2",
  api: "DescribeInstances",
  status: "failed",
  reason: "access-denied",
  message: "UnauthorizedOperation: You are not authorized to perform this operation.",
};

function evaluate(coverage: CoverageEntry[], byRegion?: Record<string, number[]>) {
  const snapshot = buildSnapshot({
    coverage,
    ...(byRegion ? { costs: { currency: "USD", days: DAYS, byRegion, byService: {}, byInstanceType: {} } } : {}),
  });
  return coverageGap.evaluate(snapshot, ruleContext(snapshot));
}

describe("MW-COVERAGE-GAP: hidden EC2 inventory", () => {
  it("medium when a region's DescribeInstances is denied", () => {
    const signals = evaluate([DENIED_INSTANCES]);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      ruleId: "MW-COVERAGE-GAP",
      resource: { type: "coverage", id: "ec2:DescribeInstances", region: "ap-south-1" },
      severity: "medium",
      details: { status: "failed", reason: "access-denied", recentRegionSpendUsdPerDay: null },
    });
    expect(signals[0]?.message).toBe(
      "EC2 instances in ap-south-1 not read (access-denied: UnauthorizedOperation: You are not authorized to " +
        "perform this operation). To fix: grant ec2:DescribeInstances to the role Minewatch runs as (and check " +
        "SCPs that deny it).",
    );
  });

  it.each<{ name: string; byRegion: Record<string, number[]>; severity: string; spend: number | null }>([
    { name: "new spend of $312/day there", byRegion: { "ap-south-1": recentOnly(312) }, severity: "high", spend: 312 },
    { name: "steady spend of $40/day there", byRegion: { "ap-south-1": flatDays(40) }, severity: "high", spend: 40 },
    { name: "pennies there", byRegion: { "ap-south-1": recentOnly(0.4) }, severity: "medium", spend: null },
    { name: "spend only in other regions", byRegion: { "eu-west-1": flatDays(90) }, severity: "medium", spend: null },
  ])("with Cost Explorer showing $name: $severity", ({ byRegion, severity, spend }) => {
    const signals = evaluate([DENIED_INSTANCES], byRegion);
    expect(signals.map((s) => [s.severity, s.details?.recentRegionSpendUsdPerDay])).toEqual([[severity, spend]]);
    if (severity === "high") expect(signals[0]?.message).toContain("something runs there that Minewatch cannot see");
  });

  it("the whole EC2 collector failing in a region counts as hidden inventory", () => {
    const signals = evaluate(
      [
        {
          region: "sa-east-1",
          service: "ec2",
          api: "collect",
          status: "failed",
          reason: "error",
          message: "TypeError: boom",
        },
      ],
      { "sa-east-1": recentOnly(75) },
    );
    expect(signals.map((s) => s.severity)).toEqual(["high"]);
    expect(signals[0]?.message).toMatch(/^EC2 inventory in sa-east-1 not read \(error: TypeError: boom\)/);
  });
});

describe("MW-COVERAGE-GAP: other gaps", () => {
  it.each([
    {
      name: "Cost Explorer never enabled",
      entry: {
        region: "global",
        service: "ce",
        api: "GetCostAndUsage",
        status: "failed",
        reason: "cost-explorer-not-enabled",
        message: "Cost Explorer is not enabled for this account (User not enabled for cost explorer access)",
      },
      severity: "low",
      text: /^Daily costs by region, service and instance type not read .*To fix: enable Cost Explorer/,
    },
    {
      name: "metrics throttled part-way",
      entry: {
        region: "eu-west-1",
        service: "cloudwatch",
        api: "GetMetricData",
        status: "partial",
        reason: "throttled",
        message: "2 of 7 batches failed",
      },
      severity: "low",
      text: /^CloudWatch metrics \(CPU, network, GPU\) in eu-west-1 only partly read .*re-run later/,
    },
    {
      name: "the GPU agent missing",
      entry: {
        region: "us-east-1",
        service: "cloudwatch",
        api: "nvidia_smi_utilization_gpu",
        status: "skipped",
        reason: "agent-missing",
        message: "3 of 3 instances report no nvidia_smi_utilization_gpu in CWAgent",
      },
      severity: "info",
      text: /^GPU utilization \(CloudWatch agent\) in us-east-1 not read .*install the CloudWatch agent .*namespace CWAgent/,
    },
    {
      name: "the region list unreadable",
      entry: { region: "global", service: "ec2", api: "DescribeRegions", status: "failed", reason: "access-denied" },
      severity: "medium",
      text: /^The list of enabled regions not read \(access-denied\)\. To fix: grant ec2:DescribeRegions/,
    },
    {
      name: "user data read only for the most suspicious instances",
      entry: {
        region: "eu-west-1",
        service: "ec2",
        api: "DescribeInstanceAttribute:cap",
        status: "partial",
        reason: "not-requested",
        message: "user data read for the 50 most suspicious of 80 instances worth a look",
      },
      severity: "low",
      text: /^Instance user data in eu-west-1 only partly read .*left out on purpose/,
    },
    {
      name: "an unknown data set timing out",
      entry: { region: "eu-west-1", service: "ecs", api: "task-definitions", status: "failed", reason: "timed-out" },
      severity: "low",
      text: /^Ecs task-definitions in eu-west-1 not read \(timed-out\)\. To fix: re-run/,
    },
  ] as const)("$name: $severity", ({ entry, severity, text }) => {
    const signals = evaluate([entry]);
    expect(signals).toHaveLength(1);
    expect(signals[0]?.severity).toBe(severity);
    expect(signals[0]?.resource).toEqual({
      type: "coverage",
      id: `${entry.service}:${entry.api}`,
      region: entry.region,
    });
    expect(signals[0]?.message).toMatch(text);
  });

  it("stays quiet for what was read, and for deliberate skips", () => {
    const signals = evaluate([
      { region: "eu-west-1", service: "ec2", api: "DescribeInstances", status: "ok", message: "12 instances" },
      { region: "af-south-1", service: "ec2", api: "DescribeInstances", status: "skipped", reason: "not-opted-in" },
      { region: "eu-north-1", service: "ec2", api: "DescribeInstances", status: "skipped", reason: "not-requested" },
    ]);
    expect(signals).toEqual([]);
  });

  it("one signal per gap, in coverage order", () => {
    const signals = evaluate([
      DENIED_INSTANCES,
      { region: "global", service: "ce", api: "GetAnomalies", status: "failed", reason: "access-denied" },
      {
        region: "ap-south-1",
        service: "cloudwatch",
        api: "GetMetricData",
        status: "skipped",
        reason: "service-disabled",
      },
    ]);
    expect(signals.map((s) => `${s.resource.id}@${s.resource.region}:${s.severity}`)).toEqual([
      "ec2:DescribeInstances@ap-south-1:medium",
      "ce:GetAnomalies@global:low",
      "cloudwatch:GetMetricData@ap-south-1:low",
    ]);
    expect(signals[1]?.message).toContain("grant ce:GetAnomalies");
  });

  it("nothing to report without coverage entries", () => {
    expect(evaluate([])).toEqual([]);
  });
});
