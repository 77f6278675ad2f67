import { GetObjectCommand, PutObjectCommand, type PutObjectCommandInput, S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClientFactory } from "../../lambda/collect/clients.js";
import { type RunAuditOptions, runAudit as realRunAudit } from "../../lambda/core/run.js";
import type { WebContent } from "../../lambda/core/sections/web-content.js";
import type { AccountSnapshot } from "../../lambda/core/snapshot.js";
import { AccountSnapshotSchema } from "../../lambda/core/snapshot.js";
import {
  type AuditHandler,
  type AuditResponse,
  type AuditSuccess,
  createHandler,
} from "../../lambda/handlers/audit-handler.js";
import { type AuditReport, AuditReportSchema } from "../../lambda/report/model.js";
import { loadScenario } from "../support/scenarios.js";
import {
  ACCOUNT_ID,
  ENABLED_REGION_COUNT,
  fakeStateTable,
  fullCoverage,
  miningSnapshot,
  quietSnapshot,
  syntheticFinding,
  syntheticReport,
  WINDOW_END,
} from "./fixtures.js";

const TOPIC_ARN = `arn:aws:sns:eu-west-1:${ACCOUNT_ID}:minewatch-findings`;
const ENV = {
  TOPIC_ARN,
  REPORT_BUCKET: "minewatch-reports-123456789012",
  STATE_TABLE: "minewatch-state",
};
const SNS_LIMIT = 256 * 1024;
const HOUR = 3600_000;

const snsMock = mockClient(SNSClient);
const s3Mock = mockClient(S3Client);

interface Harness {
  handler: AuditHandler;
  table: ReturnType<typeof fakeStateTable>;
  runAudit: ReturnType<typeof vi.fn<(o: RunAuditOptions) => ReturnType<typeof realRunAudit>>>;
  setSnapshot(s: AccountSnapshot): void;
  setReport(r: AuditReport): void;
  setNow(iso: string): void;
}

let table: ReturnType<typeof fakeStateTable> | undefined;

/**
 * The handler with every AWS boundary mocked and the REAL audit core run on a snapshot (or, for
 * sizes the core cannot produce from a small fixture, a synthetic report of that size).
 */
function harness(env: Record<string, string> = ENV): Harness {
  table = fakeStateTable();
  let snapshot: AccountSnapshot = quietSnapshot();
  let report: AuditReport | undefined;
  let now = new Date(WINDOW_END);
  const runAudit = vi.fn(async (options: RunAuditOptions) => {
    const run = await realRunAudit({ ...options, snapshot });
    return report ? { snapshot, report: { ...report, generatedAt: now.toISOString() } } : run;
  });
  const handler = createHandler({
    clients: createClientFactory({ credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } }),
    sns: new SNSClient({ region: "eu-west-1" }),
    s3: new S3Client({ region: "eu-west-1" }),
    dynamo: table.client,
    now: () => now,
    env,
    runAudit,
    consoleRegion: "eu-west-1",
    log: () => {},
    accountId: async () => snapshot.accountId,
  });
  return {
    handler,
    table,
    runAudit,
    setSnapshot: (s) => {
      snapshot = s;
    },
    setReport: (r) => {
      report = r;
    },
    setNow: (iso) => {
      now = new Date(iso);
    },
  };
}

/** No findings, and eu-north-1's inventory was denied. */
function incompleteEmptyReport(): AuditReport {
  const report = syntheticReport([]);
  const gap = fullCoverage(["eu-north-1"]).find((entry) => entry.status !== "ok");
  return {
    ...report,
    summary: { ...report.summary, coverageComplete: false },
    coverage: {
      complete: false,
      regionsAudited: report.coverage.regionsAudited.filter((r) => r !== "eu-north-1"),
      regionsNotAudited: [
        ...report.coverage.regionsNotAudited,
        { region: "eu-north-1", reason: "EC2 inventory failed (access-denied)" },
      ],
      gaps: gap ? [gap] : [],
    },
  };
}

function published(): PublishCommandInput[] {
  return snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);
}

function emailOf(input: PublishCommandInput): { default: string; email: string } {
  expect(input.MessageStructure).toBe("json");
  return JSON.parse(input.Message ?? "") as { default: string; email: string };
}

function puts(): PutObjectCommandInput[] {
  return s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
}

function success(response: AuditResponse): AuditSuccess {
  if (!response.ok) throw new Error(`expected ok, got ${response.error}`);
  return response;
}

function expectValidSubject(subject: string | undefined): string {
  expect(subject).toBeDefined();
  const s = subject ?? "";
  expect(s).toMatch(/^[\x20-\x7e]+$/);
  expect(s).not.toMatch(/[\r\n]/);
  expect(s.length).toBeLessThan(100);
  return s;
}

beforeEach(() => {
  snsMock.reset();
  s3Mock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: "msg-1" });
  s3Mock.on(PutObjectCommand).resolves({});
});

afterEach(() => {
  table?.mock.restore();
});

describe("scheduled daily run", () => {
  it("stores report and snapshot, publishes one email, and records the finding", async () => {
    const h = harness();
    h.setSnapshot(miningSnapshot());
    const response = success(
      await h.handler({ mode: "daily" }, { awsRequestId: "9f1c2d3e-aaaa-bbbb-cccc-000000000000" }),
    );

    // Stored: both documents under the dated key, JSON content type, parseable by their schemas.
    const stored = puts();
    expect(stored).toHaveLength(2);
    const runId = "20260310T060000Z-9f1c2d3e";
    expect(response.runId).toBe(runId);
    const reportPut = stored.find((p) => p.Key?.endsWith(".report.json"));
    const snapshotPut = stored.find((p) => p.Key?.endsWith(".snapshot.json"));
    expect(reportPut?.Key).toBe(`reports/${ACCOUNT_ID}/2026/03/10/${runId}.report.json`);
    expect(snapshotPut?.Key).toBe(`reports/${ACCOUNT_ID}/2026/03/10/${runId}.snapshot.json`);
    expect(reportPut?.Bucket).toBe(ENV.REPORT_BUCKET);
    expect(reportPut?.ContentType).toMatch(/^application\/json/);
    const storedReport = AuditReportSchema.parse(JSON.parse(String(reportPut?.Body)));
    AccountSnapshotSchema.parse(JSON.parse(String(snapshotPut?.Body)));
    expect(response.reportLocation).toBe(`s3://${ENV.REPORT_BUCKET}/${reportPut?.Key}`);

    // Published: exactly one message, a valid subject, an email body within limits.
    const messages = published();
    expect(messages).toHaveLength(1);
    const message = messages[0] as PublishCommandInput;
    const subject = expectValidSubject(message.Subject);
    expect(subject).toMatch(/^Minewatch CRITICAL: 1 new, 0 ongoing - est\. \$\d+\/h - acct 123456789012$/);
    expect(Buffer.byteLength(message.Message ?? "", "utf8")).toBeLessThan(SNS_LIMIT);
    expect(message.MessageAttributes?.severity).toEqual({ DataType: "String", StringValue: "critical" });
    const body = emailOf(message);
    const finding = storedReport.findings[0];
    expect(finding).toBeDefined();
    expect(body.email).toContain("NEW FINDINGS (1)");
    expect(body.email).toContain(finding?.resources[0]?.id);
    expect(body.email).toContain(
      `https://sa-east-1.console.aws.amazon.com/ec2/home?region=sa-east-1#InstanceDetails:instanceId=${finding?.resources[0]?.id}`,
    );
    expect(body.email).toContain("$ aws ");
    expect(body.email).toContain(response.reportLocation);
    const summary = JSON.parse(body.default) as { newFindingIds: string[]; worstSeverity: string };
    expect(summary).toMatchObject({ worstSeverity: "critical", newFindingIds: [finding?.id] });

    // State: one item for the open finding.
    expect([...h.table.items.values()].map((i) => i.sk)).toEqual([finding?.id]);
    expect(response).toMatchObject({ published: true, messageId: "msg-1", summary: { new: 1, ongoing: 0 } });
    expect(response.report?.findings[0]?.id).toBe(finding?.id);
  });

  it("calls a finding seen again ongoing since the first run, and resolved once it is gone", async () => {
    const h = harness();
    h.setSnapshot(miningSnapshot());
    success(await h.handler({ mode: "daily" }));

    h.setNow("2026-03-11T06:00:00.000Z");
    const second = success(await h.handler({ mode: "daily" }));
    const secondMessage = published()[1] as PublishCommandInput;
    expect(expectValidSubject(secondMessage.Subject)).toMatch(/^Minewatch CRITICAL: 0 new, 1 ongoing/);
    const secondBody = emailOf(secondMessage).email;
    expect(secondBody).toContain("STILL GOING ON (1)");
    expect(secondBody).toContain("first reported 2026-03-10 06:00 UTC (ongoing)");
    expect(secondBody).not.toContain("NEW FINDINGS");
    expect(second.summary).toMatchObject({ new: 0, ongoing: 1 });
    const item = [...h.table.items.values()][0];
    expect(item).toMatchObject({ firstReported: "2026-03-10T06:00:00.000Z", lastSeen: "2026-03-11T06:00:00.000Z" });

    h.setNow("2026-03-12T06:00:00.000Z");
    h.setSnapshot(quietSnapshot());
    const third = success(await h.handler({ mode: "daily" }));
    const thirdMessage = published()[2] as PublishCommandInput;
    expect(expectValidSubject(thirdMessage.Subject)).toBe(
      `Minewatch all clear - 0 findings, 1 resolved - ${ENABLED_REGION_COUNT} regions audited - acct ${ACCOUNT_ID}`,
    );
    expect(emailOf(thirdMessage).email).toContain("RESOLVED SINCE THE LAST RUN (1)");
    expect(third.summary).toMatchObject({ resolved: 1, findings: 0 });
    expect(h.table.items.size).toBe(0);
  });

  it("keeps a finding open, not resolved, when its region could not be audited this time", async () => {
    const h = harness();
    h.setSnapshot(miningSnapshot());
    success(await h.handler({ mode: "daily" }));
    h.setNow("2026-03-11T06:00:00.000Z");
    h.setSnapshot(quietSnapshot({ coverage: fullCoverage(["sa-east-1"]) }));
    const response = success(await h.handler({ mode: "daily" }));
    expect(response.summary).toMatchObject({ resolved: 0, notRechecked: 1 });
    const message = published()[1] as PublishCommandInput;
    // The denied region is itself a finding (MW-COVERAGE-GAP), and the subject says coverage is incomplete.
    expect(expectValidSubject(message.Subject)).toMatch(
      /^Minewatch MEDIUM: 1 new, 0 ongoing - INCOMPLETE coverage - acct 123456789012$/,
    );
    expect(emailOf(message).email).toContain("STILL OPEN, NOT RE-CHECKED (1)");
    // The mining finding stays open, last seen by the first run; the gap finding is recorded too.
    const items = [...h.table.items.values()];
    expect(items).toHaveLength(2);
    expect(items.find((i) => i.region === "sa-east-1")).toMatchObject({ lastSeen: "2026-03-10T06:00:00.000Z" });
  });

  it("sends an all-clear email when the real core finds nothing in a fully read account", async () => {
    const h = harness();
    h.setSnapshot(quietSnapshot());
    success(await h.handler({ mode: "daily" }));
    const messages = published();
    expect(messages).toHaveLength(1);
    expect(expectValidSubject(messages[0]?.Subject)).toBe(
      `Minewatch all clear - 0 findings - ${ENABLED_REGION_COUNT} regions audited - acct ${ACCOUNT_ID}`,
    );
    expect(messages[0]?.MessageAttributes?.severity?.StringValue).toBe("none");
  });

  it("says INCOMPLETE, not all clear, when nothing was found but a region was not read", async () => {
    const h = harness();
    h.setReport(incompleteEmptyReport());
    success(await h.handler({ mode: "daily" }));
    const subject = expectValidSubject(published()[0]?.Subject);
    expect(subject).toBe(`Minewatch INCOMPLETE: 0 findings - 13 of 14 regions audited - acct ${ACCOUNT_ID}`);
    expect(emailOf(published()[0] as PublishCommandInput).email).toContain("this is not an all clear");
  });

  it("with ALL_CLEAR_EMAIL=false stays quiet on a complete all clear but still reports incomplete coverage", async () => {
    const h = harness({ ...ENV, ALL_CLEAR_EMAIL: "false" });
    h.setSnapshot(quietSnapshot());
    const quiet = success(await h.handler({ mode: "daily" }));
    expect(quiet.published).toBe(false);
    expect(published()).toHaveLength(0);

    h.setReport(incompleteEmptyReport());
    success(await h.handler({ mode: "daily" }));
    expect(published()).toHaveLength(1);
    expect(published()[0]?.Subject).toMatch(/^Minewatch INCOMPLETE: 0 findings/);
  });

  it("keeps an account with 5,000 findings under the SNS limit and the report out of the response", async () => {
    const h = harness();
    h.setReport(
      syntheticReport(Array.from({ length: 5000 }, (_, n) => syntheticFinding(n, n < 10 ? "critical" : "high"))),
    );
    const response = success(await h.handler({ mode: "daily" }));
    const message = published()[0] as PublishCommandInput;
    const total =
      Buffer.byteLength(message.Message ?? "", "utf8") +
      Buffer.byteLength(message.Subject ?? "", "utf8") +
      Buffer.byteLength(JSON.stringify(message.MessageAttributes), "utf8");
    expect(total).toBeLessThan(SNS_LIMIT);
    expect(expectValidSubject(message.Subject)).toMatch(/^Minewatch CRITICAL: 5000 new, 0 ongoing - est\. \$3,400\/h/);
    expect(emailOf(message).email).toMatch(/and \d+ more in the full report/);
    expect(response.report).toBeUndefined();
    expect(response.notes.join(" ")).toContain("read it at reportLocation");
    expect(h.table.items.size).toBe(5000);
  });
});

describe("sweep", () => {
  it("publishes nothing when nothing critical or high is new, and pages once when it is", async () => {
    const h = harness();
    h.setSnapshot(miningSnapshot());
    success(await h.handler({ mode: "daily" }));
    expect(published()).toHaveLength(1);

    h.setNow("2026-03-10T07:00:00.000Z");
    const again = success(await h.handler({ mode: "sweep" }));
    expect(again.published).toBe(false);
    expect(published()).toHaveLength(1);

    h.setReport(syntheticReport([syntheticFinding(1, "medium")]));
    const medium = success(await h.handler({ mode: "sweep" }));
    expect(medium.published).toBe(false);
    // The medium finding waits for the digest: the sweep did not record it.
    expect(h.table.items.has(`${ACCOUNT_ID}|${syntheticFinding(1).id}`)).toBe(false);

    h.setReport(syntheticReport([syntheticFinding(2, "high")]));
    const high = success(await h.handler({ mode: "sweep" }));
    expect(high.published).toBe(true);
    expect(published()).toHaveLength(2);
    expect(published()[1]?.MessageAttributes?.newSeverity?.StringValue).toBe("high");
    expect(h.table.items.has(`${ACCOUNT_ID}|${syntheticFinding(2).id}`)).toBe(true);
    // Nothing is resolved by a sweep: the mining finding it did not see stays open.
    expect(h.table.items.size).toBe(2);
  });
});

describe("manual incident run", () => {
  it.each([
    [{ mode: "incident", lookbackHours: "6" }, /^lookbackHours: expected a number/],
    [{ mode: "incident", regions: ["Mars-1"] }, /^regions\.0: expected an AWS region/],
    [{ mode: "incident", accessKeyId: "not-a-key" }, /^accessKeyId: expected an access key id/],
    [{ mode: "incident", start: "yesterday" }, /^start: expected an ISO date-time/],
    [{ mode: "incident", lookbakHours: 6 }, /lookbakHours/],
    [{ mode: "weekly" }, /^mode: expected "daily", "sweep" or "incident"/],
    [{}, /^mode:/],
    ["daily", /must be a JSON object/],
  ])("answers %j with ok:false naming the field", async (event, error) => {
    const h = harness();
    const response = await h.handler(event);
    expect(response.ok).toBe(false);
    expect(response.ok ? "" : response.error).toMatch(error);
    expect(h.runAudit).not.toHaveBeenCalled();
    expect(published()).toHaveLength(0);
    expect(puts()).toHaveLength(0);
  });

  it("audits the requested regions and window, does not publish or touch state by default, and says what the focus does", async () => {
    const h = harness();
    h.setSnapshot(miningSnapshot());
    const response = success(
      await h.handler({
        mode: "incident",
        regions: ["sa-east-1", "us-east-1"],
        lookbackHours: 6,
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      }),
    );
    expect(h.runAudit).toHaveBeenCalledOnce();
    const options = h.runAudit.mock.calls[0]?.[0];
    expect(options?.regions).toEqual(["sa-east-1", "us-east-1"]);
    expect(options?.window).toEqual({ start: new Date(Date.parse(WINDOW_END) - 6 * HOUR), end: new Date(WINDOW_END) });
    expect(response.published).toBe(false);
    expect(published()).toHaveLength(0);
    expect(puts()).toHaveLength(2);
    expect(h.table.mock.commandCalls(PutCommand)).toHaveLength(0);
    expect(h.table.mock.commandCalls(UpdateCommand)).toHaveLength(0);
    // No finding in this snapshot is attributed to anyone: all are kept, and the note says so.
    expect(response.notes.join(" ")).toMatch(/Focused on AKIAIOSFODNN7EXAMPLE: 0 finding\(s\) attributed/);
    expect(response.notes.join(" ")).toMatch(/0 attributed only to other principals set aside/);
    expect(response.report?.findings.length).toBeGreaterThan(0);
  });

  it("publishes on request, with the focus in the email header", async () => {
    const h = harness();
    h.setSnapshot(miningSnapshot());
    success(
      await h.handler({
        mode: "incident",
        start: "2026-03-10T00:00:00Z",
        end: "2026-03-10T06:00:00Z",
        principal: `arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy`,
        publish: true,
      }),
    );
    const message = published()[0] as PublishCommandInput;
    expect(expectValidSubject(message.Subject)).toMatch(/^Minewatch incident run CRITICAL: 1 finding - /);
    const email = emailOf(message).email;
    expect(email).toContain(`Focus: principal arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy.`);
    expect(email.replace(/\s+/g, " ")).toContain("findings CloudTrail attributes to this key or principal");
    expect(h.runAudit.mock.calls[0]?.[0].window).toEqual({
      start: new Date("2026-03-10T00:00:00Z"),
      end: new Date("2026-03-10T06:00:00Z"),
    });
  });
});

describe("failures", () => {
  it("keeps the stored report, records no state and throws when SNS publishing fails", async () => {
    const h = harness();
    h.setSnapshot(miningSnapshot());
    snsMock
      .on(PublishCommand)
      .rejects(Object.assign(new Error("Service unavailable"), { name: "InternalErrorException" }));
    await expect(h.handler({ mode: "daily" })).rejects.toThrow(
      new RegExp(
        `could not publish.*stored at s3://${ENV.REPORT_BUCKET}/reports/${ACCOUNT_ID}/2026/03/10/.*\\.report\\.json`,
      ),
    );
    expect(puts().map((p) => p.Key?.split(".").slice(-2).join("."))).toEqual(
      expect.arrayContaining(["report.json", "snapshot.json"]),
    );
    expect(h.table.items.size).toBe(0);
  });

  it.each([
    {
      name: "an EventBridge rule's Scheduled Event",
      event: { "detail-type": "Scheduled Event", source: "aws.events", detail: {} },
    },
    { name: "Scheduler's default input", event: { source: "aws.scheduler", detail: {} } },
  ])("throws for $name: a schedule wired without the payload must not pass quietly", async ({ event }) => {
    const h = harness();
    await expect(h.handler(event)).rejects.toThrow(/set the schedule's input to \{"mode":"daily"\}/);
    expect(h.runAudit).not.toHaveBeenCalled();
  });

  it("throws when the audit itself fails (an AWS outage must fire the Errors alarm)", async () => {
    const h = harness();
    h.runAudit.mockRejectedValueOnce(Object.assign(new Error("Could not connect"), { name: "TimeoutError" }));
    await expect(h.handler({ mode: "daily" })).rejects.toThrow("Could not connect");
    expect(published()).toHaveLength(0);
  });

  it("throws naming the variable when the environment is incomplete", async () => {
    const h = harness({ REPORT_BUCKET: ENV.REPORT_BUCKET, STATE_TABLE: ENV.STATE_TABLE });
    await expect(h.handler({ mode: "daily" })).rejects.toThrow(/TOPIC_ARN: is not set/);
    expect(h.runAudit).not.toHaveBeenCalled();
  });
});

/** The account of scenarios/web-miner-site. */
const WEB_ACCOUNT_ID = "210987654321";

describe("web script sources kept between runs", () => {
  const KEY = `reports/${WEB_ACCOUNT_ID}/state/web-script-sources.json`;
  const notFound = () => Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey" });

  async function webSite(): Promise<{
    current: AccountSnapshot;
    previous: NonNullable<WebContent["previousScriptSources"]>;
  }> {
    const { snapshot } = await loadScenario("web-miner-site");
    const previous = snapshot.webContent?.previousScriptSources;
    if (!snapshot.webContent || !previous) throw new Error("web-miner-site lost its previous script sources");
    const { previousScriptSources: _dropped, ...webContent } = snapshot.webContent;
    return { current: { ...snapshot, webContent }, previous };
  }
  const newScriptFindings = (report: AuditReport | undefined) =>
    (report?.findings ?? []).filter((f) => f.rules.includes("MW-WEB-NEW-SCRIPT-SOURCE"));

  it("compares with the file the last daily run stored, and replaces it", async () => {
    const h = harness();
    const { current, previous } = await webSite();
    h.setSnapshot(current);
    s3Mock.on(GetObjectCommand, { Bucket: ENV.REPORT_BUCKET, Key: KEY }).resolves({
      Body: { transformToString: async () => JSON.stringify({ schemaVersion: 1, ...previous }) } as never,
    });
    const response = success(await h.handler({ mode: "daily" }));
    expect(newScriptFindings(response.report).length).toBeGreaterThan(0);
    expect(response.report?.coverage.gaps.filter((g) => g.api === "previous-script-sources")).toEqual([]);

    const saved = puts().find((p) => p.Key === KEY);
    expect(saved?.Bucket).toBe(ENV.REPORT_BUCKET);
    const body = JSON.parse(String(saved?.Body));
    expect(body).toMatchObject({ schemaVersion: 1, collectedAt: current.collectedAt });
    const pages = current.webContent?.objects.filter((o) => o.key.endsWith(".html")) ?? [];
    expect(Object.keys(body.byObject).sort()).toEqual(pages.map((o) => `s3://${o.bucket}/${o.key}`).sort());
  });

  it("says so on the first run, when there is nothing to compare with yet", async () => {
    const h = harness();
    h.setSnapshot((await webSite()).current);
    s3Mock.on(GetObjectCommand).rejects(notFound());
    const response = success(await h.handler({ mode: "daily" }));
    expect(newScriptFindings(response.report)).toEqual([]);
    expect(response.report?.coverage.gaps).toContainEqual(
      expect.objectContaining({
        api: "previous-script-sources",
        status: "skipped",
        message: expect.stringContaining("first run with web scanning"),
      }),
    );
    expect(puts().some((p) => p.Key === KEY)).toBe(true);
  });

  it("records a denied read as a failed check, never as nothing new", async () => {
    const h = harness();
    h.setSnapshot((await webSite()).current);
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied" }));
    const response = success(await h.handler({ mode: "daily" }));
    expect(response.report?.summary.coverageComplete).toBe(false);
    expect(response.report?.coverage.gaps).toContainEqual(
      expect.objectContaining({ api: "previous-script-sources", status: "failed", reason: "access-denied" }),
    );
  });

  it("a file that is not Minewatch's is a failed check, and is replaced", async () => {
    const h = harness();
    h.setSnapshot((await webSite()).current);
    s3Mock.on(GetObjectCommand).resolves({ Body: { transformToString: async () => '{"hello":1}' } as never });
    const response = success(await h.handler({ mode: "daily" }));
    expect(response.report?.coverage.gaps).toContainEqual(
      expect.objectContaining({
        api: "previous-script-sources",
        status: "failed",
        message: expect.stringContaining("is not a Minewatch script-source file"),
      }),
    );
    expect(puts().some((p) => p.Key === KEY)).toBe(true);
  });

  it("only the daily run replaces the file: a sweep or incident run compares but keeps it", async () => {
    const h = harness();
    h.setSnapshot((await webSite()).current);
    s3Mock.on(GetObjectCommand).rejects(notFound());
    await h.handler({ mode: "sweep" });
    await h.handler({ mode: "incident" });
    expect(s3Mock.commandCalls(GetObjectCommand).filter((c) => c.args[0].input.Key === KEY)).toHaveLength(2);
    expect(puts().some((p) => p.Key === KEY)).toBe(false);
  });

  it("a failed write of the file is a note on a successful run", async () => {
    const h = harness();
    h.setSnapshot((await webSite()).current);
    s3Mock.on(GetObjectCommand).rejects(notFound());
    s3Mock
      .on(PutObjectCommand, { Key: KEY })
      .rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied" }));
    const response = success(await h.handler({ mode: "daily" }));
    expect(response.notes.join(" ")).toContain(
      `Could not store the pages' script sources for the next run (s3://${ENV.REPORT_BUCKET}/${KEY})`,
    );
  });

  it("reads nothing when the run scanned no web content", async () => {
    const h = harness();
    h.setSnapshot(miningSnapshot());
    await h.handler({ mode: "daily" });
    expect(s3Mock).toHaveReceivedCommandTimes(GetObjectCommand, 0);
  });
});

describe("Cost Explorer data kept from the daily run for the sweeps", () => {
  const KEY = `reports/${ACCOUNT_ID}/state/cost-explorer.json`;
  const costs = {
    currency: "USD",
    days: ["2026-03-08", "2026-03-09"],
    byRegion: { "eu-west-1": [40, 41] },
    byService: { "Amazon Elastic Compute Cloud - Compute": [30, 31] },
    byInstanceType: { "m5.xlarge": [30, 31] },
  };
  const ceOk = { region: "global", service: "ce", api: "GetCostAndUsage", status: "ok" as const };
  const cache = (collectedAt: string) => ({
    Body: {
      transformToString: async () =>
        JSON.stringify({ schemaVersion: 1, collectedAt, costs, costAnomalies: [], coverage: [ceOk] }),
    } as never,
  });

  it("the daily run stores what it read from Cost Explorer", async () => {
    const h = harness();
    h.setSnapshot(quietSnapshot({ costs, coverage: [...fullCoverage(), ceOk] }));
    await h.handler({ mode: "daily" });
    const saved = puts().find((p) => p.Key === KEY);
    expect(JSON.parse(String(saved?.Body))).toMatchObject({ schemaVersion: 1, costs, coverage: [ceOk] });
    expect(h.runAudit.mock.calls[0]?.[0].reuseCosts).toBeUndefined();
  });

  it("the daily run stores nothing when Cost Explorer could not be read", async () => {
    const h = harness();
    const denied = { ...ceOk, status: "failed" as const, reason: "access-denied" as const };
    h.setSnapshot(quietSnapshot({ coverage: [...fullCoverage(), denied] }));
    await h.handler({ mode: "daily" });
    expect(puts().some((p) => p.Key === KEY)).toBe(false);
  });

  it("a sweep reuses fresh data and reads nothing from Cost Explorer itself", async () => {
    const h = harness();
    s3Mock.on(GetObjectCommand, { Key: KEY }).resolves(cache("2026-03-10T05:00:00.000Z"));
    const response = success(await h.handler({ mode: "sweep" }));
    expect(h.runAudit.mock.calls[0]?.[0].reuseCosts).toMatchObject({ collectedAt: "2026-03-10T05:00:00.000Z", costs });
    expect(response.notes.join(" ")).not.toContain("Cost Explorer was read by this sweep");
    expect(puts().some((p) => p.Key === KEY)).toBe(false);
  });

  it.each([
    ["no daily run stored any", undefined, "no daily run has stored Cost Explorer data yet"],
    [
      "the stored data is two days old",
      "2026-03-08T05:00:00.000Z",
      "the stored Cost Explorer data is from 2026-03-08T05:00:00.000Z, over 26 h old",
    ],
  ])("a sweep reads Cost Explorer itself when %s, and says why", async (_case, collectedAt, why) => {
    const h = harness();
    if (collectedAt) s3Mock.on(GetObjectCommand, { Key: KEY }).resolves(cache(collectedAt));
    else s3Mock.on(GetObjectCommand, { Key: KEY }).rejects(Object.assign(new Error("missing"), { name: "NoSuchKey" }));
    const response = success(await h.handler({ mode: "sweep" }));
    expect(h.runAudit.mock.calls[0]?.[0].reuseCosts).toBeUndefined();
    expect(response.notes.join(" ")).toContain(`Cost Explorer was read by this sweep because ${why}`);
  });

  it("an incident run always reads Cost Explorer live", async () => {
    const h = harness();
    s3Mock.on(GetObjectCommand, { Key: KEY }).resolves(cache("2026-03-10T05:00:00.000Z"));
    await h.handler({ mode: "incident" });
    expect(h.runAudit.mock.calls[0]?.[0].reuseCosts).toBeUndefined();
    expect(s3Mock.commandCalls(GetObjectCommand).filter((c) => c.args[0].input.Key === KEY)).toHaveLength(0);
  });
});
