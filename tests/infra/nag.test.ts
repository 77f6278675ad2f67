/** cdk-nag AwsSolutions checks: zero unacknowledged findings, and every acknowledgement needed and explained. */
import { describe, expect, it } from "vitest";
import { synthesize, type ValidationReport } from "./synth.js";

function violations(report: ValidationReport): string[] {
  return report.pluginReports.flatMap((r) => r.violations.map((v) => v.ruleName)).sort();
}

describe("cdk-nag AwsSolutions", () => {
  it("reports no unacknowledged finding on the Minewatch stack", () => {
    const { validationReport } = synthesize({ emails: "secops@example.com" });
    expect(violations(validationReport)).toEqual([]);
  });

  it.each([
    ["named web-scan buckets", { webScanBuckets: "www.example.com" }],
    ["every website bucket", { webScanAllWebsiteBuckets: "true" }],
  ])("reports no unacknowledged finding with %s", (_case, context) => {
    expect(violations(synthesize(context).validationReport)).toEqual([]);
  });

  it("runs, and needs every acknowledgement: without them exactly those findings appear", () => {
    const { validationReport } = synthesize({ emails: "secops@example.com" }, { acknowledge: false });
    const found = violations(validationReport);
    const { stack } = synthesize();
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === "aws:cdk:acknowledged-rules"))
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ""), reason }));
    expect(found.length).toBeGreaterThan(0);
    expect(found).toEqual(acknowledged.map((a) => a.id).sort());
    for (const ack of acknowledged) expect(ack.reason.length, ack.id).toBeGreaterThan(40);
  });
});
