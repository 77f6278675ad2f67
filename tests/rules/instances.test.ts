import { describe, expect, it } from "vitest";
import {
  activeInWindow,
  estimatedVcpus,
  familyClass,
  isAccelerated,
  isLargeCompute,
  typeInfo,
} from "../../lambda/rules/lib/instances.js";
import { buildSnapshot, daysAgo, hoursAgo, INSTANCE_TYPE_CATALOG, instance } from "../support/snapshot-builder.js";

describe("instance type helpers", () => {
  it.each([
    ["p3.2xlarge", true],
    ["p4de.24xlarge", true],
    ["p6-b200.48xlarge", true],
    ["g4dn.xlarge", true],
    ["g5g.xlarge", true],
    ["gr6.4xlarge", true],
    ["dl1.24xlarge", true],
    ["trn1n.32xlarge", true],
    ["inf2.xlarge", true],
    ["vt1.3xlarge", true],
    ["f1.2xlarge", true],
    ["c7g.16xlarge", false],
    ["m6g.large", false],
    ["d3.xlarge", false],
    ["i4i.large", false],
    ["hpc7g.16xlarge", false],
    ["t3.medium", false],
  ])("judges %s accelerated = %s by name when type info is missing", (instanceType, expected) => {
    expect(isAccelerated(undefined, instanceType)).toBe(expected);
  });

  it("prefers DescribeInstanceTypes facts over the name", () => {
    expect(isAccelerated(INSTANCE_TYPE_CATALOG["inf2.xlarge"], "inf2.xlarge")).toBe(true);
    expect(isAccelerated({ vcpus: 4, memoryMiB: 16384, gpus: 0, accelerators: 0 }, "g4dn.xlarge")).toBe(false);
  });

  it.each([
    ["c5.4xlarge", 16],
    ["m5.large", 2],
    ["r6i.xlarge", 4],
    ["c5a.24xlarge", 96],
    ["m7i.metal-24xl", undefined],
  ])("estimates vCPUs of %s as %s", (instanceType, expected) => {
    expect(estimatedVcpus(instanceType)).toBe(expected);
  });

  it.each([
    ["c5.4xlarge", true],
    ["c5.2xlarge", false],
    ["hpc6a.48xlarge", true],
    ["x2idn.16xlarge", true],
    ["t3.2xlarge", false],
    ["i4i.8xlarge", false],
  ])("judges %s large compute (>= 16 vCPUs, c/m/r/x/hpc) = %s", (instanceType, expected) => {
    expect(isLargeCompute(INSTANCE_TYPE_CATALOG[instanceType], instanceType, 16)).toBe(expected);
  });

  it("splits family classes", () => {
    expect(["c5a.large", "hpc6a.48xlarge", "x2idn.16xlarge", "m7i-flex.large"].map(familyClass)).toEqual([
      "c",
      "hpc",
      "x",
      "m",
    ]);
  });

  it("reads type info from the snapshot", () => {
    const snapshot = buildSnapshot({ instances: [instance({ instanceType: "p3.2xlarge" })] });
    expect(typeInfo(snapshot, "p3.2xlarge")?.gpus).toBe(1);
    expect(typeInfo(snapshot, "p5.48xlarge")).toBeUndefined();
  });

  it.each([
    ["running, launched long ago", { state: "running" as const, launchTime: daysAgo(60) }, true],
    ["pending", { state: "pending" as const, launchTime: daysAgo(1) }, true],
    ["terminated, launched in the window", { state: "terminated" as const, launchTime: hoursAgo(3) }, true],
    ["stopped, launched before the window", { state: "stopped" as const, launchTime: daysAgo(2) }, false],
    ["terminated, launched before the window", { state: "terminated" as const, launchTime: hoursAgo(30) }, false],
  ])("activeInWindow: %s", (_name, overrides, expected) => {
    const snapshot = buildSnapshot({ instances: [instance(overrides)] });
    const [only] = snapshot.instances;
    expect(only && activeInWindow(only, snapshot)).toBe(expected);
  });
});
