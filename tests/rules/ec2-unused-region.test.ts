import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../lambda/core/config.js";
import { ec2UnusedRegion } from "../../lambda/rules/ec2-unused-region.js";
import type { Severity } from "../../lambda/rules/types.js";
import {
  buildSnapshot,
  daysAgo,
  hoursAgo,
  type InstanceInput,
  instance,
  instanceIdFor,
  ruleContext,
} from "../support/snapshot-builder.js";

/** An account with two established regions: a web tier in eu-west-1 and a batch box in us-east-1. */
const established: InstanceInput[] = [
  instance(),
  instance({ instanceId: instanceIdFor(1), region: "us-east-1", instanceType: "m5.large", launchTime: daysAgo(120) }),
];

const newInstance = (overrides: Partial<InstanceInput>): InstanceInput =>
  instance({
    instanceId: instanceIdFor(9),
    instanceType: "c5.4xlarge",
    launchTime: hoursAgo(3),
    // A leaked key's instance wears none of the account's instance profiles.
    iamInstanceProfileArn: undefined,
    ...overrides,
  });

describe("MW-EC2-UNUSED-REGION", () => {
  const cases: {
    name: string;
    instances: InstanceInput[];
    config?: ConfigInput;
    expected: { id: string; region: string; severity: Severity }[];
  }[] = [
    {
      name: "fires for a new instance in a region the account never used",
      instances: [...established, newInstance({ region: "sa-east-1" })],
      expected: [{ id: instanceIdFor(9), region: "sa-east-1", severity: "medium" }],
    },
    {
      name: "fires for one launched in the window and already terminated",
      instances: [...established, newInstance({ region: "ap-south-1", state: "terminated" })],
      expected: [{ id: instanceIdFor(9), region: "ap-south-1", severity: "medium" }],
    },
    {
      name: "stays quiet for a new instance in a home region",
      instances: [...established, newInstance({ region: "us-east-1" })],
      expected: [],
    },
    {
      name: "stays quiet for a region approved in the config",
      instances: [...established, newInstance({ region: "sa-east-1" })],
      config: { approvedRegions: ["eu-west-1", "us-east-1", "sa-east-1"] },
      expected: [],
    },
    {
      name: "fires for a learned home region that the config does not approve",
      instances: [...established, newInstance({ region: "us-east-1" })],
      config: { approvedRegions: ["eu-west-1"] },
      expected: [
        // The old instance wears the account's own instance profile (web-app): a familiar
        // workload in a region the config leaves out is a low note, the stranger stays medium.
        { id: instanceIdFor(1), region: "us-east-1", severity: "low" },
        { id: instanceIdFor(9), region: "us-east-1", severity: "medium" },
      ],
    },
    {
      name: "not applicable: a stopped instance launched before the window",
      instances: [...established, newInstance({ region: "sa-east-1", state: "stopped", launchTime: daysAgo(3) })],
      expected: [],
    },
    {
      name: "no history to compare against: low, per instance",
      instances: [
        newInstance({ region: "eu-west-1" }),
        newInstance({ instanceId: instanceIdFor(10), region: "us-west-2" }),
      ],
      expected: [
        { id: instanceIdFor(9), region: "eu-west-1", severity: "low" },
        { id: instanceIdFor(10), region: "us-west-2", severity: "low" },
      ],
    },
  ];

  it.each(cases)("$name", ({ instances, config, expected }) => {
    const snapshot = buildSnapshot({ instances });
    const signals = ec2UnusedRegion.evaluate(snapshot, ruleContext(snapshot, config));
    expect(signals.map((s) => ({ id: s.resource.id, region: s.resource.region, severity: s.severity }))).toEqual(
      expected,
    );
    for (const signal of signals) {
      expect(signal.ruleId).toBe("MW-EC2-UNUSED-REGION");
      expect(signal.resource.type).toBe("ec2-instance");
    }
  });

  it("says where, when, and how the home regions were determined (learned)", () => {
    const snapshot = buildSnapshot({ instances: [...established, newInstance({ region: "sa-east-1" })] });
    const [signal] = ec2UnusedRegion.evaluate(snapshot, ruleContext(snapshot));
    expect(signal?.message).toContain("sa-east-1");
    expect(signal?.message).toContain("2026-03-10 03:00 UTC");
    expect(signal?.message).toContain("learned");
    expect(signal?.message).toContain("eu-west-1, us-east-1");
    expect(signal?.details).toMatchObject({
      homeRegions: ["eu-west-1", "us-east-1"],
      homeRegionsSource: "learned",
      launchedInWindow: true,
      noRegionHistory: false,
    });
  });

  it("names the config as the source when approvedRegions is set", () => {
    const snapshot = buildSnapshot({ instances: [...established, newInstance({ region: "sa-east-1" })] });
    const [signal] = ec2UnusedRegion.evaluate(snapshot, ruleContext(snapshot, { approvedRegions: ["eu-west-1"] }));
    expect(signal?.message).toContain("approved regions in the config: eu-west-1");
    expect(signal?.details?.homeRegionsSource).toBe("config");
  });

  it("learns home regions from the cost baseline when no old instance is there (data missing: no old instances)", () => {
    const days = Array.from({ length: 14 }, (_, k) => daysAgo(14 - k).slice(0, 10));
    const snapshot = buildSnapshot({
      instances: [
        newInstance({ region: "eu-west-1" }),
        newInstance({ instanceId: instanceIdFor(10), region: "ap-southeast-1" }),
      ],
      costs: {
        days,
        byRegion: { "eu-west-1": days.map(() => 12.5), "ap-southeast-1": days.map((_, k) => (k >= 11 ? 300 : 0)) },
      },
    });
    const signals = ec2UnusedRegion.evaluate(snapshot, ruleContext(snapshot));
    expect(signals.map((s) => [s.resource.region, s.severity])).toEqual([["ap-southeast-1", "medium"]]);
  });

  it("says there is no history when the account has none", () => {
    const snapshot = buildSnapshot({ instances: [newInstance({ region: "eu-west-1" })] });
    const [signal] = ec2UnusedRegion.evaluate(snapshot, ruleContext(snapshot));
    expect(signal?.message).toContain("no instance or spend history");
    expect(signal?.details?.noRegionHistory).toBe(true);
  });
});
