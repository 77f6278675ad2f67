/**
 * One benchmark run: a generated account audited through the real collectors (collectAccount) with
 * the simulator behind real SDK clients, then the rules on the resulting snapshot. Returns figures:
 * calls by action against the lower bound for the same data, the AWS charge, timings, sizes.
 */

import { collectAccount } from "../../lambda/collect/collect-account.js";
import { DEFAULT_USER_DATA_CAP } from "../../lambda/collect/ec2.js";
import type { SectionCollector } from "../../lambda/collect/sections.js";
import { auditSnapshot } from "../../lambda/core/audit.js";
import { type Config, defaultConfig } from "../../lambda/core/config.js";
import type { AccountSnapshot } from "../../lambda/core/snapshot.js";
import {
  costGroups,
  ENABLED_REGIONS,
  type GeneratedAccount,
  type GeneratedInstance,
  generateAccount,
  TYPE_BY_NAME,
} from "./generate.js";
import {
  ANOMALIES_PAGE,
  AwsSimulator,
  CE_PAGE_ROWS,
  LIST_METRICS_PAGE,
  SIM_GMD_MAX_POINTS,
  SIM_GMD_MAX_QUERIES,
  simulatedClientFactory,
} from "./simulator.js";

const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

/** AWS list prices (us-east-1) of the billed calls. */
export const PRICES = {
  getMetricDataPerThousandMetrics: 0.01,
  listMetricsPerThousandRequests: 0.01,
  costExplorerPerRequest: 0.01,
} as const;

export interface BenchOptions {
  instances: number;
  latencyMs: number;
  seed?: number;
  config?: Config;
  /** Progress of the collection, with the milliseconds since it started. */
  onProgress?: (elapsedMs: number, message: string) => void;
  /** Section collectors; collectAccount's default (SECTION_COLLECTORS) when absent. */
  sections?: readonly SectionCollector[];
}

export interface ActionFigures {
  action: string;
  sent: number;
  throttled: number;
  rejected: number;
  /** Undefined for actions the benchmark has no derivation for (section collectors' calls). */
  lowerBound: number | undefined;
}

export interface BenchResult {
  instances: number;
  regions: number;
  latencyMs: number;
  wallMs: number;
  /** CPU time (user + system) of the process during the collection: less sensitive to a busy machine. */
  collectCpuMs: number;
  /** Highest sampled RSS in each phase, bytes ("start" is after imports and account generation). */
  peakRssByPhase: Record<string, number>;
  actions: ActionFigures[];
  totalSent: number;
  totalLowerBound: number;
  /** Sent calls of actions with a lower bound, over that bound. */
  ratio: number;
  charge: {
    totalUsd: number;
    getMetricDataUsd: number;
    metricsRequested: number;
    costExplorerUsd: number;
    costExplorerRequests: number;
    listMetricsUsd: number;
  };
  snapshotJsonBytes: number;
  rulesMs: number;
  findings: number;
  waveInstancesFound: number;
  waveInstances: number;
  coverageGaps: string[];
}

export async function runBenchmark(options: BenchOptions): Promise<BenchResult> {
  const account = generateAccount(options.instances, options.seed);
  const config = options.config ?? defaultConfig();
  const simulator = new AwsSimulator({ account, latencyMs: options.latencyMs });
  const window = { start: new Date(account.windowEnd.getTime() - DAY_MS), end: account.windowEnd };

  const memory = new MemoryWatch();
  memory.phase("collect");
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const snapshot = await collectAccount({
    clients: simulatedClientFactory(simulator),
    config,
    window,
    now: account.windowEnd,
    ...(options.sections ? { sections: options.sections } : {}),
    ...(options.onProgress ? { onProgress: (m: string) => options.onProgress?.(performance.now() - started, m) } : {}),
  });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);

  memory.phase("rules");
  const rulesStarted = performance.now();
  const report = auditSnapshot(snapshot, config, { generatedAt: account.windowEnd });
  const rulesMs = performance.now() - rulesStarted;

  memory.phase("serialize");
  const json = JSON.stringify(snapshot);
  memory.stop();
  const bounds = lowerBounds(account, snapshot, config, simulator);
  const actions: ActionFigures[] = [...simulator.calls.entries()]
    .map(([action, c]) => ({ action, ...c, lowerBound: bounds.get(action) }))
    .sort((a, b) => (a.action < b.action ? -1 : a.action > b.action ? 1 : 0));
  for (const [action, bound] of bounds) {
    if (!simulator.calls.has(action) && bound > 0) {
      actions.push({ action, sent: 0, throttled: 0, rejected: 0, lowerBound: bound });
    }
  }
  const bounded = actions.filter((a) => a.lowerBound !== undefined);
  const totalSent = bounded.reduce((sum, a) => sum + a.sent, 0);
  const totalLowerBound = bounded.reduce((sum, a) => sum + (a.lowerBound ?? 0), 0);

  const costExplorerRequests = [...simulator.calls.keys()]
    .filter((k) => k.startsWith("ce:"))
    .reduce((sum, k) => sum + simulator.answered(k), 0);
  const getMetricDataUsd = (simulator.metricsRequested / 1000) * PRICES.getMetricDataPerThousandMetrics;
  const costExplorerUsd = costExplorerRequests * PRICES.costExplorerPerRequest;
  const listMetricsUsd = (simulator.answered("cloudwatch:ListMetrics") / 1000) * PRICES.listMetricsPerThousandRequests;

  const waveIds = new Set(account.instances.filter((i) => i.wave).map((i) => i.instanceId));
  const found = new Set(report.findings.flatMap((f) => f.resources.filter((r) => waveIds.has(r.id)).map((r) => r.id)));
  return {
    instances: options.instances,
    regions: ENABLED_REGIONS.length,
    latencyMs: options.latencyMs,
    wallMs,
    collectCpuMs: (cpu.user + cpu.system) / 1000,
    peakRssByPhase: memory.peaks(),
    actions,
    totalSent,
    totalLowerBound,
    ratio: totalLowerBound > 0 ? totalSent / totalLowerBound : 0,
    charge: {
      totalUsd: getMetricDataUsd + costExplorerUsd + listMetricsUsd,
      getMetricDataUsd,
      metricsRequested: simulator.metricsRequested,
      costExplorerUsd,
      costExplorerRequests,
      listMetricsUsd,
    },
    snapshotJsonBytes: Buffer.byteLength(json),
    rulesMs,
    findings: report.findings.length,
    waveInstancesFound: found.size,
    waveInstances: waveIds.size,
    coverageGaps: snapshot.coverage
      .filter((e) => e.status !== "ok" && e.reason !== "not-opted-in")
      .map((e) => `${e.region} ${e.service}:${e.api} ${e.status}${e.reason ? ` (${e.reason})` : ""}`),
  };
}

/**
 * Instances whose user data is worth reading, by the design's criteria (not by calling the
 * collector): GPU or other accelerator, large compute, launched within a week of the window, or in
 * a region that is new to the account; gone instances excluded.
 */
export function worthALook(
  instances: readonly GeneratedInstance[],
  config: Config,
  windowStart: Date,
  now: Date,
): GeneratedInstance[] {
  const newRegion = instances.every((i) => now.getTime() - i.launchTimeMs <= 14 * DAY_MS);
  return instances.filter((i) => {
    if (i.state === "terminated") return false;
    const spec = TYPE_BY_NAME.get(i.instanceType);
    const accelerated = !spec || spec.gpus > 0;
    const large = spec !== undefined && spec.vcpus >= config.thresholds.largeComputeVcpus;
    const recent = i.launchTimeMs >= windowStart.getTime() - 7 * DAY_MS;
    return accelerated || large || recent || newRegion;
  });
}

/**
 * The fewest calls that read the same data, derived from the account and from what the snapshot
 * holds (so a collector reading less data is not flattered by a lower bound for more):
 * - DescribeInstances: ceil(instances in region / 1000) pages, at least one per audited region;
 * - DescribeInstanceTypes: ceil(distinct types in region / 100);
 * - DescribeInstanceAttribute: one per attribute per instance worth a look, up to the per-region cap;
 * - ListMetrics: ceil(GPU agent series / 500) pages, at least one per region with metrics to read;
 * - GetMetricData: per region, max(ceil(series / 500), ceil(data points / 100,800)) for the series
 *   the snapshot holds;
 * - Cost Explorer: per data set (by region, by service, EC2 by type) ceil(days x groups / page
 *   rows) pages (page size assumed, see the simulator), plus ceil(anomalies / 100) GetAnomalies;
 * - the section collectors' calls (answered empty by the generated account): one per distinct
 *   request, i.e. per region and input, pagination aside.
 */
export function lowerBounds(
  account: GeneratedAccount,
  snapshot: AccountSnapshot,
  config: Config,
  simulator: AwsSimulator,
): Map<string, number> {
  const bounds = new Map<string, number>();
  const add = (action: string, n: number) => bounds.set(action, (bounds.get(action) ?? 0) + n);
  add("sts:GetCallerIdentity", 1);
  add("ec2:DescribeRegions", 1);
  const windowStart = new Date(snapshot.window.start);
  const now = new Date(snapshot.window.end);
  const attributes = [...simulator.calls.keys()].filter((k) => k.startsWith("ec2:DescribeInstanceAttribute("));
  if (attributes.length === 0) attributes.push("ec2:DescribeInstanceAttribute(userData)");

  for (const region of ENABLED_REGIONS) {
    const instances = account.byRegion.get(region) ?? [];
    add("ec2:DescribeInstances", Math.max(1, Math.ceil(instances.length / 1000)));
    if (instances.length === 0) continue;
    add("ec2:DescribeInstanceTypes", Math.ceil(new Set(instances.map((i) => i.instanceType)).size / 100));
    const look = Math.min(worthALook(instances, config, windowStart, now).length, DEFAULT_USER_DATA_CAP);
    for (const attribute of attributes) add(attribute, look);

    const withMetrics = instances.filter((i) => i.state === "running" || i.state === "stopped");
    if (withMetrics.length === 0) continue;
    const gpuSeries = withMetrics.reduce((sum, i) => sum + i.gpuAgentSeries, 0);
    add("cloudwatch:ListMetrics", Math.max(1, Math.ceil(gpuSeries / LIST_METRICS_PAGE)));
    let series = 0;
    let points = 0;
    for (const instance of withMetrics) {
      const metrics = snapshot.metrics.byInstance[instance.instanceId];
      if (!metrics) continue;
      for (const [key, s] of Object.entries(metrics)) {
        if (!s) continue;
        // The snapshot keeps the busiest GPU per period; CloudWatch was asked for each GPU's series.
        const count = key === "gpu" ? Math.max(1, instance.gpuAgentSeries) : 1;
        series += count;
        points += count * s.values.length;
      }
    }
    if (series > 0) {
      add(
        "cloudwatch:GetMetricData",
        Math.max(Math.ceil(series / SIM_GMD_MAX_QUERIES), Math.ceil(points / SIM_GMD_MAX_POINTS)),
      );
    }
  }

  const days = snapshot.costs?.days.length ?? 0;
  if (days > 0) {
    for (const key of ["REGION", "SERVICE", "INSTANCE_TYPE"]) {
      const perDay = Math.max(1, costGroups(account, key, days - 1, days).length);
      add("ce:GetCostAndUsage", Math.ceil(days / Math.max(1, Math.floor(CE_PAGE_ROWS / perDay))));
    }
  }
  add("ce:GetAnomalies", Math.max(1, Math.ceil(snapshot.costAnomalies.length / ANOMALIES_PAGE)));
  // Section collectors' calls, answered empty: one call per distinct request (e.g. CloudTrail: one
  // LookupEvents per event name and region, since a call takes a single lookup attribute).
  for (const [action, requests] of simulator.distinctRequests) add(action, requests.size);
  return bounds;
}

/** Hours of data a series of the snapshot covers (for the docs: the period actually stored). */
export function seriesHours(snapshot: AccountSnapshot): number {
  const first = Object.values(snapshot.metrics.byInstance)[0]?.cpu;
  return first ? (first.values.length * first.periodSeconds * 1000) / HOUR_MS : 0;
}

/** Samples RSS every 25 ms and keeps the highest value per phase of the run. */
class MemoryWatch {
  private current = "start";
  private readonly highest = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.sample();
    this.timer = setInterval(() => this.sample(), 25);
    this.timer.unref();
  }

  phase(name: string): void {
    this.sample();
    this.current = name;
    this.sample();
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }

  peaks(): Record<string, number> {
    return Object.fromEntries(this.highest);
  }

  private sample(): void {
    const rss = process.memoryUsage.rss();
    this.highest.set(this.current, Math.max(this.highest.get(this.current) ?? 0, rss));
  }
}
