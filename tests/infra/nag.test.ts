/** cdk-nag AwsSolutions checks: zero unacknowledged findings, and every acknowledgement says why. */
import { describe, expect, it } from "vitest";
import { synthesize } from "./synth.js";

describe("cdk-nag AwsSolutions", () => {
  it("reports no unacknowledged finding on the Minewatch stack", () => {
    const { validationReport } = synthesize({ emails: "secops@example.com" });
    const nag = validationReport.pluginReports.find((r) => r.summary.pluginName.includes("AwsSolutions"));
    expect(nag, "the AwsSolutions pack ran").toBeDefined();
    const violations = (nag?.violations ?? []).map(
      (v) => `${v.ruleName}: ${(v.violatingConstructs ?? []).map((c) => c.constructPath).join(", ")}`,
    );
    expect(violations).toEqual([]);
  });

  it("acknowledges each rule with a written reason", () => {
    const { stack } = synthesize();
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === "aws:cdk:acknowledged-rules"))
      .flatMap((m) => (Array.isArray(m.data) ? m.data : [m.data])) as Array<{ id: string; reason: string }>;
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) expect(ack.reason.length, ack.id).toBeGreaterThan(40);
  });
});
