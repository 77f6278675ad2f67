/** GuardDuty: which regions have a detector (and which protections), and mining findings. */
import { z } from "zod";
import { awsRegion, isoDateTime } from "./common.js";

/**
 * GuardDuty finding types that mean mining (GuardDuty user guide: EC2, Runtime Monitoring and Lambda
 * Protection finding types). Lambda Protection has no DNS or domain-reputation mining type.
 */
export const MINING_FINDING_TYPES = [
  "CryptoCurrency:EC2/BitcoinTool.B",
  "CryptoCurrency:EC2/BitcoinTool.B!DNS",
  "Impact:EC2/BitcoinDomainRequest.Reputation",
  "CryptoCurrency:Runtime/BitcoinTool.B",
  "CryptoCurrency:Runtime/BitcoinTool.B!DNS",
  "Impact:Runtime/BitcoinDomainRequest.Reputation",
  "Impact:Runtime/CryptoMinerExecuted",
  "CryptoCurrency:Lambda/BitcoinTool.B",
] as const;

/** Feature names as GetDetector reports them; additional configurations are keyed `FEATURE/CONFIG`. */
export const GUARDDUTY_FEATURE = {
  runtimeMonitoring: "RUNTIME_MONITORING",
  fargateAgent: "RUNTIME_MONITORING/ECS_FARGATE_AGENT_MANAGEMENT",
  eksRuntimeMonitoring: "EKS_RUNTIME_MONITORING",
  lambdaNetworkLogs: "LAMBDA_NETWORK_LOGS",
} as const;

export const GuardDutyDetectorSchema = z.object({
  region: awsRegion,
  detectorId: z.string(),
  status: z.enum(["ENABLED", "DISABLED"]),
  /**
   * Feature name (RUNTIME_MONITORING, EKS_RUNTIME_MONITORING, LAMBDA_NETWORK_LOGS...) -> status
   * (ENABLED / DISABLED); additional configurations as `FEATURE/CONFIG` (e.g.
   * RUNTIME_MONITORING/ECS_FARGATE_AGENT_MANAGEMENT, which Runtime Monitoring needs to see Fargate).
   */
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
  /** The most specific resource the finding names: ECS task ARN, Lambda function ARN, EKS cluster or container. */
  resourceId: z.string().optional(),
  /** The ECS cluster ARN, for findings about ECS tasks. */
  clusterArn: z.string().optional(),
  /** Archived findings (by hand or by a suppression rule, which an attacker with admin rights can create). */
  archived: z.boolean().optional(),
  firstSeen: isoDateTime,
  lastSeen: isoDateTime,
  count: z.number().int().default(1),
});

export const GuardDutySchema = z.object({
  /**
   * Regions whose detectors were read in full (ListDetectors, and GetDetector for each detector): a
   * region here with no ENABLED detector has GuardDuty off. Regions not read are coverage entries.
   */
  regionsChecked: z.array(z.string()).default([]),
  detectors: z.array(GuardDutyDetectorSchema).default([]),
  findings: z.array(GuardDutyFindingSchema).default([]),
});

export type GuardDutyDetector = z.infer<typeof GuardDutyDetectorSchema>;
export type GuardDutyFinding = z.infer<typeof GuardDutyFindingSchema>;
export type GuardDuty = z.infer<typeof GuardDutySchema>;
