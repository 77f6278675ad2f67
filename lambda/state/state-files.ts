/**
 * Small files the deployed function keeps between runs in its own bucket, one folder per account:
 * `<prefix>/<account>/state/<file>`. The function may read only that folder (lib/minewatch-stack.ts).
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

export const STATE_DIR = "state";

export function stateKey(prefix: string, accountId: string, file: string): string {
  return [prefix, accountId, STATE_DIR, file].filter((part) => part !== "").join("/");
}

export type StateRead = { found: true; text: string } | { found: false } | { found: "error"; error: unknown };

/** Reads a state file; a missing one (the first run) is `found: false`, any other failure is returned. */
export async function readStateFile(s3: S3Client, bucket: string, key: string): Promise<StateRead> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { found: true, text: (await response.Body?.transformToString("utf-8")) ?? "" };
  } catch (error) {
    const name = error && typeof error === "object" && "name" in error ? String(error.name) : "";
    if (name === "NoSuchKey" || name === "NotFound") return { found: false };
    return { found: "error", error };
  }
}

export async function writeStateFile(s3: S3Client, bucket: string, key: string, document: unknown): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(document),
      ContentType: "application/json; charset=utf-8",
    }),
  );
}

/** JSON.parse that answers undefined instead of throwing: a damaged state file is a gap, not a crash. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
