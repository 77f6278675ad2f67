import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../lambda/core/config.js";
import { buildProfile } from "../../lambda/core/profile.js";
import type { AccountSnapshot, Instance } from "../../lambda/core/snapshot.js";
import {
  type CorrelationInput,
  correlate,
  incidentId,
  RULE,
  scoreConfidence,
  scoreSeverity,
} from "../../lambda/correlate/correlate.js";
import type { Severity, Signal } from "../../lambda/rules/types.js";
import { ACCOUNT_ID, buildSnapshot, daysAgo, fleet, instance, minutesAgo } from "../support/snapshot-builder.js";

function instanceSignal(
  ruleId: string,
  target: Pick<Instance, "instanceId" | "region">,
  severity: Severity,
  details?: Signal["details"],
): Signal {
  return {
    ruleId,
    resource: { type: "ec2-instance", id: target.instanceId, region: target.region },
    severity,
    message: `${ruleId} on ${target.instanceId}`,
    ...(details ? { details } : {}),
  };
}

function inputFor(snapshot: AccountSnapshot, signals: Signal[]): CorrelationInput {
  return { signals, snapshot, profile: buildProfile(snapshot, ConfigSchema.parse({})) };
}

/** An established eu-west-1 web fleet (so eu-west-1 is home) plus a 9-instance wave over 3 unused regions. */
function leakedKeyScenario(): { snapshot: AccountSnapshot; signals: Signal[]; attackers: Instance[] } {
  const regions = ["sa-east-1", "ap-south-1", "eu-north-1"];
  const attackerInputs = regions.flatMap((region, r) =>
    fleet(
      3,
      { region, instanceType: "p3.16xlarge", launchTime: minutesAgo(300 - r * 4), tags: {} },
      {
        firstIndex: 10 + r * 3,
        spacingMinutes: 1,
      },
    ),
  );
  const snapshot = buildSnapshot({
    instances: [instance({ launchTime: daysAgo(90) }), ...attackerInputs],
  });
  const attackers = snapshot.instances.filter((i) => i.instanceType === "p3.16xlarge");
  const signals = attackers.flatMap((i) => [
    instanceSignal(RULE.unusedRegion, i, "high"),
    instanceSignal(RULE.unusualType, i, "high"),
    instanceSignal(RULE.launchWave, i, "high", { waveId: "wave-1", size: 9 }),
  ]);
  return { snapshot, signals, attackers };
}

describe("correlate: grouping", () => {
  it("joins one launch wave across three regions into one finding", () => {
    const { snapshot, signals, attackers } = leakedKeyScenario();
    const incidents = correlate(inputFor(snapshot, signals));
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident?.kind).toBe("new-compute");
    expect(incident?.instances.map((i) => i.instanceId).sort()).toEqual(attackers.map((i) => i.instanceId).sort());
    expect(incident?.regions).toEqual(["ap-south-1", "eu-north-1", "sa-east-1"]);
    expect(incident?.title).toBe("Likely leaked-key mining: 9 GPU instances in 3 unused regions");
    expect(incident?.firstSeen).toBe(attackers.map((i) => i.launchTime).sort()[0]);
    expect(incident?.summary.split(". ").length).toBeGreaterThanOrEqual(2);
  });

  it("joins instances launched within an hour that share a suspicious rule, without a wave", () => {
    const snapshot = buildSnapshot({
      instances: [
        instance({
          instanceId: "i-0000000000000000a",
          region: "sa-east-1",
          instanceType: "c5a.24xlarge",
          launchTime: minutesAgo(200),
        }),
        instance({
          instanceId: "i-0000000000000000b",
          region: "ap-south-1",
          instanceType: "c5a.24xlarge",
          launchTime: minutesAgo(150),
        }),
        // Launched 3 hours after the others: a separate incident.
        instance({
          instanceId: "i-0000000000000000c",
          region: "eu-north-1",
          instanceType: "c5a.24xlarge",
          launchTime: minutesAgo(10),
        }),
      ],
    });
    const signals = snapshot.instances.map((i) => instanceSignal(RULE.unusedRegion, i, "high"));
    const incidents = correlate(inputFor(snapshot, signals));
    const sizes = incidents.map((x) => x.instances.length).sort();
    expect(sizes).toEqual([1, 2]);
  });

  it("joins instances of the same Auto Scaling group even when launched days apart", () => {
    const snapshot = buildSnapshot({
      instances: [
        instance({
          instanceId: "i-0000000000000000a",
          autoScalingGroup: "miner-asg",
          region: "sa-east-1",
          launchTime: daysAgo(3),
        }),
        instance({
          instanceId: "i-0000000000000000b",
          autoScalingGroup: "miner-asg",
          region: "sa-east-1",
          launchTime: daysAgo(1),
        }),
      ],
    });
    const signals = snapshot.instances.map((i) => instanceSignal(RULE.cpuSustainedHigh, i, "medium"));
    expect(correlate(inputFor(snapshot, signals))).toHaveLength(1);
  });

  it("groups flat-shift-only instances of one workload into one 'existing compute changed shape' finding", () => {
    const nodes = fleet(4, { region: "us-east-1", instanceType: "m5.xlarge", tags: { "eks:cluster-name": "prod" } });
    const other = instance({ instanceId: "i-0000000000000000f", region: "us-east-1", tags: { Name: "batch" } });
    const snapshot = buildSnapshot({ instances: [...nodes, other] });
    const signals = snapshot.instances.map((i) => instanceSignal(RULE.cpuFlatShift, i, "medium"));
    const incidents = correlate(inputFor(snapshot, signals));
    expect(incidents).toHaveLength(2);
    const cluster = incidents.find((x) => x.instances.length === 4);
    expect(cluster?.kind).toBe("existing-compute");
    expect(cluster?.title).toMatch(
      /^Existing compute changed shape: 4 compute instances in us-east-1 \(cluster prod\)/,
    );
  });

  it("does not join flat-shift instances of the same workload across regions", () => {
    const a = instance({ instanceId: "i-0000000000000000a", region: "us-east-1", tags: { Name: "api" } });
    const b = instance({ instanceId: "i-0000000000000000b", region: "us-west-2", tags: { Name: "api" } });
    const snapshot = buildSnapshot({ instances: [a, b] });
    const signals = snapshot.instances.map((i) => instanceSignal(RULE.cpuFlatShift, i, "medium"));
    expect(correlate(inputFor(snapshot, signals))).toHaveLength(2);
  });

  it("attaches region spend to the incident running in that region, else keeps it as its own finding", () => {
    const { snapshot, signals } = leakedKeyScenario();
    const spend = (region: string): Signal => ({
      ruleId: RULE.costNewSpend,
      resource: { type: "region-spend", id: region, region },
      severity: "medium",
      message: `New spend in ${region}`,
    });
    const incidents = correlate(inputFor(snapshot, [...signals, spend("sa-east-1"), spend("us-west-1")]));
    expect(incidents).toHaveLength(2);
    const wave = incidents.find((x) => x.kind === "new-compute");
    expect(wave?.rules).toContain(RULE.costNewSpend);
    const lone = incidents.find((x) => x.kind === "cost");
    expect(lone?.region).toBe("us-west-1");
    expect(lone?.title).toContain("us-west-1");
  });

  it("attaches new spend on an instance type to the incident running that type", () => {
    const { snapshot, signals } = leakedKeyScenario();
    const typeSpend: Signal = {
      ruleId: RULE.costNewSpend,
      resource: { type: "instance-type-spend", id: "p3.16xlarge", region: "global" },
      severity: "medium",
      message: "New EC2 spend on p3.16xlarge",
    };
    const incidents = correlate(inputFor(snapshot, [...signals, typeSpend]));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.otherResources).toEqual([typeSpend.resource]);
  });

  it("does not call a low launch-wave note on its own leaked-key mining", () => {
    const snapshot = buildSnapshot({
      instances: fleet(5, { region: "eu-west-1", autoScalingGroup: "web", launchTime: minutesAgo(30) }),
    });
    const signals = snapshot.instances.map((i) => instanceSignal(RULE.launchWave, i, "low", { waveId: "wave-2" }));
    const [incident, ...rest] = correlate(inputFor(snapshot, signals));
    expect(rest).toEqual([]);
    expect(incident?.severity).toBe("low");
    expect(incident?.title).toBe("Unusual launch (weak signal): 5 compute instances in eu-west-1");
  });

  it("makes at most one coverage finding per region", () => {
    const snapshot = buildSnapshot();
    const gap = (region: string, api: string): Signal => ({
      ruleId: RULE.coverageGap,
      resource: { type: "coverage", id: `ec2:${api}`, region },
      severity: "medium",
      message: `${api} denied in ${region}`,
    });
    const incidents = correlate(
      inputFor(snapshot, [
        gap("us-west-1", "DescribeInstances"),
        gap("us-west-1", "DescribeInstanceTypes"),
        gap("sa-east-1", "DescribeInstances"),
      ]),
    );
    expect(incidents.map((x) => [x.kind, x.region])).toEqual([
      ["coverage", "sa-east-1"],
      ["coverage", "us-west-1"],
    ]);
  });

  it("keeps GPU instances whose only signal is 'utilization unknown' apart from behaviour findings", () => {
    const gpus = fleet(2, { region: "us-east-1", instanceType: "g5.xlarge" });
    const snapshot = buildSnapshot({ instances: gpus });
    const signals = snapshot.instances.map((i) =>
      instanceSignal(RULE.gpuHigh, i, "low", { agentMetricFound: false, gpus: 1 }),
    );
    const incidents = correlate(inputFor(snapshot, signals));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.kind).toBe("gpu-not-visible");
    expect(incidents[0]?.severity).toBe("low");
  });
});

describe("correlate: scoring", () => {
  const target = { instanceId: "i-0000000000000000a", region: "sa-east-1" };
  const cases: { name: string; signals: [string, Severity][]; severity: Severity }[] = [
    { name: "a single low signal stays low", signals: [[RULE.cpuSustainedHigh, "low"]], severity: "low" },
    { name: "a single medium signal stays medium", signals: [[RULE.cpuSustainedHigh, "medium"]], severity: "medium" },
    {
      name: "one medium plus one low rule is not corroboration",
      signals: [
        [RULE.cpuSustainedHigh, "medium"],
        [RULE.gpuHigh, "low"],
      ],
      severity: "medium",
    },
    {
      name: "two distinct medium rules raise one level",
      signals: [
        [RULE.cpuSustainedHigh, "medium"],
        [RULE.unusualType, "medium"],
      ],
      severity: "high",
    },
    {
      name: "the same rule twice is not two rules",
      signals: [
        [RULE.cpuSustainedHigh, "medium"],
        [RULE.cpuSustainedHigh, "medium"],
      ],
      severity: "medium",
    },
    {
      name: "three distinct medium rules raise two levels",
      signals: [
        [RULE.cpuSustainedHigh, "medium"],
        [RULE.unusualType, "medium"],
        [RULE.unusedRegion, "medium"],
      ],
      severity: "critical",
    },
    {
      name: "escalation is capped at critical",
      signals: [
        [RULE.userdataMiner, "critical"],
        [RULE.unusualType, "high"],
        [RULE.unusedRegion, "high"],
      ],
      severity: "critical",
    },
    {
      name: "high plus medium becomes critical",
      signals: [
        [RULE.unusedRegion, "high"],
        [RULE.cpuSustainedHigh, "medium"],
      ],
      severity: "critical",
    },
  ];
  it.each(cases)("$name", ({ signals, severity }) => {
    expect(scoreSeverity(signals.map(([rule, sev]) => instanceSignal(rule, target, sev)))).toBe(severity);
  });

  it("computes confidence as 1 - prod(1 - w) over distinct rules, using each rule's strongest signal", () => {
    const signals = [
      instanceSignal(RULE.unusedRegion, target, "high"),
      instanceSignal(RULE.cpuSustainedHigh, target, "low"),
      instanceSignal(RULE.cpuSustainedHigh, target, "medium"),
    ];
    expect(scoreConfidence(signals)).toBeCloseTo(1 - (1 - 0.6) * (1 - 0.35), 3);
    expect(scoreConfidence([instanceSignal(RULE.cpuSustainedHigh, target, "info")])).toBeCloseTo(0.05, 3);
  });

  it("applies the scoring to the built incident", () => {
    const { snapshot, signals } = leakedKeyScenario();
    const [incident] = correlate(inputFor(snapshot, signals));
    // Three distinct high rules: high raised two levels, capped at critical.
    expect(incident?.severity).toBe("critical");
    expect(incident?.confidence).toBeCloseTo(1 - 0.4 ** 3, 3);
  });
});

describe("correlate: stable ids", () => {
  it("gives the same id across runs and whatever the signal order", () => {
    const { snapshot, signals } = leakedKeyScenario();
    const first = correlate(inputFor(snapshot, signals));
    const reversed = correlate(inputFor(snapshot, [...signals].reverse()));
    const shuffled = correlate(
      inputFor(
        snapshot,
        [...signals].sort((a, b) => a.message.localeCompare(b.message) * -1),
      ),
    );
    expect(first[0]?.id).toMatch(/^mw-[0-9a-f]{12}$/);
    expect(reversed.map((x) => x.id)).toEqual(first.map((x) => x.id));
    expect(shuffled.map((x) => x.id)).toEqual(first.map((x) => x.id));
    expect(reversed[0]?.signals).toEqual(first[0]?.signals);
  });

  it("keeps the id when the fleet grows later (anchored on the earliest three instances)", () => {
    const { snapshot, signals } = leakedKeyScenario();
    const before = correlate(inputFor(snapshot, signals));
    const late = instance({
      instanceId: "i-0000000000000fff1",
      region: "sa-east-1",
      instanceType: "p3.16xlarge",
      launchTime: minutesAgo(280),
    });
    const grown = buildSnapshot({ instances: [...snapshot.instances, late] });
    const after = correlate(
      inputFor(grown, [...signals, instanceSignal(RULE.launchWave, late, "high", { waveId: "wave-1" })]),
    );
    expect(after).toHaveLength(1);
    expect(after[0]?.instances).toHaveLength(10);
    expect(after[0]?.id).toBe(before[0]?.id);
  });

  it("derives ids from the account and anchors only", () => {
    expect(incidentId(ACCOUNT_ID, "new-compute", ["i-b", "i-a"])).toBe(
      incidentId(ACCOUNT_ID, "new-compute", ["i-a", "i-b"]),
    );
    expect(incidentId(ACCOUNT_ID, "new-compute", ["i-a"])).not.toBe(incidentId("210987654321", "new-compute", ["i-a"]));
  });
});
