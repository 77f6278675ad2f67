/**
 * Projection of an organization-wide run (MinewatchOrgStack) for N member accounts: wall time and
 * what the run costs in Step Functions, Lambda, Cost Explorer and S3. Pure arithmetic from the
 * assumptions printed with it; nothing is simulated. `bench:scale` can call `projectOrganization`
 * with its measured per-account audit time, or run this file:
 *
 *   npx tsx scripts/bench/org-projection.ts [--accounts 500] [--audit-seconds 21] [--concurrency 50]
 *                                           [--mode distributed|inline] [--api-charge 0.013] [--json]
 *
 * Prices: us-east-1 list prices as of 2026 (Step Functions Standard $0.025 per 1,000 state
 * transitions; Lambda arm64 $0.0000133334 per GB-second and $0.20 per million requests; Cost
 * Explorer $0.01 per request; S3 Standard $0.005 per 1,000 PUT and $0.0004 per 1,000 GET).
 */
import { fileURLToPath } from "node:url";

export interface OrgAssumptions {
  accounts: number;
  /**
   * Mean wall time of one account's audit. Default: bench:scale's 1,000-instance x 17-region account
   * (20.6 s at 50 ms per call, docs/performance.md) rounded up to 21 s.
   */
  auditSeconds: number;
  /** Accounts audited at once (the Map's MaxConcurrency). */
  concurrency: number;
  mode: "inline" | "distributed";
  /** Share of accounts whose audit is retried once (a Lambda service error or RetryableAccountError). */
  retryShare: number;
  /** Share of accounts that end in the failure-recording Catch (role missing, audit failing after retries). */
  failureShare: number;
  /** Memory of the audit and aggregate functions (the house construct's default: one full vCPU). */
  auditMemoryMb: number;
  listMemoryMb: number;
  /** Organizations ListAccounts: 20 accounts a page, about this long each. */
  listSecondsPerPage: number;
  /** The aggregate: read each outcome and report (16 at once) and render; seconds per account. */
  aggregateSecondsPerAccount: number;
  aggregateFixedSeconds: number;
  /** Child execution start-up in a Distributed Map (Step Functions starts children in bursts). */
  childStartSeconds: number;
  /** Services with spend per account per day, for the LINKED_ACCOUNT x SERVICE Cost Explorer pages. */
  servicesPerAccount: number;
  /** Group rows per Cost Explorer page (not documented by AWS; an estimate). */
  groupRowsPerCostPage: number;
  /** Days read from Cost Explorer (14 baseline + the latest day). */
  costDays: number;
  /**
   * AWS API charges inside one member account's audit without Cost Explorer (GetMetricData etc.).
   * Default: bench:scale at 1,000 instances, $0.0630 less its $0.05 of Cost Explorer.
   */
  apiChargePerAccountUsd: number;
}

export const DEFAULT_ASSUMPTIONS: OrgAssumptions = {
  accounts: 500,
  auditSeconds: 21,
  concurrency: 50,
  mode: "distributed",
  retryShare: 0.05,
  failureShare: 0.02,
  auditMemoryMb: 1769,
  listMemoryMb: 512,
  listSecondsPerPage: 0.3,
  aggregateSecondsPerAccount: 0.02,
  aggregateFixedSeconds: 5,
  childStartSeconds: 1,
  servicesPerAccount: 15,
  groupRowsPerCostPage: 5000,
  costDays: 15,
  apiChargePerAccountUsd: 0.013,
};

export const PRICES = {
  stateTransitionUsd: 0.025 / 1000,
  lambdaGbSecondArm64Usd: 0.0000133334,
  lambdaRequestUsd: 0.2 / 1_000_000,
  costExplorerRequestUsd: 0.01,
  s3PutUsd: 0.005 / 1000,
  s3GetUsd: 0.0004 / 1000,
};

export interface OrgProjection {
  assumptions: OrgAssumptions;
  wallSeconds: number;
  waves: number;
  stateTransitions: number;
  costs: {
    stepFunctionsUsd: number;
    lambdaUsd: number;
    costExplorerUsd: number;
    s3Usd: number;
    memberApiUsd: number;
    totalUsd: number;
  };
  costExplorerRequests: number;
  /** What reading Cost Explorer in every account instead would cost (4 requests each at least). */
  costExplorerPerAccountUsd: number;
  lambdaGbSeconds: number;
}

export function projectOrganization(overrides: Partial<OrgAssumptions> = {}): OrgProjection {
  const a = { ...DEFAULT_ASSUMPTIONS, ...overrides };
  const concurrency = a.mode === "inline" ? Math.min(a.concurrency, 40) : a.concurrency;
  const waves = Math.ceil(a.accounts / concurrency);

  // Wall time: list, then the audits in waves of `concurrency` (retries add a backoff and a second
  // audit to the slowest wave in the worst case: counted once), then the aggregate.
  const listSeconds = Math.ceil(a.accounts / 20) * a.listSecondsPerPage + 1;
  const childStart = a.mode === "distributed" ? a.childStartSeconds : 0;
  const retryTail = a.retryShare > 0 ? a.auditSeconds + 5 : 0;
  const aggregateSeconds = a.aggregateFixedSeconds + a.accounts * a.aggregateSecondsPerAccount;
  const wallSeconds = listSeconds + waves * (a.auditSeconds + childStart) + retryTail + aggregateSeconds;

  // State transitions (Standard): the parent's ListAccounts, Map and Aggregate; per account the
  // AuditAccount task, one more per retry, two more on the failure path (Describe + Record). A
  // Distributed Map's STANDARD child execution adds its start (counted as one more per account).
  const perAccount = 1 + a.retryShare + 2 * a.failureShare + (a.mode === "distributed" ? 1 : 0);
  const stateTransitions = Math.ceil(3 + a.accounts * perAccount);
  const stepFunctionsUsd = stateTransitions * PRICES.stateTransitionUsd;

  const gb = (mb: number) => mb / 1024;
  const auditGbSeconds = a.accounts * (1 + a.retryShare) * a.auditSeconds * gb(a.auditMemoryMb);
  const lambdaGbSeconds = auditGbSeconds + listSeconds * gb(a.listMemoryMb) + aggregateSeconds * gb(a.auditMemoryMb);
  const invocations = 2 + a.accounts * (1 + a.retryShare);
  const lambdaUsd = lambdaGbSeconds * PRICES.lambdaGbSecondArm64Usd + invocations * PRICES.lambdaRequestUsd;

  const costRows = a.accounts * a.servicesPerAccount * a.costDays;
  const costExplorerRequests = Math.max(1, Math.ceil(costRows / a.groupRowsPerCostPage)) + 1; // + GetAnomalies
  const costExplorerUsd = costExplorerRequests * PRICES.costExplorerRequestUsd;

  // S3: per account report + snapshot + outcome written, outcome + report read; the listing and the org report.
  const s3Usd = (a.accounts * 3 + 2) * PRICES.s3PutUsd + (a.accounts * 2 + 1) * PRICES.s3GetUsd;
  const memberApiUsd = a.accounts * a.apiChargePerAccountUsd;
  const round = (usd: number) => Math.round(usd * 10_000) / 10_000;
  return {
    assumptions: a,
    wallSeconds: Math.round(wallSeconds),
    waves,
    stateTransitions,
    costs: {
      stepFunctionsUsd: round(stepFunctionsUsd),
      lambdaUsd: round(lambdaUsd),
      costExplorerUsd: round(costExplorerUsd),
      s3Usd: round(s3Usd),
      memberApiUsd: round(memberApiUsd),
      totalUsd: round(stepFunctionsUsd + lambdaUsd + costExplorerUsd + s3Usd + memberApiUsd),
    },
    costExplorerRequests,
    costExplorerPerAccountUsd: round(a.accounts * 4 * PRICES.costExplorerRequestUsd),
    lambdaGbSeconds: Math.round(lambdaGbSeconds),
  };
}

export function formatProjection(p: OrgProjection): string {
  const a = p.assumptions;
  const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;
  const minutes = (s: number) => `${Math.floor(s / 60)} min ${s % 60} s`;
  return [
    `Organization projection: ${a.accounts} accounts, ${a.mode} Map, ${a.mode === "inline" ? Math.min(a.concurrency, 40) : a.concurrency} at once`,
    "",
    "Assumptions",
    `  per-account audit        ${a.auditSeconds} s mean (bench:scale, 1,000 instances x 17 regions; --audit-seconds)`,
    `  retried / failed         ${(a.retryShare * 100).toFixed(0)} % retried once, ${(a.failureShare * 100).toFixed(0)} % end in the failure-recording Catch`,
    `  Lambda                   arm64, audit and aggregate ${a.auditMemoryMb} MB, list ${a.listMemoryMb} MB`,
    `  Cost Explorer            LINKED_ACCOUNT x SERVICE, ${a.costDays} days, ${a.servicesPerAccount} services/account, ~${a.groupRowsPerCostPage} rows/page (estimate)`,
    `  member-account APIs      ${usd(a.apiChargePerAccountUsd)} per account audit, Cost Explorer excluded (bench:scale; --api-charge)`,
    `  prices                   SFN Standard $0.025/1k transitions; Lambda arm64 $0.0000133334/GB-s, $0.20/1M requests; CE $0.01/request`,
    "",
    "Projection",
    `  wall time                ${minutes(p.wallSeconds)} (${p.waves} waves of audits)`,
    `  state transitions        ${p.stateTransitions.toLocaleString("en-US")}`,
    `  Step Functions           ${usd(p.costs.stepFunctionsUsd)}`,
    `  Lambda                   ${usd(p.costs.lambdaUsd)} (${p.lambdaGbSeconds.toLocaleString("en-US")} GB-s)`,
    `  Cost Explorer            ${usd(p.costs.costExplorerUsd)} (${p.costExplorerRequests} requests; per-account reads would be at least ${usd(p.costExplorerPerAccountUsd)})`,
    `  S3 requests              ${usd(p.costs.s3Usd)}`,
    `  member-account APIs      ${usd(p.costs.memberApiUsd)}`,
    `  total per daily run      ${usd(p.costs.totalUsd)}`,
  ].join("\n");
}

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const overrides: Partial<OrgAssumptions> = {};
  const number = (flag: string) => {
    const value = argValue(flag);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${flag} expects a positive number, got ${value}`);
    return parsed;
  };
  const accounts = number("--accounts");
  const auditSeconds = number("--audit-seconds");
  const concurrency = number("--concurrency");
  const apiCharge = number("--api-charge");
  if (apiCharge !== undefined) overrides.apiChargePerAccountUsd = apiCharge;
  if (accounts !== undefined) overrides.accounts = Math.round(accounts);
  if (auditSeconds !== undefined) overrides.auditSeconds = auditSeconds;
  if (concurrency !== undefined) overrides.concurrency = Math.round(concurrency);
  const mode = argValue("--mode");
  if (mode === "inline" || mode === "distributed") overrides.mode = mode;
  else if (mode !== undefined) throw new Error(`--mode expects inline or distributed, got ${mode}`);
  const projection = projectOrganization(overrides);
  console.log(process.argv.includes("--json") ? JSON.stringify(projection, null, 2) : formatProjection(projection));
}
