/**
 * Last state of the organization run: one report and one email for the whole organization, grouped
 * by account.
 *
 * It reads the listing (the accounts the run set out to audit), each account's outcome and report,
 * and Cost Explorer once from the payer account; builds the aggregated report (a pure function of
 * those, below); stores it; and publishes one email. Every account the listing names appears in the
 * report: audited, failed with its reason as that account's coverage gap, or "no outcome recorded".
 * A run where 499 accounts were audited and one was not never reads as complete.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import pLimit from "p-limit";
import { type ClientFactory, createClientFactory } from "../collect/clients.js";
import { LIMITS } from "../core/audit.js";
import type { CostAnomaly, CoverageEntry } from "../core/snapshot.js";
import { s3Location } from "../publish/s3.js";
import { type DefaultSummary, MAX_SUMMARY_IDS, publishFindings } from "../publish/sns.js";
import { type AuditReport, AuditReportSchema, type Finding } from "../report/model.js";
import { SEVERITIES, type Severity, severityRank } from "../rules/types.js";
import { auditedBy, diffFindings, type FindingDiff, type OpenFindingState } from "../state/diff.js";
import { FindingStateStore } from "../state/state-store.js";
import {
  type AccountListing,
  AccountListingSchema,
  type AccountOutcome,
  AccountOutcomeSchema,
  AggregateInputSchema,
  orgKeys,
  PAYER_COSTS_NOTE,
  parseInput,
} from "./contract.js";
import { AggregateEnvironmentSchema, loadOrgEnvironment } from "./environment.js";
import { renderOrgEmail } from "./org-email.js";
import { type AccountCosts, anomaliesFor, type OrgCosts, readPayerCosts } from "./payer-costs.js";

export const ORG_REPORT_SCHEMA_VERSION = 1;

export type AccountStatus = "audited" | "failed" | "no-outcome";

export interface AccountSection {
  accountId: string;
  accountName: string;
  status: AccountStatus;
  reportLocation?: string;
  worstSeverity: Severity | null;
  /** Most severe first (as in the account's report). */
  findings: Finding[];
  estimatedHourlyCostUsd: number;
  /** True only when this account was audited in full (the payer-read Cost Explorer aside). */
  coverageComplete: boolean;
  /** Every coverage entry that is not ok; for a failed account, the failure itself. */
  gaps: CoverageEntry[];
  ruleErrors: Array<{ ruleId: string; message: string }>;
  /** From the payer's Cost Explorer read; absent when it had no line for this account. */
  costs?: AccountCosts;
  anomalies: CostAnomaly[];
  /** Against the last organization run (absent when the run keeps no state). */
  changes?: AccountChanges;
}

/** What changed in one account since the last organization run. */
export interface AccountChanges {
  /** Ids of this run's findings that were not open before. */
  newFindingIds: string[];
  /** Open last time, audited again, not found: over (or suppressed since). */
  resolved: OpenFindingState[];
  /** Open last time, but where they were was not audited this time: still open, said so. */
  notRechecked: OpenFindingState[];
}

export interface OrganizationReport {
  schemaVersion: typeof ORG_REPORT_SCHEMA_VERSION;
  kind: "organization";
  tool: { name: "minewatch" };
  runId: string;
  startedAt: string;
  generatedAt: string;
  summary: {
    /** Accounts the run set out to audit (ACTIVE, not excluded). */
    accounts: number;
    audited: number;
    failed: number;
    /** Accounts not audited on purpose (suspended, excluded). */
    notAudited: number;
    accountsWithFindings: number;
    findings: number;
    bySeverity: Record<Severity, number>;
    worstSeverity: Severity | null;
    estimatedHourlyCostUsd: number;
    /** Every account audited in full and the payer's costs read. */
    coverageComplete: boolean;
    /** Findings not open after the last run, and open ones no longer found (0 without state). */
    new: number;
    resolved: number;
    /** Open findings in accounts or regions this run could not audit. */
    notRechecked: number;
  };
  /** Accounts with findings first (worst first), then failed ones, then the rest; ids ascending within. */
  accounts: AccountSection[];
  notAudited: AccountListing["notAudited"];
  costs: Pick<OrgCosts, "status" | "reason" | "message" | "currency" | "latestDay" | "requests">;
  limits: string[];
}

export interface AggregateSources {
  listing: AccountListing;
  /** Outcomes by account id; an account missing here left no outcome. */
  outcomes: ReadonlyMap<string, AccountOutcome>;
  /** Reports of audited accounts by account id. */
  reports: ReadonlyMap<string, AuditReport>;
  /** Why an audited account's report could not be read, by account id. */
  reportErrors?: ReadonlyMap<string, string>;
  /** Each account's changes since the last run (see accountDiff); absent when no state is kept. */
  diffs?: ReadonlyMap<string, FindingDiff>;
  costs: OrgCosts;
  generatedAt: Date;
}

/** The per-account Cost Explorer skip is not a gap when the payer read succeeded. */
function isPayerCostSkip(entry: CoverageEntry): boolean {
  return entry.service === "ce" && entry.status === "skipped" && entry.message === PAYER_COSTS_NOTE;
}

const FAILURE_GAP: Record<string, { service: string; api: string }> = {
  "assume-role": { service: "sts", api: "AssumeRole" },
  audit: { service: "minewatch", api: "audit" },
  "step-functions": { service: "states", api: "AuditAccount" },
};

function failedSection(
  accountId: string,
  accountName: string,
  status: AccountStatus,
  gap: CoverageEntry,
  costs: OrgCosts,
): AccountSection {
  const section: AccountSection = {
    accountId,
    accountName,
    status,
    worstSeverity: null,
    findings: [],
    estimatedHourlyCostUsd: 0,
    coverageComplete: false,
    gaps: [gap],
    ruleErrors: [],
    anomalies: anomaliesFor(costs.anomalies, accountId),
  };
  const accountCosts = costs.byAccount[accountId];
  if (accountCosts) section.costs = accountCosts;
  return section;
}

function auditedSection(
  accountId: string,
  accountName: string,
  location: string,
  report: AuditReport,
  costs: OrgCosts,
): AccountSection {
  const payerRead = costs.status !== "failed";
  const gaps = report.coverage.gaps.filter((g) => !(payerRead && isPayerCostSkip(g)));
  const enabledNotAudited = report.coverage.regionsNotAudited.filter((r) => !/not opted in/i.test(r.reason));
  const section: AccountSection = {
    accountId,
    accountName,
    status: "audited",
    reportLocation: location,
    worstSeverity: report.summary.worstSeverity,
    findings: report.findings,
    estimatedHourlyCostUsd: report.summary.estimatedHourlyCostUsd,
    coverageComplete:
      enabledNotAudited.length === 0 &&
      gaps.every((g) => g.reason === "not-opted-in") &&
      report.ruleErrors.length === 0,
    gaps,
    ruleErrors: report.ruleErrors,
    anomalies: anomaliesFor(costs.anomalies, accountId),
  };
  const accountCosts = costs.byAccount[accountId];
  if (accountCosts) section.costs = accountCosts;
  return section;
}

function sectionFor(id: string, name: string, sources: AggregateSources): AccountSection {
  const outcome = sources.outcomes.get(id);
  if (!outcome) {
    return failedSection(
      id,
      name,
      "no-outcome",
      {
        region: "global",
        service: "minewatch",
        api: "outcome",
        status: "failed",
        reason: "error",
        message:
          "No outcome was recorded for this account: the audit neither finished nor had its failure recorded. See the state machine execution's history.",
      },
      sources.costs,
    );
  }
  if (outcome.status === "failed") {
    const where = FAILURE_GAP[outcome.stage] ?? { service: "minewatch", api: outcome.stage };
    return failedSection(
      id,
      outcome.accountName || name,
      "failed",
      { region: "global", ...where, status: "failed", reason: outcome.reason, message: outcome.message.slice(0, 1000) },
      sources.costs,
    );
  }
  const report = sources.reports.get(id);
  if (!report) {
    const why = sources.reportErrors?.get(id) ?? "the report was not read";
    return failedSection(
      id,
      outcome.accountName || name,
      "failed",
      {
        region: "global",
        service: "s3",
        api: "GetObject",
        status: "failed",
        reason: "error",
        message: `The account was audited but its report at ${outcome.reportLocation} could not be read (${why}).`,
      },
      sources.costs,
    );
  }
  return auditedSection(id, outcome.accountName || name, outcome.reportLocation, report, sources.costs);
}

function sectionOrder(a: AccountSection, b: AccountSection): number {
  const rank = (s: AccountSection) =>
    s.findings.length > 0 ? severityRank(s.worstSeverity ?? "info") : s.status !== "audited" ? 10 : 11;
  return (
    rank(a) - rank(b) ||
    b.estimatedHourlyCostUsd - a.estimatedHourlyCostUsd ||
    (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0)
  );
}

function withChanges(section: AccountSection, diff: FindingDiff | undefined): AccountSection {
  if (!diff) return section;
  return {
    ...section,
    changes: {
      newFindingIds: diff.new.map((f) => f.id),
      resolved: diff.resolved,
      notRechecked: diff.notRechecked,
    },
  };
}

/**
 * One account's changes since the last run, from what the state table remembers. Only an account
 * audited this run can resolve anything, and only where its report says it looked; an account that
 * failed keeps all its open findings as not re-checked.
 */
export function accountDiff(previous: readonly OpenFindingState[], report: AuditReport | undefined): FindingDiff {
  if (!report) return { new: [], ongoing: [], resolved: [], notRechecked: [...previous] };
  return diffFindings(previous, report.findings, { resolveMissing: true, wasAudited: auditedBy(report) });
}

/** Pure: the organization report from the listing, each account's outcome and report, and the payer's costs. */
export function aggregateOrganization(sources: AggregateSources): OrganizationReport {
  const { listing, costs } = sources;
  const accounts = listing.accounts
    .map((a) => withChanges(sectionFor(a.id, a.name, sources), sources.diffs?.get(a.id)))
    .sort(sectionOrder);
  const changes = accounts.flatMap((a) => (a.changes ? [a.changes] : []));
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let worst: Severity | null = null;
  let hourly = 0;
  for (const section of accounts) {
    hourly += section.estimatedHourlyCostUsd;
    for (const finding of section.findings) {
      bySeverity[finding.severity] += 1;
      if (worst === null || severityRank(finding.severity) < severityRank(worst)) worst = finding.severity;
    }
  }
  const audited = accounts.filter((a) => a.status === "audited").length;
  const anyReport = [...sources.reports.values()][0];
  return {
    schemaVersion: ORG_REPORT_SCHEMA_VERSION,
    kind: "organization",
    tool: { name: "minewatch" },
    runId: listing.runId,
    startedAt: listing.startedAt,
    generatedAt: sources.generatedAt.toISOString(),
    summary: {
      accounts: accounts.length,
      audited,
      failed: accounts.length - audited,
      notAudited: listing.notAudited.length,
      accountsWithFindings: accounts.filter((a) => a.findings.length > 0).length,
      findings: accounts.reduce((n, a) => n + a.findings.length, 0),
      bySeverity,
      worstSeverity: worst,
      estimatedHourlyCostUsd: Math.round(hourly * 100) / 100,
      coverageComplete: costs.status === "ok" && accounts.every((a) => a.coverageComplete),
      new: changes.reduce((n, c) => n + c.newFindingIds.length, 0),
      resolved: changes.reduce((n, c) => n + c.resolved.length, 0),
      notRechecked: changes.reduce((n, c) => n + c.notRechecked.length, 0),
    },
    accounts,
    notAudited: listing.notAudited,
    costs: {
      status: costs.status,
      ...(costs.reason ? { reason: costs.reason } : {}),
      ...(costs.message ? { message: costs.message } : {}),
      currency: costs.currency,
      latestDay: costs.latestDay,
      requests: costs.requests,
    },
    limits: anyReport ? anyReport.limits : [...LIMITS],
  };
}

// ---------------------------------------------------------------------------------------------
// Handler

export interface AggregateDeps {
  s3: S3Client;
  sns: SNSClient;
  /** The state table's client: new/resolved per account across organization runs. */
  dynamo: DynamoDBDocumentClient;
  clients: ClientFactory;
  env?: Record<string, string | undefined>;
  now?: () => Date;
  /** Region for console links; AWS_REGION when absent. */
  consoleRegion?: string;
}

export interface AggregateResult {
  runId: string;
  reportLocation: string;
  messageId: string;
  summary: OrganizationReport["summary"];
  /** Accounts whose state could not be recorded (their findings will read as new next time). */
  stateErrors: Array<{ accountId: string; error: string }>;
}

/** Reports and outcomes read at once: S3 handles far more, but Lambda memory holds the reports. */
const READ_CONCURRENCY = 16;

async function getJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = await answer.Body?.transformToString("utf-8");
  if (text === undefined) throw new Error(`s3://${bucket}/${key} has no body`);
  return JSON.parse(text);
}

function isNoSuchKey(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "NoSuchKey" || name === "NotFound";
}

function keyOf(location: string, bucket: string): string | undefined {
  const prefix = `s3://${bucket}/`;
  return location.startsWith(prefix) ? location.slice(prefix.length) : undefined;
}

function worstOf(findings: readonly Finding[]): Severity | null {
  let worst: Severity | null = null;
  for (const f of findings) if (worst === null || severityRank(f.severity) < severityRank(worst)) worst = f.severity;
  return worst;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function createAggregateHandler(deps: AggregateDeps | (() => AggregateDeps)) {
  let resolved: AggregateDeps | undefined;
  return async (event: unknown, context?: { invokedFunctionArn?: string }): Promise<AggregateResult> => {
    resolved ??= typeof deps === "function" ? deps() : deps;
    const d = resolved;
    const settings = loadOrgEnvironment(AggregateEnvironmentSchema, d.env ?? process.env, "aggregate");
    const input = parseInput(AggregateInputSchema, event, "aggregate");
    const bucket = settings.REPORT_BUCKET;
    const now = (d.now ?? (() => new Date()))();

    // The listing is the list of accounts the run owes a result for; without it nothing can be checked.
    const listing = parseInput(
      AccountListingSchema,
      await getJson(d.s3, bucket, orgKeys.accounts(input.runPrefix)),
      "aggregate (accounts.json)",
    );
    const outcomes = new Map<string, AccountOutcome>();
    const reports = new Map<string, AuditReport>();
    const reportErrors = new Map<string, string>();
    const limit = pLimit(READ_CONCURRENCY);
    await Promise.all(
      listing.accounts.map((account) =>
        limit(async () => {
          let raw: unknown;
          try {
            raw = await getJson(d.s3, bucket, orgKeys.outcome(input.runPrefix, account.id));
          } catch (error) {
            // No outcome is reported as such; any other read failure is an AWS problem worth failing on.
            if (isNoSuchKey(error)) return;
            throw error;
          }
          const parsed = AccountOutcomeSchema.safeParse(raw);
          if (!parsed.success) {
            outcomes.set(account.id, {
              status: "failed",
              accountId: account.id,
              accountName: account.name,
              stage: "step-functions",
              reason: "error",
              message: `The recorded outcome could not be read: ${JSON.stringify(raw).slice(0, 500)}`,
            });
            return;
          }
          const outcome = parsed.data;
          outcomes.set(account.id, outcome);
          if (outcome.status !== "audited") return;
          const key = keyOf(outcome.reportLocation, bucket);
          if (!key) {
            reportErrors.set(account.id, `not in the report bucket ${bucket}`);
            return;
          }
          try {
            const report = AuditReportSchema.safeParse(await getJson(d.s3, bucket, key));
            if (report.success) reports.set(account.id, report.data);
            else reportErrors.set(account.id, "it does not match the report schema");
          } catch (error) {
            reportErrors.set(account.id, errorText(error));
          }
        }),
      ),
    );

    const store = new FindingStateStore(d.dynamo, {
      tableName: settings.STATE_TABLE,
      ttlDays: settings.STATE_TTL_DAYS,
      onWarning: (message) => console.log(JSON.stringify({ level: "warn", message })),
    });
    const diffs = new Map<string, FindingDiff>();
    const stateErrors: AggregateResult["stateErrors"] = [];
    await Promise.all(
      listing.accounts.map((account) =>
        limit(async () => {
          let previous: OpenFindingState[] = [];
          try {
            previous = await store.loadOpen(account.id);
          } catch (error) {
            // The email still goes out: this account's findings read as new, and the error is returned.
            stateErrors.push({ accountId: account.id, error: `reading state: ${errorText(error)}` });
          }
          diffs.set(account.id, accountDiff(previous, reports.get(account.id)));
        }),
      ),
    );

    const costs = await readPayerCosts(d.clients.costExplorer(), now);
    const report = aggregateOrganization({ listing, outcomes, reports, reportErrors, costs, generatedAt: now, diffs });
    const reportKey = orgKeys.report(input.runPrefix);
    // Stored before publishing: a publishing failure never loses the report.
    await d.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: reportKey,
        Body: JSON.stringify(report),
        ContentType: "application/json; charset=utf-8",
      }),
    );
    const reportLocation = s3Location(bucket, reportKey);
    const managementAccount = context?.invokedFunctionArn?.split(":")[4] ?? "organization";
    const email = renderOrgEmail(report, {
      reportLocation,
      consoleRegion: d.consoleRegion ?? process.env.AWS_REGION ?? "us-east-1",
      managementAccountId: managementAccount,
    });
    const summary: DefaultSummary = {
      tool: "minewatch",
      mode: "organization",
      runId: report.runId,
      accountId: managementAccount,
      generatedAt: report.generatedAt,
      worstSeverity: report.summary.worstSeverity,
      findings: report.summary.findings,
      new: report.summary.new,
      ongoing: report.summary.findings - report.summary.new,
      resolved: report.summary.resolved,
      estimatedHourlyCostUsd: report.summary.estimatedHourlyCostUsd,
      coverageComplete: report.summary.coverageComplete,
      reportLocation,
      newFindingIds: report.accounts.flatMap((a) => a.changes?.newFindingIds ?? []).slice(0, MAX_SUMMARY_IDS),
    };
    const newFindings = [...diffs.values()].flatMap((diff) => diff.new);
    const { messageId } = await publishFindings(d.sns, {
      topicArn: settings.TOPIC_ARN,
      subject: email.subject,
      emailBody: email.body,
      summary,
      severity: report.summary.worstSeverity,
      newSeverity: worstOf(newFindings),
    });
    // Recorded after publishing, as in the single-account audit: a finding nobody was told about
    // must read as new again. A failed write is logged and returned, not thrown: a retry of this
    // step would send the whole organization's email twice.
    await Promise.all(
      [...diffs].map(([accountId, diff]) =>
        limit(async () => {
          try {
            await store.record(accountId, diff, now);
          } catch (error) {
            stateErrors.push({ accountId, error: errorText(error) });
          }
        }),
      ),
    );
    if (stateErrors.length > 0) {
      console.log(
        JSON.stringify({
          level: "error",
          message: "Finding state not recorded for some accounts: their findings will be reported as new next run",
          runId: report.runId,
          stateErrors: stateErrors.slice(0, 20),
        }),
      );
    }
    console.log(
      JSON.stringify({
        level: "info",
        message: "Organization report published",
        runId: report.runId,
        reportLocation,
        messageId,
        ...report.summary,
      }),
    );
    return { runId: report.runId, reportLocation, messageId, summary: report.summary, stateErrors };
  };
}

/** Production dependencies, built on the first invocation (never at import). */
export const handler = createAggregateHandler(() => ({
  s3: new S3Client({}),
  sns: new SNSClient({}),
  dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  clients: createClientFactory(),
}));
