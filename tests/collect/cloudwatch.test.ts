import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  ListMetricsCommand,
  type Metric,
  type MetricDataQuery,
  type MetricDataResult,
} from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  alignToGrid,
  collectMetrics,
  GET_METRIC_DATA_MAX_POINTS,
  GET_METRIC_DATA_MAX_QUERIES,
  GPU_METRIC_NAME,
  maxAcross,
  maxQueriesPerCall,
  metricTimeRange,
  planMetricBatches,
} from "../../lambda/collect/cloudwatch.js";
import { CoverageRecorder } from "../../lambda/collect/coverage.js";
import { type Config, type ConfigInput, ConfigSchema } from "../../lambda/core/config.js";
import type { Instance } from "../../lambda/core/snapshot.js";

const REGION = "eu-west-1";
const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
const WINDOW_END = new Date("2026-03-10T06:00:00.000Z");
const WINDOW = { start: new Date(WINDOW_END.getTime() - DAY_MS), end: WINDOW_END };
/** Default config: a 14-day baseline plus a day, hourly = 360 points per series. */
const RANGE_START = new Date(WINDOW_END.getTime() - 15 * DAY_MS);
const POINTS = 360;

const client = new CloudWatchClient({ region: REGION });
const cw = mockClient(client);

function instanceId(n: number): string {
  return `i-${n.toString(16).padStart(17, "0")}`;
}

function instance(n: number, overrides: Partial<Instance> = {}): Instance {
  return {
    instanceId: instanceId(n),
    region: REGION,
    instanceType: "c5.4xlarge",
    state: "running",
    launchTime: "2026-01-05T09:12:44.000Z",
    tags: {},
    ...overrides,
  };
}

function config(input: ConfigInput = {}): Config {
  return ConfigSchema.parse(input);
}

function awsError(name: string, message: string, status = 400): CloudWatchServiceException {
  return new CloudWatchServiceException({
    name,
    message,
    $fault: "client",
    $metadata: { httpStatusCode: status, requestId: "5f0c1a2b-0000-4000-8000-000000000000" },
  });
}

function hoursAfterStart(hours: number): Date {
  return new Date(RANGE_START.getTime() + hours * HOUR_MS);
}

/** A plausible answer: two hourly points per query, value derived from the query's position. */
function answerEveryQuery(input: GetMetricDataCommandInput): GetMetricDataCommandOutput {
  const results: MetricDataResult[] = (input.MetricDataQueries ?? []).map((q) => ({
    Id: q.Id,
    Label: q.MetricStat?.Metric?.MetricName,
    Timestamps: [hoursAfterStart(0), hoursAfterStart(1)],
    Values: [10, 20],
    StatusCode: "Complete",
  }));
  return { MetricDataResults: results, Messages: [], $metadata: {} };
}

function sentQueries(): MetricDataQuery[][] {
  return cw.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input.MetricDataQueries ?? []);
}

function findQueryId(predicate: (q: MetricDataQuery) => boolean): string {
  for (const queries of sentQueries()) {
    const found = queries.find(predicate);
    if (found?.Id) return found.Id;
  }
  throw new Error("query not sent");
}

beforeEach(() => {
  cw.reset();
  cw.on(ListMetricsCommand).resolves({ Metrics: [] });
});

describe("planMetricBatches", () => {
  it.each([
    { queries: 3000, points: 360, expected: [...Array(10).fill(280), 200] },
    { queries: 3000, points: 96, expected: Array(6).fill(500) },
    { queries: 501, points: 1, expected: [500, 1] },
    { queries: 0, points: 360, expected: [] },
    // Longer than the point cap: one query per call, the API pages it.
    { queries: 3, points: GET_METRIC_DATA_MAX_POINTS + 1, expected: [1, 1, 1] },
  ])("$queries queries of $points points -> $expected.length calls", ({ queries, points, expected }) => {
    const sizes = planMetricBatches(queries, points);
    expect(sizes).toEqual(expected);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(queries);
  });

  it.each([
    { points: 201, expected: 500 },
    { points: 202, expected: 499 },
    { points: 360, expected: 280 },
    { points: 1488, expected: 67 },
  ])("fits $expected queries of $points points in a call", ({ points, expected }) => {
    expect(maxQueriesPerCall(points)).toBe(expected);
    expect(expected * points).toBeLessThanOrEqual(GET_METRIC_DATA_MAX_POINTS);
  });

  it("rejects a non-positive point count", () => {
    expect(() => maxQueriesPerCall(0)).toThrow(RangeError);
  });
});

describe("metricTimeRange", () => {
  it("reads the baseline plus a day, aligned to whole hours", () => {
    const range = metricTimeRange(
      { start: new Date("2026-03-09T06:37:12Z"), end: new Date("2026-03-10T06:37:12Z") },
      14,
    );
    expect(range.start.toISOString()).toBe("2026-02-23T06:00:00.000Z");
    expect(range.end.toISOString()).toBe("2026-03-10T07:00:00.000Z");
    expect(range.points).toBe(361);
  });

  it("starts at the window when the window is longer than the baseline", () => {
    const range = metricTimeRange({ start: new Date("2026-02-01T10:30:00Z"), end: WINDOW_END }, 3);
    expect(range.start.toISOString()).toBe("2026-02-01T10:00:00.000Z");
    expect(range.points).toBe((WINDOW_END.getTime() - range.start.getTime()) / HOUR_MS);
  });
});

describe("alignToGrid and maxAcross", () => {
  it("puts points on their period and null elsewhere, ignoring points outside the range", () => {
    const start = new Date("2026-03-01T00:00:00Z");
    const at = (h: number) => new Date(start.getTime() + h * HOUR_MS);
    expect(alignToGrid([at(-1), at(0), at(2), at(4), at(5)], [1, 2, 3, 4, 5], start, 3600, 5)).toEqual([
      2,
      null,
      3,
      null,
      4,
    ]);
  });

  it("takes the busiest value per period, null only where all are null", () => {
    expect(
      maxAcross([
        [10, null, 30, null],
        [20, 5, null, null],
      ]),
    ).toEqual([20, 5, 30, null]);
  });
});

describe("collectMetrics", () => {
  it("makes no call for a region without instances", async () => {
    const coverage = new CoverageRecorder();
    const result = await collectMetrics({
      client,
      region: REGION,
      instances: [],
      window: WINDOW,
      config: config(),
      coverage,
    });
    expect(result).toEqual({ byInstance: {}, gpuAgentInstanceIds: [] });
    expect(cw.calls()).toHaveLength(0);
  });

  it("packs 1,000 instances x 3 metrics under the 100,800-point cap (280 queries of 360 points per call)", async () => {
    cw.on(GetMetricDataCommand).callsFake(answerEveryQuery);
    const instances = Array.from({ length: 1000 }, (_, n) => instance(n + 1));
    const coverage = new CoverageRecorder();

    const result = await collectMetrics({
      client,
      region: REGION,
      instances,
      window: WINDOW,
      config: config(),
      coverage,
    });

    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(Math.ceil(3000 / 280));
    const ids = new Set<string>();
    for (const call of calls) {
      const input = call.args[0].input;
      const queries = input.MetricDataQueries ?? [];
      expect(queries.length).toBeLessThanOrEqual(GET_METRIC_DATA_MAX_QUERIES);
      expect(queries.length * POINTS).toBeLessThanOrEqual(GET_METRIC_DATA_MAX_POINTS);
      expect(input.StartTime).toEqual(RANGE_START);
      expect(input.EndTime).toEqual(WINDOW_END);
      expect(input.ScanBy).toBe("TimestampAscending");
      for (const q of queries) {
        expect(q.Id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
        expect(q.MetricStat?.Period).toBe(3600);
        ids.add(q.Id ?? "");
      }
    }
    expect(ids.size).toBe(3000);
    expect(Object.keys(result.byInstance)).toHaveLength(1000);
    const first = result.byInstance[instanceId(1)];
    expect(first?.cpu).toMatchObject({ start: RANGE_START.toISOString(), periodSeconds: 3600, stat: "Average" });
    expect(first?.networkOut?.stat).toBe("Sum");
    expect(first?.networkPacketsOut?.values).toHaveLength(POINTS);
    expect(first?.cpu?.values.slice(0, 3)).toEqual([10, 20, null]);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ region: REGION, service: "cloudwatch", api: "GetMetricData", status: "ok" }),
    );
  });

  it("packs 1,000 instances x 3 metrics at the 500-query cap when series are short", async () => {
    cw.on(GetMetricDataCommand).callsFake(answerEveryQuery);
    const instances = Array.from({ length: 1000 }, (_, n) => instance(n + 1));
    const coverage = new CoverageRecorder();
    // A 3-day baseline: 4 days of hours = 96 points, so the point cap allows 1,050 and 500 binds.
    const cfg = config({ thresholds: { cpuBaselineDays: 3 } });

    await collectMetrics({ client, region: REGION, instances, window: WINDOW, config: cfg, coverage });

    const sizes = sentQueries().map((q) => q.length);
    expect(sizes).toEqual([500, 500, 500, 500, 500, 500]);
  });

  it("maps each query back to its instance and metric", async () => {
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const name = q.MetricStat?.Metric?.MetricName ?? "";
        const id = q.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? "";
        const value =
          (name === "CPUUtilization" ? 1 : name === "NetworkOut" ? 2 : 3) * Number.parseInt(id.slice(2), 16);
        return { Id: q.Id, Timestamps: [hoursAfterStart(0)], Values: [value], StatusCode: "Complete" };
      }),
    }));
    const coverage = new CoverageRecorder();
    const result = await collectMetrics({
      client,
      region: REGION,
      instances: [instance(7), instance(9)],
      window: WINDOW,
      config: config(),
      coverage,
    });
    expect(result.byInstance[instanceId(7)]?.cpu?.values[0]).toBe(7);
    expect(result.byInstance[instanceId(7)]?.networkOut?.values[0]).toBe(14);
    expect(result.byInstance[instanceId(9)]?.networkPacketsOut?.values[0]).toBe(27);
  });

  it("reads network series only for instances that earned a closer look, CPU for all", async () => {
    cw.on(GetMetricDataCommand).callsFake(answerEveryQuery);
    const instances = Array.from({ length: 1000 }, (_, n) => instance(n + 1));
    const closer = new Set([instanceId(3), instanceId(500)]);
    const coverage = new CoverageRecorder();

    const result = await collectMetrics({
      client,
      region: REGION,
      instances,
      window: WINDOW,
      config: config(),
      coverage,
      detailInstanceIds: closer,
    });

    const queries = sentQueries().flat();
    const byMetric = (name: string) => queries.filter((q) => q.MetricStat?.Metric?.MetricName === name);
    expect(byMetric("CPUUtilization")).toHaveLength(1000);
    expect(byMetric("NetworkOut").map((q) => q.MetricStat?.Metric?.Dimensions?.[0]?.Value)).toEqual([
      instanceId(3),
      instanceId(500),
    ]);
    expect(byMetric("NetworkPacketsOut")).toHaveLength(2);
    // 1,004 queries of 360 points: 4 calls instead of the 11 that three series per instance take.
    expect(sentQueries()).toHaveLength(Math.ceil(1004 / 280));
    expect(result.byInstance[instanceId(3)]?.networkOut?.values).toHaveLength(POINTS);
    expect(result.byInstance[instanceId(4)]?.cpu?.values).toHaveLength(POINTS);
    expect(result.byInstance[instanceId(4)]?.networkOut).toBeUndefined();
    const entry = coverage.entries.find((e) => e.api === "GetMetricData");
    expect(entry).toMatchObject({ status: "ok" });
    expect(entry?.message).toContain("NetworkOut and NetworkPacketsOut for the 2 that earned a closer look");
  });

  it("follows NextToken and concatenates a query's pages, with nulls for gaps", async () => {
    cw.on(GetMetricDataCommand)
      .callsFakeOnce((input: GetMetricDataCommandInput) => ({
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
          Id: q.Id,
          Timestamps: [hoursAfterStart(0), hoursAfterStart(2)],
          Values: [95.5, 97.25],
          StatusCode: "PartialData",
        })),
        NextToken: "eyJwYWdlIjoyfQ==",
      }))
      .callsFakeOnce((input: GetMetricDataCommandInput) => ({
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
          Id: q.Id,
          Timestamps: [hoursAfterStart(5), hoursAfterStart(POINTS - 1)],
          Values: [99, 98],
          StatusCode: "Complete",
        })),
      }));
    const coverage = new CoverageRecorder();

    const result = await collectMetrics({
      client,
      region: REGION,
      instances: [instance(1)],
      window: WINDOW,
      config: config(),
      coverage,
    });

    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input.NextToken).toBeUndefined();
    expect(calls[1]?.args[0].input.NextToken).toBe("eyJwYWdlIjoyfQ==");
    const values = result.byInstance[instanceId(1)]?.cpu?.values ?? [];
    expect(values).toHaveLength(POINTS);
    expect(values.slice(0, 6)).toEqual([95.5, null, 97.25, null, null, 99]);
    expect(values[POINTS - 1]).toBe(98);
    expect(values.filter((v) => v !== null)).toHaveLength(4);
    expect(coverage.entries.find((e) => e.api === "GetMetricData")?.status).toBe("ok");
  });

  it("keeps a series with no data point as all nulls (read, but nothing there)", async () => {
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
        Id: q.Id,
        Timestamps: [],
        Values: [],
        StatusCode: "Complete",
      })),
    }));
    const result = await collectMetrics({
      client,
      region: REGION,
      instances: [instance(1, { state: "stopped" })],
      window: WINDOW,
      config: config(),
      coverage: new CoverageRecorder(),
    });
    const values = result.byInstance[instanceId(1)]?.cpu?.values ?? [];
    expect(values).toHaveLength(POINTS);
    expect(values.every((v) => v === null)).toBe(true);
  });

  describe("GPU utilization from the CloudWatch agent", () => {
    const gpuMetric = (id: string, index: string, namespace = "CWAgent"): Metric => ({
      Namespace: namespace,
      MetricName: GPU_METRIC_NAME,
      Dimensions: [
        { Name: "InstanceId", Value: id },
        { Name: "index", Value: index },
        { Name: "name", Value: "NVIDIA A10G" },
        { Name: "arch", Value: "Ampere" },
        { Name: "uuid", Value: `GPU-4b5c6d7e-${index}` },
      ],
    });

    it("finds the metric over pages, queries every GPU and keeps the busiest per hour", async () => {
      const withGpus = instanceId(1);
      cw.on(ListMetricsCommand)
        .resolvesOnce({
          Metrics: [gpuMetric(withGpus, "0"), gpuMetric("i-0ffffffffffffffff", "0")],
          NextToken: "list-page-2",
        })
        .resolvesOnce({
          Metrics: [
            gpuMetric(withGpus, "1"),
            // Agent config without append_dimensions: no InstanceId, cannot be attributed.
            { Namespace: "CWAgent", MetricName: GPU_METRIC_NAME, Dimensions: [{ Name: "index", Value: "0" }] },
          ],
        });
      cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
          const gpuIndex = q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === "index")?.Value;
          const values = gpuIndex === "0" ? [90, 10, null] : gpuIndex === "1" ? [40, 85, null] : [5, 5, 5];
          return {
            Id: q.Id,
            Timestamps: [hoursAfterStart(0), hoursAfterStart(1), hoursAfterStart(2)].filter(
              (_, i) => values[i] !== null,
            ),
            Values: values.filter((v): v is number => v !== null),
            StatusCode: "Complete",
          };
        }),
      }));
      const coverage = new CoverageRecorder();

      const result = await collectMetrics({
        client,
        region: REGION,
        instances: [instance(1, { instanceType: "g5.12xlarge" }), instance(2)],
        window: WINDOW,
        config: config(),
        coverage,
      });

      expect(cw.commandCalls(ListMetricsCommand)).toHaveLength(2);
      expect(cw.commandCalls(ListMetricsCommand)[1]?.args[0].input).toMatchObject({
        Namespace: "CWAgent",
        MetricName: GPU_METRIC_NAME,
        NextToken: "list-page-2",
      });
      expect(result.gpuAgentInstanceIds).toEqual([withGpus]);
      // Both GPU queries in the same single call as the six EC2 queries, each with all dimensions.
      const [queries] = sentQueries();
      expect(sentQueries()).toHaveLength(1);
      expect(queries).toHaveLength(8);
      const gpuQueries = (queries ?? []).filter((q) => q.MetricStat?.Metric?.MetricName === GPU_METRIC_NAME);
      expect(gpuQueries.map((q) => q.MetricStat?.Metric?.Dimensions)).toEqual([
        gpuMetric(withGpus, "0").Dimensions,
        gpuMetric(withGpus, "1").Dimensions,
      ]);
      expect(gpuQueries.every((q) => q.MetricStat?.Metric?.Namespace === "CWAgent")).toBe(true);

      const gpu = result.byInstance[withGpus]?.gpu;
      expect(gpu).toMatchObject({ start: RANGE_START.toISOString(), periodSeconds: 3600, stat: "Average" });
      expect(gpu?.values.slice(0, 4)).toEqual([90, 85, null, null]);
      expect(result.byInstance[instanceId(2)]?.gpu).toBeUndefined();

      const missing = coverage.entries.find((e) => e.api === GPU_METRIC_NAME);
      expect(missing).toMatchObject({
        region: REGION,
        service: "cloudwatch",
        status: "skipped",
        reason: "agent-missing",
      });
      expect(missing?.message).toContain("1 of 2 instances");
      expect(missing?.message).toContain(instanceId(2));
      expect(missing?.message).toContain("1 series have no InstanceId");
      expect(coverage.entries).toContainEqual(
        expect.objectContaining({ api: "ListMetrics", status: "ok", service: "cloudwatch" }),
      );
    });

    it("searches the configured namespace", async () => {
      cw.on(ListMetricsCommand).resolves({ Metrics: [gpuMetric(instanceId(1), "0", "Custom/GPU")] });
      cw.on(GetMetricDataCommand).callsFake(answerEveryQuery);
      const result = await collectMetrics({
        client,
        region: REGION,
        instances: [instance(1)],
        window: WINDOW,
        config: config({ gpuMetricNamespace: "Custom/GPU" }),
        coverage: new CoverageRecorder(),
      });
      expect(cw).toHaveReceivedCommandWith(ListMetricsCommand, { Namespace: "Custom/GPU" });
      expect(result.gpuAgentInstanceIds).toEqual([instanceId(1)]);
      expect(findQueryId((q) => q.MetricStat?.Metric?.Namespace === "Custom/GPU")).toMatch(/^q/);
    });

    it("records agent-missing for the region when no instance reports the metric", async () => {
      cw.on(GetMetricDataCommand).callsFake(answerEveryQuery);
      const coverage = new CoverageRecorder();
      const result = await collectMetrics({
        client,
        region: REGION,
        instances: [instance(1, { instanceType: "p3.8xlarge" }), instance(2), instance(3)],
        window: WINDOW,
        config: config(),
        coverage,
      });
      expect(result.gpuAgentInstanceIds).toEqual([]);
      expect(coverage.entries).toContainEqual({
        region: REGION,
        service: "cloudwatch",
        api: GPU_METRIC_NAME,
        status: "skipped",
        reason: "agent-missing",
        message: expect.stringContaining("3 of 3 instances report no nvidia_smi_utilization_gpu in CWAgent"),
      });
    });

    it("does not claim the agent is missing when ListMetrics was denied, and still reads EC2 metrics", async () => {
      cw.on(ListMetricsCommand).rejects(
        awsError(
          "AccessDenied",
          "User: arn:aws:iam::123456789012:role/minewatch is not authorized to perform: cloudwatch:ListMetrics",
          403,
        ),
      );
      cw.on(GetMetricDataCommand).callsFake(answerEveryQuery);
      const coverage = new CoverageRecorder();
      const result = await collectMetrics({
        client,
        region: REGION,
        instances: [instance(1)],
        window: WINDOW,
        config: config(),
        coverage,
      });
      expect(coverage.entries).toContainEqual(
        expect.objectContaining({ api: "ListMetrics", status: "failed", reason: "access-denied" }),
      );
      expect(coverage.entries.some((e) => e.reason === "agent-missing")).toBe(false);
      expect(result.byInstance[instanceId(1)]?.cpu).toBeDefined();
    });
  });

  describe("failures", () => {
    it("records AccessDenied on GetMetricData as failed/access-denied and stops sending more calls", async () => {
      cw.on(GetMetricDataCommand).rejects(
        awsError(
          "AccessDenied",
          "User: arn:aws:sts::123456789012:assumed-role/minewatch/audit is not authorized to perform: cloudwatch:GetMetricData",
          403,
        ),
      );
      const instances = Array.from({ length: 1000 }, (_, n) => instance(n + 1));
      const coverage = new CoverageRecorder();

      const result = await collectMetrics({
        client,
        region: REGION,
        instances,
        window: WINDOW,
        config: config(),
        coverage,
      });

      expect(result.byInstance).toEqual({});
      // 11 batches planned; only those already in flight when the denial arrived were sent.
      expect(cw.commandCalls(GetMetricDataCommand).length).toBeLessThan(11);
      const entry = coverage.entries.find((e) => e.api === "GetMetricData");
      expect(entry).toMatchObject({ region: REGION, service: "cloudwatch", status: "failed", reason: "access-denied" });
      expect(entry?.message).toContain("cloudwatch:GetMetricData");
    });

    it("loses only the failed batch and records partial coverage", async () => {
      const unlucky = instanceId(300); // queries 897..899: the fourth batch of 280
      cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
        const queries = input.MetricDataQueries ?? [];
        if (queries.some((q) => q.MetricStat?.Metric?.Dimensions?.[0]?.Value === unlucky)) {
          throw awsError("Throttling", "Rate exceeded");
        }
        return answerEveryQuery(input);
      });
      const instances = Array.from({ length: 1000 }, (_, n) => instance(n + 1));
      const coverage = new CoverageRecorder();

      const result = await collectMetrics({
        client,
        region: REGION,
        instances,
        window: WINDOW,
        config: config(),
        coverage,
      });

      expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(11);
      expect(result.byInstance[unlucky]).toBeUndefined();
      expect(result.byInstance[instanceId(1)]?.cpu).toBeDefined();
      expect(result.byInstance[instanceId(1000)]?.cpu).toBeDefined();
      // Instances 281..373 had all their queries in the lost batch (840..1119); 374 only its CPU.
      expect(Object.keys(result.byInstance)).toHaveLength(1000 - 93);
      expect(result.byInstance[instanceId(374)]?.cpu).toBeUndefined();
      expect(result.byInstance[instanceId(374)]?.networkOut).toBeDefined();
      const entry = coverage.entries.find((e) => e.api === "GetMetricData");
      expect(entry).toMatchObject({ status: "partial", reason: "throttled" });
      expect(entry?.message).toContain("1 of 11 calls failed; 94 of 1000 instances lack some metrics");
    });

    it("drops a series CloudWatch answered Forbidden and says so", async () => {
      cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
        MetricDataResults: (input.MetricDataQueries ?? []).map((q, i) =>
          i === 0
            ? { Id: q.Id, Timestamps: [], Values: [], StatusCode: "Forbidden" }
            : { Id: q.Id, Timestamps: [hoursAfterStart(0)], Values: [1], StatusCode: "Complete" },
        ),
      }));
      const coverage = new CoverageRecorder();
      const result = await collectMetrics({
        client,
        region: REGION,
        instances: [instance(1)],
        window: WINDOW,
        config: config(),
        coverage,
      });
      expect(result.byInstance[instanceId(1)]?.cpu).toBeUndefined();
      expect(result.byInstance[instanceId(1)]?.networkOut?.values[0]).toBe(1);
      expect(coverage.entries.find((e) => e.api === "GetMetricData")).toMatchObject({
        status: "partial",
        reason: "access-denied",
      });
    });
  });
});
