/**
 * The demo account (`npx minewatch demo`) must tell its story: the leaked-key fleet as one critical
 * incident, the capped miner on the batch nodes as high, the ML training run suppressed with its
 * reason, the ordinary workloads silent, and the secret from the attacker's user data nowhere.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { auditSnapshot } from "../../lambda/core/audit.js";
import { AccountSnapshotSchema } from "../../lambda/core/snapshot.js";
import { attributeResources } from "../../lambda/correlate/attribution.js";
import type { AuditReport, Finding } from "../../lambda/report/model.js";
import { type ReportFormat, renderReport } from "../../lambda/report/render.js";
import { atLeast } from "../../lambda/rules/types.js";
import {
  buildDemoAccount,
  DEMO_ATTACKER_IP,
  DEMO_FAKE_ACCESS_KEY_ID,
  DEMO_FAKE_SECRET_ACCESS_KEY,
  DEMO_LEAKED_ACCESS_KEY_ID,
  HOME_REGION,
} from "../../scripts/scenarios/demo-account.js";
import { checkVerdict, loadScenario, type Scenario } from "../support/scenarios.js";

const GENERATED_AT = new Date("2026-11-24T06:05:00Z");

let scenario: Scenario;
let report: AuditReport;

beforeAll(async () => {
  scenario = await loadScenario("demo-account");
  report = auditSnapshot(scenario.snapshot, scenario.config, { generatedAt: GENERATED_AT });
});

function findingsWith(instanceId: string): Finding[] {
  return report.findings.filter((f) => f.resources.some((r) => r.id === instanceId));
}

function idsTagged(name: string): string[] {
  return scenario.snapshot.instances.filter((i) => i.tags.Name === name).map((i) => i.instanceId);
}

describe("demo account", () => {
  it("meets the verdict in scenario.yaml", () => {
    const verdict = checkVerdict(report, scenario.expectation);
    expect(verdict.failures).toEqual([]);
    expect(verdict.pass).toBe(true);
  });

  it("reports the leaked-key fleet as one critical finding spanning its three regions", () => {
    const fleet = scenario.snapshot.instances.filter((i) => i.region !== HOME_REGION);
    expect(fleet).toHaveLength(10);
    const incidents = new Set(fleet.flatMap((i) => findingsWith(i.instanceId).map((f) => f.id)));
    expect([...incidents]).toHaveLength(1);
    const finding = report.findings.find((f) => incidents.has(f.id));
    expect(finding?.severity).toBe("critical");
    expect(finding?.regions).toEqual(expect.arrayContaining(["us-east-2", "ap-southeast-1", "sa-east-1"]));
    expect(finding?.regions).not.toContain(HOME_REGION);
    expect(finding?.rules).toEqual(
      expect.arrayContaining(["MW-EC2-UNUSED-REGION", "MW-EC2-USERDATA-MINER", "MW-EC2-LAUNCH-WAVE"]),
    );
    // The user-data evidence quotes the pool, so a responder sees why without opening the instance.
    const minerEvidence = finding?.evidence.filter((e) => e.ruleId === "MW-EC2-USERDATA-MINER") ?? [];
    expect(minerEvidence.length).toBeGreaterThan(0);
    expect(JSON.stringify(minerEvidence)).toContain("supportxmr.com");
    expect(finding?.estimatedHourlyCostUsd ?? 0).toBeGreaterThan(0);
  });

  it("names who launched the fleet: the leaked key, its source address, and the spare user it made", () => {
    const fleet = scenario.snapshot.instances.filter((i) => i.region !== HOME_REGION);
    const finding = report.findings.find((f) => f.resources.some((r) => r.id === fleet[0]?.instanceId));
    const principalEvidence = finding?.evidence.filter((e) => e.ruleId.startsWith("MW-PRINCIPAL-")) ?? [];
    expect(principalEvidence.length).toBeGreaterThan(0);
    for (const evidence of principalEvidence) {
      expect(evidence.details).toMatchObject({
        principalArn: "arn:aws:iam::123456789012:user/ci-deploy",
        accessKeyId: DEMO_LEAKED_ACCESS_KEY_ID,
        sourceIp: DEMO_ATTACKER_IP,
      });
    }
    const attributions = attributeResources(
      fleet.map((i) => i.instanceId),
      scenario.snapshot,
    );
    expect(attributions.map((a) => [a.principalType, a.principalArn, a.accessKeyIds, a.sourceIps])).toEqual([
      ["IAMUser", "arn:aws:iam::123456789012:user/ci-deploy", [DEMO_LEAKED_ACCESS_KEY_ID], [DEMO_ATTACKER_IP]],
    ]);
    expect(attributions[0]?.events).toHaveLength(fleet.length);
    const persistence = report.findings.flatMap((f) => f.evidence).find((e) => e.ruleId === "MW-IAM-PERSISTENCE");
    expect(persistence?.details).toMatchObject({ createdUsers: ["backup-svc"], adminPolicyAttached: true });
  });

  it("attributes the ML run and the CI runners to their roles without calling them new", () => {
    const byName = (tag: string, value: string) =>
      scenario.snapshot.instances.filter((i) => i.tags[tag] === value).map((i) => i.instanceId);
    const [ml] = attributeResources(byName("pipeline", "nightly-train"), scenario.snapshot);
    expect(ml?.principalArn).toBe("arn:aws:iam::123456789012:role/ml-pipeline-orchestrator");
    const [ci] = attributeResources(byName("ci", "github-actions"), scenario.snapshot);
    expect(ci?.principalArn).toBe("arn:aws:iam::123456789012:role/ci-runner-launcher");
    const firstLaunch = report.findings
      .flatMap((f) => f.evidence)
      .filter((e) => e.ruleId === "MW-PRINCIPAL-FIRST-LAUNCH");
    for (const evidence of firstLaunch)
      expect(evidence.details?.principalArn).toBe("arn:aws:iam::123456789012:user/ci-deploy");
  });

  it("reports the three batch nodes with flat CPU at high or above, through MW-CPU-FLAT-SHIFT", () => {
    const batchNodes = idsTagged("batch-worker");
    const flagged = batchNodes.filter((id) =>
      findingsWith(id).some((f) => atLeast(f.severity, "high") && f.rules.includes("MW-CPU-FLAT-SHIFT")),
    );
    // Three of the four nodes run the miner; the fourth kept its office-hours rhythm.
    expect(flagged).toHaveLength(3);
    const untouched = batchNodes.filter((id) => !flagged.includes(id));
    expect(untouched).toHaveLength(1);
    expect(findingsWith(untouched[0] ?? "")).toEqual([]);
  });

  it("suppresses the ML training run with the allowlist entry's reason", () => {
    const mlIds = idsTagged("ml-train-nightly");
    expect(mlIds).toHaveLength(2);
    for (const id of mlIds) {
      expect(findingsWith(id)).toEqual([]);
      const suppressed = report.suppressed.filter((s) => s.resources.some((r) => r.id === id));
      expect(suppressed.map((s) => s.reason)).toEqual(["Nightly model training by the ML platform team"]);
    }
  });

  it("reports nothing about the web servers, the database, the nightly ETL and the CI runners", () => {
    const benign = ["web", "db-primary", "etl-nightly", "ci-runner"].flatMap(idsTagged);
    expect(benign).toHaveLength(4 + 1 + 1 + 3);
    for (const id of benign) expect(findingsWith(id), id).toEqual([]);
  });

  it("states what it could not see: opt-in regions and the missing GPU agent", () => {
    expect(report.coverage.complete).toBe(false);
    expect(report.coverage.regionsNotAudited.map((r) => r.region).sort()).toEqual(
      ["af-south-1", "ap-east-1", "ap-southeast-3", "eu-south-1", "me-south-1"].sort(),
    );
    const agentGaps = report.coverage.gaps.filter((g) => g.reason === "agent-missing");
    expect(agentGaps.map((g) => g.region).sort()).toEqual(["ap-southeast-1", "us-east-2"]);
  });

  it.each<ReportFormat>(["json", "markdown", "table"])(
    "never shows the secret from the attacker's user data in the %s report",
    (format) => {
      const rendered = renderReport(report, format);
      // The miner line is quoted as evidence; the credentials next to it are not.
      expect(rendered).toContain("pool.supportxmr.com");
      expect(rendered).not.toContain(DEMO_FAKE_SECRET_ACCESS_KEY);
      expect(rendered).not.toContain(DEMO_FAKE_ACCESS_KEY_ID);
    },
  );

  it("stores the attacker's user data redacted, as the collector would", () => {
    const snapshotText = readFileSync(join(scenario.dir, "snapshot.json"), "utf8");
    for (const secret of [DEMO_FAKE_SECRET_ACCESS_KEY, DEMO_FAKE_ACCESS_KEY_ID]) {
      expect(snapshotText).not.toContain(secret);
      expect(JSON.stringify(report)).not.toContain(secret);
    }
    const stored = scenario.snapshot.instances.find((i) => i.region === "us-east-2")?.userData?.text ?? "";
    expect(stored).toContain("export AWS_SECRET_ACCESS_KEY=[REDACTED]");
    expect(stored).toContain("stratum+tcp://pool.supportxmr.com:3333");
  });
});

describe("demo snapshot file", () => {
  it("is what the generator produces (regenerate with npx tsx scripts/scenarios/demo-account.ts)", () => {
    expect(JSON.parse(JSON.stringify(buildDemoAccount()))).toEqual(scenario.snapshot);
  });

  it("stays small", () => {
    expect(statSync(join(scenario.dir, "snapshot.json")).size).toBeLessThan(2 * 1024 * 1024);
  });

  it("survives a save and replay: parse, stringify, parse gives the same findings", () => {
    const replayed = AccountSnapshotSchema.parse(JSON.parse(JSON.stringify(scenario.snapshot)));
    const again = auditSnapshot(replayed, scenario.config, { generatedAt: GENERATED_AT });
    expect(again.findings).toEqual(report.findings);
    expect(again.suppressed).toEqual(report.suppressed);
    expect(again.coverage).toEqual(report.coverage);
  });
});
