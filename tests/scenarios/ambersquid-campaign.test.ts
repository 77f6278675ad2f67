/**
 * The AMBERSQUID-style campaign: miners on SageMaker, CodeBuild and Amplify in three regions with no
 * EC2 at all must be reported resource by resource, as one incident, attributed to the leaked key,
 * and without leaking the token the attacker's scripts carried.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { auditSnapshot } from "../../lambda/core/audit.js";
import type { AuditReport } from "../../lambda/report/model.js";
import { renderReport } from "../../lambda/report/render.js";
import {
  ATTACKER,
  buildAmbersquidCampaign,
  CAMPAIGN_REGIONS,
  FAKE_GITHUB_TOKEN,
} from "../../scripts/scenarios/ambersquid-campaign.js";
import { checkVerdict, loadScenario, type Scenario } from "../support/scenarios.js";

let scenario: Scenario;
let report: AuditReport;

beforeAll(async () => {
  scenario = await loadScenario("ambersquid-campaign");
  report = auditSnapshot(scenario.snapshot, scenario.config, { generatedAt: new Date(scenario.snapshot.window.end) });
});

function campaignResourceIds(): string[] {
  const managed = scenario.snapshot.managedCompute;
  const inCampaign = (region: string) => (CAMPAIGN_REGIONS as readonly string[]).includes(region);
  return [
    ...(managed?.notebookInstances ?? []).filter((n) => inCampaign(n.region)).map((n) => n.arn),
    ...(managed?.codeBuildProjects ?? []).filter((p) => inCampaign(p.region)).map((p) => p.arn),
    ...(managed?.amplifyApps ?? []).filter((a) => inCampaign(a.region)).map((a) => a.appId),
  ];
}

describe("ambersquid-campaign scenario", () => {
  it("meets the verdict in scenario.yaml", () => {
    expect(checkVerdict(report, scenario.expectation).failures).toEqual([]);
  });

  it("has no EC2 outside the home region: the campaign is invisible to EC2-only rules", () => {
    expect(scenario.snapshot.instances.every((i) => i.region === "eu-west-1")).toBe(true);
    expect(campaignResourceIds()).toHaveLength(6 + 3 + 3);
  });

  it("reports every campaign resource at high or above", () => {
    for (const id of campaignResourceIds()) {
      const severities = report.findings.filter((f) => f.resources.some((r) => r.id === id)).map((f) => f.severity);
      expect(severities, id).toContainEqual(expect.stringMatching(/^(critical|high)$/));
    }
  });

  it("names the launching access key and source IP on the campaign finding", () => {
    const ids = new Set(campaignResourceIds());
    const findings = report.findings.filter((f) => f.resources.some((r) => ids.has(r.id)));
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      const attribution = finding.attribution ?? [];
      expect(
        attribution.flatMap((a) => a.accessKeyIds),
        finding.id,
      ).toContain(ATTACKER.accessKeyId);
      expect(
        attribution.flatMap((a) => a.sourceIps),
        finding.id,
      ).toContain(ATTACKER.sourceIp);
    }
  });

  it("quotes the pool but never the attacker's token, in any format", () => {
    for (const format of ["json", "markdown", "table"] as const) {
      const rendered = renderReport(report, format);
      expect(rendered).not.toContain(FAKE_GITHUB_TOKEN);
    }
    expect(JSON.stringify(report)).toContain("moneroocean.stream");
    expect(readFileSync(join(scenario.dir, "snapshot.json"), "utf8")).not.toContain(FAKE_GITHUB_TOKEN);
  });
});

describe("ambersquid-campaign snapshot file", () => {
  it("is what the generator produces (regenerate with npx tsx scripts/scenarios/ambersquid-campaign.ts)", () => {
    expect(JSON.parse(JSON.stringify(buildAmbersquidCampaign()))).toEqual(scenario.snapshot);
  });

  it("stays small", () => {
    expect(statSync(join(scenario.dir, "snapshot.json")).size).toBeLessThan(2 * 1024 * 1024);
  });
});
