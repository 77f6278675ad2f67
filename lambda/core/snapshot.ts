/**
 * The account snapshot: everything Minewatch read from one AWS account, as plain versioned JSON.
 *
 * This is the seam of the whole design. Collectors are the only code that talks to AWS and they
 * produce a snapshot; rules, correlation and reports are pure functions of a snapshot plus the
 * configuration. A snapshot can be saved, replayed offline, attached to a ticket or written by hand
 * for a test case (docs/snapshot.md describes every field; docs/snapshot.schema.json is generated
 * from this file by `npm run docs`).
 *
 * Compactness matters at 10,000 instances: metric series are stored as one start time, one period
 * and an array of numbers, never one object per data point.
 */
import { z } from "zod";
import { CloudTrailSchema } from "./sections/cloudtrail.js";
import { awsRegion, isoDate, isoDateTime, RedactedTextSchema } from "./sections/common.js";
import { EcsSchema } from "./sections/containers.js";
import { GuardDutySchema } from "./sections/guardduty.js";
import { ManagedComputeSchema } from "./sections/managed-compute.js";
import { RelaunchSchema } from "./sections/relaunch.js";
import { WebContentSchema } from "./sections/web-content.js";

export const SNAPSHOT_SCHEMA_VERSION = 1;

/** Where a region stands for this account (DescribeRegions with AllRegions). */
export const RegionSchema = z.object({
  name: awsRegion,
  optInStatus: z.enum(["opt-in-not-required", "opted-in", "not-opted-in"]),
});

/** What one EC2 instance type offers (DescribeInstanceTypes). */
export const InstanceTypeInfoSchema = z.object({
  vcpus: z.number().int().nonnegative(),
  memoryMiB: z.number().int().nonnegative(),
  gpus: z.number().int().nonnegative().default(0),
  gpuModel: z.string().optional(),
  /** Other accelerators: Inferentia, Trainium, FPGAs. */
  accelerators: z.number().int().nonnegative().default(0),
});

/**
 * User data of an instance, decoded from base64 and redacted before it is stored: values that look
 * like secrets (AWS keys, passwords, tokens, private keys) are replaced by `[REDACTED]`, and the text
 * is capped. Only instances worth a look have it (see the EC2 collector).
 */
export const UserDataSchema = RedactedTextSchema;

export const InstanceSchema = z.object({
  instanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/, "an EC2 instance id such as i-0abc12345def67890"),
  region: awsRegion,
  instanceType: z.string().min(1),
  state: z.enum(["pending", "running", "shutting-down", "terminated", "stopping", "stopped"]),
  launchTime: isoDateTime,
  imageId: z.string().optional(),
  keyName: z.string().optional(),
  vpcId: z.string().optional(),
  subnetId: z.string().optional(),
  /** `spot` for spot instances; absent for on-demand. */
  lifecycle: z.enum(["spot", "scheduled", "capacity-block"]).optional(),
  spotInstanceRequestId: z.string().optional(),
  iamInstanceProfileArn: z.string().optional(),
  launchTemplateId: z.string().optional(),
  autoScalingGroup: z.string().optional(),
  publicIpAddress: z.string().optional(),
  platform: z.string().optional(),
  tags: z.record(z.string(), z.string()).default({}),
  userData: UserDataSchema.optional(),
  /** DisableApiTermination, read with user data for instances worth a look. */
  terminationProtection: z.boolean().optional(),
});

/**
 * A metric series at a fixed period: values[i] is the statistic for the period starting at
 * start + i * periodSeconds; null where CloudWatch returned no data point for that period.
 */
export const SeriesSchema = z.object({
  start: isoDateTime,
  periodSeconds: z.number().int().positive(),
  stat: z.enum(["Average", "Maximum", "Sum"]),
  values: z.array(z.number().nullable()),
});

export const InstanceMetricsSchema = z.object({
  /** AWS/EC2 CPUUtilization, percent. */
  cpu: SeriesSchema.optional(),
  /** AWS/EC2 NetworkOut, bytes per period (Sum). */
  networkOut: SeriesSchema.optional(),
  /** AWS/EC2 NetworkPacketsOut, packets per period (Sum). */
  networkPacketsOut: SeriesSchema.optional(),
  /** CloudWatch agent nvidia_smi_utilization_gpu, percent; absent when the agent does not report it. */
  gpu: SeriesSchema.optional(),
});

export const MetricsSchema = z.object({
  /** Namespace searched for the CloudWatch agent's GPU metric (CWAgent unless configured). */
  gpuNamespace: z.string().default("CWAgent"),
  /** Instances for which ListMetrics found the GPU metric. */
  gpuAgentInstanceIds: z.array(z.string()).default([]),
  byInstance: z.record(z.string(), InstanceMetricsSchema).default({}),
});

/** Cost Explorer daily unblended cost, one array per group aligned to `days`. */
export const CostsSchema = z.object({
  currency: z.string().default("USD"),
  /** Days covered, oldest first (YYYY-MM-DD, UTC). */
  days: z.array(isoDate),
  byRegion: z.record(z.string(), z.array(z.number())).default({}),
  byService: z.record(z.string(), z.array(z.number())).default({}),
  /** EC2 compute only (Amazon Elastic Compute Cloud - Compute), by instance type. */
  byInstanceType: z.record(z.string(), z.array(z.number())).default({}),
});

export const CostAnomalySchema = z.object({
  anomalyId: z.string(),
  startDate: isoDate,
  endDate: isoDate.optional(),
  /** Total impact in USD over the anomaly's span. */
  totalImpactUsd: z.number(),
  maxImpactUsd: z.number().optional(),
  score: z.number().optional(),
  monitorArn: z.string().optional(),
  rootCauses: z
    .array(
      z.object({
        service: z.string().optional(),
        region: z.string().optional(),
        usageType: z.string().optional(),
        linkedAccount: z.string().optional(),
      }),
    )
    .default([]),
});

/** Why something was not read. Every gap is named: Minewatch never reports a silent pass. */
export const CoverageReasonSchema = z.enum([
  "access-denied",
  "not-opted-in",
  "cost-explorer-not-enabled",
  "throttled",
  "timed-out",
  "agent-missing",
  "not-requested",
  "service-disabled",
  "error",
]);

export const CoverageEntrySchema = z.object({
  /** An AWS region, or `global` for account-wide APIs such as Cost Explorer. */
  region: z.string(),
  /** Short service name: ec2, cloudwatch, ce. */
  service: z.string(),
  /** The API action (DescribeInstances) or a data set name (gpu-metrics). */
  api: z.string(),
  status: z.enum(["ok", "partial", "failed", "skipped"]),
  reason: CoverageReasonSchema.optional(),
  /** The error text or a sentence for a person; never contains credentials. */
  message: z.string().optional(),
});

export const AccountSnapshotSchema = z.object({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  accountId: z.string().regex(/^\d{12}$/, "a 12-digit AWS account id"),
  collectedAt: isoDateTime,
  /** The audit window: findings are about activity between start and end. */
  window: z.object({ start: isoDateTime, end: isoDateTime }),
  source: z
    .object({
      tool: z.string().default("minewatch"),
      version: z.string().optional(),
      /** live: read from AWS; scenario: written or generated as a test case or demo. */
      kind: z.enum(["live", "scenario"]).default("live"),
      description: z.string().optional(),
    })
    .default({ tool: "minewatch", kind: "live" }),
  regions: z.array(RegionSchema),
  instanceTypes: z.record(z.string(), InstanceTypeInfoSchema).default({}),
  instances: z.array(InstanceSchema).default([]),
  metrics: MetricsSchema.default({ gpuNamespace: "CWAgent", gpuAgentInstanceIds: [], byInstance: {} }),
  costs: CostsSchema.optional(),
  costAnomalies: z.array(CostAnomalySchema).default([]),
  coverage: z.array(CoverageEntrySchema).default([]),
  /**
   * Sections beyond EC2, CloudWatch and Cost Explorer. Absent means "not collected" (the coverage
   * entries say why), never "nothing there".
   */
  cloudTrail: CloudTrailSchema.optional(),
  guardDuty: GuardDutySchema.optional(),
  ecs: EcsSchema.optional(),
  managedCompute: ManagedComputeSchema.optional(),
  relaunch: RelaunchSchema.optional(),
  webContent: WebContentSchema.optional(),
});

export type Region = z.infer<typeof RegionSchema>;
export type InstanceTypeInfo = z.infer<typeof InstanceTypeInfoSchema>;
export type UserData = z.infer<typeof UserDataSchema>;
export type Instance = z.infer<typeof InstanceSchema>;
export type Series = z.infer<typeof SeriesSchema>;
export type InstanceMetrics = z.infer<typeof InstanceMetricsSchema>;
export type Metrics = z.infer<typeof MetricsSchema>;
export type Costs = z.infer<typeof CostsSchema>;
export type CostAnomaly = z.infer<typeof CostAnomalySchema>;
export type CoverageReason = z.infer<typeof CoverageReasonSchema>;
export type CoverageEntry = z.infer<typeof CoverageEntrySchema>;
export type AccountSnapshot = z.infer<typeof AccountSnapshotSchema>;
/** What a hand-written snapshot may omit: every field with a default. */
export type AccountSnapshotInput = z.input<typeof AccountSnapshotSchema>;
