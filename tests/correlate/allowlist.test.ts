import { describe, expect, it } from "vitest";
import { type ConfigInput, ConfigSchema } from "../../lambda/core/config.js";
import type { Instance } from "../../lambda/core/snapshot.js";
import { applyAllowlist, entryMatches, isExpired, principalMatches } from "../../lambda/correlate/allowlist.js";
import type { Signal } from "../../lambda/rules/types.js";
import { ACCOUNT_ID, buildSnapshot, instance, WINDOW_END } from "../support/snapshot-builder.js";

const NOW = new Date(WINDOW_END);
const ML_ROLE = `arn:aws:iam::${ACCOUNT_ID}:instance-profile/ml-training-nightly`;

const snapshot = buildSnapshot({
  instances: [
    instance({
      instanceId: "i-0000000000000000a",
      region: "us-east-1",
      instanceType: "p4d.24xlarge",
      iamInstanceProfileArn: ML_ROLE,
      tags: { team: "ml", Name: "trainer" },
    }),
    instance({ instanceId: "i-0000000000000000b", region: "sa-east-1", instanceType: "c5.4xlarge", tags: {} }),
  ],
});
const [mlInstance, strayInstance] = snapshot.instances as [Instance, Instance];

function signalOn(target: Instance, ruleId = "MW-EC2-UNUSUAL-TYPE"): Signal {
  return {
    ruleId,
    resource: { type: "ec2-instance", id: target.instanceId, region: target.region },
    severity: "high",
    message: "test",
  };
}
const regionSpend: Signal = {
  ruleId: "MW-COST-NEW-SPEND",
  resource: { type: "region-spend", id: "us-east-1", region: "us-east-1" },
  severity: "medium",
  message: "new spend",
};
const coverageGap: Signal = {
  ruleId: "MW-COVERAGE-GAP",
  resource: { type: "coverage", id: "ec2:DescribeInstances", region: "us-east-1" },
  severity: "medium",
  message: "denied",
};

function entry(input: NonNullable<ConfigInput["allowlist"]>[number]) {
  const parsed = ConfigSchema.parse({ allowlist: [input] }).allowlist[0];
  if (!parsed) throw new Error("entry did not parse");
  return parsed;
}

describe("principalMatches", () => {
  it.each([
    [ML_ROLE, ML_ROLE, true],
    [`arn:aws:iam::${ACCOUNT_ID}:instance-profile/ml-*`, ML_ROLE, true],
    [`arn:aws:iam::${ACCOUNT_ID}:instance-profile/ml-`, ML_ROLE, false],
    [`arn:aws:iam::${ACCOUNT_ID}:instance-profile/ci-*`, ML_ROLE, false],
    [`arn:aws:iam::${ACCOUNT_ID}:instance-profile/ml-*`, undefined, false],
  ])("%s vs %s -> %s", (pattern, principal, expected) => {
    expect(principalMatches(pattern, principal)).toBe(expected);
  });
});

describe("entryMatches", () => {
  const cases: {
    name: string;
    entry: Parameters<typeof entry>[0];
    signal: Signal;
    target?: Instance;
    matches: boolean;
  }[] = [
    {
      name: "principal prefix",
      entry: { reason: "ML training", principal: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/ml-*` },
      signal: signalOn(mlInstance),
      target: mlInstance,
      matches: true,
    },
    {
      name: "tag with value",
      entry: { reason: "ML training", tag: { key: "team", value: "ml" } },
      signal: signalOn(mlInstance),
      target: mlInstance,
      matches: true,
    },
    {
      name: "tag with other value",
      entry: { reason: "ML training", tag: { key: "team", value: "web" } },
      signal: signalOn(mlInstance),
      target: mlInstance,
      matches: false,
    },
    {
      name: "tag key, any value",
      entry: { reason: "ML training", tag: { key: "team" } },
      signal: signalOn(mlInstance),
      target: mlInstance,
      matches: true,
    },
    {
      name: "tag absent",
      entry: { reason: "ML training", tag: { key: "team" } },
      signal: signalOn(strayInstance),
      target: strayInstance,
      matches: false,
    },
    {
      name: "family",
      entry: { reason: "ML training", instanceFamily: "p4d" },
      signal: signalOn(mlInstance),
      target: mlInstance,
      matches: true,
    },
    {
      name: "family differs",
      entry: { reason: "ML training", instanceFamily: "p4d" },
      signal: signalOn(strayInstance),
      target: strayInstance,
      matches: false,
    },
    {
      name: "region",
      entry: { reason: "ML training", region: "us-east-1" },
      signal: signalOn(mlInstance),
      target: mlInstance,
      matches: true,
    },
    {
      name: "AND: region matches but family does not",
      entry: { reason: "ML training", region: "us-east-1", instanceFamily: "g5" },
      signal: signalOn(mlInstance),
      target: mlInstance,
      matches: false,
    },
    {
      name: "instance id",
      entry: { reason: "ML training", instanceId: "i-0000000000000000b" },
      signal: signalOn(strayInstance),
      target: strayInstance,
      matches: true,
    },
    {
      name: "account id",
      entry: { reason: "ML training", accountId: ACCOUNT_ID },
      signal: signalOn(strayInstance),
      target: strayInstance,
      matches: true,
    },
    {
      name: "other account id",
      entry: { reason: "ML training", accountId: "210987654321" },
      signal: signalOn(strayInstance),
      target: strayInstance,
      matches: false,
    },
    {
      name: "rules restrict to other rule",
      entry: { reason: "ML training", region: "us-east-1", rules: ["MW-CPU-SUSTAINED-HIGH"] },
      signal: signalOn(mlInstance),
      target: mlInstance,
      matches: false,
    },
    {
      name: "rules include this rule",
      entry: { reason: "ML training", region: "us-east-1", rules: ["MW-EC2-UNUSUAL-TYPE"] },
      signal: signalOn(mlInstance),
      target: mlInstance,
      matches: true,
    },
    {
      name: "instance matcher never matches region spend",
      entry: { reason: "ML training", tag: { key: "team" } },
      signal: regionSpend,
      matches: false,
    },
    {
      name: "region matcher matches region spend",
      entry: { reason: "known", region: "us-east-1" },
      signal: regionSpend,
      matches: true,
    },
    {
      name: "coverage gaps are not silenced by a broad entry",
      entry: { reason: "known", region: "us-east-1" },
      signal: coverageGap,
      matches: false,
    },
    {
      name: "coverage gaps are silenced only when the entry names the rule",
      entry: { reason: "region closed", region: "us-east-1", rules: ["MW-COVERAGE-GAP"] },
      signal: coverageGap,
      matches: true,
    },
  ];
  it.each(cases)("$name -> $matches", ({ entry: input, signal, target, matches }) => {
    expect(entryMatches(entry(input), signal, target, ACCOUNT_ID)).toBe(matches);
  });
});

describe("expiry", () => {
  it("treats a date-only expiry as valid through the end of that day (UTC)", () => {
    expect(isExpired(entry({ reason: "ML training", region: "us-east-1", expires: "2026-03-10" }), NOW)).toBe(false);
    expect(isExpired(entry({ reason: "ML training", region: "us-east-1", expires: "2026-03-09" }), NOW)).toBe(true);
    expect(isExpired(entry({ reason: "ML training", region: "us-east-1", expires: "2026-03-10T05:59:00Z" }), NOW)).toBe(
      true,
    );
    expect(isExpired(entry({ reason: "ML training", region: "us-east-1" }), NOW)).toBe(false);
  });
});

describe("applyAllowlist", () => {
  it("suppresses with the first matching entry and keeps the rest active", () => {
    const config = ConfigSchema.parse({
      allowlist: [
        { reason: "CI runners", tag: { key: "ci" } },
        {
          reason: "Nightly ML training by the platform team",
          principal: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/ml-*`,
        },
        { reason: "Also ML", instanceFamily: "p4d" },
      ],
    });
    const outcome = applyAllowlist([signalOn(mlInstance), signalOn(strayInstance)], snapshot, config, NOW);
    expect(outcome.active.map((s) => s.resource.id)).toEqual([strayInstance.instanceId]);
    expect(outcome.suppressed).toEqual([{ signal: signalOn(mlInstance), allowlistIndex: 1 }]);
    expect(outcome.expired).toEqual([]);
  });

  it("does not suppress with an expired entry, and lists it", () => {
    const config = ConfigSchema.parse({
      allowlist: [{ reason: "Q4 load test", instanceFamily: "p4d", expires: "2026-01-31" }],
    });
    const outcome = applyAllowlist([signalOn(mlInstance)], snapshot, config, NOW);
    expect(outcome.suppressed).toEqual([]);
    expect(outcome.active).toHaveLength(1);
    expect(outcome.expired).toEqual([{ allowlistIndex: 0, reason: "Q4 load test", expires: "2026-01-31" }]);
  });

  it("judges expiry against the audit's reference time, not the wall clock", () => {
    const config = ConfigSchema.parse({
      allowlist: [{ reason: "ML training", instanceFamily: "p4d", expires: "2026-04-01" }],
    });
    expect(applyAllowlist([signalOn(mlInstance)], snapshot, config, NOW).suppressed).toHaveLength(1);
    const later = new Date("2026-05-01T00:00:00Z");
    expect(applyAllowlist([signalOn(mlInstance)], snapshot, config, later).suppressed).toHaveLength(0);
  });

  it("treats new spend on an instance type as explained when every instance of that type is allowlisted", () => {
    const typeSpend = (type: string): Signal => ({
      ruleId: "MW-COST-NEW-SPEND",
      resource: { type: "instance-type-spend", id: type, region: "global" },
      severity: "low",
      message: `new spend on ${type}`,
    });
    const config = ConfigSchema.parse({ allowlist: [{ reason: "ML training", tag: { key: "team", value: "ml" } }] });
    const outcome = applyAllowlist(
      [typeSpend("p4d.24xlarge"), typeSpend("c5.4xlarge"), typeSpend("p5.48xlarge")],
      snapshot,
      config,
      NOW,
    );
    expect(outcome.suppressed.map((s) => [s.signal.resource.id, s.allowlistIndex])).toEqual([["p4d.24xlarge", 0]]);
    // c5.4xlarge runs untagged; no p5.48xlarge is in the inventory at all: both stay active.
    expect(outcome.active.map((s) => s.resource.id)).toEqual(["c5.4xlarge", "p5.48xlarge"]);
  });
});
