/**
 * Correlation: many signals about many resources become a few incidents a person can act on.
 *
 * One leaked key typically launches dozens of instances in several regions within minutes; eight
 * rules may fire on each. A responder wants one finding ("9 GPU instances in 3 unused regions"),
 * not 72 lines. Grouping, in order:
 *  1. signals about one instance belong together;
 *  2. instances join when they share a launch wave, an Auto Scaling group, or were launched within
 *     an hour of each other and share a suspicious rule (unused region, unusual type, miner in user
 *     data), across regions;
 *  3. instances flagged only for a changed CPU shape join per region by Auto Scaling group, cluster
 *     or Name tag: the Tesla pattern of a miner hidden in existing compute;
 *  4. region spend and cost anomalies corroborate an instance incident in their region, else stand
 *     alone; coverage gaps make one "not audited" finding per region.
 * Severity grows with independent rules, so one weak signal stays low and several together page.
 */
import { createHash } from "node:crypto";
import type { AccountProfile } from "../core/profile.js";
import type { AccountSnapshot, Instance } from "../core/snapshot.js";
import { atLeast, type ResourceRef, SEVERITIES, type Severity, type Signal, severityRank } from "../rules/types.js";

export const RULE = {
  unusedRegion: "MW-EC2-UNUSED-REGION",
  unusualType: "MW-EC2-UNUSUAL-TYPE",
  launchWave: "MW-EC2-LAUNCH-WAVE",
  userdataMiner: "MW-EC2-USERDATA-MINER",
  cpuSustainedHigh: "MW-CPU-SUSTAINED-HIGH",
  cpuFlatShift: "MW-CPU-FLAT-SHIFT",
  gpuHigh: "MW-GPU-HIGH-UTILIZATION",
  costAnomaly: "MW-COST-ANOMALY-COMPUTE",
  costNewSpend: "MW-COST-NEW-SPEND",
  coverageGap: "MW-COVERAGE-GAP",
} as const;

/** Rules that say "this compute should not exist": new, unusual, or carrying a miner. */
const NEW_COMPUTE_RULES: ReadonlySet<string> = new Set([
  RULE.unusedRegion,
  RULE.unusualType,
  RULE.launchWave,
  RULE.userdataMiner,
]);
/** Rules whose shared presence links instances launched close together. */
const LINKING_RULES = [RULE.unusedRegion, RULE.unusualType, RULE.userdataMiner] as const;
export const LINK_WINDOW_MINUTES = 60;

const SPEND_TYPES: ReadonlySet<string> = new Set([
  "region-spend",
  "cost-anomaly",
  "service-spend",
  "instance-type-spend",
]);

/** Weight of one rule's evidence in the confidence, by the strongest signal that rule gave. */
export const CONFIDENCE_WEIGHT: Readonly<Record<Severity, number>> = {
  critical: 0.9,
  high: 0.6,
  medium: 0.35,
  low: 0.15,
  info: 0.05,
};

/** What a responder does differs by kind: a leaked key is contained differently from a hijacked server. */
export type IncidentKind = "new-compute" | "existing-compute" | "gpu-not-visible" | "cost" | "coverage" | "other";

export interface Incident {
  /** Stable across runs: mw- + hash of the account and the incident's anchor resources. */
  id: string;
  kind: IncidentKind;
  severity: Severity;
  confidence: number;
  title: string;
  /** Two sentences without cost (the audit adds the cost sentence after pricing). */
  summary: string;
  accountId: string;
  region: string;
  regions: string[];
  /** Instances involved, earliest launch first. */
  instances: Instance[];
  /** Resources that are not instances (or instances missing from the snapshot). */
  otherResources: ResourceRef[];
  signals: Signal[];
  rules: string[];
  firstSeen?: string;
}

export interface CorrelationInput {
  signals: readonly Signal[];
  snapshot: Pick<AccountSnapshot, "accountId" | "instances" | "instanceTypes" | "costAnomalies">;
  profile: Pick<AccountProfile, "homeRegions">;
}

export function correlate(input: CorrelationInput): Incident[] {
  const { signals, snapshot } = input;
  const instancesById = new Map(snapshot.instances.map((i) => [i.instanceId, i]));

  const byInstance = new Map<string, Signal[]>();
  const spendSignals: Signal[] = [];
  const coverageSignals: Signal[] = [];
  const otherSignals: Signal[] = [];
  for (const signal of signals) {
    const type = signal.resource.type;
    if (type === "ec2-instance") pushTo(byInstance, signal.resource.id, signal);
    else if (type === "coverage" || signal.ruleId === RULE.coverageGap) coverageSignals.push(signal);
    else if (SPEND_TYPES.has(type)) spendSignals.push(signal);
    else otherSignals.push(signal);
  }

  const groups = groupInstances(byInstance, instancesById);
  const incidents: Incident[] = [];
  const instanceDrafts = groups.map((group) => ({
    ids: group.ids,
    kind: group.kind,
    signals: group.ids.flatMap((id) => byInstance.get(id) ?? []),
  }));

  // Spend joins the most severe instance incident that runs in its region (or of its instance
  // type): corroboration. Account-wide spend with nothing to tie it to stands alone.
  const standaloneSpend: Signal[] = [];
  for (const signal of spendSignals) {
    const { region, type, id } = signal.resource;
    const matches = (instanceId: string): boolean => {
      const instance = instancesById.get(instanceId);
      if (type === "instance-type-spend") return instance?.instanceType === id;
      if (region === "global") return false;
      return (instance?.region ?? regionOfSignals(byInstance.get(instanceId))) === region;
    };
    const candidates = instanceDrafts.filter((draft) => draft.kind !== "gpu-not-visible" && draft.ids.some(matches));
    const target = candidates.sort(
      (a, b) => worstRank(a.signals) - worstRank(b.signals) || kindRank(a.kind) - kindRank(b.kind),
    )[0];
    if (target) target.signals.push(signal);
    else standaloneSpend.push(signal);
  }

  for (const draft of instanceDrafts) {
    incidents.push(buildInstanceIncident(draft.kind, draft.ids, draft.signals, instancesById, input));
  }
  for (const [region, group] of groupBy(standaloneSpend, (s) => s.resource.region)) {
    incidents.push(buildSpendIncident(region, group, input));
  }
  for (const [region, group] of groupBy(coverageSignals, (s) => s.resource.region)) {
    incidents.push(buildCoverageIncident(region, group, input));
  }
  for (const [key, group] of groupBy(otherSignals, (s) => `${s.resource.type}:${s.resource.id}`)) {
    incidents.push(buildOtherIncident(key, group, input));
  }
  return incidents;
}

// ---------------------------------------------------------------------------------------------
// Grouping instances

type InstanceKind = "new-compute" | "existing-compute" | "gpu-not-visible";

interface InstanceGroup {
  ids: string[];
  kind: InstanceKind;
}

/** The GPU rule's "utilization unknown" note: a visibility gap about the instance, not a behaviour. */
function isGpuBlindSignal(signal: Signal): boolean {
  return signal.ruleId === RULE.gpuHigh && signal.details?.agentMetricFound === false;
}

function groupInstances(byInstance: Map<string, Signal[]>, instancesById: Map<string, Instance>): InstanceGroup[] {
  const ids = [...byInstance.keys()].sort();
  const rulesOf = (id: string) => new Set((byInstance.get(id) ?? []).map((s) => s.ruleId));
  const flatShiftOnly = (id: string) => {
    const rules = rulesOf(id);
    return rules.size === 1 && rules.has(RULE.cpuFlatShift);
  };
  const launchOf = (id: string) => {
    const launch = instancesById.get(id)?.launchTime;
    return launch ? Date.parse(launch) : Number.NaN;
  };

  // Instances whose only signal is "GPU utilization unknown" are grouped per region as a visibility
  // note; they become an incident of their own only when some other rule flags them too.
  const gpuBlindOnly = (id: string) => (byInstance.get(id) ?? []).every(isGpuBlindSignal);
  const blindIds = ids.filter(gpuBlindOnly);
  const shapeIds = ids.filter((id) => !gpuBlindOnly(id) && flatShiftOnly(id));
  const mainIds = ids.filter((id) => !gpuBlindOnly(id) && !flatShiftOnly(id));

  const main = new UnionFind(mainIds);
  joinByKey(main, mainIds, (id) => (byInstance.get(id) ?? []).flatMap((s) => waveIdOf(s) ?? []));
  joinByKey(main, mainIds, (id) => {
    const instance = instancesById.get(id);
    return instance?.autoScalingGroup ? [`${instance.region}/${instance.autoScalingGroup}`] : [];
  });
  for (const ruleId of LINKING_RULES) {
    const flagged = mainIds
      .filter((id) => rulesOf(id).has(ruleId) && !Number.isNaN(launchOf(id)))
      .sort((a, b) => launchOf(a) - launchOf(b) || a.localeCompare(b));
    for (let k = 1; k < flagged.length; k++) {
      const previous = flagged[k - 1] as string;
      const current = flagged[k] as string;
      if (launchOf(current) - launchOf(previous) <= LINK_WINDOW_MINUTES * 60_000) main.union(previous, current);
    }
  }

  const shape = new UnionFind(shapeIds);
  joinByKey(shape, shapeIds, (id) => {
    const instance = instancesById.get(id);
    if (!instance) return [];
    return workloadKeys(instance).map((key) => `${instance.region}/${key}`);
  });

  const groups: InstanceGroup[] = [];
  for (const members of main.groups()) {
    const isNew = members.some((id) => [...rulesOf(id)].some((rule) => NEW_COMPUTE_RULES.has(rule)));
    groups.push({ ids: members, kind: isNew ? "new-compute" : "existing-compute" });
  }
  for (const members of shape.groups()) groups.push({ ids: members, kind: "existing-compute" });
  const blindByRegion = new Map<string, string[]>();
  for (const id of blindIds) {
    pushTo(blindByRegion, instancesById.get(id)?.region ?? regionOfSignals(byInstance.get(id)) ?? "global", id);
  }
  for (const [, members] of [...blindByRegion].sort((a, b) => a[0].localeCompare(b[0]))) {
    groups.push({ ids: members, kind: "gpu-not-visible" });
  }
  return groups;
}

/** What makes instances "the same workload": their Auto Scaling group, cluster, or Name tag. */
function workloadKeys(instance: Instance): string[] {
  const keys: string[] = [];
  if (instance.autoScalingGroup) keys.push(`asg:${instance.autoScalingGroup}`);
  const cluster =
    instance.tags["eks:cluster-name"] ??
    instance.tags["aws:eks:cluster-name"] ??
    instance.tags["aws:ecs:clusterName"] ??
    Object.keys(instance.tags)
      .find((key) => key.startsWith("kubernetes.io/cluster/"))
      ?.slice("kubernetes.io/cluster/".length);
  if (cluster) keys.push(`cluster:${cluster}`);
  const name = instance.tags.Name;
  if (name) keys.push(`name:${name}`);
  return keys;
}

function waveIdOf(signal: Signal): string[] | undefined {
  if (signal.ruleId !== RULE.launchWave) return undefined;
  const wave = signal.details?.waveId;
  return typeof wave === "string" || typeof wave === "number" ? [`wave:${wave}`] : undefined;
}

function joinByKey(uf: UnionFind, ids: readonly string[], keysOf: (id: string) => string[]): void {
  const firstByKey = new Map<string, string>();
  for (const id of ids) {
    for (const key of keysOf(id)) {
      const first = firstByKey.get(key);
      if (first === undefined) firstByKey.set(key, id);
      else uf.union(first, id);
    }
  }
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  constructor(ids: readonly string[]) {
    for (const id of ids) this.parent.set(id, id);
  }
  find(id: string): string {
    let root = id;
    while (this.parent.get(root) !== root) root = this.parent.get(root) ?? root;
    this.parent.set(id, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    // Smallest id as root keeps the result independent of input order.
    if (ra === rb) return;
    if (ra < rb) this.parent.set(rb, ra);
    else this.parent.set(ra, rb);
  }
  groups(): string[][] {
    const byRoot = new Map<string, string[]>();
    for (const id of [...this.parent.keys()].sort()) pushTo(byRoot, this.find(id), id);
    return [...byRoot.values()];
  }
}

// ---------------------------------------------------------------------------------------------
// Scoring

/**
 * Start from the strongest signal; one level up when two distinct rules with at least medium
 * signals agree, another when three do (never past critical). A single weak signal stays where it is.
 */
export function scoreSeverity(signals: readonly Signal[]): Severity {
  if (signals.length === 0) return "info";
  const worst = worstRank(signals);
  const corroborating = new Set(signals.filter((s) => atLeast(s.severity, "medium")).map((s) => s.ruleId)).size;
  const raise = corroborating >= 3 ? 2 : corroborating >= 2 ? 1 : 0;
  return SEVERITIES[Math.max(0, worst - raise)] ?? "critical";
}

/** 1 - prod(1 - w) over distinct rules, each weighted by its strongest signal. */
export function scoreConfidence(signals: readonly Signal[]): number {
  const strongest = new Map<string, Severity>();
  for (const signal of signals) {
    const current = strongest.get(signal.ruleId);
    if (!current || severityRank(signal.severity) < severityRank(current))
      strongest.set(signal.ruleId, signal.severity);
  }
  let miss = 1;
  for (const severity of strongest.values()) miss *= 1 - CONFIDENCE_WEIGHT[severity];
  return Math.round((1 - miss) * 1000) / 1000;
}

/** mw- + the first 12 hex digits of sha256(account, kind, sorted anchors). */
export function incidentId(accountId: string, kind: string, anchors: readonly string[]): string {
  const material = [accountId, kind, ...[...anchors].sort()].join("\n");
  return `mw-${createHash("sha256").update(material).digest("hex").slice(0, 12)}`;
}

// ---------------------------------------------------------------------------------------------
// Building incidents

function buildInstanceIncident(
  kind: InstanceKind,
  ids: readonly string[],
  signals: Signal[],
  instancesById: Map<string, Instance>,
  input: CorrelationInput,
): Incident {
  const known = ids.flatMap((id) => instancesById.get(id) ?? []);
  const instances = [...known].sort(
    (a, b) => Date.parse(a.launchTime) - Date.parse(b.launchTime) || a.instanceId.localeCompare(b.instanceId),
  );
  const missing = ids.filter((id) => !instancesById.has(id));
  const otherResources = dedupeResources([
    ...missing.flatMap((id) => {
      const signal = signals.find((s) => s.resource.type === "ec2-instance" && s.resource.id === id);
      return signal ? [signal.resource] : [];
    }),
    ...signals.filter((s) => s.resource.type !== "ec2-instance").map((s) => s.resource),
  ]);
  // Anchors: the earliest three instances, so the id survives the fleet growing tomorrow.
  const anchors = [...instances.map((i) => i.instanceId), ...[...missing].sort()].slice(0, 3);
  const regions = sortedUnique([...instances.map((i) => i.region), ...otherResources.map((r) => r.region)]).filter(
    (r) => r !== "global",
  );
  const instanceRegions = sortedUnique([
    ...instances.map((i) => i.region),
    ...missing.map((id) => regionOfSignals(signals.filter((s) => s.resource.id === id)) ?? "global"),
  ]);
  const ruleIds = sortedUnique(signals.map((s) => s.ruleId));
  const count = ids.length;
  const home = new Set(input.profile.homeRegions);
  const unusedRegions = instanceRegions.filter((r) => !home.has(r) && r !== "global");
  const what = describeCompute(instances, input.snapshot.instanceTypes, count);
  const where =
    ruleIds.includes(RULE.unusedRegion) && unusedRegions.length > 0
      ? `in ${plural(unusedRegions.length, "unused region")}`
      : `in ${listRegions(instanceRegions)}`;

  // Only rules with at least medium signals earn the strong wording; a low launch-wave note on an
  // established Auto Scaling group is not "leaked-key mining".
  const strongRules = new Set(signals.filter((s) => atLeast(s.severity, "medium")).map((s) => s.ruleId));
  let title: string;
  if (kind === "gpu-not-visible") {
    title = `GPU utilization not visible: ${what} in ${listRegions(instanceRegions)} without the CloudWatch agent GPU metric`;
  } else if (kind === "existing-compute") {
    const onlyShape = ruleIds.every((r) => r === RULE.cpuFlatShift || !isInstanceRule(r));
    title = onlyShape
      ? `Existing compute changed shape: ${what} ${where} ${workloadLabel(instances)}`.trimEnd()
      : `Possible mining on existing compute: ${what} ${where} (${behaviourLabel(ruleIds)})`;
  } else if (ruleIds.includes(RULE.userdataMiner)) {
    title = `Crypto miner in user data: ${what} ${where}`;
  } else if (strongRules.has(RULE.unusedRegion) || strongRules.has(RULE.launchWave)) {
    title = `Likely leaked-key mining: ${what} ${where}`;
  } else if (strongRules.size > 0) {
    title = `Unusual compute: ${what} ${where}`;
  } else {
    title = `Unusual launch (weak signal): ${what} ${where}`;
  }

  const firstSeen = instances[0]?.launchTime;
  const typeMix = describeTypeMix(instances);
  const sentence1 =
    kind === "gpu-not-visible"
      ? `${plural(count, "GPU instance")}${typeMix} in ${listRegions(instanceRegions)} ${count === 1 ? "runs" : "run"} without the CloudWatch agent's GPU metric, so GPU mining on ${count === 1 ? "it" : "them"} would not show in any metric.`
      : kind === "existing-compute"
        ? `${plural(count, "instance")}${typeMix} in ${listRegions(instanceRegions)} ${count === 1 ? "shows" : "show"} behaviour typical of a miner on existing compute.`
        : `${plural(count, "instance")}${typeMix} in ${listRegions(instanceRegions)}${firstSeen ? `, launched from ${firstSeen}` : ""}.`;
  const labelFor = (ruleId: string) =>
    ruleId === RULE.gpuHigh && signals.filter((s) => s.ruleId === ruleId).every(isGpuBlindSignal)
      ? `GPU utilization not visible without the CloudWatch agent (${ruleId})`
      : ruleLabel(ruleId);
  const sentence2 = `Flagged by ${plural(ruleIds.length, "rule")}: ${ruleIds.map(labelFor).join("; ")}.`;

  return {
    id: incidentId(input.snapshot.accountId, kind, anchors),
    kind,
    severity: scoreSeverity(signals),
    confidence: scoreConfidence(signals),
    title,
    summary: `${sentence1} ${sentence2}`,
    accountId: input.snapshot.accountId,
    region: mainRegion(
      instances.map((i) => i.region),
      regions,
    ),
    regions,
    instances,
    otherResources,
    signals: sortSignals(signals),
    rules: ruleIds,
    ...(firstSeen ? { firstSeen } : {}),
  };
}

function buildSpendIncident(region: string, signals: Signal[], input: CorrelationInput): Incident {
  const anomalyIds = sortedUnique(signals.filter((s) => s.resource.type === "cost-anomaly").map((s) => s.resource.id));
  const anchors = anomalyIds.length > 0 ? anomalyIds : [region, ...sortedUnique(signals.map((s) => s.resource.id))];
  const anomalies = input.snapshot.costAnomalies.filter((a) => anomalyIds.includes(a.anomalyId));
  const firstSeen = anomalies.map((a) => a.startDate).sort()[0];
  const ruleIds = sortedUnique(signals.map((s) => s.ruleId));
  const services = sortedUnique(signals.filter((s) => s.resource.type === "service-spend").map((s) => s.resource.id));
  const where = region === "global" ? "account-wide" : `in ${region}`;
  const subject = services.length > 0 ? ` on ${services.slice(0, 3).join(", ")}` : "";
  return {
    id: incidentId(input.snapshot.accountId, "cost", anchors),
    kind: "cost",
    severity: scoreSeverity(signals),
    confidence: scoreConfidence(signals),
    title: `Unexplained spend ${where}${subject} with no matching instance found`,
    summary: `Cost Explorer shows spend ${where} that no flagged instance explains. ${signals
      .map((s) => s.message)
      .slice(0, 2)
      .join(
        " ",
      )} It may come from services other than EC2 (Fargate, SageMaker, CodeBuild), from a region not audited, or from instances already terminated.`,
    accountId: input.snapshot.accountId,
    region,
    regions: region === "global" ? [] : [region],
    instances: [],
    otherResources: dedupeResources(signals.map((s) => s.resource)),
    signals: sortSignals(signals),
    rules: ruleIds,
    ...(firstSeen ? { firstSeen: `${firstSeen}T00:00:00.000Z` } : {}),
  };
}

function buildCoverageIncident(region: string, signals: Signal[], input: CorrelationInput): Incident {
  const gaps = sortedUnique(signals.map((s) => s.resource.id));
  const where = region === "global" ? "account-wide data" : region;
  return {
    id: incidentId(input.snapshot.accountId, "coverage", [region]),
    kind: "coverage",
    severity: scoreSeverity(signals),
    confidence: scoreConfidence(signals),
    title: `Not audited: ${where} (${gaps.slice(0, 3).join(", ")}${gaps.length > 3 ? `, and ${gaps.length - 3} more` : ""})`,
    summary:
      `Minewatch could not read everything for ${where}, so mining there would go unseen. ${signals[0]?.message ?? ""}`.trim(),
    accountId: input.snapshot.accountId,
    region,
    regions: region === "global" ? [] : [region],
    instances: [],
    otherResources: dedupeResources(signals.map((s) => s.resource)),
    signals: sortSignals(signals),
    rules: sortedUnique(signals.map((s) => s.ruleId)),
  };
}

function buildOtherIncident(key: string, signals: Signal[], input: CorrelationInput): Incident {
  const first = signals[0];
  const region = first?.resource.region ?? "global";
  return {
    id: incidentId(input.snapshot.accountId, "other", [key]),
    kind: "other",
    severity: scoreSeverity(signals),
    confidence: scoreConfidence(signals),
    title: `${ruleLabel(first?.ruleId ?? "")}: ${key}`,
    summary: signals
      .map((s) => s.message)
      .slice(0, 3)
      .join(" "),
    accountId: input.snapshot.accountId,
    region,
    regions: region === "global" ? [] : [region],
    instances: [],
    otherResources: dedupeResources(signals.map((s) => s.resource)),
    signals: sortSignals(signals),
    rules: sortedUnique(signals.map((s) => s.ruleId)),
  };
}

// ---------------------------------------------------------------------------------------------
// Wording

const RULE_LABELS: Readonly<Record<string, string>> = {
  [RULE.unusedRegion]: "compute in a region the account does not use",
  [RULE.unusualType]: "GPU or large compute type new to the account",
  [RULE.launchWave]: "many instances launched within minutes",
  [RULE.userdataMiner]: "miner indicators in user data",
  [RULE.cpuSustainedHigh]: "sustained high CPU",
  [RULE.cpuFlatShift]: "CPU shifted to a flat plateau against its own baseline",
  [RULE.gpuHigh]: "sustained high GPU utilization",
  [RULE.costAnomaly]: "Cost Explorer anomaly on compute",
  [RULE.costNewSpend]: "new spend in a region or service",
  [RULE.coverageGap]: "data not read",
};

function ruleLabel(ruleId: string): string {
  const label = RULE_LABELS[ruleId];
  return label ? `${label} (${ruleId})` : ruleId;
}

function isInstanceRule(ruleId: string): boolean {
  return ruleId !== RULE.costAnomaly && ruleId !== RULE.costNewSpend && ruleId !== RULE.coverageGap;
}

function behaviourLabel(ruleIds: readonly string[]): string {
  const parts: string[] = [];
  if (ruleIds.includes(RULE.cpuSustainedHigh)) parts.push("sustained high CPU");
  if (ruleIds.includes(RULE.cpuFlatShift)) parts.push("flat CPU shift");
  if (ruleIds.includes(RULE.gpuHigh)) parts.push("high GPU");
  if (ruleIds.includes(RULE.costAnomaly) || ruleIds.includes(RULE.costNewSpend)) parts.push("new spend");
  return parts.length > 0 ? parts.join(", ") : "behaviour";
}

function workloadLabel(instances: readonly Instance[]): string {
  const first = instances[0];
  if (!first) return "";
  const key = workloadKeys(first)[0];
  if (!key) return "";
  const [kind, ...rest] = key.split(":");
  const label = kind === "asg" ? "Auto Scaling group" : kind === "cluster" ? "cluster" : "Name";
  return `(${label} ${rest.join(":")})`;
}

function describeCompute(
  instances: readonly Instance[],
  instanceTypes: CorrelationInput["snapshot"]["instanceTypes"],
  count: number,
): string {
  const gpu = instances.filter((i) => (instanceTypes[i.instanceType]?.gpus ?? 0) > 0 || isGpuFamily(i.instanceType));
  const noun =
    gpu.length === 0 ? "compute instance" : gpu.length === instances.length ? "GPU instance" : "GPU/compute instance";
  return plural(count, noun);
}

function isGpuFamily(instanceType: string): boolean {
  return /^(p\d|g\d)/.test(instanceType);
}

function describeTypeMix(instances: readonly Instance[]): string {
  if (instances.length === 0) return "";
  const counts = new Map<string, number>();
  for (const i of instances) counts.set(i.instanceType, (counts.get(i.instanceType) ?? 0) + 1);
  const parts = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([type, n]) => (n > 1 ? `${n} x ${type}` : type));
  const shown = parts.slice(0, 4).join(", ");
  return ` (${shown}${parts.length > 4 ? `, and ${parts.length - 4} more types` : ""})`;
}

function listRegions(regions: readonly string[]): string {
  if (regions.length <= 4) return regions.join(", ");
  return `${regions.slice(0, 4).join(", ")} and ${regions.length - 4} more regions`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function mainRegion(instanceRegions: readonly string[], regions: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of instanceRegions) counts.set(r, (counts.get(r) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return best?.[0] ?? regions[0] ?? "global";
}

function regionOfSignals(signals: readonly Signal[] | undefined): string | undefined {
  return signals?.[0]?.resource.region;
}

/** Rank of the most severe signal (SEVERITIES.length when there is none); no spread, fleets are large. */
function worstRank(signals: readonly Signal[]): number {
  return signals.reduce<number>((best, s) => Math.min(best, severityRank(s.severity)), SEVERITIES.length);
}

function kindRank(kind: string): number {
  return kind === "new-compute" ? 0 : 1;
}

/** Most severe first, then by rule and resource, so evidence reads the same whatever the input order. */
function sortSignals(signals: readonly Signal[]): Signal[] {
  return [...signals].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.resource.id.localeCompare(b.resource.id) ||
      a.message.localeCompare(b.message),
  );
}

function dedupeResources(resources: readonly ResourceRef[]): ResourceRef[] {
  const seen = new Map<string, ResourceRef>();
  for (const r of resources) seen.set(`${r.type}:${r.id}:${r.region}`, r);
  return [...seen.values()].sort((a, b) => `${a.type}:${a.id}`.localeCompare(`${b.type}:${b.id}`));
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of [...items].sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) pushTo(map, keyOf(item), item);
  return map;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
