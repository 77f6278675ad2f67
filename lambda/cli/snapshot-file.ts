/**
 * Saving snapshots (`--save`) and narrowing a saved one to some regions (`--snapshot --regions`).
 */
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import type { AccountSnapshot, CoverageEntry } from "../core/snapshot.js";

/**
 * JSON with two-space indentation, except that arrays of plain values stay on one line: a metric
 * series is thousands of numbers, and one per line would make a snapshot unreadable and huge.
 */
export function formatSnapshotJson(value: unknown): string {
  return `${format(value, "")}\n`;
}

function format(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => v === null || typeof v !== "object")) return JSON.stringify(value);
    const inner = `${indent}  `;
    return `[\n${value.map((v) => inner + format(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Writes `text` to `path` atomically: a temporary file next to it, then a rename, so an interrupted
 * run never leaves half a snapshot where a complete one is expected.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, text, "utf8");
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Account-wide cost keys that belong to no region and so survive any region filter. */
const REGIONLESS_COST_KEYS = new Set(["global", "NoRegion"]);

/**
 * Keeps only `regions` of a saved snapshot, as if a live run had been asked for them: instances,
 * their metrics, region spend and coverage of the other regions are dropped, and each dropped region
 * gets a `not-requested` coverage entry so the report says it was not audited. Account-wide data
 * (spend by service and instance type) cannot be split by region and is kept.
 */
export function restrictToRegions(snapshot: AccountSnapshot, regions: string[]): AccountSnapshot {
  const keep = new Set(regions);
  const keptInstances = snapshot.instances.filter((i) => keep.has(i.region));
  const keptIds = new Set(keptInstances.map((i) => i.instanceId));
  // A region that is not opted in keeps its own coverage entry: that, not --regions, is why it was not read.
  const dropped = snapshot.regions.filter((r) => !keep.has(r.name) && r.optInStatus !== "not-opted-in");
  const droppedNames = new Set(dropped.map((r) => r.name));
  const notRequested: CoverageEntry[] = dropped.map((r) => ({
    region: r.name,
    service: "ec2",
    api: "DescribeInstances",
    status: "skipped",
    reason: "not-requested",
    message: "Not audited: excluded by --regions when replaying the snapshot.",
  }));
  const costs = snapshot.costs && {
    ...snapshot.costs,
    byRegion: Object.fromEntries(
      Object.entries(snapshot.costs.byRegion).filter(([r]) => keep.has(r) || REGIONLESS_COST_KEYS.has(r)),
    ),
  };
  return {
    ...snapshot,
    instances: keptInstances,
    metrics: {
      ...snapshot.metrics,
      gpuAgentInstanceIds: snapshot.metrics.gpuAgentInstanceIds.filter((id) => keptIds.has(id)),
      byInstance: Object.fromEntries(Object.entries(snapshot.metrics.byInstance).filter(([id]) => keptIds.has(id))),
    },
    ...(costs ? { costs } : {}),
    costAnomalies: snapshot.costAnomalies.filter(
      (a) => a.rootCauses.length === 0 || a.rootCauses.some((c) => c.region === undefined || keep.has(c.region)),
    ),
    coverage: [...snapshot.coverage.filter((c) => !droppedNames.has(c.region)), ...notRequested],
  };
}
