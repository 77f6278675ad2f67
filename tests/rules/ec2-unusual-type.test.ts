import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../lambda/core/config.js";
import type { AccountSnapshotInput } from "../../lambda/core/snapshot.js";
import { ec2UnusualType } from "../../lambda/rules/ec2-unusual-type.js";
import type { Severity } from "../../lambda/rules/types.js";
import {
  buildSnapshot,
  daysAgo,
  hoursAgo,
  INSTANCE_TYPE_CATALOG,
  type InstanceInput,
  instance,
  instanceIdFor,
  ruleContext,
} from "../support/snapshot-builder.js";

/** The account's established fleet: t3 web servers and an m5 worker. */
const established: InstanceInput[] = [
  instance(),
  instance({ instanceId: instanceIdFor(1), instanceType: "m5.xlarge", launchTime: daysAgo(90) }),
];

const recent = (instanceType: string, overrides: Partial<InstanceInput> = {}): InstanceInput =>
  instance({ instanceId: instanceIdFor(7), instanceType, launchTime: hoursAgo(2), region: "us-east-1", ...overrides });

describe("MW-EC2-UNUSUAL-TYPE", () => {
  const cases: {
    name: string;
    instances: InstanceInput[];
    config?: ConfigInput;
    instanceTypes?: AccountSnapshotInput["instanceTypes"];
    expected: { severity: Severity; kind: string } | null;
  }[] = [
    {
      name: "GPU p3.16xlarge of a new family -> high",
      instances: [...established, recent("p3.16xlarge")],
      expected: { severity: "high", kind: "accelerated" },
    },
    {
      name: "g4dn.xlarge -> high",
      instances: [...established, recent("g4dn.xlarge")],
      expected: { severity: "high", kind: "accelerated" },
    },
    {
      name: "Trainium (accelerators, no GPUs) -> high",
      instances: [...established, recent("trn1.32xlarge")],
      expected: { severity: "high", kind: "accelerated" },
    },
    {
      name: "c5.4xlarge (16 vCPUs) -> medium",
      instances: [...established, recent("c5.4xlarge")],
      expected: { severity: "medium", kind: "large-compute" },
    },
    {
      name: "c5a.24xlarge -> medium",
      instances: [...established, recent("c5a.24xlarge")],
      expected: { severity: "medium", kind: "large-compute" },
    },
    {
      name: "hpc6a.48xlarge -> medium",
      instances: [...established, recent("hpc6a.48xlarge")],
      expected: { severity: "medium", kind: "large-compute" },
    },
    { name: "quiet: small compute c5.xlarge", instances: [...established, recent("c5.xlarge")], expected: null },
    {
      name: "quiet: large compute of a known family (m5.24xlarge, m5 established)",
      instances: [...established, recent("m5.24xlarge")],
      expected: null,
    },
    {
      name: "quiet: GPU family approved in the config",
      instances: [...established, recent("p4d.24xlarge")],
      config: { approvedInstanceFamilies: ["p4d"] },
      expected: null,
    },
    {
      name: "quiet: GPU family established (a g5 running for 30 days)",
      instances: [
        ...established,
        instance({ instanceId: instanceIdFor(2), instanceType: "g5.xlarge", launchTime: daysAgo(30) }),
        recent("g5.48xlarge"),
      ],
      expected: null,
    },
    {
      name: "quiet: threshold raised above the instance's vCPUs",
      instances: [...established, recent("c5.4xlarge")],
      config: { thresholds: { largeComputeVcpus: 32 } },
      expected: null,
    },
    {
      name: "not applicable: stopped GPU instance launched before the window",
      instances: [...established, recent("p3.2xlarge", { state: "stopped", launchTime: daysAgo(5) })],
      expected: null,
    },
    {
      name: "data missing: no type info, GPU judged by family name",
      instances: [...established, recent("p5.48xlarge")],
      instanceTypes: {},
      expected: { severity: "high", kind: "accelerated" },
    },
    {
      name: "data missing: no type info, vCPUs estimated from the size",
      instances: [...established, recent("c6i.8xlarge")],
      instanceTypes: {},
      expected: { severity: "medium", kind: "large-compute" },
    },
    {
      name: "data missing: no type info, small size stays quiet",
      instances: [...established, recent("c6i.2xlarge")],
      instanceTypes: {},
      expected: null,
    },
  ];

  it.each(cases)("$name", ({ instances, config, instanceTypes, expected }) => {
    const snapshot = buildSnapshot({ instances, ...(instanceTypes ? { instanceTypes } : {}) });
    const signals = ec2UnusualType.evaluate(snapshot, ruleContext(snapshot, config));
    if (expected === null) {
      expect(signals).toEqual([]);
      return;
    }
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      ruleId: "MW-EC2-UNUSUAL-TYPE",
      resource: { type: "ec2-instance", id: instanceIdFor(7), region: "us-east-1" },
      severity: expected.severity,
      details: { kind: expected.kind },
    });
  });

  it("reports vCPUs, GPUs, family and the known families", () => {
    const snapshot = buildSnapshot({ instances: [...established, recent("p3.16xlarge")] });
    const [signal] = ec2UnusualType.evaluate(snapshot, ruleContext(snapshot));
    expect(signal?.message).toContain("p3.16xlarge (64 vCPUs, 8 GPUs (V100))");
    expect(signal?.message).toContain("known families: m5, t3");
    expect(signal?.details).toMatchObject({
      family: "p3",
      vcpus: 64,
      gpus: 8,
      gpuModel: "V100",
      typeInfoSource: "describe-instance-types",
      knownFamilies: ["m5", "t3"],
    });
  });

  it("says when it judged by name because DescribeInstanceTypes was not read", () => {
    const snapshot = buildSnapshot({ instances: [...established, recent("c6i.8xlarge")], instanceTypes: {} });
    const [signal] = ec2UnusualType.evaluate(snapshot, ruleContext(snapshot));
    expect(signal?.message).toContain("type details not collected; judged by its name, about 32 vCPUs");
    expect(signal?.details).toMatchObject({ vcpus: 32, gpus: null, typeInfoSource: "type-name" });
  });

  it("trusts DescribeInstanceTypes over the family list", () => {
    // A custom catalog entry that says g4dn has no GPU would be odd, but the collected fact wins.
    const snapshot = buildSnapshot({
      instances: [...established, recent("g4dn.xlarge")],
      instanceTypes: { "g4dn.xlarge": { ...INSTANCE_TYPE_CATALOG["m5.xlarge"], vcpus: 4, memoryMiB: 16384 } },
    });
    expect(ec2UnusualType.evaluate(snapshot, ruleContext(snapshot))).toEqual([]);
  });
});
