/**
 * A leaked key used in the account's own region, on a family it runs every day: nothing about the
 * instances is unusual except who launched them. That finding is new compute (the key first in
 * containment, its cost the miner's), not "mining on existing compute".
 */
import { beforeAll, describe, expect, it } from "vitest";
import { auditSnapshot } from "../../lambda/core/audit.js";
import type { AuditReport, Finding } from "../../lambda/report/model.js";
import { checkVerdict, loadScenario, type Scenario } from "../support/scenarios.js";

let scenario: Scenario;
let report: AuditReport;
let finding: Finding;

beforeAll(async () => {
  scenario = await loadScenario("new-principal-home-region");
  report = auditSnapshot(scenario.snapshot, scenario.config, { generatedAt: new Date(scenario.snapshot.window.end) });
  const found = report.findings.find((f) => f.rules.includes("MW-PRINCIPAL-FIRST-LAUNCH"));
  if (!found) throw new Error("no finding from MW-PRINCIPAL-FIRST-LAUNCH");
  finding = found;
});

describe("new-principal-home-region scenario", () => {
  it("meets the verdict in scenario.yaml", () => {
    expect(checkVerdict(report, scenario.expectation).failures).toEqual([]);
  });

  it("calls it leaked-key mining, not a change on existing compute", () => {
    expect(finding.title).toMatch(/^Likely leaked-key mining: 4 compute instances in us-east-1/);
    expect(finding.summary).not.toMatch(/existing compute/);
  });

  it("deactivates the launching key before anything else", () => {
    expect(finding.containment[0]?.command).toBe(
      "aws iam update-access-key --user-name backup-sync --access-key-id AKIA3BACKUPSYNC9Q2WX --status Inactive",
    );
  });

  it("prices the instances as the miner's spend, since their launch", () => {
    expect(finding.estimatedHourlyCostUsd).toBeCloseTo(1.54, 2);
    expect(finding.estimatedCostSoFarUsd).toBeGreaterThan(0);
    expect(finding.capacityHourlyCostUsd).toBeUndefined();
    expect(finding.firstSeen).toBe("2026-11-25T02:47:13.000Z");
  });
});
