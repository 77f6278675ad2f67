/**
 * Collects one AWS account into an AccountSnapshot: who the account is, which regions exist, then
 * EC2 and CloudWatch per region (a few regions at a time) and Cost Explorer once.
 *
 * Nothing collected is lost when one region or API fails: each collector records its gaps in the
 * shared CoverageRecorder and returns what it has. Only two failures stop a run, because without
 * them there is nothing to audit: the account id (STS) and the region list (DescribeRegions).
 */
import type { STSClient } from "@aws-sdk/client-sts";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import pLimit, { type LimitFunction } from "p-limit";
import packageJson from "../../package.json" with { type: "json" };
import type { Config } from "../core/config.js";
import { describeIssues, UserInputError } from "../core/input.js";
import {
  type AccountSnapshot,
  AccountSnapshotSchema,
  type CostAnomaly,
  type Costs,
  type CoverageEntry,
  type Instance,
  type InstanceMetrics,
  type InstanceTypeInfo,
  type Region,
  SNAPSHOT_SCHEMA_VERSION,
} from "../core/snapshot.js";
import type { ClientFactory } from "./clients.js";
import { collectMetrics } from "./cloudwatch.js";
import { collectCosts } from "./cost-explorer.js";
import { CoverageRecorder, classifyAwsError } from "./coverage.js";
import { collectEc2Region, collectRegions } from "./ec2.js";
import { REGION_CONCURRENCY } from "./limits.js";
import {
  mergeSections,
  SECTION_COLLECTORS,
  type SectionCollector,
  type SectionContext,
  type SnapshotSections,
} from "./sections.js";

/**
 * Where account-wide EC2 calls (DescribeRegions) go when the caller's region is unknown: enabled
 * in every account. The caller's own region comes first: an organization that denies every region
 * but its own (a Control Tower region-deny control) still allows it there.
 */
export const DEFAULT_REGION = "us-east-1";

/** States whose CloudWatch metrics are worth reading: the instance ran during or before the window. */
const METRIC_STATES = new Set<Instance["state"]>(["running", "stopped"]);

export interface CollectOptions {
  clients: ClientFactory;
  config: Config;
  window: { start: Date; end: Date };
  /** Only these regions; every enabled region when absent. */
  regions?: string[];
  onProgress?: (message: string) => void;
  /** The snapshot's collectedAt; now when absent. */
  now?: Date;
  /** Collectors of the optional sections; SECTION_COLLECTORS when absent (tests pass their own). */
  sections?: readonly SectionCollector[];
  /**
   * Set when Cost Explorer is read elsewhere: an organization's payer account reads it once for every
   * linked account (lambda/org/aggregate.ts). No Cost Explorer call is made, and a `skipped`
   * coverage entry carries this sentence, so the report still says where the costs are.
   */
  skipCostsReason?: string;
  /**
   * Cost Explorer data an earlier run read (the daily run's, for an hourly sweep): used instead of
   * reading Cost Explorer again, with its coverage entries carried over and marked as reused.
   */
  reuseCosts?: ReusedCosts;
}

export interface ReusedCosts {
  collectedAt: string;
  costs?: Costs;
  costAnomalies: CostAnomaly[];
  coverage: CoverageEntry[];
}

interface RegionResult {
  region: string;
  instances: Instance[];
  instanceTypes: Record<string, InstanceTypeInfo>;
  byInstance: Record<string, InstanceMetrics>;
  gpuAgentInstanceIds: string[];
}

export async function collectAccount(options: CollectOptions): Promise<AccountSnapshot> {
  const { clients, config, window } = options;
  const progress = options.onProgress ?? (() => {});
  const coverage = new CoverageRecorder();

  const accountId = await identifyAccount(clients.sts());
  const regions = await collectRegions(clients.ec2(clients.homeRegion ?? DEFAULT_REGION), coverage);
  const targets = chooseRegions(regions, options.regions, coverage);
  progress(`Account ${accountId}: reading ${targets.length} of ${regions.length} regions`);

  // Cost Explorer is global and slow to page: it runs alongside the regions, not after them.
  const costsRun =
    options.skipCostsReason !== undefined
      ? skipCosts(options.skipCostsReason, coverage)
      : options.reuseCosts
        ? reuseCosts(options.reuseCosts, coverage, progress)
        : collectCostsSafely(options, coverage, progress);
  // A region's slot is held for its EC2 reads only; its metrics run on in their own slots (bounded
  // the same way, which bounds the GetMetricData answers held in memory), so the next region starts
  // and the section collectors start as soon as every inventory is known, alongside the metrics.
  const regionLimit = pLimit(REGION_CONCURRENCY);
  const metricsLimit = pLimit(REGION_CONCURRENCY);
  const regionRuns = await regionLimit.map(targets, (region) =>
    collectRegion(region, options, coverage, progress, metricsLimit),
  );
  const regionResults = regionRuns.map((run) => run.result);
  const merged = mergeRegions(regionResults);
  const sectionsRun = collectSections(options, {
    accountId,
    regions: targets,
    instances: merged.instances,
    coverage,
    progress,
  });
  await Promise.all(regionRuns.map((run) => run.metricsRun));
  const sections = await sectionsRun;
  const { costs, costAnomalies } = await costsRun;

  const snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    accountId,
    collectedAt: (options.now ?? new Date()).toISOString(),
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    source: { tool: "minewatch", version: packageJson.version, kind: "live" as const },
    regions,
    ...merged,
    metrics: {
      gpuNamespace: config.gpuMetricNamespace,
      gpuAgentInstanceIds: [...new Set(regionResults.flatMap((r) => r.gpuAgentInstanceIds))].sort(),
      byInstance: Object.fromEntries(
        regionResults.flatMap((r) => Object.entries(r.byInstance)).sort(([a], [b]) => compareText(a, b)),
      ),
    },
    ...(costs ? { costs } : {}),
    costAnomalies,
    coverage: sortCoverage(coverage.entries),
    ...sections,
  };
  const parsed = AccountSnapshotSchema.safeParse(snapshot);
  if (!parsed.success) {
    // A collector produced something the contract does not allow: a bug here, not a user error.
    throw new Error(`The collected snapshot does not match the snapshot schema: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * Runs the section collectors concurrently. One that throws anyway (a bug, or an error it did not
 * expect) becomes a coverage entry: the rest of the snapshot is kept.
 */
async function collectSections(
  options: CollectOptions,
  shared: Pick<SectionContext, "accountId" | "regions" | "instances" | "coverage" | "progress">,
): Promise<SnapshotSections> {
  const collectors = options.sections ?? SECTION_COLLECTORS;
  const context: SectionContext = {
    ...shared,
    clients: options.clients,
    config: options.config,
    window: options.window,
  };
  const results = await Promise.all(
    collectors.map(async (collector) => {
      try {
        return await collector.collect(context);
      } catch (error) {
        shared.coverage.failed("global", collector.name, "collect", error);
        return {};
      }
    }),
  );
  return mergeSections(results);
}

/** The account the credentials belong to (STS GetCallerIdentity), with a sentence when it fails. */
export async function identifyAccount(sts: STSClient): Promise<string> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (identity.Account) return identity.Account;
    throw new Error("GetCallerIdentity returned no account id");
  } catch (error) {
    const { message } = classifyAwsError(error);
    throw new Error(
      `Cannot identify the AWS account (STS GetCallerIdentity failed: ${message}). Check that AWS credentials are configured (AWS_PROFILE, environment variables or an instance role).`,
      { cause: error },
    );
  }
}

/**
 * The regions to read. Every region not read gets a `skipped` coverage entry saying why, so a
 * report never implies a region was audited when it was not.
 */
export function chooseRegions(
  regions: Region[],
  requested: string[] | undefined,
  coverage: CoverageRecorder,
): string[] {
  const known = new Map(regions.map((r) => [r.name, r]));
  let wanted: Set<string> | undefined;
  if (requested !== undefined) {
    wanted = new Set(requested.map((name) => name.trim()).filter((name) => name.length > 0));
    if (wanted.size === 0) {
      // An empty list would audit nothing and still look like a run: almost certainly a typo.
      throw new UserInputError(
        `The region list is empty. Name at least one region (valid choices for this account: ${[...known.keys()].join(", ")}), or leave the list out to read every enabled region.`,
      );
    }
    const unknown = [...wanted].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new UserInputError(
        `Unknown region${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")} in the region list. Valid choices for this account: ${[...known.keys()].join(", ")}.`,
      );
    }
  }
  const targets: string[] = [];
  for (const region of regions) {
    if (region.optInStatus === "not-opted-in") {
      coverage.skipped(
        region.name,
        "ec2",
        "DescribeInstances",
        "not-opted-in",
        wanted?.has(region.name)
          ? "requested, but the region is not enabled for this account; nothing there can run"
          : "region not enabled for this account; nothing there can run",
      );
    } else if (wanted && !wanted.has(region.name)) {
      coverage.skipped(region.name, "ec2", "DescribeInstances", "not-requested", "region not in the requested list");
    } else {
      targets.push(region.name);
    }
  }
  return targets;
}

/**
 * Reads one region's EC2 inventory and per-instance attributes, and starts its metrics as soon as
 * the inventory is known (they overlap the per-instance reads: another service, another throttle).
 * Returns when the EC2 part is done; `metricsRun` settles when the metrics are in `result`.
 */
async function collectRegion(
  region: string,
  options: CollectOptions,
  coverage: CoverageRecorder,
  progress: (message: string) => void,
  metricsLimit: LimitFunction,
): Promise<{ result: RegionResult; metricsRun: Promise<void> }> {
  const result: RegionResult = { region, instances: [], instanceTypes: {}, byInstance: {}, gpuAgentInstanceIds: [] };
  let metricsRun: Promise<void> | undefined;
  const startMetrics = (instances: Instance[], detail: ReadonlySet<string> | undefined): Promise<void> => {
    metricsRun ??= metricsLimit(() => collectRegionMetrics(region, instances, detail, options, coverage, result));
    return metricsRun;
  };
  try {
    const ec2 = await collectEc2Region({
      client: options.clients.ec2(region),
      region,
      window: options.window,
      coverage,
      largeComputeVcpus: options.config.thresholds.largeComputeVcpus,
      onInventory: ({ instances, candidates }) => {
        startMetrics(instances, new Set(candidates.map((i) => i.instanceId)));
      },
    });
    result.instances = ec2.instances;
    result.instanceTypes = ec2.instanceTypes;
  } catch (error) {
    // The EC2 collector records its own API failures; this catches the unexpected, without losing the run.
    coverage.failed(region, "ec2", "collect", error);
  }
  progress(`${region}: ${result.instances.length} instance${result.instances.length === 1 ? "" : "s"}`);
  return { result, metricsRun: startMetrics(result.instances, undefined) };
}

/** CPU (and GPU) for every instance that ran; network only for the `detail` ones (all when absent). */
async function collectRegionMetrics(
  region: string,
  instances: Instance[],
  detail: ReadonlySet<string> | undefined,
  options: CollectOptions,
  coverage: CoverageRecorder,
  result: RegionResult,
): Promise<void> {
  const withMetrics = instances.filter((i) => METRIC_STATES.has(i.state));
  if (withMetrics.length === 0) return;
  try {
    const metrics = await collectMetrics({
      client: options.clients.cloudWatch(region),
      region,
      instances: withMetrics,
      window: options.window,
      config: options.config,
      coverage,
      ...(detail ? { detailInstanceIds: detail } : {}),
    });
    result.byInstance = metrics.byInstance;
    result.gpuAgentInstanceIds = metrics.gpuAgentInstanceIds;
  } catch (error) {
    coverage.failed(region, "cloudwatch", "collect", error);
  }
}

/** Cost Explorer deliberately not read here: a `skipped` entry says why and where the costs are. */
async function skipCosts(
  reason: string,
  coverage: CoverageRecorder,
): Promise<{ costs?: Costs; costAnomalies: CostAnomaly[] }> {
  coverage.skipped("global", "ce", "GetCostAndUsage", "not-requested", reason);
  return { costAnomalies: [] };
}

async function reuseCosts(
  reused: ReusedCosts,
  coverage: CoverageRecorder,
  progress: (message: string) => void,
): Promise<{ costs?: Costs; costAnomalies: CostAnomaly[] }> {
  const note = `reused from the run at ${reused.collectedAt} (Cost Explorer refreshes a few times a day and costs $0.01 a request)`;
  for (const entry of reused.coverage) {
    coverage.entries.push({ ...entry, message: entry.message ? `${entry.message}; ${note}` : note });
  }
  progress(`Cost Explorer: ${note}`);
  return { ...(reused.costs ? { costs: reused.costs } : {}), costAnomalies: reused.costAnomalies };
}

async function collectCostsSafely(
  options: CollectOptions,
  coverage: CoverageRecorder,
  progress: (message: string) => void,
): Promise<{ costs?: Costs; costAnomalies: CostAnomaly[] }> {
  try {
    const result = await collectCosts({
      client: options.clients.costExplorer(),
      window: options.window,
      config: options.config,
      coverage,
    });
    progress(
      result.costs
        ? `Cost Explorer: ${result.costs.days.length} days, ${result.costAnomalies.length} anomalies`
        : "Cost Explorer: no cost data (see coverage)",
    );
    return result;
  } catch (error) {
    const reason = coverage.failed("global", "ce", "collect", error);
    progress(`Cost Explorer: not read (${reason})`);
    return { costAnomalies: [] };
  }
}

function mergeRegions(results: RegionResult[]): {
  instances: Instance[];
  instanceTypes: Record<string, InstanceTypeInfo>;
} {
  const instanceTypes: Record<string, InstanceTypeInfo> = {};
  const ordered = [...results].sort((a, b) => compareText(a.region, b.region));
  for (const result of ordered) {
    for (const [name, info] of Object.entries(result.instanceTypes)) instanceTypes[name] ??= info;
  }
  const instances = ordered
    .flatMap((r) => r.instances)
    .sort(
      (a, b) =>
        compareText(a.region, b.region) ||
        compareText(a.launchTime, b.launchTime) ||
        compareText(a.instanceId, b.instanceId),
    );
  const sortedTypes = Object.fromEntries(Object.entries(instanceTypes).sort(([a], [b]) => compareText(a, b)));
  return { instances, instanceTypes: sortedTypes };
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const STATUS_ORDER: Record<CoverageEntry["status"], number> = { failed: 0, partial: 1, skipped: 2, ok: 3 };

/** Coverage in a stable order (regions run concurrently, so arrival order is not). */
export function sortCoverage(entries: CoverageEntry[]): CoverageEntry[] {
  return [...entries].sort(
    (a, b) =>
      compareText(a.region, b.region) ||
      compareText(a.service, b.service) ||
      compareText(a.api, b.api) ||
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      compareText(a.message ?? "", b.message ?? ""),
  );
}
