/**
 * Labeled scenarios (scenarios/<name>/): loading them and judging a report against their expected
 * verdict. The demo test, the scenario tests and the detection benchmark all use these, so a
 * scenario is written once and means the same thing everywhere (scenarios/README.md: the format).
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { type Config, ConfigSchema } from "../../lambda/core/config.js";
import { loadDocument } from "../../lambda/core/input.js";
import { type AccountSnapshot, AccountSnapshotSchema } from "../../lambda/core/snapshot.js";
import type { AuditReport, Finding } from "../../lambda/report/model.js";
import { atLeast, SEVERITIES, type Severity, severityRank } from "../../lambda/rules/types.js";

export const SCENARIOS_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../scenarios");

const SeveritySchema = z.enum(SEVERITIES);
const resourceIds = z.array(z.string().min(1)).min(1, "list at least one resource id");

/** Resources that must be reported: each in some finding at least this severe, with these rules. */
export const ExpectationSchema = z.strictObject({
  resources: resourceIds,
  minSeverity: SeveritySchema,
  /** Rule ids that must be among the contributing rules of the finding that reports each resource. */
  rules: z.array(z.string().regex(/^MW-[A-Z0-9-]+$/, "a rule id such as MW-CPU-FLAT-SHIFT")).default([]),
  /** All the resources must be in one and the same finding (one incident, not several). */
  sameFinding: z.boolean().default(false),
  /** Why this is expected, for the person reading a failure. */
  note: z.string().optional(),
});

/** Resources that must stay quiet: in no unsuppressed finding more severe than maxSeverity. */
export const QuietSchema = z.strictObject({
  resources: resourceIds,
  maxSeverity: SeveritySchema.default("low"),
  note: z.string().optional(),
});

/** Resources that must be suppressed by the allowlist (and so listed under `suppressed`). */
export const SuppressedExpectationSchema = z.strictObject({
  resources: resourceIds,
  /** Text the suppressing allowlist entry's reason must contain. */
  reason: z.string().optional(),
});

/** Resources a rule must list as a near-miss: it came close, held back, and the report says why. */
export const NearMissExpectationSchema = z.strictObject({
  resources: resourceIds,
  rule: z.string().regex(/^MW-[A-Z0-9-]+$/, "a rule id such as MW-CPU-SUSTAINED-HIGH"),
  note: z.string().optional(),
});

export const ScenarioSchema = z.strictObject({
  title: z.string().min(3),
  story: z.string().min(10),
  /**
   * mining: some finding is at least high; clean: no finding is medium or worse. The expect and
   * quiet lists say which resources, precisely.
   */
  verdict: z.enum(["mining", "clean"]),
  expect: z.array(ExpectationSchema).default([]),
  quiet: z.array(QuietSchema).default([]),
  suppressed: z.array(SuppressedExpectationSchema).default([]),
  nearMisses: z.array(NearMissExpectationSchema).default([]),
});

export type ScenarioExpectation = z.infer<typeof ScenarioSchema>;

export interface Scenario {
  name: string;
  dir: string;
  snapshot: AccountSnapshot;
  config: Config;
  expectation: ScenarioExpectation;
}

export interface VerdictResult {
  pass: boolean;
  failures: string[];
}

/** Scenario folder names (those with a scenario.yaml), sorted. */
export function listScenarios(root: string = SCENARIOS_DIR): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, "scenario.yaml")))
    .map((entry) => entry.name)
    .sort();
}

/** Loads and validates a scenario's snapshot, config (defaults when there is no config.yaml) and expectation. */
export async function loadScenario(name: string, root: string = SCENARIOS_DIR): Promise<Scenario> {
  const dir = join(root, name);
  const fix = "See scenarios/README.md for the scenario format.";
  const snapshot = await loadDocument(join(dir, "snapshot.json"), AccountSnapshotSchema, "Scenario snapshot", fix);
  const configPath = join(dir, "config.yaml");
  const config = existsSync(configPath)
    ? await loadDocument(configPath, ConfigSchema, "Scenario config", fix)
    : ConfigSchema.parse({});
  const expectation = await loadDocument(join(dir, "scenario.yaml"), ScenarioSchema, "Scenario expectation", fix);
  return { name, dir, snapshot, config, expectation };
}

function resourceIdsOf(finding: { resources: { id: string }[] }): Set<string> {
  return new Set(finding.resources.map((r) => r.id));
}

/** More severe than `ceiling` (critical is above high). */
function above(severity: Severity, ceiling: Severity): boolean {
  return severityRank(severity) < severityRank(ceiling);
}

/** Evidence a detection rule contributed (pricing notes and the like do not count). */
function hasRuleEvidence(finding: Finding): boolean {
  return finding.evidence.some((e) => finding.rules.includes(e.ruleId));
}

function describe(finding: Finding): string {
  return `finding ${finding.id} (${finding.severity}, rules ${finding.rules.join(", ") || "none"})`;
}

/** Why `finding` does not satisfy `expectation`, or null when it does. */
function shortfall(finding: Finding, expectation: z.infer<typeof ExpectationSchema>): string | null {
  const reasons: string[] = [];
  if (!atLeast(finding.severity, expectation.minSeverity)) reasons.push(`severity below ${expectation.minSeverity}`);
  const missing = expectation.rules.filter((rule) => !finding.rules.includes(rule));
  if (missing.length > 0) reasons.push(`missing rules ${missing.join(", ")}`);
  if (!hasRuleEvidence(finding)) reasons.push("no evidence from its rules");
  return reasons.length > 0 ? reasons.join("; ") : null;
}

/**
 * Judges a report against a scenario's expected verdict. Every failure is one readable sentence,
 * naming the resource, what was expected and what the report said instead.
 */
export function checkVerdict(report: AuditReport, expectation: ScenarioExpectation): VerdictResult {
  const failures: string[] = [];
  const findings = report.findings;

  for (const error of report.ruleErrors) failures.push(`rule ${error.ruleId} threw: ${error.message}`);

  if (expectation.verdict === "mining" && !findings.some((f) => atLeast(f.severity, "high"))) {
    failures.push(
      `verdict mining: expected a finding at high or above, worst is ${report.summary.worstSeverity ?? "none"}`,
    );
  }
  if (expectation.verdict === "clean") {
    for (const f of findings.filter((f) => atLeast(f.severity, "medium"))) {
      failures.push(`verdict clean: ${describe(f)} "${f.title}" is medium or worse`);
    }
  }

  expectation.expect.forEach((expected, index) => {
    const label = `expect[${index}]`;
    for (const id of expected.resources) {
      const candidates = findings.filter((f) => resourceIdsOf(f).has(id));
      if (candidates.length === 0) {
        const suppressed = report.suppressed.find((s) => s.resources.some((r) => r.id === id));
        failures.push(
          suppressed
            ? `${label}: ${id} is only in suppressed finding ${suppressed.id} (allowlist: "${suppressed.reason}")`
            : `${label}: ${id} is in no finding (expected ${expected.minSeverity} or worse)`,
        );
        continue;
      }
      if (candidates.some((f) => shortfall(f, expected) === null)) continue;
      const why = candidates.map((f) => `${describe(f)}: ${shortfall(f, expected)}`).join(" | ");
      failures.push(`${label}: ${id} is reported, but not as expected: ${why}`);
    }
    if (expected.sameFinding) {
      const holdingAll = findings.filter((f) => {
        const ids = resourceIdsOf(f);
        return expected.resources.every((id) => ids.has(id));
      });
      if (holdingAll.length === 0) {
        const spread = new Set(
          expected.resources.flatMap((id) => findings.filter((f) => resourceIdsOf(f).has(id)).map((f) => f.id)),
        );
        failures.push(
          `${label}: expected all ${expected.resources.length} resources in one finding; they are spread over ${spread.size} finding(s)${spread.size > 0 ? ` (${[...spread].join(", ")})` : ""}`,
        );
      }
      // A finding that holds them all but falls short is already reported per resource above.
    }
  });

  expectation.quiet.forEach((quiet, index) => {
    for (const id of quiet.resources) {
      for (const f of findings.filter((f) => resourceIdsOf(f).has(id) && above(f.severity, quiet.maxSeverity))) {
        failures.push(
          `quiet[${index}]: ${id} should be at most ${quiet.maxSeverity} but is in ${describe(f)} "${f.title}"`,
        );
      }
    }
  });

  expectation.suppressed.forEach((expected, index) => {
    for (const id of expected.resources) {
      const entries = report.suppressed.filter((s) => s.resources.some((r) => r.id === id));
      if (entries.length === 0) {
        failures.push(`suppressed[${index}]: ${id} is not in any suppressed finding`);
      } else if (expected.reason && !entries.some((s) => s.reason.includes(expected.reason ?? ""))) {
        failures.push(
          `suppressed[${index}]: ${id} is suppressed with reason "${entries.map((s) => s.reason).join('", "')}", expected "${expected.reason}"`,
        );
      }
    }
  });

  expectation.nearMisses.forEach((expected, index) => {
    for (const id of expected.resources) {
      const ofResource = report.nearMisses.filter((m) => m.resource.endsWith(`:${id}`));
      if (ofResource.some((m) => m.ruleId === expected.rule)) continue;
      const listed = ofResource.map((m) => m.ruleId);
      failures.push(
        `nearMisses[${index}]: ${id} has no near-miss from ${expected.rule}${listed.length > 0 ? ` (only from ${listed.join(", ")})` : ""}`,
      );
    }
  });

  return { pass: failures.length === 0, failures };
}
