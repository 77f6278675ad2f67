/**
 * Cost Explorer, read once for the whole organization from the payer (management) account: daily
 * unblended cost grouped by LINKED_ACCOUNT and SERVICE, and the cost anomalies (whose root causes
 * name the linked account). Two queries and their pages instead of four per member account: at
 * $0.01 a request, 500 accounts would otherwise pay for 2,000+ requests a day, and a member role
 * sees only its own account's costs anyway.
 *
 * Never throws for an AWS error: a failed read becomes the organization's cost coverage gap, stated
 * in the aggregated report and email.
 */
import {
  type CostExplorerClient,
  GetAnomaliesCommand,
  GetCostAndUsageCommand,
  type ResultByTime,
} from "@aws-sdk/client-cost-explorer";
import { COMPUTE_SERVICE, readPages, toCostAnomaly, utcDate } from "../collect/cost-explorer.js";
import { classifyAwsError } from "../collect/coverage.js";
import type { CostAnomaly, CoverageReason } from "../core/snapshot.js";

/** Full days compared against: two weeks smooth out weekly cycles without paging far back. */
export const ORG_BASELINE_DAYS = 14;
/** Anomalies are detected hours to a day after the spend: look back a few days. */
export const ORG_ANOMALY_LOOKBACK_DAYS = 3;
/** A service with no spend in the baseline is "new" only above this much on the latest day (USD). */
export const NEW_SERVICE_MIN_USD = 1;
/** A guard against a NextPageToken that never ends (each page is billed). */
const MAX_PAGES = 200;
const METRIC = "UnblendedCost";
const DAY_MS = 24 * 3600 * 1000;

export interface AccountCosts {
  /** Unblended cost on the latest full day. */
  latestDayUsd: number;
  /** Mean daily cost over the baseline days before it. */
  baselineDailyUsd: number;
  computeLatestUsd: number;
  computeBaselineDailyUsd: number;
  /** Services with spend on the latest day and none in the baseline, largest first. */
  newServices: Array<{ service: string; usd: number }>;
}

export interface OrgCosts {
  status: "ok" | "partial" | "failed";
  reason?: CoverageReason;
  message?: string;
  currency: string;
  /** The latest full day (YYYY-MM-DD) and the baseline days before it. */
  latestDay: string;
  baselineDays: string[];
  byAccount: Record<string, AccountCosts>;
  /** Anomalies from the payer's monitors; each root cause may name a linked account. */
  anomalies: CostAnomaly[];
  /** Cost Explorer requests made (each costs $0.01). */
  requests: number;
}

/** The days read: ORG_BASELINE_DAYS before the latest full day (yesterday, UTC), oldest first. */
export function orgCostDays(now: Date): { baselineDays: string[]; latestDay: string; start: string; end: string } {
  const today = Date.parse(utcDate(now));
  const days: string[] = [];
  for (let back = ORG_BASELINE_DAYS + 1; back >= 1; back -= 1) days.push(utcDate(new Date(today - back * DAY_MS)));
  const latestDay = days[days.length - 1] as string;
  return { baselineDays: days.slice(0, -1), latestDay, start: days[0] as string, end: utcDate(new Date(today)) };
}

/** Pure: per linked account, the latest day against the baseline, from LINKED_ACCOUNT x SERVICE groups. */
export function summarizeByAccount(
  results: ResultByTime[],
  baselineDays: readonly string[],
  latestDay: string,
): { byAccount: Record<string, AccountCosts>; currency?: string } {
  const baseline = new Set(baselineDays);
  // account -> service -> { baseline total, latest }
  const totals = new Map<string, Map<string, { baseline: number; latest: number }>>();
  let currency: string | undefined;
  for (const result of results) {
    const day = result.TimePeriod?.Start?.slice(0, 10);
    if (day === undefined || (day !== latestDay && !baseline.has(day))) continue;
    for (const group of result.Groups ?? []) {
      const [account, service] = group.Keys ?? [];
      const metric = group.Metrics?.[METRIC];
      const amount = Number.parseFloat(metric?.Amount ?? "");
      if (!account || !service || !Number.isFinite(amount)) continue;
      currency ??= metric?.Unit;
      const services = totals.get(account) ?? new Map();
      const entry = services.get(service) ?? { baseline: 0, latest: 0 };
      if (day === latestDay) entry.latest += amount;
      else entry.baseline += amount;
      services.set(service, entry);
      totals.set(account, services);
    }
  }
  const days = Math.max(baselineDays.length, 1);
  const byAccount: Record<string, AccountCosts> = {};
  for (const [account, services] of [...totals].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let latest = 0;
    let base = 0;
    const compute = services.get(COMPUTE_SERVICE) ?? { baseline: 0, latest: 0 };
    const newServices: AccountCosts["newServices"] = [];
    for (const [service, t] of services) {
      latest += t.latest;
      base += t.baseline;
      if (t.baseline === 0 && t.latest >= NEW_SERVICE_MIN_USD) newServices.push({ service, usd: round(t.latest) });
    }
    byAccount[account] = {
      latestDayUsd: round(latest),
      baselineDailyUsd: round(base / days),
      computeLatestUsd: round(compute.latest),
      computeBaselineDailyUsd: round(compute.baseline / days),
      newServices: newServices.sort((a, b) => b.usd - a.usd),
    };
  }
  return { byAccount, ...(currency ? { currency } : {}) };
}

export async function readPayerCosts(client: CostExplorerClient, now: Date): Promise<OrgCosts> {
  const { baselineDays, latestDay, start, end } = orgCostDays(now);
  const result: OrgCosts = {
    status: "ok",
    currency: "USD",
    latestDay,
    baselineDays,
    byAccount: {},
    anomalies: [],
    requests: 0,
  };
  const problems: Array<{ reason: CoverageReason; message: string; fatal: boolean }> = [];

  const costPages = await readPages((token) => {
    result.requests += 1;
    return client.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: start, End: end },
        Granularity: "DAILY",
        Metrics: [METRIC],
        GroupBy: [
          { Type: "DIMENSION", Key: "LINKED_ACCOUNT" },
          { Type: "DIMENSION", Key: "SERVICE" },
        ],
        ...(token ? { NextPageToken: token } : {}),
      }),
    );
  }, MAX_PAGES);
  if (costPages.error !== undefined) {
    const { reason, message } = classifyAwsError(costPages.error);
    problems.push({ reason, message: `GetCostAndUsage: ${message}`, fatal: costPages.pages.length === 0 });
  } else if (costPages.truncated) {
    problems.push({ reason: "error", message: `GetCostAndUsage: stopped after ${MAX_PAGES} pages`, fatal: false });
  }
  const summary = summarizeByAccount(
    costPages.pages.flatMap((p) => p.ResultsByTime ?? []),
    baselineDays,
    latestDay,
  );
  result.byAccount = summary.byAccount;
  if (summary.currency) result.currency = summary.currency;

  const anomalyStart = utcDate(new Date(Date.parse(latestDay) - ORG_ANOMALY_LOOKBACK_DAYS * DAY_MS));
  const anomalyPages = await readPages((token) => {
    result.requests += 1;
    return client.send(
      new GetAnomaliesCommand({
        DateInterval: { StartDate: anomalyStart, EndDate: utcDate(now) },
        ...(token ? { NextPageToken: token } : {}),
      }),
    );
  }, MAX_PAGES);
  if (anomalyPages.error !== undefined) {
    const { reason, message } = classifyAwsError(anomalyPages.error);
    problems.push({ reason, message: `GetAnomalies: ${message}`, fatal: false });
  }
  result.anomalies = anomalyPages.pages
    .flatMap((p) => p.Anomalies ?? [])
    .map(toCostAnomaly)
    .filter((a): a is CostAnomaly => a !== undefined);

  const first = problems[0];
  if (first) {
    result.status = problems.some((p) => p.fatal) ? "failed" : "partial";
    result.reason = first.reason;
    result.message = problems.map((p) => p.message).join("; ");
  }
  return result;
}

function round(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/** Anomalies whose root causes name this linked account. */
export function anomaliesFor(anomalies: readonly CostAnomaly[], accountId: string): CostAnomaly[] {
  return anomalies.filter((a) => a.rootCauses.some((cause) => cause.linkedAccount === accountId));
}
