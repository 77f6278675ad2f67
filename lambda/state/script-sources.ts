/**
 * The one piece of web state kept between deployed runs: the `<script src>` list of every page the
 * last run scanned, so MW-WEB-NEW-SCRIPT-SOURCE can say "this script was not on the page yesterday".
 *
 * It lives next to the account's reports in Minewatch's own bucket
 * (`<prefix>/<account>/state/web-script-sources.json`), a few KB to a few hundred KB: too large to
 * promise under DynamoDB's 400 KB item limit, and reading the whole previous snapshot (up to tens
 * of MB) for it would be waste.
 *
 * Whatever stops the comparison is a coverage entry, never a quiet pass: no earlier run (the first
 * day), an unreadable or malformed file.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { classifyAwsError } from "../collect/coverage.js";
import { type ScriptSources, scriptSourcesOf, withPreviousScriptSources } from "../collect/web-content.js";
import type { AccountSnapshot, CoverageEntry } from "../core/snapshot.js";
import { parseJson, readStateFile, stateKey, writeStateFile } from "./state-files.js";

export const SCRIPT_SOURCES_FILE = "web-script-sources.json";

const StoredScriptSourcesSchema = z.object({
  schemaVersion: z.literal(1),
  collectedAt: z.string(),
  byObject: z.record(z.string(), z.array(z.string())),
});

export function scriptSourcesKey(prefix: string, accountId: string): string {
  return stateKey(prefix, accountId, SCRIPT_SOURCES_FILE);
}

/** The coverage entry for a comparison that could not be made, for the handler and the CLI alike. */
export function scriptSourcesGap(
  status: CoverageEntry["status"],
  reason: CoverageEntry["reason"],
  message: string,
): CoverageEntry {
  return { region: "global", service: "minewatch", api: "previous-script-sources", status, reason, message };
}

/**
 * `snapshot` with the previous run's script sources when they could be read, or with a coverage
 * entry saying why MW-WEB-NEW-SCRIPT-SOURCE has nothing to compare with. Untouched when the
 * snapshot scanned no web content (nothing to compare).
 */
export async function withStoredScriptSources(
  s3: S3Client,
  bucket: string,
  key: string,
  snapshot: AccountSnapshot,
): Promise<AccountSnapshot> {
  if (!snapshot.webContent) return snapshot;
  const location = `s3://${bucket}/${key}`;
  const addGap = (entry: CoverageEntry): AccountSnapshot => ({ ...snapshot, coverage: [...snapshot.coverage, entry] });
  const read = await readStateFile(s3, bucket, key);
  if (read.found === false) {
    return addGap(
      scriptSourcesGap(
        "skipped",
        "not-requested",
        `No earlier run stored the pages' script sources (${location}): this is the first run with web scanning, so MW-WEB-NEW-SCRIPT-SOURCE starts comparing from the next run.`,
      ),
    );
  }
  if (read.found === "error") {
    const { reason, message } = classifyAwsError(read.error);
    return addGap(
      scriptSourcesGap(
        "failed",
        reason,
        `Could not read the previous run's script sources (${location}): ${message}. MW-WEB-NEW-SCRIPT-SOURCE did not compare.`,
      ),
    );
  }
  const parsed = parseStored(read.text);
  if (!parsed) {
    return addGap(
      scriptSourcesGap(
        "failed",
        "error",
        `${location} is not a Minewatch script-source file; it is replaced at the end of this run. MW-WEB-NEW-SCRIPT-SOURCE did not compare.`,
      ),
    );
  }
  return withPreviousScriptSources(snapshot, parsed);
}

/** Stores this run's script sources for the next run. Does nothing when no web content was scanned. */
export async function storeScriptSources(
  s3: S3Client,
  bucket: string,
  key: string,
  snapshot: AccountSnapshot,
): Promise<boolean> {
  const sources = scriptSourcesOf(snapshot);
  if (!sources) return false;
  await writeStateFile(s3, bucket, key, { schemaVersion: 1, ...sources });
  return true;
}

function parseStored(text: string): ScriptSources | undefined {
  const result = StoredScriptSourcesSchema.safeParse(parseJson(text));
  return result.success ? { collectedAt: result.data.collectedAt, byObject: result.data.byObject } : undefined;
}
