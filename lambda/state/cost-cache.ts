/**
 * Cost Explorer answers kept from the daily run for the sweeps. Every Cost Explorer request costs
 * $0.01 and a run needs about five; an hourly sweep reading them anew would cost the account about
 * $1.20 a day for data that Cost Explorer itself refreshes only a few times a day and that lags by
 * up to a day. So the daily run stores what it read (`<prefix>/<account>/state/cost-explorer.json`)
 * and a sweep reuses it while it is fresh, saying so in its coverage; otherwise the sweep reads
 * Cost Explorer itself. Incident runs always read it live.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import type { ReusedCosts } from "../collect/collect-account.js";
import { type AccountSnapshot, CostAnomalySchema, CostsSchema, CoverageEntrySchema } from "../core/snapshot.js";
import { parseJson, readStateFile, stateKey, writeStateFile } from "./state-files.js";

export const COST_CACHE_FILE = "cost-explorer.json";
/** A daily run's costs serve the sweeps until the next daily run, with two hours to spare. */
export const COST_CACHE_MAX_AGE_HOURS = 26;

const CostCacheSchema = z.object({
  schemaVersion: z.literal(1),
  collectedAt: z.string(),
  costs: CostsSchema.optional(),
  costAnomalies: z.array(CostAnomalySchema),
  /** The daily run's coverage entries for Cost Explorer: a sweep reports them as its own. */
  coverage: z.array(CoverageEntrySchema),
});

export function costCacheKey(prefix: string, accountId: string): string {
  return stateKey(prefix, accountId, COST_CACHE_FILE);
}

export interface CostCacheLookup {
  /** Costs to reuse, when a fresh cache was found. */
  reuse?: ReusedCosts;
  /** Why the run reads Cost Explorer itself: for the log and the run's notes. */
  why?: string;
}

/** The cached costs when they are fresh enough for `now`; otherwise why not. Never throws. */
export async function loadCostCache(s3: S3Client, bucket: string, key: string, now: Date): Promise<CostCacheLookup> {
  const read = await readStateFile(s3, bucket, key);
  if (read.found === false) return { why: "no daily run has stored Cost Explorer data yet" };
  if (read.found === "error") {
    const error = read.error instanceof Error ? `${read.error.name}: ${read.error.message}` : String(read.error);
    return { why: `the stored Cost Explorer data could not be read (${error})` };
  }
  const parsed = CostCacheSchema.safeParse(parseJson(read.text));
  if (!parsed.success) return { why: `s3://${bucket}/${key} is not a Minewatch cost cache` };
  const ageHours = (now.getTime() - Date.parse(parsed.data.collectedAt)) / 3_600_000;
  if (!(ageHours >= 0 && ageHours <= COST_CACHE_MAX_AGE_HOURS)) {
    return {
      why: `the stored Cost Explorer data is from ${parsed.data.collectedAt}, over ${COST_CACHE_MAX_AGE_HOURS} h old`,
    };
  }
  const { collectedAt, costs, costAnomalies, coverage } = parsed.data;
  return { reuse: { collectedAt, ...(costs ? { costs } : {}), costAnomalies, coverage } };
}

/**
 * Stores what a run read from Cost Explorer, when it read it itself and got daily costs (a failed
 * read is not worth reusing: the next run should try again).
 */
export async function storeCostCache(
  s3: S3Client,
  bucket: string,
  key: string,
  snapshot: AccountSnapshot,
): Promise<boolean> {
  const coverage = snapshot.coverage.filter((entry) => entry.service === "ce");
  if (!snapshot.costs || coverage.some((entry) => entry.status === "failed" || entry.status === "skipped"))
    return false;
  await writeStateFile(s3, bucket, key, {
    schemaVersion: 1,
    collectedAt: snapshot.collectedAt,
    costs: snapshot.costs,
    costAnomalies: snapshot.costAnomalies,
    coverage,
  });
  return true;
}
