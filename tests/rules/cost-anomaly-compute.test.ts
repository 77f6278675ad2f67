import { describe, expect, it } from "vitest";
import type { CostAnomaly } from "../../lambda/core/snapshot.js";
import { costAnomalyCompute, isComputeService } from "../../lambda/rules/cost-anomaly-compute.js";
import { buildSnapshot, ruleContext } from "../support/snapshot-builder.js";

/** Shaped like a GetAnomalies answer after the collector mapped it (window: 2026-03-09T06:00Z to 2026-03-10T06:00Z). */
function anomaly(overrides: Partial<CostAnomaly> = {}): CostAnomaly {
  return {
    anomalyId: "a1b2c3d4-0000-4000-8000-00000000f00d",
    startDate: "2026-03-09",
    totalImpactUsd: 2480.37,
    maxImpactUsd: 1650.1,
    score: 0.93,
    monitorArn: "arn:aws:ce::123456789012:anomalymonitor/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab",
    rootCauses: [
      {
        service: "Amazon Elastic Compute Cloud - Compute",
        region: "sa-east-1",
        usageType: "SAE1-BoxUsage:c5.4xlarge",
        linkedAccount: "123456789012",
      },
    ],
    ...overrides,
  };
}

function evaluate(costAnomalies: CostAnomaly[]) {
  const snapshot = buildSnapshot({ costAnomalies });
  return costAnomalyCompute.evaluate(snapshot, ruleContext(snapshot));
}

describe("MW-COST-ANOMALY-COMPUTE fires", () => {
  it("for an open EC2 compute anomaly of $2,480: high, in the root cause's region", () => {
    const signals = evaluate([anomaly()]);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      ruleId: "MW-COST-ANOMALY-COMPUTE",
      resource: { type: "cost-anomaly", id: "a1b2c3d4-0000-4000-8000-00000000f00d", region: "sa-east-1" },
      severity: "high",
      details: {
        totalImpactUsd: 2480.37,
        maxImpactUsd: 1650.1,
        services: ["Amazon Elastic Compute Cloud - Compute"],
        regions: ["sa-east-1"],
        usageTypes: ["SAE1-BoxUsage:c5.4xlarge"],
        endDate: null,
      },
    });
    expect(signals[0]?.message).toBe(
      "Cost anomaly of $2480.37 since 2026-03-09 in Amazon Elastic Compute Cloud - Compute " +
        "(region sa-east-1, usage type SAE1-BoxUsage:c5.4xlarge).",
    );
  });

  it.each([
    {
      service: "Amazon Elastic Container Service",
      usageType: "APS3-Fargate-vCPU-Hours:perCPU",
      impact: 64.2,
      severity: "medium",
    },
    { service: "Amazon SageMaker", usageType: "USE1-ml.p3.16xlarge-Notebk", impact: 99.99, severity: "medium" },
    { service: "AWS CodeBuild", usageType: "USW2-Build-Min:Linux:g1.large", impact: 100, severity: "high" },
    { service: "EC2 - Other", usageType: "EUC1-SpotUsage:g4dn.12xlarge", impact: 310, severity: "high" },
    { service: "AWS Lambda", usageType: "Lambda-GB-Second", impact: 12, severity: "medium" },
  ])("for $service at $$impact: $severity", ({ service, usageType, impact, severity }) => {
    const signals = evaluate([
      anomaly({ totalImpactUsd: impact, rootCauses: [{ service, region: "ap-south-1", usageType }] }),
    ]);
    expect(signals.map((s) => [s.severity, s.resource.region, s.details?.services])).toEqual([
      [severity, "ap-south-1", [service]],
    ]);
  });

  it("keeps only the compute root causes, and is global when they name no region", () => {
    const signals = evaluate([
      anomaly({
        endDate: "2026-03-10",
        rootCauses: [
          { service: "Amazon Simple Storage Service", region: "eu-west-1", usageType: "EU-TimedStorage-ByteHrs" },
          { service: "AWS Amplify", usageType: "BuildDuration" },
        ],
      }),
    ]);
    expect(signals).toHaveLength(1);
    expect(signals[0]?.resource.region).toBe("global");
    expect(signals[0]?.details).toMatchObject({
      services: ["AWS Amplify"],
      regions: [],
      usageTypes: ["BuildDuration"],
    });
    expect(signals[0]?.message).toContain("2026-03-09 to 2026-03-10");
    expect(signals[0]?.message).toContain("region not given");
  });

  it("still counts an anomaly that ended up to three days before the window (they arrive late)", () => {
    expect(evaluate([anomaly({ startDate: "2026-03-04", endDate: "2026-03-06" })])).toHaveLength(1);
  });
});

describe("MW-COST-ANOMALY-COMPUTE stays quiet", () => {
  it.each([
    {
      name: "an anomaly in storage only",
      anomaly: anomaly({ rootCauses: [{ service: "Amazon Simple Storage Service", region: "eu-west-1" }] }),
    },
    { name: "an anomaly without root causes", anomaly: anomaly({ rootCauses: [] }) },
    {
      name: "an anomaly that ended more than three days before",
      anomaly: anomaly({ startDate: "2026-02-20", endDate: "2026-03-05" }),
    },
    { name: "an anomaly after the window", anomaly: anomaly({ startDate: "2026-03-11" }) },
  ])("for $name", ({ anomaly: a }) => {
    expect(evaluate([a])).toEqual([]);
  });

  it("without anomalies (none, or Cost Explorer unread: the coverage rule reports that)", () => {
    expect(evaluate([])).toEqual([]);
  });
});

describe("isComputeService", () => {
  it.each([
    ["Amazon Elastic Compute Cloud - Compute", true],
    [" amazon sagemaker ", true],
    ["AWS Batch", true],
    ["Amazon Simple Storage Service", false],
    ["Amazon Elastic Compute Cloud", false],
    [undefined, false],
  ])("%s -> %s", (service, expected) => {
    expect(isComputeService(service)).toBe(expected);
  });
});
