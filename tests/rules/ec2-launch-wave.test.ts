import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../lambda/core/config.js";
import { ec2LaunchWave, launchClusters } from "../../lambda/rules/ec2-launch-wave.js";
import type { Severity } from "../../lambda/rules/types.js";
import {
  buildSnapshot,
  daysAgo,
  fleet,
  hoursAgo,
  type InstanceInput,
  instance,
  instanceIdFor,
  minutesAgo,
  ruleContext,
} from "../support/snapshot-builder.js";

/** What a leaked-key script starts: same AMI, same key pair, c5.4xlarge, launches seconds apart. */
const attackerLaunch = {
  instanceType: "c5.4xlarge",
  imageId: "ami-0a9b8c7d6e5f43210",
  keyName: "x",
  iamInstanceProfileArn: undefined,
  tags: {},
};

const evaluate = (instances: InstanceInput[], config?: ConfigInput) => {
  const snapshot = buildSnapshot({ instances });
  return ec2LaunchWave.evaluate(snapshot, ruleContext(snapshot, config));
};

describe("MW-EC2-LAUNCH-WAVE", () => {
  const cases: {
    name: string;
    instances: InstanceInput[];
    config?: ConfigInput;
    expected: { count: number; severities: Severity[] };
  }[] = [
    {
      name: "fires: 5 instances in one region within 4 minutes -> medium",
      instances: [instance(), ...fleet(5, { ...attackerLaunch, launchTime: hoursAgo(5) }, { spacingMinutes: 1 })],
      expected: { count: 5, severities: ["medium"] },
    },
    {
      name: "fires: 6 instances across 3 regions -> high",
      instances: [
        instance(),
        ...fleet(
          2,
          { ...attackerLaunch, region: "us-east-1", launchTime: hoursAgo(5) },
          { firstIndex: 1, spacingMinutes: 1 },
        ),
        ...fleet(
          2,
          { ...attackerLaunch, region: "sa-east-1", launchTime: minutesAgo(5 * 60 - 2) },
          { firstIndex: 3, spacingMinutes: 1 },
        ),
        ...fleet(
          2,
          { ...attackerLaunch, region: "ap-south-1", launchTime: minutesAgo(5 * 60 - 4) },
          { firstIndex: 5, spacingMinutes: 1 },
        ),
      ],
      expected: { count: 6, severities: ["high"] },
    },
    {
      name: "fires: 12 instances chained 10 minutes apart (gap chaining) -> high",
      instances: fleet(12, { ...attackerLaunch, launchTime: hoursAgo(20) }, { spacingMinutes: 10 }),
      expected: { count: 12, severities: ["high"] },
    },
    {
      name: "quiet: 4 instances, under the minimum of 5",
      instances: fleet(4, { ...attackerLaunch, launchTime: hoursAgo(5) }, { spacingMinutes: 1 }),
      expected: { count: 0, severities: [] },
    },
    {
      name: "quiet: 6 launches spread 30 minutes apart",
      instances: fleet(6, { ...attackerLaunch, launchTime: hoursAgo(5) }, { spacingMinutes: 30 }),
      expected: { count: 0, severities: [] },
    },
    {
      name: "quiet: the same 4 instances count as a wave when the config lowers the minimum",
      instances: fleet(4, { ...attackerLaunch, launchTime: hoursAgo(5) }, { spacingMinutes: 1 }),
      config: { thresholds: { launchWaveMinInstances: 3 } },
      expected: { count: 4, severities: ["medium"] },
    },
    {
      name: "fires: a wave launched 30 hours ago (before the window) and still running",
      instances: fleet(5, { ...attackerLaunch, launchTime: hoursAgo(30) }, { spacingMinutes: 1 }),
      expected: { count: 5, severities: ["medium"] },
    },
    {
      name: "not applicable: a wave launched 3 days ago and since terminated",
      instances: fleet(8, { ...attackerLaunch, launchTime: daysAgo(3), state: "terminated" }, { spacingMinutes: 1 }),
      expected: { count: 0, severities: [] },
    },
    {
      name: "not applicable: established instances launched together 20 days ago",
      instances: fleet(8, { ...attackerLaunch, launchTime: daysAgo(20) }, { spacingMinutes: 1 }),
      expected: { count: 0, severities: [] },
    },
    {
      name: "not applicable: no instances at all",
      instances: [],
      expected: { count: 0, severities: [] },
    },
    {
      name: "low: scale-out of an Auto Scaling group the account has had for months",
      instances: [
        instance({ autoScalingGroup: "web-asg", launchTime: daysAgo(45) }),
        ...fleet(6, { autoScalingGroup: "web-asg", launchTime: hoursAgo(8) }, { spacingMinutes: 2 }),
      ],
      expected: { count: 6, severities: ["low"] },
    },
  ];

  it.each(cases)("$name", ({ instances, config, expected }) => {
    const signals = evaluate(instances, config);
    expect(signals).toHaveLength(expected.count);
    expect([...new Set(signals.map((s) => s.severity))]).toEqual(expected.severities);
    for (const signal of signals) {
      expect(signal.ruleId).toBe("MW-EC2-LAUNCH-WAVE");
      expect(signal.resource.type).toBe("ec2-instance");
    }
  });

  it("describes the wave: stable id, size, regions, span and what the instances share", () => {
    const instances = [
      ...fleet(
        3,
        { ...attackerLaunch, region: "us-east-1", launchTime: hoursAgo(5) },
        { firstIndex: 1, spacingMinutes: 2 },
      ),
      ...fleet(
        2,
        { ...attackerLaunch, region: "eu-north-1", launchTime: minutesAgo(5 * 60 - 6) },
        { firstIndex: 4, spacingMinutes: 2 },
      ),
    ];
    const signals = evaluate(instances);
    const first = hoursAgo(5);
    const last = minutesAgo(5 * 60 - 8);
    expect(signals.map((s) => s.resource.id)).toEqual([1, 2, 3, 4, 5].map(instanceIdFor));
    expect(signals[0]?.details).toEqual({
      waveId: `wave-${first}-5`,
      size: 5,
      regions: ["eu-north-1", "us-east-1"],
      firstLaunch: first,
      lastLaunch: last,
      spanMinutes: 8,
      sharedImage: "ami-0a9b8c7d6e5f43210",
      sharedKeyName: "x",
      sharedLaunchTemplate: null,
      instanceTypes: ["c5.4xlarge"],
      autoScalingGroup: null,
      establishedAutoScalingGroup: false,
      routineWave: null,
      startedBeforeWindow: false,
      launchWaveMinutes: 15,
      launchWaveMinInstances: 5,
    });
    expect(new Set(signals.map((s) => s.details?.waveId)).size).toBe(1);
    expect(signals[0]?.message).toContain("one of 5 instances launched within 8 min");
    expect(signals[0]?.message).toContain("2 regions (eu-north-1, us-east-1)");
    expect(signals[0]?.message).toContain("same AMI ami-0a9b8c7d6e5f43210, same key pair x");
    // Input order does not change the wave id.
    expect(evaluate([...instances].reverse())[0]?.details?.waveId).toBe(`wave-${first}-5`);
  });

  it("says when a still-running wave started before the window", () => {
    const signals = evaluate(fleet(5, { ...attackerLaunch, launchTime: hoursAgo(30) }, { spacingMinutes: 1 }));
    expect(signals[0]?.message).toContain("before this audit window and still running");
    expect(signals[0]?.details?.startedBeforeWindow).toBe(true);
  });

  it("keeps a new Auto Scaling group (no older instances) at wave severity", () => {
    const signals = evaluate(
      fleet(6, { ...attackerLaunch, autoScalingGroup: "miner-asg", launchTime: hoursAgo(3) }, { spacingMinutes: 1 }),
    );
    expect(signals.map((s) => s.severity)).toEqual(Array(6).fill("medium"));
    expect(signals[0]?.details?.establishedAutoScalingGroup).toBe(false);
  });

  it("lowers only the instances of the established group inside a mixed wave", () => {
    const signals = evaluate([
      instance({ autoScalingGroup: "web-asg", launchTime: daysAgo(45) }),
      ...fleet(3, { autoScalingGroup: "web-asg", launchTime: hoursAgo(8) }, { spacingMinutes: 1 }),
      ...fleet(3, { ...attackerLaunch, launchTime: minutesAgo(8 * 60 - 3) }, { firstIndex: 4, spacingMinutes: 1 }),
    ]);
    expect(signals.map((s) => [s.resource.id, s.severity])).toEqual([
      [instanceIdFor(1), "low"],
      [instanceIdFor(2), "low"],
      [instanceIdFor(3), "low"],
      [instanceIdFor(4), "medium"],
      [instanceIdFor(5), "medium"],
      [instanceIdFor(6), "medium"],
    ]);
    expect(signals[0]?.message).toContain("Auto Scaling group web-asg");
  });

  it("splits launches into separate waves at gaps longer than the threshold", () => {
    const snapshot = buildSnapshot({
      instances: [
        ...fleet(5, { launchTime: hoursAgo(10) }, { spacingMinutes: 1 }),
        ...fleet(5, { launchTime: hoursAgo(2) }, { firstIndex: 6, spacingMinutes: 1 }),
      ],
    });
    expect(launchClusters(snapshot, 15).map((c) => c.length)).toEqual([5, 5]);
    const waves = new Set(ec2LaunchWave.evaluate(snapshot, ruleContext(snapshot)).map((s) => s.details?.waveId));
    expect(waves.size).toBe(2);
  });
});
