import { DescribeInstancesCommand, DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { collectAccount } from "../../lambda/collect/collect-account.js";
import type { RunAuditOptions } from "../../lambda/core/run.js";
import { createAuditAccountHandler, RetryableAccountError, sessionName } from "../../lambda/org/audit-account.js";
import { AccountOutcomeSchema, PAYER_COSTS_NOTE } from "../../lambda/org/contract.js";
import { AuditReportSchema } from "../../lambda/report/model.js";
import { quietSnapshot, syntheticFinding, syntheticReport } from "../handlers/fixtures.js";
import { fakeClientFactory } from "../support/fake-clients.js";
import { BUCKET, fakeBucket } from "./s3-fake.js";

const MEMBER = "222222222222";
const EXTERNAL_ID = "mw-external-0123456789abcdef";
const RUN = {
  runId: "run-20260310",
  startedAt: "2026-03-10T06:00:00.000Z",
  runPrefix: "org-runs/2026/03/10/run-20260310",
};
const ENV = {
  REPORT_BUCKET: BUCKET,
  REPORT_PREFIX: "reports",
  EXTERNAL_ID,
  MEMBER_ROLE_NAME: "MinewatchAuditRole",
  PARTITION: "aws",
};

const stsMock = mockClient(STSClient);
let bucket: ReturnType<typeof fakeBucket>;

const assumed = {
  Credentials: {
    AccessKeyId: "ASIAMEMBEREXAMPLE0001",
    SecretAccessKey: "member-secret",
    SessionToken: "member-session-token",
    Expiration: new Date("2026-03-10T07:00:00Z"),
  },
};

function setup(accountOfReport = MEMBER) {
  const clientsFor = vi.fn((_credentials: AwsCredentialIdentity) => fakeClientFactory({}));
  const runAudit = vi.fn(async (_options: RunAuditOptions) => {
    const snapshot = quietSnapshot({ accountId: accountOfReport });
    const report = syntheticReport([syntheticFinding(1, "high")], { accountId: accountOfReport });
    return { snapshot, report };
  });
  const handler = createAuditAccountHandler({
    sts: new STSClient({ region: "us-east-1" }),
    s3: bucket.client,
    clientsFor,
    runAudit,
    env: ENV,
    now: () => new Date(RUN.startedAt),
  });
  return { handler, clientsFor, runAudit };
}

beforeEach(() => {
  bucket = fakeBucket();
});
afterEach(() => {
  stsMock.reset();
  bucket.mock.restore();
});

describe("audit-account", () => {
  it("assumes the member role with the external id, audits with those credentials (costs skipped), stores report and outcome", async () => {
    stsMock.on(AssumeRoleCommand).resolves(assumed);
    const { handler, clientsFor, runAudit } = setup();

    const outcome = await handler({ ...RUN, account: { id: MEMBER, name: "payments-prod" } });

    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/MinewatchAuditRole`,
      ExternalId: EXTERNAL_ID,
      RoleSessionName: "minewatch-run-20260310",
    });
    expect(clientsFor).toHaveBeenCalledWith(
      expect.objectContaining({
        accessKeyId: "ASIAMEMBEREXAMPLE0001",
        secretAccessKey: "member-secret",
        sessionToken: "member-session-token",
      }),
    );
    expect(runAudit.mock.calls[0]?.[0].skipCostsReason).toBe(PAYER_COSTS_NOTE);
    expect(runAudit.mock.calls[0]?.[0].clients).toBe(clientsFor.mock.results[0]?.value);

    const reportKey = `reports/${MEMBER}/2026/03/10/run-20260310.report.json`;
    expect(outcome).toEqual({
      status: "audited",
      accountId: MEMBER,
      accountName: "payments-prod",
      reportLocation: `s3://${BUCKET}/${reportKey}`,
      snapshotLocation: `s3://${BUCKET}/reports/${MEMBER}/2026/03/10/run-20260310.snapshot.json`,
      findings: 1,
      worstSeverity: "high",
      coverageComplete: true,
    });
    expect(AuditReportSchema.parse(bucket.json(reportKey)).findings).toHaveLength(1);
    expect(AccountOutcomeSchema.parse(bucket.json(`${RUN.runPrefix}/outcomes/${MEMBER}.json`))).toEqual(outcome);
  });

  it("records a role that cannot be assumed as the account's failure, without retrying or auditing", async () => {
    stsMock.on(AssumeRoleCommand).rejects(
      Object.assign(
        new Error(
          `User: arn:aws:sts::111111111111:assumed-role/MinewatchOrgAuditRole/x is not authorized to perform: sts:AssumeRole`,
        ),
        {
          name: "AccessDenied",
        },
      ),
    );
    const { handler, runAudit } = setup();

    const outcome = await handler({ ...RUN, account: { id: MEMBER, name: "legacy" } });

    expect(outcome).toMatchObject({
      status: "failed",
      stage: "assume-role",
      reason: "access-denied",
      accountId: MEMBER,
    });
    expect(outcome.status === "failed" && outcome.message).toMatch(/MinewatchMemberRole StackSet/);
    expect(runAudit).not.toHaveBeenCalled();
    expect(bucket.json(`${RUN.runPrefix}/outcomes/${MEMBER}.json`)).toEqual(outcome);
  });

  it("throws RetryableAccountError for throttling, so Step Functions retries with backoff", async () => {
    stsMock.on(AssumeRoleCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));
    const { handler } = setup();
    const run = handler({ ...RUN, account: { id: MEMBER, name: "" } });
    await expect(run).rejects.toBeInstanceOf(RetryableAccountError);
    await expect(run).rejects.toMatchObject({ name: "RetryableAccountError" });
    expect(bucket.objects.size).toBe(0);
  });

  it("never files findings under the wrong account: a role answering from another account is a failure", async () => {
    stsMock.on(AssumeRoleCommand).resolves(assumed);
    const { handler } = setup("999999999999");
    const outcome = await handler({ ...RUN, account: { id: MEMBER, name: "" } });
    expect(outcome).toMatchObject({ status: "failed", stage: "audit" });
    expect([...bucket.objects.keys()].some((key) => key.includes("/reports/"))).toBe(false);
  });

  it("rejects a miswired input with a sentence", async () => {
    const { handler } = setup();
    await expect(handler({ ...RUN, account: { id: "12" } })).rejects.toThrow(
      /audit-account received an invalid input.*account\.id/,
    );
  });

  it("keeps session names within STS's 64 characters", () => {
    expect(sessionName("x".repeat(80))).toHaveLength(64);
    expect(sessionName("a:b/c")).toBe("minewatch-a-b-c");
  });
});

describe("collectAccount with skipCostsReason", () => {
  const ec2Mock = mockClient(EC2Client);
  afterEach(() => ec2Mock.reset());

  it("makes no Cost Explorer call and records a skipped coverage entry saying where the costs are", async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: MEMBER });
    ec2Mock
      .on(DescribeRegionsCommand)
      .resolves({ Regions: [{ RegionName: "us-east-1", OptInStatus: "opt-in-not-required" }] });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const costExplorer = vi.fn(() => {
      throw new Error("Cost Explorer must not be called");
    });
    const snapshot = await collectAccount({
      clients: fakeClientFactory({
        sts: () => new STSClient({ region: "us-east-1" }),
        ec2: () => new EC2Client({ region: "us-east-1" }),
        costExplorer,
      }),
      config: (await import("../../lambda/core/config.js")).defaultConfig(),
      window: { start: new Date("2026-03-09T06:00:00Z"), end: new Date("2026-03-10T06:00:00Z") },
      sections: [],
      skipCostsReason: PAYER_COSTS_NOTE,
    });
    expect(costExplorer).not.toHaveBeenCalled();
    expect(snapshot.costs).toBeUndefined();
    expect(snapshot.coverage.filter((e) => e.service === "ce")).toEqual([
      {
        region: "global",
        service: "ce",
        api: "GetCostAndUsage",
        status: "skipped",
        reason: "not-requested",
        message: PAYER_COSTS_NOTE,
      },
    ]);
  });
});
