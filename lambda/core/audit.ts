/**
 * The audit itself: a pure function from a snapshot and a config to a report.
 *
 *   profile -> rules -> allowlist -> correlation -> pricing -> containment -> report
 *
 * No AWS call, no clock (the reference time is the snapshot's window end; `generatedAt` is only
 * stamped on the report), no environment: a saved snapshot yields the same findings tomorrow.
 */
import { applyAllowlist, type SuppressedSignal } from "../correlate/allowlist.js";
import { containmentSteps } from "../correlate/containment.js";
import { correlate, type Incident } from "../correlate/correlate.js";
import { estimateManagedCost, type ManagedCost } from "../correlate/managed-pricing.js";
import { reportNearMisses } from "../correlate/near-misses.js";
import { estimateFleetCost, PRICING_AS_OF, PRICING_SOURCE } from "../correlate/pricing.js";
import { resourceFacts } from "../correlate/resource-facts.js";
import {
  type AuditReport,
  AuditReportSchema,
  type CoverageSummary,
  type Evidence,
  type Finding,
  type FindingResource,
  REPORT_SCHEMA_VERSION,
  type SuppressedFinding,
} from "../report/model.js";
import { evaluateRules, RULES } from "../rules/registry.js";
import { type ResourceRef, type Rule, SEVERITIES, type Severity, type Signal, severityRank } from "../rules/types.js";
import type { Config } from "./config.js";
import { buildProfile } from "./profile.js";
import type { AccountSnapshot, CoverageEntry } from "./snapshot.js";
import { TOOL_NAME, TOOL_VERSION } from "./version.js";

export interface AuditOptions {
  /** Stamped on the report; never used as the reference time. */
  generatedAt: Date;
  /** The rules to run; the registry when absent (tests pass a few). */
  rules?: readonly Rule[];
}

/** What Minewatch cannot see, in every report, so a quiet report is read for what it is. */
export const LIMITS: readonly string[] = [
  "GPU utilization is invisible without the CloudWatch agent reporting nvidia_smi_utilization_gpu; an attacker's instance will not run it, so GPU instances are judged by type, region, launch pattern and CPU only.",
  "A miner inside containers or pods on existing nodes, with capped CPU and a private pool, creates no instance, region or noticeable cost: it shows only in the shape of CPU over time (MW-CPU-FLAT-SHIFT), GuardDuty Runtime Monitoring or VPC flow logs.",
  "Mining on services other than EC2 is seen through their inventory where it was read (ECS tasks, SageMaker notebooks, CodeBuild projects, Amplify apps, Lambda functions) and otherwise only through Cost Explorer spend, which lags by up to a day.",
  "CloudTrail event history covers the last 90 days: older launches cannot be attributed from it.",
  "Cost estimates use on-demand Linux list prices and an approximate regional multiplier; spot, savings plans and Windows differ.",
  "Only regions and APIs listed as audited were read; everything else is listed under coverage.",
];

export function auditSnapshot(snapshot: AccountSnapshot, config: Config, options: AuditOptions): AuditReport {
  const now = new Date(snapshot.window.end);
  const profile = buildProfile(snapshot, config);
  const { signals, nearMisses, errors } = evaluateRules(snapshot, { config, profile, now }, options.rules ?? RULES);
  const allowlist = applyAllowlist(signals, snapshot, config, now);

  const findings = correlate({ signals: allowlist.active, snapshot, profile })
    .map((incident) => toFinding(incident, snapshot, now))
    .sort(compareFindings);
  const suppressed = suppressedFindings(allowlist.suppressed, snapshot, profile, config, now);
  const coverage = summarizeCoverage(snapshot);
  const near = reportNearMisses(nearMisses, findings, snapshot, config, now);

  const report: AuditReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    generatedAt: options.generatedAt.toISOString(),
    accountId: snapshot.accountId,
    window: snapshot.window,
    summary: summarizeFindings(findings, suppressed.length, coverage.complete),
    findings,
    suppressed,
    nearMisses: near.nearMisses,
    nearMissesNotListed: near.nearMissesNotListed,
    expiredAllowlistEntries: allowlist.expired,
    coverage,
    ruleErrors: errors,
    pricing: { source: PRICING_SOURCE, asOf: PRICING_AS_OF },
    limits: [...LIMITS],
  };
  // The report is a public contract: fail here, loudly, rather than hand a consumer a wrong shape.
  return AuditReportSchema.parse(report);
}

/** The report's summary line for `findings` (most severe first). */
export function summarizeFindings(
  findings: readonly Finding[],
  suppressed: number,
  coverageComplete: boolean,
): AuditReport["summary"] {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) bySeverity[finding.severity] += 1;
  return {
    findings: findings.length,
    bySeverity,
    worstSeverity: findings[0]?.severity ?? null,
    estimatedHourlyCostUsd: round2(findings.reduce((sum, f) => sum + (f.estimatedHourlyCostUsd ?? 0), 0)),
    suppressed,
    coverageComplete,
  };
}

function toFinding(incident: Incident, snapshot: AccountSnapshot, now: Date): Finding {
  const cost = estimateFleetCost(incident.instances, snapshot.instanceTypes, now);
  const managed = new Map(
    incident.otherResources.flatMap((r) => {
      const estimate = estimateManagedCost(r, snapshot, now);
      return estimate ? [[`${r.type}:${r.id}`, estimate] as const] : [];
    }),
  );
  const resources: FindingResource[] = [
    ...incident.instances.map((i) => ({
      type: "ec2-instance",
      id: i.instanceId,
      region: i.region,
      instanceType: i.instanceType,
      state: i.state,
      launchTime: i.launchTime,
      ...(cost.perInstanceHourlyUsd[i.instanceId] !== undefined
        ? { hourlyCostUsd: cost.perInstanceHourlyUsd[i.instanceId] }
        : {}),
      ...(Object.keys(i.tags).length > 0 ? { tags: i.tags } : {}),
    })),
    ...incident.otherResources.map((r) => {
      const facts = resourceFacts(r, snapshot);
      const price = managed.get(`${r.type}:${r.id}`);
      return {
        type: r.type,
        id: r.id,
        region: r.region,
        ...(facts.size ? { instanceType: facts.size } : {}),
        ...(facts.state ? { state: facts.state } : {}),
        ...(facts.createdAt ? { launchTime: facts.createdAt } : {}),
        ...(price && price.hourlyUsd > 0 ? { hourlyCostUsd: price.hourlyUsd } : {}),
      };
    }),
  ];

  const evidence: Evidence[] = [
    ...incident.signals.map(toEvidence),
    ...incident.notes.map((note) => ({ ...toEvidence(note), kind: "coverage" as const })),
  ];
  let hourly = cost.hourlyUsd;
  let soFar = cost.soFarUsd;
  let capacity: number | undefined;
  if (incident.kind === "existing-compute") {
    // The miner runs on capacity the account pays for anyway: the nodes' price since launch is the
    // workload's cost, not the miner's. Say what the capacity costs, and claim no "cost so far".
    capacity = cost.hourlyUsd ?? undefined;
    hourly = null;
    soFar = null;
    evidence.push({
      kind: "pricing",
      ruleId: "pricing",
      severity: "info",
      resource: `finding:${incident.id}`,
      message: `The miner runs on existing capacity${
        capacity !== undefined
          ? ` (the affected instances cost about USD ${capacity.toFixed(2)}/h at on-demand prices)`
          : ""
      }: that is the workload's own cost, not spend the miner added, so no cost of the mining itself is estimated.`,
      details: { capacityHourlyCostUsd: capacity ?? null },
    });
  } else if (incident.instances.length > 0 || managed.size > 0) {
    if (incident.instances.length > 0) evidence.push(pricingEvidence(incident, cost));
    if (managed.size > 0) {
      const managedHourly = sum([...managed.values()].map((m) => m.hourlyUsd));
      const managedSoFar = sum([...managed.values()].map((m) => m.soFarUsd));
      hourly = round2((hourly ?? 0) + managedHourly);
      soFar = round2((soFar ?? 0) + managedSoFar);
      const unpriced = incident.otherResources.filter(
        (r) => UNPRICED_COMPUTE_TYPES.has(r.type) && !managed.has(`${r.type}:${r.id}`),
      );
      evidence.push(managedPricingEvidence(incident, [...managed.values()], managedHourly, managedSoFar, unpriced));
    }
  } else {
    // No instance to price: what Cost Explorer measured is the best "so far" there is.
    const anomalyIds = new Set(incident.otherResources.filter((r) => r.type === "cost-anomaly").map((r) => r.id));
    const impacts = snapshot.costAnomalies.filter((a) => anomalyIds.has(a.anomalyId)).map((a) => a.totalImpactUsd);
    hourly = null;
    soFar = impacts.length > 0 ? round2(impacts.reduce((a, b) => a + b, 0)) : null;
    if (soFar !== null) {
      evidence.push({
        kind: "pricing",
        ruleId: "pricing",
        severity: "info",
        resource: `finding:${incident.id}`,
        message: `Cost so far is the total impact Cost Explorer measured for the anomalies (USD ${soFar.toFixed(2)}); Cost Explorer lags by up to a day.`,
      });
    }
  }

  const costSentence =
    hourly !== null
      ? ` Estimated ${formatUsd(hourly)}/h while running, about ${formatUsd(soFar ?? 0)} since launch (on-demand estimate).`
      : capacity !== undefined
        ? ` The affected instances cost about ${formatUsd(capacity)}/h anyway (their capacity, not the miner's extra cost).`
        : "";
  return {
    id: incident.id,
    severity: incident.severity,
    confidence: incident.confidence,
    title: incident.title,
    summary: `${incident.summary}${costSentence}`,
    accountId: incident.accountId,
    region: incident.region,
    regions: incident.regions,
    resources,
    rules: incident.rules,
    evidence,
    ...(incident.firstSeen ? { firstSeen: incident.firstSeen } : {}),
    estimatedHourlyCostUsd: hourly,
    estimatedCostSoFarUsd: soFar,
    ...(capacity !== undefined ? { capacityHourlyCostUsd: capacity } : {}),
    containment: containmentSteps(incident, snapshot.window, snapshot),
    ...(incident.attribution.length > 0 ? { attribution: incident.attribution } : {}),
  };
}

function pricingEvidence(incident: Incident, cost: ReturnType<typeof estimateFleetCost>): Evidence {
  const parts = [
    cost.hourlyUsd === null
      ? "No running instance of this finding could be priced."
      : `Estimated USD ${cost.hourlyUsd.toFixed(2)}/h for the instances running now, at on-demand Linux prices (us-east-1 table as of ${PRICING_AS_OF} times a regional multiplier).`,
    "Cost so far = hourly price x hours since each running instance's launch, not capped at the audit window; stopped and terminated instances are not counted.",
  ];
  if (cost.shapeEstimatedTypes.length > 0) {
    parts.push(`Not in the price table, estimated from vCPU/GPU counts: ${cost.shapeEstimatedTypes.join(", ")}.`);
  }
  if (cost.unpricedInstanceIds.length > 0) {
    parts.push(`${cost.unpricedInstanceIds.length} running instance(s) of unknown type are not included.`);
  }
  if (incident.instances.some((i) => i.lifecycle === "spot")) {
    parts.push("Spot instances cost less than the on-demand price used here.");
  }
  return {
    kind: "pricing",
    ruleId: "pricing",
    severity: "info",
    resource: `finding:${incident.id}`,
    message: parts.join(" "),
    details: {
      estimatedHourlyCostUsd: cost.hourlyUsd,
      estimatedCostSoFarUsd: cost.soFarUsd,
      unpricedInstanceIds: cost.unpricedInstanceIds,
      shapeEstimatedTypes: cost.shapeEstimatedTypes,
    },
  };
}

/** How the managed resources of a finding were priced, grouped by what they run on. */
function managedPricingEvidence(
  incident: Incident,
  costs: readonly ManagedCost[],
  hourlyUsd: number,
  soFarUsd: number,
  unpriced: readonly ResourceRef[],
): Evidence {
  const byBasis = new Map<string, number>();
  for (const c of costs) byBasis.set(c.basis, (byBasis.get(c.basis) ?? 0) + 1);
  const what = [...byBasis].map(([basis, n]) => (n > 1 ? `${n} x ${basis}` : basis)).join("; ");
  const buildMinutes = sum(costs.map((c) => c.buildMinutes ?? 0));
  return {
    kind: "pricing",
    ruleId: "pricing",
    severity: "info",
    resource: `finding:${incident.id}`,
    message:
      `Managed compute estimated at USD ${hourlyUsd.toFixed(2)}/h now and about USD ${soFarUsd.toFixed(2)} so far ` +
      `(on-demand list prices, us-east-1 as of ${PRICING_AS_OF} times a regional multiplier): ${what}` +
      `${buildMinutes > 0 ? ` (${buildMinutes} CodeBuild build-minutes)` : ""}. Fargate tasks and ` +
      "notebooks count from their start while running; CodeBuild counts every listed build's minutes and, per hour, the builds in progress." +
      (unpriced.length > 0 ? ` Not priced here (Cost Explorer has their spend): ${countByType(unpriced)}.` : ""),
    details: { managedHourlyCostUsd: hourlyUsd, managedCostSoFarUsd: soFarUsd, codeBuildMinutes: buildMinutes },
  };
}

/**
 * Compute resources that may be left unpriced in a finding: Amplify apps and Lambda functions
 * always (their bills follow builds and invocations), tasks, notebooks and projects when their size
 * or type is unknown. Relaunch machinery is not compute of its own: its instances are priced.
 */
const UNPRICED_COMPUTE_TYPES: ReadonlySet<string> = new Set([
  "amplify-app",
  "lambda-function",
  "ecs-task",
  "sagemaker-notebook",
  "codebuild-project",
]);

/** "3 amplify-app, 1 lambda-function". */
function countByType(refs: readonly ResourceRef[]): string {
  const counts = new Map<string, number>();
  for (const r of refs) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(", ");
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function toEvidence(signal: Signal): Evidence {
  return {
    ruleId: signal.ruleId,
    severity: signal.severity,
    resource: `${signal.resource.type}:${signal.resource.id}`,
    message: signal.message,
    ...(signal.details ? { details: signal.details } : {}),
  };
}

/** Suppressed signals are correlated per allowlist entry, so each suppressed finding names one reason. */
function suppressedFindings(
  suppressed: readonly SuppressedSignal[],
  snapshot: AccountSnapshot,
  profile: ReturnType<typeof buildProfile>,
  config: Config,
  now: Date,
): SuppressedFinding[] {
  const byEntry = new Map<number, Signal[]>();
  for (const { signal, allowlistIndex } of suppressed) {
    const list = byEntry.get(allowlistIndex) ?? [];
    list.push(signal);
    byEntry.set(allowlistIndex, list);
  }
  const result: SuppressedFinding[] = [];
  for (const [index, signals] of [...byEntry].sort((a, b) => a[0] - b[0])) {
    const entry = config.allowlist[index];
    if (!entry) continue;
    for (const incident of correlate({ signals, snapshot, profile })) {
      const finding = toFinding(incident, snapshot, now);
      result.push({
        id: finding.id,
        severity: finding.severity,
        title: finding.title,
        region: finding.region,
        resources: finding.resources,
        rules: finding.rules,
        reason: entry.reason,
        allowlistIndex: index,
        ...(entry.expires ? { expires: entry.expires } : {}),
      });
    }
  }
  return result.sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || a.allowlistIndex - b.allowlistIndex,
  );
}

/** Most severe first, then the most expensive, then by id so the order never depends on input order. */
function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    (b.estimatedHourlyCostUsd ?? b.capacityHourlyCostUsd ?? -1) -
      (a.estimatedHourlyCostUsd ?? a.capacityHourlyCostUsd ?? -1) ||
    (b.estimatedCostSoFarUsd ?? -1) - (a.estimatedCostSoFarUsd ?? -1) ||
    a.id.localeCompare(b.id)
  );
}

/**
 * A region counts as audited when its instance inventory was read in full. The coverage is complete
 * when nothing was missed apart from regions the account has not opted in to (nothing can run there).
 */
export function summarizeCoverage(snapshot: AccountSnapshot): CoverageSummary {
  const inventory = (region: string): CoverageEntry | undefined =>
    snapshot.coverage.find((e) => e.region === region && e.service === "ec2" && e.api === "DescribeInstances");
  const regionsAudited: string[] = [];
  const regionsNotAudited: CoverageSummary["regionsNotAudited"] = [];
  for (const region of [...snapshot.regions].sort((a, b) => a.name.localeCompare(b.name))) {
    const entry = inventory(region.name);
    if (region.optInStatus === "not-opted-in") {
      regionsNotAudited.push({ region: region.name, reason: "not opted in (nothing can run there)" });
    } else if (entry?.status === "ok") {
      regionsAudited.push(region.name);
    } else if (entry) {
      const why = [entry.reason ?? entry.status, entry.message].filter(Boolean).join(": ");
      regionsNotAudited.push({ region: region.name, reason: `EC2 inventory ${entry.status} (${why})` });
    } else {
      regionsNotAudited.push({ region: region.name, reason: "EC2 inventory not read (no coverage record)" });
    }
  }
  const gaps = snapshot.coverage.filter((e) => e.status !== "ok");
  const enabledUnaudited = regionsNotAudited.filter(
    (r) => snapshot.regions.find((x) => x.name === r.region)?.optInStatus !== "not-opted-in",
  );
  const complete = enabledUnaudited.length === 0 && gaps.every((g) => g.reason === "not-opted-in");
  return { complete, regionsAudited, regionsNotAudited, gaps };
}

function formatUsd(value: number): string {
  return `$${value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(2)}`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
