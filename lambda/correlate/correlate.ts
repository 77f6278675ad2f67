/**
 * Correlation: many signals about many resources become a few incidents a person can act on.
 *
 * One leaked key typically launches dozens of instances in several regions within minutes, then
 * Fargate tasks, SageMaker notebooks and an Auto Scaling group to relaunch them; a dozen rules may
 * fire on each. A responder wants one finding with the whole blast radius, not 72 lines. Grouping:
 *  1. signals about one resource belong together;
 *  2. resources join when CloudTrail says the same principal or access key created them, when they
 *     share a launch wave or an Auto Scaling group, when a relaunch group (ASG, fleet, spot request)
 *     owns the instances, or when instances were launched within an hour of each other and share a
 *     suspicious rule (unused region, unusual type, miner in user data), across regions and services;
 *     principal signals (probing, first-ever launch, IAM persistence) join what that principal made;
 *  3. non-EC2 resources nobody can attribute group by service, region and rule;
 *  4. instances flagged only for a changed CPU shape join per region by Auto Scaling group, cluster
 *     or Name tag: the Tesla pattern of a miner hidden in existing compute;
 *  5. spend and cost anomalies corroborate an incident in their region or service, else stand alone;
 *     a missing GPU agent on an incident's own instances is a note on it, other coverage gaps make
 *     one "not audited" finding per region.
 * Severity grows with independent rules, so one weak signal stays low and several together page.
 */
import { createHash } from "node:crypto";
import type { AccountProfile } from "../core/profile.js";
import type { AccountSnapshot, Instance } from "../core/snapshot.js";
import { launchedByText } from "../report/attribution-text.js";
import type { Attribution } from "../report/model.js";
import { findRule } from "../rules/registry.js";
import { atLeast, type ResourceRef, SEVERITIES, type Severity, type Signal, severityRank } from "../rules/types.js";
import {
  attributionOf,
  buildJoinIndex,
  type Persistence,
  persistenceOf,
  resourceJoinKeys,
  signalInstanceIds,
  signalJoinKeys,
} from "./incident-attribution.js";
import { autoScalingGroupName, resourceFacts } from "./resource-facts.js";

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
  principalFirstLaunch: "MW-PRINCIPAL-FIRST-LAUNCH",
} as const;

/**
 * Rules that say "this compute should not exist": new, unusual, carrying a miner, or launched by a
 * principal that never launched compute before (a leaked key used in a home region, on a family the
 * account runs, is still new compute: its key comes first in containment, and its cost is the miner's).
 */
const NEW_COMPUTE_RULES: ReadonlySet<string> = new Set([
  RULE.unusedRegion,
  RULE.unusualType,
  RULE.launchWave,
  RULE.userdataMiner,
  RULE.principalFirstLaunch,
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

/** Resources someone created to run or relaunch compute: their presence makes an incident "new compute". */
export const CREATED_COMPUTE_TYPES: ReadonlySet<string> = new Set([
  "ecs-task",
  "sagemaker-notebook",
  "codebuild-project",
  "amplify-app",
  "lambda-function",
  "autoscaling-group",
  "spot-request",
  "ec2-fleet",
  "spot-fleet",
]);

/** Cost Explorer service names (lower case, by prefix) -> the resource type that spends on them. */
const SERVICE_RESOURCE_TYPES: ReadonlyArray<readonly [string, string]> = [
  ["amazon elastic compute cloud", "ec2-instance"],
  ["ec2 - other", "ec2-instance"],
  ["amazon elastic container service", "ecs-task"],
  ["amazon sagemaker", "sagemaker-notebook"],
  ["aws codebuild", "codebuild-project"],
  ["codebuild", "codebuild-project"],
  ["aws amplify", "amplify-app"],
  ["aws lambda", "lambda-function"],
];

/** Weight of one rule's evidence in the confidence, by the strongest signal that rule gave. */
export const CONFIDENCE_WEIGHT: Readonly<Record<Severity, number>> = {
  critical: 0.9,
  high: 0.6,
  medium: 0.35,
  low: 0.15,
  info: 0.05,
};

/** What a responder does differs by kind: a leaked key is contained differently from a hijacked server. */
export type IncidentKind =
  | "new-compute"
  | "existing-compute"
  | "gpu-not-visible"
  | "principal"
  | "web-content"
  | "cost"
  | "coverage"
  | "other";

export interface Incident {
  /** Stable across runs: mw- + hash of the account and the incident's anchor resources. */
  id: string;
  kind: IncidentKind;
  severity: Severity;
  confidence: number;
  title: string;
  /** Two or three sentences without cost (the audit adds the cost sentence after pricing). */
  summary: string;
  accountId: string;
  region: string;
  regions: string[];
  /** Instances involved, earliest launch first. */
  instances: Instance[];
  /** Resources that are not instances (or instances missing from the snapshot). */
  otherResources: ResourceRef[];
  signals: Signal[];
  /** Coverage gaps about this incident's own resources (a missing GPU agent): context, not a reason. */
  notes: Signal[];
  rules: string[];
  firstSeen?: string;
  /** Who created the incident's resources, from CloudTrail; empty when it does not say. */
  attribution: Attribution[];
  /** What those principals created that outlives the compute (IAM users, keys, launch templates). */
  persistence: Persistence;
}

export interface CorrelationInput {
  signals: readonly Signal[];
  snapshot: AccountSnapshot;
  profile: Pick<AccountProfile, "homeRegions">;
}

const NO_PERSISTENCE: Persistence = { users: [], accessKeys: [], launchTemplates: [] };

interface Draft {
  /** Node keys: an instance id for instances, type|region|id for anything else. */
  keys: string[];
  kind: IncidentKind;
  signals: Signal[];
  notes: Signal[];
}

export function correlate(input: CorrelationInput): Incident[] {
  const { signals, snapshot } = input;
  const instancesById = new Map(snapshot.instances.map((i) => [i.instanceId, i]));

  const nodes = new Map<string, { ref: ResourceRef; signals: Signal[] }>();
  const addNode = (ref: ResourceRef, signal?: Signal) => {
    const key = nodeKey(ref);
    const node = nodes.get(key) ?? { ref, signals: [] };
    if (signal) node.signals.push(signal);
    nodes.set(key, node);
  };
  const spendSignals: Signal[] = [];
  const coverageSignals: Signal[] = [];
  const postureSignals: Signal[] = [];
  for (const signal of signals) {
    const type = signal.resource.type;
    if (type === "coverage" || signal.ruleId === RULE.coverageGap) coverageSignals.push(signal);
    else if (SPEND_TYPES.has(type)) spendSignals.push(signal);
    else if (type === "region") postureSignals.push(signal);
    else addNode(signal.resource, signal);
  }
  // Instances a relaunch group or a GuardDuty finding names belong to its incident even when no
  // rule flagged them on their own: they are part of the blast radius.
  for (const signal of signals) {
    if (signal.resource.type === "ec2-instance" || SPEND_TYPES.has(signal.resource.type)) continue;
    if (signal.resource.type === "coverage" || signal.resource.type === "region") continue;
    for (const id of signalInstanceIds(signal)) {
      addNode({ type: "ec2-instance", id, region: instancesById.get(id)?.region ?? signal.resource.region });
    }
  }

  const drafts: Draft[] = groupNodes(nodes, instancesById, input).map((group) => ({
    keys: group.keys,
    kind: group.kind,
    signals: group.keys.flatMap((key) => nodes.get(key)?.signals ?? []),
    notes: [],
  }));
  const resourcesOf = (draft: Draft) => draft.keys.flatMap((key) => nodes.get(key)?.ref ?? []);

  // Spend joins the most severe incident that runs in its region, on its service or of its instance
  // type: corroboration. Spend with nothing to tie it to stands alone.
  const standaloneSpend: Signal[] = [];
  for (const signal of spendSignals) {
    const candidates = drafts.filter(
      (draft) =>
        draft.kind !== "gpu-not-visible" && resourcesOf(draft).some((r) => spendMatches(signal, r, instancesById)),
    );
    const target = candidates.sort(
      (a, b) => worstRank(a.signals) - worstRank(b.signals) || kindRank(a.kind) - kindRank(b.kind),
    )[0];
    if (target) target.signals.push(signal);
    else standaloneSpend.push(signal);
  }

  // A missing GPU agent on instances that are already part of an incident is a note on it: a
  // separate "not audited" finding would only repeat them. The coverage section still lists it.
  const standaloneCoverage: Signal[] = [];
  for (const signal of coverageSignals) {
    const ids = signal.details?.reason === "agent-missing" ? instanceIdsIn(signal) : [];
    const holders = drafts.filter((draft) => ids.some((id) => draft.keys.includes(id)));
    const covered = ids.length > 0 && ids.every((id) => holders.some((draft) => draft.keys.includes(id)));
    if (covered) for (const draft of holders) draft.notes.push(signal);
    else standaloneCoverage.push(signal);
  }

  const incidents: Incident[] = drafts.map((draft) => buildIncident(draft, nodes, instancesById, input));
  for (const [region, group] of groupBy(standaloneSpend, (s) => s.resource.region)) {
    incidents.push(buildSpendIncident(region, group, input));
  }
  for (const [region, group] of groupBy(standaloneCoverage, (s) => s.resource.region)) {
    incidents.push(buildCoverageIncident(region, group, input));
  }
  for (const [ruleId, group] of groupBy(postureSignals, (s) => s.ruleId)) {
    incidents.push(buildPostureIncident(ruleId, group, input));
  }
  return incidents;
}

function nodeKey(ref: ResourceRef): string {
  return ref.type === "ec2-instance" ? ref.id : `${ref.type}|${ref.region}|${ref.id}`;
}

function spendMatches(signal: Signal, resource: ResourceRef, instancesById: Map<string, Instance>): boolean {
  const { type, id, region } = signal.resource;
  if (type === "instance-type-spend") {
    return resource.type === "ec2-instance" && instancesById.get(resource.id)?.instanceType === id;
  }
  if (type === "service-spend") {
    const service = id.toLowerCase();
    const resourceType = SERVICE_RESOURCE_TYPES.find(([prefix]) => service.startsWith(prefix))?.[1];
    return resourceType === resource.type;
  }
  if (region === "global") return false;
  const resourceRegion =
    resource.type === "ec2-instance" ? (instancesById.get(resource.id)?.region ?? resource.region) : resource.region;
  return resourceRegion === region && resource.type !== "principal";
}

/** Instance ids an agent-missing coverage entry names (its message lists them). */
function instanceIdsIn(signal: Signal): string[] {
  const ids = signalInstanceIds(signal);
  if (ids.length > 0) return ids;
  const text = [signal.details?.error, signal.message].filter((v) => typeof v === "string").join(" ");
  return [...new Set(text.match(/\bi-[0-9a-f]{8,17}\b/g) ?? [])];
}

// ---------------------------------------------------------------------------------------------
// Grouping

interface Group {
  keys: string[];
  kind: IncidentKind;
}

/** The GPU rule's "utilization unknown" note: a visibility gap about the instance, not a behaviour. */
function isGpuBlindSignal(signal: Signal): boolean {
  return signal.ruleId === RULE.gpuHigh && signal.details?.agentMetricFound === false;
}

function groupNodes(
  nodes: Map<string, { ref: ResourceRef; signals: Signal[] }>,
  instancesById: Map<string, Instance>,
  input: CorrelationInput,
): Group[] {
  const { snapshot } = input;
  const keys = [...nodes.keys()].sort();
  const signalsOf = (key: string) => nodes.get(key)?.signals ?? [];
  const rulesOf = (key: string) => new Set(signalsOf(key).map((s) => s.ruleId));
  const isInstance = (key: string) => nodes.get(key)?.ref.type === "ec2-instance";
  const flatShiftOnly = (key: string) => {
    const rules = rulesOf(key);
    return isInstance(key) && rules.size === 1 && rules.has(RULE.cpuFlatShift);
  };
  // Instances whose only signal is "GPU utilization unknown" are grouped per region as a visibility
  // note; they become an incident of their own only when some other rule flags them too.
  const gpuBlindOnly = (key: string) =>
    isInstance(key) && signalsOf(key).length > 0 && signalsOf(key).every(isGpuBlindSignal);
  const launchOf = (key: string) => {
    const launch = instancesById.get(key)?.launchTime;
    return launch ? Date.parse(launch) : Number.NaN;
  };

  const blindIds = keys.filter(gpuBlindOnly);
  const shapeIds = keys.filter((key) => !gpuBlindOnly(key) && flatShiftOnly(key));
  const mainKeys = keys.filter((key) => !gpuBlindOnly(key) && !flatShiftOnly(key));

  const joinIndex = buildJoinIndex(snapshot);
  const main = new UnionFind(mainKeys);
  joinByKey(main, mainKeys, (key) => {
    const node = nodes.get(key);
    if (!node) return [];
    const { ref } = node;
    const joins = node.signals.flatMap((s) => [...(waveIdOf(s) ?? []), ...signalJoinKeys(s)]);
    joins.push(...node.signals.flatMap((s) => signalInstanceIds(s).map((id) => `instance:${id}`)));
    if (ref.type === "ec2-instance") {
      joins.push(`instance:${ref.id}`);
      const instance = instancesById.get(ref.id);
      if (instance?.autoScalingGroup) joins.push(`asg:${instance.region}/${instance.autoScalingGroup}`);
      if (instance?.spotInstanceRequestId) joins.push(`spot:${instance.region}/${instance.spotInstanceRequestId}`);
      const fleet = instance?.tags["aws:ec2:fleet-id"] ?? instance?.tags["aws:ec2spot:fleet-request-id"];
      if (instance && fleet) joins.push(`fleet:${instance.region}/${fleet}`);
    } else if (ref.type === "autoscaling-group") {
      joins.push(`asg:${ref.region}/${autoScalingGroupName(ref.id)}`);
    } else if (ref.type === "spot-request") {
      joins.push(`spot:${ref.region}/${ref.id}`);
    } else if (ref.type === "ec2-fleet" || ref.type === "spot-fleet") {
      joins.push(`fleet:${ref.region}/${ref.id}`);
    }
    if (ref.type !== "principal") {
      const attributed = resourceJoinKeys(ref.id, joinIndex);
      joins.push(...attributed);
      // Nobody to tie it to: the same service in the same region flagged by the same rule is
      // most likely one campaign (AMBERSQUID creates notebooks and projects in batches).
      if (attributed.length === 0 && ref.type !== "ec2-instance") {
        joins.push(...[...rulesOf(key)].map((ruleId) => `service:${ref.type}|${ref.region}|${ruleId}`));
      }
    }
    return joins;
  });
  for (const ruleId of LINKING_RULES) {
    const flagged = mainKeys
      .filter((key) => isInstance(key) && rulesOf(key).has(ruleId) && !Number.isNaN(launchOf(key)))
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

  const groups: Group[] = [];
  for (const members of main.groups()) {
    groups.push({ keys: members, kind: mainKind(members, nodes) });
  }
  for (const members of shape.groups()) groups.push({ keys: members, kind: "existing-compute" });
  const blindByRegion = new Map<string, string[]>();
  for (const id of blindIds) {
    pushTo(blindByRegion, instancesById.get(id)?.region ?? nodes.get(id)?.ref.region ?? "global", id);
  }
  for (const [, members] of [...blindByRegion].sort((a, b) => a[0].localeCompare(b[0]))) {
    groups.push({ keys: members, kind: "gpu-not-visible" });
  }
  return groups;
}

function mainKind(keys: readonly string[], nodes: Map<string, { ref: ResourceRef; signals: Signal[] }>): IncidentKind {
  const refs = keys.flatMap((key) => nodes.get(key)?.ref ?? []);
  const types = new Set(refs.map((r) => r.type));
  const rules = new Set(keys.flatMap((key) => nodes.get(key)?.signals ?? []).map((s) => s.ruleId));
  if ([...types].every((t) => t === "principal")) return "principal";
  if ([...types].every((t) => t === "s3-object")) return "web-content";
  if ([...types].some((t) => CREATED_COMPUTE_TYPES.has(t) || t === "principal" || t === "s3-object"))
    return "new-compute";
  if (types.has("ec2-instance"))
    return [...rules].some((r) => NEW_COMPUTE_RULES.has(r)) ? "new-compute" : "existing-compute";
  return "other";
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

function buildIncident(
  draft: Draft,
  nodes: Map<string, { ref: ResourceRef; signals: Signal[] }>,
  instancesById: Map<string, Instance>,
  input: CorrelationInput,
): Incident {
  const { kind, signals } = draft;
  const { snapshot } = input;
  const refs = draft.keys.flatMap((key) => nodes.get(key)?.ref ?? []);
  const instanceIds = refs.filter((r) => r.type === "ec2-instance").map((r) => r.id);
  const known = instanceIds.flatMap((id) => instancesById.get(id) ?? []);
  const instances = [...known].sort(
    (a, b) => Date.parse(a.launchTime) - Date.parse(b.launchTime) || a.instanceId.localeCompare(b.instanceId),
  );
  const missing = instanceIds.filter((id) => !instancesById.has(id)).sort();
  const nonInstance = refs.filter((r) => r.type !== "ec2-instance");
  const otherResources = dedupeResources([
    ...refs.filter((r) => r.type === "ec2-instance" && !instancesById.has(r.id)),
    ...nonInstance,
    ...signals.filter((s) => SPEND_TYPES.has(s.resource.type)).map((s) => s.resource),
  ]);

  // Anchors: the earliest three compute resources, so the id survives the fleet growing tomorrow
  // and a principal signal joining later.
  const createdAt = (r: ResourceRef) =>
    Date.parse(resourceFacts(r, snapshot).createdAt ?? "") || Number.MAX_SAFE_INTEGER;
  const computeRefs = nonInstance
    .filter((r) => r.type !== "principal")
    .sort((a, b) => createdAt(a) - createdAt(b) || nodeKey(a).localeCompare(nodeKey(b)));
  const principalRefs = nonInstance.filter((r) => r.type === "principal").sort((a, b) => a.id.localeCompare(b.id));
  const anchors = [
    ...instances.map((i) => i.instanceId),
    ...missing,
    ...computeRefs.map(nodeKey),
    ...principalRefs.map(nodeKey),
  ].slice(0, 3);

  const attribution =
    kind === "gpu-not-visible"
      ? []
      : mergeAttribution([
          ...attributionOf(
            refs.filter((r) => r.type !== "principal").map((r) => r.id),
            snapshot,
          ),
          ...principalAttribution(principalRefs, signals),
        ]);
  const persistence =
    kind === "new-compute" || kind === "principal" ? persistenceOf(attribution, snapshot) : NO_PERSISTENCE;

  const regionalRefs = refs.filter((r) => r.region !== "global");
  const regions = sortedUnique([
    ...instances.map((i) => i.region),
    ...regionalRefs.map((r) => r.region),
    ...otherResources.map((r) => r.region),
  ]).filter((r) => r !== "global");
  const instanceRegions = sortedUnique([
    ...instances.map((i) => i.region),
    ...missing.map((id) => regionOfSignals(signals.filter((s) => s.resource.id === id)) ?? "global"),
  ]);
  const computeRegions = sortedUnique([...instanceRegions, ...computeRefs.map((r) => r.region)]).filter(
    (r) => r !== "global",
  );
  const ruleIds = sortedUnique(signals.map((s) => s.ruleId));
  const count = instanceIds.length;
  const home = new Set(input.profile.homeRegions);
  const unusedRegions = computeRegions.filter((r) => !home.has(r));
  const what = describeBlastRadius(instances, count, computeRefs, snapshot.instanceTypes);
  const where =
    ruleIds.includes(RULE.unusedRegion) && unusedRegions.length > 0 && unusedRegions.length === computeRegions.length
      ? `in ${plural(unusedRegions.length, "unused region")}`
      : `in ${listRegions(computeRegions)}`;

  // Only rules with at least medium signals earn the strong wording; a low launch-wave note on an
  // established Auto Scaling group is not "leaked-key mining".
  const strongRules = new Set(signals.filter((s) => atLeast(s.severity, "medium")).map((s) => s.ruleId));
  const principalEvidence = signals.some((s) => s.resource.type === "principal" && atLeast(s.severity, "medium"));
  const minerRule = ruleIds.find((r) => r !== RULE.userdataMiner && /MINER|CRYPTO|GUARDDUTY/.test(r));
  let title: string;
  if (kind === "gpu-not-visible") {
    title = `GPU utilization not visible: ${what} in ${listRegions(instanceRegions)} without the CloudWatch agent GPU metric`;
  } else if (kind === "existing-compute") {
    const onlyShape = ruleIds.every((r) => r === RULE.cpuFlatShift || !isInstanceRule(r));
    title = onlyShape
      ? `Existing compute changed shape: ${what} ${where} ${workloadLabel(instances)}`.trimEnd()
      : `Possible mining on existing compute: ${what} ${where} (${behaviourLabel(ruleIds)})`;
  } else if (kind === "principal") {
    title = `Suspicious activity by ${principalLabel(attribution, principalRefs)}: ${ruleIds.map((r) => RULE_LABELS[r] ?? r).join("; ")}`;
  } else if (ruleIds.includes(RULE.userdataMiner)) {
    title = `Crypto miner in user data: ${what} ${where}`;
  } else if (minerRule && strongRules.has(minerRule)) {
    title = `Crypto mining: ${what} ${where}`;
  } else if (
    strongRules.has(RULE.unusedRegion) ||
    strongRules.has(RULE.launchWave) ||
    strongRules.has(RULE.principalFirstLaunch) ||
    principalEvidence
  ) {
    title = `Likely leaked-key mining: ${what} ${where}`;
  } else if (strongRules.size > 0) {
    title = `${kind === "web-content" ? "Suspicious web content" : "Unusual compute"}: ${what} ${where}`;
  } else {
    title = `Unusual launch (weak signal): ${what} ${where}`;
  }

  const firstSeen = firstSeenOf(kind, instances, computeRefs, signals, attribution, snapshot);
  const typeMix = describeTypeMix(instances);
  const others = describeOthers(computeRefs);
  let sentence1: string;
  if (kind === "gpu-not-visible") {
    sentence1 = `${plural(count, "GPU instance")}${typeMix} in ${listRegions(instanceRegions)} ${count === 1 ? "runs" : "run"} without the CloudWatch agent's GPU metric, so GPU mining on ${count === 1 ? "it" : "them"} would not show in any metric.`;
  } else if (kind === "existing-compute") {
    sentence1 = `${plural(count, "instance")}${typeMix} in ${listRegions(instanceRegions)} ${count === 1 ? "shows" : "show"} behaviour typical of a miner on existing compute${firstSeen ? `, since about ${firstSeen}` : ""}.`;
  } else if (count > 0) {
    sentence1 = `${plural(count, "instance")}${typeMix} in ${listRegions(instanceRegions)}${
      instances[0] ? `, launched from ${instances[0].launchTime}` : ""
    }${others ? `; also ${others}${computeRegions.length > instanceRegions.length ? ` (${listRegions(computeRegions)})` : ""}` : ""}.`;
  } else if (others) {
    sentence1 = `${capitalize(others)} in ${listRegions(computeRegions)}${firstSeen ? `, from ${firstSeen}` : ""}.`;
  } else {
    sentence1 = `${signals.length === 1 ? "One observation" : `${signals.length} observations`} about ${listRefs(nonInstance)}.`;
  }
  const labelFor = (ruleId: string) =>
    ruleId === RULE.gpuHigh && signals.filter((s) => s.ruleId === ruleId).every(isGpuBlindSignal)
      ? `GPU utilization not visible without the CloudWatch agent (${ruleId})`
      : ruleLabel(ruleId);
  const sentence2 = `Flagged by ${plural(ruleIds.length, "rule")}: ${ruleIds.map(labelFor).join("; ")}.`;
  const sentence3 = attribution.length > 0 ? ` ${launchedBySentence(attribution)}` : "";

  return {
    id: incidentId(snapshot.accountId, kind, anchors),
    kind,
    severity: scoreSeverity(signals),
    confidence: scoreConfidence(signals),
    title,
    summary: `${sentence1} ${sentence2}${sentence3}`,
    accountId: snapshot.accountId,
    region: mainRegion([...instances.map((i) => i.region), ...computeRefs.map((r) => r.region)], regions),
    regions,
    instances,
    otherResources,
    signals: sortSignals(signals),
    notes: sortSignals(draft.notes),
    rules: ruleIds,
    ...(firstSeen ? { firstSeen } : {}),
    attribution,
    persistence,
  };
}

/**
 * When it started. New compute: the earliest launch, creation or suspicious call. Existing compute:
 * when the CPU shifted (the instances themselves may be years old, their launch time says nothing).
 */
function firstSeenOf(
  kind: IncidentKind,
  instances: readonly Instance[],
  computeRefs: readonly ResourceRef[],
  signals: readonly Signal[],
  attribution: readonly Attribution[],
  snapshot: AccountSnapshot,
): string | undefined {
  if (kind === "existing-compute") {
    const shifts = signals.flatMap((s) => {
      const value = s.ruleId === RULE.cpuFlatShift ? s.details?.shiftStart : s.details?.runStart;
      return typeof value === "string" ? [value] : [];
    });
    return earliest(shifts);
  }
  if (kind === "gpu-not-visible") return earliest(instances.map((i) => i.launchTime));
  return earliest([
    ...instances.map((i) => i.launchTime),
    ...computeRefs.flatMap((r) => resourceFacts(r, snapshot).createdAt ?? []),
    ...attribution.flatMap((a) => a.firstCallAt ?? []),
  ]);
}

function earliest(times: readonly string[]): string | undefined {
  const valid = times.filter((t) => !Number.isNaN(Date.parse(t)));
  return valid.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

/** A principal signal names its principal in its details even when CloudTrail attribution is thin. */
function principalAttribution(principalRefs: readonly ResourceRef[], signals: readonly Signal[]): Attribution[] {
  return principalRefs.flatMap((ref) => {
    const mine = signals.filter((s) => s.resource.type === "principal" && s.resource.id === ref.id);
    const strings = (name: string) =>
      sortedUnique(
        mine.flatMap((s) => {
          const value = s.details?.[name];
          return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
        }),
      );
    const arn = strings("principalArn")[0];
    const type = strings("principalType")[0];
    return [
      {
        principalType: type ?? (arn?.endsWith(":root") ? "Root" : "Unknown"),
        ...(arn ? { principalArn: arn } : {}),
        accessKeyIds: strings("accessKeyIds"),
        sourceIps: strings("sourceIps"),
        userAgents: strings("userAgents"),
        events: [],
      },
    ];
  });
}

/** One entry per principal: attribution from several resources repeats the same launcher. */
function mergeAttribution(entries: readonly Attribution[]): Attribution[] {
  const byPrincipal = new Map<string, Attribution>();
  for (const entry of entries) {
    const key = entry.principalArn ?? entry.accessKeyIds[0] ?? entry.principalType;
    const existing = byPrincipal.get(key);
    if (!existing) {
      byPrincipal.set(key, { ...entry, events: [...entry.events] });
      continue;
    }
    const firstCallAt = earliest([existing.firstCallAt, entry.firstCallAt].filter((t): t is string => t !== undefined));
    const seenEvents = new Set(existing.events.map((e) => e.eventId));
    byPrincipal.set(key, {
      ...existing,
      principalType: existing.principalType === "Unknown" ? entry.principalType : existing.principalType,
      ...(existing.sessionArn || entry.sessionArn ? { sessionArn: existing.sessionArn ?? entry.sessionArn } : {}),
      ...(existing.userName || entry.userName ? { userName: existing.userName ?? entry.userName } : {}),
      accessKeyIds: sortedUnique([...existing.accessKeyIds, ...entry.accessKeyIds]),
      sourceIps: sortedUnique([...existing.sourceIps, ...entry.sourceIps]),
      userAgents: sortedUnique([...existing.userAgents, ...entry.userAgents]),
      ...(firstCallAt ? { firstCallAt } : {}),
      events: [...existing.events, ...entry.events.filter((e) => !seenEvents.has(e.eventId))].sort(
        (a, b) => a.eventTime.localeCompare(b.eventTime) || a.eventId.localeCompare(b.eventId),
      ),
    });
  }
  return [...byPrincipal.values()].sort(
    (a, b) =>
      (a.firstCallAt ?? "~").localeCompare(b.firstCallAt ?? "~") ||
      (a.principalArn ?? "").localeCompare(b.principalArn ?? ""),
  );
}

function launchedBySentence(attribution: readonly Attribution[]): string {
  const [first, ...rest] = attribution;
  if (!first) return "";
  return `Launched by ${launchedByText(first)}${rest.length > 0 ? `, and ${plural(rest.length, "other principal")}` : ""}.`;
}

function principalLabel(attribution: readonly Attribution[], principalRefs: readonly ResourceRef[]): string {
  const first = attribution[0];
  return first?.principalArn ?? first?.accessKeyIds[0] ?? principalRefs[0]?.id ?? "an unknown principal";
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
    title: `Unexplained spend ${where}${subject} with no matching resource found`,
    summary: `Cost Explorer shows spend ${where} that no flagged resource explains. ${signals
      .map((s) => s.message)
      .slice(0, 2)
      .join(
        " ",
      )} It may come from a service Minewatch could not read, from a region not audited, or from resources already deleted.`,
    accountId: input.snapshot.accountId,
    region,
    regions: region === "global" ? [] : [region],
    instances: [],
    otherResources: dedupeResources(signals.map((s) => s.resource)),
    signals: sortSignals(signals),
    notes: [],
    rules: ruleIds,
    ...(firstSeen ? { firstSeen: `${firstSeen}T00:00:00.000Z` } : {}),
    attribution: [],
    persistence: NO_PERSISTENCE,
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
    notes: [],
    rules: sortedUnique(signals.map((s) => s.ruleId)),
    attribution: [],
    persistence: NO_PERSISTENCE,
  };
}

/** Account posture about whole regions (GuardDuty off where compute runs): one finding per rule. */
function buildPostureIncident(ruleId: string, signals: Signal[], input: CorrelationInput): Incident {
  const regions = sortedUnique(signals.map((s) => s.resource.region)).filter((r) => r !== "global");
  return {
    id: incidentId(input.snapshot.accountId, "other", [ruleId]),
    kind: "other",
    severity: scoreSeverity(signals),
    confidence: scoreConfidence(signals),
    title: `${capitalize(RULE_LABELS[ruleId] ?? ruleId)}: ${regions.length > 0 ? listRegions(regions) : "account-wide"}`,
    summary: signals
      .map((s) => s.message)
      .slice(0, 3)
      .join(" "),
    accountId: input.snapshot.accountId,
    region: regions[0] ?? "global",
    regions,
    instances: [],
    otherResources: dedupeResources(signals.map((s) => s.resource)),
    signals: sortSignals(signals),
    notes: [],
    rules: [ruleId],
    attribution: [],
    persistence: NO_PERSISTENCE,
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

/** A rule's label: the wording above for the core rules, the registry's title for the others. */
function ruleText(ruleId: string): string | undefined {
  const title = findRule(ruleId)?.title;
  return RULE_LABELS[ruleId] ?? (title ? title.charAt(0).toLowerCase() + title.slice(1) : undefined);
}

function ruleLabel(ruleId: string): string {
  const label = ruleText(ruleId);
  return label ? `${label} (${ruleId})` : ruleId;
}

const RESOURCE_NOUNS: Readonly<Record<string, string>> = {
  "ecs-task": "ECS task",
  "sagemaker-notebook": "SageMaker notebook",
  "codebuild-project": "CodeBuild project",
  "amplify-app": "Amplify app",
  "lambda-function": "Lambda function",
  "autoscaling-group": "Auto Scaling group",
  "spot-request": "persistent spot request",
  "ec2-fleet": "EC2 fleet",
  "spot-fleet": "spot fleet",
  "s3-object": "web object",
  "guardduty-finding": "GuardDuty finding",
};

/** "4 ECS tasks, 1 SageMaker notebook and 1 Auto Scaling group", or "" when there is nothing but instances. */
function describeOthers(refs: readonly ResourceRef[]): string {
  const counts = new Map<string, number>();
  for (const r of refs) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const parts = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([type, n]) => plural(n, RESOURCE_NOUNS[type] ?? type));
  if (parts.length <= 1) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/** The title's "what": instances first (as before), then everything else the incident created. */
function describeBlastRadius(
  instances: readonly Instance[],
  count: number,
  others: readonly ResourceRef[],
  instanceTypes: AccountSnapshot["instanceTypes"],
): string {
  const parts = [count > 0 ? describeCompute(instances, instanceTypes, count) : "", describeOthers(others)].filter(
    (p) => p !== "",
  );
  return parts.length > 0 ? parts.join(", ") : "no compute resource";
}

function listRefs(refs: readonly ResourceRef[]): string {
  const shown = refs.slice(0, 3).map((r) => `${r.type} ${r.id}`);
  return `${shown.join(", ")}${refs.length > 3 ? ` and ${refs.length - 3} more` : ""}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
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
  instanceTypes: AccountSnapshot["instanceTypes"],
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
