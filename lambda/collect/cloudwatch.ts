/**
 * CloudWatch metrics for one region's instances: CPU and network out from AWS/EC2 and, where the
 * CloudWatch agent reports it, GPU utilization.
 *
 * Cost and scale drive the shape of this module. At 10,000 instances one call per instance would
 * mean 30,000 calls per region; instead every series of the region is packed into as few
 * GetMetricData calls as the API's two limits allow (500 queries and 100,800 data points per call).
 * A failed call loses only the instances in its batch, and the coverage entry says so.
 */
import {
  type CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
  type MetricStat,
  paginateListMetrics,
} from "@aws-sdk/client-cloudwatch";
import pLimit from "p-limit";
import type { Config } from "../core/config.js";
import type { CoverageReason, Instance, InstanceMetrics, Series } from "../core/snapshot.js";
import { type CoverageRecorder, classifyAwsError } from "./coverage.js";

/** GetMetricData service limits (per call). */
export const GET_METRIC_DATA_MAX_QUERIES = 500;
export const GET_METRIC_DATA_MAX_POINTS = 100_800;

/**
 * Hourly: basic monitoring is 5-minute, so periods must be multiples of 300 s, and an hour keeps a
 * 15-day history at 360 points per series (280 series per call) while still showing a shape change.
 */
export const METRIC_PERIOD_SECONDS = 3600;
export const GPU_METRIC_NAME = "nvidia_smi_utilization_gpu";

/**
 * Parallel GetMetricData calls per region: far under the API's default 50 TPS. Memory, not the
 * rate limit, sets it: each answer in flight holds up to 100,800 points (a Date and a number each),
 * several MB, and collectAccount runs REGION_CONCURRENCY regions' metrics at once.
 */
const CONCURRENT_CALLS = 2;
/** A guard against a NextToken that never ends; a real batch within the caps needs one page. */
const MAX_PAGES_PER_CALL = 50;
const SERVICE = "cloudwatch";
const DAY_MS = 24 * 3600 * 1000;

type SeriesKey = keyof InstanceMetrics;
type Stat = Series["stat"];

const EC2_METRICS: ReadonlyArray<{
  key: Exclude<SeriesKey, "gpu">;
  metricName: string;
  stat: Stat;
  /** Read only for instances that earned a closer look (see detailInstanceIds). */
  detail: boolean;
}> = [
  { key: "cpu", metricName: "CPUUtilization", stat: "Average", detail: false },
  { key: "networkOut", metricName: "NetworkOut", stat: "Sum", detail: true },
  { key: "networkPacketsOut", metricName: "NetworkPacketsOut", stat: "Sum", detail: true },
];

export interface CollectMetricsInput {
  client: CloudWatchClient;
  region: string;
  /** Running and stopped instances of this region. */
  instances: Instance[];
  window: { start: Date; end: Date };
  config: Config;
  coverage: CoverageRecorder;
  /**
   * Instances that earned a closer look (the EC2 collector's user-data candidates: GPU, large,
   * recently launched or in a new region). Only they get NetworkOut and NetworkPacketsOut; every
   * instance gets CPU (and GPU where the agent reports it), which is what the rules read. Network
   * for all instances when absent. At 10,000 instances this is most of the bill and of the memory:
   * three series per instance become one.
   */
  detailInstanceIds?: ReadonlySet<string>;
}

export interface CollectedMetrics {
  byInstance: Record<string, InstanceMetrics>;
  gpuAgentInstanceIds: string[];
}

/** How many queries fit in one GetMetricData call when each returns `pointsPerQuery` points. */
export function maxQueriesPerCall(pointsPerQuery: number): number {
  if (!Number.isInteger(pointsPerQuery) || pointsPerQuery < 1) {
    throw new RangeError(`points per query must be a positive integer, got ${pointsPerQuery}`);
  }
  // A single query longer than the point cap still goes alone: the API pages it with NextToken.
  const byPoints = Math.max(1, Math.floor(GET_METRIC_DATA_MAX_POINTS / pointsPerQuery));
  return Math.min(GET_METRIC_DATA_MAX_QUERIES, byPoints);
}

/** Sizes of the GetMetricData calls needed for `queryCount` queries, each call filled to the cap. */
export function planMetricBatches(queryCount: number, pointsPerQuery: number): number[] {
  const perCall = maxQueriesPerCall(pointsPerQuery);
  const sizes: number[] = [];
  for (let left = queryCount; left > 0; left -= perCall) sizes.push(Math.min(perCall, left));
  return sizes;
}

/**
 * The period-aligned time range read: the CPU baseline plus a day of margin (or the audit window if
 * it starts earlier) up to the end of the window, rounded out to whole periods. The last period may
 * be still in progress; its Sum is then lower than a full hour's.
 */
export function metricTimeRange(
  window: { start: Date; end: Date },
  baselineDays: number,
  periodSeconds: number = METRIC_PERIOD_SECONDS,
): { start: Date; end: Date; points: number } {
  const periodMs = periodSeconds * 1000;
  const historyStart = window.end.getTime() - (baselineDays + 1) * DAY_MS;
  const startMs = Math.floor(Math.min(historyStart, window.start.getTime()) / periodMs) * periodMs;
  const endMs = Math.max(startMs + periodMs, Math.ceil(window.end.getTime() / periodMs) * periodMs);
  return { start: new Date(startMs), end: new Date(endMs), points: (endMs - startMs) / periodMs };
}

/** Places data points on the period grid; a period without a point stays null. */
export function alignToGrid(
  timestamps: readonly Date[],
  values: readonly number[],
  start: Date,
  periodSeconds: number,
  points: number,
): (number | null)[] {
  const grid: (number | null)[] = new Array<number | null>(points).fill(null);
  const periodMs = periodSeconds * 1000;
  timestamps.forEach((timestamp, i) => {
    const value = values[i];
    if (value === undefined || !Number.isFinite(value)) return;
    const slot = Math.round((timestamp.getTime() - start.getTime()) / periodMs);
    if (slot >= 0 && slot < points) grid[slot] = value;
  });
  return grid;
}

/** Element-wise maximum; null only where every input is null (the busiest GPU per period). */
export function maxAcross(series: readonly (readonly (number | null)[])[]): (number | null)[] {
  const length = Math.max(0, ...series.map((s) => s.length));
  return Array.from({ length }, (_, i) => {
    let max: number | null = null;
    for (const s of series) {
      const value = s[i];
      if (value !== null && value !== undefined && (max === null || value > max)) max = value;
    }
    return max;
  });
}

interface PlannedQuery {
  instanceId: string;
  key: SeriesKey;
  stat: Stat;
  query: MetricDataQuery;
}

interface GpuMetric {
  instanceId: string;
  dimensions: Dimension[];
}

interface GpuDiscovery {
  metrics: GpuMetric[];
  /** False when ListMetrics failed part-way: absence of the metric then proves nothing. */
  complete: boolean;
  /** Series without an InstanceId dimension: the agent config does not append it. */
  unattributed: number;
}

export async function collectMetrics(input: CollectMetricsInput): Promise<CollectedMetrics> {
  const { client, region, instances, window, config, coverage } = input;
  if (instances.length === 0) return { byInstance: {}, gpuAgentInstanceIds: [] };

  const instanceIds = new Set(instances.map((i) => i.instanceId));
  const gpu = await discoverGpuMetrics(client, region, config.gpuMetricNamespace, instanceIds, coverage);
  const gpuAgentInstanceIds = orderedAsInstances(instances, new Set(gpu.metrics.map((m) => m.instanceId)));
  if (gpu.complete) reportMissingGpuAgent(region, instances, gpuAgentInstanceIds, config, gpu, coverage);

  const range = metricTimeRange(window, config.thresholds.cpuBaselineDays);
  const queries = planQueries(instances, gpu.metrics, config.gpuMetricNamespace, input.detailInstanceIds);
  const results = await fetchAll(client, region, queries, range, coverage);

  return { byInstance: assembleSeries(queries, results, range), gpuAgentInstanceIds };
}

async function discoverGpuMetrics(
  client: CloudWatchClient,
  region: string,
  namespace: string,
  instanceIds: ReadonlySet<string>,
  coverage: CoverageRecorder,
): Promise<GpuDiscovery> {
  const metrics: GpuMetric[] = [];
  let unattributed = 0;
  let pages = 0;
  try {
    // No dimension filter: the agent adds index, name, uuid... and we want to count series that lack
    // InstanceId too, since they make GPU use invisible per instance.
    for await (const page of paginateListMetrics({ client }, { Namespace: namespace, MetricName: GPU_METRIC_NAME })) {
      pages += 1;
      for (const metric of page.Metrics ?? []) {
        const dimensions = metric.Dimensions ?? [];
        const instanceId = dimensions.find((d) => d.Name === "InstanceId")?.Value;
        if (instanceId === undefined) unattributed += 1;
        else if (instanceIds.has(instanceId)) metrics.push({ instanceId, dimensions });
      }
    }
  } catch (error) {
    if (pages === 0) {
      coverage.failed(region, SERVICE, "ListMetrics", error);
    } else {
      const { reason, message } = classifyAwsError(error);
      coverage.partial(region, SERVICE, "ListMetrics", reason, `stopped after ${pages} pages: ${message}`);
    }
    return { metrics, complete: false, unattributed };
  }
  const found = new Set(metrics.map((m) => m.instanceId)).size;
  coverage.ok(region, SERVICE, "ListMetrics", `${GPU_METRIC_NAME} in ${namespace}: ${found} instances`);
  return { metrics, complete: true, unattributed };
}

function reportMissingGpuAgent(
  region: string,
  instances: readonly Instance[],
  gpuAgentInstanceIds: readonly string[],
  config: Config,
  gpu: GpuDiscovery,
  coverage: CoverageRecorder,
): void {
  const withAgent = new Set(gpuAgentInstanceIds);
  const missing = instances.filter((i) => !withAgent.has(i.instanceId)).map((i) => i.instanceId);
  if (missing.length === 0) return;
  const examples = missing.slice(0, 5).join(", ") + (missing.length > 5 ? ", ..." : "");
  const unattributed =
    gpu.unattributed > 0
      ? ` ${gpu.unattributed} series have no InstanceId dimension (the agent config does not append it).`
      : "";
  coverage.skipped(
    region,
    SERVICE,
    GPU_METRIC_NAME,
    "agent-missing",
    `${missing.length} of ${instances.length} instances report no ${GPU_METRIC_NAME} in ${config.gpuMetricNamespace}` +
      ` (${examples}); GPU utilization is unknown for any of them that has GPUs.${unattributed}`,
  );
}

/**
 * CPU for every instance, network for those with a closer look, then one query per GPU series,
 * each with its full dimension set.
 */
function planQueries(
  instances: readonly Instance[],
  gpuMetrics: readonly GpuMetric[],
  gpuNamespace: string,
  detailInstanceIds: ReadonlySet<string> | undefined,
): PlannedQuery[] {
  const gpuByInstance = new Map<string, GpuMetric[]>();
  for (const metric of gpuMetrics) {
    const list = gpuByInstance.get(metric.instanceId) ?? [];
    list.push(metric);
    gpuByInstance.set(metric.instanceId, list);
  }
  const planned: (Omit<PlannedQuery, "query"> & { metric: MetricStat })[] = [];
  for (const instance of instances) {
    const detail = detailInstanceIds === undefined || detailInstanceIds.has(instance.instanceId);
    for (const m of EC2_METRICS) {
      if (m.detail && !detail) continue;
      planned.push({
        instanceId: instance.instanceId,
        key: m.key,
        stat: m.stat,
        metric: {
          Metric: {
            Namespace: "AWS/EC2",
            MetricName: m.metricName,
            Dimensions: [{ Name: "InstanceId", Value: instance.instanceId }],
          },
          Period: METRIC_PERIOD_SECONDS,
          Stat: m.stat,
        },
      });
    }
    for (const gpu of gpuByInstance.get(instance.instanceId) ?? []) {
      planned.push({
        instanceId: instance.instanceId,
        key: "gpu",
        stat: "Average",
        metric: {
          Metric: { Namespace: gpuNamespace, MetricName: GPU_METRIC_NAME, Dimensions: gpu.dimensions },
          Period: METRIC_PERIOD_SECONDS,
          Stat: "Average",
        },
      });
    }
  }
  // Ids must match ^[a-z][a-zA-Z0-9_]*$; the position in the plan maps a result back.
  return planned.map(({ metric, ...rest }, index) => ({
    ...rest,
    query: { Id: `q${index}`, MetricStat: metric, ReturnData: true },
  }));
}

interface FetchOutcome {
  /**
   * Values by query Id, already on the period grid: each batch's raw timestamps are dropped as soon
   * as it arrives, so a region of thousands of instances never holds every Date object at once.
   */
  byId: Map<string, (number | null)[]>;
  calls: number;
  failedCalls: number;
  firstFailure?: unknown;
  /** Query Ids whose data CloudWatch marked incomplete (Forbidden, InternalError, PartialData). */
  incomplete: Map<string, string>;
}

async function fetchAll(
  client: CloudWatchClient,
  region: string,
  queries: readonly PlannedQuery[],
  range: { start: Date; end: Date; points: number },
  coverage: CoverageRecorder,
): Promise<FetchOutcome> {
  const batches: PlannedQuery[][] = [];
  let offset = 0;
  for (const size of planMetricBatches(queries.length, range.points)) {
    batches.push(queries.slice(offset, offset + size));
    offset += size;
  }

  const outcome: FetchOutcome = { byId: new Map(), calls: batches.length, failedCalls: 0, incomplete: new Map() };
  const lostInstances = new Set<string>();
  // Once access is denied every later call would be denied too: stop sending them.
  let denied: unknown;
  const limit = pLimit(CONCURRENT_CALLS);
  await Promise.all(
    batches.map((batch) =>
      limit(async () => {
        try {
          if (denied !== undefined) throw denied;
          const data = await fetchBatch(client, batch, range);
          for (const [id, series] of data.byId) {
            outcome.byId.set(
              id,
              alignToGrid(series.timestamps, series.values, range.start, METRIC_PERIOD_SECONDS, range.points),
            );
          }
          for (const [id, status] of data.incomplete) outcome.incomplete.set(id, status);
        } catch (error) {
          outcome.failedCalls += 1;
          outcome.firstFailure ??= error;
          if (classifyAwsError(error).reason === "access-denied") denied ??= error;
          for (const q of batch) lostInstances.add(q.instanceId);
        }
      }),
    ),
  );

  recordFetchCoverage(region, queries, outcome, lostInstances, coverage);
  return outcome;
}

interface BatchData {
  byId: Map<string, { timestamps: Date[]; values: number[] }>;
  incomplete: Map<string, string>;
}

/** One GetMetricData call, all its pages; throws if any page fails so the batch is lost whole. */
async function fetchBatch(
  client: CloudWatchClient,
  batch: readonly PlannedQuery[],
  range: { start: Date; end: Date },
): Promise<BatchData> {
  const data: BatchData = { byId: new Map(), incomplete: new Map() };
  const statusById = new Map<string, string>();
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const response = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: batch.map((q) => q.query),
        StartTime: range.start,
        EndTime: range.end,
        ScanBy: "TimestampAscending",
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    pages += 1;
    for (const result of response.MetricDataResults ?? []) appendResult(result, data, statusById);
    nextToken = response.NextToken;
  } while (nextToken && pages < MAX_PAGES_PER_CALL);

  for (const [id, status] of statusById) {
    if (status === "Complete") continue;
    data.incomplete.set(id, status);
    // Forbidden or InternalError: the series was not read, so an all-null array would lie.
    if (status !== "PartialData") data.byId.delete(id);
  }
  if (nextToken) {
    for (const q of batch) data.incomplete.set(q.query.Id ?? "", `more than ${MAX_PAGES_PER_CALL} pages`);
  }
  return data;
}

function appendResult(result: MetricDataResult, data: BatchData, statusById: Map<string, string>): void {
  if (!result.Id) return;
  const entry = data.byId.get(result.Id) ?? { timestamps: [], values: [] };
  entry.timestamps.push(...(result.Timestamps ?? []));
  entry.values.push(...(result.Values ?? []));
  data.byId.set(result.Id, entry);
  // The last page's status for a query is its final word (PartialData means "see the next page").
  if (result.StatusCode) statusById.set(result.Id, result.StatusCode);
}

function recordFetchCoverage(
  region: string,
  queries: readonly PlannedQuery[],
  outcome: FetchOutcome,
  lostInstances: ReadonlySet<string>,
  coverage: CoverageRecorder,
): void {
  const api = "GetMetricData";
  const instanceCount = new Set(queries.map((q) => q.instanceId)).size;
  if (outcome.failedCalls > 0 && outcome.failedCalls === outcome.calls) {
    coverage.failed(region, SERVICE, api, outcome.firstFailure);
    return;
  }
  if (outcome.failedCalls > 0) {
    const { reason, message } = classifyAwsError(outcome.firstFailure);
    coverage.partial(
      region,
      SERVICE,
      api,
      reason,
      `${outcome.failedCalls} of ${outcome.calls} calls failed; ${lostInstances.size} of ${instanceCount} instances lack some metrics: ${message}`,
    );
    return;
  }
  if (outcome.incomplete.size > 0) {
    const statuses = [...new Set(outcome.incomplete.values())];
    const reason: CoverageReason = statuses.includes("Forbidden") ? "access-denied" : "error";
    coverage.partial(
      region,
      SERVICE,
      api,
      reason,
      `${outcome.incomplete.size} of ${queries.length} series incomplete (${statuses.join(", ")})`,
    );
    return;
  }
  const withNetwork = new Set(queries.filter((q) => q.key === "networkOut").map((q) => q.instanceId)).size;
  const scope =
    withNetwork < instanceCount
      ? ` (CPU for all; NetworkOut and NetworkPacketsOut for the ${withNetwork} that earned a closer look)`
      : "";
  coverage.ok(
    region,
    SERVICE,
    api,
    `${queries.length} series for ${instanceCount} instances in ${outcome.calls} calls${scope}`,
  );
}

/** One compact series per metric per instance; GPU series merged as the busiest GPU per period. */
function assembleSeries(
  queries: readonly PlannedQuery[],
  outcome: FetchOutcome,
  range: { start: Date; points: number },
): Record<string, InstanceMetrics> {
  const byInstance: Record<string, InstanceMetrics> = {};
  const gpuValues = new Map<string, (number | null)[][]>();
  const start = range.start.toISOString();
  for (const q of queries) {
    const values = outcome.byId.get(q.query.Id ?? "");
    // No result at all means the call failed: leave the series absent, the coverage entry says why.
    if (!values) continue;
    if (q.key === "gpu") {
      const list = gpuValues.get(q.instanceId) ?? [];
      list.push(values);
      gpuValues.set(q.instanceId, list);
      continue;
    }
    const metrics = byInstance[q.instanceId] ?? {};
    byInstance[q.instanceId] = metrics;
    metrics[q.key] = { start, periodSeconds: METRIC_PERIOD_SECONDS, stat: q.stat, values };
  }
  for (const [instanceId, series] of gpuValues) {
    const metrics = byInstance[instanceId] ?? {};
    byInstance[instanceId] = metrics;
    metrics.gpu = { start, periodSeconds: METRIC_PERIOD_SECONDS, stat: "Average", values: maxAcross(series) };
  }
  return byInstance;
}

function orderedAsInstances(instances: readonly Instance[], ids: ReadonlySet<string>): string[] {
  return instances.map((i) => i.instanceId).filter((id) => ids.has(id));
}
