/**
 * The detection benchmark: audits every labeled scenario (scenarios/<name>/) and measures the two
 * numbers an auditor is judged by, what it catches and how often it cries wolf.
 *
 *   npm run bench:detection      (npx tsx scripts/bench/detection.ts)
 *
 * Prints one row per scenario (kind, expected verdict, worst severity and finding count, pass or
 * fail with the reason), then recall over mining scenarios, false positives at high or critical over
 * benign ones, precision, and whether every finding of a mining scenario is explained by evidence
 * from its own rules. Exits non-zero below the targets. `benchmark()` is the pure computation;
 * tests/bench/detection.test.ts runs it over the whole corpus so `npm test` fails on a regression.
 */
import { fileURLToPath } from "node:url";
import { auditSnapshot } from "../../lambda/core/audit.js";
import type { AuditReport, Finding } from "../../lambda/report/model.js";
import { atLeast, type Severity } from "../../lambda/rules/types.js";
import { checkVerdict, listScenarios, loadScenario, type Scenario } from "../../tests/support/scenarios.js";

/** Reports carry a generation time only; a fixed one keeps the benchmark reproducible. */
const GENERATED_AT = new Date("2026-01-01T00:00:00Z");

export const TARGETS = {
  /** Every mining scenario reaches its verdict. */
  recall: 1,
  /** No benign scenario has a finding above medium. */
  benignAboveMedium: 0,
  /** Every finding of a mining scenario carries evidence from each of its rules. */
  unexplainedMiningFindings: 0,
} as const;

export type ScenarioKind = "mining" | "benign";

export interface ScenarioResult {
  name: string;
  kind: ScenarioKind;
  /** What scenario.yaml asks for, in a few words. */
  expected: string;
  worstSeverity: Severity | null;
  findings: number;
  suppressed: number;
  /** Near-misses in the report (rules that came close and held back). */
  nearMisses: number;
  pass: boolean;
  failures: string[];
  /** Mining: a finding at high or above. Benign: a finding above medium (a false positive that pages). */
  flaggedHigh: boolean;
  /** Findings whose contributing rules are not all backed by evidence (mining scenarios only). */
  unexplained: string[];
}

export interface BenchmarkSummary {
  scenarios: number;
  mining: number;
  benign: number;
  /** Mining scenarios that met their verdict / mining scenarios. */
  recall: number;
  /** Benign scenarios with a finding at high or critical. */
  falsePositivesHigh: number;
  /** Benign scenarios with a finding at medium (allowed by the targets, not by a clean verdict). */
  benignMedium: number;
  /** Scenarios flagged high that are mining / all scenarios flagged high. */
  precision: number;
  unexplainedMiningFindings: number;
  /** Near-misses over the whole corpus: how much "why not" text a reader gets. */
  nearMisses: number;
  failedScenarios: number;
  meetsTargets: boolean;
  /** Why the targets are missed, one sentence each. */
  misses: string[];
}

export interface BenchmarkResult {
  results: ScenarioResult[];
  summary: BenchmarkSummary;
}

/** Rules of a finding that contributed no evidence of their own: the finding does not explain them. */
export function unexplainedRules(finding: Finding): string[] {
  return finding.rules.filter(
    (rule) => !finding.evidence.some((e) => e.ruleId === rule && e.message.trim().length > 0),
  );
}

function expectedText(scenario: Scenario): string {
  const e = scenario.expectation;
  const parts: string[] = [e.verdict];
  if (e.expect.length > 0) parts.push(`${e.expect.length} expect`);
  if (e.quiet.length > 0) parts.push(`${e.quiet.length} quiet`);
  if (e.suppressed.length > 0) parts.push(`${e.suppressed.length} suppressed`);
  if (e.nearMisses.length > 0) parts.push(`${e.nearMisses.length} near-miss`);
  return parts.join(", ");
}

export function judgeScenario(scenario: Scenario, report: AuditReport): ScenarioResult {
  const kind: ScenarioKind = scenario.expectation.verdict === "mining" ? "mining" : "benign";
  const verdict = checkVerdict(report, scenario.expectation);
  const unexplained =
    kind === "mining"
      ? report.findings.flatMap((f) => {
          const missing = unexplainedRules(f);
          return missing.length > 0 ? [`${f.id}: no evidence from ${missing.join(", ")}`] : [];
        })
      : [];
  return {
    name: scenario.name,
    kind,
    expected: expectedText(scenario),
    worstSeverity: report.summary.worstSeverity,
    findings: report.findings.length,
    suppressed: report.suppressed.length,
    nearMisses: report.nearMisses.length + report.nearMissesNotListed,
    pass: verdict.pass,
    failures: verdict.failures,
    flaggedHigh: report.findings.some((f) => atLeast(f.severity, "high")),
    unexplained,
  };
}

/** The pure computation: scenarios in, per-scenario results and the summary figures out. */
export function benchmark(scenarios: readonly Scenario[]): BenchmarkResult {
  const results = scenarios.map((scenario) =>
    judgeScenario(scenario, auditSnapshot(scenario.snapshot, scenario.config, { generatedAt: GENERATED_AT })),
  );
  return { results, summary: summarize(results) };
}

export function summarize(results: readonly ScenarioResult[]): BenchmarkSummary {
  const mining = results.filter((r) => r.kind === "mining");
  const benign = results.filter((r) => r.kind === "benign");
  const caught = mining.filter((r) => r.pass).length;
  const falsePositives = benign.filter((r) => r.flaggedHigh);
  const benignMedium = benign.filter((r) => !r.flaggedHigh && r.worstSeverity === "medium").length;
  const truePositives = mining.filter((r) => r.flaggedHigh).length;
  const flagged = truePositives + falsePositives.length;
  const recall = mining.length === 0 ? 0 : caught / mining.length;
  const unexplained = mining.reduce((n, r) => n + r.unexplained.length, 0);
  const failed = results.filter((r) => !r.pass);

  const misses: string[] = [];
  if (recall < TARGETS.recall) {
    misses.push(
      `recall ${percent(recall)} is below ${percent(TARGETS.recall)}: ${mining
        .filter((r) => !r.pass)
        .map((r) => r.name)
        .join(", ")} missed`,
    );
  }
  if (falsePositives.length > TARGETS.benignAboveMedium) {
    misses.push(
      `${falsePositives.length} benign scenario(s) above medium: ${falsePositives.map((r) => r.name).join(", ")}`,
    );
  }
  if (unexplained > TARGETS.unexplainedMiningFindings) {
    misses.push(`${unexplained} mining finding(s) not explained by evidence from their rules`);
  }
  const failedBenign = failed.filter((r) => r.kind === "benign");
  if (failedBenign.length > 0) {
    misses.push(`benign scenario(s) not meeting their verdict: ${failedBenign.map((r) => r.name).join(", ")}`);
  }
  return {
    scenarios: results.length,
    mining: mining.length,
    benign: benign.length,
    recall,
    falsePositivesHigh: falsePositives.length,
    benignMedium,
    precision: flagged === 0 ? 0 : truePositives / flagged,
    unexplainedMiningFindings: unexplained,
    nearMisses: results.reduce((n, r) => n + r.nearMisses, 0),
    failedScenarios: failed.length,
    meetsTargets: misses.length === 0,
    misses,
  };
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1).replace(/\.0$/, "")} %`;
}

/** The table and the summary, as printed. */
export function formatBenchmark({ results, summary }: BenchmarkResult): string {
  const header = ["scenario", "kind", "expected", "got", "result"];
  const rows = results.map((r) => [
    r.name,
    r.kind,
    r.expected,
    `${r.worstSeverity ?? "none"} (${r.findings} finding${r.findings === 1 ? "" : "s"}${r.suppressed > 0 ? `, ${r.suppressed} suppressed` : ""}${r.nearMisses > 0 ? `, ${r.nearMisses} near-miss${r.nearMisses === 1 ? "" : "es"}` : ""})`,
    r.pass && r.unexplained.length === 0 ? "pass" : "FAIL",
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => (row[k] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, k) => c.padEnd(widths[k] ?? 0))
      .join("  ")
      .trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w)))];
  for (const [index, row] of rows.entries()) {
    out.push(line(row));
    const r = results[index];
    for (const reason of [...(r?.failures ?? []), ...(r?.unexplained ?? [])]) out.push(`    - ${reason}`);
  }
  out.push(
    "",
    `scenarios: ${summary.scenarios} (${summary.mining} mining, ${summary.benign} benign)`,
    `recall (mining scenarios meeting their verdict): ${percent(summary.recall)} (target ${percent(TARGETS.recall)})`,
    `false positives (benign scenarios with a finding at high or critical): ${summary.falsePositivesHigh} (target ${TARGETS.benignAboveMedium})`,
    `benign scenarios with a medium finding: ${summary.benignMedium}`,
    `precision (scenarios flagged high that are mining): ${percent(summary.precision)}`,
    `mining findings not explained by their evidence: ${summary.unexplainedMiningFindings} (target ${TARGETS.unexplainedMiningFindings})`,
    `near-misses listed (rules that came close and said why they held back): ${summary.nearMisses}`,
    `scenarios failing their verdict: ${summary.failedScenarios}`,
    summary.meetsTargets ? "targets met" : `TARGETS MISSED:\n${summary.misses.map((m) => `  - ${m}`).join("\n")}`,
  );
  return out.join("\n");
}

export async function loadCorpus(): Promise<Scenario[]> {
  return Promise.all(listScenarios().map((name) => loadScenario(name)));
}

async function main(): Promise<void> {
  const result = benchmark(await loadCorpus());
  console.log(formatBenchmark(result));
  process.exitCode = result.summary.meetsTargets && result.summary.failedScenarios === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  });
}
