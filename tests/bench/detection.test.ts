/**
 * The detection benchmark over the whole labeled corpus (scenarios/): `npm test` fails when a rule
 * change costs recall, pages on a benign look-alike, or leaves a finding without evidence.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  type BenchmarkResult,
  benchmark,
  formatBenchmark,
  loadCorpus,
  type ScenarioResult,
  summarize,
  TARGETS,
} from "../../scripts/bench/detection.js";

let result: BenchmarkResult;

beforeAll(async () => {
  result = benchmark(await loadCorpus());
});

describe("detection benchmark over the corpus", () => {
  it("has at least 24 scenarios, 14 of them mining and 10 benign", () => {
    expect(result.summary.scenarios).toBeGreaterThanOrEqual(24);
    expect(result.summary.mining).toBeGreaterThanOrEqual(14);
    expect(result.summary.benign).toBeGreaterThanOrEqual(10);
  });

  it("meets the targets: full recall, no benign scenario above medium, every mining finding explained", () => {
    expect(result.summary.misses).toEqual([]);
    expect(result.summary.recall).toBe(TARGETS.recall);
    expect(result.summary.falsePositivesHigh).toBe(0);
    expect(result.summary.unexplainedMiningFindings).toBe(0);
    expect(result.summary.meetsTargets).toBe(true);
  });

  it("every scenario meets its own verdict", () => {
    const failing = result.results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.failures.join("; ")}`);
    expect(failing).toEqual([]);
  });

  it("prints one row per scenario and the summary figures", () => {
    const text = formatBenchmark(result);
    for (const r of result.results) expect(text).toContain(r.name);
    expect(text).toContain("recall (mining scenarios meeting their verdict): 100 %");
    expect(text).toMatch(/load-test\s+benign\s+clean, 1 quiet, 1 near-miss\s+low \(1 finding, 2 near-misses\)/);
    expect(text).toContain(
      `near-misses listed (rules that came close and said why they held back): ${result.summary.nearMisses}`,
    );
    expect(result.summary.nearMisses).toBeGreaterThanOrEqual(2);
    expect(text).toContain("targets met");
  });
});

describe("benchmark figures", () => {
  const row = (over: Partial<ScenarioResult>): ScenarioResult => ({
    name: "s",
    kind: "mining",
    expected: "mining",
    worstSeverity: "high",
    findings: 1,
    suppressed: 0,
    nearMisses: 0,
    pass: true,
    failures: [],
    flaggedHigh: true,
    unexplained: [],
    ...over,
  });

  it("counts a missed mining scenario against recall and names it", () => {
    const summary = summarize([
      row({ name: "caught" }),
      row({ name: "missed", pass: false, flaggedHigh: false, worstSeverity: "medium" }),
    ]);
    expect(summary.recall).toBe(0.5);
    expect(summary.meetsTargets).toBe(false);
    expect(summary.misses.join(" ")).toContain("missed");
  });

  it("counts a benign scenario with a high finding as a false positive and lowers precision", () => {
    const summary = summarize([
      row({ name: "mining" }),
      row({ name: "ci", kind: "benign", pass: false, flaggedHigh: true, worstSeverity: "high" }),
      row({ name: "db", kind: "benign", flaggedHigh: false, worstSeverity: null, findings: 0 }),
    ]);
    expect(summary.falsePositivesHigh).toBe(1);
    expect(summary.precision).toBe(0.5);
    expect(summary.misses.join(" ")).toContain("ci");
  });

  it("fails the evidence target when a mining finding lacks evidence from one of its rules", () => {
    const summary = summarize([row({ unexplained: ["mw-1: no evidence from MW-CPU-FLAT-SHIFT"] })]);
    expect(summary.unexplainedMiningFindings).toBe(1);
    expect(summary.meetsTargets).toBe(false);
  });
});
