/**
 * `npm run bench:scale`: audits generated accounts of 100, 1,000 and 10,000 instances over 17
 * regions through the real collectors, with AWS simulated at the SDK boundary (latency per call and
 * AWS's rate limits, see scripts/bench/simulator.ts), and prints the figures. Not a timed test.
 *
 * Each size runs in its own child process so its peak RSS (process.resourceUsage().maxRSS) is its
 * own and not the high-water mark of a previous size.
 *
 *   npx tsx scripts/bench/scale.ts [--sizes 100,1000,10000] [--latency 50] [--heap MB] [--json] [--progress]
 *
 * --heap caps V8's old space in the children (--max-old-space-size), as a Lambda's memory size does.
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { type BenchResult, runBenchmark } from "./run.js";

interface ChildResult extends BenchResult {
  peakRssBytes: number;
}

const TARGETS = {
  ratio: 1.2,
  wallMsAt10k: 60_000,
  peakRssBytes: 512 * 1024 * 1024,
  chargeAt10k: 0.4,
  chargeAt100: 0.02,
  rulesMsAt10k: 1000,
};

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function child(size: number, latencyMs: number): Promise<void> {
  const verbose = process.argv.includes("--progress");
  const result = await runBenchmark({
    instances: size,
    latencyMs,
    ...(verbose
      ? { onProgress: (ms: number, m: string) => process.stderr.write(`${(ms / 1000).toFixed(1)}s ${m}\n`) }
      : {}),
  });
  const out: ChildResult = { ...result, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(size: number, latencyMs: number, heapMb: number | undefined): ChildResult {
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(
    process.execPath,
    [
      "--no-warnings",
      // A Lambda's heap is sized to its memory; on a big machine V8 collects lazily and RSS shows garbage.
      ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []),
      // Run from source through tsx; a bundle (`--bundle`, as the Lambda runs) needs no loader.
      ...(self.endsWith(".ts") ? ["--import", "tsx"] : []),
      self,
      "--child",
      String(size),
      "--latency",
      String(latencyMs),
    ],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const line = run.stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("{"));
  if (run.status !== 0 || !line) {
    throw new Error(`benchmark of ${size} instances failed (exit ${run.status}):\n${run.stderr}`);
  }
  return JSON.parse(line) as ChildResult;
}

const fmt = (n: number) => n.toLocaleString("en-US");
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const usd = (n: number) => `$${n.toFixed(4)}`;
const mark = (ok: boolean) => (ok ? "ok" : "MISSED");

function printRun(r: ChildResult): void {
  console.log(`\n== ${fmt(r.instances)} instances x ${r.regions} regions, ${r.latencyMs} ms per call ==`);
  console.log(
    `wall ${(r.wallMs / 1000).toFixed(2)} s | peak RSS ${mb(r.peakRssBytes)} | rules ${r.rulesMs.toFixed(0)} ms | ` +
      `snapshot ${mb(r.snapshotJsonBytes)} JSON | findings ${r.findings} ` +
      `(wave instances in findings: ${r.waveInstancesFound}/${r.waveInstances})`,
  );
  console.log(
    `collection CPU ${(r.collectCpuMs / 1000).toFixed(2)} s | peak RSS by phase: ` +
      Object.entries(r.peakRssByPhase)
        .map(([phase, bytes]) => `${phase} ${mb(bytes)}`)
        .join(", "),
  );
  console.log(
    `AWS charge ${usd(r.charge.totalUsd)}: GetMetricData ${fmt(r.charge.metricsRequested)} metrics ${usd(r.charge.getMetricDataUsd)}, ` +
      `Cost Explorer ${r.charge.costExplorerRequests} requests ${usd(r.charge.costExplorerUsd)}, ListMetrics ${usd(r.charge.listMetricsUsd)}`,
  );
  const rows = r.actions.map((a) => [
    a.action,
    fmt(a.sent),
    fmt(a.throttled),
    a.lowerBound === undefined ? "n/a" : fmt(a.lowerBound),
    a.lowerBound ? (a.sent / a.lowerBound).toFixed(2) : "n/a",
  ]);
  rows.push(["total (with a bound)", fmt(r.totalSent), "", fmt(r.totalLowerBound), r.ratio.toFixed(2)]);
  const header = ["action", "calls", "throttled", "lower bound", "ratio"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  if (r.coverageGaps.length > 0) {
    console.log(`coverage gaps (${r.coverageGaps.length}): ${r.coverageGaps.slice(0, 6).join("; ")}`);
  }
}

function printSummary(results: ChildResult[]): void {
  console.log(
    "\n| instances | wall time | calls / lower bound | ratio | peak RSS | AWS charge | rules | snapshot JSON |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of results) {
    console.log(
      `| ${fmt(r.instances)} | ${(r.wallMs / 1000).toFixed(2)} s (CPU ${(r.collectCpuMs / 1000).toFixed(1)} s) | ${fmt(r.totalSent)} / ${fmt(r.totalLowerBound)} | ` +
        `${r.ratio.toFixed(2)} | ${mb(r.peakRssBytes)} | ${usd(r.charge.totalUsd)} | ${r.rulesMs.toFixed(0)} ms | ${mb(r.snapshotJsonBytes)} |`,
    );
  }
  const big = results.find((r) => r.instances === 10_000);
  const small = results.find((r) => r.instances === 100);
  console.log("\nTargets:");
  console.log(
    `  calls within ${TARGETS.ratio}x of the lower bound: ${results.map((r) => `${fmt(r.instances)} ${mark(r.ratio <= TARGETS.ratio)}`).join(", ")}`,
  );
  console.log(
    `  peak RSS under 512 MB: ${results.map((r) => `${fmt(r.instances)} ${mark(r.peakRssBytes < TARGETS.peakRssBytes)}`).join(", ")}`,
  );
  if (big) {
    console.log(`  10,000 instances under 60 s: ${mark(big.wallMs < TARGETS.wallMsAt10k)}`);
    console.log(`  10,000 instances under $0.40: ${mark(big.charge.totalUsd < TARGETS.chargeAt10k)}`);
    console.log(`  rules on 10,000 instances under 1 s: ${mark(big.rulesMs < TARGETS.rulesMsAt10k)}`);
  }
  if (small) console.log(`  100 instances under $0.02: ${mark(small.charge.totalUsd < TARGETS.chargeAt100)}`);
  console.log(
    `\nMachine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), ${mb(totalmem())} memory, Node ${process.version}, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} at the end (timings are only comparable on an otherwise idle machine)`,
  );
}

async function main(): Promise<void> {
  const latencyMs = Number(argValue("--latency") ?? 50);
  const childSize = argValue("--child");
  if (childSize !== undefined) {
    await child(Number(childSize), latencyMs);
    return;
  }
  const sizes = (argValue("--sizes") ?? "100,1000,10000").split(",").map(Number);
  const results: ChildResult[] = [];
  for (const size of sizes) {
    const heap = argValue("--heap");
    const result = runChild(size, latencyMs, heap ? Number(heap) : undefined);
    results.push(result);
    if (process.argv.includes("--json")) console.log(JSON.stringify(result));
    else printRun(result);
  }
  printSummary(results);
}

await main();
