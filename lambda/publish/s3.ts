/**
 * Stores each run's full JSON report and the snapshot it was computed from in the report bucket:
 * the email links to the report, and the snapshot lets anyone replay the run offline
 * (`minewatch --snapshot`). Encryption is the bucket's default SSE, set by the stack.
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { AccountSnapshot } from "../core/snapshot.js";
import type { AuditReport } from "../report/model.js";

export interface RunKeys {
  report: string;
  snapshot: string;
}

export interface StoredRun {
  /** s3://bucket/key of the report. */
  reportLocation: string;
  snapshotLocation: string;
  keys: RunKeys;
}

/**
 * `<prefix>/<account>/<yyyy>/<mm>/<dd>/<runId>.report.json` (and `.snapshot.json`): one folder per
 * account and day, so a lifecycle rule, an Athena partition or a person browsing finds a day's runs.
 */
export function runKeys(prefix: string, accountId: string, at: Date, runId: string): RunKeys {
  const yyyy = String(at.getUTCFullYear());
  const mm = String(at.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(at.getUTCDate()).padStart(2, "0");
  const base = [prefix, accountId, yyyy, mm, dd, runId].filter((part) => part !== "").join("/");
  return { report: `${base}.report.json`, snapshot: `${base}.snapshot.json` };
}

export function s3Location(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * Puts the report and the snapshot. Both are attempted even if one fails, so a snapshot too large
 * or denied never costs the report; any failure is then thrown (the run must not look fine).
 */
export async function storeRun(
  s3: S3Client,
  bucket: string,
  keys: RunKeys,
  run: { report: AuditReport; snapshot: AccountSnapshot },
): Promise<StoredRun> {
  const put = (key: string, document: unknown) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(document),
        ContentType: "application/json; charset=utf-8",
      }),
    );
  const results = await Promise.allSettled([put(keys.report, run.report), put(keys.snapshot, run.snapshot)]);
  const failure = results.find((result) => result.status === "rejected");
  if (failure) throw failure.reason;
  return {
    reportLocation: s3Location(bucket, keys.report),
    snapshotLocation: s3Location(bucket, keys.snapshot),
    keys,
  };
}
