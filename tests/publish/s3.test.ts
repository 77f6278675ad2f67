import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { runKeys, storeRun } from "../../lambda/publish/s3.js";
import { miningSnapshot, syntheticFinding, syntheticReport } from "../handlers/fixtures.js";

const s3 = mockClient(S3Client);
const client = new S3Client({ region: "eu-west-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } });
const BUCKET = "minewatch-reports-123456789012";

beforeEach(() => s3.reset());

describe("runKeys", () => {
  it.each([
    ["reports", "2026-03-10T06:00:00Z", "reports/123456789012/2026/03/10/run-1"],
    ["", "2026-12-01T23:59:59Z", "123456789012/2026/12/01/run-1"],
    ["audit/minewatch", "2027-01-05T00:00:00Z", "audit/minewatch/123456789012/2027/01/05/run-1"],
  ])("prefix %j at %s", (prefix, at, base) => {
    expect(runKeys(prefix, "123456789012", new Date(at), "run-1")).toEqual({
      report: `${base}.report.json`,
      snapshot: `${base}.snapshot.json`,
    });
  });
});

describe("storeRun", () => {
  const run = { report: syntheticReport([syntheticFinding(1)]), snapshot: miningSnapshot() };
  const keys = runKeys("reports", "123456789012", new Date("2026-03-10T06:00:00Z"), "run-1");

  it("puts the report and the snapshot as JSON and returns their locations", async () => {
    s3.on(PutObjectCommand).resolves({});
    const stored = await storeRun(client, BUCKET, keys, run);
    expect(stored.reportLocation).toBe(`s3://${BUCKET}/reports/123456789012/2026/03/10/run-1.report.json`);
    expect(stored.snapshotLocation).toBe(`s3://${BUCKET}/reports/123456789012/2026/03/10/run-1.snapshot.json`);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: keys.report,
      ContentType: "application/json; charset=utf-8",
      Body: JSON.stringify(run.report),
    });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: keys.snapshot,
      ContentType: "application/json; charset=utf-8",
      Body: JSON.stringify(run.snapshot),
    });
  });

  it("still stores the report when the snapshot put fails, then throws", async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: keys.snapshot }).rejects(
      Object.assign(new Error("Access Denied"), { name: "AccessDenied" }),
    );
    await expect(storeRun(client, BUCKET, keys, run)).rejects.toThrow("Access Denied");
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Key: keys.report });
  });
});
