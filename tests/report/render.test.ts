import { describe, expect, it } from "vitest";
import { auditSnapshot } from "../../lambda/core/audit.js";
import { ConfigSchema } from "../../lambda/core/config.js";
import type { AccountSnapshot, CoverageEntry } from "../../lambda/core/snapshot.js";
import { type AuditReport, AuditReportSchema } from "../../lambda/report/model.js";
import { quietVerdict, renderReport } from "../../lambda/report/render.js";
import type { Rule } from "../../lambda/rules/types.js";
import { buildSnapshot, DEFAULT_REGIONS, daysAgo, fleet, instance, minutesAgo } from "../support/snapshot-builder.js";

const GENERATED_AT = new Date("2026-03-10T06:05:00Z");

function okCoverage(skipRegion?: string): CoverageEntry[] {
  return DEFAULT_REGIONS.filter((r) => r.optInStatus !== "not-opted-in" && r.name !== skipRegion).map((r) => ({
    region: r.name,
    service: "ec2",
    api: "DescribeInstances",
    status: "ok" as const,
  }));
}

const denied: CoverageEntry = {
  region: "us-west-1",
  service: "ec2",
  api: "DescribeInstances",
  status: "failed",
  reason: "access-denied",
  message: "UnauthorizedOperation: You are not authorized",
};

/** No rules at all: the report is about coverage alone. */
function quietReport(snapshot: AccountSnapshot): AuditReport {
  return auditSnapshot(snapshot, ConfigSchema.parse({}), { generatedAt: GENERATED_AT, rules: [] });
}

const flagAll: Rule = {
  id: "MW-EC2-UNUSED-REGION",
  title: "test",
  severity: "high",
  category: "behaviour",
  rationale: "test",
  recommendation: "test",
  evaluate: (snapshot) =>
    snapshot.instances
      .filter((i) => i.region !== "eu-west-1")
      .map((i) => ({
        ruleId: "MW-EC2-UNUSED-REGION",
        resource: { type: "ec2-instance", id: i.instanceId, region: i.region },
        severity: "high" as const,
        message: `flagged ${i.instanceId}`,
      })),
};
const broken: Rule = {
  ...flagAll,
  id: "MW-TEST-BROKEN",
  evaluate: () => {
    throw new Error("boom");
  },
};

function busyReport(): AuditReport {
  const snapshot = buildSnapshot({
    instances: [
      instance({ launchTime: daysAgo(90) }),
      ...fleet(14, {
        region: "sa-east-1",
        instanceType: "c5a.24xlarge",
        autoScalingGroup: "asg-x",
        launchTime: minutesAgo(90),
      }),
      instance({
        instanceId: "i-0000000000000000a",
        region: "us-east-1",
        instanceType: "p4d.24xlarge",
        tags: { team: "ml" },
      }),
    ],
    coverage: [...okCoverage("us-west-1"), denied],
  });
  const config = ConfigSchema.parse({
    allowlist: [
      { reason: "Nightly ML training by the platform team", tag: { key: "team", value: "ml" }, expires: "2026-12-31" },
      { reason: "Old load test", instanceFamily: "m5", expires: "2025-12-31" },
    ],
  });
  return auditSnapshot(snapshot, config, { generatedAt: GENERATED_AT, rules: [flagAll, broken] });
}

describe("renderReport: a quiet account", () => {
  it("never says 'no mining found' when coverage is incomplete, and names the gaps", () => {
    const report = quietReport(buildSnapshot({ coverage: [...okCoverage("us-west-1"), denied] }));
    expect(report.coverage.complete).toBe(false);
    for (const format of ["table", "markdown"] as const) {
      const text = renderReport(report, format);
      expect(text, format).not.toMatch(/no mining found/i);
      expect(text, format).toContain("No findings in what was audited; 1 gap (see coverage).");
      expect(text, format).toContain(
        "us-west-1: EC2 inventory failed (access-denied: UnauthorizedOperation: You are not authorized)",
      );
      expect(text, format).toMatch(/INCOMPLETE \(1 gap\)/);
    }
  });

  it("counts an enabled region with no record as a gap too", () => {
    const report = quietReport(buildSnapshot({ coverage: okCoverage("eu-north-1") }));
    expect(quietVerdict(report)).toBe("No findings in what was audited; 1 gap (see coverage).");
  });

  it("says the coverage was complete only when it was, and still points at the limits", () => {
    const report = quietReport(buildSnapshot({ coverage: okCoverage() }));
    const text = renderReport(report, "table");
    expect(text).toContain("No findings. Every enabled region and API was read in full");
    expect(text).toContain("Limits:");
    expect(text).toContain("af-south-1, me-south-1: not opted in");
  });
});

describe("renderReport: findings", () => {
  const report = busyReport();

  it("prints a header with account, window, worst severity, counts and cost", () => {
    const [first, second] = renderReport(report, "table").split("\n");
    expect(first).toContain("account 123456789012");
    expect(first).toContain(`window ${report.window.start} .. ${report.window.end}`);
    expect(second).toMatch(
      /^Worst: HIGH \| 1 finding \(1 high\) \| 1 suppressed \| est\. \$\d[\d,.]*\/h \| coverage INCOMPLETE \(1 gap\)$/,
    );
  });

  it("prints each finding with regions, capped resources, why, cost and first containment steps", () => {
    const text = renderReport(report, "table");
    const [finding] = report.findings;
    expect(text).toContain(`[HIGH] 1. ${finding?.title}`);
    expect(text).toContain("Regions:    sa-east-1");
    expect(text).toContain("and 4 more");
    expect(text).toMatch(/MW-EC2-UNUSED-REGION \[high\] 14 resources, e\.g\. ec2-instance:i-/);
    expect(text).toMatch(/Cost: {7}est\. \$\d[\d,.]*\/h, about \$[\d,.]+ so far \(estimate\)/);
    expect(text).toContain("$ aws cloudtrail lookup-events --region sa-east-1");
    expect(text).toContain("Suppressed by allowlist: 1");
    expect(text).toContain('allowlist #0 "Nightly ML training by the platform team", expires 2026-12-31');
    expect(text).toContain('#1 "Old load test" expired 2025-12-31');
    expect(text).toContain("Rule errors (1)");
    expect(text).toContain("MW-TEST-BROKEN: boom");
    expect(text).not.toContain("\u001b[");
  });

  it("adds ANSI colour only when asked", () => {
    expect(renderReport(report, "table", { color: true })).toContain("\u001b[31m[HIGH]");
  });

  it("renders GitHub Markdown with a summary table, sections and bash blocks", () => {
    const md = renderReport(report, "markdown");
    expect(md).toMatch(/^# Minewatch audit: account 123456789012\n/);
    expect(md).toContain("| # | Severity | Finding | Regions | Resources | Est. $/h | Id |");
    expect(md).toContain(`| 1 | high | ${report.findings[0]?.title} | sa-east-1 | 14 |`);
    expect(md).toContain(`### 1. [HIGH] ${report.findings[0]?.title}`);
    expect(md).toMatch(/```bash\naws cloudtrail lookup-events --region sa-east-1 /);
    expect(md).toContain(
      "aws autoscaling update-auto-scaling-group --region sa-east-1 --auto-scaling-group-name asg-x",
    );
    expect(md).toContain("## Suppressed by allowlist (1)");
    expect(md).toContain("## Coverage: INCOMPLETE (1 gap)");
    expect(md).toContain("| us-west-1 | ec2:DescribeInstances | failed | access-denied |");
    expect(md).toContain("## Rule errors (1)");
    expect(md).toContain("## Limits");
    // Every fence is closed.
    expect((md.match(/^```/gm) ?? []).length % 2).toBe(0);
  });

  it("prints JSON that round-trips and validates against the report schema", () => {
    const parsed: unknown = JSON.parse(renderReport(report, "json"));
    expect(AuditReportSchema.parse(parsed)).toEqual(report);
  });
});
