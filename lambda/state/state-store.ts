/**
 * Open findings remembered between scheduled runs, so the email can say new / ongoing since /
 * resolved instead of repeating everything every day.
 *
 * Why DynamoDB and not one state object in the report bucket:
 * - Conditional writes: a sweep and the daily run can overlap. A new finding is created only if
 *   absent (the first run to see it keeps its firstReported), and a resolved one is deleted only if
 *   nobody saw it again meanwhile (lastSeen unchanged). One S3 object read-modify-written by two
 *   runs loses one run's update silently.
 * - One item per finding: an account with thousands of findings updates only what changed, and
 *   no item grows with the account (an S3 state object would be rewritten whole each run).
 * - TTL: every item carries `expiresAt` (last seen + STATE_TTL_DAYS), so if the schedule stops,
 *   stale findings age out on their own instead of being reported "ongoing" months later.
 *
 * Table layout (the CDK stack creates it to match STATE_TABLE_SCHEMA): pk (S) = account id,
 * sk (S) = finding id, TTL attribute expiresAt (epoch seconds). Resolved findings are deleted; the
 * full history is in the stored reports.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import pLimit from "p-limit";
import { z } from "zod";
import { SeveritySchema } from "../report/model.js";
import type { FindingDiff, OngoingFinding, OpenFindingState } from "./diff.js";

export const STATE_TABLE_SCHEMA = {
  partitionKey: "pk",
  sortKey: "sk",
  timeToLiveAttribute: "expiresAt",
} as const;

/** Writes in flight at once: well under on-demand limits, fast enough for thousands of findings. */
const WRITE_CONCURRENCY = 16;

const StoredItemSchema = z.object({
  pk: z.string(),
  sk: z.string(),
  firstReported: z.string(),
  lastSeen: z.string(),
  severity: SeveritySchema,
  title: z.string(),
  region: z.string(),
});

export interface StateStoreOptions {
  tableName: string;
  /** Days an item outlives its last sighting before DynamoDB TTL removes it. */
  ttlDays: number;
  /** Told about items that cannot be read (they are skipped, and the next write replaces them). */
  onWarning?: (message: string) => void;
}

export interface StateWriteSummary {
  created: number;
  updated: number;
  deleted: number;
  /** Conditional writes that lost to a concurrent run (harmless, counted for the log). */
  conflicts: number;
}

export class FindingStateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly options: StateStoreOptions,
  ) {}

  /** Every open finding remembered for the account (strongly consistent: a run just before counts). */
  async loadOpen(accountId: string): Promise<OpenFindingState[]> {
    const open: OpenFindingState[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.options.tableName,
        KeyConditionExpression: "#pk = :account",
        ExpressionAttributeNames: { "#pk": STATE_TABLE_SCHEMA.partitionKey },
        ExpressionAttributeValues: { ":account": accountId },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const raw of page.Items ?? []) {
        const item = StoredItemSchema.safeParse(raw);
        if (!item.success) {
          this.options.onWarning?.(`Skipping unreadable state item ${String(raw.sk)}: ${item.error.message}`);
          continue;
        }
        const { sk, firstReported, lastSeen, severity, title, region } = item.data;
        open.push({ findingId: sk, firstReported, lastSeen, severity, title, region });
      }
    }
    return open;
  }

  /**
   * Records a run's outcome: creates `diff.new`, refreshes `diff.ongoing`, deletes `diff.resolved`.
   * `notRechecked` items are left as they are (still open, last seen when they were last seen).
   */
  async record(accountId: string, diff: FindingDiff, seenAt: Date): Promise<StateWriteSummary> {
    const summary: StateWriteSummary = { created: 0, updated: 0, deleted: 0, conflicts: 0 };
    const limit = pLimit(WRITE_CONCURRENCY);
    const now = seenAt.toISOString();
    const expiresAt = Math.floor(seenAt.getTime() / 1000) + this.options.ttlDays * 86_400;
    const key = (findingId: string) => ({
      [STATE_TABLE_SCHEMA.partitionKey]: accountId,
      [STATE_TABLE_SCHEMA.sortKey]: findingId,
    });

    const refresh = (ongoing: OngoingFinding) =>
      this.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: key(ongoing.finding.id),
          UpdateExpression:
            "SET firstReported = if_not_exists(firstReported, :since), lastSeen = :now, severity = :severity, title = :title, #region = :region, #ttl = :ttl",
          ExpressionAttributeNames: { "#region": "region", "#ttl": STATE_TABLE_SCHEMA.timeToLiveAttribute },
          ExpressionAttributeValues: {
            ":since": ongoing.since,
            ":now": now,
            ":severity": ongoing.finding.severity,
            ":title": ongoing.finding.title,
            ":region": ongoing.finding.region,
            ":ttl": expiresAt,
          },
        }),
      );

    const writes: Promise<void>[] = [];
    for (const finding of diff.new) {
      writes.push(
        limit(async () => {
          try {
            await this.db.send(
              new PutCommand({
                TableName: this.options.tableName,
                Item: {
                  ...key(finding.id),
                  firstReported: now,
                  lastSeen: now,
                  severity: finding.severity,
                  title: finding.title,
                  region: finding.region,
                  [STATE_TABLE_SCHEMA.timeToLiveAttribute]: expiresAt,
                },
                // A concurrent run recorded it first: its firstReported stands.
                ConditionExpression: "attribute_not_exists(#sk)",
                ExpressionAttributeNames: { "#sk": STATE_TABLE_SCHEMA.sortKey },
              }),
            );
            summary.created += 1;
          } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            summary.conflicts += 1;
            await refresh({ finding, since: now });
            summary.updated += 1;
          }
        }),
      );
    }
    for (const ongoing of diff.ongoing) {
      writes.push(
        limit(async () => {
          await refresh(ongoing);
          summary.updated += 1;
        }),
      );
    }
    for (const item of diff.resolved) {
      writes.push(
        limit(async () => {
          try {
            await this.db.send(
              new DeleteCommand({
                TableName: this.options.tableName,
                Key: key(item.findingId),
                // Seen again by a concurrent run since we loaded it: it is not resolved after all.
                ConditionExpression: "lastSeen = :lastSeen",
                ExpressionAttributeValues: { ":lastSeen": item.lastSeen },
              }),
            );
            summary.deleted += 1;
          } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            summary.conflicts += 1;
          }
        }),
      );
    }
    // allSettled first so no write is left running unobserved, then surface the first failure.
    const results = await Promise.allSettled(writes);
    const failure = results.find((result) => result.status === "rejected");
    if (failure) throw failure.reason;
    return summary;
  }
}
