import {
  type Anomaly,
  CostExplorerClient,
  CostExplorerServiceException,
  GetAnomaliesCommand,
  type GetAnomaliesCommandInput,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
  type GetCostAndUsageCommandOutput,
  type ResultByTime,
} from "@aws-sdk/client-cost-explorer";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { COMPUTE_SERVICE, collectCosts, costTimePeriod, toCostAnomaly } from "../../lambda/collect/cost-explorer.js";
import { CoverageRecorder, classifyAwsError } from "../../lambda/collect/coverage.js";
import { defaultConfig } from "../../lambda/core/config.js";

const WINDOW_END = new Date("2026-03-10T06:00:00.000Z");
const WINDOW = { start: new Date("2026-03-09T06:00:00.000Z"), end: WINDOW_END };
const FIRST_DAY = "2025-12-10";
const LAST_DAY = "2026-03-10";
const DAY_COUNT = 91;

const client = new CostExplorerClient({ region: "us-east-1" });
const ce = mockClient(client);

function ceError(name: string, message: string): CostExplorerServiceException {
  return new CostExplorerServiceException({
    name,
    message,
    $fault: "client",
    $metadata: { httpStatusCode: 400, requestId: "0b6f6a2e-0000-4000-8000-000000000000" },
  });
}

const NOT_ENABLED = () => ceError("AccessDeniedException", "User not enabled for cost explorer access");

function day(offset: number): { Start: string; End: string } {
  const start = new Date(Date.parse(FIRST_DAY) + offset * 86_400_000);
  const end = new Date(start.getTime() + 86_400_000);
  return { Start: start.toISOString().slice(0, 10), End: end.toISOString().slice(0, 10) };
}

/** One ResultByTime as Cost Explorer returns it with a GroupBy: empty Total, amounts as strings. */
function dayResult(offset: number, groups: Record<string, number>): ResultByTime {
  return {
    TimePeriod: day(offset),
    Total: {},
    Groups: Object.entries(groups).map(([key, amount]) => ({
      Keys: [key],
      Metrics: { UnblendedCost: { Amount: amount.toFixed(10), Unit: "USD" } },
    })),
    Estimated: offset >= DAY_COUNT - 2,
  };
}

function days(from: number, to: number, groups: (offset: number) => Record<string, number>): ResultByTime[] {
  return Array.from({ length: to - from }, (_, i) => dayResult(from + i, groups(from + i)));
}

function groupKey(input: GetCostAndUsageCommandInput): string {
  return input.GroupBy?.[0]?.Key ?? "";
}

function page(
  input: GetCostAndUsageCommandInput,
  results: ResultByTime[],
  next?: string,
): GetCostAndUsageCommandOutput {
  return {
    GroupDefinitions: input.GroupBy,
    ResultsByTime: results,
    DimensionValueAttributes: [],
    ...(next ? { NextPageToken: next } : {}),
    $metadata: { httpStatusCode: 200 },
  };
}

/**
 * A quiet account that spends in eu-west-1 and us-east-1; sa-east-1 appears on the last two days.
 * The REGION answer comes in two pages, the second repeating the page-boundary day with new groups.
 */
function accountCosts(input: GetCostAndUsageCommandInput): GetCostAndUsageCommandOutput {
  const key = groupKey(input);
  if (key === "REGION") {
    if (!input.NextPageToken) {
      return page(
        input,
        days(0, 50, () => ({ "eu-west-1": 41.5, "us-east-1": 3.25 })),
        "region-page-2",
      );
    }
    if (input.NextPageToken === "region-page-2") {
      return page(input, [
        dayResult(49, { global: 1 }),
        ...days(50, DAY_COUNT, (o) => ({
          "eu-west-1": 42,
          "us-east-1": 3.5,
          ...(o >= DAY_COUNT - 2 ? { "sa-east-1": 655.2 } : {}),
        })),
      ]);
    }
    throw new Error(`unexpected token ${input.NextPageToken}`);
  }
  if (key === "SERVICE") {
    return page(
      input,
      days(0, DAY_COUNT, (o) => ({
        [COMPUTE_SERVICE]: o >= DAY_COUNT - 2 ? 690 : 30,
        "Amazon Simple Storage Service": 7.75,
      })),
    );
  }
  return page(
    input,
    // Steady m5.large spend, then p3.16xlarge appears on the last two days.
    days(
      0,
      DAY_COUNT,
      (o): Record<string, number> => (o >= DAY_COUNT - 2 ? { "m5.large": 30, "p3.16xlarge": 660 } : { "m5.large": 30 }),
    ),
  );
}

const ANOMALY: Anomaly = {
  AnomalyId: "5d1f0c8e-7a3b-4e2d-9c61-0f2a8b7e4d10",
  AnomalyStartDate: "2026-03-09T00:00:00Z",
  AnomalyEndDate: "2026-03-10T00:00:00Z",
  DimensionValue: COMPUTE_SERVICE,
  RootCauses: [
    {
      Service: COMPUTE_SERVICE,
      Region: "sa-east-1",
      LinkedAccount: "123456789012",
      LinkedAccountName: "production",
      UsageType: "SAE1-BoxUsage:p3.16xlarge",
      Impact: { Contribution: 1290.4 },
    },
  ],
  AnomalyScore: { MaxScore: 0.93, CurrentScore: 0.88 },
  Impact: {
    MaxImpact: 655.2,
    TotalImpact: 1290.4,
    TotalActualSpend: 1380,
    TotalExpectedSpend: 89.6,
    TotalImpactPercentage: 1440.2,
  },
  MonitorArn: "arn:aws:ce::123456789012:anomalymonitor/9f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
  Feedback: "YES",
};

beforeEach(() => {
  ce.reset();
});

describe("costTimePeriod", () => {
  it.each([
    { end: "2026-03-10T06:00:00Z", start: "2025-12-10", exclusiveEnd: "2026-03-11", count: 91 },
    { end: "2026-03-01T00:00:00Z", start: "2025-12-01", exclusiveEnd: "2026-03-02", count: 91 },
    { end: "2026-01-01T23:59:59Z", start: "2025-10-03", exclusiveEnd: "2026-01-02", count: 91 },
  ])("ends $end -> $start .. $exclusiveEnd", ({ end, start, exclusiveEnd, count }) => {
    const period = costTimePeriod(new Date(end));
    expect(period.start).toBe(start);
    expect(period.end).toBe(exclusiveEnd);
    expect(period.days).toHaveLength(count);
    expect(period.days[0]).toBe(start);
    expect(period.days.at(-1)).toBe(end.slice(0, 10));
  });
});

describe("collectCosts", () => {
  it("reads three daily cost queries, each page once, aligned to 91 days", async () => {
    ce.on(GetCostAndUsageCommand).callsFake(accountCosts);
    ce.on(GetAnomaliesCommand).resolves({ Anomalies: [] });
    const coverage = new CoverageRecorder();

    const { costs } = await collectCosts({ client, window: WINDOW, config: defaultConfig(), coverage });

    const calls = ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input);
    expect(calls.map((input) => [groupKey(input), input.NextPageToken])).toEqual([
      ["REGION", undefined],
      ["REGION", "region-page-2"],
      ["SERVICE", undefined],
      ["INSTANCE_TYPE", undefined],
    ]);
    for (const input of calls) {
      expect(input).toMatchObject({
        TimePeriod: { Start: FIRST_DAY, End: "2026-03-11" },
        Granularity: "DAILY",
        Metrics: ["UnblendedCost"],
      });
    }
    expect(calls[3]?.Filter).toEqual({ Dimensions: { Key: "SERVICE", Values: [COMPUTE_SERVICE] } });
    expect(calls[0]?.Filter).toBeUndefined();

    expect(costs?.currency).toBe("USD");
    expect(costs?.days).toHaveLength(DAY_COUNT);
    expect(costs?.days[0]).toBe(FIRST_DAY);
    expect(costs?.days.at(-1)).toBe(LAST_DAY);
    const sa = costs?.byRegion["sa-east-1"];
    expect(sa).toHaveLength(DAY_COUNT);
    expect(sa?.slice(-3)).toEqual([0, 655.2, 655.2]);
    expect(sa?.slice(0, -2).every((v) => v === 0)).toBe(true);
    expect(costs?.byRegion["eu-west-1"]?.[0]).toBe(41.5);
    expect(costs?.byRegion["eu-west-1"]?.[50]).toBe(42);
    // The boundary day's groups came on two pages: both kept.
    expect(costs?.byRegion["us-east-1"]?.[49]).toBe(3.25);
    expect(costs?.byRegion.global?.[49]).toBe(1);
    expect(costs?.byService[COMPUTE_SERVICE]?.at(-1)).toBe(690);
    expect(costs?.byInstanceType["p3.16xlarge"]?.slice(-3)).toEqual([0, 660, 660]);
    expect(costs?.byInstanceType["m5.large"]?.every((v) => v === 30)).toBe(true);

    const entries = coverage.entries.filter((e) => e.api === "GetCostAndUsage");
    expect(entries).toHaveLength(3);
    expect(entries.every((e) => e.status === "ok" && e.region === "global" && e.service === "ce")).toBe(true);
    expect(entries[0]?.message).toContain("by REGION: 2 pages");
  });

  it("follows NextPageToken for anomalies once per page and maps them", async () => {
    ce.on(GetCostAndUsageCommand).callsFake(accountCosts);
    ce.on(GetAnomaliesCommand).callsFake((input: GetAnomaliesCommandInput) =>
      input.NextPageToken === "anomalies-2"
        ? { Anomalies: [{ ...ANOMALY, AnomalyId: "second", RootCauses: [] }] }
        : { Anomalies: [ANOMALY], NextPageToken: "anomalies-2" },
    );
    const coverage = new CoverageRecorder();

    const { costAnomalies } = await collectCosts({ client, window: WINDOW, config: defaultConfig(), coverage });

    const calls = ce.commandCalls(GetAnomaliesCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { DateInterval: { StartDate: "2026-03-06", EndDate: "2026-03-10" } },
      { DateInterval: { StartDate: "2026-03-06", EndDate: "2026-03-10" }, NextPageToken: "anomalies-2" },
    ]);
    expect(costAnomalies).toEqual([
      {
        anomalyId: "5d1f0c8e-7a3b-4e2d-9c61-0f2a8b7e4d10",
        startDate: "2026-03-09",
        endDate: "2026-03-10",
        totalImpactUsd: 1290.4,
        maxImpactUsd: 655.2,
        score: 0.88,
        monitorArn: ANOMALY.MonitorArn,
        rootCauses: [
          {
            service: COMPUTE_SERVICE,
            region: "sa-east-1",
            usageType: "SAE1-BoxUsage:p3.16xlarge",
            linkedAccount: "123456789012",
          },
        ],
      },
      expect.objectContaining({ anomalyId: "second", rootCauses: [] }),
    ]);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ region: "global", service: "ce", api: "GetAnomalies", status: "ok" }),
    );
  });

  it.each([
    { name: "missing TotalImpact", patch: { Impact: { MaxImpact: 50 } }, field: "totalImpactUsd", expected: 50 },
    { name: "date-only start", patch: { AnomalyStartDate: "2026-03-08" }, field: "startDate", expected: "2026-03-08" },
    { name: "open-ended", patch: { AnomalyEndDate: undefined }, field: "endDate", expected: undefined },
  ])("maps an anomaly with $name", ({ patch, field, expected }) => {
    const mapped = toCostAnomaly({ ...ANOMALY, ...patch } as Anomaly);
    expect(mapped?.[field as keyof typeof mapped]).toEqual(expected);
  });

  it("classifies 'User not enabled for cost explorer access' as cost-explorer-not-enabled", () => {
    expect(classifyAwsError(NOT_ENABLED()).reason).toBe("cost-explorer-not-enabled");
  });

  it("records cost-explorer-not-enabled and returns no costs and no anomalies", async () => {
    ce.on(GetCostAndUsageCommand).rejects(NOT_ENABLED());
    ce.on(GetAnomaliesCommand).rejects(NOT_ENABLED());
    const coverage = new CoverageRecorder();

    const result = await collectCosts({ client, window: WINDOW, config: defaultConfig(), coverage });

    expect(result).toEqual({ costAnomalies: [] });
    expect(coverage.entries).toHaveLength(4);
    for (const entry of coverage.entries) {
      expect(entry).toMatchObject({
        region: "global",
        service: "ce",
        status: "failed",
        reason: "cost-explorer-not-enabled",
      });
    }
    expect(coverage.entries.map((e) => e.api)).toEqual([
      "GetCostAndUsage",
      "GetCostAndUsage",
      "GetCostAndUsage",
      "GetAnomalies",
    ]);
    expect(coverage.entries[0]?.message).toContain("by REGION");
  });

  it("keeps costs when only anomalies are denied", async () => {
    ce.on(GetCostAndUsageCommand).callsFake(accountCosts);
    ce.on(GetAnomaliesCommand).rejects(
      ceError(
        "AccessDeniedException",
        "User: arn:aws:sts::123456789012:assumed-role/minewatch/audit is not authorized to perform: ce:GetAnomalies",
      ),
    );
    const coverage = new CoverageRecorder();

    const result = await collectCosts({ client, window: WINDOW, config: defaultConfig(), coverage });

    expect(result.costs?.days).toHaveLength(DAY_COUNT);
    expect(result.costAnomalies).toEqual([]);
    expect(coverage.entries.find((e) => e.api === "GetAnomalies")).toMatchObject({
      status: "failed",
      reason: "access-denied",
    });
  });

  it("keeps the pages read before a failure and says the data is partial", async () => {
    ce.on(GetCostAndUsageCommand).callsFake((input: GetCostAndUsageCommandInput) => {
      if (groupKey(input) === "REGION" && input.NextPageToken) throw ceError("LimitExceededException", "Rate exceeded");
      return accountCosts(input);
    });
    ce.on(GetAnomaliesCommand).resolves({ Anomalies: [] });
    const coverage = new CoverageRecorder();

    const { costs } = await collectCosts({ client, window: WINDOW, config: defaultConfig(), coverage });

    // Each page is billed: the failed page is not retried by us (the SDK already retried it).
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(4);
    expect(costs?.byRegion["eu-west-1"]?.[0]).toBe(41.5);
    expect(costs?.byRegion["eu-west-1"]?.[60]).toBe(0);
    expect(costs?.byRegion["sa-east-1"]).toBeUndefined();
    expect(coverage.entries[0]).toMatchObject({ api: "GetCostAndUsage", status: "partial", reason: "throttled" });
    expect(coverage.entries[0]?.message).toContain("by REGION: stopped after 1 pages");
    expect(coverage.entries.slice(1, 3).every((e) => e.status === "ok")).toBe(true);
  });
});
