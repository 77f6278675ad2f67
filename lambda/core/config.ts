/**
 * Minewatch settings: what the account normally looks like, what is allowed, and the thresholds.
 *
 * Read from a JSON or YAML file (`--config`) or the deployed function's environment, validated once
 * at the edge. Every field has a sensible default so an empty file, or none, is a valid config.
 */
import { z } from "zod";

import { awsRegion } from "./sections/common.js";

/**
 * One allowlist entry. Every matcher that is set must match (they combine with AND); at least one
 * must be set. An entry always says why, and may expire: an expired entry stops suppressing and the
 * report says so.
 */
export const AllowlistEntrySchema = z
  .object({
    /** Who the entry is for, e.g. "ML platform team: nightly training". */
    reason: z.string().min(3, 'say why this is allowed, e.g. "nightly ML training by the platform team"'),
    /** Expiry date (YYYY-MM-DD or ISO date-time); after it the entry no longer suppresses. */
    expires: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).optional(),
    /** Only suppress findings from these rule ids (all rules when absent). */
    rules: z.array(z.string()).optional(),
    /** IAM principal ARN of the launcher or instance profile; a trailing * matches a prefix. */
    principal: z.string().optional(),
    /** A tag on the resource; value absent means any value. */
    tag: z.object({ key: z.string().min(1), value: z.string().optional() }).optional(),
    region: awsRegion.optional(),
    /** Instance family such as p4d or g5. */
    instanceFamily: z.string().optional(),
    instanceId: z.string().optional(),
    accountId: z
      .string()
      .regex(/^\d{12}$/, "a 12-digit AWS account id")
      .optional(),
  })
  .refine(
    (e) =>
      e.principal !== undefined ||
      e.tag !== undefined ||
      e.region !== undefined ||
      e.instanceFamily !== undefined ||
      e.instanceId !== undefined ||
      e.accountId !== undefined,
    {
      message: "an allowlist entry needs at least one of principal, tag, region, instanceFamily, instanceId, accountId",
    },
  );

export const ThresholdsSchema = z.object({
  /** Sustained high CPU: average at or above this percent... */
  highCpuPercent: z.number().min(1).max(100).default(90),
  /** ...for at least this many hours in a row. */
  highCpuMinHours: z.number().positive().default(6),
  /** Launch wave: at least this many instances... */
  launchWaveMinInstances: z.number().int().min(2).default(5),
  /** ...launched within this many minutes of each other. */
  launchWaveMinutes: z.number().positive().default(15),
  /** High GPU utilization (CloudWatch agent) at or above this percent, sustained. */
  highGpuPercent: z.number().min(1).max(100).default(80),
  /** Days of an instance's own history used as its CPU baseline. */
  cpuBaselineDays: z.number().int().min(3).default(14),
  /** Recent window compared with that baseline, in hours. */
  cpuRecentHours: z.number().positive().default(48),
  /** New spend: a region or service with no spend in the baseline and at least this much per day recently. */
  newSpendUsdPerDay: z.number().nonnegative().default(5),
  /** Days at the end of the cost series treated as "recent" (the rest is the baseline). */
  costRecentDays: z.number().int().min(1).default(3),
  /** vCPU count from which a non-GPU instance counts as "large compute". */
  largeComputeVcpus: z.number().int().positive().default(16),
});

/**
 * Scanning the web content the account hosts (S3 static sites, S3 origins of CloudFront, Amplify)
 * for in-browser miners. Reading object contents is off until the operator opts in: it needs
 * s3:GetObject, which the deployed role gets only on the buckets named at deploy time.
 */
export const WebScanSchema = z.object({
  /** Read HTML and JavaScript objects of the hosted sites (false: discovery and scanning are skipped). */
  enabled: z.boolean().default(false),
  /** Only these buckets are read; every discovered site bucket when absent. Others are listed as not scanned. */
  buckets: z.array(z.string().min(3)).optional(),
  /** Objects read per run across all buckets, newest first; the rest is listed as not scanned. */
  objectBudget: z.number().int().min(1).max(100_000).default(500),
  /** Objects larger than this are not read (listed as not scanned). */
  maxObjectBytes: z
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(2 * 1024 * 1024),
});

export const ConfigSchema = z.object({
  /**
   * Regions the account is meant to use. When absent, Minewatch learns them from the snapshot:
   * regions with instances older than the window, or with spend in the cost baseline.
   */
  approvedRegions: z.array(awsRegion).optional(),
  /** Instance families the account uses on purpose (e.g. ["p4d"] for an ML team). */
  approvedInstanceFamilies: z.array(z.string()).default([]),
  allowlist: z.array(AllowlistEntrySchema).default([]),
  thresholds: ThresholdsSchema.default(ThresholdsSchema.parse({})),
  /** CloudWatch namespace of the agent's GPU metric. */
  gpuMetricNamespace: z.string().min(1).default("CWAgent"),
  /** Audit window in hours when none is given on the command line. */
  lookbackHours: z
    .number()
    .positive()
    .max(24 * 62)
    .default(24),
  webScan: WebScanSchema.default(WebScanSchema.parse({})),
});

export type AllowlistEntry = z.infer<typeof AllowlistEntrySchema>;
export type Thresholds = z.infer<typeof ThresholdsSchema>;
export type WebScan = z.infer<typeof WebScanSchema>;
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** The configuration used when no file is given. */
export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}
