/** GuardDuty: which regions have a detector (and which protections), and mining findings. */
import { z } from "zod";
import { awsRegion, isoDateTime } from "./common.js";

export const GuardDutyDetectorSchema = z.object({
  region: awsRegion,
  detectorId: z.string(),
  status: z.enum(["ENABLED", "DISABLED"]),
  /** Feature name (RUNTIME_MONITORING, EKS_RUNTIME_MONITORING, LAMBDA_NETWORK_LOGS...) -> status. */
  features: z.record(z.string(), z.string()).default({}),
});

export const GuardDutyFindingSchema = z.object({
  id: z.string(),
  region: awsRegion,
  /** e.g. CryptoCurrency:EC2/BitcoinTool.B!DNS, Impact:Runtime/CryptoMinerExecuted. */
  type: z.string(),
  /** GuardDuty severity 1.0-8.9 (high >= 7). */
  severity: z.number(),
  title: z.string(),
  resourceType: z.string().optional(),
  instanceId: z.string().optional(),
  accessKeyId: z.string().optional(),
  /** Cluster, task, function or container the finding names. */
  resourceId: z.string().optional(),
  firstSeen: isoDateTime,
  lastSeen: isoDateTime,
  count: z.number().int().default(1),
});

export const GuardDutySchema = z.object({
  /** Regions where ListDetectors was read: a region here with no detector has GuardDuty off. */
  regionsChecked: z.array(z.string()).default([]),
  detectors: z.array(GuardDutyDetectorSchema).default([]),
  findings: z.array(GuardDutyFindingSchema).default([]),
});

export type GuardDutyDetector = z.infer<typeof GuardDutyDetectorSchema>;
export type GuardDutyFinding = z.infer<typeof GuardDutyFindingSchema>;
export type GuardDuty = z.infer<typeof GuardDutySchema>;
