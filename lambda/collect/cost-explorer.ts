/**
 * Cost Explorer: 90 days of daily unblended cost (by region, by service, EC2 compute by instance
 * type) and the account's cost anomalies.
 *
 * Every Cost Explorer request costs $0.01, pages included, so each query is read once, page by page,
 * and never refetched. Cost Explorer is account-wide: coverage entries use the region "global".
 */
import {
  type Anomaly,
  type CostExplorerClient,
  type Expression,
  GetAnomaliesCommand,
  GetCostAndUsageCommand,
  type GroupDefinition,
  type ResultByTime,
} from "@aws-sdk/client-cost-explorer";
import type { Config } from "../core/config.js";
import type { CostAnomaly, Costs } from "../core/snapshot.js";
import { type CoverageRecorder, classifyAwsError } from "./coverage.js";

export const COMPUTE_SERVICE = "Amazon Elastic Compute Cloud - Compute";
/** Days of cost history read before the window's end: the baseline new spend is compared with. */
export const COST_BASELINE_DAYS = 90;
/** Anomalies are detected hours to a day after the spend: look back further than the window. */
export const ANOMALY_LOOKBACK_DAYS = 3;
/** A guard against a NextPageToken that never ends (each page is billed). */
const MAX_PAGES = 25;
const METRIC = "UnblendedCost";
const REGION = "global";
const SERVICE = "ce";
const DAY_MS = 24 * 3600 * 1000;

export interface CollectCostsInput {
  client: CostExplorerClient;
  window: { start: Date; end: Date };
  config: Config;
  coverage: CoverageRecorder;
}

export interface CollectedCosts {
  costs?: Costs;
  costAnomalies: CostAnomaly[];
}

type CostGrouping = "byRegion" | "byService" | "byInstanceType";

const COST_QUERIES: ReadonlyArray<{ field: CostGrouping; groupBy: GroupDefinition; filter?: Expression }> = [
  { field: "byRegion", groupBy: { Type: "DIMENSION", Key: "REGION" } },
  { field: "byService", groupBy: { Type: "DIMENSION", Key: "SERVICE" } },
  {
    field: "byInstanceType",
    groupBy: { Type: "DIMENSION", Key: "INSTANCE_TYPE" },
    filter: { Dimensions: { Key: "SERVICE", Values: [COMPUTE_SERVICE] } },
  },
];

/** YYYY-MM-DD of a time, in UTC. */
export function utcDate(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/**
 * The cost period: 90 days before the window's end up to and including its day. End is exclusive,
 * so it is the next day, which is at most the first of the next month (Cost Explorer rejects an End
 * past that with "end date past the beginning of next month").
 */
export function costTimePeriod(windowEnd: Date): { start: string; end: string; days: string[] } {
  const endDay = Date.parse(utcDate(windowEnd));
  const startDay = endDay - COST_BASELINE_DAYS * DAY_MS;
  const days: string[] = [];
  for (let day = startDay; day <= endDay; day += DAY_MS) days.push(utcDate(new Date(day)));
  return { start: utcDate(new Date(startDay)), end: utcDate(new Date(endDay + DAY_MS)), days };
}

export async function collectCosts(input: CollectCostsInput): Promise<CollectedCosts> {
  const { client, window, coverage } = input;
  const costs = await collectDailyCosts(client, window.end, coverage);
  const costAnomalies = await collectAnomalies(client, window, coverage);
  return { ...(costs ? { costs } : {}), costAnomalies };
}

/**
 * Reads Cost Explorer pages (NextPageToken) until the last one or `maxPages`; on failure keeps
 * what was read and says how far it got. Shared with the organization's payer read.
 */
export async function readPages<Page extends { NextPageToken?: string | undefined }>(
  fetchPage: (token: string | undefined) => Promise<Page>,
  maxPages: number = MAX_PAGES,
): Promise<{ pages: Page[]; error?: unknown; truncated: boolean }> {
  const pages: Page[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await fetchPage(token);
      pages.push(page);
      token = page.NextPageToken;
    } while (token && pages.length < maxPages);
  } catch (error) {
    return { pages, error, truncated: true };
  }
  return { pages, truncated: token !== undefined };
}

function recordPagedCoverage(
  coverage: CoverageRecorder,
  api: string,
  what: string,
  read: { pages: unknown[]; error?: unknown; truncated: boolean },
): void {
  if (read.error !== undefined && read.pages.length === 0) {
    coverage.failed(REGION, SERVICE, api, withContext(read.error, what));
  } else if (read.error !== undefined) {
    const { reason, message } = classifyAwsError(read.error);
    coverage.partial(REGION, SERVICE, api, reason, `${what}: stopped after ${read.pages.length} pages: ${message}`);
  } else if (read.truncated) {
    coverage.partial(REGION, SERVICE, api, "error", `${what}: stopped at the ${MAX_PAGES}-page limit`);
  } else {
    coverage.ok(REGION, SERVICE, api, `${what}: ${read.pages.length} pages`);
  }
}

/** Prefixes an error's message with what was being read, keeping its name for classification. */
function withContext(error: unknown, what: string): unknown {
  if (!(error instanceof Error)) return error;
  return Object.assign(new Error(`${what}: ${error.message}`), { name: error.name });
}

async function collectDailyCosts(
  client: CostExplorerClient,
  windowEnd: Date,
  coverage: CoverageRecorder,
): Promise<Costs | undefined> {
  const period = costTimePeriod(windowEnd);
  const costs: Costs = { currency: "USD", days: period.days, byRegion: {}, byService: {}, byInstanceType: {} };
  const dayIndex = new Map(period.days.map((day, i) => [day, i]));
  let currency: string | undefined;
  let anyRead = false;

  for (const query of COST_QUERIES) {
    const read = await readPages((token) =>
      client.send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: period.start, End: period.end },
          Granularity: "DAILY",
          Metrics: [METRIC],
          GroupBy: [query.groupBy],
          ...(query.filter ? { Filter: query.filter } : {}),
          ...(token ? { NextPageToken: token } : {}),
        }),
      ),
    );
    recordPagedCoverage(coverage, "GetCostAndUsage", `daily cost by ${query.groupBy.Key}`, read);
    if (read.pages.length > 0) anyRead = true;
    for (const page of read.pages) {
      for (const result of page.ResultsByTime ?? []) {
        const unit = addResult(result, dayIndex, costs[query.field]);
        currency ??= unit;
      }
    }
  }
  if (!anyRead) return undefined;
  if (currency) costs.currency = currency;
  return costs;
}

/**
 * Adds one day's groups to the per-group arrays. Adds rather than sets: with GroupBy, a later page
 * may carry more groups for a day already seen. Returns the currency unit if one was seen.
 */
function addResult(
  result: ResultByTime,
  dayIndex: ReadonlyMap<string, number>,
  byGroup: Record<string, number[]>,
): string | undefined {
  const day = result.TimePeriod?.Start?.slice(0, 10);
  const slot = day === undefined ? undefined : dayIndex.get(day);
  if (slot === undefined) return undefined;
  let unit: string | undefined;
  for (const group of result.Groups ?? []) {
    const name = group.Keys?.[0];
    const metric = group.Metrics?.[METRIC];
    const amount = Number.parseFloat(metric?.Amount ?? "");
    if (name === undefined || !Number.isFinite(amount)) continue;
    unit ??= metric?.Unit;
    const series = byGroup[name] ?? new Array<number>(dayIndex.size).fill(0);
    series[slot] = (series[slot] ?? 0) + amount;
    byGroup[name] = series;
  }
  return unit;
}

async function collectAnomalies(
  client: CostExplorerClient,
  window: { start: Date; end: Date },
  coverage: CoverageRecorder,
): Promise<CostAnomaly[]> {
  const startDate = utcDate(new Date(window.start.getTime() - ANOMALY_LOOKBACK_DAYS * DAY_MS));
  const read = await readPages((token) =>
    client.send(
      new GetAnomaliesCommand({
        DateInterval: { StartDate: startDate, EndDate: utcDate(window.end) },
        ...(token ? { NextPageToken: token } : {}),
      }),
    ),
  );
  recordPagedCoverage(coverage, "GetAnomalies", `anomalies since ${startDate}`, read);
  const anomalies: CostAnomaly[] = [];
  let unplaced = 0;
  for (const page of read.pages) {
    for (const anomaly of page.Anomalies ?? []) {
      const mapped = toCostAnomaly(anomaly);
      if (mapped) anomalies.push(mapped);
      else unplaced += 1;
    }
  }
  if (unplaced > 0) {
    coverage.partial(
      REGION,
      SERVICE,
      "GetAnomalies",
      "error",
      `${unplaced} anomalies had no id or date and were left out`,
    );
  }
  return anomalies;
}

function datePart(value: string | undefined): string | undefined {
  const match = value?.match(/^\d{4}-\d{2}-\d{2}/);
  return match?.[0];
}

/** Maps an SDK anomaly to the snapshot's shape; undefined only for one without id or any date. */
export function toCostAnomaly(anomaly: Anomaly): CostAnomaly | undefined {
  const endDate = datePart(anomaly.AnomalyEndDate);
  const startDate = datePart(anomaly.AnomalyStartDate) ?? endDate;
  if (!anomaly.AnomalyId || startDate === undefined) return undefined;
  const impact = anomaly.Impact;
  return {
    anomalyId: anomaly.AnomalyId,
    startDate,
    ...(endDate ? { endDate } : {}),
    // TotalImpact is optional in the API; the maximum daily impact is the best lower bound then.
    totalImpactUsd: impact?.TotalImpact ?? impact?.MaxImpact ?? 0,
    ...(impact?.MaxImpact !== undefined ? { maxImpactUsd: impact.MaxImpact } : {}),
    ...(anomaly.AnomalyScore?.CurrentScore !== undefined ? { score: anomaly.AnomalyScore.CurrentScore } : {}),
    ...(anomaly.MonitorArn ? { monitorArn: anomaly.MonitorArn } : {}),
    rootCauses: (anomaly.RootCauses ?? []).map((cause) => ({
      ...(cause.Service ? { service: cause.Service } : {}),
      ...(cause.Region ? { region: cause.Region } : {}),
      ...(cause.UsageType ? { usageType: cause.UsageType } : {}),
      ...(cause.LinkedAccount ? { linkedAccount: cause.LinkedAccount } : {}),
    })),
  };
}
