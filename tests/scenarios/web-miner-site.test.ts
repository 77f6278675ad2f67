/**
 * The web-miner-site scenario: a static shop's homepage gained an obfuscated Coinhive loader. The
 * miner must be one critical finding with the evidence and containment a responder needs; the
 * look-alikes (a blog post about Coinhive, an analytics bundle, WebAssembly image codecs) must stay
 * silent; what was not scanned must be named.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { auditSnapshot } from "../../lambda/core/audit.js";
import type { AuditReport, Finding } from "../../lambda/report/model.js";
import { renderReport } from "../../lambda/report/render.js";
import {
  buildWebMinerSite,
  INJECTED_SCRIPT,
  SHOP_BUCKET,
  SHOP_DISTRIBUTION,
} from "../../scripts/scenarios/web-miner-site.js";
import { checkVerdict, loadScenario, type Scenario } from "../support/scenarios.js";

const INDEX = `s3://${SHOP_BUCKET}/index.html`;

let scenario: Scenario;
let report: AuditReport;

beforeAll(async () => {
  scenario = await loadScenario("web-miner-site");
  report = auditSnapshot(scenario.snapshot, scenario.config, { generatedAt: new Date("2026-11-24T06:05:00Z") });
});

function findingsWith(id: string): Finding[] {
  return report.findings.filter((f) => f.resources.some((r) => r.id === id));
}

describe("web-miner-site scenario", () => {
  it("meets the verdict in scenario.yaml", () => {
    const verdict = checkVerdict(report, scenario.expectation);
    expect(verdict.failures).toEqual([]);
  });

  it("reports the planted loader as one critical finding with the decoded miner and the new script host", () => {
    const findings = findingsWith(INDEX);
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding?.severity).toBe("critical");
    const miner = finding?.evidence.find((e) => e.ruleId === "MW-WEB-MINER-SCRIPT");
    expect(miner?.message).toContain("https://coinhive.com/lib/coinhive.min.js");
    expect(miner?.message).toContain("Anonymous(");
    expect(miner?.details).toMatchObject({
      bucket: SHOP_BUCKET,
      key: "index.html",
      distributionIds: [SHOP_DISTRIBUTION],
      lastModified: "2026-11-23T23:04:51.000Z",
    });
    const newSource = finding?.evidence.find((e) => e.ruleId === "MW-WEB-NEW-SCRIPT-SOURCE");
    expect(newSource?.details?.newScriptSources).toEqual([INJECTED_SCRIPT]);
  });

  it("gives the containment: restore the previous version, invalidate the CDN, rotate the key", () => {
    const commands =
      findingsWith(INDEX)[0]
        ?.containment.map((s) => s.command)
        .join("\n") ?? "";
    expect(commands).toContain(`aws s3api list-object-versions --bucket ${SHOP_BUCKET} --prefix index.html`);
    expect(commands).toContain(`--copy-source '${SHOP_BUCKET}/index.html?versionId=<PREVIOUS_VERSION_ID>'`);
    expect(commands).toContain(
      `aws cloudfront create-invalidation --distribution-id ${SHOP_DISTRIBUTION} --paths "/index.html"`,
    );
    expect(commands).toContain("aws iam update-access-key");
  });

  it("says which sites and objects were not scanned", () => {
    const gaps = report.coverage.gaps.map((g) => g.message ?? "").join("\n");
    expect(gaps).toContain("campaign-2025.example-shop.com");
    expect(gaps).toContain("assets/vendor.bundle.js (3.2 MB)");
    expect(gaps).toContain("partner-portal");
  });

  it("quotes evidence but never stores or shows the pages themselves", () => {
    const text = readFileSync(join(scenario.dir, "snapshot.json"), "utf8");
    // The homepage's hero text is not evidence: it is not in the snapshot.
    expect(text).not.toContain("Handmade ceramics from Porto");
    expect(statSync(join(scenario.dir, "snapshot.json")).size).toBeLessThan(64 * 1024);
    expect(renderReport(report, "markdown")).toContain("coinhive.min.js");
  });

  it("is what the generator produces (regenerate with npx tsx scripts/scenarios/web-miner-site.ts)", () => {
    expect(JSON.parse(JSON.stringify(buildWebMinerSite()))).toEqual(scenario.snapshot);
  });
});
