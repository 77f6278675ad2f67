/**
 * The audit report: Minewatch's public output contract (the JSON format prints it as is).
 *
 * Scripts, tickets and the deployed stack's state depend on these fields: add, never rename.
 * docs/report.schema.json is generated from the zod schema below, the single definition; the README
 * ("Reading a finding") and docs/detection.md explain the fields.
 */
import { z } from "zod";
import { CoverageEntrySchema } from "../core/snapshot.js";
import { SEVERITIES } from "../rules/types.js";

export const REPORT_SCHEMA_VERSION = 1;

export const SeveritySchema = z.enum(SEVERITIES);

export const FindingResourceSchema = z.object({
  /** ec2-instance, region, service-spend, cost-anomaly. */
  type: z.string(),
  id: z.string(),
  region: z.string(),
  instanceType: z.string().optional(),
  state: z.string().optional(),
  launchTime: z.string().optional(),
  /** On-demand price of this resource per hour, when known. */
  hourlyCostUsd: z.number().optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

/** What an evidence entry is: a rule's observation, or a note the audit added (cost basis, folded coverage). */
export const EVIDENCE_KINDS = ["rule", "pricing", "coverage"] as const;

export const EvidenceSchema = z.object({
  /** `rule` when absent. Only `rule` and `coverage` entries explain why a finding was raised. */
  kind: z.enum(EVIDENCE_KINDS).optional(),
  ruleId: z.string(),
  severity: SeveritySchema,
  /** The resource the observation is about (type:id). */
  resource: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const ContainmentStepSchema = z.object({
  /** What the step does and why it comes in this order. */
  description: z.string(),
  /** An AWS CLI command a responder can copy; placeholders in <ANGLE_BRACKETS>. */
  command: z.string(),
});

/** Who launched it, from CloudTrail: the responder's first question. */
export const AttributionSchema = z.object({
  /** Root, IAMUser, AssumedRole, FederatedUser, AWSService... */
  principalType: z.string(),
  /** The identity's ARN (for an assumed role, the role's ARN; the session is in sessionArn). */
  principalArn: z.string().optional(),
  sessionArn: z.string().optional(),
  userName: z.string().optional(),
  accessKeyIds: z.array(z.string()),
  sourceIps: z.array(z.string()),
  userAgents: z.array(z.string()),
  /** Time of the first suspicious call by this principal in the CloudTrail window. */
  firstCallAt: z.string().optional(),
  /** The CloudTrail events that tie the principal to the finding's resources (ids, names, times). */
  events: z.array(z.object({ eventId: z.string(), eventName: z.string(), eventTime: z.string(), region: z.string() })),
});

export const FindingSchema = z.object({
  /** Stable across runs for the same incident (derived from its anchor resources, not from the run). */
  id: z.string(),
  severity: SeveritySchema,
  /** 0..1: grows with independent evidence. */
  confidence: z.number().min(0).max(1),
  title: z.string(),
  /** Two or three sentences: what, where, why it was flagged. */
  summary: z.string(),
  accountId: z.string(),
  /** The main region of the finding; `global` when account-wide. */
  region: z.string(),
  regions: z.array(z.string()),
  resources: z.array(FindingResourceSchema),
  /** Ids of the rules that contributed. */
  rules: z.array(z.string()),
  evidence: z.array(EvidenceSchema),
  /** Earliest time the activity is known to have started (ISO), when known. */
  firstSeen: z.string().optional(),
  estimatedHourlyCostUsd: z.number().nullable(),
  estimatedCostSoFarUsd: z.number().nullable(),
  /**
   * For a miner hidden in existing compute: what the affected instances cost per hour anyway (the
   * workload's own capacity, not spend the miner added). The estimated costs are null then.
   */
  capacityHourlyCostUsd: z.number().optional(),
  containment: z.array(ContainmentStepSchema),
  /** Present when CloudTrail names who created the finding's resources. */
  attribution: z.array(AttributionSchema).optional(),
});

export const SuppressedFindingSchema = z.object({
  id: z.string(),
  severity: SeveritySchema,
  title: z.string(),
  region: z.string(),
  resources: z.array(FindingResourceSchema),
  rules: z.array(z.string()),
  /** The reason written on the allowlist entry that suppressed it. */
  reason: z.string(),
  /** Index of that entry in the config's allowlist. */
  allowlistIndex: z.number().int(),
  expires: z.string().optional(),
});

/** A rule that came close on a resource and held back: what it measured, and the threshold it missed. */
export const NearMissSchema = z.object({
  ruleId: z.string(),
  /** The resource it is about (type:id), as in evidence. */
  resource: z.string(),
  region: z.string(),
  /** The measured value, the threshold it missed and the setting that holds that threshold. */
  message: z.string(),
  /** How much of the threshold was reached, 0..1; the list is closest first. */
  closeness: z.number().min(0).max(1),
  /** The finding the resource is part of, when other rules did flag it. */
  findingId: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const CoverageSummarySchema = z.object({
  /** True only when every enabled region and every API was read in full. */
  complete: z.boolean(),
  regionsAudited: z.array(z.string()),
  /** Regions not audited at all, with why (not opted in, access denied...). */
  regionsNotAudited: z.array(z.object({ region: z.string(), reason: z.string() })),
  /** Every coverage entry that is not `ok`. */
  gaps: z.array(CoverageEntrySchema),
});

export const AuditReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.object({ name: z.literal("minewatch"), version: z.string() }),
  generatedAt: z.string(),
  accountId: z.string(),
  window: z.object({ start: z.string(), end: z.string() }),
  summary: z.object({
    findings: z.number().int(),
    bySeverity: z.record(SeveritySchema, z.number().int()),
    worstSeverity: SeveritySchema.nullable(),
    estimatedHourlyCostUsd: z.number(),
    suppressed: z.number().int(),
    coverageComplete: z.boolean(),
  }),
  /** Most severe first. */
  findings: z.array(FindingSchema),
  suppressed: z.array(SuppressedFindingSchema),
  /**
   * Rules that almost fired, closest first (at most MAX_NEAR_MISSES; the rest are counted in
   * nearMissesNotListed). Not findings: they say why something was not raised. Allowlisted resources
   * are left out. Absent in reports older than this field.
   */
  nearMisses: z.array(NearMissSchema).default([]),
  nearMissesNotListed: z.number().int().nonnegative().default(0),
  /** Allowlist entries past their expiry: they no longer suppress anything. */
  expiredAllowlistEntries: z.array(
    z.object({ allowlistIndex: z.number().int(), reason: z.string(), expires: z.string() }),
  ),
  coverage: CoverageSummarySchema,
  /** A rule that threw is reported here, never treated as a pass. */
  ruleErrors: z.array(z.object({ ruleId: z.string(), message: z.string() })),
  /** Where cost estimates come from. */
  pricing: z.object({ source: z.string(), asOf: z.string() }),
  /** What Minewatch cannot see, stated in every report. */
  limits: z.array(z.string()),
});

export type FindingResource = z.infer<typeof FindingResourceSchema>;
export type Evidence = z.infer<typeof EvidenceSchema>;
export type ContainmentStep = z.infer<typeof ContainmentStepSchema>;
export type Attribution = z.infer<typeof AttributionSchema>;
export type Finding = z.infer<typeof FindingSchema>;
export type SuppressedFinding = z.infer<typeof SuppressedFindingSchema>;
export type NearMissEntry = z.infer<typeof NearMissSchema>;
export type CoverageSummary = z.infer<typeof CoverageSummarySchema>;
export type AuditReport = z.infer<typeof AuditReportSchema>;
