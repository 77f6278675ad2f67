import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { diffFindings, type OpenFindingState } from "../../lambda/state/diff.js";
import { FindingStateStore } from "../../lambda/state/state-store.js";
import { ACCOUNT_ID, syntheticFinding } from "../handlers/fixtures.js";

const TABLE = "minewatch-state";
const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: "eu-west-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } }),
);
const SEEN = new Date("2026-03-10T06:00:00.000Z");
const EXPIRES = Math.floor(SEEN.getTime() / 1000) + 30 * 86_400;
const conditionFailed = () => new ConditionalCheckFailedException({ message: "conditional", $metadata: {} });

function item(sk: string, overrides: Record<string, unknown> = {}) {
  return {
    pk: ACCOUNT_ID,
    sk,
    firstReported: "2026-03-08T06:00:00.000Z",
    lastSeen: "2026-03-09T06:00:00.000Z",
    severity: "high",
    title: "c5.4xlarge at 97 % CPU",
    region: "us-east-2",
    expiresAt: 1,
    ...overrides,
  };
}

beforeEach(() => ddb.reset());
afterEach(() => vi.restoreAllMocks());

describe("loadOpen", () => {
  it("reads every page of the account's items, consistently, and skips unreadable ones with a warning", async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [item("mw-1")], LastEvaluatedKey: { pk: ACCOUNT_ID, sk: "mw-1" } })
      .resolvesOnce({ Items: [item("mw-2"), item("mw-bad", { severity: "apocalyptic" })] });
    const warnings: string[] = [];
    const store = new FindingStateStore(client, { tableName: TABLE, ttlDays: 30, onWarning: (m) => warnings.push(m) });
    const open = await store.loadOpen(ACCOUNT_ID);
    expect(open.map((o) => o.findingId)).toEqual(["mw-1", "mw-2"]);
    expect(open[0]).toEqual({
      findingId: "mw-1",
      firstReported: "2026-03-08T06:00:00.000Z",
      lastSeen: "2026-03-09T06:00:00.000Z",
      severity: "high",
      title: "c5.4xlarge at 97 % CPU",
      region: "us-east-2",
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("mw-bad");
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 1, {
      TableName: TABLE,
      ExpressionAttributeValues: { ":account": ACCOUNT_ID },
      ConsistentRead: true,
    });
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 2, {
      ExclusiveStartKey: { pk: ACCOUNT_ID, sk: "mw-1" },
    });
  });
});

describe("record", () => {
  const fresh = syntheticFinding(1, "critical", "sa-east-1");
  const still = syntheticFinding(2, "high");
  const gone: OpenFindingState = {
    findingId: "mw-gone",
    firstReported: "2026-03-01T06:00:00.000Z",
    lastSeen: "2026-03-09T06:00:00.000Z",
    severity: "high",
    title: "old",
    region: "us-east-2",
  };
  const previous: OpenFindingState[] = [{ ...gone, findingId: still.id }, gone];
  const diff = diffFindings(previous, [fresh, still], { resolveMissing: true });

  it("creates new items only if absent, refreshes ongoing ones and deletes resolved ones only if unchanged", async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    const store = new FindingStateStore(client, { tableName: TABLE, ttlDays: 30 });
    const summary = await store.record(ACCOUNT_ID, diff, SEEN);
    expect(summary).toEqual({ created: 1, updated: 1, deleted: 1, conflicts: 0 });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      Item: {
        pk: ACCOUNT_ID,
        sk: fresh.id,
        firstReported: SEEN.toISOString(),
        lastSeen: SEEN.toISOString(),
        severity: "critical",
        title: fresh.title,
        region: "sa-east-1",
        expiresAt: EXPIRES,
      },
      ConditionExpression: "attribute_not_exists(#sk)",
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: ACCOUNT_ID, sk: still.id },
      ExpressionAttributeValues: {
        ":since": gone.firstReported,
        ":now": SEEN.toISOString(),
        ":severity": "high",
        ":title": still.title,
        ":region": still.region,
        ":ttl": EXPIRES,
      },
    });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
      Key: { pk: ACCOUNT_ID, sk: "mw-gone" },
      ConditionExpression: "lastSeen = :lastSeen",
      ExpressionAttributeValues: { ":lastSeen": gone.lastSeen },
    });
  });

  it("treats lost conditional writes as a concurrent run's doing, not as failures", async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(UpdateCommand).resolves({});
    ddb.on(DeleteCommand).rejects(conditionFailed());
    const store = new FindingStateStore(client, { tableName: TABLE, ttlDays: 30 });
    const summary = await store.record(ACCOUNT_ID, diff, SEEN);
    expect(summary).toEqual({ created: 0, updated: 2, deleted: 0, conflicts: 2 });
    // The item another run created is refreshed instead, keeping its firstReported.
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: { pk: ACCOUNT_ID, sk: fresh.id } });
  });

  it("throws any other DynamoDB error after the other writes settle", async () => {
    ddb.on(PutCommand).resolves({});
    ddb
      .on(UpdateCommand)
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "ProvisionedThroughputExceededException" }));
    ddb.on(DeleteCommand).resolves({});
    const store = new FindingStateStore(client, { tableName: TABLE, ttlDays: 30 });
    await expect(store.record(ACCOUNT_ID, diff, SEEN)).rejects.toThrow("Rate exceeded");
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(ddb).toHaveReceivedCommandTimes(DeleteCommand, 1);
  });
});
