/**
 * A leaked-key wave through an Auto Scaling group and a persistent spot request, with termination
 * protection: the instances and the machinery that relaunches them must be one incident, attributed
 * to the key, with the machinery removed before the instances are stopped.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { auditSnapshot } from "../../lambda/core/audit.js";
import type { AuditReport, Finding } from "../../lambda/report/model.js";
import { renderReport } from "../../lambda/report/render.js";
import {
  ASG_NAME,
  ATTACK_REGION,
  ATTACKER,
  buildLeakedKeyAsg,
  FAKE_SECRET_ACCESS_KEY,
  SPOT_REQUEST_ID,
} from "../../scripts/scenarios/leaked-key-asg.js";
import { checkVerdict, loadScenario, type Scenario } from "../support/scenarios.js";

let scenario: Scenario;
let report: AuditReport;

beforeAll(async () => {
  scenario = await loadScenario("leaked-key-asg");
  report = auditSnapshot(scenario.snapshot, scenario.config, { generatedAt: new Date(scenario.snapshot.window.end) });
});

function findingsWith(id: string): Finding[] {
  return report.findings.filter((f) => f.resources.some((r) => r.id === id));
}

describe("leaked-key-asg scenario", () => {
  it("meets the verdict in scenario.yaml", () => {
    expect(checkVerdict(report, scenario.expectation).failures).toEqual([]);
  });

  it("reports every attack instance and both pieces of relaunch machinery at high or above", () => {
    const attackIds = scenario.snapshot.instances.filter((i) => i.region === ATTACK_REGION).map((i) => i.instanceId);
    expect(attackIds).toHaveLength(7);
    for (const id of [...attackIds, ASG_NAME, SPOT_REQUEST_ID]) {
      expect(
        findingsWith(id).map((f) => f.severity),
        id,
      ).toContainEqual(expect.stringMatching(/^(critical|high)$/));
    }
  });

  it("lists the instances the Auto Scaling group owns in the relaunch evidence", () => {
    const evidence = report.findings
      .flatMap((f) => f.evidence)
      .find((e) => e.ruleId === "MW-RELAUNCH-MACHINERY" && JSON.stringify(e).includes(ASG_NAME));
    const owned = scenario.snapshot.instances.filter((i) => i.autoScalingGroup === ASG_NAME).map((i) => i.instanceId);
    expect(owned).toHaveLength(6);
    for (const id of owned) expect(JSON.stringify(evidence)).toContain(id);
  });

  it("names the launching access key and source IP", () => {
    for (const finding of findingsWith(ASG_NAME)) {
      const attribution = finding.attribution ?? [];
      expect(attribution.flatMap((a) => a.accessKeyIds)).toContain(ATTACKER.accessKeyId);
      expect(attribution.flatMap((a) => a.sourceIps)).toContain(ATTACKER.sourceIp);
    }
  });

  it("removes the relaunch machinery before stopping the instances", () => {
    const [finding] = findingsWith(ASG_NAME);
    const commands = (finding?.containment ?? []).map((s) => s.command);
    const asgStep = commands.findIndex((c) => c.includes("autoscaling") && c.includes(ASG_NAME));
    const spotStep = commands.findIndex((c) => c.includes(SPOT_REQUEST_ID));
    const stopStep = commands.findIndex((c) => c.includes("stop-instances"));
    expect(asgStep, commands.join("\n")).toBeGreaterThanOrEqual(0);
    expect(spotStep, commands.join("\n")).toBeGreaterThanOrEqual(0);
    expect(stopStep, commands.join("\n")).toBeGreaterThan(Math.max(asgStep, spotStep));
  });

  it("never shows the secret the attacker's user data carried", () => {
    for (const format of ["json", "markdown", "table"] as const) {
      expect(renderReport(report, format)).not.toContain(FAKE_SECRET_ACCESS_KEY);
    }
    expect(readFileSync(join(scenario.dir, "snapshot.json"), "utf8")).not.toContain(FAKE_SECRET_ACCESS_KEY);
  });
});

describe("leaked-key-asg snapshot file", () => {
  it("is what the generator produces (regenerate with npx tsx scripts/scenarios/leaked-key-asg.ts)", () => {
    expect(JSON.parse(JSON.stringify(buildLeakedKeyAsg()))).toEqual(scenario.snapshot);
  });

  it("stays small", () => {
    expect(statSync(join(scenario.dir, "snapshot.json")).size).toBeLessThan(2 * 1024 * 1024);
  });
});
