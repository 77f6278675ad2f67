/** Focusing an incident run on a key or principal keeps its findings and the unattributed ones. */
import { describe, expect, it } from "vitest";
import { describeFocus, focusReport } from "../../lambda/report/focus.js";
import type { Attribution, AuditReport, Finding } from "../../lambda/report/model.js";

const LEAKED = "AKIA4CIDEPLOYLEAK7Q2";
const CI_DEPLOY = "arn:aws:iam::123456789012:user/ci-deploy";

function attribution(principalArn: string, accessKeyIds: string[]): Attribution {
  return { principalType: "IAMUser", principalArn, accessKeyIds, sourceIps: [], userAgents: [], events: [] };
}

function finding(id: string, severity: Finding["severity"], cost: number, attributions?: Attribution[]): Finding {
  return {
    id,
    severity,
    confidence: 0.9,
    title: id,
    summary: id,
    accountId: "123456789012",
    region: "us-east-2",
    regions: ["us-east-2"],
    resources: [{ type: "ec2-instance", id: `i-0${id.padEnd(16, "0")}`, region: "us-east-2" }],
    rules: ["MW-EC2-UNUSED-REGION"],
    evidence: [],
    estimatedHourlyCostUsd: cost,
    estimatedCostSoFarUsd: null,
    containment: [],
    ...(attributions ? { attribution: attributions } : {}),
  };
}

function report(findings: Finding[]): AuditReport {
  return {
    schemaVersion: 1,
    tool: { name: "minewatch", version: "0.1.0" },
    generatedAt: "2026-11-24T06:00:00.000Z",
    accountId: "123456789012",
    window: { start: "2026-11-23T06:00:00.000Z", end: "2026-11-24T06:00:00.000Z" },
    summary: {
      findings: findings.length,
      bySeverity: { critical: 1, high: 2, medium: 0, low: 0, info: 0 },
      worstSeverity: "critical",
      estimatedHourlyCostUsd: 60,
      suppressed: 1,
      coverageComplete: true,
    },
    findings,
    suppressed: [],
    nearMisses: [],
    nearMissesNotListed: 0,
    expiredAllowlistEntries: [],
    coverage: { complete: true, regionsAudited: ["us-east-2"], regionsNotAudited: [], gaps: [] },
    ruleErrors: [],
    pricing: { source: "test", asOf: "2026-10" },
    limits: [],
  };
}

const full = report([
  finding("leaked", "critical", 50, [attribution(CI_DEPLOY, [LEAKED])]),
  finding("tesla", "high", 0),
  finding("other", "high", 10, [attribution("arn:aws:iam::123456789012:user/someone-else", ["AKIAOTHERKEY00000001"])]),
]);

describe("focusReport", () => {
  it.each([
    ["an access key", { accessKeyId: LEAKED }],
    ["a principal ARN", { principal: CI_DEPLOY }],
    ["a principal prefix", { principal: "arn:aws:iam::123456789012:user/ci-" }],
  ])("keeps what %s launched and what nobody is known to have launched", (_, focus) => {
    const focused = focusReport(full, focus);
    expect(focused.report.findings.map((f) => f.id)).toEqual(["leaked", "tesla"]);
    expect(focused).toMatchObject({ attributed: 1, unattributed: 1, setAside: 1 });
    expect(focused.report.summary).toMatchObject({
      findings: 2,
      bySeverity: { critical: 1, high: 1, medium: 0, low: 0, info: 0 },
      worstSeverity: "critical",
      estimatedHourlyCostUsd: 50,
      suppressed: 1,
    });
    expect(describeFocus(focus, focused)).toMatch(
      /1 finding\(s\) attributed .* 1 with no attribution .* 1 attributed only to other principals set aside/,
    );
  });

  it("leaves the report whole without a key or principal", () => {
    expect(focusReport(full, {}).report).toBe(full);
  });

  it("sets aside everything attributed elsewhere when the key launched nothing", () => {
    const focused = focusReport(full, { accessKeyId: "AKIANOTHINGLAUNCHED1" });
    expect(focused.report.findings.map((f) => f.id)).toEqual(["tesla"]);
    expect(focused.setAside).toBe(2);
  });
});
