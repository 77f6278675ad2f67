/**
 * The Fargate campaign must read as one incident: 48 public-image XMRig tasks in four regions,
 * all at high or above, named to the leaked key and IP that registered and ran them, with the
 * GuardDuty blind spots said out loud and the shop's own containers left alone.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { auditSnapshot } from "../../lambda/core/audit.js";
import { AccountSnapshotSchema } from "../../lambda/core/snapshot.js";
import type { AuditReport, Finding } from "../../lambda/report/model.js";
import { atLeast } from "../../lambda/rules/types.js";
import {
  ATTACKER_IP,
  buildFargateCampaign,
  CAMPAIGN_REGIONS,
  HOME_REGION,
  LEAKED_ACCESS_KEY_ID,
  LEAKED_USER_ARN,
  TASKS_PER_REGION,
} from "../../scripts/scenarios/fargate-campaign.js";
import { checkVerdict, loadScenario, type Scenario } from "../support/scenarios.js";

let scenario: Scenario;
let report: AuditReport;

beforeAll(async () => {
  scenario = await loadScenario("fargate-campaign");
  report = auditSnapshot(scenario.snapshot, scenario.config, { generatedAt: new Date(scenario.snapshot.window.end) });
});

function findingsWith(id: string): Finding[] {
  return report.findings.filter((f) => f.resources.some((r) => r.id === id));
}

function minerTaskArns(): string[] {
  return (scenario.snapshot.ecs?.tasks ?? [])
    .filter((t) => t.taskDefinitionArn.includes("ecs-worker-prod"))
    .map((t) => t.taskArn);
}

describe("Fargate campaign", () => {
  it("meets the verdict in scenario.yaml", () => {
    const verdict = checkVerdict(report, scenario.expectation);
    expect(verdict.failures).toEqual([]);
    expect(verdict.pass).toBe(true);
  });

  it("reports every miner task at high or above, in all four regions", () => {
    const tasks = minerTaskArns();
    expect(tasks).toHaveLength(CAMPAIGN_REGIONS.length * TASKS_PER_REGION);
    for (const arn of tasks) {
      expect(
        findingsWith(arn).some((f) => atLeast(f.severity, "high")),
        arn,
      ).toBe(true);
    }
  });

  it("lists the 48 tasks in one critical finding with the GuardDuty evidence from us-east-1", () => {
    const ids = new Set(minerTaskArns().flatMap((arn) => findingsWith(arn).map((f) => f.id)));
    expect([...ids]).toHaveLength(1);
    const finding = report.findings.find((f) => ids.has(f.id));
    expect(finding?.severity).toBe("critical");
    expect(finding?.regions).toEqual(expect.arrayContaining([...CAMPAIGN_REGIONS]));
    expect(finding?.rules).toEqual(
      expect.arrayContaining(["MW-ECS-MINER-IMAGE", "MW-ECS-PUBLIC-IMAGE-TASKS", "MW-GUARDDUTY-MINING"]),
    );
    const guardDutyEvidence = finding?.evidence.filter((e) => e.ruleId === "MW-GUARDDUTY-MINING") ?? [];
    expect(guardDutyEvidence.length).toBeGreaterThan(0);
    expect(JSON.stringify(guardDutyEvidence)).toContain("Impact:Runtime/CryptoMinerExecuted");
    expect(JSON.stringify(finding?.evidence)).toContain("pool.supportxmr.com:443");
  });

  it("names the leaked key, its user and the source IP that launched the tasks", () => {
    const finding = findingsWith(minerTaskArns()[0] ?? "")[0];
    expect(finding?.attribution).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          principalArn: LEAKED_USER_ARN,
          accessKeyIds: [LEAKED_ACCESS_KEY_ID],
          sourceIps: [ATTACKER_IP],
        }),
      ]),
    );
  });

  it("names a few of the 48 tasks in the launcher's sentence and keeps all of them in its details", () => {
    const evidence = report.findings
      .flatMap((f) => f.evidence)
      .find((e) => e.ruleId === "MW-PRINCIPAL-FIRST-LAUNCH" && e.resource.startsWith("principal:"));
    expect(evidence?.message).toMatch(/ and 43 more \(all in details\.launchedResources\)\.$/);
    expect(evidence?.message.length).toBeLessThan(1200);
    expect(evidence?.details?.launchedResources).toHaveLength(48);
  });

  it("says where GuardDuty could not see the miners", () => {
    const blind = report.findings.filter((f) => f.rules.includes("MW-GUARDDUTY-DISABLED"));
    const regions = blind.flatMap((f) => f.resources.filter((r) => r.type === "region").map((r) => r.id)).sort();
    expect(regions).toEqual(CAMPAIGN_REGIONS.filter((r) => r !== HOME_REGION).sort());
    for (const f of blind) expect(atLeast(f.severity, "medium")).toBe(true);
  });

  it("leaves the shop's own tasks, web servers and functions alone", () => {
    const shopTasks = (scenario.snapshot.ecs?.tasks ?? []).filter((t) => t.clusterArn.endsWith("/shop-prod"));
    expect(shopTasks).toHaveLength(6);
    const benign = [
      ...shopTasks.map((t) => t.taskArn),
      ...scenario.snapshot.instances.map((i) => i.instanceId),
      ...(scenario.snapshot.managedCompute?.lambdaFunctions ?? []).map((f) => f.arn),
    ];
    for (const id of benign) expect(findingsWith(id), id).toEqual([]);
  });

  it("never shows the shop's Stripe key from its task definition", () => {
    expect(JSON.stringify(scenario.snapshot)).not.toContain("sk_live_51Hx8d2EXAMPLE");
    expect(JSON.stringify(report)).not.toContain("sk_live_51Hx8d2EXAMPLE");
  });
});

describe("Fargate campaign snapshot file", () => {
  it("is what the generator produces (regenerate with npx tsx scripts/scenarios/fargate-campaign.ts)", () => {
    expect(JSON.parse(JSON.stringify(buildFargateCampaign()))).toEqual(scenario.snapshot);
  });

  it("stays small", () => {
    expect(statSync(join(scenario.dir, "snapshot.json")).size).toBeLessThan(2 * 1024 * 1024);
  });

  it("survives a save and replay with the same findings", () => {
    const replayed = AccountSnapshotSchema.parse(JSON.parse(JSON.stringify(scenario.snapshot)));
    const again = auditSnapshot(replayed, scenario.config, { generatedAt: new Date(scenario.snapshot.window.end) });
    expect(again.findings).toEqual(report.findings);
  });
});
