/**
 * Near-misses in every human output: the table and the daily email list the closest few and say
 * where the rest are; Markdown lists all the report holds; the hourly sweep leaves them out.
 */
import { describe, expect, it } from "vitest";
import { renderEmail } from "../../lambda/report/email.js";
import type { AuditReport, NearMissEntry } from "../../lambda/report/model.js";
import { renderReport } from "../../lambda/report/render.js";
import { everythingNew } from "../../lambda/state/diff.js";
import { ACCOUNT_ID, syntheticFinding, syntheticReport } from "../handlers/fixtures.js";

const CONTEXT = {
  accountId: ACCOUNT_ID,
  reportLocation: "s3://minewatch-reports/reports/123456789012/2026/03/10/run.report.json",
  consoleRegion: "eu-west-1",
};

function nearMiss(n: number, overrides: Partial<NearMissEntry> = {}): NearMissEntry {
  return {
    ruleId: "MW-CPU-SUSTAINED-HIGH",
    resource: `ec2-instance:i-0near${String(n).padStart(12, "0")}`,
    region: "eu-west-1",
    message: `CPU at or above 90 % for ${n} h in a row: short of the 6 h the rule needs (thresholds.highCpuMinHours).`,
    closeness: 0.5,
    ...overrides,
  };
}

function withNearMisses(count: number, notListed = 0): AuditReport {
  const finding = syntheticFinding(1, "high", "eu-west-1");
  const misses = Array.from({ length: count }, (_, k) => nearMiss(k + 1));
  if (count > 0) misses[0] = { ...nearMiss(1), findingId: finding.id };
  return syntheticReport([finding], { nearMisses: misses, nearMissesNotListed: notListed });
}

describe("near-misses in the table and Markdown", () => {
  it("the table names rule, resource, region and finding, with the rule's sentence", () => {
    const text = renderReport(withNearMisses(2), "table");
    expect(text).toContain("Near misses (2). Rules that came close and held back.");
    expect(text).toContain(
      "  - MW-CPU-SUSTAINED-HIGH on i-0near000000000001 (eu-west-1), part of finding mw-000000000001: CPU at or above 90 % for 1 h in a row",
    );
    expect(text).toContain(
      "  - MW-CPU-SUSTAINED-HIGH on i-0near000000000002 (eu-west-1): CPU at or above 90 % for 2 h",
    );
  });

  it("the table shows ten and says where the rest are; Markdown lists every one the report holds", () => {
    const report = withNearMisses(14, 5);
    const table = renderReport(report, "table");
    expect(table).toContain("Near misses (19).");
    expect(table).toContain("i-0near000000000010");
    expect(table).not.toContain("i-0near000000000011");
    expect(table).toContain("and 4 more (see --format markdown or json); 5 further ones counted but not listed");
    const markdown = renderReport(report, "markdown");
    expect(markdown).toContain("## Near misses (19)");
    expect(markdown).toContain("- MW-CPU-SUSTAINED-HIGH on i-0near000000000014 (eu-west-1)");
    expect(markdown).toContain("- and 5 further ones counted but not listed");
  });

  it("says nothing about near-misses when there are none", () => {
    expect(renderReport(withNearMisses(0), "table")).not.toContain("Near misses");
    expect(renderReport(withNearMisses(0), "markdown")).not.toContain("Near misses");
  });

  it("names a spend resource without a region", () => {
    const report = syntheticReport([], {
      nearMisses: [
        nearMiss(1, { ruleId: "MW-COST-NEW-SPEND", resource: "service-spend:AWS Lambda", region: "global" }),
      ],
    });
    expect(renderReport(report, "table")).toContain("  - MW-COST-NEW-SPEND on AWS Lambda: ");
  });
});

describe("near-misses in the email", () => {
  it("the daily email lists them after the suppressed findings; the sweep leaves them out", () => {
    const report = withNearMisses(3);
    const diff = everythingNew(report.findings);
    const daily = renderEmail(report, diff, CONTEXT).body;
    expect(daily).toContain("NEAR MISSES (3)");
    expect(daily).toContain("- MW-CPU-SUSTAINED-HIGH on i-0near000000000003 (eu-west-1)");
    expect(daily.indexOf("NEAR MISSES")).toBeLessThan(daily.indexOf("COVERAGE:"));
    const sweep = renderEmail(report, diff, { ...CONTEXT, mode: "sweep" as const }).body;
    expect(sweep).not.toContain("NEAR MISSES");
  });

  it("lists the closest ten and points at the full report for the rest", () => {
    const report = withNearMisses(12);
    const body = renderEmail(report, everythingNew(report.findings), CONTEXT).body;
    expect(body).toContain("i-0near000000000010");
    expect(body).not.toContain("i-0near000000000011");
    expect(body).toContain("and 2 more in the full report.");
  });
});
