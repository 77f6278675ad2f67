/**
 * Fixtures for the handler, email, state and publish tests: snapshots with a complete coverage
 * record (so the real core can say "all clear"), synthetic reports of any size, and an in-memory
 * DynamoDB table behind aws-sdk-client-mock so state carries from one run to the next.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import type { AccountSnapshot, AccountSnapshotInput, CoverageEntry } from "../../lambda/core/snapshot.js";
import { type AuditReport, AuditReportSchema, type Finding } from "../../lambda/report/model.js";
import type { Severity } from "../../lambda/rules/types.js";
import {
  ACCOUNT_ID,
  buildSnapshot,
  DEFAULT_REGIONS,
  fleet,
  hoursAgo,
  WINDOW_END,
} from "../support/snapshot-builder.js";

export type { AccountSnapshot };
export { ACCOUNT_ID, WINDOW_END };

/** DescribeInstances read in full in every enabled region (what a healthy live run records). */
export function fullCoverage(except: string[] = []): CoverageEntry[] {
  return DEFAULT_REGIONS.filter((r) => r.optInStatus !== "not-opted-in").map((r) =>
    except.includes(r.name)
      ? {
          region: r.name,
          service: "ec2",
          api: "DescribeInstances",
          status: "failed",
          reason: "access-denied",
          message: "UnauthorizedOperation: You are not authorized to perform this operation.",
        }
      : { region: r.name, service: "ec2", api: "DescribeInstances", status: "ok" },
  );
}

export const ENABLED_REGION_COUNT = DEFAULT_REGIONS.filter((r) => r.optInStatus !== "not-opted-in").length;

/** A quiet account: one old web server at home, every region read. */
export function quietSnapshot(partial: Partial<AccountSnapshotInput> = {}): AccountSnapshot {
  return buildSnapshot({ coverage: fullCoverage(), ...partial });
}

/** The leaked-key pattern: six p3.16xlarge launched a minute apart in an unused region. */
export function miningSnapshot(partial: Partial<AccountSnapshotInput> = {}): AccountSnapshot {
  return buildSnapshot({
    coverage: fullCoverage(),
    instances: fleet(
      6,
      { region: "sa-east-1", instanceType: "p3.16xlarge", launchTime: hoursAgo(3) },
      { spacingMinutes: 1 },
    ),
    ...partial,
  });
}

/** A schema-valid finding; the id, severity and region make it distinct. */
export function syntheticFinding(n: number, severity: Severity = "high", region = "us-east-2"): Finding {
  const instanceId = `i-0${n.toString(16).padStart(16, "0")}`;
  return {
    id: `mw-${n.toString(16).padStart(12, "0")}`,
    severity,
    confidence: 0.7,
    title: `c5.4xlarge at 97 % CPU for 18 h in ${region} (${n})`,
    summary: `Instance ${instanceId} (c5.4xlarge) in ${region} ran at 97 % CPU for 18 hours with a flat profile.`,
    accountId: ACCOUNT_ID,
    region,
    regions: [region],
    resources: [
      {
        type: "ec2-instance",
        id: instanceId,
        region,
        instanceType: "c5.4xlarge",
        state: "running",
        launchTime: hoursAgo(20),
        hourlyCostUsd: 0.68,
      },
    ],
    rules: ["MW-CPU-SUSTAINED-HIGH"],
    evidence: [
      {
        ruleId: "MW-CPU-SUSTAINED-HIGH",
        severity,
        resource: `ec2-instance:${instanceId}`,
        message: `CPU at or above 90 % for 18 h (mean 97 %) on ${instanceId}.`,
      },
    ],
    firstSeen: hoursAgo(20),
    estimatedHourlyCostUsd: 0.68,
    estimatedCostSoFarUsd: 13.6,
    containment: [
      {
        description: "Stop the instance (keeps the disk for forensics).",
        command: `aws ec2 stop-instances --region ${region} --instance-ids ${instanceId}`,
      },
    ],
  };
}

/** A report with exactly these findings (counts and cost derived from them). */
export function syntheticReport(findings: Finding[], overrides: Partial<AuditReport> = {}): AuditReport {
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity] += 1;
  const worst = (["critical", "high", "medium", "low", "info"] as const).find((s) => bySeverity[s] > 0) ?? null;
  const regionsAudited = DEFAULT_REGIONS.filter((r) => r.optInStatus !== "not-opted-in").map((r) => r.name);
  return AuditReportSchema.parse({
    schemaVersion: 1,
    tool: { name: "minewatch", version: "0.1.0" },
    generatedAt: WINDOW_END,
    accountId: ACCOUNT_ID,
    window: { start: hoursAgo(24), end: WINDOW_END },
    summary: {
      findings: findings.length,
      bySeverity,
      worstSeverity: worst,
      estimatedHourlyCostUsd: findings.reduce((sum, f) => sum + (f.estimatedHourlyCostUsd ?? 0), 0),
      suppressed: 0,
      coverageComplete: true,
    },
    findings,
    suppressed: [],
    nearMisses: [],
    nearMissesNotListed: 0,
    expiredAllowlistEntries: [],
    coverage: {
      complete: true,
      regionsAudited,
      regionsNotAudited: [
        { region: "af-south-1", reason: "not opted in (nothing can run there)" },
        { region: "me-south-1", reason: "not opted in (nothing can run there)" },
      ],
      gaps: [],
    },
    ruleErrors: [],
    pricing: { source: "on-demand list prices bundled with Minewatch", asOf: "2026-01-01" },
    limits: ["GPU utilization is invisible without the CloudWatch agent."],
    ...overrides,
  });
}

export interface StateItem {
  pk: string;
  sk: string;
  firstReported: string;
  lastSeen: string;
  severity: string;
  title: string;
  region: string;
  expiresAt: number;
}

/**
 * An in-memory state table behind a mocked DynamoDBDocumentClient: Query by pk, conditional Put
 * (attribute_not_exists), Update (SET with if_not_exists for firstReported), conditional Delete
 * (lastSeen = :lastSeen). Enough of DynamoDB's semantics for state to carry between runs.
 */
export function fakeStateTable() {
  const items = new Map<string, StateItem>();
  const k = (pk: unknown, sk: unknown) => `${String(pk)}|${String(sk)}`;
  const mock = mockClient(DynamoDBDocumentClient);
  const conditionFailed = () =>
    new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });
  mock.on(QueryCommand).callsFake((input) => {
    const pk = input.ExpressionAttributeValues?.[":account"];
    return { Items: [...items.values()].filter((item) => item.pk === pk).map((item) => ({ ...item })) };
  });
  mock.on(PutCommand).callsFake((input) => {
    const item = input.Item as StateItem;
    if (input.ConditionExpression && items.has(k(item.pk, item.sk))) throw conditionFailed();
    items.set(k(item.pk, item.sk), { ...item });
    return {};
  });
  mock.on(UpdateCommand).callsFake((input) => {
    const key = input.Key as { pk: string; sk: string };
    const v = input.ExpressionAttributeValues ?? {};
    const existing = items.get(k(key.pk, key.sk));
    items.set(k(key.pk, key.sk), {
      pk: key.pk,
      sk: key.sk,
      firstReported: existing?.firstReported ?? String(v[":since"]),
      lastSeen: String(v[":now"]),
      severity: String(v[":severity"]),
      title: String(v[":title"]),
      region: String(v[":region"]),
      expiresAt: Number(v[":ttl"]),
    });
    return {};
  });
  mock.on(DeleteCommand).callsFake((input) => {
    const key = input.Key as { pk: string; sk: string };
    const existing = items.get(k(key.pk, key.sk));
    if (!existing || existing.lastSeen !== input.ExpressionAttributeValues?.[":lastSeen"]) throw conditionFailed();
    items.delete(k(key.pk, key.sk));
    return {};
  });
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: "eu-west-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } }),
  );
  return { items, mock, client };
}
