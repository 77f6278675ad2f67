import { CostExplorerClient, GetAnomaliesCommand, GetCostAndUsageCommand } from "@aws-sdk/client-cost-explorer";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AccountSection, aggregateOrganization, createAggregateHandler } from "../../lambda/org/aggregate.js";
import { type AccountListing, type AccountOutcome, PAYER_COSTS_NOTE } from "../../lambda/org/contract.js";
import { renderOrgEmail } from "../../lambda/org/org-email.js";
import { type OrgCosts, summarizeByAccount } from "../../lambda/org/payer-costs.js";
import { snsPublishBytes } from "../../lambda/publish/sns.js";
import { SNS_MAX_MESSAGE_BYTES } from "../../lambda/report/email.js";
import type { AuditReport } from "../../lambda/report/model.js";
import type { Severity } from "../../lambda/rules/types.js";
import { fakeStateTable, syntheticFinding, syntheticReport } from "../handlers/fixtures.js";
import { fakeClientFactory } from "../support/fake-clients.js";
import { BUCKET, fakeBucket } from "./s3-fake.js";

const RUN_PREFIX = "org-runs/2026/03/10/run-1";
const NOW = new Date("2026-03-10T09:00:00Z");
const payerSkip = {
  region: "global",
  service: "ce",
  api: "GetCostAndUsage",
  status: "skipped" as const,
  reason: "not-requested" as const,
  message: PAYER_COSTS_NOTE,
};

function accountId(n: number): string {
  return String(200000000000 + n);
}

/** A member account's report as audit-account stores it: the payer-read costs skipped. */
function memberReport(id: string, findings: Array<{ n: number; severity: Severity }>): AuditReport {
  const report = syntheticReport(
    findings.map((f) => ({ ...syntheticFinding(f.n, f.severity), accountId: id })),
    { accountId: id },
  );
  return {
    ...report,
    summary: { ...report.summary, coverageComplete: false },
    coverage: { ...report.coverage, complete: false, gaps: [payerSkip] },
  };
}

function audited(id: string, report: AuditReport): AccountOutcome {
  return {
    status: "audited",
    accountId: id,
    accountName: `acct-${id.slice(-3)}`,
    reportLocation: `s3://${BUCKET}/reports/${id}/2026/03/10/run-1.report.json`,
    snapshotLocation: `s3://${BUCKET}/reports/${id}/2026/03/10/run-1.snapshot.json`,
    findings: report.findings.length,
    worstSeverity: report.summary.worstSeverity,
    coverageComplete: false,
  };
}

const okCosts = (byAccount: OrgCosts["byAccount"] = {}, anomalies: OrgCosts["anomalies"] = []): OrgCosts => ({
  status: "ok",
  currency: "USD",
  latestDay: "2026-03-09",
  baselineDays: [],
  byAccount,
  anomalies,
  requests: 2,
});

function listing(ids: string[]): AccountListing {
  return {
    runId: "run-1",
    startedAt: "2026-03-10T06:00:00.000Z",
    runPrefix: RUN_PREFIX,
    accounts: ids.map((id) => ({ id, name: `acct-${id.slice(-3)}` })),
    notAudited: [{ id: accountId(99), name: "old", reason: "account state is SUSPENDED" }],
  };
}

describe("aggregateOrganization (pure)", () => {
  const [mining, quiet, denied, lost, crashed] = [1, 2, 3, 4, 5].map(accountId) as [
    string,
    string,
    string,
    string,
    string,
  ];
  const miningReport = memberReport(mining, [
    { n: 1, severity: "critical" },
    { n: 2, severity: "medium" },
  ]);
  const quietReport = memberReport(quiet, []);
  const outcomes = new Map<string, AccountOutcome>([
    [mining, audited(mining, miningReport)],
    [quiet, audited(quiet, quietReport)],
    [
      denied,
      {
        status: "failed",
        accountId: denied,
        accountName: "acct-003",
        stage: "assume-role",
        reason: "access-denied",
        message: "Could not assume arn:aws:iam::200000000003:role/MinewatchAuditRole (AccessDenied: not authorized)",
      },
    ],
    // What the state machine's DescribeAccountFailure + RecordAccountFailure write after retries run out.
    [
      crashed,
      {
        status: "failed",
        accountId: crashed,
        accountName: "acct-005",
        stage: "step-functions",
        reason: "error",
        message: 'Sandbox.Timedout: {"errorMessage":"Task timed out after 600.00 seconds"}',
      },
    ],
  ]);
  const reports = new Map([
    [mining, miningReport],
    [quiet, quietReport],
  ]);

  it("groups findings by account, worst first, and makes every failed or silent account that account's coverage gap", () => {
    const report = aggregateOrganization({
      listing: listing([quiet, denied, lost, mining, crashed]),
      outcomes,
      reports,
      costs: okCosts(),
      generatedAt: NOW,
    });
    expect(report.accounts.map((a) => [a.accountId, a.status])).toEqual([
      [mining, "audited"],
      [denied, "failed"],
      [lost, "no-outcome"],
      [crashed, "failed"],
      [quiet, "audited"],
    ]);
    const byId = new Map(report.accounts.map((a) => [a.accountId, a] as [string, AccountSection]));
    expect(byId.get(mining)?.findings.map((f) => f.severity)).toEqual(["critical", "medium"]);
    expect(byId.get(mining)?.findings.every((f) => f.accountId === mining)).toBe(true);
    expect(byId.get(denied)?.gaps).toEqual([
      expect.objectContaining({ service: "sts", api: "AssumeRole", status: "failed", reason: "access-denied" }),
    ]);
    expect(byId.get(lost)?.gaps[0]).toMatchObject({ status: "failed", message: expect.stringMatching(/No outcome/) });
    expect(byId.get(crashed)?.gaps[0]).toMatchObject({
      service: "states",
      message: expect.stringMatching(/Sandbox.Timedout/),
    });
    // The payer-read Cost Explorer skip is not a gap when the payer's read worked.
    expect(byId.get(quiet)?.gaps).toEqual([]);
    expect(byId.get(quiet)?.coverageComplete).toBe(true);
    expect(report.summary).toMatchObject({
      accounts: 5,
      audited: 2,
      failed: 3,
      notAudited: 1,
      accountsWithFindings: 1,
      findings: 2,
      worstSeverity: "critical",
      coverageComplete: false,
    });
    expect(report.summary.bySeverity).toMatchObject({ critical: 1, medium: 1, high: 0 });
  });

  it("is complete only when every account was audited in full and the payer's costs were read", () => {
    const base = { listing: listing([mining, quiet]), outcomes, reports, generatedAt: NOW };
    expect(aggregateOrganization({ ...base, costs: okCosts() }).summary.coverageComplete).toBe(true);
    const failedCosts: OrgCosts = { ...okCosts(), status: "failed", reason: "access-denied", message: "denied" };
    const withoutCosts = aggregateOrganization({ ...base, costs: failedCosts });
    expect(withoutCosts.summary.coverageComplete).toBe(false);
    // Without the payer's read, each account's own Cost Explorer skip is a real gap again.
    expect(withoutCosts.accounts.find((a) => a.accountId === quiet)?.gaps).toEqual([payerSkip]);
  });

  it("attaches the payer's cost slice and anomalies to their linked account", () => {
    const anomaly = {
      anomalyId: "anomaly-1",
      startDate: "2026-03-09",
      totalImpactUsd: 812,
      rootCauses: [{ service: "Amazon Elastic Compute Cloud - Compute", linkedAccount: mining }],
    };
    const slice = {
      latestDayUsd: 900,
      baselineDailyUsd: 40,
      computeLatestUsd: 850,
      computeBaselineDailyUsd: 10,
      newServices: [],
    };
    const report = aggregateOrganization({
      listing: listing([mining, quiet]),
      outcomes,
      reports,
      costs: okCosts({ [mining]: slice }, [anomaly]),
      generatedAt: NOW,
    });
    const section = report.accounts.find((a) => a.accountId === mining);
    expect(section?.costs).toEqual(slice);
    expect(section?.anomalies).toEqual([anomaly]);
    expect(report.accounts.find((a) => a.accountId === quiet)?.anomalies).toEqual([]);
    const email = renderOrgEmail(report, {
      reportLocation: "s3://b/k",
      consoleRegion: "us-east-1",
      managementAccountId: "111111111111",
    });
    expect(email.body).toContain(`Accounts spending over 2x their 14-day average on 2026-03-09 (1):`);
    expect(email.body).toContain("1 cost anomaly (impact $812)");
  });
});

describe("summarizeByAccount", () => {
  it("sums LINKED_ACCOUNT x SERVICE groups into each account's latest day, baseline average and new services", () => {
    const group = (account: string, service: string, amount: number) => ({
      Keys: [account, service],
      Metrics: { UnblendedCost: { Amount: String(amount), Unit: "USD" } },
    });
    const day = (date: string, groups: ReturnType<typeof group>[]) => ({
      TimePeriod: { Start: date, End: date },
      Groups: groups,
    });
    const compute = "Amazon Elastic Compute Cloud - Compute";
    const result = summarizeByAccount(
      [
        day("2026-03-07", [group("A", compute, 10), group("A", "Amazon S3", 2), group("B", "Amazon S3", 1)]),
        day("2026-03-08", [group("A", compute, 14), group("B", "Amazon S3", 1)]),
        day("2026-03-09", [group("A", compute, 300), group("A", "Amazon SageMaker", 55), group("B", "Amazon S3", 0.5)]),
        // Outside the days asked about: ignored.
        day("2026-01-01", [group("A", compute, 1000)]),
      ],
      ["2026-03-07", "2026-03-08"],
      "2026-03-09",
    );
    expect(result.currency).toBe("USD");
    expect(result.byAccount.A).toEqual({
      latestDayUsd: 355,
      baselineDailyUsd: 13,
      computeLatestUsd: 300,
      computeBaselineDailyUsd: 12,
      newServices: [{ service: "Amazon SageMaker", usd: 55 }],
    });
    expect(result.byAccount.B?.latestDayUsd).toBe(0.5);
    expect(result.byAccount.B?.newServices).toEqual([]);
  });
});

describe("aggregate handler", () => {
  const ceMock = mockClient(CostExplorerClient);
  const snsMock = mockClient(SNSClient);
  let bucket: ReturnType<typeof fakeBucket>;
  let table: ReturnType<typeof fakeStateTable>;
  beforeEach(() => {
    bucket = fakeBucket();
    table = fakeStateTable();
    snsMock.on(PublishCommand).resolves({ MessageId: "message-1" });
  });
  afterEach(() => {
    ceMock.reset();
    snsMock.reset();
    bucket.mock.restore();
    table.mock.restore();
  });

  function handler() {
    return createAggregateHandler({
      s3: bucket.client,
      sns: new SNSClient({ region: "us-east-1" }),
      clients: fakeClientFactory({ costExplorer: () => new CostExplorerClient({ region: "us-east-1" }) }),
      dynamo: table.client,
      env: {
        REPORT_BUCKET: BUCKET,
        TOPIC_ARN: "arn:aws:sns:us-east-1:111111111111:minewatch-findings",
        STATE_TABLE: "minewatch-org-state",
      },
      now: () => NOW,
      consoleRegion: "us-east-1",
    });
  }

  it("reads Cost Explorer once for all linked accounts, stores one report and publishes one email grouped by account", async () => {
    const [mining, denied] = [accountId(1), accountId(3)];
    const report = memberReport(mining, [{ n: 7, severity: "high" }]);
    bucket.put(`${RUN_PREFIX}/accounts.json`, listing([mining, denied]));
    bucket.put(`${RUN_PREFIX}/outcomes/${mining}.json`, audited(mining, report));
    bucket.put(`reports/${mining}/2026/03/10/run-1.report.json`, report);
    bucket.put(`${RUN_PREFIX}/outcomes/${denied}.json`, {
      status: "failed",
      accountId: denied,
      accountName: "legacy",
      stage: "assume-role",
      reason: "access-denied",
      message: "Could not assume the role (AccessDenied)",
    });
    ceMock
      .on(GetCostAndUsageCommand)
      .resolvesOnce({ ResultsByTime: [], NextPageToken: "p2" })
      .resolvesOnce({ ResultsByTime: [] });
    ceMock.on(GetAnomaliesCommand).resolves({ Anomalies: [] });

    const result = await handler()(
      { runId: "run-1", startedAt: "2026-03-10T06:00:00.000Z", runPrefix: RUN_PREFIX },
      { invokedFunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:aggregate" },
    );

    expect(ceMock).toHaveReceivedCommandTimes(GetCostAndUsageCommand, 2); // two pages of one query
    expect(ceMock).toHaveReceivedCommandWith(GetCostAndUsageCommand, {
      Granularity: "DAILY",
      GroupBy: [
        { Type: "DIMENSION", Key: "LINKED_ACCOUNT" },
        { Type: "DIMENSION", Key: "SERVICE" },
      ],
    });
    expect(ceMock).toHaveReceivedCommandTimes(GetAnomaliesCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(result.summary).toMatchObject({ accounts: 2, audited: 1, failed: 1, findings: 1 });
    expect(result.reportLocation).toBe(`s3://${BUCKET}/${RUN_PREFIX}/organization.report.json`);
    expect(bucket.json(`${RUN_PREFIX}/organization.report.json`)).toMatchObject({
      kind: "organization",
      runId: "run-1",
    });

    const publish = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    const email = JSON.parse(String(publish?.Message)).email as string;
    expect(publish?.Subject).toBe(
      "Minewatch org HIGH: 1 finding (1 new) in 1 of 2 accounts - 1 NOT audited - INCOMPLETE",
    );
    expect(email.indexOf(`== ${mining}`)).toBeGreaterThan(0);
    expect(email).toContain("ACCOUNTS NOT AUDITED (1)");
    expect(email).toContain(`${denied} "legacy": sts AssumeRole failed (access-denied)`);
    expect(email).toContain("Management account 111111111111");
  });

  it("remembers each account's findings between runs: new, still open, resolved, and not re-checked", async () => {
    const [steady, lapsed] = [accountId(1), accountId(2)];
    ceMock.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    ceMock.on(GetAnomaliesCommand).resolves({ Anomalies: [] });
    const run = async (runId: string, reports: Record<string, AuditReport | "failed">) => {
      const prefix = `org-runs/2026/03/10/${runId}`;
      bucket.put(`${prefix}/accounts.json`, { ...listing(Object.keys(reports)), runId, runPrefix: prefix });
      for (const [id, report] of Object.entries(reports)) {
        if (report === "failed") {
          bucket.put(`${prefix}/outcomes/${id}.json`, {
            status: "failed",
            accountId: id,
            accountName: "lapsed",
            stage: "assume-role",
            reason: "access-denied",
            message: "Could not assume the role (AccessDenied)",
          });
          continue;
        }
        const outcome = audited(id, report);
        const location = `s3://${BUCKET}/reports/${id}/${runId}.report.json`;
        bucket.put(`${prefix}/outcomes/${id}.json`, { ...outcome, reportLocation: location });
        bucket.put(`reports/${id}/${runId}.report.json`, report);
      }
      snsMock.resetHistory();
      const result = await handler()({ runId, startedAt: "2026-03-10T06:00:00.000Z", runPrefix: prefix });
      const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
      return { result, input, email: JSON.parse(String(input?.Message)).email as string };
    };

    const first = await run("run-1", {
      [steady]: memberReport(steady, [
        { n: 1, severity: "high" },
        { n: 2, severity: "medium" },
      ]),
      [lapsed]: memberReport(lapsed, [{ n: 3, severity: "critical" }]),
    });
    expect(first.result.summary).toMatchObject({ findings: 3, new: 3, resolved: 0, notRechecked: 0 });
    expect(first.result.stateErrors).toEqual([]);
    expect(first.input?.MessageAttributes?.newSeverity?.StringValue).toBe("critical");
    expect(table.items.size).toBe(3);

    // Next day: finding 1 is still there, 2 is gone, 4 appeared; the second account could not be audited.
    const second = await run("run-2", {
      [steady]: memberReport(steady, [
        { n: 1, severity: "high" },
        { n: 4, severity: "high" },
      ]),
      [lapsed]: "failed",
    });
    const f = (n: number) => syntheticFinding(n).id;
    expect(second.result.summary).toMatchObject({ findings: 2, new: 1, resolved: 1, notRechecked: 1 });
    expect(second.input?.Subject).toMatch(/^Minewatch org HIGH: 2 findings \(1 new\)/);
    expect(second.email).toContain("Since the last run: 1 new, 1 still open, 1 resolved, 1 open but NOT re-checked");
    expect(second.email).toContain(`- NEW [HIGH]`);
    expect(second.email).toContain(`RESOLVED SINCE THE LAST RUN (1)`);
    expect(second.email).toContain(`(${f(2)})`);
    expect(second.email).toContain(`STILL OPEN, NOT RE-CHECKED (1)`);
    expect(second.email).toContain(`(${f(3)})`);
    const summary = JSON.parse(String(second.input?.Message)).default as string;
    expect(summary).toContain(f(4));
    // Resolved is deleted; the unaudited account's finding stays open for the day it is audited again.
    expect([...table.items.keys()].sort()).toEqual(
      [`${steady}|${f(1)}`, `${steady}|${f(4)}`, `${lapsed}|${f(3)}`].sort(),
    );
  });

  it("a failed state write is returned and logged, not thrown after the email went out", async () => {
    const id = accountId(1);
    const report = memberReport(id, [{ n: 1, severity: "high" }]);
    bucket.put(`${RUN_PREFIX}/accounts.json`, listing([id]));
    bucket.put(`${RUN_PREFIX}/outcomes/${id}.json`, audited(id, report));
    bucket.put(`reports/${id}/2026/03/10/run-1.report.json`, report);
    ceMock.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    ceMock.on(GetAnomaliesCommand).resolves({ Anomalies: [] });
    table.mock
      .on(PutCommand)
      .rejects(Object.assign(new Error("throttled"), { name: "ProvisionedThroughputExceededException" }));
    const result = await handler()({ runId: "run-1", startedAt: "2026-03-10T06:00:00.000Z", runPrefix: RUN_PREFIX });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(result.stateErrors).toEqual([{ accountId: id, error: expect.stringContaining("throttled") }]);
  });

  it("an unreadable state still sends the email: that account's findings read as new, the error is returned", async () => {
    const id = accountId(1);
    const report = memberReport(id, [{ n: 1, severity: "high" }]);
    bucket.put(`${RUN_PREFIX}/accounts.json`, listing([id]));
    bucket.put(`${RUN_PREFIX}/outcomes/${id}.json`, audited(id, report));
    bucket.put(`reports/${id}/2026/03/10/run-1.report.json`, report);
    ceMock.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    ceMock.on(GetAnomaliesCommand).resolves({ Anomalies: [] });
    table.mock.on(QueryCommand).rejects(Object.assign(new Error("table gone"), { name: "ResourceNotFoundException" }));
    const result = await handler()({ runId: "run-1", startedAt: "2026-03-10T06:00:00.000Z", runPrefix: RUN_PREFIX });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(result.summary).toMatchObject({ findings: 1, new: 1 });
    expect(result.stateErrors).toContainEqual({
      accountId: id,
      error: expect.stringContaining("reading state: ResourceNotFoundException"),
    });
  });

  it("reports the payer's Cost Explorer failure as the organization's gap instead of failing", async () => {
    const quiet = accountId(2);
    const report = memberReport(quiet, []);
    bucket.put(`${RUN_PREFIX}/accounts.json`, listing([quiet]));
    bucket.put(`${RUN_PREFIX}/outcomes/${quiet}.json`, audited(quiet, report));
    bucket.put(`reports/${quiet}/2026/03/10/run-1.report.json`, report);
    ceMock
      .on(GetCostAndUsageCommand)
      .rejects(
        Object.assign(new Error("User not enabled for cost explorer access"), { name: "AccessDeniedException" }),
      );
    ceMock.on(GetAnomaliesCommand).resolves({ Anomalies: [] });

    const result = await handler()({ runId: "run-1", startedAt: "2026-03-10T06:00:00.000Z", runPrefix: RUN_PREFIX });

    expect(result.summary.coverageComplete).toBe(false);
    const email = JSON.parse(String(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message)).email as string;
    expect(email).toContain("NOT read: cost-explorer-not-enabled");
  });
});

describe("organization email size", () => {
  it("fits SNS's 256 KB with 500 accounts (10 findings each, 100 not audited) and still names every account not audited", () => {
    const ids = Array.from({ length: 500 }, (_, i) => accountId(1000 + i));
    const outcomes = new Map<string, AccountOutcome>();
    const reports = new Map<string, AuditReport>();
    ids.forEach((id, i) => {
      if (i % 5 === 4) {
        outcomes.set(id, {
          status: "failed",
          accountId: id,
          accountName: `account ${i}`,
          stage: "assume-role",
          reason: "access-denied",
          message: `Could not assume arn:aws:iam::${id}:role/MinewatchAuditRole (AccessDenied: ${"x".repeat(200)})`,
        });
        return;
      }
      const report = memberReport(
        id,
        Array.from({ length: 10 }, (_, n) => ({
          n: i * 100 + n,
          severity: n === 0 ? ("critical" as const) : ("high" as const),
        })),
      );
      reports.set(id, report);
      outcomes.set(id, audited(id, report));
    });
    const report = aggregateOrganization({
      listing: listing(ids),
      outcomes,
      reports,
      costs: okCosts(),
      generatedAt: NOW,
    });
    const email = renderOrgEmail(report, {
      reportLocation: `s3://${BUCKET}/${RUN_PREFIX}/organization.report.json`,
      consoleRegion: "us-east-1",
      managementAccountId: "111111111111",
    });
    const bytes = snsPublishBytes({
      topicArn: "arn:aws:sns:us-east-1:111111111111:t",
      subject: email.subject,
      emailBody: email.body,
      summary: {
        tool: "minewatch",
        mode: "organization",
        runId: "run-1",
        accountId: "111111111111",
        generatedAt: NOW.toISOString(),
        worstSeverity: "critical",
        findings: 4000,
        new: 0,
        ongoing: 4000,
        resolved: 0,
        estimatedHourlyCostUsd: 1,
        coverageComplete: false,
        reportLocation: "s3://b/k",
        newFindingIds: [],
      },
      severity: "critical",
      newSeverity: null,
    });
    expect(report.summary).toMatchObject({ accounts: 500, audited: 400, failed: 100, findings: 4000 });
    expect(bytes).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
    expect(email.reduced).toBe(true);
    expect(email.subject.length).toBeLessThan(100);
    expect(email.subject).toMatch(/^Minewatch org CRITICAL: 4000 findings in 400 of 500 accounts/);
    for (const [id, outcome] of outcomes) if (outcome.status === "failed") expect(email.body).toContain(id);
  });
});
