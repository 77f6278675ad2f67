import { describe, expect, it } from "vitest";
import { jsonBytes, renderEmail, toAsciiLine, usd } from "../../lambda/report/email.js";
import type { Finding } from "../../lambda/report/model.js";
import { diffFindings, everythingNew, type OpenFindingState } from "../../lambda/state/diff.js";
import { ACCOUNT_ID, syntheticFinding, syntheticReport } from "../handlers/fixtures.js";

const CONTEXT = {
  accountId: ACCOUNT_ID,
  reportLocation: "s3://minewatch-reports/reports/123456789012/2026/03/10/run.report.json",
  consoleRegion: "eu-west-1",
};

function state(finding: Finding, firstReported: string): OpenFindingState {
  return {
    findingId: finding.id,
    firstReported,
    lastSeen: firstReported,
    severity: finding.severity,
    title: finding.title,
    region: finding.region,
  };
}

function expectSubjectRules(subject: string) {
  expect(subject).toMatch(/^[\x20-\x7e]+$/);
  expect(subject.length).toBeLessThan(100);
}

describe("subject", () => {
  const critical = { ...syntheticFinding(1, "critical"), estimatedHourlyCostUsd: 36.72 };
  const high = { ...syntheticFinding(2, "high"), estimatedHourlyCostUsd: 4.4 };
  const cases: { name: string; findings: Finding[]; previous: OpenFindingState[]; subject: string }[] = [
    {
      name: "new and ongoing with cost",
      findings: [critical, high],
      previous: [state(high, "2026-03-09T06:00:00.000Z")],
      subject: "Minewatch CRITICAL: 1 new, 1 ongoing - est. $41/h - acct 123456789012",
    },
    {
      name: "only ongoing, one resolved",
      findings: [high],
      previous: [state(high, "2026-03-09T06:00:00.000Z"), state(critical, "2026-03-08T06:00:00.000Z")],
      subject: "Minewatch HIGH: 0 new, 1 ongoing, 1 resolved - est. $4.40/h - acct 123456789012",
    },
    {
      name: "all clear",
      findings: [],
      previous: [],
      subject: "Minewatch all clear - 0 findings - 14 regions audited - acct 123456789012",
    },
    {
      name: "all clear after a resolution",
      findings: [],
      previous: [state(critical, "2026-03-08T06:00:00.000Z")],
      subject: "Minewatch all clear - 0 findings, 1 resolved - 14 regions audited - acct 123456789012",
    },
  ];
  it.each(cases)("$name", ({ findings, previous, subject }) => {
    const report = syntheticReport(findings);
    const diff = diffFindings(previous, findings, { resolveMissing: true });
    const email = renderEmail(report, diff, CONTEXT);
    expect(email.subject).toBe(subject);
    expectSubjectRules(email.subject);
  });

  it("says INCOMPLETE on the findings subject when coverage has gaps, and drops detail to stay short", () => {
    const findings = [critical, high];
    const base = syntheticReport(findings);
    const report = { ...base, coverage: { ...base.coverage, complete: false } };
    const previous = [state(high, "2026-03-09T06:00:00.000Z"), { ...state(critical, "x"), findingId: "mw-gone" }];
    const email = renderEmail(report, diffFindings(previous, findings, { resolveMissing: true }), CONTEXT);
    expectSubjectRules(email.subject);
    expect(email.subject).toContain("INCOMPLETE");
    expect(email.subject).toContain("acct 123456789012");
    expect(email.subject).toContain("est. $41/h");
  });

  it("keeps the subject ASCII and on one line whatever the titles hold", () => {
    expect(toAsciiLine("Minewatch \u00e9t\u00e9\n\u2014 caf\u00e9\u00a0$5")).toBe("Minewatch ete cafe $5");
  });

  it("formats money compactly", () => {
    expect([usd(0.68), usd(9.999), usd(41.2), usd(3400)]).toEqual(["$0.68", "$10.00", "$41", "$3,400"]);
  });
});

describe("body", () => {
  it("lists the most severe first, with what, where, when, why, cost, steps and links", () => {
    const low = syntheticFinding(1, "low", "eu-west-1");
    const critical = syntheticFinding(2, "critical", "ap-south-1");
    const report = syntheticReport([critical, low]);
    const body = renderEmail(report, everythingNew([low, critical]), CONTEXT).body;
    expect(body.indexOf("CRITICAL -")).toBeGreaterThan(-1);
    expect(body.indexOf("CRITICAL -")).toBeLessThan(body.indexOf("LOW -"));
    const instanceId = critical.resources[0]?.id ?? "";
    for (const expected of [
      "What:  Instance",
      `Where: account ${ACCOUNT_ID}, region ap-south-1`,
      "When:  started 2026-03-09 10:00 UTC; first reported now",
      "Who:   not attributed (no CloudTrail attribution in this report)",
      "[MW-CPU-SUSTAINED-HIGH] CPU at or above 90 %",
      "Cost:  est. $0.68/h, about $14 so far",
      `$ aws ec2 stop-instances --region ap-south-1 --instance-ids ${instanceId}`,
      `https://ap-south-1.console.aws.amazon.com/ec2/home?region=ap-south-1#InstanceDetails:instanceId=${instanceId}`,
      "Cost Explorer: https://us-east-1.console.aws.amazon.com/costmanagement/home#/cost-explorer",
      CONTEXT.reportLocation,
      "GPU utilization is invisible without the CloudWatch agent.",
    ]) {
      expect(body).toContain(expected);
    }
  });

  it("shows one observation from each agreeing rule before repeating a rule", () => {
    const finding = syntheticFinding(4, "critical");
    const ev = (ruleId: string, n: number) => ({
      ruleId,
      severity: "high" as const,
      resource: `ec2-instance:i-${n}`,
      message: `${ruleId} observation ${n}`,
    });
    const many: Finding = {
      ...finding,
      evidence: [
        ...Array.from({ length: 10 }, (_, n) => ev("MW-EC2-UNUSUAL-TYPE", n)),
        ev("MW-EC2-LAUNCH-WAVE", 0),
        ev("MW-EC2-UNUSED-REGION", 0),
      ],
    };
    const body = renderEmail(syntheticReport([many]), everythingNew([many]), CONTEXT).body;
    expect(body).toContain("MW-EC2-LAUNCH-WAVE observation 0");
    expect(body).toContain("MW-EC2-UNUSED-REGION observation 0");
    expect(body.match(/MW-EC2-UNUSUAL-TYPE observation/g)).toHaveLength(6);
    expect(body).toContain("... and 4 more observations in the full report");
  });

  it("names the launcher when a rule provided attribution", () => {
    const finding = syntheticFinding(3, "critical");
    const attributed: Finding = {
      ...finding,
      evidence: [
        {
          ...(finding.evidence[0] as Finding["evidence"][number]),
          details: { principal: "arn:aws:iam::123456789012:user/ci", accessKeyId: "AKIAIOSFODNN7EXAMPLE" },
        },
      ],
    };
    const body = renderEmail(syntheticReport([attributed]), everythingNew([attributed]), CONTEXT).body;
    expect(body).toContain("Who:   principal arn:aws:iam::123456789012:user/ci, accessKeyId AKIAIOSFODNN7EXAMPLE");
  });

  it("shows resolved items, suppressed reasons and what was not audited", () => {
    const base = syntheticReport([]);
    const suppressed = [1, 2].map((n) => ({
      id: `mw-s${n}`,
      severity: "high" as const,
      title: "p4d training",
      region: "us-east-1",
      resources: [],
      rules: ["MW-EC2-UNUSUAL-TYPE"],
      reason: "nightly ML training by the platform team",
      allowlistIndex: 0,
    }));
    const report = {
      ...base,
      suppressed,
      summary: { ...base.summary, suppressed: 2, coverageComplete: false },
      coverage: {
        ...base.coverage,
        complete: false,
        gaps: [
          {
            region: "global",
            service: "ce",
            api: "GetCostAndUsage",
            status: "failed" as const,
            reason: "cost-explorer-not-enabled" as const,
            message: "Cost Explorer is not enabled for this account",
          },
        ],
      },
    };
    const gone = syntheticFinding(9, "critical");
    const diff = diffFindings([state(gone, "2026-03-08T06:00:00.000Z")], [], { resolveMissing: true });
    const email = renderEmail(report, diff, CONTEXT);
    expect(email.subject).toMatch(/^Minewatch INCOMPLETE: 0 findings, 1 resolved/);
    expect(email.body).toContain("RESOLVED SINCE THE LAST RUN (1)");
    expect(email.body).toContain(`first reported 2026-03-08 06:00 UTC`);
    expect(email.body).toContain('2 x "nightly ML training by the platform team"');
    expect(email.body).toContain("global ce GetCostAndUsage: failed (cost-explorer-not-enabled");
    expect(email.body).toContain("af-south-1: not opted in");
  });

  it.each([50, 5000])("fits %i findings in the SNS budget with the rest counted", (count) => {
    const findings = Array.from({ length: count }, (_, n) => syntheticFinding(n, n % 3 === 0 ? "critical" : "high"));
    const email = renderEmail(syntheticReport(findings), everythingNew(findings), CONTEXT);
    expect(jsonBytes(email.body)).toBeLessThanOrEqual(200 * 1024);
    expect(email.detailedFindings).toBeLessThanOrEqual(20);
    const detailed = (email.body.match(/^\[\d+\] /gm) ?? []).length;
    expect(detailed).toBe(email.detailedFindings);
    if (count > 320) expect(email.body).toMatch(/\.\.\. and \d+ more in the full report\./);
  });

  it("fits one finding of 5,000 instances without showing a cut-off containment command", () => {
    const finding = syntheticFinding(7, "critical", "us-east-1");
    const ids = Array.from({ length: 5000 }, (_, n) => `i-0${n.toString(16).padStart(16, "0")}`);
    const fleet: Finding = {
      ...finding,
      resources: ids.map((id) => ({ type: "ec2-instance", id, region: "us-east-1", instanceType: "c5.4xlarge" })),
      containment: [
        {
          description: "Stop the instances.",
          command: `aws ec2 stop-instances --region us-east-1 --instance-ids ${ids.join(" ")}`,
        },
        {
          description: "Deactivate the key.",
          command: "aws iam update-access-key --access-key-id <ACCESS_KEY_ID> --status Inactive",
        },
      ],
    };
    const email = renderEmail(syntheticReport([fleet]), everythingNew([fleet]), CONTEXT);
    expect(jsonBytes(email.body)).toBeLessThanOrEqual(200 * 1024);
    expect(email.body).toContain("too long for this email: copy it from the full report");
    expect(email.body).toContain("$ aws iam update-access-key --access-key-id <ACCESS_KEY_ID> --status Inactive");
    expect(email.body).not.toContain("$ aws ec2 stop-instances");
    expect(email.body).toContain("... and 4990 more resources in the full report");
  });

  it("drops detail progressively when the budget is small, and truncates as a last resort", () => {
    const findings = Array.from({ length: 40 }, (_, n) => syntheticFinding(n, "critical"));
    const roomy = renderEmail(syntheticReport(findings), everythingNew(findings), CONTEXT);
    const tight = renderEmail(syntheticReport(findings), everythingNew(findings), { ...CONTEXT, maxBodyBytes: 8_000 });
    const tiny = renderEmail(syntheticReport(findings), everythingNew(findings), { ...CONTEXT, maxBodyBytes: 1_500 });
    expect(roomy.reduced).toBe(false);
    expect(tight.reduced).toBe(true);
    expect(tight.detailedFindings).toBeLessThan(roomy.detailedFindings);
    expect(jsonBytes(tight.body)).toBeLessThanOrEqual(8_000);
    expect(jsonBytes(tiny.body)).toBeLessThanOrEqual(1_500);
    expect(tiny.body).toContain("[Truncated to fit the SNS size limit. The full report is at s3://");
  });
});
