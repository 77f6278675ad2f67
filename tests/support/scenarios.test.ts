/**
 * checkVerdict is the judge of every scenario test and of the detection benchmark: it must fail
 * reports that miss, under-rate, split or over-report, and say precisely why.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserInputError } from "../../lambda/core/input.js";
import {
  type AuditReport,
  AuditReportSchema,
  type Finding,
  type SuppressedFinding,
} from "../../lambda/report/model.js";
import { SEVERITIES, type Severity } from "../../lambda/rules/types.js";
import { checkVerdict, listScenarios, loadScenario, type ScenarioExpectation, ScenarioSchema } from "./scenarios.js";

const MINER_A = "i-0aaaaaaaaaaaaaaa1";
const MINER_B = "i-0aaaaaaaaaaaaaaa2";
const WEB = "i-0bbbbbbbbbbbbbbb1";
const ML = "i-0ccccccccccccccc1";

function finding(id: string, severity: Severity, resourceIds: string[], rules: string[], withEvidence = true): Finding {
  return {
    id,
    severity,
    confidence: 0.8,
    title: `finding ${id}`,
    summary: "hand-made",
    accountId: "123456789012",
    region: "us-east-2",
    regions: ["us-east-2"],
    resources: resourceIds.map((r) => ({ type: "ec2-instance", id: r, region: "us-east-2" })),
    rules,
    evidence: [
      ...(withEvidence
        ? rules.map((ruleId) => ({ ruleId, severity, resource: `ec2-instance:${resourceIds[0]}`, message: "seen" }))
        : []),
      { ruleId: "pricing", severity: "info" as const, resource: `finding:${id}`, message: "estimate" },
    ],
    estimatedHourlyCostUsd: 10,
    estimatedCostSoFarUsd: 100,
    containment: [],
  };
}

function suppressed(resourceIds: string[], reason: string): SuppressedFinding {
  return {
    id: "mw-suppressed",
    severity: "high",
    title: "GPU training",
    region: "eu-west-1",
    resources: resourceIds.map((id) => ({ type: "ec2-instance", id, region: "eu-west-1" })),
    rules: ["MW-EC2-UNUSUAL-TYPE"],
    reason,
    allowlistIndex: 0,
  };
}

function report(
  findings: Finding[],
  extra: {
    suppressed?: SuppressedFinding[];
    ruleErrors?: AuditReport["ruleErrors"];
    nearMisses?: AuditReport["nearMisses"];
  } = {},
): AuditReport {
  return AuditReportSchema.parse({
    schemaVersion: 1,
    tool: { name: "minewatch", version: "0.0.0-test" },
    generatedAt: "2026-11-24T06:05:00.000Z",
    accountId: "123456789012",
    window: { start: "2026-11-23T06:00:00.000Z", end: "2026-11-24T06:00:00.000Z" },
    summary: {
      findings: findings.length,
      bySeverity: Object.fromEntries(
        SEVERITIES.map((severity) => [severity, findings.filter((f) => f.severity === severity).length]),
      ),
      worstSeverity: findings[0]?.severity ?? null,
      estimatedHourlyCostUsd: 0,
      suppressed: extra.suppressed?.length ?? 0,
      coverageComplete: true,
    },
    findings,
    suppressed: extra.suppressed ?? [],
    nearMisses: extra.nearMisses ?? [],
    nearMissesNotListed: 0,
    expiredAllowlistEntries: [],
    coverage: { complete: true, regionsAudited: ["us-east-2"], regionsNotAudited: [], gaps: [] },
    ruleErrors: extra.ruleErrors ?? [],
    pricing: { source: "test", asOf: "2026-10" },
    limits: [],
  });
}

const EXPECTATION: ScenarioExpectation = ScenarioSchema.parse({
  title: "two miners",
  story: "Two miners launched together, a web server that must stay quiet, ML allowlisted.",
  verdict: "mining",
  expect: [
    { resources: [MINER_A, MINER_B], minSeverity: "critical", rules: ["MW-EC2-UNUSED-REGION"], sameFinding: true },
  ],
  quiet: [{ resources: [WEB, ML], maxSeverity: "low" }],
  suppressed: [{ resources: [ML], reason: "Nightly model training" }],
});

const GOOD_FINDING = finding("mw-1", "critical", [MINER_A, MINER_B], ["MW-EC2-UNUSED-REGION", "MW-EC2-LAUNCH-WAVE"]);
const ML_SUPPRESSED = suppressed([ML], "Nightly model training by the ML platform team");

describe("checkVerdict", () => {
  it("passes a report that meets every expectation", () => {
    const result = checkVerdict(
      report([GOOD_FINDING, finding("mw-2", "low", [WEB], ["MW-COST-NEW-SPEND"])], { suppressed: [ML_SUPPRESSED] }),
      EXPECTATION,
    );
    expect(result).toEqual({ pass: true, failures: [] });
  });

  it.each<{ case: string; findings: Finding[]; suppressedFindings?: SuppressedFinding[]; failure: RegExp }>([
    {
      case: "an expected resource is missing",
      findings: [finding("mw-1", "critical", [MINER_A], ["MW-EC2-UNUSED-REGION"])],
      failure: new RegExp(`expect\\[0\\]: ${MINER_B} is in no finding`),
    },
    {
      case: "the finding is less severe than expected",
      findings: [finding("mw-1", "high", [MINER_A, MINER_B], ["MW-EC2-UNUSED-REGION"])],
      failure: /severity below critical/,
    },
    {
      case: "a required rule did not contribute",
      findings: [finding("mw-1", "critical", [MINER_A, MINER_B], ["MW-EC2-LAUNCH-WAVE"])],
      failure: /missing rules MW-EC2-UNUSED-REGION/,
    },
    {
      case: "one incident is split into two findings",
      findings: [
        finding("mw-1", "critical", [MINER_A], ["MW-EC2-UNUSED-REGION"]),
        finding("mw-2", "critical", [MINER_B], ["MW-EC2-UNUSED-REGION"]),
      ],
      failure: /spread over 2 finding\(s\) \(mw-1, mw-2\)/,
    },
    {
      case: "the finding carries no evidence from its rules",
      findings: [finding("mw-1", "critical", [MINER_A, MINER_B], ["MW-EC2-UNUSED-REGION"], false)],
      failure: /no evidence from its rules/,
    },
    {
      case: "a quiet resource is in a medium finding",
      findings: [GOOD_FINDING, finding("mw-2", "medium", [WEB], ["MW-CPU-SUSTAINED-HIGH"])],
      failure: new RegExp(`quiet\\[0\\]: ${WEB} should be at most low but is in finding mw-2 \\(medium`),
    },
    {
      case: "an allowlisted resource is reported instead of suppressed",
      findings: [GOOD_FINDING, finding("mw-3", "high", [ML], ["MW-EC2-UNUSUAL-TYPE"])],
      suppressedFindings: [],
      failure: new RegExp(`suppressed\\[0\\]: ${ML} is not in any suppressed finding`),
    },
    {
      case: "the suppression gives another reason",
      findings: [GOOD_FINDING],
      suppressedFindings: [suppressed([ML], "GPU benchmark")],
      failure: /suppressed with reason "GPU benchmark", expected "Nightly model training"/,
    },
    {
      case: "the expected resource is only suppressed",
      findings: [],
      suppressedFindings: [suppressed([MINER_A, MINER_B, ML], "Nightly model training")],
      failure: new RegExp(`${MINER_A} is only in suppressed finding mw-suppressed`),
    },
  ])("fails when $case", ({ findings, suppressedFindings, failure }) => {
    const result = checkVerdict(report(findings, { suppressed: suppressedFindings ?? [ML_SUPPRESSED] }), EXPECTATION);
    expect(result.pass).toBe(false);
    expect(
      result.failures.some((f) => failure.test(f)),
      result.failures.join("\n"),
    ).toBe(true);
  });

  it("fails a mining verdict whose worst finding is medium, even without per-resource expectations", () => {
    const bare = ScenarioSchema.parse({ title: "mining", story: "Something is mining here.", verdict: "mining" });
    const result = checkVerdict(report([finding("mw-1", "medium", [MINER_A], ["MW-EC2-UNUSUAL-TYPE"])]), bare);
    expect(result.failures).toEqual(["verdict mining: expected a finding at high or above, worst is medium"]);
  });

  it("fails a clean verdict with a medium finding and passes it with only low ones", () => {
    const clean = ScenarioSchema.parse({ title: "clean", story: "An ordinary account.", verdict: "clean" });
    expect(checkVerdict(report([finding("mw-1", "low", [WEB], ["MW-COST-NEW-SPEND"])]), clean).pass).toBe(true);
    const noisy = checkVerdict(report([finding("mw-1", "medium", [WEB], ["MW-CPU-SUSTAINED-HIGH"])]), clean);
    expect(noisy.pass).toBe(false);
    expect(noisy.failures[0]).toMatch(/verdict clean: finding mw-1 \(medium/);
  });

  it("fails when a rule threw, since a crash is not a pass", () => {
    const result = checkVerdict(
      report([GOOD_FINDING], {
        suppressed: [ML_SUPPRESSED],
        ruleErrors: [{ ruleId: "MW-CPU-FLAT-SHIFT", message: "boom" }],
      }),
      EXPECTATION,
    );
    expect(result.failures).toEqual(["rule MW-CPU-FLAT-SHIFT threw: boom"]);
  });

  it("checks that a rule listed the expected near-misses", () => {
    const withNearMiss = ScenarioSchema.parse({
      title: "load test",
      story: "A load test that nearly tripped the CPU rule.",
      verdict: "clean",
      nearMisses: [{ resources: [WEB], rule: "MW-CPU-SUSTAINED-HIGH" }],
    });
    const nearMiss = (ruleId: string) => ({
      ruleId,
      resource: `ec2-instance:${WEB}`,
      region: "us-east-2",
      message: "4 h of the 6 h",
      closeness: 0.67,
    });
    expect(
      checkVerdict(report([], { nearMisses: [nearMiss("MW-CPU-SUSTAINED-HIGH")] }), withNearMiss).failures,
    ).toEqual([]);
    expect(checkVerdict(report([], { nearMisses: [nearMiss("MW-CPU-FLAT-SHIFT")] }), withNearMiss).failures).toEqual([
      `nearMisses[0]: ${WEB} has no near-miss from MW-CPU-SUSTAINED-HIGH (only from MW-CPU-FLAT-SHIFT)`,
    ]);
    expect(checkVerdict(report([]), withNearMiss).failures).toEqual([
      `nearMisses[0]: ${WEB} has no near-miss from MW-CPU-SUSTAINED-HIGH`,
    ]);
  });
});

describe("ScenarioSchema", () => {
  it.each([
    ["an unknown severity", { expect: [{ resources: [MINER_A], minSeverity: "severe" }] }],
    ["an empty resource list", { quiet: [{ resources: [] }] }],
    ["a misspelt field", { expect: [{ resources: [MINER_A], minSeverity: "high", rule: ["MW-X"] }] }],
    ["an unknown verdict", { verdict: "maybe" }],
  ])("rejects %s", (_case, overrides) => {
    const result = ScenarioSchema.safeParse({ title: "t t t", story: "a story here", verdict: "mining", ...overrides });
    expect(result.success).toBe(false);
  });
});

describe("listScenarios and loadScenario", () => {
  it("lists the bundled scenarios, the demo among them", () => {
    expect(listScenarios()).toContain("demo-account");
  });

  it("lists only folders with a scenario.yaml", () => {
    const root = mkdtempSync(join(tmpdir(), "minewatch-scenarios-"));
    mkdirSync(join(root, "b-real"));
    writeFileSync(join(root, "b-real", "scenario.yaml"), "title: x\n");
    mkdirSync(join(root, "a-draft"));
    writeFileSync(join(root, "README.md"), "# not a scenario\n");
    expect(listScenarios(root)).toEqual(["b-real"]);
  });

  it("names the file and the field when scenario.yaml is wrong", async () => {
    const root = mkdtempSync(join(tmpdir(), "minewatch-scenarios-"));
    const dir = join(root, "broken");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "snapshot.json"),
      JSON.stringify({
        schemaVersion: 1,
        accountId: "123456789012",
        collectedAt: "2026-11-24T06:00:00Z",
        window: { start: "2026-11-23T06:00:00Z", end: "2026-11-24T06:00:00Z" },
        regions: [{ name: "eu-west-1", optInStatus: "opt-in-not-required" }],
      }),
    );
    writeFileSync(
      join(dir, "scenario.yaml"),
      "title: Broken\nstory: A broken scenario file.\nverdict: mining\nexpect:\n  - resources: [i-0aaaaaaaaaaaaaaa1]\n    minSeverity: severe\n",
    );
    const load = loadScenario("broken", root);
    await expect(load).rejects.toBeInstanceOf(UserInputError);
    await expect(load).rejects.toThrow(/scenario\.yaml is not valid: expect\.0\.minSeverity/);
  });

  it("uses the default config when a scenario has no config.yaml", async () => {
    const root = mkdtempSync(join(tmpdir(), "minewatch-scenarios-"));
    const dir = join(root, "minimal");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "snapshot.json"),
      JSON.stringify({
        schemaVersion: 1,
        accountId: "123456789012",
        collectedAt: "2026-11-24T06:00:00Z",
        window: { start: "2026-11-23T06:00:00Z", end: "2026-11-24T06:00:00Z" },
        regions: [{ name: "eu-west-1", optInStatus: "opt-in-not-required" }],
      }),
    );
    writeFileSync(join(dir, "scenario.yaml"), "title: Minimal\nstory: An empty, clean account.\nverdict: clean\n");
    const scenario = await loadScenario("minimal", root);
    expect(scenario.config.allowlist).toEqual([]);
    expect(scenario.config.thresholds.highCpuPercent).toBe(90);
    expect(scenario.expectation).toMatchObject({ verdict: "clean", expect: [], quiet: [], suppressed: [] });
  });
});
