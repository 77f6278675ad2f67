import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { auditSnapshot, summarizeCoverage } from "../../lambda/core/audit.js";
import { type ConfigInput, ConfigSchema } from "../../lambda/core/config.js";
import type { AccountSnapshot, CoverageEntry } from "../../lambda/core/snapshot.js";
import { TOOL_VERSION } from "../../lambda/core/version.js";
import { AuditReportSchema } from "../../lambda/report/model.js";
import type { Rule, Severity } from "../../lambda/rules/types.js";
import {
  buildSnapshot,
  DEFAULT_REGIONS,
  daysAgo,
  fleet,
  instance,
  minutesAgo,
  WINDOW_END,
} from "../support/snapshot-builder.js";

const GENERATED_AT = new Date("2026-03-10T06:05:00Z");

/** Every enabled region's inventory read in full, as a clean live collection records it. */
function fullCoverage(except: CoverageEntry[] = []): CoverageEntry[] {
  const overridden = new Set(except.map((e) => `${e.region}/${e.service}/${e.api}`));
  const ok: CoverageEntry[] = DEFAULT_REGIONS.filter((r) => r.optInStatus !== "not-opted-in")
    .map((r) => ({ region: r.name, service: "ec2", api: "DescribeInstances", status: "ok" as const }))
    .filter((e) => !overridden.has(`${e.region}/${e.service}/${e.api}`));
  return [...ok, ...except];
}

function config(input: ConfigInput = {}) {
  return ConfigSchema.parse(input);
}

/** A rule that flags the given instances, for tests that are about the pipeline, not a rule. */
function flagRule(id: string, severity: Severity, instanceIds: string[]): Rule {
  return {
    id,
    title: id,
    severity,
    category: "behaviour",
    rationale: "test",
    recommendation: "test",
    evaluate: (snapshot) =>
      snapshot.instances
        .filter((i) => instanceIds.includes(i.instanceId))
        .map((i) => ({
          ruleId: id,
          resource: { type: "ec2-instance", id: i.instanceId, region: i.region },
          severity,
          message: `${id} flagged ${i.instanceId}`,
        })),
  };
}

/** An intruder's instances carry none of the account's instance profiles (the fixture's default is web-app). */
const NO_PROFILE = { iamInstanceProfileArn: undefined };

/** Nine p3.16xlarge launched within minutes over three regions the account never used. */
function leakedKeySnapshot(): AccountSnapshot {
  return buildSnapshot({
    instances: [
      instance({ launchTime: daysAgo(90) }),
      ...fleet(
        3,
        { region: "sa-east-1", instanceType: "p3.16xlarge", launchTime: minutesAgo(180), tags: {}, ...NO_PROFILE },
        { firstIndex: 1, spacingMinutes: 1 },
      ),
      ...fleet(
        3,
        { region: "ap-south-1", instanceType: "p3.16xlarge", launchTime: minutesAgo(177), tags: {}, ...NO_PROFILE },
        { firstIndex: 4, spacingMinutes: 1 },
      ),
      ...fleet(
        3,
        { region: "eu-north-1", instanceType: "p3.16xlarge", launchTime: minutesAgo(174), tags: {}, ...NO_PROFILE },
        { firstIndex: 7, spacingMinutes: 1 },
      ),
    ],
    coverage: fullCoverage(),
  });
}

describe("auditSnapshot with the registered rules", () => {
  it("turns a leaked-key wave over three unused regions into one critical, priced finding", () => {
    const report = auditSnapshot(leakedKeySnapshot(), config(), { generatedAt: GENERATED_AT });
    expect(AuditReportSchema.safeParse(report).success).toBe(true);
    expect(report.ruleErrors).toEqual([]);
    const mining = report.findings.filter((f) => f.resources.some((r) => r.instanceType === "p3.16xlarge"));
    expect(mining).toHaveLength(1);
    const [finding] = mining;
    expect(finding?.severity).toBe("critical");
    expect(finding?.regions).toEqual(["ap-south-1", "eu-north-1", "sa-east-1"]);
    expect(finding?.title).toBe("Likely leaked-key mining: 9 GPU instances in 3 unused regions");
    expect(finding?.rules).toEqual(expect.arrayContaining(["MW-EC2-UNUSED-REGION", "MW-EC2-LAUNCH-WAVE"]));
    // 3 x 24.48 x (1.5 + 1.2 + 1.1) per hour, each running about three hours.
    expect(finding?.estimatedHourlyCostUsd).toBeCloseTo(3 * 24.48 * 3.8, 1);
    expect(finding?.estimatedCostSoFarUsd).toBeGreaterThan(3 * 24.48 * 3.8 * 2.9);
    expect(finding?.evidence.find((e) => e.ruleId === "pricing")?.message).toMatch(
      /hours since each running instance's launch/,
    );
    expect(finding?.containment[0]?.command).toContain("aws cloudtrail lookup-events");
    expect(report.summary.worstSeverity).toBe("critical");
    expect(report.findings[0]?.id).toBe(finding?.id);
    expect(report.summary.estimatedHourlyCostUsd).toBeGreaterThanOrEqual(finding?.estimatedHourlyCostUsd ?? 0);
  });

  it("is deterministic: the same snapshot gives the same report and ids", () => {
    const snapshot = leakedKeySnapshot();
    const first = auditSnapshot(snapshot, config(), { generatedAt: GENERATED_AT });
    const reordered = { ...snapshot, instances: [...snapshot.instances].reverse() };
    const second = auditSnapshot(reordered, config(), { generatedAt: new Date("2026-03-11T06:05:00Z") });
    expect(second.findings.map((f) => f.id)).toEqual(first.findings.map((f) => f.id));
    expect({ ...second, generatedAt: "" }).toEqual({ ...first, generatedAt: "" });
  });

  it("reports a quiet, fully covered account with no findings and complete coverage", () => {
    const snapshot = buildSnapshot({ instances: [instance({ launchTime: daysAgo(90) })], coverage: fullCoverage() });
    const report = auditSnapshot(snapshot, config(), { generatedAt: GENERATED_AT });
    expect(report.findings).toEqual([]);
    expect(report.summary.worstSeverity).toBeNull();
    expect(report.coverage.complete).toBe(true);
    expect(report.coverage.regionsAudited).toHaveLength(14);
    expect(report.coverage.regionsNotAudited.map((r) => r.region)).toEqual(["af-south-1", "me-south-1"]);
  });
});

describe("auditSnapshot pipeline", () => {
  const snapshot = buildSnapshot({
    instances: [
      instance({
        instanceId: "i-0000000000000000a",
        region: "us-east-1",
        instanceType: "p4d.24xlarge",
        tags: { team: "ml" },
      }),
      instance({ instanceId: "i-0000000000000000b", region: "us-east-1", instanceType: "c5.4xlarge", tags: {} }),
      instance({ instanceId: "i-0000000000000000c", region: "us-east-1", instanceType: "t3.micro", tags: {} }),
    ],
    coverage: fullCoverage(),
  });
  const rules = [
    flagRule("MW-TEST-HIGH", "high", ["i-0000000000000000a", "i-0000000000000000b"]),
    flagRule("MW-TEST-LOW", "low", ["i-0000000000000000c"]),
  ];

  it("sorts findings most severe first, then by cost", () => {
    const report = auditSnapshot(snapshot, config(), { generatedAt: GENERATED_AT, rules });
    expect(report.findings.map((f) => [f.severity, f.resources[0]?.id])).toEqual([
      ["high", "i-0000000000000000a"],
      ["high", "i-0000000000000000b"],
      ["low", "i-0000000000000000c"],
    ]);
    expect(report.summary.bySeverity).toEqual({ critical: 0, high: 2, medium: 0, low: 1, info: 0 });
    expect(report.summary.findings).toBe(3);
  });

  it("counts suppressed findings with the entry's reason and index, never dropping them", () => {
    const report = auditSnapshot(
      snapshot,
      config({
        allowlist: [
          { reason: "CI runners", tag: { key: "ci" } },
          { reason: "Nightly ML training", tag: { key: "team", value: "ml" }, expires: "2026-12-31" },
        ],
      }),
      { generatedAt: GENERATED_AT, rules },
    );
    expect(report.findings.map((f) => f.resources[0]?.id)).not.toContain("i-0000000000000000a");
    expect(report.summary.suppressed).toBe(1);
    expect(report.suppressed).toEqual([
      expect.objectContaining({
        severity: "high",
        reason: "Nightly ML training",
        allowlistIndex: 1,
        expires: "2026-12-31",
        rules: ["MW-TEST-HIGH"],
        resources: [expect.objectContaining({ id: "i-0000000000000000a", instanceType: "p4d.24xlarge" })],
      }),
    ]);
  });

  it("lists an expired entry and keeps its finding active", () => {
    const report = auditSnapshot(
      snapshot,
      config({ allowlist: [{ reason: "Q4 ML experiment", instanceFamily: "p4d", expires: "2026-01-31" }] }),
      { generatedAt: GENERATED_AT, rules },
    );
    expect(report.suppressed).toEqual([]);
    expect(report.expiredAllowlistEntries).toEqual([
      { allowlistIndex: 0, reason: "Q4 ML experiment", expires: "2026-01-31" },
    ]);
    expect(report.findings.map((f) => f.resources[0]?.id)).toContain("i-0000000000000000a");
  });

  it("reports a rule that throws as a rule error, not as a pass", () => {
    const broken: Rule = {
      ...flagRule("MW-TEST-BROKEN", "high", []),
      evaluate: () => {
        throw new Error("series too short");
      },
    };
    const report = auditSnapshot(snapshot, config(), { generatedAt: GENERATED_AT, rules: [broken] });
    expect(report.ruleErrors).toEqual([{ ruleId: "MW-TEST-BROKEN", message: "series too short" }]);
    expect(report.findings).toEqual([]);
  });

  it("stamps the tool version from one place, equal to package.json, and the pricing source", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(TOOL_VERSION).toBe(pkg.version);
    const report = auditSnapshot(snapshot, config(), { generatedAt: GENERATED_AT, rules });
    expect(report.tool).toEqual({ name: "minewatch", version: pkg.version });
    expect(report.generatedAt).toBe(GENERATED_AT.toISOString());
    expect(report.window.end).toBe(WINDOW_END);
    expect(report.pricing.asOf).toMatch(/^\d{4}-\d{2}$/);
    expect(report.limits.join(" ")).toMatch(/CloudWatch agent/);
    expect(report.limits.join(" ")).toMatch(/90 days/);
    expect(report.limits.join(" ")).toMatch(/up to a day/);
    expect(report.limits.join(" ")).toMatch(/private pool/);
  });
});

describe("auditSnapshot at scale", () => {
  it("audits 3,000 flagged instances into one finding with per-region commands, quickly", () => {
    const regions = ["sa-east-1", "ap-south-1", "eu-north-1"];
    const snapshot = buildSnapshot({
      instances: regions.flatMap((region, r) =>
        fleet(
          1000,
          { region, instanceType: "c5a.24xlarge", launchTime: minutesAgo(120), tags: {} },
          { firstIndex: 1 + r * 1000 },
        ),
      ),
      coverage: fullCoverage(),
    });
    const started = performance.now();
    const report = auditSnapshot(snapshot, config(), {
      generatedAt: GENERATED_AT,
      rules: [
        flagRule(
          "MW-EC2-UNUSED-REGION",
          "high",
          snapshot.instances.map((i) => i.instanceId),
        ),
      ],
    });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(report.findings).toHaveLength(1);
    const stop = report.findings[0]?.containment.find((s) => s.command.includes("stop-instances"))?.command ?? "";
    expect(stop.match(/aws ec2 stop-instances/g)).toHaveLength(3);
  });
});

describe("summarizeCoverage", () => {
  it("lists regions not audited with the reason, and counts every non-ok entry as a gap", () => {
    const denied: CoverageEntry = {
      region: "us-west-1",
      service: "ec2",
      api: "DescribeInstances",
      status: "failed",
      reason: "access-denied",
      message: "UnauthorizedOperation: not allowed",
    };
    const gpu: CoverageEntry = {
      region: "us-east-1",
      service: "cloudwatch",
      api: "gpu-metrics",
      status: "skipped",
      reason: "agent-missing",
    };
    const coverage = summarizeCoverage(buildSnapshot({ coverage: fullCoverage([denied, gpu]) }));
    expect(coverage.complete).toBe(false);
    expect(coverage.regionsAudited).not.toContain("us-west-1");
    expect(coverage.regionsNotAudited).toContainEqual({
      region: "us-west-1",
      reason: "EC2 inventory failed (access-denied: UnauthorizedOperation: not allowed)",
    });
    expect(coverage.gaps).toEqual([denied, gpu]);
  });

  it("treats an enabled region with no record as not audited, and not-opted-in gaps as harmless", () => {
    const notOptedIn: CoverageEntry = {
      region: "af-south-1",
      service: "ec2",
      api: "DescribeInstances",
      status: "skipped",
      reason: "not-opted-in",
    };
    expect(summarizeCoverage(buildSnapshot({ coverage: fullCoverage([notOptedIn]) })).complete).toBe(true);
    const missing = fullCoverage().filter((e) => e.region !== "eu-north-1");
    const coverage = summarizeCoverage(buildSnapshot({ coverage: missing }));
    expect(coverage.complete).toBe(false);
    expect(coverage.regionsNotAudited).toContainEqual({
      region: "eu-north-1",
      reason: "EC2 inventory not read (no coverage record)",
    });
  });
});
