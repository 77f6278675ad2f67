import { describe, expect, it } from "vitest";
import { mergeSections } from "../../lambda/collect/sections.js";
import { ManagedComputeSchema } from "../../lambda/core/sections/managed-compute.js";

const lambdaPart = ManagedComputeSchema.parse({
  regionsRead: { lambda: ["us-east-1"] },
  lambdaFunctions: [
    {
      name: "thumbs",
      arn: "arn:aws:lambda:us-east-1:123456789012:function:thumbs",
      region: "us-east-1",
      memorySize: 512,
      timeout: 30,
      lastModified: "2026-03-01T00:00:00.000Z",
    },
  ],
});
const notebookPart = ManagedComputeSchema.parse({
  regionsRead: { sagemaker: ["us-east-1", "eu-west-1"] },
  notebookInstances: [
    {
      name: "nb",
      arn: "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
      region: "us-east-1",
      instanceType: "ml.p3.2xlarge",
      status: "InService",
      creationTime: "2026-03-09T10:00:00.000Z",
    },
  ],
});

describe("mergeSections", () => {
  it("keeps both parts of managedCompute whichever collector answers first", () => {
    for (const order of [
      [{ managedCompute: lambdaPart }, { managedCompute: notebookPart }],
      [{ managedCompute: notebookPart }, { managedCompute: lambdaPart }],
    ]) {
      const merged = mergeSections(order).managedCompute;
      expect(merged?.lambdaFunctions.map((f) => f.name)).toEqual(["thumbs"]);
      expect(merged?.notebookInstances.map((n) => n.name)).toEqual(["nb"]);
      expect(merged?.regionsRead).toEqual({ lambda: ["us-east-1"], sagemaker: ["us-east-1", "eu-west-1"] });
    }
  });

  it("passes the other sections through", () => {
    const merged = mergeSections([{ guardDuty: { regionsChecked: ["us-east-1"], detectors: [], findings: [] } }, {}]);
    expect(merged.guardDuty?.regionsChecked).toEqual(["us-east-1"]);
    expect(merged.managedCompute).toBeUndefined();
  });
});
